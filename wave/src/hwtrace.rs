//! Membrane potential and slope of chosen neurons as the hardware computed them, read from a full-depth
//! co-simulation VCD (streaming: memory grows with the traced points, not with the file).
//!
//! What the generated RTL exposes (hdl's layer-sequential engine, `hdl/src/layer_template.v`): in each
//! layer engine `u_layer<L>`, a stage-1 operation with `op_valid = 1` and `op_absorb = 0` is the update
//! of group `op_group` at step `op_step`; lane `k` of it is neuron `op_base + k`, and its wires
//! `g_lane[k].slope` (= `S[n]`), `g_lane[k].pot_sum` (= `V[n]` unless already fired),
//! `g_lane[k].potential` (the frozen `V` of a fired neuron) and `g_lane[k].fired` hold that neuron's
//! state. Values are taken at posedges of `clock` (the values just before the edge, as sim does);
//! sample `k` starts at the `k`-th posedge with `start = 1` (0-based).
//!
//! Promise: for every requested `(sample, layer, neuron)` the points come in step order, one per step
//! `1..=n_steps` the hardware executed, and agree with [`crate::trace::neuron_trace`] on a correct
//! design (tested). A VCD traced only to the top-level ports has none of these signals: the layers are
//! then listed in [`HwTraces::missing_layers`] instead of failing.

use crate::error::{Result, WaveError};
use crate::header::{open, ScopeInfo, VcdHeader};
use sim::vcd_read::vector_value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use vcd::{Command, IdCode};

/// The hardware's state of one neuron at one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HwPoint {
    pub step: u32,
    /// `V[n]` (frozen after the spike).
    pub potential: i64,
    /// `S[n]`.
    pub slope: i64,
    /// The neuron had fired at an earlier step.
    pub fired_before: bool,
}

/// Traces keyed by `(sample, layer, neuron)`.
#[derive(Clone, Debug, Default)]
pub struct HwTraces {
    pub traces: BTreeMap<(usize, usize, usize), Vec<HwPoint>>,
    /// Requested layers whose engine signals are not in the VCD (e.g. traced with depth 1).
    pub missing_layers: Vec<usize>,
    /// Samples started in the part of the file that was read (reading stops after the last requested one).
    pub samples_seen: usize,
}

/// Slots of the tracked signals.
struct LayerSlots {
    layer: usize,
    lanes: usize,
    op_valid: usize,
    op_absorb: usize,
    op_base: usize,
    op_step: usize,
    /// Per requested neuron: (neuron, lane, pot_sum, potential, slope, fired).
    neurons: Vec<(usize, usize, usize, usize, usize, usize)>,
}

struct Slots {
    by_code: HashMap<IdCode, Vec<usize>>,
    widths: Vec<u32>,
}

impl Slots {
    fn add(&mut self, scope: &ScopeInfo, name: &str, path: &Path) -> Result<usize> {
        let v = scope.var(name).ok_or_else(|| {
            WaveError::format(
                path,
                format!("signal {name} missing in scope {}", scope.path),
            )
        })?;
        if v.size > 64 {
            return Err(WaveError::format(
                path,
                format!(
                    "{}.{name} is {} bits wide (at most 64 supported)",
                    scope.path, v.size
                ),
            ));
        }
        let slot = self.widths.len();
        self.widths.push(v.size);
        self.by_code.entry(v.code).or_default().push(slot);
        Ok(slot)
    }
}

fn signed(v: u64, width: u32) -> i64 {
    if width == 0 || width >= 64 {
        return v as i64;
    }
    let m = 1u64 << (width - 1);
    ((v & ((1u64 << width) - 1)) ^ m) as i64 - m as i64
}

/// Reads the hardware's potentials and slopes of `neurons` (`(layer, neuron)`, layer 1-based) in
/// `samples` (0-based, in the order the VCD ran them).
pub fn read_hw_traces(
    path: &Path,
    samples: &[usize],
    neurons: &[(usize, usize)],
) -> Result<HwTraces> {
    let (mut parser, header) = open(path)?;
    read_with_header(path, &mut parser, &header, samples, neurons)
}

