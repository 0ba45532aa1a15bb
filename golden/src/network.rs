//! Network types: the float network of SPEC section 1 and the integer network of SPEC section 4.
//!
//! Invariants (checked by the constructors, so every `FloatNetwork` / `QuantNetwork` value is valid):
//! * layer `l` has a weight matrix of shape `[n_l, n_(l-1)]` (row = post-synaptic neuron), standard
//!   (row-major) layout, and consecutive layers chain;
//! * float weights are finite; `0 < t_in <= t_max`, both finite;
//! * integer weights fit in `weight_bits` signed bits, thresholds are positive, `1 <= n_in_steps <= n_steps`;
//! * every slope and potential the integer pass can reach fits in [`MAX_POTENTIAL_BITS`] signed bits.

use crate::error::{GoldenError, Result};
use ndarray::Array2;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

/// Firing threshold of the float model (SPEC: V_th = 1).
pub const V_TH: f64 = 1.0;

/// Version of every file format written by `golden` (model files, spike trains).
pub const FORMAT_VERSION: u32 = 1;

/// Largest supported weight width in bits (keeps every product well inside i64).
pub const MAX_WEIGHT_BITS: u32 = 24;

/// Largest supported number of time steps.
pub const MAX_STEPS: u32 = 1 << 16;

/// The time axis shared by every layer: inputs arrive in `[0, t_in]`, neurons may fire in `(0, t_max]`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeParams {
    pub t_in: f64,
    pub t_max: f64,
}

impl Default for TimeParams {
    fn default() -> Self {
        TimeParams {
            t_in: 1.0,
            t_max: 3.0,
        }
    }
}

impl TimeParams {
    /// Checks `0 < t_in <= t_max` with both finite.
    pub fn validate(&self) -> Result<()> {
        if !(self.t_in.is_finite() && self.t_in > 0.0) {
            return Err(GoldenError::range("t_in", self.t_in, "finite and > 0"));
        }
        if !(self.t_max.is_finite() && self.t_max >= self.t_in) {
            return Err(GoldenError::range(
                "t_max",
                self.t_max,
                format!("finite and >= t_in = {}", self.t_in),
            ));
        }
        Ok(())
    }
}

/// A float TTFS network: `layers[l-1]` is `W^(l)` of shape `[n_l, n_(l-1)]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatNetwork {
    pub time: TimeParams,
    layers: Vec<Array2<f32>>,
}

fn check_chain(shapes: &[(usize, usize)]) -> Result<()> {
    if shapes.is_empty() {
        return Err(GoldenError::Invalid(
            "a network needs at least one layer".into(),
        ));
    }
    for (l, &(n_out, n_in)) in shapes.iter().enumerate() {
        if n_out == 0 || n_in == 0 {
            return Err(GoldenError::Shape {
                what: format!("layer{}.weight", l + 1),
                expected: "[n_out >= 1, n_in >= 1]".into(),
                got: format!("[{n_out}, {n_in}]"),
            });
        }
        if l > 0 && n_in != shapes[l - 1].0 {
            return Err(GoldenError::Shape {
                what: format!("layer{}.weight", l + 1),
                expected: format!(
                    "[{n_out}, {}] (n_in = outputs of layer{})",
                    shapes[l - 1].0,
                    l
                ),
                got: format!("[{n_out}, {n_in}]"),
            });
        }
    }
    Ok(())
}

impl FloatNetwork {
    /// Builds a network, validating shapes, chaining and finiteness.
    pub fn new(time: TimeParams, layers: Vec<Array2<f32>>) -> Result<Self> {
        time.validate()?;
        let shapes: Vec<_> = layers.iter().map(|w| w.dim()).collect();
        check_chain(&shapes)?;
        for (l, w) in layers.iter().enumerate() {
            if let Some(((i, j), v)) = w.indexed_iter().find(|(_, v)| !v.is_finite()) {
                return Err(GoldenError::NonFinite {
                    what: format!("layer{}.weight", l + 1),
                    location: format!("[{i}, {j}]"),
                    value: *v as f64,
                });
            }
        }
        let layers = layers
            .into_iter()
            .map(|w| w.as_standard_layout().into_owned())
            .collect();
        Ok(FloatNetwork { time, layers })
    }

