//! GTKWave save files (`.gtkw`) for co-simulation VCDs of `ttfs_top`: the host handshake and the spike
//! monitor (the contract's ports, [`hdl::contract::PORTS`]), then one group per layer with the
//! design's debug signals from its manifest ([`hdl::DebugSignal`], in manifest order): the layer's
//! own signals, then one sub-group per lane for the first lanes, with `PotSum` and `Slope` as signed
//! analog traces. Spike valid strobes are shown as single-bit traces next to the neuron and step they
//! carry, so each spike is one pulse (an event) on the time line. Nothing here names an RTL signal.
//!
//! Promise: the file names only variables declared in the VCD it is written for (names built from
//! the header by [`crate::header::VcdHeader::full_name`]; tested against a real Verilator VCD).

use crate::header::{ScopeInfo, VarInfo, VcdHeader};
use hdl::contract::{Group, Role, PORTS};
use hdl::{DebugSignal, Meaning};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

// GTKWave trace flags (gtkwave's analyzer.h).
const TR_HEX: u32 = 0x2;
const TR_DEC: u32 = 0x4;
const TR_BIN: u32 = 0x8;
const TR_RJUSTIFY: u32 = 0x20;
const TR_BLANK: u32 = 0x200;
const TR_SIGNED: u32 = 0x400;
const TR_ANALOG_STEP: u32 = 0x8000;
const TR_ANALOG_BLANK_STRETCH: u32 = 0x20000;
const TR_GRP_BEGIN: u32 = 0x80_0000;
const TR_GRP_END: u32 = 0x100_0000;
const TR_CLOSED: u32 = 0x40_0000;

/// What to show.
#[derive(Clone, Debug)]
pub struct GtkwOptions {
    /// Layers to show (empty = every layer with debug signals in the VCD).
    pub layers: Vec<usize>,
    /// Lanes per layer whose state is shown as analog traces.
    pub lanes: usize,
    /// Extra rows of height for each analog trace.
    pub analog_height: usize,
}

impl Default for GtkwOptions {
    fn default() -> Self {
        GtkwOptions {
            layers: Vec::new(),
            lanes: 4,
            analog_height: 3,
        }
    }
}

struct Writer {
    text: String,
    flags: Option<u32>,
    names: Vec<String>,
}

impl Writer {
    /// A save file's settings: what wrote it, the dump and save file (as given), the first time
    /// shown and the window size.
    fn start(
        comment: &str,
        dumpfile: &str,
        savefile: &str,
        timestart: u64,
        size: (u32, u32),
    ) -> Self {
        let mut text = String::new();
        let _ = writeln!(text, "[*] {comment}");
        let _ = writeln!(text, "[dumpfile] \"{dumpfile}\"");
        let _ = writeln!(text, "[savefile] \"{savefile}\"");
        let _ = writeln!(text, "[timestart] {timestart}");
        let _ = writeln!(text, "[size] {} {}", size.0, size.1);
        let _ = writeln!(text, "[pos] -1 -1");
        Writer {
            text,
            flags: None,
            names: Vec::new(),
        }
    }
    fn flags(&mut self, f: u32) {
        if self.flags != Some(f) {
            let _ = writeln!(self.text, "@{f:x}");
            self.flags = Some(f);
        }
    }
    fn signal(&mut self, scope: &ScopeInfo, name: &str, flags: u32, analog_rows: usize) {
        if let Some(v) = scope.var(name) {
            self.var(scope, v, flags, analog_rows);
        }
    }
    fn var(&mut self, scope: &ScopeInfo, v: &VarInfo, flags: u32, analog_rows: usize) {
        self.aliased(scope, v, flags, analog_rows, None, None);
    }
    /// A trace shown under `alias` (GTKWave's `+{alias} name` line) and in GTKWave's colour
    /// `color` (1 red .. 7 violet) when given.
    fn aliased(
        &mut self,
        scope: &ScopeInfo,
        v: &VarInfo,
        flags: u32,
        analog_rows: usize,
        alias: Option<&str>,
        color: Option<u8>,
    ) {
        let f = if v.size == 1 && flags & TR_ANALOG_STEP == 0 {
            TR_BIN | TR_RJUSTIFY
        } else {
            flags
        };
        self.flags(f);
        if let Some(c) = color {
            let _ = writeln!(self.text, "[color] {c}");
        }
        let full = VcdHeader::full_name(scope, v);
        match alias {
            Some(a) => {
                let _ = writeln!(self.text, "+{{{a}}} {full}");
            }
            None => {
                let _ = writeln!(self.text, "{full}");
            }
        }
        self.names.push(full);
        for _ in 0..analog_rows {
            self.flags(TR_ANALOG_BLANK_STRETCH);
            let _ = writeln!(self.text, "-");
        }
    }
    fn group_begin(&mut self, title: &str, closed: bool) {
        let f = TR_GRP_BEGIN | TR_BLANK | if closed { TR_CLOSED } else { 0 };
        self.flags(f);
        let _ = writeln!(self.text, "-{title}");
    }
    fn group_end(&mut self, title: &str, closed: bool) {
        let f = TR_GRP_END | TR_BLANK | if closed { TR_CLOSED } else { 0 };
        self.flags(f);
        let _ = writeln!(self.text, "-{title}");
    }
}

