//! The lint and synthesis wrappers on tiny hand-written modules (needs verilator and yosys).

use sim::tools::{lint_verilator, synth_yosys};

fn design(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("top.v"), text).unwrap();
    dir
}

const CLEAN: &str = "module top(input wire clock, input wire [3:0] a, output reg [3:0] q);\n\
                     always @(posedge clock) q <= a + 4'd1;\nendmodule\n";

#[test]
fn lint_reports_width_warning_and_clean_module_has_none() {
    let d = design(CLEAN);
    let r = lint_verilator(d.path(), "top").unwrap();
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // 4-bit register assigned from an 8-bit input: WIDTH (truncation) warning on line 2.
    let d = design(
        "module top(input wire clock, input wire [7:0] a, output reg [3:0] q);\n\
                    always @(posedge clock) q <= a;\nendmodule\n",
    );
    let r = lint_verilator(d.path(), "top").unwrap();
    assert!(
        r.warnings
            .iter()
            .any(|w| w.code.starts_with("WIDTH") && w.line == 2),
        "{:?}",
        r.warnings
    );
}

#[test]
fn lint_error_quotes_the_log() {
    let d = design("module top(input wire clock);\n  this is not verilog\nendmodule\n");
    let err = lint_verilator(d.path(), "top").unwrap_err().to_string();
    assert!(err.contains("verilator lint"), "{err}");
    assert!(err.contains("| %Error"), "{err}");
}

#[test]
fn synth_counts_flip_flops_and_latches() {
    let d = design(CLEAN);
    let r = synth_yosys(d.path(), "top").unwrap();
    assert_eq!(r.latches, 0);
    // 4 flip-flops for q.
    let dffs: u64 = r
        .cell_types
        .iter()
        .filter(|(t, _)| t.contains("DFF"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(dffs, 4, "{:?}", r.cell_types);
    assert!(r.cells >= 4);
    // A level-sensitive assignment with no else: one latch per bit.
    let d = design(
        "module top(input wire en, input wire [1:0] a, output reg [1:0] q);\n\
                    always @* if (en) q = a;\nendmodule\n",
    );
    let r = synth_yosys(d.path(), "top").unwrap();
    assert_eq!(r.latches, 2, "{:?}", r.cell_types);
}