    /// SPEC section 2 initialisation: `W ~ Normal(mu_l / n_in, sigma^2 / n_in)` per layer, seeded.
    pub fn random_init(
        sizes: &[usize],
        time: TimeParams,
        mu: &[f64],
        sigma: f64,
        seed: u64,
    ) -> Result<Self> {
        if sizes.len() < 2 {
            return Err(GoldenError::Invalid(format!(
                "need at least input and output sizes, got {sizes:?}"
            )));
        }
        if mu.len() != sizes.len() - 1 {
            return Err(GoldenError::Invalid(format!(
                "need one mu per layer ({}), got {}",
                sizes.len() - 1,
                mu.len()
            )));
        }
        if !(sigma.is_finite() && sigma >= 0.0) {
            return Err(GoldenError::range("sigma", sigma, "finite and >= 0"));
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut layers = Vec::new();
        for l in 1..sizes.len() {
            let n_in = sizes[l - 1] as f64;
            let normal = Normal::new(mu[l - 1] / n_in, sigma / n_in.sqrt())
                .map_err(|e| GoldenError::Invalid(format!("layer{l} init: {e}")))?;
            let w = Array2::from_shape_simple_fn((sizes[l], sizes[l - 1]), || {
                normal.sample(&mut rng) as f32
            });
            layers.push(w);
        }
        FloatNetwork::new(time, layers)
    }

    /// Weight matrices, `layers()[l-1]` = `W^(l)`, shape `[n_l, n_(l-1)]`, standard layout.
    pub fn layers(&self) -> &[Array2<f32>] {
        &self.layers
    }

    /// Mutable access for trainers; call [`FloatNetwork::validate`] after changing weights.
    pub fn layers_mut(&mut self) -> &mut [Array2<f32>] {
        &mut self.layers
    }

    /// Re-checks the invariants (after in-place edits through [`FloatNetwork::layers_mut`]).
    pub fn validate(&self) -> Result<()> {
        FloatNetwork::new(self.time, self.layers.clone()).map(|_| ())
    }

    /// Layer sizes including the input layer: `[n_0, n_1, ..., n_L]`.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s = vec![self.layers[0].ncols()];
        s.extend(self.layers.iter().map(|w| w.nrows()));
        s
    }
}

/// One integer layer: `weights` (`[n_out, n_in]`, signed `weight_bits`), threshold `threshold_q`,
/// and the scale `scale` that produced them (`Wq = round(w * dt * scale)`, `threshold_q = round(scale)`).
#[derive(Clone, Debug, PartialEq)]
pub struct QuantLayer {
    pub weights: Array2<i32>,
    pub threshold_q: i64,
    pub scale: f64,
    pub weight_bits: u32,
}

/// Register widths (signed bits) that make the integer layer overflow-free in hardware.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerWidths {
    /// Stored weight width.
    pub weight_bits: u32,
    /// Slope register width: holds every partial sum of a neuron's weights.
    pub slope_bits: u32,
    /// Potential register width: holds every `V[n]`, `n <= n_steps`, and the threshold.
    pub potential_bits: u32,
}

/// Smallest signed width that holds every value in `[lo, hi]` (at most 64).
pub fn signed_bits_for(lo: i64, hi: i64) -> u32 {
    signed_bits_for_wide(lo as i128, hi as i128)
}

/// Smallest signed width that holds every value in `[lo, hi]`, for bounds beyond i64 (at most 128).
pub fn signed_bits_for_wide(lo: i128, hi: i128) -> u32 {
    (1u32..128)
        .find(|&b| lo >= -(1i128 << (b - 1)) && hi < (1i128 << (b - 1)))
        .unwrap_or(128)
}

/// Widest potential register golden's integer pass supports: it computes in i64, and with every `V[n]`
/// and `S[n]` within 63 signed bits no sum `V + S` of the pass can wrap. A model that needs more is
/// refused by [`QuantNetwork::new`] with the width it would need.
pub const MAX_POTENTIAL_BITS: u32 = 63;

impl QuantLayer {
    /// Widths derived from the weights: the slope is a partial sum of one row, so it lies between the
    /// sum of the row's negative weights and the sum of its positive ones; the potential is
    /// `sum_j W_ij (n - k_j)` with `0 <= n - k_j <= n_steps`, so it lies within `n_steps` times that.
    /// Computed in i128, so the derivation itself cannot wrap (rows of up to 2^64 / 2^24 weights);
    /// a width above 64 is reported as it is, for [`QuantNetwork::new`] to refuse.
    pub fn widths(&self, n_steps: u32) -> LayerWidths {
        let (mut lo, mut hi) = (0i128, 0i128);
        for row in self.weights.rows() {
            let (mut pos, mut neg) = (0i128, 0i128);
            for &w in row {
                if w > 0 {
                    pos += w as i128;
                } else {
                    neg += w as i128;
                }
            }
            lo = lo.min(neg);
            hi = hi.max(pos);
        }
        let n = n_steps as i128;
        LayerWidths {
            weight_bits: self.weight_bits,
            slope_bits: signed_bits_for_wide(lo, hi),
            potential_bits: signed_bits_for_wide(lo * n, (hi * n).max(self.threshold_q as i128)),
        }
    }
}

