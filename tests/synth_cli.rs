//! `ttfs synth` on tiny hand-written designs (needs yosys; missing, the command fails with the install
//! command): the plan, the utilisation printed and written as JSON, latches failing the command.

use std::path::Path;
use std::process::Output;
use testkit::cli::{stderr, stdout};

/// `ttfs synth --design DIR ARGS...`.
fn ttfs(args: &[&str], dir: &Path) -> Output {
    testkit::ttfs!()
        .command()
        .arg("synth")
        .arg("--design")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (stdout(o), stderr(o))
}

fn design(verilog: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("top.v"), verilog).unwrap();
    d
}

#[test]
fn synth_prints_the_plan_and_the_utilisation() {
    let d = design(
        "module top(input wire clock, input wire we, input wire [2:0] ad, input wire [3:0] a,\n\
         output reg [3:0] r);\nreg [3:0] mem [0:7];\n\
         always @(posedge clock) begin if (we) mem[ad] <= a; r <= mem[ad]; end\nendmodule\n",
    );
    let p = d.path();
    let out = ttfs(&["--top", "top", "--family", "ice40", "--plan"], p);
    let (so, se) = text(&out);
    assert!(out.status.success(), "{se}");
    assert!(so.contains("synth-ice40/synth.ys"), "{so}");
    assert!(so.contains("run   yosys synth_ice40 of"), "{so}");
    assert!(!p.join("synth-ice40").exists(), "--plan runs nothing");

    let json = p.join("report.json");
    let out = ttfs(&["--top", "top", "--json", json.to_str().unwrap()], p);
    let (so, se) = text(&out);
    assert!(out.status.success(), "{so}\n{se}");
    assert!(so.starts_with("ttfs synth: generic (synth) of "), "{so}");
    assert!(so.contains("\nmemories inferred  1\n"), "{so}");
    // r (4 bits) and the 8 x 4 memory as flip-flops.
    assert!(so.contains("\nflip-flops         36\n"), "{so}");
    assert!(so.contains("\nlatches            0\n"), "{so}");
    assert!(
        se.contains("yosys: 2. Executing SYNTH pass"),
        "progress on stderr: {se}"
    );
    let report = std::fs::read_to_string(&json).unwrap();
    assert!(report.contains("\"target\": \"generic\""), "{report}");
    assert!(report.contains("\"memories\": 1"), "{report}");
    assert!(p.join("synth-generic/yosys.log").is_file());
}

#[test]
fn synth_fails_on_latches_and_unknown_families() {
    let d = design(
        "module top(input wire en, input wire [1:0] a, output reg [1:0] q);\n\
         always @* if (en) q = a;\nendmodule\n",
    );
    let out = ttfs(&["--top", "top"], d.path());
    let (so, se) = text(&out);
    assert!(!out.status.success());
    assert!(so.contains("\nlatches            2\n"), "{so}");
    assert!(se.contains("error: 2 latch cells in"), "{se}");
    let out = ttfs(&["--family", "ecp3"], d.path());
    let (_, se) = text(&out);
    assert!(!out.status.success());
    assert!(se.contains("unknown synthesis target \"ecp3\""), "{se}");
}
