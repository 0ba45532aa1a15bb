//! The generator's RTL against golden, bit for bit: random small networks through `hdl::generate` ->
//! Verilator (VCD and no-VCD paths) and Icarus Verilog -> read-back -> `golden::compare`: zero
//! mismatches. Covers negative weights, simultaneous input spikes, silent neurons, neurons firing on
//! the last step and samples without events. The generated Verilog bakes in widths and thresholds,
//! so the random networks of one test are drawn until their Verilog text equals the first one's:
//! one Verilator build per design shape (each build takes tens of seconds).

use golden::compare::{compare, ObservedInference};
use golden::integer::IntInference;
use golden::QuantNetwork;
use hdl::HdlConfig;
use sim::{RunConfig, Simulator};
use std::path::Path;
use testkit::inputs::with_edge_cases;
use testkit::nets::{IntNet, Thresholds};
use testkit::{golden_runs, load_generated, Rng};

/// A design shape: everything that goes into the Verilog text except the weights.
struct Shape {
    net: IntNet,
    hdl: HdlConfig,
}

impl Shape {
    /// `count` random networks whose generated Verilog is identical (only the weight files differ).
    fn same_text_networks(&self, count: usize, seed: u64) -> Vec<(QuantNetwork, hdl::Design)> {
        let mut rng = Rng::new(seed);
        let mut out: Vec<(QuantNetwork, hdl::Design)> = Vec::new();
        for _ in 0..2000 {
            let net = self.net.draw(&mut rng);
            let design = hdl::generate(&net, &self.hdl).unwrap();
            if out.first().is_none_or(|(_, d)| d.verilog == design.verilog) {
                out.push((net, design));
                if out.len() == count {
                    return out;
                }
            }
        }
        panic!("only {} networks with the same Verilog text", out.len());
    }
}

fn two_layer() -> Shape {
    Shape {
        net: IntNet::biased(&[12, 10, 4], 8, Thresholds::Fixed(vec![400, 300])).steps(16, 6),
        hdl: HdlConfig::default(),
    }
}

#[derive(Default, Debug)]
struct Coverage {
    spikes: usize,
    silent: usize,
    last_step: usize,
    no_decision: usize,
    negative_weights: usize,
}

impl Coverage {
    fn add(&mut self, net: &QuantNetwork, golden: &[IntInference]) {
        self.negative_weights += net
            .layers()
            .iter()
            .map(|q| q.weights.iter().filter(|&&w| w < 0).count())
            .sum::<usize>();
        for g in golden {
            for layer in &g.spikes.layers[1..] {
                self.spikes += layer.iter().filter(|s| s.is_some()).count();
                self.silent += layer.iter().filter(|s| s.is_none()).count();
                self.last_step += layer.iter().filter(|s| **s == Some(net.n_steps)).count();
            }
            self.no_decision += g.decision.is_none() as usize;
        }
    }
}

fn check(golden: &[IntInference], observed: &[ObservedInference], what: &str) {
    let report = compare(golden, observed);
    assert!(report.is_clean(), "{what}: {report}");
}

/// Cycles never beat the architecture's lower bound, and equal hdl's exact cycle model of its RTL.
fn check_cycles(
    manifest: &hdl::Manifest,
    golden: &[IntInference],
    observed: &[ObservedInference],
    what: &str,
) {
    for (g, o) in golden.iter().zip(observed) {
        assert!(o.cycles >= manifest.cycle_bound(&g.spikes), "{what}");
        assert_eq!(o.cycles, manifest.expected_cycles(&g.spikes), "{what}");
    }
}

/// Network `k` in Verilator (VCD if `trace`) on samples `x` under `tmp`: the loaded design, golden's
/// inferences and the run, checked spike for spike and cycle for cycle.
fn run_checked(
    tmp: &Path,
    k: usize,
    net: &QuantNetwork,
    design: &hdl::Design,
    x: &[Vec<Option<u32>>],
    trace: bool,
) -> (sim::Design, Vec<IntInference>, sim::SimRun) {
    let d = load_generated(design, &tmp.join(format!("d{k}")));
    let golden = golden_runs(net, x);
    let mut cfg = RunConfig::new(Simulator::Verilator, &tmp.join(format!("r{k}")));
    cfg.trace = trace;
    let run = sim::run(&d, x, &cfg).unwrap();
    let what = format!("network {k}");
    check(&golden, &run.observed, &what);
    check_cycles(&design.manifest, &golden, &run.observed, &what);
    (d, golden, run)
}

