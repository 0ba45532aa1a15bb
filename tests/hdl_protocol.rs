//! The generated RTL's protocol check (issue 13, `docs/hw-contract.md`: `err`), in RTL co-simulation
//! with Icarus Verilog through `sim`'s own bench and event-log reader: a random 784-16-10 network
//! (8-bit weights) fed its events in the contract's order matches golden spike for spike; fed one
//! sample's events in pixel order (ascending neuron index, steps out of order) the hardware raises
//! `err` and sim reports [`SimError::InputOrder`] naming that sample, not "N samples differ", from
//! the bench's event log and from the VCD of the ports alike.
//!
//! iverilog / vvp are found on PATH (or through `IVERILOG` / `VVP`).

use golden::integer;
use hdl::contract::input_events;
use sim::{RunConfig, SimError, Simulator};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use testkit::inputs::random_inputs;
use testkit::nets::{quantized_init, FIRING};
use testkit::Rng;

fn tool(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_string())
}

/// Stimulus words (the bench's format) with each sample's events in pixel order where `pixel[s]`.
fn stimulus(inputs: &[Vec<Option<u32>>], pixel: &[bool]) -> (String, usize) {
    let mut s = format!("{:08x}\n", inputs.len());
    let mut words = 1;
    for (input, &p) in inputs.iter().zip(pixel) {
        let ev: Vec<(u32, u32)> = if p {
            input
                .iter()
                .enumerate()
                .filter_map(|(j, k)| k.map(|k| (j as u32, k)))
                .collect()
        } else {
            input_events(input)
        };
        let _ = writeln!(s, "{:08x}", ev.len());
        for (j, k) in &ev {
            let _ = writeln!(s, "{j:08x} {k:08x}");
        }
        words += 1 + 2 * ev.len();
    }
    (s, words)
}

type Observed = sim::Result<Vec<golden::compare::ObservedInference>>;

/// Runs the Icarus bench on a hand-made stimulus and reads its event log and its VCD (the ports) back.
fn run_icarus(design: &sim::Design, stim: &str, words: usize, work: &Path) -> (Observed, Observed) {
    std::fs::create_dir_all(work).unwrap();
    let stim_path = work.join("stimulus.hex");
    let log_path = work.join("events.log");
    let tb_path = work.join("tb.v");
    let exe = work.join("tb.vvp");
    let vcd_path = work.join("ports.vcd");
    std::fs::write(&stim_path, stim).unwrap();
    std::fs::write(
        &tb_path,
        sim::bench::icarus_bench_v(&design.manifest, words),
    )
    .unwrap();
    let ok = Command::new(tool("IVERILOG", "iverilog"))
        .current_dir(&design.dir)
        .args(["-g2012", "-s", "ttfs_tb", "-o"])
        .arg(&exe)
        .arg(&tb_path)
        .arg(design.dir.join("ttfs_top.v"))
        .status()
        .expect("iverilog not found: scripts/install-deps (Debian package iverilog)");
    assert!(ok.success(), "iverilog failed");
    let ok = Command::new(tool("VVP", "vvp"))
        .current_dir(&design.dir)
        .arg("-n")
        .arg(&exe)
        .arg(format!("+stim={}", stim_path.display()))
        .arg(format!("+log={}", log_path.display()))
        .arg(format!("+vcd={}", vcd_path.display()))
        .arg("+trace_depth=1")
        .status()
        .expect("vvp not found");
    assert!(ok.success(), "vvp failed");
    let m = &design.manifest;
    (
        sim::events::read_event_log(&log_path, &m.sizes, m.n_steps, m.n_in_steps),
        sim::vcd_read::read_vcd(&vcd_path, &m.sizes, m.n_steps, m.n_in_steps),
    )
}

#[test]
fn events_out_of_step_order_raise_err_naming_the_sample() {
    let net = quantized_init(&[784, 16, 10], 8, 64, FIRING, 13);
    let mut rng = Rng::new(13);
    let inputs = random_inputs(&mut rng, 784, net.n_in_steps, 2);
    // the test needs a sample whose pixel order is not its step order
    let sorted = |s: &Vec<Option<u32>>| {
        let steps: Vec<u32> = s.iter().flatten().copied().collect();
        steps.windows(2).all(|w| w[0] <= w[1])
    };
    assert!(!sorted(&inputs[1]));
    let dir = tempfile::tempdir().unwrap();
    let design = hdl::generate(&net, &hdl::HdlConfig::default()).unwrap();
    let loaded = testkit::load_generated(&design, &dir.path().join("design"));

    // in order (sim's own stimulus): every spike and decision equal to golden's
    let cfg = RunConfig::new(Simulator::Icarus, &dir.path().join("ordered"));
    let run = sim::run(&loaded, &inputs, &cfg).unwrap_or_else(|e| panic!("{e}"));
    for (s, (input, o)) in inputs.iter().zip(&run.observed).enumerate() {
        let g = integer::forward(&net, input);
        assert_eq!(o.spikes.layers[1..], g.spikes.layers[1..], "sample {s}");
        assert_eq!(o.decision, g.decision, "sample {s}");
    }
    // the same through the hand-made stimulus in order: no error either
    let (stim, words) = stimulus(&inputs, &[false, false]);
    let (log, vcd) = run_icarus(&loaded, &stim, words, &dir.path().join("hand"));
    assert_eq!(log.unwrap(), run.observed);
    assert_eq!(vcd.unwrap(), run.observed);

    // sample 1 in pixel order: the hardware's err at its done, reported naming sample 1
    let (stim, words) = stimulus(&inputs, &[false, true]);
    let (log, vcd) = run_icarus(&loaded, &stim, words, &dir.path().join("pixel"));
    for (what, got) in [("event log", log), ("VCD", vcd)] {
        match got {
            Err(SimError::InputOrder { sample, .. }) => assert_eq!(sample, 1, "{what}"),
            other => panic!("{what}: expected an input-order error for sample 1, got {other:?}"),
        }
    }
}
