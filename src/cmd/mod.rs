//! One module per `ttfs` subcommand. Each owns a clap `Args` struct and a `run` function that turns
//! flags into validated library calls; the libraries never see clap.

pub mod board;
pub mod cosim;
pub mod data;
pub mod evaluate;
pub mod hdl;
pub mod inspect;
pub mod pipeline;
pub mod qeval;
pub mod quantize;
pub mod spikes;
pub mod sweep;
pub mod synth;
pub mod train;
pub mod wave;

/// A real difference between golden and the hardware (exit status 1, see `main`'s `Exit`): what
/// `cosim` and `wave --vcd` return when the comparison itself succeeded and found differences.
#[derive(Debug)]
pub struct Mismatch(pub String);

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Mismatch {}