/// Display flags of a debug signal: analog for potentials and slopes, hex for fire vectors,
/// decimal otherwise (single bits become binary in [`Writer::var`]); signed when the signal is.
fn debug_flags(sig: &DebugSignal) -> (u32, bool) {
    let sign = if sig.signed { TR_SIGNED } else { 0 };
    match sig.meaning {
        Meaning::PotSum | Meaning::Slope => (TR_ANALOG_STEP | sign | TR_RJUSTIFY, true),
        Meaning::FireVector => (TR_HEX | TR_RJUSTIFY, false),
        _ => (TR_DEC | TR_RJUSTIFY | sign, false),
    }
}

/// The save file text for a co-simulation VCD and the full names of the signals it shows; the
/// layer groups come from the design's debug signals (its manifest's `debug_signals`; empty = host
/// and spike groups only). `dumpfile` and `savefile` are written as given (pass them relative to
/// the save file's folder, see [`neuron_gtkw_text`]).
pub fn gtkw_text(
    header: &VcdHeader,
    debug_signals: &[DebugSignal],
    dumpfile: &Path,
    savefile: &Path,
    opts: &GtkwOptions,
) -> (String, Vec<String>) {
    let mut w = Writer::start(
        "GTKWave save file written by `ttfs wave` for a ttfs_top co-simulation VCD",
        &dumpfile.display().to_string(),
        &savefile.display().to_string(),
        0,
        (1600, 1000),
    );
    let _ = writeln!(w.text, "[sst_width] 260");
    let _ = writeln!(w.text, "[signals_width] 300");
    let dec = TR_DEC | TR_RJUSTIFY;
    let host = [Role::Clock, Role::Reset, Role::Start, Role::Done].map(Role::name);
    if let Some(top) = header.scope_with(&host) {
        let _ = writeln!(w.text, "[treeopen] {}.", top.path);
        for (group, title) in [
            (Group::Host, "host"),
            (Group::Spikes, "spikes (all layers)"),
        ] {
            w.group_begin(title, false);
            for p in PORTS.iter().filter(|p| p.group == group) {
                w.signal(top, p.name, if p.vector { dec } else { 0 }, 0);
            }
            w.group_end(title, false);
        }
    }
    // layer -> (its own signals, lane -> the lane's signals), each in manifest order
    type Found<'a> = (&'a DebugSignal, &'a ScopeInfo, &'a VarInfo);
    type Layer<'a> = (Vec<Found<'a>>, BTreeMap<usize, Vec<Found<'a>>>);
    let mut layers: BTreeMap<usize, Layer> = BTreeMap::new();
    for sig in debug_signals {
        if !opts.layers.is_empty() && !opts.layers.contains(&sig.layer) {
            continue;
        }
        if let Some(map) = &sig.neuron {
            if map.lane >= opts.lanes {
                continue;
            }
        }
        let Some((scope, var)) = header.design_var(&sig.path) else {
            continue;
        };
        let entry = layers.entry(sig.layer).or_default();
        match &sig.neuron {
            Some(map) => entry.1.entry(map.lane).or_default().push((sig, scope, var)),
            None => entry.0.push((sig, scope, var)),
        }
    }
    for (l, (own, lanes)) in layers {
        let title = format!("layer {l}");
        w.group_begin(&title, false);
        let show = |w: &mut Writer, found: &[Found]| {
            for &(sig, scope, var) in found {
                let (flags, analog) = debug_flags(sig);
                let rows = if analog { opts.analog_height } else { 0 };
                w.var(scope, var, flags, rows);
            }
        };
        show(&mut w, &own);
        for (k, found) in lanes {
            let t = format!("layer {l} lane {k}");
            w.group_begin(&t, false);
            show(&mut w, &found);
            w.group_end(&t, false);
        }
        w.group_end(&title, false);
    }
    (w.text, w.names)
}

