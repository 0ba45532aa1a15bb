//! `sim`: runs hardware simulators, through the `toolchain` crate (which finds, checks and runs every
//! external tool). It builds the generated RTL with a generated test bench ([`bench`]; Verilator with
//! C++, Icarus Verilog with Verilog), drives each sample's input events through the `ttfs_top`
//! valid/ready protocol ([`run`]), and reads the waveform ([`vcd_read`]) or the bench's event log
//! ([`events`]) back into golden's types ([`golden::compare::ObservedInference`]); [`stats`] sets the
//! cycles each sample took against the design's cycle models; [`netlist`] runs the same bench on the
//! design's synthesized netlist (iCE40, ECP5) beside Yosys' cell models. sim does not decide correctness: the
//! `cosim` command and the tests compare its observations with golden's integer model.
//!
//! ```no_run
//! # fn main() -> sim::Result<()> {
//! use sim::{Design, RunConfig, Simulator};
//! let design = Design::load(std::path::Path::new("out/hdl"))?;
//! let inputs = vec![vec![Some(0), None, Some(3)]]; // golden::encode::encode_steps per sample
//! let run = sim::run(&design, &inputs, &RunConfig::new(Simulator::Verilator, "out/sim".as_ref()))?;
//! println!("{} samples, first took {} cycles", run.observed.len(), run.observed[0].cycles);
//! # Ok(()) }
//! ```

pub mod bench;
pub mod error;
pub mod events;
pub mod junit;
pub mod netlist;
pub mod run;
pub mod stats;
pub mod vcd_read;

pub use error::{Result, SimError};
pub use netlist::{netlist_design, run_netlist, NetlistRun};
pub use run::{
    build_verilator, run, sim_time_limit, Design, RunConfig, SimRun, Simulator, VerilatorBuild,
};
