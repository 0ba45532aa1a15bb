//! The report parsers on reports captured from real runs (`tests/fixtures/`, see its README): a
//! small generated design (784-16-10, 4-bit weights, 4 lanes) inside a flow-test harness, through
//! Yosys 0.23, nextpnr-ice40 0.4 and nextpnr-ecp5 0.11. The expected numbers were read off the
//! fixture files by hand.

mod common;
use common::{fixture, snapshot};

use constraints::report::{PnrReport, YosysStat};
use constraints::{Board, SynthReport, Usage};

#[test]
fn icebreaker_reports() {
    let board = Board::builtin("icebreaker").unwrap();
    let stat = YosysStat::parse(&fixture("icebreaker-yosys-stat.json")).unwrap();
    assert_eq!(stat.cells, 4267);
    assert_eq!(stat.cells_by_type["SB_LUT4"], 2300);
    let pnr = PnrReport::parse(&fixture("icebreaker-nextpnr-report.json")).unwrap();
    // The board file's resources are nextpnr's device database's.
    let lc = pnr.cell("ICESTORM_LC").unwrap();
    assert_eq!((lc.used, lc.available), (3441, board.resources.luts));
    assert_eq!(pnr.cell("ICESTORM_RAM").unwrap().available, board.resources.brams);
    assert_eq!(pnr.cell("ICESTORM_DSP").unwrap().available, board.resources.dsps);
    // One clock: 18.195 MHz achieved against the PCF's 12 MHz.
    assert_eq!(pnr.fmax.len(), 1);
    let f = &pnr.fmax[0];
    assert_eq!(f.clock, "clock$SB_IO_IN_$glb_clk");
    assert!((f.achieved_mhz - 18.195).abs() < 1e-3 && (f.constraint_mhz - 12.0).abs() < 1e-3);
    assert!(f.meets());
    // Three paths (reg-reg, input-reg, reg-output); the critical one is reg-reg, 51 segments whose
    // delays add up to the clock period at Fmax: 1000 / 18.195 = 54.96 ns.
    assert_eq!(pnr.critical_paths.len(), 3);
    let cp = pnr.critical_path().unwrap();
    assert_eq!(cp.segments, 51);
    assert!((cp.delay_ns - 1000.0 / f.achieved_mhz).abs() < 0.05, "{}", cp.delay_ns);
    assert_eq!(cp.start, "dut.u_layer1.fwd_valid_SB_LUT4_I3_LC.CLK");

    let r = SynthReport::new(&board, "harness_top", &stat, Some(&pnr));
    let u = r.utilisation;
    // SB_DFF 538 + SB_DFFE 922 + SB_DFFESR 90 + SB_DFFESS 2 + SB_DFFSR 32 = 1584.
    assert_eq!(u.ffs, Usage { used: 1584, available: 5280 });
    assert_eq!(u.luts.used, 2300);
    assert_eq!(u.carry.used, 365);
    assert_eq!(u.brams, Usage { used: 18, available: 30 });
    assert_eq!(u.dsps.used, 0);
    assert!(u.fits());
    snapshot("icebreaker-report.txt", &r.table());
    let back: SynthReport = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(back, r);
}

#[test]
fn broken_reports_name_the_key() {
    let e = PnrReport::parse("{\"utilization\": {}, \"fmax\": {}}").unwrap_err();
    assert!(e.to_string().contains("`critical_paths`"), "{e}");
    let e = PnrReport::parse(
        r#"{"utilization": {"ICESTORM_LC": {"used": 1}}, "fmax": {}, "critical_paths": []}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("utilization.ICESTORM_LC.available"), "{e}");
    let e = PnrReport::parse("{").unwrap_err();
    assert!(e.to_string().starts_with("nextpnr --report: `(document)`"), "{e}");
    let e = YosysStat::parse(r#"{"design": {"num_cells": 3}}"#).unwrap_err();
    assert!(e.to_string().contains("design.num_cells_by_type"), "{e}");
    let e = YosysStat::parse(r#"{"modules": {}}"#).unwrap_err();
    assert!(e.to_string().contains("0 modules"), "{e}");
}

#[test]
fn a_design_too_big_for_the_board_does_not_fit() {
    let board = Board::builtin("icebreaker").unwrap();
    let stat = YosysStat::parse(
        r#"{"design": {"num_cells": 31, "num_cells_by_type": {"SB_RAM40_4K": 31}}}"#,
    )
    .unwrap();
    let r = SynthReport::new(&board, "top", &stat, None);
    assert_eq!(r.utilisation.brams, Usage { used: 31, available: 30 });
    assert!(!r.utilisation.fits());
    assert!(r.table().contains("DOES NOT FIT"));
    assert!(r.fmax.is_empty() && r.critical_path.is_none());
}
