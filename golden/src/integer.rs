//! The integer, discrete-time forward pass (SPEC section 4): the reference the RTL must match bit for bit.
//!
//! Semantics: an input spike at step `k` counts from step `k + 1` on;
//! `S_i[n] = sum_{k_j < n} W_ij`, `V_i[0] = 0`, `V_i[n] = V_i[n-1] + S_i[n]`; neuron `i` fires at the
//! first `n` in `1..=n_steps` with `V_i[n] >= threshold_q`, at most once, and its step is the next
//! layer's input step.
//!
//! The pass is event-driven: input events are grouped by step; between two event steps every neuron's
//! potential is linear in `n`, so the crossing step inside a segment is found in closed form
//! (`n = start + ceil((theta - V) / S)`), and the work is one weight-row addition per event plus one
//! check per neuron per distinct event step, not neurons x steps. The register widths of
//! [`crate::network::QuantLayer::widths`] bound every slope and potential, so nothing overflows: the
//! runner accumulates in i32 when every layer's potential fits 31 signed bits (the usual case, twice
//! the SIMD lanes) and in i64 otherwise; both give the same integers, and results are reported as i64.

use crate::network::QuantNetwork;
use crate::spikes::{SpikeStats, SpikeTrain};

/// A network prepared for fast repeated inference (weights transposed so that one presynaptic spike
/// reads one contiguous row, as the hardware's weight memory does).
#[derive(Clone, Debug)]
pub struct IntegerRunner {
    n_steps: u32,
    sizes: Vec<usize>,
    layers: Vec<PreparedLayer>,
    /// Every layer's potential (and so slope, threshold and any potential difference) fits i32.
    narrow: bool,
}

#[derive(Clone, Debug)]
struct PreparedLayer {
    /// `[n_in][n_out]`, row-major (i32 halves the memory traffic; sums are i64).
    wt: Vec<i32>,
    n_out: usize,
    threshold_q: i64,
}

/// Result of one integer inference.
#[derive(Clone, Debug, PartialEq)]
pub struct IntInference {
    /// Spike steps, input layer first.
    pub spikes: SpikeTrain<u32>,
    /// `V[n]` of each output neuron at its spike step (`None` if silent): the tie-break key.
    pub output_potentials: Vec<Option<i64>>,
    /// Predicted class (SPEC section 4 rule), `None` if no output fires.
    pub decision: Option<usize>,
    pub stats: SpikeStats,
}

impl IntInference {
    /// The inference from every layer's spike steps (input layer first, never empty) and the output
    /// neurons' potentials at their spikes: decision and statistics follow from them.
    fn from_layers(layers: Vec<Vec<Option<u32>>>, output_potentials: Vec<Option<i64>>) -> Self {
        let decision = decide_integer(layers.last().expect("non-empty"), &output_potentials);
        let spikes = SpikeTrain::new(layers);
        let stats = spikes.stats();
        IntInference {
            spikes,
            output_potentials,
            decision,
            stats,
        }
    }
}

/// Accumulator integer of the event-driven pass (i32 or i64).
trait Acc:
    Copy
    + Default
    + PartialOrd
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::BitAnd<Output = Self>
    + std::ops::AddAssign
{
    /// Mask of a neuron that has not fired yet (all ones).
    const LIVE: Self;
    /// Mask of a neuron that has fired (zero): its potential is frozen.
    const DEAD: Self;
    /// Potential given to a fired neuron: below every threshold, never updated again.
    const RETIRED: Self;
    fn of_i32(w: i32) -> Self;
    /// Callers guarantee that `x` fits (see [`IntegerRunner::new`]).
    fn of_i64(x: i64) -> Self;
    fn wide(self) -> i64;
}

impl Acc for i32 {
    const LIVE: Self = -1;
    const DEAD: Self = 0;
    const RETIRED: Self = i32::MIN;
    fn of_i32(w: i32) -> Self {
        w
    }
    fn of_i64(x: i64) -> Self {
        x as i32
    }
    fn wide(self) -> i64 {
        self as i64
    }
}

impl Acc for i64 {
    const LIVE: Self = -1;
    const DEAD: Self = 0;
    const RETIRED: Self = i64::MIN;
    fn of_i32(w: i32) -> Self {
        w as i64
    }
    fn of_i64(x: i64) -> Self {
        x
    }
    fn wide(self) -> i64 {
        self
    }
}

