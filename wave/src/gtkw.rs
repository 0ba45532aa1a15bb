//! GTKWave save files (`.gtkw`) for co-simulation VCDs of `ttfs_top`: the host handshake, the spike
//! monitor, then one group per layer engine (`u_layer<L>`: phase, step, the stage-1 operation, the
//! layer's spike port and, for the first lanes, `potential`/`pot_sum`/`slope` as signed analog traces
//! and `fired`). Spike valid strobes are shown as single-bit traces next to the neuron and step they
//! carry, so each spike is one pulse (an event) on the time line.
//!
//! Promise: the file names only variables declared in the VCD it is written for (names built from
//! the header by [`crate::header::VcdHeader::full_name`]; tested against a real Verilator VCD).

use crate::header::{ScopeInfo, VcdHeader};
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
    /// Layers to show (empty = every layer engine found).
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
        let Some(v) = scope.var(name) else {
            return;
        };
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

/// The save file text for `vcd_path` (written into the file as the dump file) and the full names of
/// the signals it shows.
pub fn gtkw_text(header: &VcdHeader, vcd_path: &Path, opts: &GtkwOptions) -> (String, Vec<String>) {
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
    let hex = TR_HEX | TR_RJUSTIFY;
    if let Some(top) = header.scope_with(&["clock", "reset", "start", "done"]) {
        let _ = writeln!(w.text, "[treeopen] {}.", top.path);
        w.group_begin("host", false);
        for n in ["clock", "reset", "in_valid", "in_ready"] {
            w.signal(top, n, 0, 0);
        }
        for n in ["in_neuron", "in_step"] {
            w.signal(top, n, dec, 0);
        }
        for n in ["start", "busy", "done", "class_valid"] {
            w.signal(top, n, 0, 0);
        }
        w.signal(top, "class_out", dec, 0);
        w.group_end("host", false);
        w.group_begin("spikes (all layers)", false);
        w.signal(top, "spk_valid", 0, 0);
        for n in ["spk_layer", "spk_neuron", "spk_step"] {
            w.signal(top, n, dec, 0);
        }
        w.signal(top, "out_valid", 0, 0);
        for n in ["out_neuron", "out_step"] {
            w.signal(top, n, dec, 0);
        }
        w.group_end("spikes (all layers)", false);
    }
    let mut engines: Vec<(usize, &ScopeInfo)> = header
        .scopes
        .iter()
        .filter_map(|s| {
            s.name
                .strip_prefix("u_layer")
                .and_then(|n| n.parse::<usize>().ok())
                .map(|l| (l, s))
        })
        .filter(|(l, _)| opts.layers.is_empty() || opts.layers.contains(l))
        .collect();
    engines.sort_by_key(|(l, s)| (*l, s.depth));
    engines.dedup_by_key(|(l, _)| *l);
    for (l, scope) in engines {
        let title = format!("layer {l}");
        w.group_begin(&title, false);
        for n in ["phase", "step_n", "group"] {
            w.signal(scope, n, dec, 0);
        }
        w.signal(scope, "THETA", dec | TR_SIGNED, 0);
        for n in ["op_valid", "op_absorb"] {
            w.signal(scope, n, 0, 0);
        }
        for n in ["op_step", "op_base", "op_group"] {
            w.signal(scope, n, dec, 0);
        }
        w.signal(scope, "spk_valid", 0, 0);
        for n in ["spk_neuron", "spk_step"] {
            w.signal(scope, n, dec, 0);
        }
        w.signal(scope, "spk_potential", dec | TR_SIGNED, 0);
        w.signal(scope, "fire_vec", hex, 0);
        let mut lanes: Vec<(usize, &ScopeInfo)> = header
            .children(&scope.path)
            .filter_map(|s| {
                s.name
                    .strip_prefix("g_lane[")
                    .and_then(|r| r.strip_suffix(']'))
                    .and_then(|k| k.parse::<usize>().ok())
                    .map(|k| (k, s))
            })
            .collect();
        lanes.sort_by_key(|(k, _)| *k);
        for (k, lane) in lanes.into_iter().take(opts.lanes) {
            let t = format!("layer {l} lane {k}");
            w.group_begin(&t, false);
            let analog = TR_ANALOG_STEP | TR_SIGNED | TR_RJUSTIFY;
            w.signal(lane, "neuron", dec, 0);
            w.signal(lane, "pot_sum", analog, opts.analog_height);
            w.signal(lane, "potential", dec | TR_SIGNED, 0);
            w.signal(lane, "slope", analog, opts.analog_height);
            w.signal(lane, "fired", 0, 0);
            // The threshold compare lives in the lane's rust-hdl neuron unit.
            if let Some(unit) = header.children(&lane.path).find(|s| s.name == "u_neuron") {
                w.signal(unit, "crosses", 0, 0);
            }
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
