//! The exact continuous-time forward pass (SPEC section 1): closed-form spike times in f64.
//!
//! A neuron's potential is `v(t) = sum_j w_j max(0, t - t_j)`: piecewise linear, with a kink only
//! after a whole group of equal input times. The spike lies on the first segment whose potential at
//! its right end reaches `V_TH`; there `t* = (V_TH + sum_P w t) / sum_P w`, clamped into the segment.
//! Weights may be negative, so a later segment can still cross after the potential fell.
//!
//! Two forms compute it: [`crossing`] one neuron at a time (the definition, used by [`forward`] and
//! the trainer), and [`ExactRunner`] a whole layer at a time over transposed f64 weights, so the
//! same per-neuron sums run side by side in SIMD lanes ([`crate::simd`]). Each neuron's sums are
//! formed in the same order with the same operations in both, so their spike times are identical
//! bit for bit (tested in `tests/exact_runner.rs`).

use crate::network::{FloatNetwork, V_TH};
use crate::simd::{self, Level};
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
        // Keys are distinct (the index breaks ties), so an unstable sort gives the same order.
        events.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
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

/// Lanes of one block of the layer-wide pass (four AVX2 registers of f64 per running sum).
const BLOCK: usize = 16;
/// The tail of a layer is processed in blocks of this many lanes; rows are padded to a multiple.
const TAIL: usize = 4;

/// A float network prepared for fast repeated exact inference: weights widened to f64 (exactly)
/// and transposed, `[n_in][stride]`, so one input event reads one contiguous row.
#[derive(Clone, Debug)]
pub struct ExactRunner {
    t_max: f64,
    sizes: Vec<usize>,
    layers: Vec<ExactLayer>,
}

#[derive(Clone, Debug)]
struct ExactLayer {
    /// `[n_in][stride]`; lanes `n_out..stride` are 0 (their slope stays 0: they never fire).
    wt: Vec<f64>,
    n_out: usize,
    stride: usize,
}

impl ExactRunner {
    pub fn new(net: &FloatNetwork) -> Self {
        let layers = net
            .layers()
            .iter()
            .map(|w| {
                let (n_out, n_in) = w.dim();
                let stride = n_out.div_ceil(TAIL) * TAIL;
                let mut wt = vec![0.0f64; n_in * stride];
                for ((i, j), &x) in w.indexed_iter() {
                    wt[j * stride + i] = x as f64;
                }
                ExactLayer { wt, n_out, stride }
            })
            .collect();
        ExactRunner {
            t_max: net.time.t_max,
            sizes: net.sizes(),
            layers,
        }
    }

    /// Layer sizes, input first.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// The same as [`forward`] (bit for bit), with the instruction set [`simd::active`] chose.
    ///
    /// # Panics
    /// If `input.len()` differs from the network's input size.
    pub fn run(&self, input: &[Option<f64>]) -> ExactInference {
        self.run_at(input, simd::active())
    }

    /// [`ExactRunner::run`] compiled for `level` (downgraded to what the CPU has); the result is
    /// the same for every level.
    ///
    /// # Panics
    /// If `input.len()` differs from the network's input size.
    pub fn run_at(&self, input: &[Option<f64>], level: Level) -> ExactInference {
        assert_eq!(
            input.len(),
            self.sizes[0],
            "input length must equal the network's input size"
        );
        let layers = run_layers(level, self, input);
        let decision = decide_exact(layers.last().expect("non-empty"));
        ExactInference {
            spikes: SpikeTrain::new(layers),
            decision,
        }
    }
}

simd::multiversion! {
    /// Every layer's spike times, input first.
    fn run_layers(runner: &ExactRunner, input: &[Option<f64>]) -> Vec<Vec<Option<f64>>>
        => run_layers_body;
}

