//! Bit-exactness of the generated RTL against golden's integer model, run in iverilog through the
//! `sim` crate (its Icarus test bench and VCD read-back of the contract's ports: the one co-simulation
//! path): every spike of every layer (neuron and step, exactly once, ascending step order per layer),
//! the decision, and the cycle count (== `Manifest::expected_cycles`, between `cycle_bound` and
//! `cycle_upper_bound`).
//!
//! iverilog is found through `IVERILOG` / `VVP` overrides, else PATH; missing, the test fails with the
//! install command.

use golden::{integer, QuantLayer, QuantNetwork, TimeParams};
use ndarray::array;
use sim::{RunConfig, Simulator};
use testkit::fixtures::tiny_net;
use testkit::nets::{quantized_init, FIRING};

/// What the RTL showed for one sample.
#[derive(Debug, Default)]
struct Observed {
    /// `(layer, neuron, step)` in the order seen (by cycle).
    spikes: Vec<(usize, usize, u32)>,
    class: Option<usize>,
    cycles: u64,
}

/// Writes the design, runs every sample in Icarus Verilog through `sim` (VCD of the ports, read
/// back), and lists each sample's spikes in cycle order. sim itself rejects a neuron spiking twice
/// and an output stream that differs from the monitor's output-layer spikes.
fn simulate(design: &hdl::Design, samples: &[Vec<Option<u32>>]) -> Vec<Observed> {
    let dir = tempfile::tempdir().unwrap();
    let loaded = testkit::load_generated(design, &dir.path().join("design"));
    let mut cfg = RunConfig::new(Simulator::Icarus, &dir.path().join("run"));
    cfg.trace_depth = Some(1);
    let run = sim::run(&loaded, samples, &cfg).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run.observed.len(), samples.len());
    run.observed
        .iter()
        .map(|o| {
            let mut seen: Vec<(u64, usize, usize, u32)> = Vec::new();
            for (l, (steps, cycles)) in o
                .spikes
                .layers
                .iter()
                .zip(&o.spike_cycles)
                .enumerate()
                .skip(1)
            {
                for (i, (k, c)) in steps.iter().zip(cycles).enumerate() {
                    if let (Some(k), Some(c)) = (k, c) {
                        seen.push((*c, l, i, *k));
                    }
                }
            }
            seen.sort_unstable();
            Observed {
                spikes: seen.into_iter().map(|(_, l, i, k)| (l, i, k)).collect(),
                class: o.decision,
                cycles: o.cycles,
            }
        })
        .collect()
}

/// Asserts RTL == golden for every sample; names layer, neuron, step on a mismatch.
fn check(net: &QuantNetwork, cfg: &hdl::HdlConfig, samples: &[Vec<Option<u32>>]) -> Vec<Observed> {
    let design = hdl::generate(net, cfg).unwrap();
    let obs = simulate(&design, samples);
    let n_layers = net.layers().len();
    for (s, (input, o)) in samples.iter().zip(&obs).enumerate() {
        let g = integer::forward(net, input);
        let mut got: Vec<Vec<Option<u32>>> = g.spikes.layers[1..]
            .iter()
            .map(|l| vec![None; l.len()])
            .collect();
        let mut last_step = vec![0u32; n_layers];
        for &(l, i, k) in &o.spikes {
            assert!(
                got[l - 1][i].is_none(),
                "sample {s}: layer {l} neuron {i} spiked twice"
            );
            assert!(
                k >= last_step[l - 1],
                "sample {s}: layer {l} spikes out of step order"
            );
            last_step[l - 1] = k;
            got[l - 1][i] = Some(k);
        }
        for (l, (rtl, gold)) in got.iter().zip(&g.spikes.layers[1..]).enumerate() {
            for (i, (a, b)) in rtl.iter().zip(gold).enumerate() {
                assert_eq!(
                    a,
                    b,
                    "sample {s}: layer {} neuron {i}: rtl step vs golden step",
                    l + 1
                );
            }
        }
        assert_eq!(o.class, g.decision, "sample {s}: decision");
        assert_eq!(
            o.cycles,
            design.manifest.expected_cycles(&g.spikes),
            "sample {s}: cycles"
        );
        assert!(o.cycles >= design.manifest.cycle_bound(&g.spikes));
        assert!(o.cycles <= design.manifest.cycle_upper_bound());
    }
    obs
}

