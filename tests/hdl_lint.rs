//! The generated Verilog passes `verilator --lint-only -Wall` and yosys `synth -top ttfs_top` without
//! latches, for several small random networks (negative weights, lanes < n and lanes = n, different
//! weight widths and step counts); the weight memories are inferred as memories; one tiny network's
//! Verilog is pinned by a snapshot (re-bless with `UPDATE_SNAPSHOTS=1`); `ttfs hdl` writes the files.
//!
//! Tools: `VERILATOR` / `YOSYS` environment overrides, else PATH. A missing tool fails the test with
//! the install command (never skipped).
//!
//! Lint waivers: only DECLFILENAME (every module lives in `ttfs_top.v`, as the contract requires), set
//! by a `lint_off` comment at the top of the generated text. WIDTH and signedness classes are not waived
//! (the rust-hdl blocks included: their ports and compares are checked like the text's). The one
//! viewer-only wire, `g_lane[k].neuron`, is marked `/* verilator public_flat_rd */` (read from outside),
//! which keeps it out of the UNUSED check.

use golden::quantize::{quantize, QuantConfig};
use golden::{FloatNetwork, TimeParams};
use std::path::{Path, PathBuf};
use std::process::Command;
use testkit::cli::{path_str as s, stdout, text};
use testkit::fixtures::tiny_net;
use testkit::nets::{quantized_init, BALANCED};
use testkit::snapshot;

/// The tool found by `toolchain` (environment override, then PATH, version checked); missing, the
/// test fails with its install command.
fn tool(tool: &toolchain::ToolSpec) -> PathBuf {
    toolchain::find(tool).unwrap_or_else(|e| panic!("{e}")).path
}

fn write_design(design: &hdl::Design, dir: &Path) {
    hdl::write_design(design, dir).unwrap();
}

