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
    /// No registered engine has this name.
    #[error("unknown engine {name:?} (known engines: {known})")]
    UnknownEngine { name: String, known: String },
    /// A model does not match the design it is run against ([`crate::Manifest::check_network`]).
    #[error("the model does not match the design: {field}: model {model}, design {design}")]
    ModelMismatch {
        /// The first field that differs (`sizes`, `n_steps`, `layer2.threshold_q`, ...).
        field: String,
        model: String,
        design: String,
    },
    /// A text template and its values disagree (a generator bug, reported instead of emitting
    /// broken Verilog).
    #[error("template {template}: {msg}")]
    Template { template: String, msg: String },
    /// A design file could not be written.
    #[error("writing the design: {0}")]
    Write(#[from] golden::GoldenError),
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
