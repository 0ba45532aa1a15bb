//! Typed errors of the golden crate: every variant says what was wrong and where.

use std::path::PathBuf;

/// Result alias used across `golden`.
pub type Result<T> = std::result::Result<T, GoldenError>;

/// Everything that can go wrong when building, loading or validating a network or data set.
#[derive(Debug, thiserror::Error)]
pub enum GoldenError {
    /// A tensor or layer has the wrong shape.
    #[error("{what}: expected shape {expected}, got {got}")]
    Shape {
        what: String,
        expected: String,
        got: String,
    },
    /// A value is NaN or infinite.
    #[error("{what}: non-finite value {value} at {location}")]
    NonFinite {
        what: String,
        location: String,
        value: f64,
    },
    /// A value lies outside its allowed range.
    #[error("{what} = {value} is out of range (allowed: {allowed})")]
    Range {
        what: String,
        value: String,
        allowed: String,
    },
    /// A file could not be read or written.
    /// (The I/O error is part of the message, not a `source`, so that error chains print it once.)
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A file was read but its content is malformed.
    #[error("{}: {msg}", path.display())]
    Format { path: PathBuf, msg: String },
    /// A data set file is missing; `hint` says how to get it.
    #[error("missing data file {}: {hint}", path.display())]
    MissingData { path: PathBuf, hint: String },
    /// Anything else that makes a model invalid.
    #[error("invalid model: {0}")]
    Invalid(String),
}

impl GoldenError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        GoldenError::Io {
            path: path.into(),
            error: source,
        }
    }
    pub(crate) fn format(path: impl Into<PathBuf>, msg: impl Into<String>) -> Self {
        GoldenError::Format {
            path: path.into(),
            msg: msg.into(),
        }
    }
    pub(crate) fn range(
        what: impl Into<String>,
        value: impl ToString,
        allowed: impl Into<String>,
    ) -> Self {
        GoldenError::Range {
            what: what.into(),
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }
}
