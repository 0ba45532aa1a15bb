//! Random networks: one seeded integer builder ([`IntNet`], SplitMix64) with the variants the
//! co-simulation tests need, golden's ChaCha networks ([`random_quant`]) and quantized float
//! initialisations ([`quantized_init`]).

use crate::rng::Rng;
use golden::quantize::{quantize, QuantConfig};
use golden::{FloatNetwork, QuantLayer, QuantNetwork, TimeParams};
use ndarray::Array2;
use rand::Rng as _;
use rand_chacha::ChaCha8Rng;
use std::ops::RangeInclusive;

/// Where a layer's threshold comes from.
#[derive(Clone, Debug)]
pub enum Thresholds {
    /// One fixed threshold per layer.
    Fixed(Vec<i64>),
    /// Drawn uniformly in the range after the layer's weights.
    Drawn(RangeInclusive<i64>),
}

/// A random integer network of a fixed shape: weights uniform in `weights` (row-major, layer by
/// layer), thresholds fixed or drawn after each layer's weights.
#[derive(Clone, Debug)]
pub struct IntNet {
    pub sizes: Vec<usize>,
    pub weight_bits: u32,
    pub weights: RangeInclusive<i64>,
    pub thresholds: Thresholds,
    pub n_steps: u32,
    pub n_in_steps: u32,
}

impl IntNet {
    /// Weights in `-max * 2 / 3 ..= max` of the signed range of `weight_bits` (mostly positive, so
    /// neurons fire, with plenty of negative weights).
    pub fn biased(sizes: &[usize], weight_bits: u32, thresholds: Thresholds) -> Self {
        let max = (1i64 << (weight_bits - 1)) - 1;
        IntNet {
            sizes: sizes.to_vec(),
            weight_bits,
            weights: -max * 2 / 3..=max,
            thresholds,
            n_steps: 16,
            n_in_steps: 6,
        }
    }

    pub fn weights(mut self, range: RangeInclusive<i64>) -> Self {
        self.weights = range;
        self
    }

    pub fn steps(mut self, n_steps: u32, n_in_steps: u32) -> Self {
        self.n_steps = n_steps;
        self.n_in_steps = n_in_steps;
        self
    }

    /// One network drawn from `rng` (several calls on one `rng` give different networks).
    pub fn draw(&self, rng: &mut Rng) -> QuantNetwork {
        let s = &self.sizes;
        let (lo, hi) = (*self.weights.start(), *self.weights.end());
        let layers = (1..s.len())
            .map(|l| {
                let weights =
                    Array2::from_shape_simple_fn((s[l], s[l - 1]), || rng.range(lo, hi) as i32);
                let threshold_q = match &self.thresholds {
                    Thresholds::Fixed(t) => t[l - 1],
                    Thresholds::Drawn(r) => rng.range(*r.start(), *r.end()),
                };
                QuantLayer {
                    weights,
                    threshold_q,
                    scale: 1.0,
                    weight_bits: self.weight_bits,
                }
            })
            .collect();
        QuantNetwork::new(self.n_steps, self.n_in_steps, TimeParams::default(), layers)
            .unwrap_or_else(|e| panic!("random network {self:?}: {e}"))
    }

    /// One network from a fresh generator seeded with `seed`.
    pub fn seeded(&self, seed: u64) -> QuantNetwork {
        self.draw(&mut Rng::new(seed))
    }
}

/// golden's random integer network: weights uniform in `[-max/2, max]`, thresholds scaled to what
/// about half the inputs at mid-window produce (firing common but not certain), `n_in_steps` drawn in
/// `1..=n_steps`. A separate generator from [`IntNet`] because golden's property tests feed it
/// proptest-chosen seeds through ChaCha8 and its networks must stay the same.
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

/// The weight mean of [`quantized_init`] that makes most neurons fire.
pub const FIRING: f64 = 3.0;
/// The weight mean of [`quantized_init`] that gives about half negative weights.
pub const BALANCED: f64 = 0.0;

/// `FloatNetwork::random_init` (every layer's weight mean `mean`, spread 2.0, `seed`) quantized to
/// `weight_bits` and `n_steps` without clipping: the generator tests' networks ([`FIRING`] or [`BALANCED`]).
pub fn quantized_init(
    sizes: &[usize],
    weight_bits: u32,
    n_steps: u32,
    mean: f64,
    seed: u64,
) -> QuantNetwork {
    let mu = vec![mean; sizes.len() - 1];
    let f = FloatNetwork::random_init(sizes, TimeParams::default(), &mu, 2.0, seed)
        .unwrap_or_else(|e| panic!("random_init {sizes:?}: {e}"));
    let cfg = QuantConfig {
        weight_bits,
        n_steps,
        clip_percentile: None,
    };
    quantize(&f, &cfg).unwrap_or_else(|e| panic!("quantize {sizes:?} to {weight_bits} bits: {e}"))
}