#[inline(always)]
fn run_layers_body(runner: &ExactRunner, input: &[Option<f64>]) -> Vec<Vec<Option<f64>>> {
    let mut layers = vec![input.to_vec()];
    let mut acc = LayerSums::default();
    for layer in &runner.layers {
        let next = layer_crossings(
            layer,
            layers.last().expect("non-empty"),
            runner.t_max,
            &mut acc,
        );
        layers.push(next);
    }
    layers
}

/// Running sums of every neuron of a layer (`stride` long), reused across layers.
#[derive(Default)]
struct LayerSums {
    /// `S = sum w` over the events so far; `-inf` once the neuron fired (never crosses again).
    slope: Vec<f64>,
    /// `sum w t` over the events so far.
    sum_wt: Vec<f64>,
}

/// [`crossing`] for every neuron of the layer at once: the same loop over event groups, with each
/// group's sums and right-end test done for a block of neurons side by side.
#[inline(always)]
fn layer_crossings(
    layer: &ExactLayer,
    input: &[Option<f64>],
    t_max: f64,
    acc: &mut LayerSums,
) -> Vec<Option<f64>> {
    let stride = layer.stride;
    let inputs = SortedInputs::new(input);
    acc.slope.clear();
    acc.slope.resize(stride, 0.0);
    acc.sum_wt.clear();
    acc.sum_wt.resize(stride, 0.0);
    let mut out = vec![None; stride];
    let mut silent = layer.n_out;
    let mut start = 0;
    for (g, &end) in inputs.group_ends.iter().enumerate() {
        let t_g = inputs.events[start].0;
        if t_g >= t_max || silent == 0 {
            break;
        }
        let group = &inputs.events[start..end];
        let t_next = inputs
            .group_ends
            .get(g + 1)
            .map_or(t_max, |_| inputs.events[end].0.min(t_max));
        let seg = (t_g, t_next);
        let mut base = 0;
        while base + BLOCK <= stride {
            silent -= group_block::<BLOCK>(base, layer, group, seg, acc, &mut out);
            base += BLOCK;
        }
        while base < stride {
            silent -= group_block::<TAIL>(base, layer, group, seg, acc, &mut out);
            base += TAIL;
        }
        start = end;
    }
    out.truncate(layer.n_out);
    out
}

/// One event group on the `N` lanes from `base`: adds the group's events to the sums, then tests
/// the potential at the segment's right end `t_next` and records the crossings (each lane exactly
/// as [`crossing`] does it). Returns how many neurons fired.
#[inline(always)]
fn group_block<const N: usize>(
    base: usize,
    layer: &ExactLayer,
    group: &[(f64, usize)],
    (t_g, t_next): (f64, f64),
    acc: &mut LayerSums,
    out: &mut [Option<f64>],
) -> usize {
    let slope: &mut [f64; N] = (&mut acc.slope[base..base + N])
        .try_into()
        .expect("N lanes");
    let sum_wt: &mut [f64; N] = (&mut acc.sum_wt[base..base + N])
        .try_into()
        .expect("N lanes");
    let (mut s, mut swt) = (*slope, *sum_wt);
    for &(t, j) in group {
        let off = j * layer.stride + base;
        let w: &[f64; N] = layer.wt[off..off + N].try_into().expect("N lanes");
        for l in 0..N {
            s[l] += w[l];
            swt[l] += w[l] * t;
        }
    }
    let mut any = false;
    for l in 0..N {
        // Potential at the segment's right end: v(t_next) = S t_next - sum w t.
        any |= (s[l] > 0.0) & (s[l] * t_next - swt[l] >= V_TH);
    }
    let mut fired = 0;
    if any {
        for l in 0..N {
            if s[l] > 0.0 && s[l] * t_next - swt[l] >= V_TH {
                out[base + l] = Some(((V_TH + swt[l]) / s[l]).clamp(t_g, t_next));
                s[l] = f64::NEG_INFINITY;
                fired += 1;
            }
        }
    }
    (*slope, *sum_wt) = (s, swt);
    fired
}
