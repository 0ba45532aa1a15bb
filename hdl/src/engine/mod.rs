//! The engine seam: one quantized network, many hardware engines (hls4ml's one model, many back ends).
//!
//! An [`Engine`] owns everything that depends on how the neurons are scheduled in hardware: its plan
//! (sizes and widths), its Verilog text and memory files, the debug signals a viewer may show
//! ([`crate::DebugSignal`], written into the manifest so `wave` needs no knowledge of the RTL), and its
//! cycle model (the exact count, a lower bound and a safe upper bound per sample, which `sim` uses as
//! its timeout). What every engine shares is the top-level hardware contract ([`crate::contract`]:
//! the ports of `ttfs_top` and their protocol) and the manifest format ([`crate::Manifest`]).
//!
//! A manifest names its engine ([`crate::Manifest::engine`]); [`engine_named`] finds it again, so the
//! manifest's cycle methods dispatch to the engine that generated the design.
//!
//! # Adding an engine
//!
//! A new folder `engine/<name>/` with a type implementing [`Engine`], and one line in [`ENGINES`].
//! Nothing in `sim`, `wave` or the binary changes: they read ports from the contract, signals and
//! cycles through the manifest, and `ttfs hdl --engine <name>` looks the name up here.

pub mod layer_seq;

use crate::error::HdlError;
use crate::manifest::{CycleParts, Manifest};
use crate::{Design, HdlConfig};
use golden::{QuantNetwork, SpikeTrain};

/// A hardware engine: generator and cycle model of one architecture.
///
/// Invariants every engine keeps: the Verilog implements the contract of [`crate::contract`] exactly
/// (top module, port names, directions and widths of [`crate::PortWidths`], protocol); its spikes
/// and decisions are bit-exact against `golden::integer`; for every sample
/// `cycle_bound_parts(..).total() <= expected_cycles(..) <= cycle_upper_bound(..)`, and
/// `expected_cycles` equals what the RTL takes (tested in iverilog by `tests/hdl_exact.rs`).
pub trait Engine: Sync {
    /// The name written into the manifest (`"layer-sequential"`), unique among [`ENGINES`].
    fn name(&self) -> &'static str;

    /// Generates the design: plan, Verilog text, memory files and manifest (with this engine's
    /// name, its debug signals and its cycle-bound text).
    fn generate(&self, net: &QuantNetwork, cfg: &HdlConfig) -> Result<Design, HdlError>;

    /// The exact cycle count of one sample from golden's integer spike train (`layers[0]` = input
    /// steps), from the posedge that samples `start` to the posedge where `done = 1`.
    fn expected_cycles(&self, m: &Manifest, spikes: &SpikeTrain<u32>) -> u64;

    /// A lower bound on the cycles of one sample, split by what drives it.
    fn cycle_bound_parts(&self, m: &Manifest, spikes: &SpikeTrain<u32>) -> CycleParts;

    /// A number of cycles per sample that no correct design of this manifest reaches, for any input
    /// (the simulator's timeout).
    fn cycle_upper_bound(&self, m: &Manifest) -> u64;
}

/// The registry: one line per engine. The first is the default.
pub static ENGINES: &[&dyn Engine] = &[&layer_seq::LayerSequential];

/// The default engine (the first of [`ENGINES`]).
pub fn default_engine() -> &'static dyn Engine {
    ENGINES[0]
}

/// The engine called `name`; the error lists the known names.
pub fn engine_named(name: &str) -> Result<&'static dyn Engine, HdlError> {
    ENGINES
        .iter()
        .copied()
        .find(|e| e.name() == name)
        .ok_or_else(|| HdlError::UnknownEngine {
            name: name.to_string(),
            known: ENGINES
                .iter()
                .map(|e| e.name())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        for (i, e) in ENGINES.iter().enumerate() {
            assert_eq!(engine_named(e.name()).unwrap().name(), e.name());
            assert!(ENGINES[..i].iter().all(|o| o.name() != e.name()));
        }
        let err = engine_named("warp-drive").err().unwrap().to_string();
        assert!(
            err.contains("warp-drive") && err.contains("layer-sequential"),
            "{err}"
        );
    }
}