/// A quantized network: what the hardware runs (SPEC section 4).
#[derive(Clone, Debug, PartialEq)]
pub struct QuantNetwork {
    /// Steps of the window: neurons fire at steps `1..=n_steps`; `dt = t_max / n_steps`.
    pub n_steps: u32,
    /// Input steps: input spikes arrive at steps `0..=n_in_steps`.
    pub n_in_steps: u32,
    /// The float time axis this network was quantized from (kept for reporting and re-encoding).
    pub time: TimeParams,
    layers: Vec<QuantLayer>,
}

impl QuantNetwork {
    /// Builds and validates an integer network.
    pub fn new(
        n_steps: u32,
        n_in_steps: u32,
        time: TimeParams,
        layers: Vec<QuantLayer>,
    ) -> Result<Self> {
        time.validate()?;
        if n_steps == 0 || n_steps > MAX_STEPS {
            return Err(GoldenError::range(
                "n_steps",
                n_steps,
                format!("1..={MAX_STEPS}"),
            ));
        }
        if n_in_steps == 0 || n_in_steps > n_steps {
            return Err(GoldenError::range(
                "n_in_steps",
                n_in_steps,
                format!("1..=n_steps ({n_steps})"),
            ));
        }
        let shapes: Vec<_> = layers.iter().map(|q| q.weights.dim()).collect();
        check_chain(&shapes)?;
        for (l, q) in layers.iter().enumerate() {
            let name = format!("layer{}", l + 1);
            if q.weight_bits < 2 || q.weight_bits > MAX_WEIGHT_BITS {
                return Err(GoldenError::range(
                    format!("{name}.weight_bits"),
                    q.weight_bits,
                    format!("2..={MAX_WEIGHT_BITS}"),
                ));
            }
            let max = (1i64 << (q.weight_bits - 1)) - 1;
            if let Some(((i, j), v)) = q
                .weights
                .indexed_iter()
                .find(|(_, &v)| (v as i64).abs() > max)
            {
                return Err(GoldenError::range(
                    format!("{name}.weight[{i}, {j}]"),
                    v,
                    format!("-{max}..={max} ({} signed bits, symmetric)", q.weight_bits),
                ));
            }
            let max_theta = 1i64 << 40;
            if q.threshold_q <= 0 || q.threshold_q > max_theta {
                return Err(GoldenError::range(
                    format!("{name}.threshold"),
                    q.threshold_q,
                    format!("1..={max_theta}"),
                ));
            }
            let widths = q.widths(n_steps);
            if widths.potential_bits > MAX_POTENTIAL_BITS {
                return Err(GoldenError::range(
                    format!("{name} potential width (sum of |weights| x n_steps)"),
                    format!("{} signed bits", widths.potential_bits),
                    format!(
                        "at most {MAX_POTENTIAL_BITS} bits (golden computes in 64-bit integers); \
                         use fewer weight bits, fewer steps or fewer inputs per neuron"
                    ),
                ));
            }
            if !(q.scale.is_finite() && q.scale > 0.0) {
                return Err(GoldenError::range(
                    format!("{name}.scale"),
                    q.scale,
                    "finite and > 0",
                ));
            }
        }
        let layers = layers
            .into_iter()
            .map(|q| QuantLayer {
                weights: q.weights.as_standard_layout().into_owned(),
                ..q
            })
            .collect();
        Ok(QuantNetwork {
            n_steps,
            n_in_steps,
            time,
            layers,
        })
    }

    pub fn layers(&self) -> &[QuantLayer] {
        &self.layers
    }

    /// Layer sizes including the input layer.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s = vec![self.layers[0].weights.ncols()];
        s.extend(self.layers.iter().map(|q| q.weights.nrows()));
        s
    }

    /// Step length in float time units.
    pub fn dt(&self) -> f64 {
        self.time.t_max / self.n_steps as f64
    }

    /// Overflow-free register widths per layer (see [`QuantLayer::widths`]).
    pub fn widths(&self) -> Vec<LayerWidths> {
        self.layers.iter().map(|q| q.widths(self.n_steps)).collect()
    }
}
