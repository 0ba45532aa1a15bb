//! `hdl`: the TTFS neuron-array generator (SPEC section 5). The only crate that imports rust-hdl.
//!
//! [`generate`] turns a [`golden::QuantNetwork`] and an [`HdlConfig`] into a [`Design`]: Verilog text
//! (top module `ttfs_top`, ports as in `notes/hw-contract.md`), one `$readmemh` weight file per layer,
//! and a [`Manifest`]. Pure: no file or process I/O except [`Manifest::load`].

pub mod error;
pub mod manifest;

pub use error::HdlError;
pub use manifest::{LayerManifest, Manifest, PortWidths, CYCLE_BOUND_TEXT, MANIFEST_VERSION};
