//! `ttfs cosim` end to end on sim's behavioural reference model (sim/tests/fixtures/ref_6_4_3), so
//! the command is tested independently of the generator: a clean run exits 0 and reports zero
//! mismatches; a design whose weights differ from the model exits non-zero naming sample, layer and
//! neuron.

#[path = "../sim/tests/common/mod.rs"]
mod common;

use common::*;
use golden::idx::{write_split, Dataset, Split};
use std::path::Path;
use std::process::Command;

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

fn cosim(design: &Path, model: &Path, data: &Path, extra: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ttfs"))
        .arg("cosim")
        .arg("--design")
        .arg(design)
        .arg("--model")
        .arg(model)
        .arg("--data")
        .arg(data)
        .args(extra)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn cosim_command_passes_on_a_matching_design_and_names_differences_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    let net = random_net(11);
    let design = tmp.path().join("design");
    reference_design(&net, &design);
    let model = tmp.path().join("q.safetensors");
    golden::io::save_quant(&model, &net).unwrap();
    let data = tmp.path().join("data");
    dataset(&data, 30);

    let vcd = tmp.path().join("wave/run.vcd");
    let (ok, text) = cosim(
        &design,
        &model,
        &data,
        &["--samples", "25", "--vcd", vcd.to_str().unwrap()],
    );
    assert!(ok, "{text}");
    assert!(
        text.contains("compared 25 samples: 0 with differences"),
        "{text}"
    );
    assert!(text.contains("accuracy   hardware"), "{text}");
    assert!(text.contains("lower bound"), "{text}");
    assert!(vcd.is_file(), "the waveform is left on disk");

    let (ok, text) = cosim(&design, &model, &data, &["--samples", "25", "--no-trace"]);
    assert!(ok, "{text}");
    assert!(text.contains("event log, no VCD"), "{text}");

    // Flip the sign of every layer-1 weight in the design only: golden and RTL now disagree.
    let hex = std::fs::read_to_string(design.join("l1_weights.hex")).unwrap();
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
    std::fs::write(design.join("l1_weights.hex"), flipped).unwrap();
    let (ok, text) = cosim(&design, &model, &data, &["--samples", "25", "--no-trace"]);
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
    let tmp = tempfile::tempdir().unwrap();
    let design = tmp.path().join("design");
    reference_design(&random_net(1), &design);
    let model = tmp.path().join("q.safetensors");
    golden::io::save_quant(&model, &random_net(2)).unwrap(); // other thresholds
    let data = tmp.path().join("data");
    dataset(&data, 3);
    let (ok, text) = cosim(&design, &model, &data, &["--no-trace"]);
    assert!(!ok);
    assert!(
        text.contains("does not match the design: layer1.threshold_q: model"),
        "{text}"
    );
}

#[test]
fn a_missing_simulator_is_named_with_its_install_command() {
    let tmp = tempfile::tempdir().unwrap();
    let net = random_net(4);
    let design = tmp.path().join("design");
    reference_design(&net, &design);
    let model = tmp.path().join("q.safetensors");
    golden::io::save_quant(&model, &net).unwrap();
    let data = tmp.path().join("data");
    dataset(&data, 2);
    for (sim, var, hint) in [
        ("verilator", "VERILATOR", "apt-get install verilator"),
        ("iverilog", "IVERILOG", "apt-get install iverilog"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_ttfs"))
            .args(["cosim", "--no-trace", "--simulator", sim, "--design"])
            .arg(&design)
            .arg("--model")
            .arg(&model)
            .arg("--data")
            .arg(&data)
            .env(var, "/nonexistent/bin/tool")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(text.contains(&format!("{sim} not found")), "{text}");
        assert!(text.contains(hint), "{text}");
    }
}
