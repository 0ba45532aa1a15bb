//! The plan of a design: per-layer sizes, lanes, groups and every register width, decided once from a
//! [`golden::QuantNetwork`] and an [`HdlConfig`] and validated against what this generator supports.
//!
//! Widths: golden derives overflow-free slope and potential widths from the weights
//! ([`golden::QuantLayer::widths`]); the RTL uses `slope_bits = max(derived, weight_bits)` and
//! `potential_bits = max(derived, slope_bits)` so that every sign extension widens (never narrows).
//! Both are recorded in the manifest. All other widths are the smallest that hold their ranges.

use crate::bits::{index_bits, unsigned_bits};
use crate::error::HdlError;
use crate::{HdlConfig, DEFAULT_LANES};
use golden::QuantNetwork;

/// Largest lane count of one layer.
pub const MAX_LANES: usize = 1024;
/// Largest potential register width (bits); keeps every literal and product inside i64.
pub const MAX_POTENTIAL_BITS: u32 = 62;
/// Largest weight memory word (`lanes * weight_bits`, bits).
pub const MAX_MEMORY_WIDTH_BITS: usize = 8192;
/// Largest neuron state word (`lanes * (slope_bits + potential_bits + 2)`, bits).
pub const MAX_STATE_WIDTH_BITS: usize = 32768;
/// Largest weight memory depth (`n_in * groups`, words).
pub const MAX_MEMORY_DEPTH: usize = 1 << 22;

/// One layer's plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerPlan {
    /// 1-based layer number.
    pub layer: usize,
    pub n_in: usize,
    pub n_out: usize,
    pub lanes: usize,
    pub groups: usize,
    pub weight_bits: u32,
    pub slope_bits: u32,
    pub potential_bits: u32,
    pub derived_slope_bits: u32,
    pub derived_potential_bits: u32,
    pub threshold_q: i64,
    /// Bits of an input neuron index (`0..n_in`).
    pub in_index_bits: u32,
    /// Bits of an output neuron index (`0..n_out`).
    pub out_index_bits: u32,
    /// Bits of a group number.
    pub group_bits: u32,
    /// Weight memory address bits.
    pub addr_bits: u32,
    /// Event counter bits (`0..=n_in`).
    pub count_bits: u32,
    /// Event memory address bits.
    pub event_addr_bits: u32,
    /// 16-bit chunks of the fire vector.
    pub chunks: usize,
    /// Bits of the fire vector padded to whole chunks (`chunks * 16`).
    pub padded_bits: usize,
    /// Bits of a chunk number.
    pub chunk_index_bits: u32,
    /// Bits of the serializer's lane pick (chunk number and lane in the chunk).
    pub pick_lane_bits: u32,
    /// Bits of one buffered event `{neuron, step}`.
    pub event_bits: u32,
    /// Output layer (drives the decision).
    pub last: bool,
}

impl LayerPlan {
    pub fn memory_file(&self) -> String {
        format!("l{}_weights.hex", self.layer)
    }
    pub fn memory_depth(&self) -> usize {
        self.n_in * self.groups
    }
    pub fn memory_width_bits(&self) -> usize {
        self.lanes * self.weight_bits as usize
    }
    /// Bits of one lane's state: slope, look-ahead potential `W = V + S`, fired flag, armed flag
    /// (`W >= threshold`).
    pub fn lane_state_bits(&self) -> usize {
        (self.slope_bits + self.potential_bits + 2) as usize
    }
    pub fn state_width_bits(&self) -> usize {
        self.lanes * self.lane_state_bits()
    }
}

/// The whole design's plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub sizes: Vec<usize>,
    pub n_steps: u32,
    pub n_in_steps: u32,
    /// Bits of a step (`0..=n_steps`).
    pub step_bits: u32,
    pub layers: Vec<LayerPlan>,
}

