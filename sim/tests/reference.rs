//! sim end to end on the behavioural reference model (testkit/fixtures/ref_6_4_3): Verilator with and
//! without VCD, Icarus Verilog, event log and VCD read-back, all against golden's integer model.
//! One Verilator build serves every test here (the weights are loaded at run time).

use golden::compare::compare;
use sim::{RunConfig, SimError, Simulator};
use testkit::reference::{random_inputs, random_net, reference_design, N_IN_STEPS, N_STEPS, SIZES};

#[test]
fn verilator_vcd_and_log_agree_with_golden_on_random_networks() {
    let tmp = tempfile::tempdir().unwrap();
    let mut spikes_seen = [0usize; 3];
    let mut silent_seen = 0usize;
    for seed in 0..4u64 {
        let net = random_net(seed);
        let design = reference_design(&net, &tmp.path().join(format!("design{seed}")));
        let inputs = random_inputs(100 + seed, 12);
        let golden = testkit::golden_runs(&net, &inputs);

        let work = tmp.path().join(format!("run{seed}"));
        let traced = sim::run(
            &design,
            &inputs,
            &RunConfig::new(Simulator::Verilator, &work),
        )
        .unwrap();
        let report = compare(&golden, &traced.observed);
        assert!(report.is_clean(), "seed {seed}: {report}");
        // The event log written by the bench says the same as the VCD.
        let from_log =
            sim::events::read_event_log(&traced.event_log, &SIZES, N_STEPS, N_IN_STEPS).unwrap();
        assert_eq!(
            from_log, traced.observed,
            "seed {seed}: event log and VCD differ"
        );

        let mut cfg = RunConfig::new(
            Simulator::Verilator,
            &tmp.path().join(format!("fast{seed}")),
        );
        cfg.trace = false;
        let fast = sim::run(&design, &inputs, &cfg).unwrap();
        assert!(fast.vcd.is_none());
        assert_eq!(
            fast.observed, traced.observed,
            "seed {seed}: no-VCD run differs"
        );
        assert!(
            fast.build_cached,
            "second run must reuse the Verilator build"
        );

        for (g, o) in golden.iter().zip(&traced.observed) {
            for (l, c) in g.spikes.counts().iter().enumerate() {
                spikes_seen[l] += c;
            }
            silent_seen += g.spikes.layers[1..]
                .iter()
                .flatten()
                .filter(|s| s.is_none())
                .count();
            // Start sampled at c; 12 step cycles c+1..c+12, 7 report cycles, the finish cycle
            // c+20 registers done, seen at posedge c+21.
            assert_eq!(o.cycles, 12 + 7 + 1 + 1, "start -> done cycles");
        }
    }
    // The random cases exercise spikes and silence in every layer.
    assert!(spikes_seen.iter().all(|&c| c > 0), "{spikes_seen:?}");
    assert!(silent_seen > 0);
}

#[test]
fn icarus_agrees_with_verilator_and_golden() {
    let tmp = tempfile::tempdir().unwrap();
    let net = random_net(7);
    let design = reference_design(&net, &tmp.path().join("design"));
    let inputs = random_inputs(70, 5);
    let golden = testkit::golden_runs(&net, &inputs);
    let icarus = sim::run(
        &design,
        &inputs,
        &RunConfig::new(Simulator::Icarus, &tmp.path().join("icarus")),
    )
    .unwrap();
    let report = compare(&golden, &icarus.observed);
    assert!(report.is_clean(), "{report}");
    let verilator = sim::run(
        &design,
        &inputs,
        &RunConfig::new(Simulator::Verilator, &tmp.path().join("verilator")),
    )
    .unwrap();
    // Same host, same cycle numbering: the two simulators agree cycle for cycle.
    assert_eq!(icarus.observed, verilator.observed);
    // Ports-only waveforms read back the same.
    for simulator in [Simulator::Icarus, Simulator::Verilator] {
        let mut cfg = RunConfig::new(simulator, &tmp.path().join(format!("ports-{simulator:?}")));
        cfg.trace_depth = Some(1);
        let small = sim::run(&design, &inputs, &cfg).unwrap();
        assert_eq!(small.observed, verilator.observed, "{simulator:?}");
        let full_size = std::fs::metadata(verilator.vcd.as_ref().unwrap())
            .unwrap()
            .len();
        let small_size = std::fs::metadata(small.vcd.as_ref().unwrap())
            .unwrap()
            .len();
        assert!(
            small_size < full_size,
            "{simulator:?}: {small_size} >= {full_size}"
        );
    }
    let log_i = std::fs::read_to_string(&icarus.event_log).unwrap();
    let log_v = std::fs::read_to_string(&verilator.event_log).unwrap();
    assert_eq!(log_i, log_v);
}

#[test]
fn timeout_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let net = random_net(3);
    let design = reference_design(&net, &tmp.path().join("design"));
    let mut cfg = RunConfig::new(Simulator::Verilator, &tmp.path().join("run"));
    cfg.timeout_cycles = Some(10); // the model needs 20 cycles
    cfg.trace = false;
    match sim::run(&design, &random_inputs(1, 1), &cfg) {
        Err(
            e @ SimError::Timeout {
                sample: 0,
                limit: 10,
                ..
            },
        ) => {
            assert!(e.to_string().contains("no `done` within 10 cycles"), "{e}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}