#[test]
fn random_two_layer_networks_match_golden_in_verilator() {
    let tmp = tempfile::tempdir().unwrap();
    let shape = two_layer();
    let (sizes, n_steps, n_in) = (&shape.net.sizes, shape.net.n_steps, shape.net.n_in_steps);
    let nets = shape.same_text_networks(16, 1);
    let mut rng = Rng::new(99);
    let mut cov = Coverage::default();
    for (k, (net, design)) in nets.iter().enumerate() {
        let x = with_edge_cases(&mut rng, sizes[0], n_in, 14);
        // Both read-back paths: VCD on even networks, event log only on odd ones.
        let (_, golden, run) = run_checked(tmp.path(), k, net, design, &x, k % 2 == 0);
        cov.add(net, &golden);
        if k == 0 {
            // The VCD and the event log of the same run agree.
            let log = sim::events::read_event_log(&run.event_log, sizes, n_steps, n_in).unwrap();
            assert_eq!(log, run.observed);
        }
    }
    assert!(
        cov.spikes > 0 && cov.silent > 0 && cov.negative_weights > 0 && cov.no_decision > 0,
        "{cov:?}"
    );
    assert!(
        cov.last_step > 0,
        "no neuron fired on the last step: {cov:?}"
    );
}

#[test]
fn random_three_layer_networks_with_time_multiplexed_lanes_match_golden() {
    let tmp = tempfile::tempdir().unwrap();
    let shape = Shape {
        net: IntNet::biased(&[9, 20, 7, 3], 6, Thresholds::Fixed(vec![60, 50, 40])).steps(12, 4),
        hdl: HdlConfig { lanes: vec![4] }, // 5, 2 and 1 groups
    };
    let (sizes, n_in) = (&shape.net.sizes, shape.net.n_in_steps);
    let nets = shape.same_text_networks(10, 2);
    let mut rng = Rng::new(7);
    let mut cov = Coverage::default();
    for (k, (net, design)) in nets.iter().enumerate() {
        let x = with_edge_cases(&mut rng, sizes[0], n_in, 12);
        let (d, golden, run) = run_checked(tmp.path(), k, net, design, &x, k == 0);
        cov.add(net, &golden);
        if k == 0 {
            // Icarus Verilog on the same RTL and samples: same observations, cycle for cycle.
            let icarus = sim::run(
                &d,
                &x[..4],
                &RunConfig::new(Simulator::Icarus, &tmp.path().join("icarus")),
            )
            .unwrap();
            check(&golden[..4], &icarus.observed, "icarus");
            assert_eq!(icarus.observed, run.observed[..4]);
        }
    }
    assert!(cov.spikes > 0 && cov.silent > 0, "{cov:?}");
}

#[test]
fn a_corrupted_spike_is_reported_with_its_sample_layer_and_neuron() {
    let tmp = tempfile::tempdir().unwrap();
    let shape = two_layer();
    let (sizes, n_in) = (&shape.net.sizes, shape.net.n_in_steps);
    let nets = shape.same_text_networks(1, 1);
    let (net, design) = &nets[0];
    let d = load_generated(design, &tmp.path().join("d"));
    let x = with_edge_cases(&mut Rng::new(3), sizes[0], n_in, 5);
    let golden = golden_runs(net, &x);
    let mut cfg = RunConfig::new(Simulator::Verilator, &tmp.path().join("r"));
    cfg.trace = false;
    let mut observed = sim::run(&d, &x, &cfg).unwrap().observed;
    check(&golden, &observed, "before corruption");
    // Move one hidden spike of sample 2 one step later (or make a silent neuron fire at step 1).
    let (sample, layer) = (2, 1);
    let neuron = 3;
    let was = observed[sample].spikes.layers[layer][neuron];
    let now = Some(was.map_or(1, |k| k + 1));
    observed[sample].spikes.layers[layer][neuron] = now;
    let report = compare(&golden, &observed);
    assert_eq!(report.spike_mismatches.len(), 1, "{report}");
    let m = &report.spike_mismatches[0];
    assert_eq!((m.sample, m.layer, m.neuron), (sample, layer, neuron));
    assert_eq!((m.expected_step, m.actual_step), (was, now));
    assert!(report
        .to_string()
        .contains(&format!("sample {sample} layer {layer} neuron {neuron}")));
}