/// The signal names a save file refers to (lines that are neither comments, settings, flags nor
/// blank/comment traces; of an aliased trace `+{alias} name`, the name).
pub fn names_in(gtkw: &str) -> Vec<String> {
    gtkw.lines()
        .map(str::trim)
        .map(
            |l| match l.strip_prefix("+{").and_then(|r| r.split_once("} ")) {
                Some((_, name)) => name.trim(),
                None => l,
            },
        )
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with('[')
                && !l.starts_with('@')
                && !l.starts_with('-')
                && !l.starts_with('*')
        })
        .map(str::to_string)
        .collect()
}

/// What the per-neuron save file ([`neuron_gtkw_text`]) shows.
#[derive(Clone, Debug)]
pub struct NeuronViewOptions {
    /// Neurons per layer with their potential as an analog trace: those that spiked first in the
    /// first traced sample, then the lowest indices.
    pub neurons_per_layer: usize,
    /// Extra rows of height for each analog trace.
    pub analog_height: usize,
    /// Window size in pixels (`[size]`), which sets the zoom.
    pub size: (u32, u32),
    /// Width of the signal-name pane in pixels.
    pub signals_width: u32,
}

impl Default for NeuronViewOptions {
    fn default() -> Self {
        NeuronViewOptions {
            neurons_per_layer: 3,
            analog_height: 2,
            size: (1600, 1000),
            signals_width: 220,
        }
    }
}

/// Pixels GTKWave draws `2^-zoom` time units over (its `pixelsperframe`, fixed at 200 in
/// `calczoom`; zoom base 2, its default): measured under Xvfb with GTKWave 3.3.118 (zoom -5 showed
/// 0.16 units per pixel, -9 showed 2.56).
const GTKWAVE_PIXELS_PER_FRAME: f64 = 200.0;

/// The `*` line's zoom that shows `span` time units over `pixels`.
pub fn zoom_for(span: u64, pixels: u32) -> f64 {
    let per_px = (span.max(1) as f64) / f64::from(pixels.max(1));
    -(per_px * GTKWAVE_PIXELS_PER_FRAME).log2()
}

