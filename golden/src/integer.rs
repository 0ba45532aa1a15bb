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
//! check per neuron per distinct event step, not neurons x steps. All arithmetic is i64; the register
//! widths of [`crate::network::QuantLayer::widths`] bound every value, so nothing overflows.

use crate::network::QuantNetwork;
use crate::spikes::{SpikeStats, SpikeTrain};

/// A network prepared for fast repeated inference (weights transposed so that one presynaptic spike
/// reads one contiguous row, as the hardware's weight memory does).
#[derive(Clone, Debug)]
pub struct IntegerRunner {
    n_steps: u32,
    sizes: Vec<usize>,
    layers: Vec<PreparedLayer>,
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

/// Working buffers reused across layers and inferences.
#[derive(Default)]
struct Scratch {
    slope: Vec<i64>,
    pot: Vec<i64>,
    events: Vec<(u32, usize)>,
    /// Per-step counts for the counting sort of events.
    bucket: Vec<usize>,
}

/// Potential given to a neuron once it has fired: so far below any threshold that the remaining
/// slope additions (at most `|slope| * n_steps`, far below 2^61 for any valid network) can never
/// bring it back, so the update loop needs no per-neuron "already fired" branch.
const RETIRED: i64 = i64::MIN / 4;

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
        IntegerRunner {
            n_steps: net.n_steps,
            sizes: net.sizes(),
            layers,
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
        let mut scratch = Scratch::default();
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
        let decision = decide_integer(layers.last().expect("non-empty"), &out_pot);
        let spikes = SpikeTrain::new(layers);
        let stats = spikes.stats();
        IntInference {
            spikes,
            output_potentials: out_pot,
            decision,
            stats,
        }
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
/// potentials (fired neurons hold [`RETIRED`]); only if some neuron reached the threshold does a
/// second pass find the exact crossing step of each, from the potential at `from`.
fn advance(
    from: u32,
    to: u32,
    theta: i64,
    s: &mut Scratch,
    fired: &mut [Option<u32>],
    at_fire: &mut [Option<i64>],
) {
    if to <= from {
        return;
    }
    let d = (to - from) as i64;
    let mut any = false;
    for (p, &sl) in s.pot.iter_mut().zip(&s.slope) {
        *p += sl * d;
        any |= *p >= theta;
    }
    if !any {
        return;
    }
    for (i, (p, &sl)) in s.pot.iter_mut().zip(&s.slope).enumerate() {
        if *p >= theta {
            // v < theta at `from` (else it fired earlier, or is retired), so sl > 0 here.
            let v = *p - sl * d;
            let n = from as i64 + ceil_div(theta - v, sl);
            fired[i] = Some(n as u32);
            at_fire[i] = Some(v + sl * (n - from as i64));
            *p = RETIRED;
        }
    }
}

fn layer_forward(
    layer: &PreparedLayer,
    n_steps: u32,
    input: &[Option<u32>],
    s: &mut Scratch,
) -> (Vec<Option<u32>>, Vec<Option<i64>>) {
    let n_out = layer.n_out;
    s.slope.clear();
    s.slope.resize(n_out, 0);
    s.pot.clear();
    s.pot.resize(n_out, 0);
    sort_events(input, n_steps, s);
    let mut fired = vec![None; n_out];
    let mut at_fire = vec![None; n_out];
    let mut now = 0u32;
    let mut e = 0;
    let events = std::mem::take(&mut s.events);
    while e < events.len() {
        let k = events[e].0;
        advance(now, k, layer.threshold_q, s, &mut fired, &mut at_fire);
        now = k;
        while e < events.len() && events[e].0 == k {
            let j = events[e].1;
            let row = &layer.wt[j * n_out..(j + 1) * n_out];
            for (sl, &w) in s.slope.iter_mut().zip(row) {
                *sl += w as i64;
            }
            e += 1;
        }
    }
    advance(now, n_steps, layer.threshold_q, s, &mut fired, &mut at_fire);
    s.events = events;
    (fired, at_fire)
}

/// Fills `s.events` with `(step, input index)` of the spikes that count inside the window
/// (step `< n_steps`; a spike at step k counts from k + 1), ascending by step then index.
/// A counting sort when the steps are few compared with the events, else a comparison sort.
fn sort_events(input: &[Option<u32>], n_steps: u32, s: &mut Scratch) {
    s.events.clear();
    let spikes = input
        .iter()
        .enumerate()
        .filter_map(|(j, k)| k.filter(|&k| k < n_steps).map(|k| (k, j)));
    if (n_steps as usize) > 4 * input.len() + 64 {
        s.events.extend(spikes);
        s.events.sort_unstable();
        return;
    }
    s.bucket.clear();
    s.bucket.resize(n_steps as usize + 1, 0);
    let mut count = 0;
    for (k, _) in spikes.clone() {
        s.bucket[k as usize + 1] += 1;
        count += 1;
    }
    for k in 1..s.bucket.len() {
        s.bucket[k] += s.bucket[k - 1];
    }
    s.events.resize(count, (0, 0));
    // Input indices are visited in increasing order, so each bucket stays sorted by index.
    for (k, j) in spikes {
        let slot = &mut s.bucket[k as usize];
        s.events[*slot] = (k, j);
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
    let decision = decide_integer(layers.last().expect("non-empty"), &out_pot);
    let spikes = SpikeTrain::new(layers);
    let stats = spikes.stats();
    IntInference {
        spikes,
        output_potentials: out_pot,
        decision,
        stats,
    }
}
