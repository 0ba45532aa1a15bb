//! The exact continuous-time forward pass (SPEC section 1): closed-form spike times in f64.
//!
//! A neuron's potential is `v(t) = sum_j w_j max(0, t - t_j)`: piecewise linear, with a kink only
//! after a whole group of equal input times. The spike lies on the first segment whose potential at
//! its right end reaches `V_TH`; there `t* = (V_TH + sum_P w t) / sum_P w`, clamped into the segment.
//! Weights may be negative, so a later segment can still cross after the potential fell.

use crate::network::{FloatNetwork, V_TH};
use crate::spikes::SpikeTrain;

/// The input spikes of one layer, sorted by time and grouped by equal time. Built once per layer and
/// shared by all its neurons (and by the trainer's backward pass).
#[derive(Clone, Debug, Default)]
pub struct SortedInputs {
    /// `(time, presynaptic index)`, ascending by time (ties by index).
    pub events: Vec<(f64, usize)>,
    /// `group_ends[g]` = one past the last event of group `g`; groups hold equal times.
    pub group_ends: Vec<usize>,
}

impl SortedInputs {
    /// Sorts and groups the spikes of `times` (`None` = silent, contributes nothing).
    pub fn new(times: &[Option<f64>]) -> Self {
        let mut events: Vec<(f64, usize)> = times
            .iter()
            .enumerate()
            .filter_map(|(j, t)| t.map(|t| (t, j)))
            .collect();
        events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut group_ends = Vec::new();
        for k in 1..=events.len() {
            if k == events.len() || events[k].0 != events[k - 1].0 {
                group_ends.push(k);
            }
        }
        SortedInputs { events, group_ends }
    }
}

/// Where and how a neuron crosses threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Crossing {
    /// Spike time in `(0, t_max]`.
    pub time: f64,
    /// Size of the causal set: `inputs.events[..n_causal]` are the inputs that drive the spike.
    pub n_causal: usize,
    /// Slope `S = sum of causal weights` (> 0).
    pub slope: f64,
}

/// First threshold crossing of one neuron with weight row `w` (indexed by presynaptic neuron; any
/// float type that widens exactly to f64, so the trainer's f64 master weights and the model's f32
/// weights share this one definition), or `None` if the potential stays below threshold on `(0, t_max]`.
pub fn crossing<W: Copy + Into<f64>>(
    inputs: &SortedInputs,
    w: &[W],
    t_max: f64,
) -> Option<Crossing> {
    let (mut slope, mut sum_wt) = (0.0f64, 0.0f64);
    let mut start = 0;
    for (g, &end) in inputs.group_ends.iter().enumerate() {
        let t_g = inputs.events[start].0;
        if t_g >= t_max {
            break;
        }
        for &(t, j) in &inputs.events[start..end] {
            let wj: f64 = w[j].into();
            slope += wj;
            sum_wt += wj * t;
        }
        let t_next = inputs
            .group_ends
            .get(g + 1)
            .map_or(t_max, |_| inputs.events[end].0.min(t_max));
        // Potential at the segment's right end: v(t_next) = S t_next - sum w t.
        if slope > 0.0 && slope * t_next - sum_wt >= V_TH {
            let t = ((V_TH + sum_wt) / slope).clamp(t_g, t_next);
            return Some(Crossing {
                time: t,
                n_causal: end,
                slope,
            });
        }
        start = end;
    }
    None
}

/// Potential of the neuron at time `t`, ignoring the spike (no reset): `sum_j w_j max(0, t - t_j)`.
pub fn potential_no_reset(times: &[Option<f64>], w: &[f32], t: f64) -> f64 {
    times
        .iter()
        .zip(w)
        .filter_map(|(tj, &wj)| tj.map(|tj| wj as f64 * (t - tj).max(0.0)))
        .sum()
}

/// Result of one exact inference.
#[derive(Clone, Debug, PartialEq)]
pub struct ExactInference {
    /// Spike times, input layer first.
    pub spikes: SpikeTrain<f64>,
    /// Predicted class: first output spike, ties to the lower index; `None` if no output fires.
    pub decision: Option<usize>,
}

/// Spike times of one layer given its input spike times.
pub fn layer_forward(
    w: &ndarray::Array2<f32>,
    input: &[Option<f64>],
    t_max: f64,
) -> Vec<Option<f64>> {
    let sorted = SortedInputs::new(input);
    w.rows()
        .into_iter()
        .map(|row| {
            // Standard layout is kept by FloatNetwork::new, but `layers_mut` lets a caller store a
            // matrix in another layout: fall back to a copy of the row instead of panicking.
            match row.as_slice() {
                Some(r) => crossing(&sorted, r, t_max),
                None => crossing(&sorted, &row.to_vec(), t_max),
            }
            .map(|c| c.time)
        })
        .collect()
}

/// First spike wins; equal times go to the lower index.
pub fn decide_exact(output: &[Option<f64>]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, t) in output.iter().enumerate() {
        if let Some(t) = *t {
            if best.is_none_or(|(_, bt)| t < bt) {
                best = Some((i, t));
            }
        }
    }
    best.map(|(i, _)| i)
}

/// The exact forward pass. `input` holds one entry per input neuron (see [`crate::encode::encode_exact`]).
///
/// # Panics
/// If `input.len()` differs from the network's input size (callers validate data shapes on load).
pub fn forward(net: &FloatNetwork, input: &[Option<f64>]) -> ExactInference {
    assert_eq!(
        input.len(),
        net.sizes()[0],
        "input length must equal the network's input size"
    );
    let mut layers = vec![input.to_vec()];
    for w in net.layers() {
        let next = layer_forward(w, layers.last().expect("non-empty"), net.time.t_max);
        layers.push(next);
    }
    let decision = decide_exact(layers.last().expect("non-empty"));
    ExactInference {
        spikes: SpikeTrain::new(layers),
        decision,
    }
}
