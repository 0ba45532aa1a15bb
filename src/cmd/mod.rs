//! One module per `ttfs` subcommand. Each owns a clap `Args` struct and a `run` function that turns
//! flags into validated library calls; the libraries never see clap.
//!
//! Terminal output goes through [`outln!`] / [`out!`]: a write to standard output that fails (a
//! full disk, `> /dev/full`) is the command's error ("writing to stdout: No space left on device",
//! exit 2), never a panic and never a silent success; a closed pipe ends the process quietly
//! (SIGPIPE, see `main`).

/// `println!` that returns the write error from the enclosing function (see the module header).
macro_rules! outln {
    ($($t:tt)*) => {
        $crate::cmd::out_text(&format!("{}\n", format_args!($($t)*)))?
    };
}

/// `print!` that returns the write error from the enclosing function.
macro_rules! out {
    ($($t:tt)*) => {
        $crate::cmd::out_text(&format!($($t)*))?
    };
}

/// Writes `text` to standard output and flushes it, so a failed write is seen here.
pub fn out_text(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// Set once a command can stop gracefully on Ctrl-C / SIGTERM ([`graceful_interrupt`]).
static GRACEFUL: std::sync::OnceLock<std::sync::Arc<std::sync::atomic::AtomicBool>> =
    std::sync::OnceLock::new();

/// Installs the process's one Ctrl-C / SIGTERM handler (from `main`, before any command runs).
/// Every external tool running then is killed with its process group (`toolchain::kill_running`,
/// so no simulator outlives ttfs); then, if the command stops gracefully (training: the flag of
/// [`graceful_interrupt`], checkpoint at the next batch), the flag is set, else (or on a second
/// interrupt) ttfs exits with 130, the shell's status for an interrupt.
pub fn install_interrupt_handler() {
    use std::sync::atomic::Ordering;
    // If a handler is already installed (embedding), interrupts keep their default action.
    let _ = ctrlc::set_handler(|| {
        toolchain::kill_running();
        match GRACEFUL.get() {
            Some(flag) if !flag.swap(true, Ordering::SeqCst) => {}
            _ => std::process::exit(130),
        }
    });
}

/// The stop flag a command polls to end cleanly on Ctrl-C / SIGTERM (see
/// [`install_interrupt_handler`]); asking for it makes interrupts graceful.
pub fn graceful_interrupt() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    GRACEFUL.get_or_init(Default::default).clone()
}

/// The error of a failed write to standard output.
pub fn stdout_error(e: std::io::Error) -> anyhow::Error {
    anyhow::Error::new(e).context("writing to stdout")
}

pub mod board;
pub mod cosim;
pub mod data;
pub mod evaluate;
pub mod hdl;
pub mod inspect;
pub mod pipeline;
pub mod qeval;
pub mod quantize;
pub mod spikes;
pub mod sweep;
pub mod synth;
pub mod train;
pub mod wave;

/// A real difference between golden and the hardware (exit status 1, see `main`'s `Exit`): what
/// `cosim` and `wave --vcd` return when the comparison itself succeeded and found differences.
#[derive(Debug)]
pub struct Mismatch(pub String);

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Mismatch {}
