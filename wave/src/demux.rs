//! A per-neuron VCD derived from a full-depth co-simulation VCD of `ttfs_top`: what a person wants
//! to see in a waveform viewer, rather than what the time-multiplexed hardware holds.
//!
//! In a multiplexed layer a lane's `pot_sum` interleaves the neurons of every group sharing it (a
//! comb, not a membrane ramp). This module demultiplexes it through the design's manifest (the
//! same reading as [`crate::hwtrace`]: updates where `OpValid` is 1 and `OpAbsorb` 0, neuron
//! `base + lane`) and writes, per computing layer `L`:
//!
//! * `layerL.nK.V` — neuron `K`'s potential `V[n]` (signed, the width of the design's potential),
//!   changed at the cycle of its update for step `n` and held between updates (frozen after the
//!   spike, as the hardware keeps it); 0 from the start of each sample;
//! * `layerL.nK.S` — its slope `S[n]`, same timing;
//! * `layerL.nK.spike` — 1 from the cycle the layer emits the neuron's spike to the end of the
//!   sample (the layer's `SpikeValid` / `SpikeNeuron` signals);
//! * `layerL.phase` — the layer's control state as text (VCD `string` values, which GTKWave shows
//!   as text), named by the manifest's [`hdl::DebugSignal::values`];
//! * `layerL.step` — the step of the layer's latest neuron update;
//!
//! Multi-bit values are declared `integer` (of the design's width, two's complement for V and S),
//! so that GTKWave names them without a bit range (`layer1.n7.V`, not `layer1.n7.V[11:0]`).
//!
//! and `ttfs.sample` (data sample index, from the first traced one), `ttfs.start`, `ttfs.done`.
//!
//! Time: **one time unit is one clock cycle** (the header says `$timescale 1ns`, one ns standing
//! for one cycle; the header comment says so). Cycle `c` is posedge `c` of the simulation (the
//! event log's cycle), found from the source's clock period (the gap between its first two
//! posedges), so a windowed VCD (`--trace-samples`) keeps the simulation's cycle numbers.
//!
//! Reading streams the source (memory does not grow with it); the output, a few signals per neuron
//! changing at most once per update, is assembled in memory and written atomically
//! (`golden::io::write_atomic`): it is far smaller than the source it is derived from.
//!
//! Promise: after the update of step `n`, `layerL.nK.V` and `.S` equal golden's
//! [`crate::trace::neuron_trace`] `V[n]` and `S[n]` on a correct design (tested on a co-simulated
//! multiplexed net), and every signal [`DemuxSummary::signals`] lists is declared in the file.

use crate::error::{Result, WaveError};
use crate::header::{open, VcdHeader};
use crate::hwtrace::{layer_slots, posedges, LayerSlots, Slots};
use hdl::contract::Role;
use hdl::{Manifest, Meaning};
use std::collections::BTreeSet;
use std::path::Path;
use vcd::{IdCode, TimescaleUnit, Value, VarType};

/// Top-level scope of the derived VCD (sample counter and handshake).
pub const TOP_SCOPE: &str = "ttfs";

/// The derived VCD's full name of a signal of neuron `neuron` of `layer` (`layer1.n7.V`).
pub fn neuron_signal(layer: usize, neuron: usize, what: &str) -> String {
    format!("layer{layer}.n{neuron}.{what}")
}

/// Where each traced sample lies in the derived VCD, in cycles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleSpan {
    /// Data sample index.
    pub sample: usize,
    /// Cycle of its `start` pulse.
    pub start: u64,
    /// Cycle of its `done` pulse (the last cycle seen if the file ends before).
    pub done: u64,
    /// `done` was seen.
    pub finished: bool,
    /// Per layer of [`DemuxSummary::layers`], the neurons in the order they spiked.
    pub spike_order: Vec<Vec<usize>>,
}

/// What [`demux`] wrote.
#[derive(Clone, Debug, Default)]
pub struct DemuxSummary {
    /// The layers demultiplexed (1-based), with their neuron counts.
    pub layers: Vec<(usize, usize)>,
    /// Layers of the manifest whose engine signals the source lacks (traced to the ports only).
    pub missing_layers: Vec<usize>,
    /// Full names of every signal declared (`ttfs.sample`, `layer1.phase`, `layer1.n0.V`, ...).
    pub signals: Vec<String>,
    /// The samples, in file order.
    pub samples: Vec<SampleSpan>,
}

