//! The manifest: what a generated design contains, written next to the Verilog as `manifest.json`.
//!
//! Owned here, read by `sim` (through [`Manifest::load`]), `wave` and the `ttfs` command line. The type
//! is plain serde data (no rust-hdl types in its API). It names the engine that generated the design
//! ([`crate::engine`]; its cycle methods dispatch there) and records per layer the sizes, lanes, groups,
//! the register widths used in the RTL *and* the widths golden derives from the weights
//! ([`golden::QuantLayer::widths`]; used >= derived), the weight memory file and geometry, the port
//! widths of `ttfs_top` ([`crate::contract`]), the engine's cycle lower bound as text, and the debug
//! signals a viewer may show ([`DebugSignal`]: hierarchical path, meaning, width, neuron mapping).
//!
//! Invariants of a loaded manifest ([`Manifest::validate`], run by [`Manifest::from_json`]): its
//! `format_version` is [`MANIFEST_VERSION`], its engine is registered in [`crate::engine::ENGINES`],
//! it has one layer entry per layer, and every field is bounded and agrees with the others: sizes
//! `1..=`[`MAX_LAYER_NEURONS`] (at most [`MAX_LAYERS`] layers), steps within golden's limits, lanes
//! `1..=MAX_LANES`, `groups = ceil(n_out / lanes)`, memory and state geometry as documented on
//! [`LayerManifest`] and within the generator's limits, register widths in the generator's menu
//! (`weight <= slope <= potential`, derived `<=` used), a threshold that fits its register, port
//! widths equal to [`PortWidths::for_network`], and every name a plain identifier: `top` a Verilog
//! module name and each `memory_file` a bare file name (no folder, no `..`), so nothing derived
//! from a manifest leaves its design folder or its build cache. [`Manifest::check_folder`] then
//! checks the files it names: each weight memory exists with `memory_depth` lines of
//! `memory_width_bits` in hex.

pub use crate::contract::PortWidths;
use crate::engine::{engine_named, Engine};
use crate::error::HdlError;
use golden::SpikeTrain;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Version of the manifest format (2: engine registry names and the debug-signal list).
pub const MANIFEST_VERSION: u32 = 2;

/// Most neurons per layer a manifest may declare (the generator's `MAX_MEMORY_DEPTH`: a layer of one
/// input and more neurons than that has more groups than its memory may hold words).
pub const MAX_LAYER_NEURONS: usize = crate::engine::layer_seq::plan::MAX_MEMORY_DEPTH;
/// Most layers (hidden + output) a manifest may declare.
pub const MAX_LAYERS: usize = 64;
/// Longest name (`top`, a memory file, a path component).
const MAX_NAME: usize = 128;

/// A Verilog module name (`file_name = false`: `[A-Za-z_][A-Za-z0-9_]*`) or a bare file name
/// (`true`: also `-` and `.`, not starting with `.`), at most [`MAX_NAME`] characters: never a
/// path separator, never `..`, never absolute.
fn is_identifier(s: &str, file_name: bool) -> bool {
    let ok =
        |c: char| c.is_ascii_alphanumeric() || c == '_' || (file_name && (c == '-' || c == '.'));
    let first = |c: char| c.is_ascii_alphabetic() || c == '_';
    s.len() <= MAX_NAME && s.chars().next().is_some_and(first) && s.chars().all(ok)
}

/// A dot-separated hierarchical signal path whose components are identifiers with an optional
/// `[index]` (`u_layer1.g_lane[3].pot_sum`).
fn is_signal_path(s: &str) -> bool {
    s.len() <= 16 * MAX_NAME
        && s.split('.').all(|part| {
            let (name, index) = match part.split_once('[') {
                Some((n, rest)) => (n, Some(rest)),
                None => (part, None),
            };
            is_identifier(name, false)
                && index.is_none_or(|i| {
                    i.strip_suffix(']').is_some_and(|d| {
                        !d.is_empty() && d.len() <= 9 && d.bytes().all(|b| b.is_ascii_digit())
                    })
                })
        })
}

