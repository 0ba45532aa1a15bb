//! Integer semantics at the extremes (issue: hardening). Golden computes in i64; a model whose slope or
//! potential could leave 63 signed bits is refused by `QuantNetwork::new` with the width it would need,
//! and the largest models it accepts compute exactly (checked against i128 arithmetic by hand).

use golden::integer;
use golden::network::MAX_POTENTIAL_BITS;
use golden::{QuantLayer, QuantNetwork, TimeParams};
use ndarray::Array2;

const W_MAX: i32 = (1 << 23) - 1; // 24-bit weights, the widest golden accepts

fn layer(weights: Array2<i32>, threshold_q: i64) -> QuantLayer {
    QuantLayer {
        weights,
        threshold_q,
        scale: 1.0,
        weight_bits: 24,
    }
}

/// The model that used to wrap silently: one neuron, 20,971,520 inputs of weight +-(2^23-1), 65,536
/// steps, threshold 2^40. Its potential needs 65 bits; it is refused, naming the width.
#[test]
fn the_overflowing_extreme_model_is_refused_with_the_width_it_needs() {
    let n_in = 20_971_520usize;
    for sign in [1, -1] {
        let w = Array2::from_elem((1, n_in), sign * W_MAX);
        let err = QuantNetwork::new(
            65_536,
            65_536,
            TimeParams::default(),
            vec![layer(w, 1 << 40)],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("layer1 potential width"), "{err}");
        assert!(err.contains("65 signed bits"), "{err}");
        assert!(
            err.contains(&format!("at most {MAX_POTENTIAL_BITS} bits")),
            "{err}"
        );
    }
}

/// The widths derivation itself cannot wrap: it is exact far beyond i64.
#[test]
fn widths_are_exact_beyond_i64() {
    let w = Array2::from_elem((1, 20_971_520), -W_MAX);
    let q = layer(w, 1);
    let widths = q.widths(65_536);
    // |sum| = 20,971,520 * (2^23 - 1) < 2^48 -> 49 bits with sign; times 2^16 -> 65 bits.
    assert_eq!(widths.slope_bits, 49);
    assert_eq!(widths.potential_bits, 65);
}

/// The largest accepted shape: K inputs of weight -W_MAX at step 0 and 2K of +W_MAX at step s, so the
/// potential first falls to -K W s (about -2^59, far outside i32), then climbs back with slope K W and
/// crosses the threshold at step 2s + ceil(theta / (K W)). Beside it a neuron with every weight
/// at its maximum fires at step 1. Checked against the closed form in i128.
#[test]
fn the_largest_accepted_potentials_compute_exactly() {
    let k = 1usize << 21;
    let n_steps = 65_536u32;
    let s = 30_000u32;
    let theta: i64 = 1 << 40;
    let n_in = 3 * k;
    let mut w = Array2::<i32>::zeros((2, n_in));
    for j in 0..n_in {
        w[[0, j]] = if j < k { -W_MAX } else { W_MAX };
        w[[1, j]] = W_MAX;
    }
    let net = QuantNetwork::new(
        n_steps,
        n_steps,
        TimeParams::default(),
        vec![layer(w, theta)],
    )
    .expect("62-bit potentials are within golden's range");
    let widths = net.widths()[0];
    assert!(widths.potential_bits > 60 && widths.potential_bits <= MAX_POTENTIAL_BITS);

    let input: Vec<Option<u32>> = (0..n_in).map(|j| Some(if j < k { 0 } else { s })).collect();
    let out = integer::forward(&net, &input);
    // V[n] = sum_j W_j (n - k_j) for n > k_j, in i128.
    let kw = k as i128 * W_MAX as i128;
    let v = |n: i128| {
        -kw * n
            + if n > s as i128 {
                2 * kw * (n - s as i128)
            } else {
                0
            }
    };
    let expect = (1..=n_steps as i128)
        .find(|&n| v(n) >= theta as i128)
        .unwrap();
    assert_eq!(expect, 2 * s as i128 + 1);
    assert!(v(s as i128) < -(1i128 << 58), "the dip is far outside i32");
    assert_eq!(out.spikes.layers[1][0], Some(expect as u32));
    // neuron 1: every weight at +W_MAX; the K inputs of step 0 give V[1] = K W_MAX >= theta
    assert!(kw >= theta as i128);
    assert_eq!(out.spikes.layers[1][1], Some(1));
    let at = out.spikes.layers[1][0].map(|n| v(n as i128));
    assert!(at.unwrap() >= theta as i128);
}
