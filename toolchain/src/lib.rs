//! `toolchain`: the only crate that finds and runs external EDA tools (Verilator, Icarus Verilog, Yosys,
//! nextpnr, the bitstream packers).
//!
//! * [`tool`]: tools as data ([`ToolSpec`] constants, the [`ALL`] registry), lookup (environment
//!   override, `PATH`, the project's `.venv/`), version check, errors with the install command;
//! * [`step`]: one tool run ([`Step`]: program, arguments, folder, files read and written, log, time
//!   limit), streamed to its log line by line as it runs, killed with its whole process group at the
//!   time limit, failing with the log's tail quoted;
//! * [`flow`]: a plan of files and steps ([`Flow`]), built by pure functions and inspectable before
//!   [`execute`] runs it (inputs checked before each step, outputs after);
//! * [`pnr`]: the board flow of the `constraints` crate's plan (Yosys, nextpnr, icepack / ecppack)
//!   as a [`Flow`] of this crate's tools;
//! * [`lint`] and [`synth`]: the Verilator lint and the Yosys synthesis (per [`SynthTarget`]) as flows,
//!   with their report parsers; [`verilator`]: the cached Verilator build of a model and its bench;
//!   [`netlist`]: a design's synthesized Verilog netlist beside Yosys' cell models, cached by
//!   content, for post-synthesis simulation; [`cache`]: where runs keep builds and logs.
//!
//! ```no_run
//! # fn main() -> toolchain::Result<()> {
//! use toolchain::{synth_flow, verilog_files, execute, SynthOptions, SynthTarget};
//! let dir = std::path::Path::new("out/hdl");
//! let opts = SynthOptions::new(SynthTarget::Ecp5, "ttfs_top", &dir.join("synth-ecp5"));
//! let flow = synth_flow(dir, &verilog_files(dir)?, &opts);
//! print!("{}", flow.describe()); // the plan, before anything runs
//! execute(&flow)?;
//! # Ok(()) }
//! ```
//!
//! Unix only (process groups).

pub mod cache;
pub mod error;
pub mod flow;
pub mod lint;
pub mod netlist;
pub mod pnr;
pub mod step;
pub mod synth;
pub mod tool;
pub mod verilator;

pub use cache::{cache_root, fnv1a, verilog_files, work_dir_for, ICARUS_BENCH_FILE};
pub use error::{Result, ToolchainError};
pub use flow::{
    execute, execute_observed, execute_with, Flow, FlowObserver, FlowProgress, PlannedFile,
};
pub use lint::{lint_flow, lint_verilator, parse_verilator_warnings, LintReport, LintWarning};
pub use netlist::{synth_netlist, yosys_datdir, Netlist, YOSYS_DATDIR_ENV};
pub use pnr::{board_flow, spec_for, step_of, tool_versions, ToolVersion};
pub use step::{kill_running, run_step, LineSink, Program, RunOutput, Step, Stream};
pub use synth::{
    is_latch, parse_yosys_stat, synth_flow, synth_script, synth_yosys, synthesize, CellClass,
    SynthOptions, SynthReport, SynthTarget,
};
pub use tool::{
    find, parse_version, FoundTool, Lookup, ToolSpec, ALL, ECPPACK, ICEPACK, IVERILOG,
    NEXTPNR_ECP5, NEXTPNR_ICE40, VENV_ENV, VERILATOR, VVP, YOSYS,
};
pub use verilator::{build_cached, build_flags, CachedBuild, VerilatorModel};
