//! Typed errors of the trainer: configuration, data and checkpoint problems, each naming what and where.

use std::path::PathBuf;

/// Result alias used across `trainer`.
pub type Result<T> = std::result::Result<T, TrainError>;

/// Everything that can go wrong when configuring, running or resuming a training run.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// A configuration value is missing, inconsistent or out of range; `field` is its TOML path.
    #[error("config: {field}: {msg}")]
    Config { field: String, msg: String },
    /// A value of a config or sweep file is out of range (a [`TrainError::Config`] or
    /// [`TrainError::Sweep`] with the file it was read from).
    #[error("{}: {field}: {msg}", path.display())]
    InFile {
        path: PathBuf,
        field: String,
        msg: String,
    },
    /// A TOML file could not be parsed into a config.
    #[error("{}: {msg}", path.display())]
    Parse { path: PathBuf, msg: String },
    /// The training or test data does not fit the network.
    #[error("data: {0}")]
    Data(String),
    /// A checkpoint could not be read, or does not belong to this config.
    #[error("checkpoint {}: {msg}", path.display())]
    Checkpoint { path: PathBuf, msg: String },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Training diverged: a loss, weight or Adam moment became non-finite. Nothing is written.
    #[error(
        "training diverged at epoch {epoch}, batch {batch}: {what}; nothing was written for this \
         batch (lower train.lr, now {lr:e}, or check the data and the initial weights)"
    )]
    Diverged {
        epoch: usize,
        batch: usize,
        what: String,
        lr: f64,
    },
    /// Resuming was asked for but the run folder holds no checkpoint.
    #[error("--resume: no checkpoint at {}", path.display())]
    NoCheckpoint { path: PathBuf },
    /// A fresh run was asked for in a folder that already holds one.
    #[error(
        "{} already holds a run ({} exists): pass --resume to continue it, or choose another --out",
        dir.display(),
        checkpoint.display()
    )]
    RunExists { dir: PathBuf, checkpoint: PathBuf },
    /// No folder `data.path` may name exists.
    #[error("data.path = {path:?} names no folder here (tried {tried}); fix data.path (relative to the config file) or set TTFS_DATA / --data-root")]
    DataMissing { path: String, tried: String },
    /// A data split named by `data.path` could not be loaded (the cause follows in the chain).
    #[error("loading the {split} split named by data.path = {path:?}")]
    DataLoad {
        split: &'static str,
        path: String,
        #[source]
        source: golden::GoldenError,
    },
    /// A run's `metrics.csv` lacks a column or holds a value that is not a number.
    #[error("{}: {msg}", path.display())]
    Metrics { path: PathBuf, msg: String },
    /// A sweep file value is missing, inconsistent or out of range; `field` is its TOML path.
    #[error("sweep: {field}: {msg}")]
    Sweep { field: String, msg: String },
    /// The network became invalid (for example a weight turned non-finite).
    #[error(transparent)]
    Golden(#[from] golden::GoldenError),
}

impl TrainError {
    /// A config or sweep value error as one naming `path`; other errors unchanged.
    pub fn in_file(self, path: &std::path::Path) -> Self {
        match self {
            TrainError::Config { field, msg } | TrainError::Sweep { field, msg } => {
                TrainError::InFile {
                    path: path.to_path_buf(),
                    field,
                    msg,
                }
            }
            other => other,
        }
    }
    pub(crate) fn config(field: impl Into<String>, msg: impl Into<String>) -> Self {
        TrainError::Config {
            field: field.into(),
            msg: msg.into(),
        }
    }
    pub(crate) fn metrics(path: impl Into<PathBuf>, msg: impl Into<String>) -> Self {
        TrainError::Metrics {
            path: path.into(),
            msg: msg.into(),
        }
    }
    pub(crate) fn sweep(field: impl Into<String>, msg: impl Into<String>) -> Self {
        TrainError::Sweep {
            field: field.into(),
            msg: msg.into(),
        }
    }
    pub(crate) fn checkpoint(path: impl Into<PathBuf>, msg: impl Into<String>) -> Self {
        TrainError::Checkpoint {
            path: path.into(),
            msg: msg.into(),
        }
    }
}
