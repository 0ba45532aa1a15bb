//! Quantization: the integer network follows the float network it came from, and the derived
//! register widths bound every value the integer pass can produce.

use golden::idx::{self, Split};
use golden::network::signed_bits_for;
use golden::quantize::{quantize, QuantConfig};
use golden::{encode, exact, integer, FloatNetwork, QuantLayer, QuantNetwork, TimeParams, V_TH};
use ndarray::{Array2, ShapeBuilder};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::path::Path;
use testkit::inputs::random_steps;
use testkit::rng::chacha;

fn mnist_test(n: usize) -> idx::Dataset {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/mnist-small");
    idx::load_split(&dir, Split::Test).unwrap().take(n)
}

#[test]
fn float_and_integer_agree_on_mnist_digits() {
    // 784-100-10, SPEC initialisation, default quantization (8 bits, 128 steps), 100 real digits.
    // Expected differences: input steps round the pixel times (and N_in = 43 steps stand for
    // t_in = 42.67 steps), weights round to 8 bits, and every layer adds 0..1 step of delay.
    // Measured when written: hidden 98.3% within 2 steps, all layers 99.8% within 3 steps,
    // 24 fire/silent mismatches in about 9,000 spikes, 93 of 100 decisions equal.
    let net =
        FloatNetwork::random_init(&[784, 100, 10], TimeParams::default(), &[4.0, 4.0], 1.0, 42)
            .unwrap();
    let q = quantize(&net, &QuantConfig::default()).unwrap();
    let dt = q.dt();
    let data = mnist_test(100);
    let (mut both, mut within_3, mut hidden, mut hidden_2, mut mismatch, mut same_decision) =
        (0, 0, 0, 0, 0, 0);
    for i in 0..data.len() {
        let ex = exact::forward(&net, &encode::encode_exact(data.image(i), net.time.t_in));
        let it = integer::forward(&q, &encode::encode_steps(data.image(i), q.n_in_steps));
        same_decision += (ex.decision == it.decision) as usize;
        for l in 1..ex.spikes.layers.len() {
            for (te, ki) in ex.spikes.layers[l].iter().zip(&it.spikes.layers[l]) {
                match (te, ki) {
                    (Some(te), Some(ki)) => {
                        let steps = ((*ki as f64 * dt - te) / dt).abs();
                        both += 1;
                        within_3 += (steps <= 3.0) as usize;
                        if l == 1 {
                            hidden += 1;
                            hidden_2 += (steps <= 2.0) as usize;
                        }
                    }
                    (None, None) => {}
                    _ => mismatch += 1,
                }
            }
        }
    }
    assert!(
        hidden > 3000,
        "only {hidden} hidden spikes: the test net barely fires"
    );
    assert!(
        hidden_2 * 100 >= hidden * 95,
        "hidden: {hidden_2} of {hidden} within 2 steps"
    );
    assert!(
        within_3 * 100 >= both * 99,
        "all layers: {within_3} of {both} within 3 steps"
    );
    assert!(
        mismatch * 100 <= both,
        "{mismatch} fire/silent mismatches for {both} spikes"
    );
    assert!(
        same_decision >= 88,
        "decisions agree on only {same_decision} of 100"
    );
}

/// All potentials `V_i[n]`, `n = 0..=n_steps`, of every layer (the hardware keeps accumulating
/// after a spike, so every step counts), with the layer inputs taken from `forward_naive`.
/// `V[n] = sum_{j: k_j < n} w_j (n - k_j)`: the integer potential, computed from its definition.
fn int_potential(w: &[i32], input: &[Option<u32>], n: u32) -> i64 {
    w.iter()
        .zip(input)
        .filter_map(|(&w, k)| k.filter(|&k| k < n).map(|k| w as i64 * (n - k) as i64))
        .sum()
}

/// `S[n] = sum_{j: k_j < n} w_j`.
fn int_slope(w: &[i32], input: &[Option<u32>], n: u32) -> i64 {
    w.iter()
        .zip(input)
        .filter_map(|(&w, k)| k.filter(|&k| k < n).map(|_| w as i64))
        .sum()
}

/// Does `v` fit in `bits` signed bits?
fn fits_signed(v: i64, bits: u32) -> bool {
    if bits >= 64 {
        return true;
    }
    let half = 1i64 << (bits - 1);
    (-half..half).contains(&v)
}

