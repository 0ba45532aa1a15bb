//! sim's behavioural reference model of `ttfs_top` (`testkit/fixtures/ref_6_4_3/ttfs_top.v`): a
//! fixed 6-4-3 network, `n_steps` 12, `n_in_steps` 4, 8-bit weights, whose weights and thresholds
//! are `$readmemh` files written at run time. It tests sim and `ttfs cosim` independently of the
//! generator.

use crate::inputs;
use crate::nets::{IntNet, Thresholds};
use crate::rng::Rng;
use golden::io::write_atomic;
use golden::QuantNetwork;
use hdl::{LayerManifest, Manifest, PortWidths, CYCLE_BOUND_TEXT, MANIFEST_VERSION};
use std::path::Path;

pub const SIZES: [usize; 3] = [6, 4, 3];
pub const N_STEPS: u32 = 12;
pub const N_IN_STEPS: u32 = 4;

/// The reference model's Verilog.
pub const VERILOG: &str = include_str!("../fixtures/ref_6_4_3/ttfs_top.v");

/// The reference model's networks: weights in -90..=127 (some negative, most neurons fire),
/// thresholds drawn in 100..=900 so that some neurons stay silent and some fire late.
pub fn net_shape() -> IntNet {
    IntNet {
        sizes: SIZES.to_vec(),
        weight_bits: 8,
        weights: -90..=127,
        thresholds: Thresholds::Drawn(100..=900),
        n_steps: N_STEPS,
        n_in_steps: N_IN_STEPS,
    }
}

/// A random network for the reference model.
pub fn random_net(seed: u64) -> QuantNetwork {
    net_shape().seeded(seed)
}

/// `n` random inputs for the reference model plus the three edge cases
/// ([`inputs::with_edge_cases`]).
pub fn random_inputs(seed: u64, n: usize) -> Vec<Vec<Option<u32>>> {
    inputs::with_edge_cases(&mut Rng::new(seed), SIZES[0], N_IN_STEPS, n)
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
                // One weight per word, word `neuron * n_in + j`: the geometry of one lane and
                // `n_out` groups, which is what the manifest's validation checks.
                lanes: 1,
                groups: n_out,
                weight_bits: 8,
                slope_bits: 32,
                potential_bits: 32,
                derived_slope_bits: w.slope_bits,
                derived_potential_bits: w.potential_bits,
                threshold_q: q.threshold_q,
                memory_file: format!("l{}_weights.hex", l + 1),
                memory_depth: n_in * n_out,
                memory_width_bits: 8,
                state_depth: n_out,
                state_width_bits: 32 + 32 + 2, // the manifest's lane layout: slope, potential, two flags
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
        // timeout, for which the layer-sequential bound (groups = n_out) is generous enough.
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

fn write(path: &Path, text: &str) {
    write_atomic(path, text.as_bytes()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Writes the reference model with `net`'s weights into `dir` and returns the loaded design.
pub fn reference_design(net: &QuantNetwork, dir: &Path) -> sim::Design {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    write(&dir.join("ttfs_top.v"), VERILOG);
    let mut thresholds = String::new();
    for (l, q) in net.layers().iter().enumerate() {
        let mut text = String::new();
        for row in q.weights.rows() {
            for &w in row {
                text.push_str(&format!("{:02x}\n", w as i8 as u8));
            }
        }
        write(&dir.join(format!("l{}_weights.hex", l + 1)), &text);
        thresholds.push_str(&format!("{:08x}\n", q.threshold_q as u32));
    }
    write(&dir.join("thresholds.hex"), &thresholds);
    write(&dir.join("manifest.json"), &manifest(net).to_json());
    sim::Design::load(dir).unwrap_or_else(|e| panic!("{e}"))
}