/// Options of [`demux`].
#[derive(Clone, Debug, Default)]
pub struct DemuxOptions {
    /// Data sample index of the source's first sample (`ttfs cosim --trace-samples K-M`: K).
    pub first_sample: usize,
}

/// One output variable: its code, width and last written value.
struct Out {
    code: IdCode,
    width: u32,
    last: Option<i64>,
}

/// Per-layer state of the demultiplexer.
struct LayerOut {
    slots: LayerSlots,
    n_out: usize,
    phase: Option<(usize, IdCode, Vec<String>)>,
    last_phase: Option<String>,
    step: Out,
    spike_valid: Option<usize>,
    spike_neuron: Option<usize>,
    /// Per neuron: V, S, spike.
    neurons: Vec<[Out; 3]>,
    spiked: Vec<usize>,
}

/// Bits of `v` in two's complement, `width` bits, most significant first.
fn bits(v: i64, width: u32) -> impl Iterator<Item = Value> {
    (0..width).rev().map(move |b| {
        if (v >> b.min(63)) & 1 == 1 {
            Value::V1
        } else {
            Value::V0
        }
    })
}

/// Declares a variable in the current scope and records its full name.
fn declare(
    w: &mut vcd::Writer<Vec<u8>>,
    names: &mut Vec<String>,
    t: VarType,
    width: u32,
    name: &str,
    full: String,
) -> std::io::Result<Out> {
    names.push(full);
    Ok(Out {
        code: w.add_var(t, width, name, None)?,
        width,
        last: None,
    })
}

/// Collects the changes of one posedge, writing the timestamp before the first.
struct Emitter<'a> {
    w: &'a mut vcd::Writer<Vec<u8>>,
    time: u64,
    stamped: bool,
}

impl Emitter<'_> {
    fn stamp(&mut self) -> std::io::Result<()> {
        if !self.stamped {
            self.w.timestamp(self.time)?;
            self.stamped = true;
        }
        Ok(())
    }
    fn set(&mut self, out: &mut Out, v: Option<i64>) -> std::io::Result<()> {
        if out.last == v {
            return Ok(());
        }
        self.stamp()?;
        out.last = v;
        match v {
            Some(x) if out.width == 1 => self.w.change_scalar(out.code, x & 1 == 1),
            Some(x) => self.w.change_vector(out.code, bits(x, out.width)),
            None => self
                .w
                .change_vector(out.code, (0..out.width).map(|_| Value::X)),
        }
    }
    fn text(&mut self, code: IdCode, last: &mut Option<String>, v: String) -> std::io::Result<()> {
        if last.as_deref() == Some(v.as_str()) {
            return Ok(());
        }
        self.stamp()?;
        self.w.change_string(code, &v)?;
        *last = Some(v);
        Ok(())
    }
}

/// The clock period of the source in its time units: the gap between its first two posedges
/// (a short first pass over the head of the file).
fn clock_period(path: &Path, header: &VcdHeader) -> Result<u64> {
    let (mut parser, _) = open(path)?;
    let mut slots = Slots::default();
    let [clock] = slots.ports(header, path, [Role::Clock])?;
    let mut edges = Vec::new();
    posedges(path, &mut parser, &slots, clock, |_, t| {
        edges.push(t);
        edges.len() < 2
    })?;
    match edges[..] {
        [a, b] if b > a => Ok(b - a),
        _ => Err(WaveError::format(
            path,
            "fewer than two clock posedges: nothing to demultiplex",
        )),
    }
}