/// Runs the tool found by `toolchain` with `args` in `dir`: success and stdout + stderr.
fn run_tool(spec: &toolchain::ToolSpec, args: &[&str], dir: &Path) -> (bool, String) {
    let program = tool(spec);
    let out = Command::new(&program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", program.display()));
    (
        out.status.success(),
        stdout(&out) + &testkit::cli::stderr(&out),
    )
}

fn lint(dir: &Path) {
    let args = [
        "--lint-only",
        "-Wall",
        "--top-module",
        "ttfs_top",
        hdl::VERILOG_FILE,
    ];
    let (ok, text) = run_tool(&toolchain::VERILATOR, &args, dir);
    assert!(
        ok && !text.contains("%Warning") && !text.contains("%Error"),
        "verilator lint in {}:\n{text}",
        dir.display()
    );
}

/// Runs yosys `script` in `dir`; returns its log.
fn yosys(dir: &Path, script: &str) -> String {
    let (ok, text) = run_tool(&toolchain::YOSYS, &["-p", script], dir);
    assert!(ok, "yosys `{script}` in {} failed:\n{text}", dir.display());
    text
}

fn synth_no_latches(dir: &Path, n_layers: usize) {
    // Memories first (before memory_map turns them into flip-flops): 3 per layer (events, weights, state).
    yosys(
        dir,
        &format!(
            "read_verilog {}; hierarchy -top ttfs_top; proc; opt; memory -nomap; flatten; \
             select -assert-count {} t:$mem_v2",
            hdl::VERILOG_FILE,
            3 * n_layers
        ),
    );
    let log = yosys(
        dir,
        &format!(
            "read_verilog {}; synth -top ttfs_top; select -assert-none t:$dlatch t:$_DLATCH*; stat",
            hdl::VERILOG_FILE
        ),
    );
    assert!(log.contains("Number of cells"), "no stat in yosys log");
}

struct Case {
    sizes: &'static [usize],
    lanes: &'static [usize],
    bits: u32,
    steps: u32,
    synth: bool,
}

const CASES: &[Case] = &[
    // lanes < n in both layers, two groups and more
    Case {
        sizes: &[12, 7, 3],
        lanes: &[4],
        bits: 6,
        steps: 16,
        synth: true,
    },
    // lanes = n (one group), 2-bit weights, a single layer
    Case {
        sizes: &[10, 3],
        lanes: &[3],
        bits: 2,
        steps: 8,
        synth: true,
    },
    // more than 16 lanes (chunked serializer), per-layer lanes, 12-bit weights
    Case {
        sizes: &[20, 40, 5],
        lanes: &[20, 5],
        bits: 12,
        steps: 24,
        synth: true,
    },
    // three layers, lanes of 1, 4-bit weights
    Case {
        sizes: &[16, 9, 6, 4],
        lanes: &[5, 1, 4],
        bits: 4,
        steps: 40,
        synth: false,
    },
    // one step: potential as wide as the slope (no sign extension), 1-bit step ports
    Case {
        sizes: &[6, 4],
        lanes: &[2],
        bits: 3,
        steps: 1,
        synth: false,
    },
    // a single output neuron: 1-bit neuron and class ports
    Case {
        sizes: &[3, 1],
        lanes: &[1],
        bits: 2,
        steps: 2,
        synth: false,
    },
];

#[test]
fn generated_verilog_lints_and_synthesizes_without_latches() {
    let mut with_negative_weights = 0;
    for (i, c) in CASES.iter().enumerate() {
        let net = quantized_init(c.sizes, c.bits, c.steps, BALANCED, 100 + i as u64);
        if net
            .layers()
            .iter()
            .any(|l| l.weights.iter().any(|&w| w < 0))
        {
            with_negative_weights += 1;
        }
        let design = hdl::generate(
            &net,
            &hdl::HdlConfig {
                lanes: c.lanes.to_vec(),
            },
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        write_design(&design, dir.path());
        lint(dir.path());
        if c.synth {
            synth_no_latches(dir.path(), c.sizes.len() - 1);
        }
    }
    assert!(
        with_negative_weights >= CASES.len() - 1,
        "test networks need negative weights"
    );
}

fn snapshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

#[test]
fn tiny_network_snapshot() {
    let design = hdl::generate(&tiny_net(), &hdl::HdlConfig { lanes: vec![1, 2] }).unwrap();
    // `.snap`, not `.v`: a snapshot is expected output (data), not a source file of the project.
    snapshot(&snapshots(), "hdl_tiny_ttfs_top.v.snap", &design.verilog);
    // Layer 1, lane 0 = neuron 0 (group 0), lane 0 = neuron 1 in group 1: words g * 3 + j.
    // 4-bit two's complement: 3 -> 3, -2 -> e, 1 -> 1, -1 -> f, 4 -> 4, 2 -> 2.
    assert_eq!(
        design.memories[0],
        ("l1_weights.hex".into(), "3\ne\n1\nf\n4\n2\n".into())
    );
    // Layer 2, two lanes in one word, lane 0 low: j = 0 -> {2, 5} = 0x25, j = 1 -> {2, -3} = 0x2d.
    assert_eq!(
        design.memories[1],
        ("l2_weights.hex".into(), "25\n2d\n".into())
    );
    snapshot(
        &snapshots(),
        "hdl_tiny_manifest.json",
        &design.manifest.to_json(),
    );
}

#[test]
fn ttfs_hdl_writes_design_files() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("q.safetensors");
    golden::io::save_quant(&model, &tiny_net()).unwrap();
    let out_dir = dir.path().join("hw");
    let ttfs = testkit::ttfs!();
    let out = ttfs.run(&[
        "hdl",
        "--model",
        s(&model),
        "--out",
        s(&out_dir),
        "--lanes",
        "1",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = stdout(&out);
    assert!(stdout.contains("l1_weights.hex"), "{stdout}");
    let m = hdl::Manifest::load(&out_dir.join(hdl::MANIFEST_FILE)).unwrap();
    assert_eq!(m.sizes, vec![3, 2, 2]);
    assert_eq!(
        m.layers.iter().map(|l| l.groups).collect::<Vec<_>>(),
        vec![2, 2]
    );
    let v = std::fs::read_to_string(out_dir.join(hdl::VERILOG_FILE)).unwrap();
    assert!(v.contains("module ttfs_top"));
    for l in &m.layers {
        let hex = std::fs::read_to_string(out_dir.join(&l.memory_file)).unwrap();
        assert_eq!(hex.lines().count(), l.memory_depth);
    }
    // No temporary files left behind.
    let names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
    // Quantization flags with an integer model are refused with a message, not ignored.
    let hw1 = dir.path().join("hw1");
    let e = ttfs.fails(&["hdl", "--model", s(&model), "--out", s(&hw1), "--bits", "6"]);
    assert!(e.contains("already an integer model"), "{e}");
    assert!(!dir.path().join("hw1").exists());
    // A float model without flags is quantized with the defaults of `ttfs quantize`.
    let fmodel = dir.path().join("f.safetensors");
    let f = FloatNetwork::random_init(&[4, 3], TimeParams::default(), &[3.0], 1.0, 1).unwrap();
    golden::io::save_float(&fmodel, &f).unwrap();
    let hw2 = dir.path().join("hw2");
    let out = ttfs.run(&["hdl", "--model", s(&fmodel), "--out", s(&hw2)]);
    assert!(out.status.success(), "{}", text(&out));
    let m = hdl::Manifest::load(&dir.path().join("hw2").join(hdl::MANIFEST_FILE)).unwrap();
    let q = quantize(&f, &QuantConfig::default()).unwrap();
    assert_eq!(
        m,
        hdl::generate(&q, &hdl::HdlConfig::default())
            .unwrap()
            .manifest
    );
    // With --bits/--steps it is quantized on the fly, as `ttfs quantize` would.
    let out_dir = dir.path().join("hw3");
    let args = ["--bits", "6", "--steps", "32"];
    let out = ttfs.run(
        &[
            &["hdl", "--model", s(&fmodel), "--out", s(&out_dir)][..],
            &args,
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", text(&out));
    let m = hdl::Manifest::load(&out_dir.join(hdl::MANIFEST_FILE)).unwrap();
    let q = quantize(
        &f,
        &QuantConfig {
            weight_bits: 6,
            n_steps: 32,
            clip_percentile: None,
        },
    )
    .unwrap();
    assert_eq!(
        m,
        hdl::generate(&q, &hdl::HdlConfig::default())
            .unwrap()
            .manifest
    );
}