/// The save file for a per-neuron VCD written by [`crate::demux::demux`] (declared as `header`,
/// described by `summary`): opens on the first traced sample (`[timestart]` at its start, zoomed
/// so that it fills the window), the sample counter and handshake, then one group per layer with
/// its phase (text), its step, and for the chosen neurons the potential `V` as a signed analog
/// step trace and the spike; the slopes in a closed group per layer. `dumpfile` and `savefile`
/// are written as given: pass names relative to the save file's folder (GTKWave, given the save
/// file alone, looks for a relative `[dumpfile]` first relative to where the save file now is,
/// through the `[savefile]` it records, then in the current folder; `scripts/gtkwave-shot` checks). Returns the text and the names
/// of the signals shown, each declared in `header`.
pub fn neuron_gtkw_text(
    header: &VcdHeader,
    summary: &crate::demux::DemuxSummary,
    dumpfile: &str,
    savefile: &str,
    opts: &NeuronViewOptions,
) -> (String, Vec<String>) {
    use crate::demux::{neuron_signal, TOP_SCOPE};
    let first = summary.samples.first();
    let (start, span) = first.map_or((0, 100), |s| (s.start, s.done - s.start + 1));
    let mut w = Writer::start(
        "GTKWave save file written by `ttfs wave`: one trace per neuron, demultiplexed from the lanes of a ttfs_top co-simulation; time in clock cycles (1 ns = 1 cycle)",
        dumpfile,
        savefile,
        start,
        opts.size,
    );
    let sx = opts.size.0;
    // The wave area: the window less the name and value columns and the borders.
    let wave_px = sx.saturating_sub(opts.signals_width + 40);
    let _ = writeln!(w.text, "*{:.6} -1", zoom_for(span + span / 20, wave_px));
    let _ = writeln!(w.text, "[sst_expanded] 0");
    let _ = writeln!(w.text, "[signals_width] {}", opts.signals_width);
    let find = |full: &str| -> Option<(&ScopeInfo, &VarInfo)> {
        let (scope, name) = full.rsplit_once('.')?;
        let s = header.scopes.iter().find(|s| s.path == scope)?;
        s.var(name).map(|v| (s, v))
    };
    // Shown as `layer1 n14 V`: GTKWave would show the last component (`V`) alone.
    let show = |w: &mut Writer, full: &str, flags: u32, rows: usize, color: Option<u8>| {
        if let Some((s, v)) = find(full) {
            w.aliased(s, v, flags, rows, Some(&full.replace('.', " ")), color);
        }
    };
    let (yellow, orange) = (Some(3), Some(2));
    let dec = TR_DEC | TR_RJUSTIFY;
    let analog = TR_ANALOG_STEP | TR_SIGNED | TR_DEC | TR_RJUSTIFY;
    // GTKWave labels the time axis in the file's unit; say what it stands for.
    w.flags(TR_BLANK);
    let _ = writeln!(w.text, "-time: 1 ns = 1 cycle");
    show(&mut w, &format!("{TOP_SCOPE}.sample"), dec, 0, None);
    show(&mut w, &format!("{TOP_SCOPE}.start"), 0, 0, None);
    show(&mut w, &format!("{TOP_SCOPE}.done"), 0, 0, None);
    let mut chosen_per_layer = Vec::new();
    for (li, &(l, n_out)) in summary.layers.iter().enumerate() {
        let mut chosen: Vec<usize> = first
            .and_then(|s| s.spike_order.get(li))
            .map(|o| o.iter().copied().take(opts.neurons_per_layer).collect())
            .unwrap_or_default();
        for i in 0..n_out {
            if chosen.len() >= opts.neurons_per_layer {
                break;
            }
            if !chosen.contains(&i) {
                chosen.push(i);
            }
        }
        // Short titles: GTKWave widens the name pane to the longest one.
        let title = format!("layer {l}, {n_out} neurons");
        w.group_begin(&title, false);
        show(&mut w, &format!("layer{l}.phase"), TR_RJUSTIFY, 0, None);
        show(&mut w, &format!("layer{l}.step"), dec, 0, None);
        for &i in &chosen {
            show(
                &mut w,
                &neuron_signal(l, i, "V"),
                analog,
                opts.analog_height,
                yellow,
            );
            show(&mut w, &neuron_signal(l, i, "spike"), 0, 0, orange);
        }
        w.group_end(&title, false);
        chosen_per_layer.push((l, chosen));
    }
    let slopes = "slopes S";
    w.group_begin(slopes, true);
    for (l, chosen) in &chosen_per_layer {
        for &i in chosen {
            show(
                &mut w,
                &neuron_signal(*l, i, "S"),
                analog,
                opts.analog_height,
                None,
            );
        }
    }
    w.group_end(slopes, true);
    (w.text, w.names)
}

/// `target` as a path relative to the folder `from` (both made absolute first), for a save file's
/// `[dumpfile]`; `target` itself if no relative path exists (another drive).
pub fn relative_to(from: &Path, target: &Path) -> std::path::PathBuf {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    pathdiff::diff_paths(abs(target), abs(from)).unwrap_or_else(|| target.to_path_buf())
}
