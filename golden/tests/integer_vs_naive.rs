//! The event-driven integer pass (`integer::forward`, `IntegerRunner`) against the naive reference
//! `integer::forward_naive`, which evaluates `V[n] = sum_j W_ij (n - k_j)` at every step.
//! They must agree exactly: spike steps in every layer, output potentials at the spike, decisions
//! and statistics.

use golden::integer::{self, IntegerRunner};
use golden::{QuantLayer, QuantNetwork, TimeParams};
use ndarray::{arr2, Array2};
use proptest::prelude::*;
use testkit::inputs::random_steps;
use testkit::nets::random_quant;
use testkit::rng::chacha;

fn single_layer(weights: Array2<i32>, threshold_q: i64, n_steps: u32) -> QuantNetwork {
    QuantNetwork::new(
        n_steps,
        n_steps,
        TimeParams::default(),
        vec![QuantLayer {
            weights,
            threshold_q,
            scale: 1.0,
            weight_bits: 16,
        }],
    )
    .unwrap()
}

fn assert_same(net: &QuantNetwork, input: &[Option<u32>]) -> integer::IntInference {
    let fast = integer::forward(net, input);
    let naive = integer::forward_naive(net, input);
    assert_eq!(fast, naive, "event-driven vs naive, input {input:?}");
    fast
}

#[test]
fn random_networks_agree_with_naive() {
    let mut rng = chacha(11);
    let mut fired = 0usize;
    let mut silent = 0usize;
    let mut last_step = 0usize;
    let mut decided = 0usize;
    for case in 0..300 {
        let n_layers = 1 + case % 3;
        let sizes: Vec<usize> = (0..=n_layers)
            .map(|_| rand::Rng::gen_range(&mut rng, 1..12))
            .collect();
        let n_steps = rand::Rng::gen_range(&mut rng, 1..40);
        let bits = rand::Rng::gen_range(&mut rng, 2..12);
        let net = random_quant(&mut rng, &sizes, bits, n_steps);
        let runner = IntegerRunner::new(&net);
        for _ in 0..5 {
            let silent_frac = rand::Rng::gen_range(&mut rng, 0.0..0.9);
            let input = random_steps(&mut rng, sizes[0], n_steps, silent_frac);
            let out = assert_same(&net, &input);
            // The prepared runner gives the same as the one-shot form.
            assert_eq!(runner.run(&input), out);
            for layer in &out.spikes.layers[1..] {
                fired += layer.iter().filter(|s| s.is_some()).count();
                silent += layer.iter().filter(|s| s.is_none()).count();
                last_step += layer.iter().filter(|s| **s == Some(n_steps)).count();
            }
            decided += out.decision.is_some() as usize;
        }
    }
    // The random cases exercise both outcomes, the last step and decisions (not a vacuous pass).
    assert!(
        fired > 1000 && silent > 1000,
        "fired {fired}, silent {silent}"
    );
    assert!(last_step > 20, "only {last_step} spikes on the last step");
    assert!(decided > 300, "only {decided} decisions");
}

#[test]
fn long_windows_with_few_inputs_agree_with_naive() {
    // Many steps per input (the event pass then sorts by comparison rather than by counting).
    let mut rng = chacha(12);
    let mut fired = 0;
    for _ in 0..40 {
        let sizes = [rand::Rng::gen_range(&mut rng, 1..6), 4, 3];
        let n_steps = rand::Rng::gen_range(&mut rng, 100..600);
        let net = random_quant(&mut rng, &sizes, 6, n_steps);
        for _ in 0..3 {
            let input = random_steps(&mut rng, sizes[0], n_steps, 0.3);
            let out = assert_same(&net, &input);
            fired += out.stats.spikes[1..].iter().sum::<u64>();
        }
    }
    assert!(fired > 100, "only {fired} spikes");
}

