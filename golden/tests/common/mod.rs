//! Helpers shared by golden's integration tests: seeded random networks and inputs.
#![allow(dead_code)]

use golden::{QuantLayer, QuantNetwork, TimeParams};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A random integer network: weights uniform in `[-max/2, max]` (mostly positive so that neurons
/// fire, but with plenty of negative weights), thresholds chosen so that firing is common but not
/// certain.
pub fn random_quant(
    rng: &mut ChaCha8Rng,
    sizes: &[usize],
    weight_bits: u32,
    n_steps: u32,
) -> QuantNetwork {
    let max = (1i32 << (weight_bits - 1)) - 1;
    let mut layers = Vec::new();
    for l in 1..sizes.len() {
        let (n_out, n_in) = (sizes[l], sizes[l - 1]);
        let weights = Array2::from_shape_simple_fn((n_out, n_in), || rng.gen_range(-max / 2..=max));
        // About what half the inputs at mid-window would produce.
        let typical = (max as i64 / 4).max(1) * n_in as i64 * n_steps as i64 / 4;
        let threshold_q = rng.gen_range(1..=typical.max(1));
        layers.push(QuantLayer {
            weights,
            threshold_q,
            scale: 1.0,
            weight_bits,
        });
    }
    let n_in_steps = rng.gen_range(1..=n_steps);
    QuantNetwork::new(n_steps, n_in_steps, TimeParams::default(), layers).expect("valid random net")
}

/// Random input steps: about `silent` of them silent, the rest drawn from a few levels (ties are
/// the normal case), all `< n_steps + 2` (some beyond the window on purpose).
pub fn random_steps(rng: &mut ChaCha8Rng, n: usize, n_steps: u32, silent: f64) -> Vec<Option<u32>> {
    let levels: Vec<u32> = (0..4).map(|_| rng.gen_range(0..=n_steps + 1)).collect();
    (0..n)
        .map(|_| {
            if rng.gen_bool(silent) {
                None
            } else if rng.gen_bool(0.5) {
                Some(levels[rng.gen_range(0..levels.len())])
            } else {
                Some(rng.gen_range(0..=n_steps + 1))
            }
        })
        .collect()
}

/// `V[n] = sum_{j: k_j < n} w_j (n - k_j)`: the integer potential, computed from its definition.
pub fn int_potential(w: &[i32], input: &[Option<u32>], n: u32) -> i64 {
    w.iter()
        .zip(input)
        .filter_map(|(&w, k)| k.filter(|&k| k < n).map(|k| w as i64 * (n - k) as i64))
        .sum()
}

/// `S[n] = sum_{j: k_j < n} w_j`.
pub fn int_slope(w: &[i32], input: &[Option<u32>], n: u32) -> i64 {
    w.iter()
        .zip(input)
        .filter_map(|(&w, k)| k.filter(|&k| k < n).map(|_| w as i64))
        .sum()
}

/// Does `v` fit in `bits` signed bits?
pub fn fits_signed(v: i64, bits: u32) -> bool {
    if bits >= 64 {
        return true;
    }
    let half = 1i64 << (bits - 1);
    (-half..half).contains(&v)
}
