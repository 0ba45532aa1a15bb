//! The crate's error types: [`ProtocolError`] for framing (pure), [`BoardError`] for everything else.
//! Every variant names the field, file, port or tool at fault.

use std::path::PathBuf;

/// A frame that cannot be encoded or decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolError {
    #[error("field `{field}` = {value} does not fit the frame (at most {max})")]
    Field {
        field: &'static str,
        value: u64,
        max: u64,
    },
    #[error("event {index}: step {step} is below the previous event's step {previous} (events go in ascending step order)")]
    StepOrder {
        index: usize,
        step: u32,
        previous: u32,
    },
    #[error("{what} frame of {got} bytes, expected {expected}")]
    Length {
        what: &'static str,
        got: usize,
        expected: usize,
    },
    #[error("frame starts with 0x{got:02X}, expected the sync byte 0x{expected:02X}")]
    Sync { got: u8, expected: u8 },
    #[error("checksum 0x{got:04X}, the bytes give 0x{expected:04X}")]
    Checksum { got: u16, expected: u16 },
    #[error("unknown request kind 0x{0:02X}")]
    Kind(u8),
    #[error("unknown reply status {0}")]
    Status(u8),
    #[error("reply for {got} layers, the design has {expected}")]
    Layers { got: usize, expected: usize },
}

#[derive(Debug, thiserror::Error)]
pub enum BoardError {
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// The design cannot be wrapped (a size beyond the frame's fields, a clock too slow for the baud).
    #[error("board top level: {field}: {message}")]
    Design {
        field: &'static str,
        message: String,
    },
    #[error("serial port {port}: {message}")]
    Port { port: String, message: String },
    #[error("serial port {port}: no complete reply within {timeout_ms} ms for sample {sample} ({received} bytes received)")]
    Timeout {
        port: String,
        sample: usize,
        timeout_ms: u64,
        received: usize,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Format { path: PathBuf, message: String },
    /// The input does not fit the design.
    #[error("sample {sample}: {message}")]
    Input { sample: usize, message: String },
    #[error(transparent)]
    Tool(#[from] toolchain::ToolchainError),
    #[error(transparent)]
    Golden(#[from] golden::GoldenError),
    #[error("simulated board: {message}")]
    SimBoard { message: String },
}

impl BoardError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> BoardError {
        BoardError::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = BoardError> = std::result::Result<T, E>;