#[test]
fn both_accumulator_widths_agree_with_naive() {
    // Small weights and windows run on i32 accumulators, 24-bit weights on long windows need i64;
    // results must not depend on it.
    let mut rng = chacha(13);
    let mut seen = [0usize; 2];
    for case in 0..60 {
        let (bits, n_steps) = if case % 2 == 0 { (8, 64) } else { (24, 3000) };
        let sizes = [rand::Rng::gen_range(&mut rng, 2..30), 5, 3];
        let net = random_quant(&mut rng, &sizes, bits, n_steps);
        let runner = IntegerRunner::new(&net);
        let wide = runner.accumulator_bits() == 64;
        assert_eq!(wide, net.widths().iter().any(|w| w.potential_bits > 31));
        seen[wide as usize] += 1;
        let input = random_steps(&mut rng, sizes[0], n_steps, 0.3);
        assert_eq!(runner.run(&input), integer::forward_naive(&net, &input));
    }
    assert!(seen[0] >= 20 && seen[1] >= 20, "i32 / i64 runs: {seen:?}");
}

#[test]
fn simultaneous_inputs_silent_inputs_and_late_inputs() {
    // Two neurons, four inputs. Inputs 0 and 1 arrive together at step 2, input 2 is silent,
    // input 3 arrives at step n_steps (counts from n_steps + 1: never).
    let net = single_layer(arr2(&[[2, 3, 100, 100], [1, -1, 100, 100]]), 10, 6);
    let out = assert_same(&net, &[Some(2), Some(2), None, Some(6)]);
    // Neuron 0: S = 2 + 3 = 5 from step 3: V[3] = 5, V[4] = 10 -> fires at 4 with V = 10.
    // Neuron 1: S = 1 - 1 = 0: never.
    assert_eq!(out.spikes.layers[1], vec![Some(4), None]);
    assert_eq!(out.output_potentials, vec![Some(10), None]);
    assert_eq!(out.decision, Some(0));
}

#[test]
fn all_inputs_silent_nothing_fires() {
    let net = single_layer(arr2(&[[5, 5], [7, 1]]), 1, 10);
    let out = assert_same(&net, &[None, None]);
    assert_eq!(out.spikes.layers[1], vec![None, None]);
    assert_eq!(out.decision, None);
    assert_eq!(out.stats.sops, 0);
}

#[test]
fn neuron_firing_exactly_on_the_last_step() {
    // W = [1], input at step 0: V[n] = n. Threshold 8, n_steps 8 -> fires at 8 with V = 8.
    let out = assert_same(&single_layer(arr2(&[[1]]), 8, 8), &[Some(0)]);
    assert_eq!(out.spikes.layers[1], vec![Some(8)]);
    assert_eq!(out.output_potentials, vec![Some(8)]);
    // Same neuron, window one step shorter: V[7] = 7 < 8 -> silent.
    let out = assert_same(&single_layer(arr2(&[[1]]), 8, 7), &[Some(0)]);
    assert_eq!(out.spikes.layers[1], vec![None]);
    // An input at step n_steps - 1 = 7 counts at step 8 only: V[8] = 10 >= 10 -> fires at 8.
    let out = assert_same(&single_layer(arr2(&[[10]]), 10, 8), &[Some(7)]);
    assert_eq!(out.spikes.layers[1], vec![Some(8)]);
}

#[test]
fn negative_weights_dip_then_cross() {
    // W = [4, -6, 5], threshold 10, steps [0, 1, 3]:
    // V[1] = 4; S = -2 -> V[2] = 2, V[3] = 0; S = 3 -> V[4] = 3, V[5] = 6, V[6] = 9, V[7] = 12.
    // Check at 7: 4*7 - 6*6 + 5*4 = 28 - 36 + 20 = 12 >= 10.
    let out = assert_same(
        &single_layer(arr2(&[[4, -6, 5]]), 10, 10),
        &[Some(0), Some(1), Some(3)],
    );
    assert_eq!(out.spikes.layers[1], vec![Some(7)]);
    assert_eq!(out.output_potentials, vec![Some(12)]);
}

