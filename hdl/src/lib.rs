//! `hdl`: the TTFS neuron-array generator (SPEC section 5). The only crate that imports rust-hdl.
//!
//! [`generate`] turns a [`golden::QuantNetwork`] and an [`HdlConfig`] into a [`Design`]: Verilog text
//! (top module `ttfs_top`, ports and protocol as in [`contract`] and `docs/hw-contract.md`), one
//! `$readmemh` weight file per layer, and a [`Manifest`]. The generation itself is pure (returns text);
//! the I/O is [`Manifest::load`] and [`write_design`].
//!
//! # Engines
//!
//! [`generate`] uses the default engine; [`engine::engine_named`] picks another, and
//! [`generate_with`] runs it. The engine seam and how to add one: [`engine`]. The layer-sequential
//! engine ([`engine::layer_seq`]) is described below.
//!
//! # Architecture (layer-sequential, event-driven, column-parallel)
//!
//! Each layer `l` is one engine `ttfs_layer<l>` with `lanes` neurons updated in parallel; a layer with
//! more neurons is time-multiplexed in `groups = ceil(n_out / lanes)` groups whose state
//! (`{fired, potential, slope}` per lane) lives in a `groups`-deep state memory. The input events of a
//! layer (the previous layer's spikes, or the host's pixels for layer 1) sit in an event buffer, in
//! ascending step order. For one sample, layer 1 runs its whole window, then layer 2, and so on:
//!
//! * for each step `n = 1..=n_steps`: every buffered event with step `< n` is absorbed (one weight
//!   memory word per group and cycle: the row of that presynaptic neuron, `lanes` targets at a time,
//!   added to the slopes: an input spike at step `k` counts from step `k + 1`); then every group is
//!   updated (`V += S`, fire at the first `V >= threshold_q`, signed compare, at most once; a fired
//!   neuron's potential is frozen, so the output layer keeps `V` at its spike step for the tie rule);
//! * a group that fires is queued (fire vector, neuron base, step) and the issue waits until the
//!   queue is empty again, a registered condition; its spikes leave one per cycle (ascending neuron
//!   index, scanned 16 lanes per cycle by [`first_set::FirstSet16`]; occupancy, emit and pop decided
//!   by [`queue::QueueControl`]); they are written to the next layer's event buffer and shown on the
//!   `spk_*` monitor, so every layer's spikes come out in ascending step order;
//! * the output layer's spikes drive the decision ([`lane::DecisionCompare`]: first step, then larger
//!   `V`, then lower index).
//!
//! Two-stage pipeline: issue (registered reads of weight and state memories) then compute and write
//! back, with a one-entry forward register. The longest paths: memory output -> forward mux -> one
//! adder and one signed compare per lane -> fire vector register (plus an OR over the lanes for the
//! queue push); queue register -> 16-input priority encoder -> spike outputs. Nothing spans a layer,
//! and no compare result feeds a memory address in the same cycle.
//!
//! # What is rust-hdl and what is text
//!
//! rust-hdl `LogicBlock`s (simulated in rust-hdl's simulator by their unit tests, emitted with
//! `generate_verilog` and renamed from `top`), all combinational:
//!
//! * [`lane::SlopeUnit`] `ttfs_slope_s<S>` and [`lane::NeuronUnit`] `ttfs_neuron_p<P>`: the neuron
//!   lane datapath (slope += weight on an absorb; `V += S`, signed compare with the threshold, fire at
//!   most once, `V` frozen after firing), one module per distinct width used, instantiated once per
//!   lane by the layer's generate loop (`g_lane[k].u_slope`, `g_lane[k].u_neuron`);
//! * [`lane::DecisionCompare`] `ttfs_decision_p<P>`: the output decision comparison;
//! * [`queue::QueueControl`] `ttfs_queue_control`: spike queue occupancy and serializer emit/pop;
//! * [`first_set::FirstSet16`] `ttfs_first_set16`: the serializer's 16-bit lowest-set-bit finder.
//!
//! Widths are runtime values (derived from the weights) and rust-hdl's are const generics, so every
//! width of the menu [`lane::MIN_BITS`]`..=`[`lane::MAX_BITS`] (2..=62 bits: every width the plan
//! allows) is monomorphized and the widths a design uses are picked at run time. No width is rounded
//! up to the menu: module width = register width = the manifest's `slope_bits`/`potential_bits`
//! (which [`engine::layer_seq::plan`] derives from golden's `derived_*` widths, recorded beside them).
//!
//! Generated text ([`engine::layer_seq::verilog`], `layer_template.v`): the memories (`$readmemh` weight ROM, event
//! buffer, neuron state), the per-layer control (phases, step and group counters, issue, forward
//! register), the spike queue registers, the `lanes`-wide generate loop with the sign extensions to
//! the unit widths, and the top-level wiring. rust-hdl has no `$readmemh` (its ROMs inline the data),
//! no runtime-sized arrays or generate loops, and these registers have several network-dependent
//! widths at once (indices, addresses, steps, `lanes x width` words), so a const-generic menu would
//! need one monomorphization per width combination.
//!
//! # Widths
//!
//! Widths come from the weights (golden's [`golden::QuantLayer::widths`], raised so sign extensions
//! only widen: see [`engine::layer_seq::plan`]). The text bakes every width and constant in as a sized literal.
//!
//! # Cycles
//!
//! Per sample, from the posedge that samples `start` to the posedge where `done = 1`, at least
//! `sum_l groups_l * (1 + e_l + n_steps) + s_l` ([`Manifest::cycle_bound`]), with `e_l` the input
//! events of layer `l` with step `< n_steps` and `s_l` its spikes. The exact count (stalls of firing
//! groups, skipped serializer chunks, fixed per-layer overhead) is [`Manifest::expected_cycles`].
//!
//! # Lint and synthesis
//!
//! The text passes `verilator --lint-only -Wall` with one waiver, DECLFILENAME (every module lives in
//! `ttfs_top.v` as the contract requires; a `lint_off` comment at the top of the text). No WIDTH or
//! signedness class is waived: widths and constants are emitted as sized literals, the rust-hdl
//! blocks compare only ports of equal width and signedness. The viewer-only `g_lane[k].neuron` wire
//! (`op_base + lane`, read by no logic) carries `/* verilator public_flat_rd */`, which marks it as
//! read from outside and so keeps it out of Verilator's UNUSED check. Yosys `synth` infers
//! three memories per layer (events, weights, neuron state; `$mem_v2` before mapping) and no latch.
//!
//! # Verification
//!
//! `tests/hdl_exact.rs` (root package) runs the RTL in iverilog through the `sim` crate (its test
//! bench and VCD read-back) and checks every spike, the decision and the exact cycle count
//! ([`Manifest::expected_cycles`]) against golden's integer model; `tests/cosim_generated.rs` does the
//! same with Verilator.