/// Working buffers reused across layers.
struct Scratch<T> {
    slope: Vec<T>,
    pot: Vec<T>,
    /// [`Acc::LIVE`] until the neuron fires, then [`Acc::DEAD`].
    live: Vec<T>,
    events: Vec<(u32, usize)>,
    /// Per-step counts for the counting sort of events.
    bucket: Vec<usize>,
}

impl<T> Default for Scratch<T> {
    fn default() -> Self {
        Scratch {
            slope: Vec::new(),
            pot: Vec::new(),
            live: Vec::new(),
            events: Vec::new(),
            bucket: Vec::new(),
        }
    }
}

impl IntegerRunner {
    pub fn new(net: &QuantNetwork) -> Self {
        let layers = net
            .layers()
            .iter()
            .map(|q| {
                let (n_out, n_in) = q.weights.dim();
                let mut wt = vec![0i32; n_in * n_out];
                for ((i, j), &w) in q.weights.indexed_iter() {
                    wt[j * n_out + i] = w;
                }
                PreparedLayer {
                    wt,
                    n_out,
                    threshold_q: q.threshold_q,
                }
            })
            .collect();
        // i32 suffices when every V[n] (n <= n_steps) and the threshold fit 31 signed bits: then
        // any difference V[to] - V[from] = S * (to - from) fits i32 as well.
        let narrow = net.widths().iter().all(|w| w.potential_bits <= 31);
        IntegerRunner {
            n_steps: net.n_steps,
            sizes: net.sizes(),
            layers,
            narrow,
        }
    }

    /// Width in bits of the accumulators this runner uses (32 or 64); results do not depend on it.
    pub fn accumulator_bits(&self) -> u32 {
        if self.narrow {
            32
        } else {
            64
        }
    }

    /// Layer sizes, input first.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// One inference from input steps (see [`crate::encode::encode_steps`]).
    ///
    /// # Panics
    /// If `input.len()` differs from the input size (data shapes are validated when loaded).
    pub fn run(&self, input: &[Option<u32>]) -> IntInference {
        assert_eq!(
            input.len(),
            self.sizes[0],
            "input length must equal the network's input size"
        );
        if self.narrow {
            self.run_with::<i32>(input)
        } else {
            self.run_with::<i64>(input)
        }
    }

    fn run_with<T: Acc>(&self, input: &[Option<u32>]) -> IntInference {
        let mut scratch = Scratch::<T>::default();
        let mut layers = vec![input.to_vec()];
        let mut out_pot = Vec::new();
        for layer in &self.layers {
            let (spikes, pots) = layer_forward(
                layer,
                self.n_steps,
                layers.last().expect("non-empty"),
                &mut scratch,
            );
            layers.push(spikes);
            out_pot = pots;
        }
        IntInference::from_layers(layers, out_pot)
    }
}

/// Convenience: prepare and run once. Use [`IntegerRunner`] for many inferences.
pub fn forward(net: &QuantNetwork, input: &[Option<u32>]) -> IntInference {
    IntegerRunner::new(net).run(input)
}

fn ceil_div(a: i64, b: i64) -> i64 {
    debug_assert!(a > 0 && b > 0);
    (a + b - 1) / b
}

/// Advances every silent neuron from step `from` to step `to` (exclusive/inclusive) with constant
/// slopes, recording spikes at the first crossing. The first pass is a branch-free update of all
/// live potentials (fired neurons are masked out and hold [`Acc::RETIRED`]); only if some neuron
/// reached the threshold does a second pass find each one's exact crossing step.
fn advance<T: Acc>(
    from: u32,
    to: u32,
    theta: T,
    s: &mut Scratch<T>,
    fired: &mut [Option<u32>],
    at_fire: &mut [Option<i64>],
) {
    if to <= from {
        return;
    }
    let d = T::of_i64((to - from) as i64);
    let mut any = false;
    for ((p, &sl), &live) in s.pot.iter_mut().zip(&s.slope).zip(&s.live) {
        *p += (sl * d) & live;
        any |= *p >= theta;
    }
    if !any {
        return;
    }
    let (theta, d) = (theta.wide(), (to - from) as i64);
    for (i, p) in s.pot.iter_mut().enumerate() {
        if p.wide() >= theta {
            // v < theta at `from` (else it fired earlier and is retired), so sl > 0 here.
            let sl = s.slope[i].wide();
            let v = p.wide() - sl * d;
            let n = from as i64 + ceil_div(theta - v, sl);
            fired[i] = Some(n as u32);
            at_fire[i] = Some(v + sl * (n - from as i64));
            *p = T::RETIRED;
            s.live[i] = T::DEAD;
        }
    }
}

