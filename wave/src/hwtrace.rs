//! Membrane potential and slope of chosen neurons as the hardware computed them, read from a full-depth
//! co-simulation VCD (streaming: memory grows with the traced points, not with the file).
//!
//! What it reads is named by the design's manifest, not known here: its debug signals
//! ([`hdl::DebugSignal`], meanings as documented at [`hdl::Meaning`]). Per layer, a posedge where the
//! layer's `OpValid` signal is 1 and its `OpAbsorb` signal is 0 is an update at step `OpStep`; each
//! lane's `PotSum` (= `V[n]` unless already fired), `Potential` (the frozen `V` of a fired neuron),
//! `Slope` (= `S[n]`) and `Fired` then hold the state of neuron `value of base + lane` (the lane's
//! [`hdl::NeuronMap`]). Values are taken at posedges of `clock` (the values just before the edge, as
//! sim does); sample `k` starts at the `k`-th posedge with `start = 1` (0-based).
//!
//! Promise: for every requested `(sample, layer, neuron)` the points come in step order, one per step
//! `1..=n_steps` the hardware executed, and agree with [`crate::trace::neuron_trace`] on a correct
//! design (tested). A VCD traced only to the top-level ports has none of these signals: the layers are
//! then listed in [`HwTraces::missing_layers`] instead of failing.

use crate::error::{Result, WaveError};
use crate::header::{open, ScopeInfo, VarInfo, VcdHeader};
use hdl::contract::Role;
use hdl::{DebugSignal, Meaning};
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

/// Slots of one lane's tracked signals.
pub(crate) struct LaneSlots {
    pub lane: usize,
    base: usize,
    pot_sum: usize,
    potential: usize,
    slope: usize,
    fired: usize,
}

impl LaneSlots {
    /// The neuron this lane holds and its state, if the values `v` (sampled before a posedge)
    /// are an update of step `step` and known (not x/z).
    pub(crate) fn point(
        &self,
        v: &[Option<u64>],
        widths: &[u32],
        step: u32,
    ) -> Option<(usize, HwPoint)> {
        let base = v[self.base]?;
        let (ps, p, s, f) = (
            v[self.pot_sum]?,
            v[self.potential]?,
            v[self.slope]?,
            v[self.fired]?,
        );
        let fired_before = f == 1;
        let potential = if fired_before {
            signed(p, widths[self.potential])
        } else {
            signed(ps, widths[self.pot_sum])
        };
        let point = HwPoint {
            step,
            potential,
            slope: signed(s, widths[self.slope]),
            fired_before,
        };
        Some((base as usize + self.lane, point))
    }

    /// Widths of the potential and the slope.
    pub(crate) fn widths(&self, widths: &[u32]) -> (u32, u32) {
        (
            widths[self.pot_sum].max(widths[self.potential]),
            widths[self.slope],
        )
    }
}

/// Slots of one layer's tracked signals.
pub(crate) struct LayerSlots {
    pub layer: usize,
    op_valid: usize,
    op_absorb: usize,
    op_step: usize,
    pub lanes: Vec<LaneSlots>,
    /// The requested neurons of this layer.
    wanted: BTreeSet<usize>,
}

impl LayerSlots {
    /// Width of the step of an update.
    pub(crate) fn step_width(&self, widths: &[u32]) -> u32 {
        widths[self.op_step]
    }

    /// The step whose neuron update the values `v` (sampled before a posedge) carry, if any.
    pub(crate) fn update_step(&self, v: &[Option<u64>]) -> Option<u32> {
        if v[self.op_valid] != Some(1) || v[self.op_absorb] != Some(0) {
            return None;
        }
        v[self.op_step].map(|s| s as u32)
    }
}

/// The tracked signals of a VCD, one slot each (a signal declared twice shares its slot).
#[derive(Default)]
pub(crate) struct Slots {
    by_code: HashMap<IdCode, Vec<usize>>,
    pub widths: Vec<u32>,
    by_name: HashMap<String, usize>,
}

