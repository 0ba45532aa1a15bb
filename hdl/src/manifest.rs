//! The manifest: what a generated design contains, written next to the Verilog as `manifest.json`.
//!
//! Owned here, read by `sim` (through [`Manifest::load`]) and by the `ttfs` command line. The type is
//! plain serde data (no rust-hdl types in its API). It records per layer the sizes, lanes, groups,
//! the register widths used in the RTL *and* the widths golden derives from the weights
//! ([`golden::QuantLayer::widths`]; used >= derived), the weight memory file and geometry, the port
//! widths of `ttfs_top`, and the cycle lower bound of this architecture ([`Manifest::cycle_bound`]).

use crate::error::HdlError;
use golden::SpikeTrain;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Version of the manifest format.
pub const MANIFEST_VERSION: u32 = 1;

/// One layer of the generated engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerManifest {
    /// Layer number, 1 = first hidden layer.
    pub layer: usize,
    pub n_in: usize,
    pub n_out: usize,
    /// Neurons updated in parallel.
    pub lanes: usize,
    /// `ceil(n_out / lanes)`: time-multiplexed groups of lanes.
    pub groups: usize,
    /// Stored weight width (signed bits).
    pub weight_bits: u32,
    /// Slope register width used in the RTL (signed bits).
    pub slope_bits: u32,
    /// Potential register width used in the RTL (signed bits).
    pub potential_bits: u32,
    /// Slope width derived by golden from the weights (`<= slope_bits`).
    pub derived_slope_bits: u32,
    /// Potential width derived by golden from the weights (`<= potential_bits`).
    pub derived_potential_bits: u32,
    /// Firing threshold (integer).
    pub threshold_q: i64,
    /// Weight memory file name (relative; read by `$readmemh` from the simulator's cwd).
    pub memory_file: String,
    /// Words in the weight memory: `n_in * groups`; word `g * n_in + j` holds the weights from
    /// presynaptic neuron `j` to neurons `g * lanes .. g * lanes + lanes - 1` (zero beyond `n_out`).
    pub memory_depth: usize,
    /// Bits per weight memory word: `lanes * weight_bits`; lane `i` occupies bits
    /// `[i * weight_bits, (i + 1) * weight_bits)` (two's complement).
    pub memory_width_bits: usize,
    /// Words of the neuron state memory (`groups`).
    pub state_depth: usize,
    /// Bits per state word: `lanes * (slope_bits + potential_bits + 1)`.
    pub state_width_bits: usize,
}

/// Port widths of `ttfs_top` (bits; each at least 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortWidths {
    pub in_neuron: u32,
    pub in_step: u32,
    pub class_out: u32,
    pub spk_layer: u32,
    pub spk_neuron: u32,
    pub spk_step: u32,
    pub out_neuron: u32,
    pub out_step: u32,
}

/// Everything a simulator or a person needs to know about a generated design.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    /// Top module name (`ttfs_top`).
    pub top: String,
    /// Layer sizes, input first.
    pub sizes: Vec<usize>,
    pub n_steps: u32,
    pub n_in_steps: u32,
    /// How the layers are scheduled (`"layer-sequential"`: layer l runs its whole window, then l+1).
    pub engine: String,
    pub layers: Vec<LayerManifest>,
    pub ports: PortWidths,
    /// The cycle lower bound as text; [`Manifest::cycle_bound`] evaluates it.
    pub cycle_bound: String,
}

/// Text of the cycle lower bound (kept in the manifest so a reader needs no code).
pub const CYCLE_BOUND_TEXT: &str = "sum over layers l = 1..L of \
groups_l * (1 + e_l + n_steps) + s_l, where e_l = input events of layer l with step < n_steps \
(layer 1: input pixels that spike; layer l > 1: spikes of layer l-1) and s_l = spikes of layer l; \
cycles counted from the posedge that samples start to the posedge where done = 1";

/// The architecture's lower bound on the cycles of one sample, split by what drives each part:
/// `event_cycles` = sum over layers of groups x input events (one weight word per group per event; the
/// part that spike sparsity cuts), of which `hidden_event_cycles` come from hidden-layer spikes (layers
/// 2..L), `step_cycles` = groups x (n_steps + 1) per layer (fixed), `spike_cycles` = one per spike out of
/// the serializer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CycleParts {
    pub event_cycles: u64,
    pub hidden_event_cycles: u64,
    pub step_cycles: u64,
    pub spike_cycles: u64,
}