/// Pixels from a small LCG: about 40 % black (no spike), the rest spread over all levels.
fn samples(n_in: usize, count: usize, n_in_steps: u32, seed: u64) -> Vec<Vec<Option<u32>>> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..count)
        .map(|_| {
            let px: Vec<u8> = (0..n_in)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let r = (x >> 33) as u32;
                    if r % 5 < 2 {
                        0
                    } else {
                        (r >> 8) as u8
                    }
                })
                .collect();
            golden::encode::encode_steps(&px, n_in_steps)
        })
        .collect()
}

#[test]
fn tiny_network_matches_paper_arithmetic() {
    // 3 inputs -> 2 -> 2, 8 steps; inputs at steps 0, 1, 3.
    // Layer 1 neuron 0, w = [3, -2, 1], theta 10: V = 3, 4, 5, 7, 9, 11 -> fires at step 6.
    // Layer 1 neuron 1, w = [-1, 4, 2], theta 10: V = -1, 2, 5, 10 -> fires at step 4.
    // Layer 2 neuron 0, w = [5, -3], theta 7: V[5..8] = -3, -6, -4, -2 -> silent.
    // Layer 2 neuron 1, w = [2, 2], theta 7: V[5..7] = 2, 4, 8 -> fires at step 7; class 1.
    let net = tiny_net();
    let input = vec![Some(0), Some(1), Some(3)];
    let g = integer::forward(&net, &input);
    assert_eq!(g.spikes.layers[1], vec![Some(6), Some(4)]);
    assert_eq!(g.spikes.layers[2], vec![None, Some(7)]);
    let obs = check(&net, &hdl::HdlConfig { lanes: vec![1, 2] }, &[input]);
    // Spikes leave in step order: (1, 1, 4), (1, 0, 6), then (2, 1, 7).
    assert_eq!(obs[0].spikes, vec![(1, 1, 4), (1, 0, 6), (2, 1, 7)]);
    assert_eq!(obs[0].class, Some(1));
    // Cycles: layer 1 (2 groups): 3 + 2 * (1 + 3 events + 8 steps) + 2 spikes = 29;
    // layer 2 (1 group): 3 + 1 * (1 + 2 + 8) + 1 spike = 15, minus 1: its spike at step 7 leaves
    // while the step-8 update (the last op) computes; plus 1 for the top's done register -> 44.
    assert_eq!(obs[0].cycles, 44);
}

#[test]
fn tie_at_the_same_step_goes_to_the_larger_potential_then_lower_index() {
    // One layer, inputs at step 0: neuron 0 (w 4) reaches 8 at step 2, neuron 1 (w 5) reaches 10 at
    // step 2, neuron 2 (w 5) also 10: all fire at step 2; larger V wins (1 over 0), lower index
    // breaks the 1-vs-2 tie.
    let l1 = QuantLayer {
        weights: array![[4], [5], [5]],
        threshold_q: 7,
        scale: 1.0,
        weight_bits: 4,
    };
    let net = QuantNetwork::new(4, 2, TimeParams::default(), vec![l1]).unwrap();
    let obs = check(&net, &hdl::HdlConfig { lanes: vec![2] }, &[vec![Some(0)]]);
    assert_eq!(obs[0].class, Some(1));
}

