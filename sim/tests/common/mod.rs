//! Shared set-up of sim's tests: the behavioural reference model of `ttfs_top` in
//! `tests/fixtures/ref_6_4_3` (a fixed 6-4-3 network, n_steps 12, n_in_steps 4, 8-bit weights) with
//! weights and thresholds written at run time, and golden networks to match.

#![allow(dead_code)]

use golden::{QuantLayer, QuantNetwork, TimeParams};
use hdl::{LayerManifest, Manifest, PortWidths, CYCLE_BOUND_TEXT, MANIFEST_VERSION};
use ndarray::Array2;
use std::path::{Path, PathBuf};

pub const SIZES: [usize; 3] = [6, 4, 3];
pub const N_STEPS: u32 = 12;
pub const N_IN_STEPS: u32 = 4;

/// SplitMix64: a small seeded generator (keeps this module free of rand, so that the root package's
/// tests can include it too).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }
}

/// `sim/tests/fixtures`, from the sim crate or from the root package (which includes this module).
pub fn fixture_dir() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let in_sim = here.join("tests/fixtures");
    if in_sim.join("ref_6_4_3").is_dir() {
        in_sim
    } else {
        here.join("sim/tests/fixtures")
    }
}

/// A random 6-4-3 integer network: weights in -127..=127 with a positive bias so that neurons fire,
/// thresholds drawn so that some neurons stay silent and some fire late.
pub fn random_net(seed: u64) -> QuantNetwork {
    let mut rng = Rng::new(seed);
    let mut layers = Vec::new();
    for l in 1..SIZES.len() {
        let w =
            Array2::from_shape_simple_fn((SIZES[l], SIZES[l - 1]), || rng.range(-90, 127) as i32);
        layers.push(QuantLayer {
            weights: w,
            threshold_q: rng.range(100, 900),
            scale: 1.0,
            weight_bits: 8,
        });
    }
    QuantNetwork::new(N_STEPS, N_IN_STEPS, TimeParams::default(), layers).unwrap()
}

/// Random encoded inputs: pixel 0 (no spike) with probability 1/4, else a step in 0..=n_in_steps.
pub fn random_inputs(seed: u64, n: usize) -> Vec<Vec<Option<u32>>> {
    let mut rng = Rng::new(seed);
    let mut v: Vec<Vec<Option<u32>>> = (0..n)
        .map(|_| {
            (0..SIZES[0])
                .map(|_| (rng.range(0, 3) != 0).then(|| rng.range(0, N_IN_STEPS as i64) as u32))
                .collect()
        })
        .collect();
    // Edge cases: no events at all; every input at the same step; every input at the last input step.
    v.push(vec![None; SIZES[0]]);
    v.push(vec![Some(0); SIZES[0]]);
    v.push(vec![Some(N_IN_STEPS); SIZES[0]]);
    v
}

/// The manifest of the reference model (its ports and sizes).
pub fn manifest(net: &QuantNetwork) -> Manifest {
    let layers = net
        .layers()
        .iter()
        .enumerate()
        .map(|(l, q)| {
            let (n_out, n_in) = q.weights.dim();
            let w = q.widths(net.n_steps);
            LayerManifest {
                layer: l + 1,
                n_in,
                n_out,
                lanes: n_out,
                groups: 1,
                weight_bits: 8,
                slope_bits: 32,
                potential_bits: 32,
                derived_slope_bits: w.slope_bits,
                derived_potential_bits: w.potential_bits,
                threshold_q: q.threshold_q,
                memory_file: format!("l{}_weights.hex", l + 1),
                memory_depth: n_in * n_out,
                memory_width_bits: 8,
                state_depth: 1,
                state_width_bits: 0,
            }
        })
        .collect();
    Manifest {
        format_version: MANIFEST_VERSION,
        top: "ttfs_top".into(),
        sizes: SIZES.to_vec(),
        n_steps: N_STEPS,
        n_in_steps: N_IN_STEPS,
        // The behavioural reference model is no registered engine; its timing only feeds sim's
        // timeout, for which the layer-sequential bound (groups = 1) is generous enough.
        engine: "layer-sequential".into(),
        layers,
        ports: PortWidths {
            in_neuron: 3,
            in_step: 4,
            class_out: 2,
            spk_layer: 2,
            spk_neuron: 2,
            spk_step: 4,
            out_neuron: 2,
            out_step: 4,
        },
        cycle_bound: CYCLE_BOUND_TEXT.into(),
        debug_signals: Vec::new(),
    }
}

/// Writes the reference model with `net`'s weights into `dir` and returns the loaded design.
pub fn reference_design(net: &QuantNetwork, dir: &Path) -> sim::Design {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(
        fixture_dir().join("ref_6_4_3/ttfs_top.v"),
        dir.join("ttfs_top.v"),
    )
    .unwrap();
    let mut thresholds = String::new();
    for (l, q) in net.layers().iter().enumerate() {
        let mut text = String::new();
        for row in q.weights.rows() {
            for &w in row {
                text.push_str(&format!("{:02x}\n", w as i8 as u8));
            }
        }
        std::fs::write(dir.join(format!("l{}_weights.hex", l + 1)), text).unwrap();
        thresholds.push_str(&format!("{:08x}\n", q.threshold_q as u32));
    }
    std::fs::write(dir.join("thresholds.hex"), thresholds).unwrap();
    std::fs::write(dir.join("manifest.json"), manifest(net).to_json()).unwrap();
    sim::Design::load(dir).unwrap()
}