impl Plan {
    /// Decides and validates every size and width.
    pub fn new(net: &QuantNetwork, cfg: &HdlConfig) -> Result<Plan, HdlError> {
        let sizes = net.sizes();
        let n_layers = sizes.len() - 1;
        let lanes_req: Vec<usize> = match cfg.lanes.len() {
            0 => vec![DEFAULT_LANES; n_layers],
            1 => vec![cfg.lanes[0]; n_layers],
            k if k == n_layers => cfg.lanes.clone(),
            k => {
                return Err(HdlError::Config(format!(
                    "{k} lane counts given for a network of {n_layers} layers (give 0, 1 or {n_layers})"
                )))
            }
        };
        let widths = net.widths();
        let mut layers = Vec::with_capacity(n_layers);
        for (idx, q) in net.layers().iter().enumerate() {
            let l = idx + 1;
            let (n_in, n_out) = (sizes[idx], sizes[l]);
            let req = lanes_req[idx];
            if req == 0 || req > MAX_LANES {
                return Err(HdlError::unsupported(
                    format!("layer{l} lanes"),
                    req,
                    format!("1..={MAX_LANES}"),
                ));
            }
            let lanes = req.min(n_out);
            let groups = n_out.div_ceil(lanes);
            let w = widths[idx];
            let slope_bits = w.slope_bits.max(q.weight_bits);
            let potential_bits = w.potential_bits.max(slope_bits);
            if potential_bits > MAX_POTENTIAL_BITS {
                return Err(HdlError::unsupported(
                    format!("layer{l} potential register width (bits)"),
                    potential_bits,
                    format!("1..={MAX_POTENTIAL_BITS}"),
                ));
            }
            let plan = LayerPlan {
                layer: l,
                n_in,
                n_out,
                lanes,
                groups,
                weight_bits: q.weight_bits,
                slope_bits,
                potential_bits,
                derived_slope_bits: w.slope_bits,
                derived_potential_bits: w.potential_bits,
                threshold_q: q.threshold_q,
                in_index_bits: index_bits(n_in),
                out_index_bits: index_bits(n_out),
                group_bits: index_bits(groups),
                addr_bits: index_bits(n_in * groups),
                count_bits: unsigned_bits(n_in as u64),
                event_addr_bits: index_bits(n_in),
                chunks: lanes.div_ceil(16),
                padded_bits: lanes.div_ceil(16) * 16,
                chunk_index_bits: index_bits(lanes.div_ceil(16)),
                pick_lane_bits: if lanes <= 16 {
                    4
                } else {
                    index_bits(lanes.div_ceil(16)) + 4
                },
                event_bits: index_bits(n_in) + unsigned_bits(net.n_steps as u64),
                last: l == n_layers,
            };
            if plan.memory_width_bits() > MAX_MEMORY_WIDTH_BITS {
                return Err(HdlError::unsupported(
                    format!("layer{l} weight memory width lanes x weight_bits"),
                    plan.memory_width_bits(),
                    format!("<= {MAX_MEMORY_WIDTH_BITS} bits (use fewer lanes)"),
                ));
            }
            if plan.state_width_bits() > MAX_STATE_WIDTH_BITS {
                return Err(HdlError::unsupported(
                    format!("layer{l} state width lanes x (slope + potential + 2)"),
                    plan.state_width_bits(),
                    format!("<= {MAX_STATE_WIDTH_BITS} bits (use fewer lanes)"),
                ));
            }
            if plan.memory_depth() > MAX_MEMORY_DEPTH {
                return Err(HdlError::unsupported(
                    format!("layer{l} weight memory depth n_in x groups"),
                    plan.memory_depth(),
                    format!("<= {MAX_MEMORY_DEPTH} words (use more lanes)"),
                ));
            }
            layers.push(plan);
        }
        Ok(Plan {
            sizes,
            n_steps: net.n_steps,
            n_in_steps: net.n_in_steps,
            step_bits: unsigned_bits(net.n_steps as u64),
            layers,
        })
    }
}
