//! The VCD reader on small committed waveforms (tests/fixtures/vcd/), one from each simulator, of the
//! reference model running a network whose spikes can be checked on paper. Regenerate the waveforms
//! with `SIM_BLESS=1 cargo test -p sim --test vcd_fixture` (needs verilator and iverilog).

use golden::{QuantLayer, QuantNetwork, TimeParams};
use ndarray::Array2;
use sim::vcd_read::read_vcd;
use sim::{RunConfig, Simulator};
use std::path::{Path, PathBuf};
use testkit::reference::{reference_design, N_IN_STEPS, N_STEPS, SIZES};

/// Hidden 0 <- input 0 (weight 100, threshold 250); output 1 <- hidden 0 (weight 127, threshold 300);
/// every other weight 0.
fn paper_net() -> QuantNetwork {
    let mut w1 = Array2::zeros((4, 6));
    w1[[0, 0]] = 100;
    let mut w2 = Array2::zeros((3, 4));
    w2[[1, 0]] = 127;
    let layer = |w, t| QuantLayer {
        weights: w,
        threshold_q: t,
        scale: 1.0,
        weight_bits: 8,
    };
    QuantNetwork::new(
        N_STEPS,
        N_IN_STEPS,
        TimeParams::default(),
        vec![layer(w1, 250), layer(w2, 300)],
    )
    .unwrap()
}

/// Sample 0: input 0 at step 1, input 3 at step 0. Sample 1: no events.
fn paper_inputs() -> Vec<Vec<Option<u32>>> {
    vec![
        vec![Some(1), None, None, Some(0), None, None],
        vec![None; 6],
    ]
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture(name: &str) -> PathBuf {
    fixture_dir().join("vcd").join(name)
}

fn bless_if_asked() {
    if std::env::var_os("SIM_BLESS").is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let design = reference_design(&paper_net(), &tmp.path().join("design"));
    std::fs::create_dir_all(fixture_dir().join("vcd")).unwrap();
    for (sim, name) in [
        (Simulator::Verilator, "verilator_paper.vcd"),
        (Simulator::Icarus, "icarus_paper.vcd"),
    ] {
        let mut cfg = RunConfig::new(sim, &tmp.path().join(name));
        cfg.vcd = Some(fixture(name));
        sim::run(&design, &paper_inputs(), &cfg).unwrap();
    }
}

#[test]
fn committed_waveforms_read_back_as_computed_on_paper() {
    bless_if_asked();
    for name in ["verilator_paper.vcd", "icarus_paper.vcd"] {
        let v = read_vcd(&fixture(name), &SIZES, N_STEPS, N_IN_STEPS).unwrap();
        assert_eq!(v.len(), 2, "{name}");
        // Hidden 0: input 0 at step 1 counts from step 2: V = 100, 200, 300 at steps 2, 3, 4 -> fires at 4.
        // Output 1: hidden 0 at step 4 counts from 5: V = 127, 254, 381 at steps 5, 6, 7 -> fires at 7.
        assert_eq!(
            v[0].spikes.layers,
            vec![
                vec![Some(1), None, None, Some(0), None, None],
                vec![Some(4), None, None, None],
                vec![None, Some(7), None],
            ],
            "{name}"
        );
        assert_eq!(v[0].decision, Some(1), "{name}");
        // Reset for cycles 0..3; the two events are sent in step order (input 3 first) at cycles 4
        // and 5 (in_ready is high: the model stalls only when its 2-bit tick is 3), start at 6,
        // done 21 cycles later (see tests/reference.rs).
        assert_eq!(v[0].spike_cycles[0][3], Some(4), "{name}");
        assert_eq!(v[0].spike_cycles[0][0], Some(5), "{name}");
        assert_eq!(v[0].start_cycle, 6, "{name}");
        assert_eq!(v[0].cycles, 21, "{name}");
        // Report phase: neuron k of the scan (hidden 0..3, then outputs 0..2) is shown at start + 14 + k.
        assert_eq!(v[0].spike_cycles[1][0], Some(6 + 14), "{name}");
        assert_eq!(v[0].spike_cycles[2][1], Some(6 + 14 + 5), "{name}");
        // Sample 1: nothing fires; start one cycle after done.
        assert!(
            v[1].spikes.layers.iter().flatten().all(|s| s.is_none()),
            "{name}"
        );
        assert_eq!(v[1].decision, None, "{name}");
        assert_eq!(v[1].start_cycle, 6 + 21 + 2, "{name}");
    }
}

/// A hand-written VCD in Verilator's layout (`TOP` scope with the ports, identifier codes chosen
/// freely); only the lines of `body` vary.
fn handmade(body: &str) -> String {
    let mut s = String::from("$timescale 1ps $end\n$scope module TOP $end\n");
    let ports = [
        ("clock", 1, "!"),
        ("reset", 1, "\""),
        ("in_valid", 1, "#"),
        ("in_ready", 1, "$"),
        ("in_neuron", 3, "%"),
        ("in_step", 4, "&"),
        ("start", 1, "'"),
        ("busy", 1, "("),
        ("done", 1, ")"),
        ("class_valid", 1, "*"),
        ("class_out", 2, "+"),
        ("spk_valid", 1, ","),
        ("spk_layer", 2, "-"),
        ("spk_neuron", 2, "."),
        ("spk_step", 4, "/"),
        ("out_valid", 1, "0x"),
        ("out_neuron", 2, "1x"),
        ("out_step", 4, "2x"),
    ];
    for (n, w, c) in ports {
        s.push_str(&format!("$var wire {w} {c} {n} $end\n"));
    }
    s.push_str("$upscope $end\n$enddefinitions $end\n#0\n");
    // Everything 0, reset 1.
    for (n, w, c) in ports {
        let v = if n == "reset" { "1" } else { "0" };
        if w == 1 {
            s.push_str(&format!("{v}{c}\n"));
        } else {
            s.push_str(&format!("b0 {c}\n"));
        }
    }
    s.push_str("#5\n1!\n#10\n0!\n0\"\n");
    s.push_str(body);
    s
}

fn read_text(text: &str) -> sim::Result<Vec<golden::compare::ObservedInference>> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.vcd");
    std::fs::write(&p, text).unwrap();
    read_vcd(&p, &SIZES, N_STEPS, N_IN_STEPS)
}