pub mod bits;
mod config;
pub mod contract;
pub mod engine;
pub mod error;
pub mod first_set;
pub mod lane;
pub mod manifest;
pub mod queue;
pub mod template;

pub use config::{HdlConfig, DEFAULT_LANES};
pub use contract::PortWidths;
pub use engine::layer_seq::CYCLE_BOUND_TEXT;
pub use engine::{engine_named, Engine};
pub use error::HdlError;
pub use manifest::{
    CycleParts, DebugSignal, LayerManifest, Manifest, Meaning, NeuronMap, MANIFEST_VERSION,
};

use golden::QuantNetwork;
use std::path::Path;

/// A generated design: everything `ttfs hdl` writes.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// `ttfs_top.v`.
    pub verilog: String,
    /// `(file name, hex text)` per memory, read by `$readmemh` relative to the simulator's cwd.
    pub memories: Vec<(String, String)>,
    pub manifest: Manifest,
}

/// File name of the Verilog text.
pub const VERILOG_FILE: &str = "ttfs_top.v";
/// File name of the manifest.
pub const MANIFEST_FILE: &str = "manifest.json";

impl Design {
    /// Every file of the design folder as `(relative path, bytes)`: the Verilog, the memories, and
    /// the manifest last (its presence means the rest is complete).
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files = vec![(VERILOG_FILE.to_string(), self.verilog.clone().into_bytes())];
        for (name, text) in &self.memories {
            files.push((name.clone(), text.clone().into_bytes()));
        }
        files.push((
            MANIFEST_FILE.to_string(),
            self.manifest.to_json().into_bytes(),
        ));
        files
    }
}

/// Writes [`Design::files`] into `dir` (created if missing), each file atomically, in that order;
/// returns how many files were written.
pub fn write_design(design: &Design, dir: &Path) -> Result<usize, HdlError> {
    std::fs::create_dir_all(dir).map_err(|e| HdlError::Io {
        path: dir.to_path_buf(),
        source: e,
    })?;
    let files = design.files();
    for (name, bytes) in &files {
        golden::io::write_atomic(&dir.join(name), bytes)?;
    }
    Ok(files.len())
}

/// Generates the hardware for `net` with the default engine.
pub fn generate(net: &QuantNetwork, cfg: &HdlConfig) -> Result<Design, HdlError> {
    generate_with(engine::default_engine(), net, cfg)
}

/// Generates the hardware for `net` with `engine`.
pub fn generate_with(
    engine: &dyn Engine,
    net: &QuantNetwork,
    cfg: &HdlConfig,
) -> Result<Design, HdlError> {
    engine.generate(net, cfg)
}
