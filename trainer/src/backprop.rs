//! One sample's forward pass, objective and exact gradient (SPEC sections 1-3).
//!
//! The forward pass has golden's semantics exactly: it calls `golden::exact::crossing` (generic over
//! the weight type: f32 for training, f64 for gradient checks); the pixel fast path sorts exactly like
//! `SortedInputs::new` (tested bit for bit against `golden::exact::forward`). The objective of one sample, with `scale` the sample's weight in the batch
//! mean (`1 / batch`):
//!
//! * cross-entropy on `softmax(-t_k / tau)` over the outputs; a silent output enters the softmax at
//!   `t = T_max` and gets no gradient;
//! * when the target output is silent, `silent_target_weight * max(0, V_th - v_target^nr(T_max))`, with
//!   `v^nr(T_max) = sum_{t_j < T_max} w_j (T_max - t_j)` (the potential without reset at the end of the
//!   window), which pulls the target's weights up until it fires;
//! * `gamma_l` times the regularizer of hidden layer `l` (M-SSR, F-SSR or `R_MP(v_ref)` of SPEC section 3).
//!
//! Gradients: `dt_i/dw_ij = (t_j - t_i) / S_i`, `dt_i/dt_j = w_ij / S_i` on the causal set, with `1/S_i`
//! replaced by `1 / max(S_i, min_slope)` (the cap). F-SSR and `R_MP` differentiate their closed forms
//! directly. For `R_MP` the dependence on a fired neuron's own spike time cancels (the held potential
//! `u` is continuous at the spike: the integrand is `V_th - v_ref` on both sides), so its gradient is the
//! integral of `1[v > v_ref] * dv/dtheta` over the pre-spike window, computed exactly per linear segment.
//! F-SSR gives no gradient to a silent neuron (its `v^nr(T_max) < V_th` anyway); `R_MP` is summed over
//! all neurons as written in the SPEC, so for a silent neuron it can only lower the potential further.

use crate::config::RegKind;
use golden::exact::{decide_exact, Crossing, SortedInputs};
use golden::V_TH;

/// A weight layer seen as a row-major `[n_out][n_in]` slice of any float type.
#[derive(Clone, Copy, Debug)]
pub struct LayerRef<'a, W> {
    pub w: &'a [W],
    pub n_out: usize,
    pub n_in: usize,
}

impl<'a, W: Copy> LayerRef<'a, W> {
    fn row(&self, i: usize) -> &'a [W] {
        &self.w[i * self.n_in..(i + 1) * self.n_in]
    }
}

/// The crossing is golden's own definition (generic over the weight float type), so the trainer's
/// forward pass is the model's by construction.
pub use golden::exact::crossing;

/// What the objective contains (built from a `TrainConfig`; tests switch terms on and off).
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    pub t_max: f64,
    pub tau: f64,
    /// Backward `1/S` uses `1 / max(S, min_slope)`.
    pub min_slope: f64,
    /// Weight of the cross-entropy (1 in training).
    pub ce_weight: f64,
    /// Weight of the silent-target hinge.
    pub silent_target_weight: f64,
    pub reg: RegKind,
    /// One strength per hidden layer.
    pub gammas: Vec<f64>,
    /// `R_MP` reference voltage (only for `RegKind::Mp`).
    pub v_ref: f64,
}

/// Losses and spike counts of one sample (unscaled: `total` applies the weights and `gammas`, not `scale`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SampleStats {
    pub ce: f64,
    pub hinge: f64,
    /// Regularizer value per hidden layer (before `gamma`).
    pub reg: Vec<f64>,
    /// `ce_weight * ce + silent_target_weight * hinge + sum_l gamma_l * reg_l`.
    pub total: f64,
    pub correct: bool,
    /// Spikes per layer, layer 1 first (input excluded).
    pub spikes: Vec<usize>,
}

/// Per-sample buffers, reused across samples (no allocation per sample once warmed up).
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    /// `inputs[l]` = sorted spikes entering weight layer `l` (0 = pixels).
    inputs: Vec<SortedInputs>,
    /// `times[l]` / `cross[l]` = output of weight layer `l`.
    times: Vec<Vec<Option<f64>>>,
    cross: Vec<Vec<Option<Crossing>>>,
    /// `delta[l]` = dLoss/dt of the spikes entering weight layer `l` (index 0 = pixels, unused) and
    /// `delta[L]` = of the outputs.
    delta: Vec<Vec<f64>>,
    seg_a: Vec<f64>,
    seg_b: Vec<f64>,
    bucket: Vec<usize>,
    sizes: Vec<usize>,
}