#[test]
fn handmade_vcd_segments_samples_by_start_and_done() {
    // posedge 0 at #5 (reset), posedge 1 at #15: start; posedge 2 at #25: spike layer 2 neuron 2
    // step 3 (also on out_*); posedge 3 at #35: done with class 2.
    let body = "1'\n#15\n1!\n#20\n0!\n0'\n1,\nb10 -\nb10 .\nb11 /\n10x\nb10 1x\nb11 2x\n\
                #25\n1!\n#30\n0!\n0,\n00x\n1)\n1*\nb10 +\n#35\n1!\n#40\n0!\n0)\n";
    let v = read_text(&handmade(body)).unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].spikes.layers[2], vec![None, None, Some(3)]);
    assert_eq!(v[0].spike_cycles[2][2], Some(2));
    assert_eq!((v[0].start_cycle, v[0].cycles), (1, 2));
    assert_eq!(v[0].decision, Some(2));
}

#[test]
fn handmade_vcd_errors_name_the_problem() {
    // The same neuron reported twice.
    let body = "1'\n#15\n1!\n#20\n0!\n0'\n1,\nb1 -\nb1 .\nb1 /\n#25\n1!\n#30\n0!\n#35\n1!\n";
    let e = read_text(&handmade(body)).unwrap_err().to_string();
    assert!(e.contains("layer 1 neuron 1 spiked twice"), "{e}");
    // x on a port after reset.
    let body = "x,\n#15\n1!\n";
    let e = read_text(&handmade(body)).unwrap_err().to_string();
    assert!(e.contains("spk_valid is x/z at posedge 1"), "{e}");
    // A port missing: no scope holds them all.
    let e = read_text(&handmade("").replace("spk_step", "spk_stepx"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no scope holds all ttfs_top ports"), "{e}");
    // Started but never done.
    let e = read_text(&handmade("1'\n#15\n1!\n#20\n0!\n"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("ended before done"), "{e}");
}
