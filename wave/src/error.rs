//! Errors of the `wave` crate: every variant names the file (or the request) at fault.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum WaveError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not what was expected (bad VCD, missing signals).
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
    /// A request that cannot be met (sample, layer or neuron out of range).
    #[error("{0}")]
    Invalid(String),
    /// A VCD that was not simulated from the given model or design (its ports have other widths).
    #[error("{path} does not belong to {other}: {message}")]
    Unrelated {
        path: PathBuf,
        other: String,
        message: String,
    },
    /// A waveform traced to the ports only, where the engine's internal signals are needed.
    #[error("{path} holds no engine signals of layers {layers:?}: demultiplexing needs a full-depth waveform (ttfs cosim --trace-samples A-B, without --trace-depth 1)")]
    NoEngineSignals { path: PathBuf, layers: Vec<usize> },
    #[error("drawing {path}: {message}")]
    Plot { path: PathBuf, message: String },
    #[error(transparent)]
    Sim(#[from] sim::SimError),
    #[error(transparent)]
    Golden(#[from] golden::GoldenError),
}

impl WaveError {
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        WaveError::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }
    pub fn format(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        WaveError::Format {
            path: path.as_ref().to_path_buf(),
            message: message.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, WaveError>;