impl Workspace {
    /// Fills the input layer from pixel bytes: `t = t_in (1 - x/255)`, no spike for 0, exactly as
    /// `golden::encode::encode_exact` + `SortedInputs::new` (counting sort: brightest first, ties by index).
    pub fn set_pixels(&mut self, pixels: &[u8], t_in: f64) {
        if self.inputs.is_empty() {
            self.inputs.push(SortedInputs::default());
        }
        self.bucket.clear();
        self.bucket.resize(257, 0);
        for &x in pixels {
            if x > 0 {
                self.bucket[255 - x as usize + 1] += 1;
            }
        }
        for b in 1..257 {
            self.bucket[b] += self.bucket[b - 1];
        }
        let total = self.bucket[256];
        let inp = &mut self.inputs[0];
        inp.events.clear();
        inp.events.resize(total, (0.0, 0));
        for (j, &x) in pixels.iter().enumerate() {
            if x > 0 {
                let b = 255 - x as usize;
                inp.events[self.bucket[b]] = (t_in * (1.0 - x as f64 / 255.0), j);
                self.bucket[b] += 1;
            }
        }
        fill_groups(inp);
    }

    /// Fills the input layer from arbitrary spike times (tests and non-pixel inputs).
    pub fn set_input_times(&mut self, times: &[Option<f64>]) {
        if self.inputs.is_empty() {
            self.inputs.push(SortedInputs::default());
        }
        sort_into(&mut self.inputs[0], times);
    }

    /// Output spike times of weight layer `l` after [`forward`].
    pub fn layer_times(&self, l: usize) -> &[Option<f64>] {
        &self.times[l]
    }

    /// Crossings (spike time, causal-set size, slope) of weight layer `l` after [`forward`].
    pub fn layer_crossings(&self, l: usize) -> &[Option<Crossing>] {
        &self.cross[l]
    }

    fn ensure(&mut self, sizes: &[usize]) {
        let n_layers = sizes.len() - 1;
        self.inputs.resize_with(n_layers, SortedInputs::default);
        self.times.resize_with(n_layers, Vec::new);
        self.cross.resize_with(n_layers, Vec::new);
        self.delta.resize_with(n_layers + 1, Vec::new);
        for l in 0..n_layers {
            self.times[l].resize(sizes[l + 1], None);
            self.cross[l].resize(sizes[l + 1], None);
        }
        for (l, d) in self.delta.iter_mut().enumerate() {
            d.clear();
            d.resize(sizes[l], 0.0);
        }
    }
}

fn fill_groups(inp: &mut SortedInputs) {
    inp.group_ends.clear();
    let n = inp.events.len();
    for k in 1..=n {
        if k == n || inp.events[k].0 != inp.events[k - 1].0 {
            inp.group_ends.push(k);
        }
    }
}

fn sort_into(inp: &mut SortedInputs, times: &[Option<f64>]) {
    inp.events.clear();
    inp.events.extend(
        times
            .iter()
            .enumerate()
            .filter_map(|(j, t)| t.map(|t| (t, j))),
    );
    inp.events
        .sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    fill_groups(inp);
}

