//! `ttfs cosim` end to end on sim's behavioural reference model (testkit/fixtures/ref_6_4_3), so
//! the command is tested independently of the generator: a clean run exits 0 and reports zero
//! mismatches; a design whose weights differ from the model exits non-zero naming sample, layer and
//! neuron.

use golden::idx::{write_split, Dataset, Split};
use std::path::{Path, PathBuf};
use std::process::Command;
use testkit::cli::{stderr, stdout};
use testkit::reference::{random_net, reference_design};
use testkit::{ttfs, Rng};

/// A 2x3-pixel data set whose pixels encode to random steps (and some black pixels).
fn dataset(dir: &Path, n: usize) {
    let mut rng = Rng::new(5);
    let mut images = Vec::new();
    for _ in 0..n {
        for _ in 0..6 {
            let black = rng.range(0, 3) == 0;
            images.push(if black { 0 } else { rng.range(1, 255) as u8 });
        }
    }
    let labels = (0..n).map(|i| (i % 3) as u8).collect();
    let data = Dataset::new(images, labels, 2, 3).unwrap();
    write_split(dir, Split::Test, &data, true).unwrap();
}

/// The files of one `ttfs cosim` run under a temporary folder: the reference design with the
/// weights of `random_net(design_seed)`, the model `random_net(model_seed)`, `n` samples.
struct Setup {
    tmp: tempfile::TempDir,
    design: PathBuf,
    model: PathBuf,
    data: PathBuf,
}

impl Setup {
    fn new(design_seed: u64, model_seed: u64, n: usize) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let design = tmp.path().join("design");
        reference_design(&random_net(design_seed), &design);
        let model = tmp.path().join("q.safetensors");
        golden::io::save_quant(&model, &random_net(model_seed)).unwrap();
        let data = tmp.path().join("data");
        dataset(&data, n);
        Setup {
            tmp,
            design,
            model,
            data,
        }
    }

    /// `ttfs cosim --design D --model M --data X`, to be completed by the caller.
    fn command(&self) -> Command {
        let mut c = ttfs!().command();
        c.arg("cosim")
            .arg("--design")
            .arg(&self.design)
            .arg("--model")
            .arg(&self.model)
            .arg("--data")
            .arg(&self.data);
        c
    }

    /// Runs `ttfs cosim ... EXTRA`: success and stdout + stderr.
    fn cosim(&self, extra: &[&str]) -> (bool, String) {
        let out = self.command().args(extra).output().unwrap();
        (out.status.success(), stdout(&out) + &stderr(&out))
    }
}

#[test]
fn cosim_command_passes_on_a_matching_design_and_names_differences_otherwise() {
    let run = Setup::new(11, 11, 30);
    let vcd = run.tmp.path().join("wave/run.vcd");
    let (ok, text) = run.cosim(&["--samples", "25", "--vcd", vcd.to_str().unwrap()]);
    assert!(ok, "{text}");
    assert!(
        text.contains("compared 25 samples: 0 with differences"),
        "{text}"
    );
    assert!(text.contains("accuracy   hardware"), "{text}");
    assert!(text.contains("lower bound"), "{text}");
    assert!(vcd.is_file(), "the waveform is left on disk");

    let (ok, text) = run.cosim(&["--samples", "25", "--no-trace"]);
    assert!(ok, "{text}");
    assert!(text.contains("event log, no VCD"), "{text}");

    // Flip the sign of every layer-1 weight in the design only: golden and RTL now disagree.
    let hex_file = run.design.join("l1_weights.hex");
    let hex = std::fs::read_to_string(&hex_file).unwrap();
    let flipped: String = hex
        .lines()
        .map(|l| {
            let w = u8::from_str_radix(l, 16).unwrap() as i8;
            format!(
                "{:02x}\n",
                (w as i16).wrapping_neg().clamp(-128, 127) as i8 as u8
            )
        })
        .collect();
    std::fs::write(&hex_file, flipped).unwrap();
    let (ok, text) = run.cosim(&["--samples", "25", "--no-trace"]);
    assert!(!ok, "{text}");
    assert!(
        text.contains("samples differ between golden and the RTL"),
        "{text}"
    );
    assert!(text.contains("sample 0 layer 1 neuron"), "{text}");
    assert!(
        text.contains("first divergence: sample 0 at cycle"),
        "{text}"
    );
}

#[test]
fn cosim_command_rejects_a_model_that_does_not_match_the_design() {
    let run = Setup::new(1, 2, 3); // other thresholds
    let (ok, text) = run.cosim(&["--no-trace"]);
    assert!(!ok);
    assert!(
        text.contains("does not match the design: layer1.threshold_q: model"),
        "{text}"
    );
}

#[test]
fn a_missing_simulator_is_named_with_its_install_command() {
    let run = Setup::new(4, 4, 2);
    for (sim, var, hint) in [
        ("verilator", "VERILATOR", "apt-get install verilator"),
        ("iverilog", "IVERILOG", "apt-get install iverilog"),
    ] {
        let out = run
            .command()
            .args(["--samples", "2", "--simulator", sim])
            .env(var, "/nonexistent/bin/tool")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(text.contains(&format!("{sim} not found")), "{text}");
        assert!(text.contains(hint), "{text}");
    }
}
