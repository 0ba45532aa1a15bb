//! `board`: the link between a host and a board running the generated accelerator.
//!
//! * [`protocol`]: the UART framing (`docs/board-link.md`): requests carry one sample's input events,
//!   replies the status, class, spikes per layer and cycle count, each frame with a CRC-16. Pure.
//! * [`verilog`]: `ttfs_board_top`, the board top level that wraps `ttfs_top` with the UART, the frame
//!   parser, the counters, LEDs and reset. Pure: returns text (and [`verilog::write_board_top`]).
//! * [`host`]: the host side over a real serial port (the `serialport` crate): streams samples, checks
//!   every reply against golden's integer pass and hdl's exact cycle model, and measures throughput.
//! * [`simboard`]: the simulated board: a Verilator model of `ttfs_board_top` serving the byte stream on
//!   a pseudo-terminal, so the host's serial code runs end to end without a board.
//!
//! Dependencies point toward golden: this crate uses `hdl`'s manifest and contract, `toolchain`'s tool
//! lookup and steps, and `constraints`' boards; nothing but the binary depends on it.

pub mod error;
pub mod host;
pub mod protocol;
pub mod simboard;
pub mod verilog;

pub use error::{BoardError, ProtocolError, Result};