impl Slots {
    fn add_var(&mut self, scope: &ScopeInfo, v: &VarInfo, path: &Path) -> Result<usize> {
        let full = VcdHeader::full_name(scope, v);
        if let Some(&slot) = self.by_name.get(&full) {
            return Ok(slot);
        }
        if v.size > 64 {
            return Err(WaveError::format(
                path,
                format!("{full} is {} bits wide (at most 64 supported)", v.size),
            ));
        }
        let slot = self.widths.len();
        self.widths.push(v.size);
        self.by_code.entry(v.code).or_default().push(slot);
        self.by_name.insert(full, slot);
        Ok(slot)
    }

    pub(crate) fn add(&mut self, scope: &ScopeInfo, name: &str, path: &Path) -> Result<usize> {
        let v = scope.var(name).ok_or_else(|| {
            WaveError::format(
                path,
                format!("signal {name} missing in scope {}", scope.path),
            )
        })?;
        self.add_var(scope, v, path)
    }

    /// The slots of top-level ports of `ttfs_top` (by their contract role), looked up in the
    /// shallowest scope declaring all of them.
    pub(crate) fn ports<const N: usize>(
        &mut self,
        header: &VcdHeader,
        path: &Path,
        roles: [Role; N],
    ) -> Result<[usize; N]> {
        let names = roles.map(Role::name);
        let top = header.scope_with(&names).ok_or_else(|| {
            WaveError::format(
                path,
                format!(
                    "no scope declares {}: not a ttfs_top co-simulation VCD",
                    names.join(", ")
                ),
            )
        })?;
        let mut out = [0; N];
        for (o, n) in out.iter_mut().zip(names) {
            *o = self.add(top, n, path)?;
        }
        Ok(out)
    }

    /// The slot of a design signal (path from the top module), `None` if the VCD lacks it.
    pub(crate) fn add_design(
        &mut self,
        header: &VcdHeader,
        sig: &str,
        path: &Path,
    ) -> Result<Option<usize>> {
        match header.design_var(sig) {
            Some((scope, v)) => self.add_var(scope, v, path).map(Some),
            None => Ok(None),
        }
    }
}

/// The slots of `layer`'s update qualifiers and lanes, `None` if the VCD lacks them.
pub(crate) fn layer_slots(
    header: &VcdHeader,
    debug_signals: &[DebugSignal],
    layer: usize,
    wanted: BTreeSet<usize>,
    slots: &mut Slots,
    path: &Path,
) -> Result<Option<LayerSlots>> {
    let sigs: Vec<&DebugSignal> = debug_signals.iter().filter(|s| s.layer == layer).collect();
    let mut control = |m: Meaning| -> Result<Option<usize>> {
        match sigs.iter().find(|s| s.meaning == m && s.neuron.is_none()) {
            Some(s) => slots.add_design(header, &s.path, path),
            None => Ok(None),
        }
    };
    let (Some(op_valid), Some(op_absorb), Some(op_step)) = (
        control(Meaning::OpValid)?,
        control(Meaning::OpAbsorb)?,
        control(Meaning::OpStep)?,
    ) else {
        return Ok(None);
    };
    // lane -> (base, pot_sum, potential, slope, fired) paths
    let mut by_lane: BTreeMap<usize, (String, [Option<&str>; 4])> = BTreeMap::new();
    for s in &sigs {
        let Some(map) = &s.neuron else { continue };
        let k = match s.meaning {
            Meaning::PotSum => 0,
            Meaning::Potential => 1,
            Meaning::Slope => 2,
            Meaning::Fired => 3,
            _ => continue,
        };
        let e = by_lane
            .entry(map.lane)
            .or_insert_with(|| (map.base.clone(), [None; 4]));
        e.1[k] = Some(&s.path);
    }
    let mut lanes = Vec::new();
    for (lane, (base, paths)) in by_lane {
        let [Some(ps), Some(p), Some(sl), Some(f)] = paths else {
            continue;
        };
        let found = (
            slots.add_design(header, &base, path)?,
            slots.add_design(header, ps, path)?,
            slots.add_design(header, p, path)?,
            slots.add_design(header, sl, path)?,
            slots.add_design(header, f, path)?,
        );
        if let (Some(base), Some(pot_sum), Some(potential), Some(slope), Some(fired)) = found {
            lanes.push(LaneSlots {
                lane,
                base,
                pot_sum,
                potential,
                slope,
                fired,
            });
        }
    }
    if lanes.is_empty() {
        return Ok(None);
    }
    Ok(Some(LayerSlots {
        layer,
        op_valid,
        op_absorb,
        op_step,
        lanes,
        wanted,
    }))
}