/// Forward pass of all layers (the input layer must have been set). Returns the predicted class.
pub fn forward<W: Copy + Into<f64>>(
    layers: &[LayerRef<'_, W>],
    t_max: f64,
    ws: &mut Workspace,
) -> Option<usize> {
    let mut sizes = std::mem::take(&mut ws.sizes);
    sizes.clear();
    sizes.push(layers[0].n_in);
    sizes.extend(layers.iter().map(|l| l.n_out));
    ws.ensure(&sizes);
    ws.sizes = sizes;
    for (l, layer) in layers.iter().enumerate() {
        for i in 0..layer.n_out {
            let c = crossing(&ws.inputs[l], layer.row(i), t_max);
            ws.cross[l][i] = c;
            ws.times[l][i] = c.map(|c| c.time);
        }
        if l + 1 < layers.len() {
            sort_into(&mut ws.inputs[l + 1], &ws.times[l]);
        }
    }
    decide_exact(&ws.times[layers.len() - 1])
}

/// `v^nr(T_max) = sum_{t_j < T_max} w_j (T_max - t_j)`.
fn v_end<W: Copy + Into<f64>>(inp: &SortedInputs, w: &[W], t_max: f64) -> f64 {
    let mut v = 0.0;
    for &(t, j) in &inp.events {
        if t >= t_max {
            break;
        }
        v += w[j].into() * (t_max - t);
    }
    v
}

/// Adds `coef * d v^nr(T_max) / d theta` to the weight gradient row and (if given) the input deltas.
fn add_v_end_grad<W: Copy + Into<f64>>(
    inp: &SortedInputs,
    w: &[W],
    t_max: f64,
    coef: f64,
    grad_row: &mut [f64],
    delta_in: Option<&mut [f64]>,
) {
    let mut delta_in = delta_in;
    for &(t, j) in &inp.events {
        if t >= t_max {
            break;
        }
        grad_row[j] += coef * (t_max - t);
        if let Some(d) = delta_in.as_deref_mut() {
            d[j] -= coef * w[j].into();
        }
    }
}

/// `R_MP` term of one neuron, `(1/(V_th - v_ref)) int_0^T max(0, u - v_ref) dt`, and (if `coef != 0`)
/// `coef` times its gradient added to the weight row and input deltas.
#[allow(clippy::too_many_arguments)]
fn mp_neuron<W: Copy + Into<f64>>(
    inp: &SortedInputs,
    w: &[W],
    spike: Option<&Crossing>,
    t_max: f64,
    v_ref: f64,
    coef: f64,
    seg_a: &mut Vec<f64>,
    seg_b: &mut Vec<f64>,
    grad_row: &mut [f64],
    delta_in: Option<&mut [f64]>,
) -> f64 {
    let inv = 1.0 / (V_TH - v_ref);
    let t_end = spike.map_or(t_max, |c| c.time);
    // Groups that start before t_end take part; segment g (after the first g groups) runs from the
    // g-th group time (0 for g = 0) to the next group time or t_end.
    let mut n_groups = 0;
    let mut start = 0;
    for &end in &inp.group_ends {
        if inp.events[start].0 >= t_end {
            break;
        }
        n_groups += 1;
        start = end;
    }
    seg_a.clear();
    seg_b.clear();
    let (mut slope, mut sum_wt) = (0.0f64, 0.0f64);
    let mut value = 0.0;
    let mut a = 0.0;
    let mut start = 0;
    for g in 0..=n_groups {
        if g > 0 {
            let end = inp.group_ends[g - 1];
            for &(t, j) in &inp.events[start..end] {
                let wj: f64 = w[j].into();
                slope += wj;
                sum_wt += wj * t;
            }
            a = inp.events[start].0;
            start = end;
        }
        let b = if g < n_groups {
            inp.events[start].0.min(t_end)
        } else {
            t_end
        };
        // v(t) = slope t - sum_wt on [a, b]; part above v_ref:
        let (lo, hi) = if slope > 0.0 {
            (a.max((v_ref + sum_wt) / slope), b)
        } else if slope < 0.0 {
            (a, b.min((v_ref + sum_wt) / slope))
        } else if -sum_wt > v_ref {
            (a, b)
        } else {
            (a, a)
        };
        if hi > lo {
            value += slope * (hi * hi - lo * lo) / 2.0 - (sum_wt + v_ref) * (hi - lo);
            seg_a.push((hi * hi - lo * lo) / 2.0);
            seg_b.push(hi - lo);
        } else {
            seg_a.push(0.0);
            seg_b.push(0.0);
        }
    }
    if spike.is_some() {
        value += (V_TH - v_ref) * (t_max - t_end);
    }
    if coef != 0.0 {
        // Suffix sums: an input of group g (1-based) is active on segments g..=n_groups.
        for s in (0..n_groups).rev() {
            seg_a[s] += seg_a[s + 1];
            seg_b[s] += seg_b[s + 1];
        }
        let c = coef * inv;
        let mut delta_in = delta_in;
        let mut start = 0;
        for g in 1..=n_groups {
            let end = inp.group_ends[g - 1];
            let (sa, sb) = (seg_a[g], seg_b[g]);
            if sb != 0.0 {
                for &(t, j) in &inp.events[start..end] {
                    grad_row[j] += c * (sa - t * sb);
                    if let Some(d) = delta_in.as_deref_mut() {
                        d[j] -= c * w[j].into() * sb;
                    }
                }
            }
            start = end;
        }
    }
    value * inv
}

/// Forward pass, objective and gradient of one sample whose input layer has been set in `ws`.
/// Adds `scale` times the gradient to `grads` (one row-major `[n_out * n_in]` buffer per layer).
pub fn forward_backward<W: Copy + Into<f64>>(
    layers: &[LayerRef<'_, W>],
    label: usize,
    obj: &Objective,
    scale: f64,
    ws: &mut Workspace,
    grads: &mut [Vec<f64>],
) -> SampleStats {
    let mut stats = SampleStats::default();
    forward_backward_into(layers, label, obj, scale, ws, grads, &mut stats);
    stats
}

/// As [`forward_backward`], writing the statistics into `stats` (its vectors are reused, so the
/// training loop allocates nothing per sample).
pub fn forward_backward_into<W: Copy + Into<f64>>(
    layers: &[LayerRef<'_, W>],
    label: usize,
    obj: &Objective,
    scale: f64,
    ws: &mut Workspace,
    grads: &mut [Vec<f64>],
    stats: &mut SampleStats,
) {
    let decision = forward(layers, obj.t_max, ws);
    let n_layers = layers.len();
    let t_max = obj.t_max;
    stats.ce = 0.0;
    stats.hinge = 0.0;
    stats.correct = decision == Some(label);
    stats.spikes.clear();
    stats.spikes.extend(
        ws.times
            .iter()
            .map(|t| t.iter().filter(|s| s.is_some()).count()),
    );
    stats.reg.clear();
    stats.reg.resize(n_layers - 1, 0.0);
    let Workspace {
        inputs,
        cross,
        delta,
        seg_a,
        seg_b,
        ..
    } = ws;

    // Output layer: cross-entropy on softmax(-t / tau), silent outputs at t = T_max without gradient.
    {
        let out = &cross[n_layers - 1];
        let z = |k: usize| -out[k].map_or(t_max, |c| c.time) / obj.tau;
        let zmax = (0..out.len()).map(z).fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = (0..out.len()).map(|k| (z(k) - zmax).exp()).sum();
        stats.ce = zmax + sum.ln() - z(label);
        let d_out = &mut delta[n_layers];
        for k in 0..out.len() {
            if out[k].is_some() {
                let p = (z(k) - zmax).exp() / sum;
                let y = if k == label { 1.0 } else { 0.0 };
                d_out[k] = scale * obj.ce_weight * (-(p - y) / obj.tau);
            }
        }
    }

    for l in (0..n_layers).rev() {
        let layer = &layers[l];
        let inp = &inputs[l];
        let (lower, upper) = delta.split_at_mut(l + 1);
        let d_here = &mut upper[0];
        let mut d_in = if l > 0 { Some(&mut lower[l][..]) } else { None };
        let grad = &mut grads[l];
        if l == n_layers - 1 {
            if cross[l][label].is_none() {
                let v = v_end(inp, layer.row(label), t_max);
                let h = (V_TH - v).max(0.0);
                stats.hinge = h;
                if h > 0.0 && obj.silent_target_weight != 0.0 {
                    let row = &mut grad[label * layer.n_in..(label + 1) * layer.n_in];
                    add_v_end_grad(
                        inp,
                        layer.row(label),
                        t_max,
                        -scale * obj.silent_target_weight,
                        row,
                        d_in.as_deref_mut(),
                    );
                }
            }
        } else {
            let gamma = obj.gammas[l];
            let gs = scale * gamma;
            let mut r = 0.0;
            match obj.reg {
                RegKind::None => {}
                RegKind::Mssr => {
                    for (i, c) in cross[l].iter().enumerate() {
                        if let Some(c) = c {
                            r += t_max - c.time;
                            d_here[i] -= gs;
                        }
                    }
                }
                RegKind::Fssr => {
                    for (i, c) in cross[l].iter().enumerate() {
                        if c.is_some() {
                            let v = v_end(inp, layer.row(i), t_max);
                            if v > V_TH {
                                r += v - V_TH;
                                if gs != 0.0 {
                                    let row = &mut grad[i * layer.n_in..(i + 1) * layer.n_in];
                                    add_v_end_grad(
                                        inp,
                                        layer.row(i),
                                        t_max,
                                        gs,
                                        row,
                                        d_in.as_deref_mut(),
                                    );
                                }
                            }
                        }
                    }
                }
                RegKind::Mp => {
                    for i in 0..layer.n_out {
                        let row = &mut grad[i * layer.n_in..(i + 1) * layer.n_in];
                        r += mp_neuron(
                            inp,
                            layer.row(i),
                            cross[l][i].as_ref(),
                            t_max,
                            obj.v_ref,
                            gs,
                            seg_a,
                            seg_b,
                            row,
                            d_in.as_deref_mut(),
                        );
                    }
                }
            }
            stats.reg[l] = r;
        }
        // Spike-time gradient through the causal sets.
        for (i, c) in cross[l].iter().enumerate() {
            let Some(c) = c else { continue };
            let d = d_here[i];
            if d == 0.0 {
                continue;
            }
            let inv_s = 1.0 / c.slope.max(obj.min_slope);
            let f = d * inv_s;
            let w = layer.row(i);
            let row = &mut grad[i * layer.n_in..(i + 1) * layer.n_in];
            for &(t_j, j) in &inp.events[..c.n_causal] {
                row[j] += f * (t_j - c.time);
                if let Some(dd) = d_in.as_deref_mut() {
                    dd[j] += f * w[j].into();
                }
            }
        }
    }
    stats.total = obj.ce_weight * stats.ce
        + obj.silent_target_weight * stats.hinge
        + stats
            .reg
            .iter()
            .zip(&obj.gammas)
            .map(|(r, g)| r * g)
            .sum::<f64>();
}
