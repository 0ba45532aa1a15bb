//! Tiny networks you can check on paper.

use golden::{QuantLayer, QuantNetwork, TimeParams};
use ndarray::array;

/// 3 inputs -> 2 hidden -> 2 outputs, 4-bit weights (negative ones included), 8 steps, 3 input
/// steps. With inputs at steps 0, 1, 3: hidden 0 fires at step 6, hidden 1 at step 4, output 0 stays
/// silent, output 1 fires at step 7 (worked out in `tests/hdl_exact.rs`).
pub fn tiny_net() -> QuantNetwork {
    let l1 = QuantLayer {
        weights: array![[3, -2, 1], [-1, 4, 2]],
        threshold_q: 10,
        scale: 1.0,
        weight_bits: 4,
    };
    let l2 = QuantLayer {
        weights: array![[5, -3], [2, 2]],
        threshold_q: 7,
        scale: 1.0,
        weight_bits: 4,
    };
    QuantNetwork::new(8, 3, TimeParams::default(), vec![l1, l2]).expect("the tiny network is valid")
}
