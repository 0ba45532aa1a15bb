//! Every generated file of every built-in board, pinned by a snapshot under `tests/snapshots/`
//! (re-bless with `UPDATE_SNAPSHOTS=1 cargo test -p constraints --test snapshots`), plus the flow
//! plans as text. The pins in the snapshots were checked against the boards' published pin-outs
//! (see each board file's header); the iCEBreaker PCF and the ULX3S LPF were accepted by
//! nextpnr-ice40 0.4 and nextpnr-ecp5 0.11 on a real design.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod common;
use common::snapshot;

use constraints::flow::{plan, FlowInput, FlowPlan};
use constraints::vivado::VivadoSources;
use constraints::{lpf, pcf, sdc, vivado, xdc, Board, Port};

/// A board top level with everything a board link uses: clock, reset, UART, two LEDs, one button.
fn board_top_ports() -> Vec<Port> {
    vec![
        Port::input("clock", 1),
        Port::input("reset_button", 1),
        Port::input("uart_rx", 1),
        Port::output("uart_tx", 1),
        Port::output("led", 2),
        Port::input("button", 1),
    ]
}

fn plan_text(p: &FlowPlan) -> String {
    let mut s = String::new();
    for f in &p.files {
        let _ = writeln!(s, "file {}", f.path.display());
    }
    for r in &p.runs {
        let _ = writeln!(s, "run {} {}", r.program, r.args.join(" "));
        let _ = writeln!(s, "  cwd {}", r.cwd.display());
        let _ = writeln!(s, "  log {}", r.log.display());
        for i in &r.inputs {
            let _ = writeln!(s, "  in  {}", i.display());
        }
        for o in &r.outputs {
            let _ = writeln!(s, "  out {}", o.display());
        }
    }
    s
}

fn board_plan(board: &Board) -> FlowPlan {
    let ports = board_top_ports();
    let verilog = [
        PathBuf::from("ttfs_top.v"),
        PathBuf::from("ttfs_board_top.v"),
    ];
    plan(
        board,
        &FlowInput {
            top: "ttfs_board_top",
            design_dir: Path::new("/home/me/design"),
            verilog: &verilog,
            ports: &ports,
            build_dir: Path::new("/home/me/design/synth"),
        },
    )
    .unwrap()
}

#[test]
fn icebreaker_files() {
    let b = Board::builtin("icebreaker").unwrap();
    let ports = board_top_ports();
    snapshot("icebreaker.pcf", &pcf::render(&b, &ports).unwrap());
    snapshot("icebreaker.sdc", &sdc::render(&b, &ports).unwrap());
    let p = board_plan(&b);
    snapshot("icebreaker-flow.txt", &plan_text(&p));
    snapshot("icebreaker-synth.ys", &p.files[0].contents);
}

#[test]
fn ulx3s_files() {
    let b = Board::builtin("ulx3s").unwrap();
    let ports = board_top_ports();
    snapshot("ulx3s.lpf", &lpf::render(&b, &ports).unwrap());
    snapshot("ulx3s.sdc", &sdc::render(&b, &ports).unwrap());
    let p = board_plan(&b);
    snapshot("ulx3s-flow.txt", &plan_text(&p));
    snapshot("ulx3s-synth.ys", &p.files[0].contents);
}

#[test]
fn arty_files() {
    let b = Board::builtin("arty-a7-100t").unwrap();
    let ports = board_top_ports();
    snapshot("arty-a7-100t.xdc", &xdc::render(&b, &ports).unwrap());
    snapshot("arty-a7-100t.sdc", &sdc::render(&b, &ports).unwrap());
    let verilog = ["ttfs_top.v".to_string(), "ttfs_board_top.v".to_string()];
    let tcl = vivado::render(
        &b,
        &VivadoSources {
            top: "ttfs_board_top",
            verilog: &verilog,
            xdc: "board.xdc",
        },
    )
    .unwrap();
    snapshot("arty-a7-100t-vivado.tcl", &tcl);
    let p = board_plan(&b);
    snapshot("arty-a7-100t-flow.txt", &plan_text(&p));
    snapshot("arty-a7-100t-synth.ys", &p.files[0].contents);
}
