//! Typed errors of the `toolchain` crate: each names the tool, the command, the file and the log.

use std::path::PathBuf;

/// Result alias used across `toolchain`.
pub type Result<T> = std::result::Result<T, ToolchainError>;

/// Everything that can go wrong while finding a tool, planning a flow and running its steps.
#[derive(Debug, thiserror::Error)]
pub enum ToolchainError {
    /// An external tool is not installed (or its override points nowhere).
    #[error("{tool} not found ({searched}); install it with `{install}` or set {env_var}=/path/to/{tool}")]
    ToolMissing {
        tool: String,
        env_var: String,
        searched: String,
        install: String,
    },
    /// An external tool is too old or its version could not be read.
    #[error("{tool} at {}: {msg}", path.display())]
    ToolVersion {
        tool: String,
        path: PathBuf,
        msg: String,
    },
    /// A step ran and failed (non-zero exit, killed, or could not start); its output is in `log`.
    #[error("{what} failed ({status}): `{command}`; log kept in {}:\n{excerpt}", log.display())]
    ToolFailed {
        what: String,
        command: String,
        status: String,
        log: PathBuf,
        excerpt: String,
    },
    /// A step ran longer than its time limit; it and every process it started were killed.
    #[error("{what} killed after its time limit of {seconds} s: `{command}`; log kept in {}:\n{excerpt}", log.display())]
    TimedOut {
        what: String,
        command: String,
        seconds: f64,
        log: PathBuf,
        excerpt: String,
    },
    /// A step's declared input is missing before it runs.
    #[error("{what}: input {} does not exist (the step was not started)", path.display())]
    MissingInput { what: String, path: PathBuf },
    /// A step succeeded but did not write a declared output.
    #[error("{what} reported success but did not write {}; log kept in {}", path.display(), log.display())]
    MissingOutput {
        what: String,
        path: PathBuf,
        log: PathBuf,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file of the plan (a script) could not be written (atomically, by golden's writer).
    #[error(transparent)]
    Write(#[from] golden::GoldenError),
    /// A tool's report (log, stat output) is not what the parser expects.
    #[error("{}: {msg}", path.display())]
    Format { path: PathBuf, msg: String },
    /// A flow was asked for something it cannot plan (e.g. a folder without Verilog).
    #[error("invalid input: {0}")]
    Invalid(String),
}

impl ToolchainError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ToolchainError::Io {
            path: path.into(),
            source,
        }
    }
    pub(crate) fn format(path: impl Into<PathBuf>, msg: impl Into<String>) -> Self {
        ToolchainError::Format {
            path: path.into(),
            msg: msg.into(),
        }
    }
}
