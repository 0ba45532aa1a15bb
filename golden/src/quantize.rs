//! Float to integer (SPEC section 4): one scale per layer, `Wq = round(w * dt * s)`,
//! `threshold_q = round(V_TH * s)`, so that `v(n dt) >= V_TH  <=>  V[n] >= threshold_q` up to rounding.
//!
//! The default scale maps the layer's largest `|w|` to `2^(B-1) - 1`. With `clip_percentile = Some(p)`
//! the `p`-th percentile of `|w|` is mapped there instead and larger weights are clipped (helps at 4 bits).

use crate::error::{GoldenError, Result};
use crate::network::{FloatNetwork, QuantLayer, QuantNetwork, MAX_STEPS, MAX_WEIGHT_BITS, V_TH};
use serde::{Deserialize, Serialize};

/// How to quantize.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuantConfig {
    /// Signed weight width `B_w` (2..=24).
    pub weight_bits: u32,
    /// Time steps `N` of the window; `dt = t_max / N`.
    pub n_steps: u32,
    /// Map this percentile (0 < p <= 100) of `|w|` to the largest code and clip above it.
    #[serde(default)]
    pub clip_percentile: Option<f64>,
}

impl Default for QuantConfig {
    fn default() -> Self {
        QuantConfig {
            weight_bits: 8,
            n_steps: 128,
            clip_percentile: None,
        }
    }
}

/// `N_in = round(N * t_in / t_max)`, at least 1.
pub fn n_in_steps(n_steps: u32, t_in: f64, t_max: f64) -> u32 {
    ((n_steps as f64 * t_in / t_max).round() as u32).clamp(1, n_steps)
}

fn percentile_abs(w: &[f32], p: f64) -> f64 {
    let mut a: Vec<f64> = w.iter().map(|x| x.abs() as f64).collect();
    a.sort_by(f64::total_cmp);
    let idx = ((p / 100.0) * (a.len() - 1) as f64).round() as usize;
    a[idx.min(a.len() - 1)]
}

/// Quantizes a float network.
pub fn quantize(net: &FloatNetwork, cfg: &QuantConfig) -> Result<QuantNetwork> {
    if cfg.weight_bits < 2 || cfg.weight_bits > MAX_WEIGHT_BITS {
        return Err(GoldenError::range(
            "weight_bits",
            cfg.weight_bits,
            format!("2..={MAX_WEIGHT_BITS}"),
        ));
    }
    if cfg.n_steps == 0 || cfg.n_steps > MAX_STEPS {
        return Err(GoldenError::range(
            "n_steps",
            cfg.n_steps,
            format!("1..={MAX_STEPS}"),
        ));
    }
    if let Some(p) = cfg.clip_percentile {
        if !(p.is_finite() && p > 0.0 && p <= 100.0) {
            return Err(GoldenError::range("clip_percentile", p, "0 < p <= 100"));
        }
    }
    let dt = net.time.t_max / cfg.n_steps as f64;
    let max_code = ((1i64 << (cfg.weight_bits - 1)) - 1) as f64;
    let mut layers = Vec::new();
    for (l, w) in net.layers().iter().enumerate() {
        // Any element order will do for the maximum and the percentile (and `layers_mut` may
        // have left a matrix in a non-standard layout).
        let flat: Vec<f32> = w.iter().copied().collect();
        let flat = flat.as_slice();
        let m = match cfg.clip_percentile {
            Some(p) => percentile_abs(flat, p),
            None => flat.iter().fold(0.0f64, |m, x| m.max(x.abs() as f64)),
        };
        if m <= 0.0 {
            return Err(GoldenError::Invalid(format!(
                "layer{}: all weights are zero (at the chosen percentile), so no scale maps them to integers",
                l + 1
            )));
        }
        let scale = max_code / (m * dt);
        // The threshold is V_th in the integer units the largest weight sets: weights too small
        // (denormal, or all near zero) make it larger than any register; that is the weights'
        // fault, not the threshold's, and the error says so.
        let max_threshold = (1u64 << 40) as f64;
        let threshold = V_TH * scale;
        if threshold.is_nan() || threshold > max_threshold {
            let kind = if m < f32::MIN_POSITIVE as f64 {
                "denormal"
            } else {
                "too small"
            };
            return Err(GoldenError::Invalid(format!(
                "layer{}: the largest |weight| is {m:.3e} ({kind}): with {} weight bits and {} steps the \
                 threshold V_th = 1 would be {:.3e} integer units (at most 2^40); the layer's weights \
                 carry no usable scale (retrain, or check the model)",
                l + 1,
                cfg.weight_bits,
                cfg.n_steps,
                V_TH * scale
            )));
        }
        let threshold_q = (V_TH * scale).round() as i64;
        let weights = w.mapv(|x| (x as f64 * dt * scale).round().clamp(-max_code, max_code) as i32);
        layers.push(QuantLayer {
            weights,
            threshold_q: threshold_q.max(1),
            scale,
            weight_bits: cfg.weight_bits,
        });
    }
    QuantNetwork::new(
        cfg.n_steps,
        n_in_steps(cfg.n_steps, net.time.t_in, net.time.t_max),
        net.time,
        layers,
    )
}
