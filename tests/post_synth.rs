//! The post-synthesis check on a tiny design, for iCE40 and ECP5: Yosys `synth_<family>` +
//! `write_verilog`, the netlist beside Yosys' cell models in Icarus Verilog through the same bench
//! (`sim::run_netlist`), every spike and decision equal to golden's integer model. And the check can
//! fail: the netlist of a network with one weight changed (so golden's answers change on these
//! samples) is simulated and compared with the original network's golden, which must report
//! differences; that netlist must in turn agree with its own golden (the weights really are in the
//! netlist, as cell parameters, and the cache key follows them).
//!
//! Needs yosys and iverilog (found through `YOSYS` / `IVERILOG` / `VVP`, else PATH); missing, the
//! test fails with the install command.

use golden::compare::compare;
use golden::integer::IntInference;
use golden::{QuantLayer, QuantNetwork};
use hdl::HdlConfig;
use sim::{RunConfig, Simulator};
use std::path::Path;
use testkit::inputs::with_edge_cases;
use testkit::nets::{IntNet, Thresholds};
use testkit::{golden_runs, load_generated, Rng};
use toolchain::SynthTarget;

/// The tiny network: 12-10-4, 8-bit weights, 16 steps.
fn tiny() -> QuantNetwork {
    IntNet::biased(&[12, 10, 4], 8, Thresholds::Fixed(vec![400, 300]))
        .steps(16, 6)
        .seeded(11)
}

/// `net` with the first layer-1 weight whose change to the largest code changes golden's answers
/// on `inputs`.
fn with_one_weight_changed(net: &QuantNetwork, inputs: &[Vec<Option<u32>>]) -> QuantNetwork {
    let expected = golden_runs(net, inputs);
    let l1 = &net.layers()[0];
    let max = (1i32 << (l1.weight_bits - 1)) - 1;
    for ((i, j), &w) in l1.weights.indexed_iter() {
        let mut layers: Vec<QuantLayer> = net.layers().to_vec();
        layers[0].weights[[i, j]] = if w == max { -max } else { max };
        let changed = QuantNetwork::new(net.n_steps, net.n_in_steps, net.time, layers).unwrap();
        let answers = golden_runs(&changed, inputs);
        let differs = |(a, b): (&IntInference, &IntInference)| {
            a.spikes != b.spikes || a.decision != b.decision
        };
        if expected.iter().zip(&answers).any(differs) {
            return changed;
        }
    }
    panic!("no single weight change alters golden's answers on these samples");
}

/// Simulates the netlist of `net`'s design for `target` in Icarus: (observed, netlist file).
fn netlist_run(
    net: &QuantNetwork,
    target: SynthTarget,
    inputs: &[Vec<Option<u32>>],
    dir: &Path,
) -> (Vec<golden::compare::ObservedInference>, std::path::PathBuf) {
    let design = hdl::generate(net, &HdlConfig::default()).unwrap();
    let loaded = load_generated(&design, &dir.join("design"));
    let mut cfg = RunConfig::new(Simulator::Icarus, &dir.join("run"));
    cfg.trace = false;
    let r = sim::run_netlist(&loaded, target, inputs, &cfg, None)
        .unwrap_or_else(|e| panic!("{}: {e}", target.name()));
    let text = std::fs::read_to_string(&r.netlist.netlist).unwrap();
    assert!(
        text.contains("module ttfs_top("),
        "{}",
        r.netlist.netlist.display()
    );
    assert!(
        !text.contains("$readmemh"),
        "the netlist reads no memory file"
    );
    assert_eq!(r.netlist.report.latches, 0);
    (r.run.observed, r.netlist.netlist)
}

#[test]
fn netlists_match_golden_and_a_changed_weight_is_caught() {
    let net = tiny();
    let inputs = with_edge_cases(&mut Rng::new(5), 12, net.n_in_steps, 12);
    let expected = golden_runs(&net, &inputs);
    let spikes: usize = expected
        .iter()
        .flat_map(|g| &g.spikes.layers[1..])
        .map(|l| l.iter().filter(|s| s.is_some()).count())
        .sum();
    assert!(spikes > 20, "the samples make the network spike ({spikes})");
    assert!(expected.iter().any(|g| g.decision.is_some()));
    let changed = with_one_weight_changed(&net, &inputs);
    let changed_expected = golden_runs(&changed, &inputs);
    for target in [SynthTarget::Ice40, SynthTarget::Ecp5] {
        let tmp = tempfile::tempdir().unwrap();
        let (observed, file) = netlist_run(&net, target, &inputs, &tmp.path().join("a"));
        let report = compare(&expected, &observed);
        assert!(report.is_clean(), "{}: {report}", target.name());

        let (observed_b, file_b) = netlist_run(&changed, target, &inputs, &tmp.path().join("b"));
        assert_ne!(file, file_b, "another weight is another netlist");
        let caught = compare(&expected, &observed_b);
        assert!(
            !caught.is_clean(),
            "{}: the changed network's netlist passed as the original",
            target.name()
        );
        let own = compare(&changed_expected, &observed_b);
        assert!(own.is_clean(), "{} (changed): {own}", target.name());
    }
}
