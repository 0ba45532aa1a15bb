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
//! Invariants of a loaded manifest: its `format_version` is [`MANIFEST_VERSION`], its engine is
//! registered in [`crate::engine::ENGINES`], and it has one layer entry per layer.

pub use crate::contract::PortWidths;
use crate::engine::{engine_named, Engine};
use crate::error::HdlError;
use golden::SpikeTrain;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Version of the manifest format (2: engine registry names and the debug-signal list).
pub const MANIFEST_VERSION: u32 = 2;

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
    /// Bits per state word: `lanes * (slope_bits + potential_bits + 1)`.
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
