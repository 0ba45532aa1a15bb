//! `ttfs`: time-to-first-spike networks from training to verified hardware.
//!
//! A thin command line: flags become validated configs, then library calls (golden, trainer, hdl,
//! sim, constraints). Errors carry context and become a non-zero exit code, never a panic.

mod cmd;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "ttfs",
    version,
    about = "Time-to-first-spike SNNs: train, quantize, generate Verilog, co-simulate"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The main job: train a small net on the embedded data, quantize, generate Verilog, co-simulate, report.
    Run(cmd::pipeline::Args),
    /// Train a network from a TOML config (exact spike-time gradients, M-SSR / F-SSR / R_MP).
    Train(cmd::train::Args),
    /// Run a list of regularizer strengths and plot the accuracy / firing-rate trade-off.
    Sweep(cmd::sweep::Args),
    /// Accuracy of the integer model at several weight widths and step counts, in one table.
    Qeval(cmd::qeval::Args),
    /// Quantize a float model into an integer model file.
    Quantize(cmd::quantize::Args),
    /// Accuracy and firing rates of the float and integer models side by side.
    Evaluate(cmd::evaluate::Args),
    /// Write every neuron's spike for chosen samples as CSV.
    DumpSpikes(cmd::spikes::Args),
    /// Generate Verilog, memory files and a manifest from an integer model.
    Hdl(cmd::hdl::Args),
    /// Co-simulate the generated Verilog against the integer golden model.
    Cosim(cmd::cosim::Args),
    /// Yosys synthesis of a design for a family (generic, ice40, ecp5, xilinx): cells, memories, LUTs, FFs, RAM.
    Synth(cmd::synth::Args),
    /// Spike rasters, membrane traces, per-sample summaries and GTKWave save files (golden and VCD).
    Wave(cmd::wave::Args),
    /// Stream samples to a board (or the simulated board's pty) and check every answer against golden.
    Board(cmd::board::Args),
}

/// Restores the default action of SIGPIPE, which the Rust runtime ignores: output to a closed pipe
/// (`ttfs dump-spikes | head -1`) then ends the process quietly with the conventional status (killed
/// by SIGPIPE, 141 in a shell) instead of a panic ("failed printing to stdout: Broken pipe", exit 101).
fn default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up before any thread exists; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> std::process::ExitCode {
    default_sigpipe();
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Run(a) => cmd::pipeline::run(a),
        Command::Train(a) => cmd::train::run(a),
        Command::Sweep(a) => cmd::sweep::run(a),
        Command::Qeval(a) => cmd::qeval::run(a),
        Command::Quantize(a) => cmd::quantize::run(a),
        Command::Evaluate(a) => cmd::evaluate::run(a),
        Command::DumpSpikes(a) => cmd::spikes::run(a),
        Command::Hdl(a) => cmd::hdl::run(a),
        Command::Cosim(a) => cmd::cosim::run(a),
        Command::Synth(a) => cmd::synth::run(a),
        Command::Wave(a) => cmd::wave::run(a),
        Command::Board(a) => cmd::board::run(a),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
