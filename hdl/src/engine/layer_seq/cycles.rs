//! The exact cycle model of the layer-sequential engine, its lower bound and a safe upper bound.
//! Span: from the posedge that samples `start` to the posedge where `done = 1` (the contract's).

use crate::manifest::{CycleParts, Manifest};
use golden::SpikeTrain;

/// The lower bound of [`super::CYCLE_BOUND_TEXT`], split by what drives it (see [`CycleParts`]).
pub(super) fn cycle_bound_parts(m: &Manifest, spikes: &SpikeTrain<u32>) -> CycleParts {
    let mut parts = CycleParts::default();
    for (idx, layer) in m.layers.iter().enumerate() {
        let count = |l: usize, below: Option<u32>| -> u64 {
            spikes.layers.get(l).map_or(0, |v| {
                v.iter()
                    .filter(|s| match (s, below) {
                        (Some(k), Some(b)) => *k < b,
                        (Some(_), None) => true,
                        (None, _) => false,
                    })
                    .count() as u64
            })
        };
        let events = count(idx, Some(m.n_steps));
        let fired = count(idx + 1, None);
        let g = layer.groups as u64;
        parts.event_cycles += g * events;
        if idx > 0 {
            parts.hidden_event_cycles += g * events;
        }
        parts.step_cycles += g * (1 + m.n_steps as u64);
        parts.spike_cycles += fired;
    }
    parts
}

/// The exact cycle count of this architecture for one sample (same span as [`super::CYCLE_BOUND_TEXT`]),
/// from golden's spike train: per layer `3 + groups * (1 + e + n_steps) + s`, plus, for every
/// `(step, group)` that fires, one cycle per 16-lane chunk the serializer skips
/// (`lane_of_highest_spike / 16`), minus 1 when the op issued just before a layer's last op fires
/// (its spikes overlap the drain); plus 1 for the top's `done` register. Tested equal to the RTL
/// in iverilog; `>= cycle_bound`.
pub(super) fn expected_cycles(m: &Manifest, spikes: &SpikeTrain<u32>) -> u64 {
    let mut total = 1u64;
    for (idx, layer) in m.layers.iter().enumerate() {
        let input = spikes.layers.get(idx);
        let events = input.map_or(0, |v| {
            v.iter()
                .filter(|s| matches!(s, Some(k) if *k < m.n_steps))
                .count() as u64
        });
        let g = layer.groups as u64;
        total += 3 + g * (1 + events + m.n_steps as u64);
        // (step, group) -> highest chunk with a spike
        let mut firing: std::collections::BTreeMap<(u32, usize), usize> = Default::default();
        if let Some(out) = spikes.layers.get(idx + 1) {
            for (i, s) in out.iter().enumerate() {
                if let Some(step) = s {
                    total += 1;
                    let group = i / layer.lanes;
                    let chunk = (i % layer.lanes) / 16;
                    let e = firing.entry((*step, group)).or_insert(0);
                    *e = (*e).max(chunk);
                }
            }
        }
        total += firing.values().map(|&chunk| chunk as u64).sum::<u64>();
        // The drain overlaps the serializer by one cycle when the op issued just before the
        // layer's last op fires and the last op was issued right after it (see
        // `drain_overlaps`).
        let mut events_at = vec![0usize; m.n_steps as usize];
        if let Some(v) = input {
            for k in v.iter().flatten() {
                if let Some(c) = events_at.get_mut(*k as usize) {
                    *c += 1;
                }
            }
        }
        let overlap = drain_overlaps(m.n_steps, layer.groups, &events_at, |step, group| {
            firing.contains_key(&(step, group))
        });
        if overlap {
            total -= 1;
        }
    }
    total
}

/// Replays a layer's issue sequence (per step `n`: one absorb per group for each event with step
/// `n - 1`, which never fires; then the update of groups `0..groups`, which fires when the group has
/// a spike at `n`). Op `i` is issued in the cycle right after op `i - 1` unless op `i - 2` fired while
/// op `i - 1` was issued right after it (its spikes are then queued and block the issue). Returns
/// whether the last op was issued right after an op that fires: then that op's spikes leave during
/// the last op's compute cycle, one cycle of overlap with the drain.
fn drain_overlaps(
    n_steps: u32,
    groups: usize,
    events_at: &[usize],
    fired: impl Fn(u32, usize) -> bool,
) -> bool {
    // (fires, issued right after its predecessor) of the last two ops
    let mut prev2 = (false, true);
    let mut prev1 = (false, true);
    let mut push = |fires: bool| {
        let immediate = !(prev2.0 && prev1.1);
        prev2 = prev1;
        prev1 = (fires, immediate);
    };
    for n in 1..=n_steps {
        let absorbs = events_at.get(n as usize - 1).copied().unwrap_or(0) * groups;
        // two non-firing ops in a row reset the chain; more change nothing
        for _ in 0..absorbs.min(2) {
            push(false);
        }
        for g in 0..groups {
            push(fired(n, g));
        }
    }
    // prev1 = the last op, prev2 = the one before it
    prev2.0 && prev1.1
}

/// A safe upper bound per sample: 4x the lower bound of a sample in which every neuron of every
/// layer (inputs included) spikes at step 0, plus 1000. The exact count exceeds the lower bound by at
/// most `3 + chunks` per layer and per firing `(step, group)`, far below this margin.
pub(super) fn cycle_upper_bound(m: &Manifest) -> u64 {
    let all: Vec<Vec<Option<u32>>> = m.sizes.iter().map(|&n| vec![Some(0); n]).collect();
    4 * cycle_bound_parts(m, &SpikeTrain::new(all)).total() + 1000
}