#[test]
fn random_networks_match_golden() {
    struct Case {
        sizes: &'static [usize],
        lanes: &'static [usize],
        bits: u32,
        steps: u32,
    }
    #[rustfmt::skip]
    let cases = [
        Case { sizes: &[12, 7, 3], lanes: &[4], bits: 6, steps: 16 },
        Case { sizes: &[20, 9, 5], lanes: &[9, 5], bits: 8, steps: 32 },
        Case { sizes: &[10, 3], lanes: &[1], bits: 2, steps: 8 },
        Case { sizes: &[20, 40, 5], lanes: &[35, 2], bits: 4, steps: 24 },
        Case { sizes: &[30, 40, 33, 4], lanes: &[17, 40, 1], bits: 8, steps: 40 },
        Case { sizes: &[6, 4], lanes: &[2], bits: 3, steps: 1 },
        Case { sizes: &[3, 1], lanes: &[1], bits: 2, steps: 2 },
        Case { sizes: &[25, 18, 6], lanes: &[5, 2], bits: 12, steps: 20 },
    ];
    for (i, c) in cases.iter().enumerate() {
        let net = quantized_init(c.sizes, c.bits, c.steps, FIRING, 200 + i as u64);
        let input = samples(c.sizes[0], 6, net.n_in_steps, i as u64);
        check(
            &net,
            &hdl::HdlConfig {
                lanes: c.lanes.to_vec(),
            },
            &input,
        );
    }
}

#[test]
fn reference_size_784_400_10_at_default_lanes_matches_golden() {
    let net = quantized_init(&[784, 400, 10], 8, 128, FIRING, 7);
    let input = samples(784, 2, net.n_in_steps, 99);
    let obs = check(&net, &hdl::HdlConfig::default(), &input);
    assert!(
        obs.iter().all(|o| o.spikes.len() > 10),
        "the random net should be active"
    );
}

#[test]
fn worst_case_widths_at_the_extremes_match_golden_without_wrapping() {
    // Issue 13's worst case, as large as a simulation can afford: 16-bit weights all at the maximum
    // (+32767) or the minimum (-32767, the codes are symmetric) of their type, every input at step 0, a 4,096-step window, and
    // a threshold that the all-maximum neuron reaches only at step 4,095: its potential needs 34
    // signed bits, so a 32-bit register anywhere would wrap. Layer 2 then fires at step n_steps, the
    // last legal step.
    const MAX: i32 = i16::MAX as i32;
    const MIN: i32 = -MAX; // weights are symmetric: -(2^15 - 1)..=2^15 - 1
    let n_in = 64;
    let n_steps = 4096u32;
    let rows = [
        vec![MAX; n_in], // fires at n_steps - 1
        vec![MIN; n_in], // never: most negative slope
        (0..n_in)
            .map(|j| if j % 2 == 0 { MAX } else { MIN })
            .collect(), // slope 0: never
        (0..n_in).map(|j| if j == 0 { MIN } else { MAX }).collect(), // just misses
    ];
    let weights = ndarray::Array2::from_shape_fn((4, n_in), |(i, j)| rows[i][j]);
    let slope0 = n_in as i64 * MAX as i64;
    let l1 = QuantLayer {
        weights,
        threshold_q: slope0 * (n_steps as i64 - 2) + 1,
        scale: 1.0,
        weight_bits: 16,
    };
    let l2 = QuantLayer {
        weights: array![[MAX, MAX, MAX, MAX], [MIN, MIN, MIN, MIN]],
        threshold_q: MAX as i64,
        scale: 1.0,
        weight_bits: 16,
    };
    let net = QuantNetwork::new(n_steps, 16, TimeParams::default(), vec![l1, l2]).unwrap();
    assert!(
        net.widths()[0].potential_bits >= 34,
        "layer 1 needs {} potential bits",
        net.widths()[0].potential_bits
    );
    let at_zero = vec![Some(0); n_in];
    let g = integer::forward(&net, &at_zero);
    assert_eq!(
        g.spikes.layers[1],
        vec![Some(n_steps - 1), None, None, None]
    );
    assert_eq!(g.spikes.layers[2], vec![Some(n_steps), None]);
    assert_eq!(g.decision, Some(0));
    // The same in RTL, at one and at two groups per layer; plus a sample with the latest inputs.
    let late = vec![Some(15); n_in];
    for lanes in [vec![4, 2], vec![2, 1]] {
        let obs = check(
            &net,
            &hdl::HdlConfig { lanes },
            &[at_zero.clone(), late.clone()],
        );
        assert_eq!(obs[0].class, Some(0));
    }
}