fn check_widths(q: &QuantNetwork, input: &[Option<u32>]) -> Result<(), String> {
    let out = integer::forward_naive(q, input);
    for (l, (layer, w)) in q.layers().iter().zip(q.widths()).enumerate() {
        let prev = &out.spikes.layers[l];
        for (i, row) in layer.weights.rows().into_iter().enumerate() {
            let row = row.to_vec();
            for n in 0..=q.n_steps {
                let v = int_potential(&row, prev, n);
                let s = int_slope(&row, prev, n);
                if !fits_signed(v, w.potential_bits) || !fits_signed(s, w.slope_bits) {
                    return Err(format!(
                        "layer {} neuron {i} step {n}: V = {v}, S = {s} exceed {w:?}",
                        l + 1
                    ));
                }
            }
        }
        if !fits_signed(layer.threshold_q, w.potential_bits) {
            return Err(format!("layer {}: threshold does not fit {w:?}", l + 1));
        }
    }
    Ok(())
}

#[test]
fn widths_bound_every_potential_on_mnist_digits() {
    let net = FloatNetwork::random_init(&[784, 30, 10], TimeParams::default(), &[4.0, 4.0], 1.0, 3)
        .unwrap();
    let data = mnist_test(20);
    for cfg in [
        QuantConfig {
            weight_bits: 8,
            n_steps: 64,
            clip_percentile: None,
        },
        QuantConfig {
            weight_bits: 4,
            n_steps: 128,
            clip_percentile: Some(99.0),
        },
    ] {
        let q = quantize(&net, &cfg).unwrap();
        for i in 0..data.len() {
            check_widths(&q, &encode::encode_steps(data.image(i), q.n_in_steps)).unwrap();
        }
    }
}

#[test]
fn widths_are_tight_for_the_worst_case() {
    // One row of all-maximal positive codes and one of all-minimal negative ones; every input at
    // step 0, so V[N] = 127 * 5 * N = 635 * 64 = 40,640 and the lowest V[N] = -40,640.
    let weights = Array2::from_shape_vec((2, 5), [[127; 5], [-127; 5]].concat()).unwrap();
    let q = QuantNetwork::new(
        64,
        21,
        TimeParams::default(),
        vec![QuantLayer {
            weights,
            threshold_q: 1 << 20,
            scale: 1.0,
            weight_bits: 8,
        }],
    )
    .unwrap();
    let w = q.widths()[0];
    // Slope: +-635 needs 11 signed bits (-1024..=1023). Potential: +-40,640 needs 17 bits, but the
    // threshold 2^20 needs 22 bits (-2^21..2^21 - 1), which dominates.
    assert_eq!((w.weight_bits, w.slope_bits, w.potential_bits), (8, 11, 22));
    check_widths(&q, &[Some(0); 5]).unwrap();
    let vmax = int_potential(&[127; 5], &[Some(0); 5], 64);
    assert_eq!(vmax, 40_640);
    assert!(
        !fits_signed(vmax, signed_bits_for(0, vmax) - 1),
        "bound is not tight"
    );
}

/// A random single-layer float net quantized with many bits, and on-grid input steps.
fn grid_case() -> impl Strategy<Value = (FloatNetwork, QuantNetwork, Vec<Option<u32>>)> {
    (1usize..10, 1usize..6, 8u32..64, any::<u64>()).prop_map(|(n_in, n_out, n_steps, seed)| {
        let net =
            FloatNetwork::random_init(&[n_in, n_out], TimeParams::default(), &[3.0], 2.0, seed)
                .unwrap();
        let q = quantize(
            &net,
            &QuantConfig {
                weight_bits: 20,
                n_steps,
                clip_percentile: None,
            },
        )
        .unwrap();
        let mut rng = chacha(seed ^ 0x5eed);
        let input = random_steps(&mut rng, n_in, q.n_in_steps, 0.2);
        (net, q, input)
    })
}

