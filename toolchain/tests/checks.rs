//! The lint and synthesis wrappers on tiny hand-written modules (needs verilator and yosys).

use toolchain::{lint_verilator, synth_yosys};

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

/// A 4-bit register and an 8 x 4 memory with a registered read.
const WITH_MEMORY: &str = "module top(input wire clock, input wire we, input wire [2:0] ad,\n\
                           input wire [3:0] a, output reg [3:0] q, output reg [3:0] r);\n\
                           reg [3:0] mem [0:7];\n\
                           always @(posedge clock) begin q <= a + 4'd1; if (we) mem[ad] <= a; r <= mem[ad]; end\n\
                           endmodule\n";

fn ok<T>(r: toolchain::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn ecp5_synthesis_counts_memories_luts_and_flip_flops() {
    use toolchain::{synthesize, SynthOptions, SynthTarget};
    let d = design(WITH_MEMORY);
    let work = d.path().join("synth-ecp5");
    let mut opts = SynthOptions::new(SynthTarget::Ecp5, "top", &work);
    opts.netlist = Some(work.join("top.json"));
    let mut lines = 0;
    let mut cb = |_: usize, _: toolchain::Stream, _: &str| lines += 1;
    let r = ok(synthesize(d.path(), &opts, Some(&mut cb)));
    assert!(
        lines > 20,
        "yosys output streamed to the callback: {lines} lines"
    );
    // One inferred memory, mapped to distributed RAM (8 x 4 bits: too small for a DP16KD).
    assert_eq!(r.memories, 1, "{r:?}");
    assert_eq!((r.block_rams, r.distributed_rams), (0, 1), "{r:?}");
    // q (4 bits) and r (4 bits) are flip-flops; the adder is in LUTs.
    assert_eq!(r.flip_flops, 8, "{r:?}");
    assert!(r.luts >= 1, "{r:?}");
    assert_eq!(r.latches, 0);
    assert_eq!(r.cells, r.cell_types.iter().map(|(_, n)| n).sum::<u64>());
    let netlist = std::fs::read_to_string(work.join("top.json")).unwrap();
    assert!(
        netlist.contains("\"TRELLIS_DPR16X4\""),
        "the JSON netlist names the RAM cell"
    );
    assert!(std::fs::read_to_string(&r.log)
        .unwrap()
        .contains("Executing SYNTH_ECP5 pass"));
}

#[test]
fn generic_synthesis_counts_the_memory_before_mapping_it() {
    let d = design(WITH_MEMORY);
    let r = ok(synth_yosys(d.path(), "top"));
    assert_eq!(r.memories, 1, "{r:?}");
    assert!(
        !r.cell_types.iter().any(|(t, _)| t.starts_with("$mem")),
        "mapped: {r:?}"
    );
    // 8 output bits + 32 memory bits as flip-flops.
    assert_eq!(r.flip_flops, 40, "{r:?}");
    assert_eq!((r.luts, r.block_rams), (0, 0));
}
