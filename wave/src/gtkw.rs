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
        let f = if v.size == 1 && flags & TR_ANALOG_STEP == 0 {
            TR_BIN | TR_RJUSTIFY
        } else {
            flags
        };
        self.flags(f);
        let full = VcdHeader::full_name(scope, v);
        let _ = writeln!(self.text, "{full}");
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

/// The save file text for `vcd_path` (written into the file as the dump file) and the full names of
/// the signals it shows; the layer groups come from the design's debug signals (its manifest's
/// `debug_signals`; empty = host and spike groups only).
pub fn gtkw_text(
    header: &VcdHeader,
    debug_signals: &[DebugSignal],
    vcd_path: &Path,
    opts: &GtkwOptions,
) -> (String, Vec<String>) {
    let mut w = Writer {
        text: String::new(),
        flags: None,
        names: Vec::new(),
    };
    let _ = writeln!(
        w.text,
        "[*] GTKWave save file written by `ttfs wave` for a ttfs_top co-simulation VCD"
    );
    let _ = writeln!(w.text, "[dumpfile] \"{}\"", vcd_path.display());
    let _ = writeln!(
        w.text,
        "[savefile] \"{}\"",
        vcd_path.with_extension("gtkw").display()
    );
    let _ = writeln!(w.text, "[timestart] 0");
    let _ = writeln!(w.text, "[size] 1600 1000");
    let _ = writeln!(w.text, "[pos] -1 -1");
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
/// blank/comment traces).
pub fn names_in(gtkw: &str) -> Vec<String> {
    gtkw.lines()
        .map(str::trim)
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
