//! Typed errors of the `hdl` crate: every variant says what was wrong and where.

use std::path::PathBuf;

/// Everything that can go wrong when generating hardware or reading a manifest.
#[derive(Debug, thiserror::Error)]
pub enum HdlError {
    /// A network or configuration value lies outside what this generator supports.
    #[error("{what} = {value} is not supported (allowed: {allowed})")]
    Unsupported {
        what: String,
        value: String,
        allowed: String,
    },
    /// The configuration does not fit the network (e.g. wrong number of lane counts).
    #[error("invalid hardware configuration: {0}")]
    Config(String),
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A manifest file was read but its content is malformed.
    #[error("{}: {msg}", path.display())]
    Format { path: PathBuf, msg: String },
}

impl HdlError {
    pub(crate) fn unsupported(
        what: impl Into<String>,
        value: impl ToString,
        allowed: impl Into<String>,
    ) -> Self {
        HdlError::Unsupported {
            what: what.into(),
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }
}
