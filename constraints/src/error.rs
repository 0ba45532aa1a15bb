//! The crate's one error type. Every variant names where the problem is: the board file (or the
//! built-in board's name) and the field, the report file and the key, or the port.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConstraintsError {
    /// The TOML could not be read as a board (syntax, a missing or unknown key, a wrong type);
    /// `message` is toml's, which names the key and the line.
    #[error("{}: {message}", file.display())]
    Parse { file: PathBuf, message: String },
    /// A value parsed but is not acceptable.
    #[error("{}: field `{field}`: {message}", file.display())]
    Invalid {
        file: PathBuf,
        field: String,
        message: String,
    },
    /// No built-in board of that name.
    #[error("unknown board `{name}` (built in: {known}; or give the path of a board TOML file)")]
    UnknownBoard { name: String, known: String },
    /// Reading a user's board file failed.
    #[error("{}: {source}", file.display())]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A top-level port cannot be bound to the board's pins.
    #[error("board `{board}`: port `{port}`: {message}")]
    Port {
        board: String,
        port: String,
        message: String,
    },
    /// The board's family has no such output (e.g. a PCF for a Xilinx board).
    #[error("board `{board}` ({family}): {message}")]
    Family {
        board: String,
        family: String,
        message: String,
    },
    /// A tool report could not be understood; `what` names the report, `key` the missing or bad key.
    #[error("{what}: `{key}`: {message}")]
    Report {
        what: String,
        key: String,
        message: String,
    },
}

impl ConstraintsError {
    pub(crate) fn invalid(file: &Path, field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            file: file.to_path_buf(),
            field: field.to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn report(what: &str, key: &str, message: impl Into<String>) -> Self {
        Self::Report {
            what: what.to_string(),
            key: key.to_string(),
            message: message.into(),
        }
    }
}

pub type Result<T, E = ConstraintsError> = std::result::Result<T, E>;