fn layer_forward<T: Acc>(
    layer: &PreparedLayer,
    n_steps: u32,
    input: &[Option<u32>],
    s: &mut Scratch<T>,
) -> (Vec<Option<u32>>, Vec<Option<i64>>) {
    let n_out = layer.n_out;
    let theta = T::of_i64(layer.threshold_q);
    s.slope.clear();
    s.slope.resize(n_out, T::default());
    s.pot.clear();
    s.pot.resize(n_out, T::default());
    s.live.clear();
    s.live.resize(n_out, T::LIVE);
    sort_events(input, n_steps, &mut s.events, &mut s.bucket);
    let mut fired = vec![None; n_out];
    let mut at_fire = vec![None; n_out];
    let mut now = 0u32;
    let mut e = 0;
    let events = std::mem::take(&mut s.events);
    while e < events.len() {
        let k = events[e].0;
        advance(now, k, theta, s, &mut fired, &mut at_fire);
        now = k;
        while e < events.len() && events[e].0 == k {
            let j = events[e].1;
            let row = &layer.wt[j * n_out..(j + 1) * n_out];
            for (sl, &w) in s.slope.iter_mut().zip(row) {
                *sl += T::of_i32(w);
            }
            e += 1;
        }
    }
    advance(now, n_steps, theta, s, &mut fired, &mut at_fire);
    s.events = events;
    (fired, at_fire)
}

/// Fills `s.events` with `(step, input index)` of the spikes that count inside the window
/// (step `< n_steps`; a spike at step k counts from k + 1), ascending by step then index.
/// A counting sort when the steps are few compared with the events, else a comparison sort.
fn sort_events(
    input: &[Option<u32>],
    n_steps: u32,
    events: &mut Vec<(u32, usize)>,
    bucket: &mut Vec<usize>,
) {
    events.clear();
    let spikes = input
        .iter()
        .enumerate()
        .filter_map(|(j, k)| k.filter(|&k| k < n_steps).map(|k| (k, j)));
    if (n_steps as usize) > 4 * input.len() + 64 {
        events.extend(spikes);
        events.sort_unstable();
        return;
    }
    bucket.clear();
    bucket.resize(n_steps as usize + 1, 0);
    let mut count = 0;
    for (k, _) in spikes.clone() {
        bucket[k as usize + 1] += 1;
        count += 1;
    }
    for k in 1..bucket.len() {
        bucket[k] += bucket[k - 1];
    }
    events.resize(count, (0, 0));
    // Input indices are visited in increasing order, so each bucket stays sorted by index.
    for (k, j) in spikes {
        let slot = &mut bucket[k as usize];
        events[*slot] = (k, j);
        *slot += 1;
    }
}

/// SPEC section 4 decision: first output step; ties to the larger `V[n]`, then the lower index.
pub fn decide_integer(steps: &[Option<u32>], potentials: &[Option<i64>]) -> Option<usize> {
    let mut best: Option<(usize, u32, i64)> = None;
    for (i, (k, v)) in steps.iter().zip(potentials).enumerate() {
        if let (Some(k), Some(v)) = (*k, *v) {
            let better = match best {
                None => true,
                Some((_, bk, bv)) => k < bk || (k == bk && v > bv),
            };
            if better {
                best = Some((i, k, v));
            }
        }
    }
    best.map(|(i, _, _)| i)
}

/// The naive reference: `V_i[n] = sum_j W_ij (n - k_j)` evaluated directly at every step
/// (O(neurons x steps x inputs)); used by tests to check the event-driven pass.
pub fn forward_naive(net: &QuantNetwork, input: &[Option<u32>]) -> IntInference {
    let mut layers = vec![input.to_vec()];
    let mut out_pot = Vec::new();
    for q in net.layers() {
        let prev = layers.last().expect("non-empty").clone();
        let mut spikes = Vec::new();
        let mut pots = Vec::new();
        for row in q.weights.rows() {
            let mut hit = None;
            for n in 1..=net.n_steps {
                let v: i64 = row
                    .iter()
                    .zip(&prev)
                    .filter_map(|(&w, k)| k.filter(|&k| k < n).map(|k| w as i64 * (n - k) as i64))
                    .sum();
                if v >= q.threshold_q {
                    hit = Some((n, v));
                    break;
                }
            }
            spikes.push(hit.map(|h| h.0));
            pots.push(hit.map(|h| h.1));
        }
        layers.push(spikes);
        out_pot = pots;
    }
    IntInference::from_layers(layers, out_pot)
}