/// Checks one `$readmemh` file (see [`Manifest::check_folder`]).
fn check_hex_file(path: &Path, depth: usize, width_bits: usize) -> Result<(), HdlError> {
    let bad = |msg: String| HdlError::Format {
        path: path.to_path_buf(),
        msg,
    };
    let meta = std::fs::metadata(path).map_err(|e| HdlError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    if !meta.is_file() {
        return Err(bad(
            "is not a file (the manifest names it as a weight memory)".into(),
        ));
    }
    let digits = width_bits.div_ceil(4).max(1);
    // A bound before reading: the right file has exactly depth * (digits + 1) bytes.
    let expected = depth as u64 * (digits as u64 + 1);
    if meta.len() > expected + 1 {
        return Err(bad(format!(
            "{} bytes, expected {expected} ({depth} lines of {digits} hex digits)",
            meta.len()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| HdlError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let top_bits = width_bits - 4 * (digits - 1);
    let mut lines = 0usize;
    for (i, line) in text.lines().enumerate() {
        lines += 1;
        let n = i + 1;
        if i >= depth {
            return Err(bad(format!(
                "line {n}: more than the {depth} words of the memory"
            )));
        }
        if line.len() != digits || !line.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad(format!(
                "line {n}: {line:?} is not a word of {digits} hex digits ({width_bits} bits)"
            )));
        }
        let first = u32::from_str_radix(&line[..1], 16).unwrap_or(0);
        if top_bits < 4 && first >> top_bits != 0 {
            return Err(bad(format!(
                "line {n}: {line:?} does not fit {width_bits} bits"
            )));
        }
    }
    if lines != depth {
        return Err(bad(format!(
            "line {}: the file ends after {lines} of {depth} words (truncated)",
            lines + 1
        )));
    }
    Ok(())
}

/// What a debug signal carries: the vocabulary viewers understand, shared by every engine.
///
/// How `wave` reads a layer's neuron state: at each posedge where the layer's [`Meaning::OpValid`]
/// signal is 1 and its [`Meaning::OpAbsorb`] signal is 0, the lanes hold the update of step
/// [`Meaning::OpStep`]; each lane signal names its neuron through [`DebugSignal::neuron`];
/// [`Meaning::PotSum`] is `V[n]` unless [`Meaning::Fired`] is set, then [`Meaning::Potential`] is
/// the frozen `V`; [`Meaning::Slope`] is `S[n]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Meaning {
    /// Control phase of the layer's state machine.
    Phase,
    /// The step the control is at.
    Step,
    /// The group the control is at.
    Group,
    /// The firing threshold (a constant).
    Threshold,
    /// The pipeline stage holds an operation.
    OpValid,
    /// The operation absorbs an input event (1) or updates the neurons (0).
    OpAbsorb,
    /// The step of the operation.
    OpStep,
    /// The first neuron index of the operation's group.
    OpBase,
    /// The group of the operation.
    OpGroup,
    /// The layer's spike output strobe.
    SpikeValid,
    /// The neuron of the layer's spike output.
    SpikeNeuron,
    /// The step of the layer's spike output.
    SpikeStep,
    /// The potential of the layer's spike output (output layer: the decision's tie rule).
    SpikePotential,
    /// The lanes that fire in the operation (one bit per lane).
    FireVector,
    /// A lane's neuron index (for people reading the waveform).
    Neuron,
    /// A lane's `V + S` (the potential after the update).
    PotSum,
    /// A lane's stored potential (frozen once fired).
    Potential,
    /// A lane's slope `S`.
    Slope,
    /// A lane's neuron has fired before.
    Fired,
    /// A lane's threshold compare (`V + S >= threshold`).
    Crosses,
}

/// How a lane signal maps to a neuron: `neuron = value of base + lane`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeuronMap {
    /// Hierarchical path (from the top module) of the signal holding the group's first neuron index.
    pub base: String,
    /// The lane number.
    pub lane: usize,
}

/// One internal signal a viewer may show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebugSignal {
    /// Hierarchical path from the top module, dot-separated (`u_layer1.g_lane[0].pot_sum`).
    pub path: String,
    pub meaning: Meaning,
    /// Bits.
    pub width: u32,
    /// Two's complement.
    pub signed: bool,
    /// The layer (1-based) the signal belongs to.
    pub layer: usize,
    /// For lane signals: which neuron the lane holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neuron: Option<NeuronMap>,
    /// Names of an enumerated signal's values, index = value (a [`Meaning::Phase`]'s states, so
    /// viewers show `RUN` rather than `2`); empty for numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

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
    /// Bits per state word: `lanes * (slope_bits + potential_bits + 2)` (slope, look-ahead potential,
    /// fired and armed flags).
    pub state_width_bits: usize,
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
    /// The engine that generated the design (a name of [`crate::engine::ENGINES`]).
    pub engine: String,
    pub layers: Vec<LayerManifest>,
    pub ports: PortWidths,
    /// The cycle lower bound as text; [`Manifest::cycle_bound`] evaluates it.
    pub cycle_bound: String,
    /// Internal signals a viewer may show, in display order.
    pub debug_signals: Vec<DebugSignal>,
}

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
        let bad = |msg: String| HdlError::Format {
            path: origin.to_path_buf(),
            msg,
        };
        // The version first: an older manifest misses fields, and the fix is to regenerate it.
        #[derive(Deserialize)]
        struct Version {
            format_version: u32,
        }
        let v: Version =
            serde_json::from_str(text).map_err(|e| bad(format!("not a valid manifest: {e}")))?;
        if v.format_version != MANIFEST_VERSION {
            return Err(bad(format!(
                "manifest format_version = {}, this build reads version {MANIFEST_VERSION}; \
                 re-run `ttfs hdl` to regenerate the design",
                v.format_version
            )));
        }
        let m: Manifest =
            serde_json::from_str(text).map_err(|e| bad(format!("not a valid manifest: {e}")))?;
        engine_named(&m.engine).map_err(|e| bad(format!("engine: {e}")))?;
        m.validate().map_err(bad)?;
        Ok(m)
    }

    /// Checks every field against its bounds and the others (see the module header); the error
    /// names the field (`layers[1].groups = 3, expected ceil(n_out / lanes) = 2`).
    pub fn validate(&self) -> Result<(), String> {
        use crate::engine::layer_seq::plan::{
            MAX_LANES, MAX_MEMORY_DEPTH, MAX_MEMORY_WIDTH_BITS, MAX_STATE_WIDTH_BITS,
        };
        use crate::lane::{MAX_BITS, MIN_BITS};
        let field = |name: &str, value: &dyn std::fmt::Display, expected: String| {
            Err(format!("{name} = {value}, expected {expected}"))
        };
        if !is_identifier(&self.top, false) {
            return Err(format!(
                "top = {:?}: not a Verilog module name (letters, digits, _; at most {MAX_NAME} characters)",
                self.top
            ));
        }
        if self.sizes.len() < 2 || self.sizes.len() > MAX_LAYERS + 1 {
            return Err(format!(
                "sizes has {} entries, expected 2..={} (input and at least one layer)",
                self.sizes.len(),
                MAX_LAYERS + 1
            ));
        }
        if let Some(i) = self
            .sizes
            .iter()
            .position(|&n| n == 0 || n > MAX_LAYER_NEURONS)
        {
            return field(
                &format!("sizes[{i}]"),
                &self.sizes[i],
                format!("1..={MAX_LAYER_NEURONS}"),
            );
        }
        if self.layers.len() + 1 != self.sizes.len() {
            return Err(format!(
                "manifest has {} layers but {} sizes (expected layers + 1)",
                self.layers.len(),
                self.sizes.len()
            ));
        }
        if self.n_steps == 0 || self.n_steps > golden::network::MAX_STEPS {
            let allowed = format!("1..={}", golden::network::MAX_STEPS);
            return field("n_steps", &self.n_steps, allowed);
        }
        if self.n_in_steps == 0 || self.n_in_steps > self.n_steps {
            let allowed = format!("1..=n_steps = {}", self.n_steps);
            return field("n_in_steps", &self.n_in_steps, allowed);
        }
        let ports = PortWidths::for_network(&self.sizes, self.n_steps);
        if self.ports != ports {
            return Err(format!(
                "ports = {:?}, expected {ports:?} (the widths of these sizes and n_steps)",
                self.ports
            ));
        }
        for (i, l) in self.layers.iter().enumerate() {
            let at = |f: &str| format!("layers[{i}].{f}");
            let eq = |f: &str, got: usize, want: Option<usize>, how: &str| match want {
                Some(w) if w == got => Ok(()),
                Some(w) => field(&at(f), &got, format!("{how} = {w}")),
                None => field(&at(f), &got, format!("{how} (overflows)")),
            };
            eq("layer", l.layer, Some(i + 1), "its place")?;
            eq("n_in", l.n_in, Some(self.sizes[i]), &format!("sizes[{i}]"))?;
            eq(
                "n_out",
                l.n_out,
                Some(self.sizes[i + 1]),
                &format!("sizes[{}]", i + 1),
            )?;
            if l.lanes == 0 || l.lanes > MAX_LANES {
                return field(&at("lanes"), &l.lanes, format!("1..={MAX_LANES}"));
            }
            eq(
                "groups",
                l.groups,
                Some(l.n_out.div_ceil(l.lanes)),
                "ceil(n_out / lanes)",
            )?;
            let max_w = golden::network::MAX_WEIGHT_BITS;
            if l.weight_bits < 2 || l.weight_bits > max_w {
                return field(&at("weight_bits"), &l.weight_bits, format!("2..={max_w}"));
            }
            for (name, bits, derived) in [
                ("slope_bits", l.slope_bits, l.derived_slope_bits),
                ("potential_bits", l.potential_bits, l.derived_potential_bits),
            ] {
                if !(MIN_BITS..=MAX_BITS).contains(&bits) {
                    return field(&at(name), &bits, format!("{MIN_BITS}..={MAX_BITS}"));
                }
                if derived == 0 || derived > bits {
                    let name = format!("derived_{name}");
                    return field(&at(&name), &derived, format!("1..={name} = {bits}"));
                }
            }
            if l.slope_bits < l.weight_bits || l.potential_bits < l.slope_bits {
                return Err(format!(
                    "{}: weight_bits {} <= slope_bits {} <= potential_bits {} does not hold",
                    at("*"),
                    l.weight_bits,
                    l.slope_bits,
                    l.potential_bits
                ));
            }
            if l.threshold_q < 1 || l.threshold_q >> (l.potential_bits - 1) != 0 {
                let allowed = format!("1..2^{} (fits potential_bits)", l.potential_bits - 1);
                return field(&at("threshold_q"), &l.threshold_q, allowed);
            }
            if !is_identifier(&l.memory_file, true) {
                return Err(format!(
                    "{} = {:?}: not a plain file name in the design folder \
                     (letters, digits, _ - .; no folder, no ..)",
                    at("memory_file"),
                    l.memory_file
                ));
            }
            let depth = l.n_in.checked_mul(l.groups);
            eq("memory_depth", l.memory_depth, depth, "n_in * groups")?;
            if l.memory_depth > MAX_MEMORY_DEPTH {
                return field(
                    &at("memory_depth"),
                    &l.memory_depth,
                    format!("<= {MAX_MEMORY_DEPTH}"),
                );
            }
            let width = l.lanes.checked_mul(l.weight_bits as usize);
            eq(
                "memory_width_bits",
                l.memory_width_bits,
                width,
                "lanes * weight_bits",
            )?;
            if l.memory_width_bits > MAX_MEMORY_WIDTH_BITS {
                let allowed = format!("<= {MAX_MEMORY_WIDTH_BITS}");
                return field(&at("memory_width_bits"), &l.memory_width_bits, allowed);
            }
            eq("state_depth", l.state_depth, Some(l.groups), "groups")?;
            let state =
                (l.slope_bits as usize + l.potential_bits as usize + 2).checked_mul(l.lanes);
            let how = "lanes * (slope_bits + potential_bits + 2)";
            eq("state_width_bits", l.state_width_bits, state, how)?;
            if l.state_width_bits > MAX_STATE_WIDTH_BITS {
                let allowed = format!("<= {MAX_STATE_WIDTH_BITS}");
                return field(&at("state_width_bits"), &l.state_width_bits, allowed);
            }
        }
        for (i, d) in self.debug_signals.iter().enumerate() {
            let at = |f: &str| format!("debug_signals[{i}].{f}");
            if !is_signal_path(&d.path) {
                return Err(format!("{} = {:?}: not a signal path", at("path"), d.path));
            }
            if d.width == 0 || d.width > 64 {
                return field(&at("width"), &d.width, "1..=64".into());
            }
            if d.layer == 0 || d.layer > self.layers.len() {
                let allowed = format!("1..={}", self.layers.len());
                return field(&at("layer"), &d.layer, allowed);
            }
            if let Some(n) = &d.neuron {
                if !is_signal_path(&n.base) {
                    return Err(format!(
                        "{} = {:?}: not a signal path",
                        at("neuron.base"),
                        n.base
                    ));
                }
                let lanes = self.layers[d.layer - 1].lanes;
                if n.lane >= lanes {
                    let allowed = format!("0..{lanes} (the layer's lanes)");
                    return field(&at("neuron.lane"), &n.lane, allowed);
                }
            }
        }
        Ok(())
    }

    /// Checks the files this manifest names in its design folder `dir`: every weight memory is a
    /// file of exactly `memory_depth` lines of `ceil(memory_width_bits / 4)` hex digits whose value
    /// fits `memory_width_bits`. The error names the file and the line.
    pub fn check_folder(&self, dir: &Path) -> Result<(), HdlError> {
        for l in &self.layers {
            let path = dir.join(&l.memory_file);
            check_hex_file(&path, l.memory_depth, l.memory_width_bits)?;
        }
        Ok(())
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

    /// Checks that `net` is the model this design was generated for (sizes, steps, and per layer the
    /// threshold and weight width: what the Verilog bakes in; the weights live in the memory files).
    /// The error names the first field that differs.
    pub fn check_network(&self, net: &golden::QuantNetwork) -> Result<(), HdlError> {
        fn differ(
            field: String,
            model: impl std::fmt::Debug,
            design: impl std::fmt::Debug,
        ) -> HdlError {
            HdlError::ModelMismatch {
                field,
                model: format!("{model:?}"),
                design: format!("{design:?}"),
            }
        }
        if net.sizes() != self.sizes {
            return Err(differ("sizes".into(), net.sizes(), &self.sizes));
        }
        if net.n_steps != self.n_steps {
            return Err(differ("n_steps".into(), net.n_steps, self.n_steps));
        }
        if net.n_in_steps != self.n_in_steps {
            return Err(differ("n_in_steps".into(), net.n_in_steps, self.n_in_steps));
        }
        for (q, lm) in net.layers().iter().zip(&self.layers) {
            if q.threshold_q != lm.threshold_q {
                let field = format!("layer{}.threshold_q", lm.layer);
                return Err(differ(field, q.threshold_q, lm.threshold_q));
            }
            if q.weight_bits != lm.weight_bits {
                let field = format!("layer{}.weight_bits", lm.layer);
                return Err(differ(field, q.weight_bits, lm.weight_bits));
            }
        }
        Ok(())
    }

    /// Number of layers (excluding the input layer).
    pub fn n_layers(&self) -> usize {
        self.layers.len()
    }

    /// The engine that generated this design. A manifest is checked at load time to name a
    /// registered engine; one built in code with an unknown name falls back to the default engine.
    pub fn engine(&self) -> &'static dyn Engine {
        engine_named(&self.engine).unwrap_or_else(|_| crate::engine::default_engine())
    }

    /// The engine's cycle lower bound for one sample, from its spike train (golden's integer spike
    /// train: `layers[0]` = input steps, `layers[l]` = steps of layer `l`). Layers missing from
    /// `spikes` count as silent.
    pub fn cycle_bound(&self, spikes: &SpikeTrain<u32>) -> u64 {
        self.cycle_bound_parts(spikes).total()
    }

    /// The lower bound split by what drives it (see [`CycleParts`]).
    pub fn cycle_bound_parts(&self, spikes: &SpikeTrain<u32>) -> CycleParts {
        self.engine().cycle_bound_parts(self, spikes)
    }

    /// The exact cycle count of the engine for one sample (span: see [`crate::contract`]);
    /// `>= cycle_bound`.
    pub fn expected_cycles(&self, spikes: &SpikeTrain<u32>) -> u64 {
        self.engine().expected_cycles(self, spikes)
    }

    /// Cycles per sample that no correct design reaches for any input (a simulator timeout).
    pub fn cycle_upper_bound(&self) -> u64 {
        self.engine().cycle_upper_bound(self)
    }
}