pub(crate) fn signed(v: u64, width: u32) -> i64 {
    if width == 0 || width >= 64 {
        return v as i64;
    }
    let m = 1u64 << (width - 1);
    ((v & ((1u64 << width) - 1)) ^ m) as i64 - m as i64
}

/// Reads the hardware's potentials and slopes of `neurons` (`(layer, neuron)`, layer 1-based) in
/// `samples` (0-based, in the order the VCD ran them), through `debug_signals` (the manifest's of the
/// design that was simulated; a layer without them is listed in [`HwTraces::missing_layers`]).
pub fn read_hw_traces(
    path: &Path,
    debug_signals: &[DebugSignal],
    samples: &[usize],
    neurons: &[(usize, usize)],
) -> Result<HwTraces> {
    let (mut parser, header) = open(path)?;
    read_with_header(path, &mut parser, &header, debug_signals, samples, neurons)
}

fn read_with_header(
    path: &Path,
    parser: &mut crate::header::VcdParser,
    header: &VcdHeader,
    debug_signals: &[DebugSignal],
    samples: &[usize],
    neurons: &[(usize, usize)],
) -> Result<HwTraces> {
    let mut slots = Slots::default();
    let [clock, reset, start] =
        slots.ports(header, path, [Role::Clock, Role::Reset, Role::Start])?;
    let mut out = HwTraces::default();
    let mut by_layer: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for &(l, i) in neurons {
        by_layer.entry(l).or_default().insert(i);
    }
    let mut layers = Vec::new();
    for (l, ids) in by_layer {
        match layer_slots(header, debug_signals, l, ids, &mut slots, path)? {
            Some(ls) => layers.push(ls),
            None => out.missing_layers.push(l),
        }
    }
    if layers.is_empty() {
        return Ok(out);
    }
    let wanted: BTreeSet<usize> = samples.iter().copied().collect();
    let last_wanted = wanted.iter().next_back().copied();
    let mut starts = 0usize;
    posedges(path, parser, &slots, clock, |v, _| {
        if v[reset] != Some(0) {
            return true;
        }
        if v[start] == Some(1) {
            starts += 1;
            if last_wanted.is_some_and(|w| starts > w + 1) {
                return false;
            }
        }
        let Some(sample) = starts.checked_sub(1) else {
            return true;
        };
        if !wanted.contains(&sample) {
            return true;
        }
        for ls in &layers {
            let Some(step) = ls.update_step(v) else {
                continue;
            };
            for lane in &ls.lanes {
                let Some((i, point)) = lane.point(v, &slots.widths, step) else {
                    continue;
                };
                if !ls.wanted.contains(&i) {
                    continue;
                }
                let pts = out.traces.entry((sample, ls.layer, i)).or_default();
                // One update per group and step; keep the last if an operation repeats.
                match pts.last_mut() {
                    Some(last) if last.step == point.step => *last = point,
                    _ => pts.push(point),
                }
            }
        }
        true
    })?;
    out.samples_seen = starts;
    Ok(out)
}

/// Streams the body of a VCD whose header `parser` has read, calling `at(values, time)` at every
/// posedge of the `clock` slot with the tracked values just before the edge (what the flip-flops
/// see, as `sim` samples them) and the time of the edge; `at` returns `false` to stop reading.
pub(crate) fn posedges(
    path: &Path,
    parser: &mut crate::header::VcdParser,
    slots: &Slots,
    clock: usize,
    mut at: impl FnMut(&[Option<u64>], u64) -> bool,
) -> Result<()> {
    let n = slots.widths.len();
    let mut cur: Vec<Option<u64>> = vec![None; n];
    let mut before = cur.clone();
    let mut time: Option<u64> = None;
    for cmd in parser.by_ref() {
        let cmd = cmd.map_err(|e| WaveError::format(path, format!("VCD body: {e}")))?;
        match cmd {
            Command::Timestamp(t) => {
                if let Some(edge) = time {
                    if before[clock] == Some(0) && cur[clock] == Some(1) && !at(&before, edge) {
                        return Ok(());
                    }
                }
                time = Some(t);
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
    if let Some(edge) = time {
        if before[clock] == Some(0) && cur[clock] == Some(1) {
            at(&before, edge);
        }
    }
    Ok(())
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
