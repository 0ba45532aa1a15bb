//! `sim`: the only crate that runs hardware simulators. It finds the external tools ([`tools`]),
//! builds the generated RTL with a generated test bench (Verilator, C++; Icarus Verilog, Verilog),
//! drives each sample's input events through the `ttfs_top` valid/ready protocol, and reads the
//! waveform (VCD) or the bench's event log back into golden's types
//! ([`golden::compare::ObservedInference`]). sim does not decide correctness: the `cosim` command and
//! the tests compare its observations with golden's integer model.

pub mod error;
pub mod tools;

pub use error::{Result, SimError};