/// Writes the per-neuron VCD of `source` (a full-depth co-simulation VCD of the design described
/// by `manifest`) to `out`. A source without the engine signals (ports only) is an error naming
/// the missing layers.
pub fn demux(
    source: &Path,
    manifest: &Manifest,
    out: &Path,
    opts: &DemuxOptions,
) -> Result<DemuxSummary> {
    let (mut parser, header) = open(source)?;
    let period = clock_period(source, &header)?;
    let mut slots = Slots::default();
    let [clock, reset, start, done] = slots.ports(
        &header,
        source,
        [Role::Clock, Role::Reset, Role::Start, Role::Done],
    )?;
    let mut summary = DemuxSummary::default();
    let mut found = Vec::new();
    for lm in &manifest.layers {
        let l = lm.layer;
        let all: BTreeSet<usize> = (0..lm.n_out).collect();
        let sigs = &manifest.debug_signals;
        match layer_slots(&header, sigs, l, all, &mut slots, source)? {
            Some(ls) => {
                let mut own = |m: Meaning| -> Result<Option<(usize, Vec<String>)>> {
                    match sigs
                        .iter()
                        .find(|s| s.layer == l && s.meaning == m && s.neuron.is_none())
                    {
                        Some(s) => Ok(slots
                            .add_design(&header, &s.path, source)?
                            .map(|k| (k, s.values.clone()))),
                        None => Ok(None),
                    }
                };
                let phase = own(Meaning::Phase)?;
                let spike_valid = own(Meaning::SpikeValid)?.map(|x| x.0);
                let spike_neuron = own(Meaning::SpikeNeuron)?.map(|x| x.0);
                found.push((ls, lm.n_out, phase, spike_valid, spike_neuron));
            }
            None => summary.missing_layers.push(l),
        }
    }
    if found.is_empty() {
        return Err(WaveError::NoEngineSignals {
            path: source.to_path_buf(),
            layers: summary.missing_layers,
        });
    }

    // Header.
    let io = |e: std::io::Error| WaveError::io(out, e);
    let mut w = vcd::Writer::new(Vec::new());
    w.comment(&format!(
        "derived by ttfs wave from {}: per-neuron potentials (V), slopes (S) and spikes demultiplexed from the time-multiplexed lanes through the design's manifest; one time unit = one clock cycle (1 ns stands for 1 cycle; cycle c = posedge c of the simulation)",
        source.file_name().map_or_else(|| source.display().to_string(), |n| n.to_string_lossy().into_owned())
    ))
    .map_err(io)?;
    w.timescale(1, TimescaleUnit::NS).map_err(io)?;
    let mut names = Vec::new();
    w.add_module(TOP_SCOPE).map_err(io)?;
    let top = |what: &str| format!("{TOP_SCOPE}.{what}");
    let mut sample_out = declare(
        &mut w,
        &mut names,
        VarType::Integer,
        32,
        "sample",
        top("sample"),
    )
    .map_err(io)?;
    let mut start_out =
        declare(&mut w, &mut names, VarType::Wire, 1, "start", top("start")).map_err(io)?;
    let mut done_out =
        declare(&mut w, &mut names, VarType::Wire, 1, "done", top("done")).map_err(io)?;
    w.upscope().map_err(io)?;
    let mut layers: Vec<LayerOut> = Vec::new();
    for (ls, n_out, phase, spike_valid, spike_neuron) in found {
        let l = ls.layer;
        let scope = format!("layer{l}");
        summary.layers.push((l, n_out));
        w.add_module(&scope).map_err(io)?;
        let phase = match phase {
            Some((slot, values)) => {
                let o = declare(
                    &mut w,
                    &mut names,
                    VarType::String,
                    1,
                    "phase",
                    format!("{scope}.phase"),
                )
                .map_err(io)?;
                Some((slot, o.code, values))
            }
            None => None,
        };
        let tw = ls.step_width(&slots.widths);
        let step = declare(
            &mut w,
            &mut names,
            VarType::Integer,
            tw,
            "step",
            format!("{scope}.step"),
        )
        .map_err(io)?;
        let (pw, sw) = ls
            .lanes
            .first()
            .map(|lane| lane.widths(&slots.widths))
            .unwrap_or((32, 32));
        let mut neurons = Vec::with_capacity(n_out);
        for i in 0..n_out {
            w.add_module(&format!("n{i}")).map_err(io)?;
            let mut one = |width: u32, what: &str| {
                let t = if width == 1 {
                    VarType::Wire
                } else {
                    VarType::Integer
                };
                declare(
                    &mut w,
                    &mut names,
                    t,
                    width,
                    what,
                    neuron_signal(l, i, what),
                )
                .map_err(io)
            };
            neurons.push([one(pw, "V")?, one(sw, "S")?, one(1, "spike")?]);
            w.upscope().map_err(io)?;
        }
        w.upscope().map_err(io)?;
        layers.push(LayerOut {
            slots: ls,
            n_out,
            phase,
            last_phase: None,
            step,
            spike_valid,
            spike_neuron,
            neurons,
            spiked: Vec::new(),
        });
    }
    summary.signals = names;
    w.enddefinitions().map_err(io)?;

    // Body: one timestamp per posedge that changes something.
    let mut sample: Option<usize> = None;
    let mut failure: Option<std::io::Error> = None;
    let widths = slots.widths.clone();
    let spans = &mut summary.samples;
    posedges(source, &mut parser, &slots, clock, |v, t| {
        let mut e = Emitter {
            w: &mut w,
            time: t / period,
            stamped: false,
        };
        let cycle = e.time;
        let r = (|| -> std::io::Result<()> {
            let in_reset = v[reset] != Some(0);
            let starting = !in_reset && v[start] == Some(1);
            if starting {
                let k = sample.map_or(opts.first_sample, |k| k + 1);
                sample = Some(k);
                spans.push(SampleSpan {
                    sample: k,
                    start: cycle,
                    done: cycle,
                    finished: false,
                    spike_order: vec![Vec::new(); layers.len()],
                });
                e.set(&mut sample_out, Some(k as i64))?;
            }
            e.set(&mut start_out, v[start].map(|x| x as i64))?;
            e.set(&mut done_out, v[done].map(|x| x as i64))?;
            if let Some(span) = spans.last_mut().filter(|s| !s.finished) {
                span.done = cycle;
                span.finished = !in_reset && v[done] == Some(1);
            }
            for (li, lo) in layers.iter_mut().enumerate() {
                if let Some((slot, code, names)) = &lo.phase {
                    let text = match v[*slot] {
                        Some(x) => names
                            .get(x as usize)
                            .cloned()
                            .unwrap_or_else(|| x.to_string()),
                        None => "x".to_string(),
                    };
                    e.text(*code, &mut lo.last_phase, text)?;
                }
                if starting || sample.is_none() {
                    // A new sample: every neuron starts at rest.
                    lo.spiked.clear();
                    for n in &mut lo.neurons {
                        for o in n.iter_mut() {
                            e.set(o, Some(0))?;
                        }
                    }
                    e.set(&mut lo.step, Some(0))?;
                }
                if in_reset || sample.is_none() {
                    continue;
                }
                if let Some(step) = lo.slots.update_step(v) {
                    e.set(&mut lo.step, Some(step as i64))?;
                    for lane in &lo.slots.lanes {
                        let Some((i, p)) = lane.point(v, &widths, step) else {
                            continue;
                        };
                        if let Some(n) = lo.neurons.get_mut(i) {
                            let [vo, so, _] = n;
                            e.set(vo, Some(p.potential))?;
                            e.set(so, Some(p.slope))?;
                        }
                    }
                }
                if let (Some(sv), Some(sn)) = (lo.spike_valid, lo.spike_neuron) {
                    if let (Some(1), Some(i)) = (v[sv], v[sn]) {
                        let i = i as usize;
                        if i < lo.n_out && !lo.spiked.contains(&i) {
                            lo.spiked.push(i);
                            if let Some(span) = spans.last_mut() {
                                span.spike_order[li].push(i);
                            }
                            e.set(&mut lo.neurons[i][2], Some(1))?;
                        }
                    }
                }
            }
            Ok(())
        })();
        match r {
            Ok(()) => true,
            Err(err) => {
                failure = Some(err);
                false
            }
        }
    })?;
    if let Some(err) = failure {
        return Err(io(err));
    }
    w.flush().map_err(io)?;
    let bytes = std::mem::take(w.writer());
    golden::io::write_atomic(out, &bytes)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::bits;
    use crate::hwtrace::signed;
    use vcd::Value;

    #[test]
    fn twos_complement_round_trip() {
        for (v, w) in [(-1i64, 3u32), (3, 3), (-4, 3), (0, 1), (1, 1), (-300, 12)] {
            let b: Vec<Value> = bits(v, w).collect();
            assert_eq!(b.len(), w as usize);
            let u = sim::vcd_read::vector_value(b).unwrap();
            assert_eq!(
                if w == 1 { u as i64 } else { signed(u, w) },
                v,
                "{v} in {w} bits"
            );
        }
    }
}
