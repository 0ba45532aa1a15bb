//! Weight memory files: one `$readmemh` text per layer.
//!
//! Layout (also in [`crate::LayerManifest`]): word `g * n_in + j` holds the weights from presynaptic
//! neuron `j` to neurons `g * lanes + i`, lane `i` in bits `[i * weight_bits, (i + 1) * weight_bits)`
//! as two's complement; lanes beyond `n_out` hold 0 (so they never fire: thresholds are >= 1). One
//! word per line, `ceil(lanes * weight_bits / 4)` hex digits, most significant first.

use super::plan::LayerPlan;
use golden::QuantLayer;

/// The hex text of one layer's weight memory.
pub fn weight_hex(p: &LayerPlan, q: &QuantLayer) -> String {
    let wb = p.weight_bits as usize;
    let width = p.memory_width_bits();
    let digits = width.div_ceil(4);
    let mask = (1u64 << wb) - 1;
    let mut out = String::with_capacity(p.memory_depth() * (digits + 1));
    let mut nibbles = vec![0u8; digits];
    for g in 0..p.groups {
        for j in 0..p.n_in {
            nibbles.iter_mut().for_each(|n| *n = 0);
            for lane in 0..p.lanes {
                let neuron = g * p.lanes + lane;
                if neuron >= p.n_out {
                    break;
                }
                let code = (q.weights[[neuron, j]] as i64 as u64) & mask;
                for b in 0..wb {
                    if (code >> b) & 1 == 1 {
                        let bit = lane * wb + b;
                        nibbles[bit / 4] |= 1 << (bit % 4);
                    }
                }
            }
            for n in nibbles.iter().rev() {
                out.push(char::from_digit(*n as u32, 16).unwrap_or('0'));
            }
            out.push('\n');
        }
    }
    out
}
