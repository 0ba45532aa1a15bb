//! Typed errors of the `sim` crate: each says which tool, file, sample or signal was involved.

use std::path::PathBuf;

/// Result alias used across `sim`.
pub type Result<T> = std::result::Result<T, SimError>;

/// Everything that can go wrong while finding tools, building and running simulations, and reading
/// their output back.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Finding or running an external tool failed (not installed, too old, non-zero exit, time
    /// limit); the message names the tool, the command and the log.
    #[error(transparent)]
    Tool(#[from] toolchain::ToolchainError),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A VCD, log or manifest file is malformed or breaks the hardware contract.
    #[error("{}: {msg}", path.display())]
    Format { path: PathBuf, msg: String },
    /// The design (manifest) or the stimulus is not something sim can run.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The hardware raised its protocol status `err` at a sample's `done`: the sample's input
    /// events were not in the contract's ascending step order (docs/hw-contract.md), so its spikes
    /// are not golden's.
    #[error("sample {sample}: the hardware reported a protocol violation (err = 1 at done, cycle {cycle}): its input events were not sent in ascending step order; see {}", origin.display())]
    InputOrder {
        sample: usize,
        cycle: u64,
        origin: PathBuf,
    },
    /// The hardware did not finish a sample within the cycle limit.
    #[error("sample {sample}: no `done` within {limit} cycles after start (cycle {start_cycle}); see {}", log.display())]
    Timeout {
        sample: usize,
        limit: u64,
        start_cycle: u64,
        log: PathBuf,
    },
}

impl SimError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        SimError::Io {
            path: path.into(),
            source,
        }
    }
    pub(crate) fn format(path: impl Into<PathBuf>, msg: impl Into<String>) -> Self {
        SimError::Format {
            path: path.into(),
            msg: msg.into(),
        }
    }
}
