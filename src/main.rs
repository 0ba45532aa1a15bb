//! `ttfs`: time-to-first-spike networks from training to verified hardware.
//!
//! A thin command line: flags become validated configs, then library calls (golden, trainer, hdl,
//! sim, constraints). Errors carry context and become a non-zero exit code, never a panic.
//!
//! Exit status (README, "Exit codes"), decided once here from the error's type:
//! 0 agreement (or success), 1 a mismatch found (golden and hardware differ, or the hardware did not
//! finish a sample), 2 a usage or input error (clap's own usage errors are 2 as well), 3 an external
//! tool failed (missing, too old, non-zero exit).

mod cmd;

/// The exit status of one `ttfs` invocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exit {
    Agreement = 0,
    Mismatch = 1,
    Input = 2,
    Tool = 3,
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_error_says_each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file (os error 2)");
        // A cause that is already at the end of its parent's text is not repeated.
        let e = anyhow::Error::new(io).context("reading x.toml: No such file (os error 2)");
        assert_eq!(
            super::message(&e),
            "reading x.toml: No such file (os error 2)"
        );
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(super::message(&e), "outer: inner");
        let e = anyhow::anyhow!("m.safetensors: No such file").context("loading m.safetensors");
        assert_eq!(super::message(&e), "loading m.safetensors: No such file");
    }
}

impl Exit {
    /// Classifies an error by the first typed cause in its chain that decides: a [`cmd::Mismatch`]
    /// or a hardware timeout is 1, a tool error of `sim` is 3, anything else (bad flags, files,
    /// data, models that do not fit) is 2.
    fn of(e: &anyhow::Error) -> Exit {
        for cause in e.chain() {
            if cause.is::<cmd::Mismatch>() {
                return Exit::Mismatch;
            }
            if let Some(s) = cause.downcast_ref::<sim::SimError>() {
                return Exit::of_sim(s);
            }
            if let Some(t) = cause.downcast_ref::<toolchain::ToolchainError>() {
                return Exit::of_tool(t);
            }
            // `WaveError::Sim` is transparent: the chain skips the `SimError` inside.
            if let Some(wave::WaveError::Sim(s)) = cause.downcast_ref::<wave::WaveError>() {
                return Exit::of_sim(s);
            }
        }
        Exit::Input
    }

    fn of_sim(e: &sim::SimError) -> Exit {
        use sim::SimError as S;
        match e {
            S::Tool(t) => Exit::of_tool(t),
            S::Timeout { .. } | S::InputOrder { .. } => Exit::Mismatch,
            S::Io { .. } | S::Format { .. } | S::Invalid(_) => Exit::Input,
        }
    }

    /// A tool that is missing, too old, failed, timed out or broke its promise of an output is 3;
    /// a missing input, a file or a request that the flow cannot use is the user's input (2).
    fn of_tool(e: &toolchain::ToolchainError) -> Exit {
        use toolchain::ToolchainError as T;
        match e {
            T::ToolMissing { .. }
            | T::ToolVersion { .. }
            | T::ToolFailed { .. }
            | T::TimedOut { .. }
            | T::MissingOutput { .. }
            | T::Format { .. } => Exit::Tool,
            T::MissingInput { .. } | T::Io { .. } | T::Write(_) | T::Invalid(_) => Exit::Input,
        }
    }
}

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "ttfs",
    version,
    about = "Time-to-first-spike SNNs: train, quantize, generate Verilog, co-simulate"
)]
struct Cli {
    /// Data root: relative data paths (a config's data.path, a model's recorded data set) not
    /// found where they are named are looked up under it. Same as setting TTFS_DATA.
    #[arg(long, global = true, value_name = "DIR")]
    data_root: Option<std::path::PathBuf>,
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
    /// What a model, checkpoint, design folder or VCD holds, in a few lines (--json).
    Inspect(cmd::inspect::Args),
    /// Stream samples to a board (or the simulated board's pty) and check every answer against golden.
    Board(cmd::board::Args),
}

/// The error and its causes joined by ": ", a cause left out when the text so far already ends
/// with it (error types that print their source and also return it from `source()` would
/// otherwise say "... (os error 2): No such file or directory (os error 2)"), and a cause's leading
/// `PATH: ` dropped when the text so far already names PATH.
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let mut text = cause.to_string();
        // "loading model X" then "X: No such file": the path once.
        if let Some((head, rest)) = text.split_once(": ") {
            if !out.is_empty() && out.contains(head) {
                text = rest.to_string();
            }
        }
        if out.is_empty() {
            out = text;
        } else if !out.ends_with(&text) {
            out = format!("{out}: {text}");
        }
    }
    out
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
    cmd::install_interrupt_handler();
    let cli = Cli::parse();
    if let Some(root) = &cli.data_root {
        // Before any thread exists; the libraries read the root from the environment.
        std::env::set_var(trainer::config::DATA_ROOT_ENV, root);
    }
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
        Command::Inspect(a) => cmd::inspect::run(a),
    };
    // What is still buffered in stdout is written now, where a failure is an error (Rust's exit
    // flush would drop it silently).
    let result = result.and_then(|()| {
        use std::io::Write;
        std::io::stdout().flush().map_err(cmd::stdout_error)
    });
    match result {
        Ok(()) => std::process::ExitCode::from(Exit::Agreement as u8),
        Err(e) => {
            eprintln!("error: {}", message(&e));
            std::process::ExitCode::from(Exit::of(&e) as u8)
        }
    }
}