impl CycleParts {
    /// The lower bound itself: events + steps + spikes.
    pub fn total(&self) -> u64 {
        self.event_cycles + self.step_cycles + self.spike_cycles
    }
}

impl Manifest {
    /// Parses a manifest from JSON text; `origin` names the file in errors.
    pub fn from_json(text: &str, origin: &Path) -> Result<Manifest, HdlError> {
        let m: Manifest = serde_json::from_str(text).map_err(|e| HdlError::Format {
            path: origin.to_path_buf(),
            msg: format!("not a valid manifest: {e}"),
        })?;
        if m.format_version != MANIFEST_VERSION {
            return Err(HdlError::Format {
                path: origin.to_path_buf(),
                msg: format!(
                    "manifest format_version = {}, this build reads version {MANIFEST_VERSION}",
                    m.format_version
                ),
            });
        }
        if m.layers.len() + 1 != m.sizes.len() {
            return Err(HdlError::Format {
                path: origin.to_path_buf(),
                msg: format!(
                    "manifest has {} layers but {} sizes (expected layers + 1)",
                    m.layers.len(),
                    m.sizes.len()
                ),
            });
        }
        Ok(m)
    }

    /// Reads `manifest.json`.
    pub fn load(path: &Path) -> Result<Manifest, HdlError> {
        let text = std::fs::read_to_string(path).map_err(|e| HdlError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        Manifest::from_json(&text, path)
    }

    /// Pretty JSON text (what `ttfs hdl` writes as `manifest.json`).
    pub fn to_json(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Number of layers (excluding the input layer).
    pub fn n_layers(&self) -> usize {
        self.layers.len()
    }

    /// The cycle lower bound of [`CYCLE_BOUND_TEXT`] for one sample, from its spike train (golden's
    /// integer spike train: `layers[0]` = input steps, `layers[l]` = steps of layer `l`). Layers missing
    /// from `spikes` count as silent.
    pub fn cycle_bound(&self, spikes: &SpikeTrain<u32>) -> u64 {
        self.cycle_bound_parts(spikes).total()
    }

    /// The lower bound split by what drives it (see [`CycleParts`]).
    pub fn cycle_bound_parts(&self, spikes: &SpikeTrain<u32>) -> CycleParts {
        let mut parts = CycleParts::default();
        for (idx, layer) in self.layers.iter().enumerate() {
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
            let events = count(idx, Some(self.n_steps));
            let fired = count(idx + 1, None);
            let g = layer.groups as u64;
            parts.event_cycles += g * events;
            if idx > 0 {
                parts.hidden_event_cycles += g * events;
            }
            parts.step_cycles += g * (1 + self.n_steps as u64);
            parts.spike_cycles += fired;
        }
        parts
    }

    /// The exact cycle count of this architecture for one sample (same span as [`CYCLE_BOUND_TEXT`]),
    /// from golden's spike train: per layer `3 + groups * (1 + e + n_steps) + s`, plus, for every
    /// `(step, group)` that fires, one cycle per 16-lane chunk the serializer skips
    /// (`lane_of_highest_spike / 16`), minus 1 when the op issued just before a layer's last op fires
    /// (its spikes overlap the drain); plus 1 for the top's `done` register. Tested equal to the RTL
    /// in iverilog; `>= cycle_bound`.
    pub fn expected_cycles(&self, spikes: &SpikeTrain<u32>) -> u64 {
        let mut total = 1u64;
        for (idx, layer) in self.layers.iter().enumerate() {
            let input = spikes.layers.get(idx);
            let events = input.map_or(0, |v| {
                v.iter()
                    .filter(|s| matches!(s, Some(k) if *k < self.n_steps))
                    .count() as u64
            });
            let g = layer.groups as u64;
            total += 3 + g * (1 + events + self.n_steps as u64);
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
            let mut events_at = vec![0usize; self.n_steps as usize];
            if let Some(v) = input {
                for k in v.iter().flatten() {
                    if let Some(c) = events_at.get_mut(*k as usize) {
                        *c += 1;
                    }
                }
            }
            let overlap = drain_overlaps(self.n_steps, layer.groups, &events_at, |step, group| {
                firing.contains_key(&(step, group))
            });
            if overlap {
                total -= 1;
            }
        }
        total
    }
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
