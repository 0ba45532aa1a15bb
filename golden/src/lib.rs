//! `golden`: what a time-to-first-spike network *is* and what it computes.
//!
//! This crate is the oracle of the tool chain (see `../shared/SPEC.md`, sections 1 and 4):
//!
//! * [`network`] — the float network ([`FloatNetwork`]) and the quantized integer network
//!   ([`QuantNetwork`]) with per-layer threshold, scale, weight bits and the number of time steps;
//! * [`exact`] — the continuous-time forward pass with closed-form spike times in f64;
//! * [`integer`] — the discrete-time, event-driven integer forward pass that the hardware must match
//!   bit for bit, and the register widths that make it overflow-free;
//! * [`quantize`] — float to integer; [`encode`] — pixels to spike times or steps;
//! * [`spikes`] — spike trains (one owner for every stage) and per-inference statistics;
//! * [`io`] — model files (safetensors + metadata) and [`idx`] — MNIST / Fashion-MNIST IDX data;
//! * [`simd`] — the one place that picks the instruction set of the hot passes (AVX2 or portable);
//! * [`table`] — CSV tables through the csv crate with the number formats every table uses.
//!
//! Everything here is pure computation plus file formats: no process spawning.
//!
//! ```
//! use golden::{FloatNetwork, TimeParams, exact, integer, quantize::{quantize, QuantConfig}, encode};
//! let net = FloatNetwork::random_init(&[4, 3, 2], TimeParams::default(), &[4.0, 4.0], 1.0, 7).unwrap();
//! let pixels = [0u8, 128, 255, 30];
//! let exact_out = exact::forward(&net, &encode::encode_exact(&pixels, net.time.t_in));
//! let q = quantize(&net, &QuantConfig::default()).unwrap();
//! let int_out = integer::forward(&q, &encode::encode_steps(&pixels, q.n_in_steps));
//! assert_eq!(exact_out.spikes.layers.len(), int_out.spikes.layers.len());
//! ```

pub mod compare;
pub mod encode;
pub mod error;
pub mod eval;
pub mod exact;
pub mod idx;
pub mod integer;
pub mod io;
pub mod network;
pub mod quantize;
pub mod simd;
pub mod spikes;
pub mod table;

pub use error::{GoldenError, Result};
pub use network::{
    FloatNetwork, LayerWidths, QuantLayer, QuantNetwork, TimeParams, FORMAT_VERSION, V_TH,
};
pub use spikes::{SpikeStats, SpikeTrain};
