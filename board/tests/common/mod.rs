//! Shared by the board tests: a small random integer network, random samples, and the generated
//! design in a folder.

#![allow(dead_code)]

use golden::{QuantLayer, QuantNetwork, TimeParams};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

/// Steps of [`random_net`]'s window, and of its input window.
pub const N_STEPS: u32 = 16;
pub const N_IN_STEPS: u32 = 8;

/// An integer network of `sizes` with 4-bit weights drawn in `-3..=7` and thresholds that let about
/// half the neurons fire within the window.
pub fn random_net(sizes: &[usize], seed: u64) -> QuantNetwork {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let layers = sizes
        .windows(2)
        .map(|w| QuantLayer {
            weights: Array2::from_shape_fn((w[1], w[0]), |_| rng.gen_range(-3..=7)),
            threshold_q: 6 * w[0] as i64,
            scale: 1.0,
            weight_bits: 4,
        })
        .collect();
    QuantNetwork::new(N_STEPS, N_IN_STEPS, TimeParams::default(), layers).unwrap()
}

/// `count` samples of `n_in` inputs: each silent with probability 0.4, else at a step in
/// `0..=N_IN_STEPS`.
pub fn samples(n_in: usize, count: usize, seed: u64) -> Vec<Vec<Option<u32>>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            (0..n_in)
                .map(|_| (!rng.gen_bool(0.4)).then(|| rng.gen_range(0..=N_IN_STEPS)))
                .collect()
        })
        .collect()
}

/// Generates `net`'s design (lanes as given) into `dir` and the board top level for `link`.
pub fn write_design(
    dir: &Path,
    net: &QuantNetwork,
    lanes: usize,
    link: &board::verilog::LinkConfig,
) -> hdl::Manifest {
    let cfg = hdl::HdlConfig { lanes: vec![lanes] };
    let design = hdl::generate(net, &cfg).unwrap();
    std::fs::create_dir_all(dir).unwrap();
    golden::io::write_atomic(&dir.join(hdl::VERILOG_FILE), design.verilog.as_bytes()).unwrap();
    for (name, hex) in &design.memories {
        golden::io::write_atomic(&dir.join(name), hex.as_bytes()).unwrap();
    }
    golden::io::write_atomic(
        &dir.join(hdl::MANIFEST_FILE),
        design.manifest.to_json().as_bytes(),
    )
    .unwrap();
    board::verilog::write_board_top(dir, &design.manifest, link).unwrap();
    design.manifest
}
