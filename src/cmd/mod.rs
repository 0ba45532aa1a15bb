//! One module per `ttfs` subcommand. Each owns a clap `Args` struct and a `run` function that turns
//! flags into validated library calls; the libraries never see clap.

pub mod board;
pub mod cosim;
pub mod data;
pub mod evaluate;
pub mod hdl;
pub mod pipeline;
pub mod qeval;
pub mod quantize;
pub mod spikes;
pub mod sweep;
pub mod synth;
pub mod train;
pub mod wave;