/// Exact vs integer agreement structure on on-grid inputs (`t_j = k_j dt`): the integer neuron
/// fires at the first grid step where the exact potential reaches threshold, whenever the exact
/// potential at every grid step up to then is farther from threshold than the rounding bound
/// `(0.5 * n_in * n + 0.5) / scale`; when it fires at step n, the exact neuron fired at or before
/// `n dt`; when the exact neuron is silent, so is the integer one. Returns how many neurons were
/// clear of the rounding bound (and so checked).
fn grid_agreement(
    net: &FloatNetwork,
    q: &QuantNetwork,
    input: &[Option<u32>],
) -> Result<usize, String> {
    let dt = q.dt();
    let times: Vec<Option<f64>> = input.iter().map(|k| k.map(|k| k as f64 * dt)).collect();
    let ex = exact::forward(net, &times);
    let it = integer::forward(q, input);
    let layer = &q.layers()[0];
    let n_in = input.len() as f64;
    let mut checked = 0;
    for (i, row) in net.layers()[0].rows().into_iter().enumerate() {
        let row = row.to_vec();
        let mut first = None;
        let mut clear = true;
        for n in 1..=q.n_steps {
            let v = exact::potential_no_reset(&times, &row, n as f64 * dt);
            let bound = (0.5 * n_in * n as f64 + 0.5) / layer.scale + 1e-9;
            if (v - V_TH).abs() <= bound {
                clear = false;
                break;
            }
            if v >= V_TH {
                first = Some(n);
                break;
            }
        }
        if !clear {
            continue;
        }
        checked += 1;
        let (te, ki) = (ex.spikes.layers[1][i], it.spikes.layers[1][i]);
        if ki != first {
            return Err(format!(
                "neuron {i}: integer step {ki:?}, first exact grid crossing {first:?}"
            ));
        }
        if let Some(n) = ki {
            if !te.is_some_and(|t| t <= n as f64 * dt + 1e-9) {
                return Err(format!(
                    "neuron {i}: integer step {n} but exact time {te:?}"
                ));
            }
        }
        if te.is_none() && ki.is_some() {
            return Err(format!("neuron {i}: exact silent, integer step {ki:?}"));
        }
    }
    Ok(checked)
}

#[test]
fn grid_agreement_checks_most_neurons() {
    // The rounding bound must leave most neurons checkable, or the property below is vacuous.
    let (mut checked, mut total) = (0, 0);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..200 {
        let (net, q, input) = grid_case().new_tree(&mut runner).unwrap().current();
        checked += grid_agreement(&net, &q, &input).unwrap();
        total += q.sizes()[1];
    }
    assert!(
        checked * 100 >= total * 90,
        "only {checked} of {total} neurons clear of the bound"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn prop_integer_follows_exact_on_the_grid((net, q, input) in grid_case()) {
        let r = grid_agreement(&net, &q, &input);
        prop_assert!(r.is_ok(), "{:?}", r);
    }

    /// Quantize a random float net; the derived widths bound every slope and potential the naive
    /// integer pass reaches, at every step, in every layer.
    #[test]
    fn prop_widths_bound_potentials(
        sizes in prop::collection::vec(1usize..8, 2..4),
        bits in 2u32..16,
        n_steps in 1u32..48,
        seed in any::<u64>(),
    ) {
        let mu = vec![4.0; sizes.len() - 1];
        let net = FloatNetwork::random_init(&sizes, TimeParams::default(), &mu, 2.0, seed).unwrap();
        let q = quantize(&net, &QuantConfig { weight_bits: bits, n_steps, clip_percentile: None }).unwrap();
        let mut rng = chacha(seed);
        for silent in [0.0, 0.5] {
            let input = random_steps(&mut rng, sizes[0], q.n_in_steps, silent);
            prop_assert!(check_widths(&q, &input).is_ok(), "{:?}", check_widths(&q, &input));
        }
    }
}

#[test]
fn non_standard_layout_from_layers_mut_gives_the_same_results() {
    // `layers_mut` lets a trainer store a column-major matrix; the exact pass, quantize and the
    // model file must treat it exactly like the standard-layout one (no panic, same numbers).
    let net =
        FloatNetwork::random_init(&[6, 4, 3], TimeParams::default(), &[4.0, 4.0], 1.0, 8).unwrap();
    let mut fortran = net.clone();
    for w in fortran.layers_mut() {
        let mut f = Array2::<f32>::zeros(w.dim().f());
        f.assign(w);
        *w = f;
    }
    assert!(
        fortran.layers()[0].as_slice().is_none(),
        "test setup: not column-major"
    );
    let input = encode::encode_exact(&[255, 0, 100, 30, 200, 7], 1.0);
    assert_eq!(
        exact::forward(&fortran, &input),
        exact::forward(&net, &input)
    );
    let cfg = QuantConfig::default();
    assert_eq!(
        quantize(&fortran, &cfg).unwrap(),
        quantize(&net, &cfg).unwrap()
    );
    let bytes = golden::io::float_to_bytes(&fortran).unwrap();
    assert_eq!(bytes, golden::io::float_to_bytes(&net).unwrap());
}