fn read_with_header(
    path: &Path,
    parser: &mut crate::header::VcdParser,
    header: &VcdHeader,
    samples: &[usize],
    neurons: &[(usize, usize)],
) -> Result<HwTraces> {
    let top = header
        .scope_with(&["clock", "reset", "start"])
        .ok_or_else(|| {
            WaveError::format(
                path,
                "no scope declares clock, reset and start: not a ttfs_top co-simulation VCD",
            )
        })?;
    let mut slots = Slots {
        by_code: HashMap::new(),
        widths: Vec::new(),
    };
    let clock = slots.add(top, "clock", path)?;
    let reset = slots.add(top, "reset", path)?;
    let start = slots.add(top, "start", path)?;
    let mut out = HwTraces::default();
    let mut by_layer: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &(l, i) in neurons {
        by_layer.entry(l).or_default().push(i);
    }
    let mut layers = Vec::new();
    for (&l, ids) in &by_layer {
        let Some(scope) = header.scope_named(&format!("u_layer{l}")) else {
            out.missing_layers.push(l);
            continue;
        };
        if ["op_valid", "op_absorb", "op_base", "op_step"]
            .iter()
            .any(|n| scope.var(n).is_none())
        {
            out.missing_layers.push(l);
            continue;
        }
        let lane_scopes: Vec<&ScopeInfo> = header
            .children(&scope.path)
            .filter(|s| s.name.starts_with("g_lane["))
            .collect();
        let lanes = lane_scopes.len();
        if lanes == 0 {
            out.missing_layers.push(l);
            continue;
        }
        let mut ls = LayerSlots {
            layer: l,
            lanes,
            op_valid: slots.add(scope, "op_valid", path)?,
            op_absorb: slots.add(scope, "op_absorb", path)?,
            op_base: slots.add(scope, "op_base", path)?,
            op_step: slots.add(scope, "op_step", path)?,
            neurons: Vec::new(),
        };
        for &i in ids {
            let lane = i % lanes;
            let name = format!("g_lane[{lane}]");
            let ln = lane_scopes
                .iter()
                .find(|s| s.name == name)
                .ok_or_else(|| WaveError::format(path, format!("{}.{name} missing", scope.path)))?;
            ls.neurons.push((
                i,
                lane,
                slots.add(ln, "pot_sum", path)?,
                slots.add(ln, "potential", path)?,
                slots.add(ln, "slope", path)?,
                slots.add(ln, "fired", path)?,
            ));
        }
        layers.push(ls);
    }
    if layers.is_empty() {
        return Ok(out);
    }
    let wanted: BTreeSet<usize> = samples.iter().copied().collect();
    let last_wanted = wanted.iter().next_back().copied();
    let n = slots.widths.len();
    let mut cur: Vec<Option<u64>> = vec![None; n];
    let mut before = cur.clone();
    let mut seen_time = false;
    let mut starts = 0usize;
    let record = |v: &[Option<u64>], starts: &mut usize, out: &mut HwTraces| {
        if v[reset] != Some(0) {
            return;
        }
        if v[start] == Some(1) {
            *starts += 1;
        }
        let Some(sample) = starts.checked_sub(1) else {
            return;
        };
        if !wanted.contains(&sample) {
            return;
        }
        for ls in &layers {
            if v[ls.op_valid] != Some(1) || v[ls.op_absorb] != Some(0) {
                continue;
            }
            let (Some(base), Some(step)) = (v[ls.op_base], v[ls.op_step]) else {
                continue;
            };
            for &(i, lane, pot_sum, pot, slope, fired) in &ls.neurons {
                if base as usize + lane != i || i / ls.lanes != base as usize / ls.lanes {
                    continue;
                }
                let (Some(ps), Some(p), Some(s), Some(f)) =
                    (v[pot_sum], v[pot], v[slope], v[fired])
                else {
                    continue;
                };
                let fired_before = f == 1;
                let potential = if fired_before {
                    signed(p, slots.widths[pot])
                } else {
                    signed(ps, slots.widths[pot_sum])
                };
                let pts = out.traces.entry((sample, ls.layer, i)).or_default();
                let point = HwPoint {
                    step: step as u32,
                    potential,
                    slope: signed(s, slots.widths[slope]),
                    fired_before,
                };
                // One update per group and step; keep the last if an operation repeats.
                match pts.last_mut() {
                    Some(last) if last.step == point.step => *last = point,
                    _ => pts.push(point),
                }
            }
        }
    };
    for cmd in parser.by_ref() {
        let cmd = cmd.map_err(|e| WaveError::format(path, format!("VCD body: {e}")))?;
        match cmd {
            Command::Timestamp(_) => {
                if seen_time && before[clock] == Some(0) && cur[clock] == Some(1) {
                    record(&before, &mut starts, &mut out);
                    if last_wanted.is_some_and(|w| starts > w + 1) {
                        break;
                    }
                }
                seen_time = true;
                before.copy_from_slice(&cur);
            }
            Command::ChangeScalar(code, v) => {
                if let Some(s) = slots.by_code.get(&code) {
                    for &k in s {
                        cur[k] = vector_value([v]);
                    }
                }
            }
            Command::ChangeVector(code, v) => {
                if let Some(s) = slots.by_code.get(&code) {
                    let val = vector_value(v.iter());
                    for &k in s {
                        cur[k] = val;
                    }
                }
            }
            _ => {}
        }
    }
    if seen_time && before[clock] == Some(0) && cur[clock] == Some(1) {
        record(&before, &mut starts, &mut out);
    }
    out.samples_seen = starts;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::signed;

    #[test]
    fn sign_extension() {
        assert_eq!(signed(0b111, 3), -1);
        assert_eq!(signed(0b011, 3), 3);
        assert_eq!(signed(0b100, 3), -4);
        assert_eq!(signed(5, 64), 5);
    }
}