#[test]
fn output_ties_go_to_larger_potential_then_lower_index() {
    // One input at step 0; V[n] = w * n. Threshold 5.
    // w = 3: V[1] = 3, V[2] = 6 -> step 2, V = 6.   w = 4: V[2] = 8 -> step 2, V = 8.
    // w = 4 again: step 2, V = 8 (tie with neuron 1).   w = 6: V[1] = 6 -> step 1.
    let net = single_layer(arr2(&[[3], [4], [4]]), 5, 10);
    let out = assert_same(&net, &[Some(0)]);
    assert_eq!(out.spikes.layers[1], vec![Some(2), Some(2), Some(2)]);
    assert_eq!(out.output_potentials, vec![Some(6), Some(8), Some(8)]);
    // Same step: larger V wins (neuron 1 over 0), equal V: lower index (1 over 2).
    assert_eq!(out.decision, Some(1));
    // An earlier spike beats any potential.
    let net = single_layer(arr2(&[[4], [6]]), 5, 10);
    let out = assert_same(&net, &[Some(0)]);
    assert_eq!(out.decision, Some(1));
    assert_eq!(
        integer::decide_integer(&[Some(3), Some(3)], &[Some(9), Some(9)]),
        Some(0)
    );
    assert_eq!(
        integer::decide_integer(&[None, Some(9)], &[None, Some(1)]),
        Some(1)
    );
}

#[test]
fn hidden_spike_step_is_the_next_layer_input_step() {
    // Layer 1: W = [[2]], threshold 4, input at 0: V[2] = 4 -> spike at step 2.
    // Layer 2: W = [[3]], threshold 3: input at 2 counts from 3: V[3] = 3 -> spike at step 3.
    let net = QuantNetwork::new(
        10,
        5,
        TimeParams::default(),
        vec![
            QuantLayer {
                weights: arr2(&[[2]]),
                threshold_q: 4,
                scale: 1.0,
                weight_bits: 4,
            },
            QuantLayer {
                weights: arr2(&[[3]]),
                threshold_q: 3,
                scale: 1.0,
                weight_bits: 4,
            },
        ],
    )
    .unwrap();
    let out = assert_same(&net, &[Some(0)]);
    assert_eq!(
        out.spikes.layers,
        vec![vec![Some(0)], vec![Some(2)], vec![Some(3)]]
    );
    // SOPs: 1 input spike x 1 neuron + 1 hidden spike x 1 neuron = 2.
    assert_eq!(out.stats.sops, 2);
}

fn net_and_inputs() -> impl Strategy<Value = (QuantNetwork, Vec<Vec<Option<u32>>>)> {
    (
        prop::collection::vec(1usize..7, 2..5),
        1u32..24,
        2u32..10,
        any::<u64>(),
    )
        .prop_map(|(sizes, n_steps, bits, seed)| {
            let mut rng = chacha(seed);
            let net = random_quant(&mut rng, &sizes, bits, n_steps);
            let inputs = (0..4)
                .map(|i| random_steps(&mut rng, sizes[0], n_steps, 0.2 * i as f64))
                .collect();
            (net, inputs)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn prop_event_driven_equals_naive((net, inputs) in net_and_inputs()) {
        let runner = IntegerRunner::new(&net);
        for input in &inputs {
            let fast = runner.run(input);
            let naive = integer::forward_naive(&net, input);
            prop_assert_eq!(&fast, &naive);
        }
    }

    /// Inputs all on one step (the extreme tie) and with arbitrary step values.
    #[test]
    fn prop_all_tied_inputs(
        (net, _) in net_and_inputs(),
        step in 0u32..30,
        mask in prop::collection::vec(any::<bool>(), 7),
    ) {
        let n_in = net.sizes()[0];
        let input: Vec<Option<u32>> = (0..n_in).map(|j| mask[j % 7].then_some(step)).collect();
        prop_assert_eq!(integer::forward(&net, &input), integer::forward_naive(&net, &input));
    }
}
