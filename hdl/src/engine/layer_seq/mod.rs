//! The layer-sequential engine: each layer is one `ttfs_layer<l>` with `lanes` neurons updated in
//! parallel and `groups = ceil(n_out / lanes)` groups time-multiplexed; for one sample layer 1 runs
//! its whole window, then layer 2, and so on (the crate documentation describes the datapath).
//!
//! Owns: the plan ([`plan`]: every size and width, decided once), the Verilog text ([`verilog`] and
//! `layer_template.v`), the weight memory files ([`memory`]), the debug signals it exposes to
//! viewers ([`debug_signals`]) and its cycle model (`cycles.rs`: exact count, lower bound, upper
//! bound). Uses the shared rust-hdl blocks ([`crate::lane`], [`crate::queue`], [`crate::first_set`]).

mod cycles;
pub mod memory;
pub mod plan;
pub mod verilog;

use crate::contract::{PortWidths, TOP_MODULE};
use crate::engine::Engine;
use crate::error::HdlError;
use crate::manifest::{
    CycleParts, DebugSignal, LayerManifest, Manifest, Meaning, NeuronMap, MANIFEST_VERSION,
};
use crate::{Design, HdlConfig};
use golden::{QuantNetwork, SpikeTrain};
use plan::{LayerPlan, Plan};

/// The registered name.
pub const NAME: &str = "layer-sequential";

/// Text of the cycle lower bound (kept in the manifest so a reader needs no code).
pub const CYCLE_BOUND_TEXT: &str = "sum over layers l = 1..L of \
groups_l * (1 + e_l + n_steps) + s_l, where e_l = input events of layer l with step < n_steps \
(layer 1: input pixels that spike; layer l > 1: spikes of layer l-1) and s_l = spikes of layer l; \
cycles counted from the posedge that samples start to the posedge where done = 1";

/// The layer-sequential, event-driven, column-parallel engine.
#[derive(Clone, Copy, Debug, Default)]
pub struct LayerSequential;

impl Engine for LayerSequential {
    fn name(&self) -> &'static str {
        NAME
    }

    fn generate(&self, net: &QuantNetwork, cfg: &HdlConfig) -> Result<Design, HdlError> {
        let plan = Plan::new(net, cfg)?;
        let verilog = verilog::design_text(&plan)?;
        let memories = plan
            .layers
            .iter()
            .zip(net.layers())
            .map(|(p, q)| (p.memory_file(), memory::weight_hex(p, q)))
            .collect();
        let manifest = Manifest {
            format_version: MANIFEST_VERSION,
            top: TOP_MODULE.into(),
            sizes: plan.sizes.clone(),
            n_steps: plan.n_steps,
            n_in_steps: plan.n_in_steps,
            engine: NAME.into(),
            layers: plan.layers.iter().map(layer_manifest).collect(),
            ports: PortWidths::for_network(&plan.sizes, plan.n_steps),
            cycle_bound: CYCLE_BOUND_TEXT.into(),
            debug_signals: debug_signals(&plan),
        };
        Ok(Design {
            verilog,
            memories,
            manifest,
        })
    }

    fn expected_cycles(&self, m: &Manifest, spikes: &SpikeTrain<u32>) -> u64 {
        cycles::expected_cycles(m, spikes)
    }

    fn cycle_bound_parts(&self, m: &Manifest, spikes: &SpikeTrain<u32>) -> CycleParts {
        cycles::cycle_bound_parts(m, spikes)
    }

    fn cycle_upper_bound(&self, m: &Manifest) -> u64 {
        cycles::cycle_upper_bound(m)
    }
}

fn layer_manifest(p: &LayerPlan) -> LayerManifest {
    LayerManifest {
        layer: p.layer,
        n_in: p.n_in,
        n_out: p.n_out,
        lanes: p.lanes,
        groups: p.groups,
        weight_bits: p.weight_bits,
        slope_bits: p.slope_bits,
        potential_bits: p.potential_bits,
        derived_slope_bits: p.derived_slope_bits,
        derived_potential_bits: p.derived_potential_bits,
        threshold_q: p.threshold_q,
        memory_file: p.memory_file(),
        memory_depth: p.memory_depth(),
        memory_width_bits: p.memory_width_bits(),
        state_depth: p.groups,
        state_width_bits: p.state_width_bits(),
    }
}

/// The states of `layer_template.v`'s `phase` register, index = value (its `PHASE_*` localparams).
pub const PHASE_NAMES: [&str; 4] = ["IDLE", "CLEAR", "RUN", "DRAIN"];

/// The signals of `layer_template.v` a viewer may show, per layer: the control and stage-1
/// registers, the layer's spike port, then per lane (`g_lane[k]`, neuron `op_base + k`) its neuron
/// index, `pot_sum`, `potential`, `slope`, `fired` and the neuron unit's `crosses`.
pub fn debug_signals(plan: &Plan) -> Vec<DebugSignal> {
    let mut out = Vec::new();
    for p in &plan.layers {
        let l = p.layer;
        let scope = format!("u_layer{l}");
        let mut add = |name: &str, meaning, width, signed, neuron| {
            out.push(DebugSignal {
                path: format!("{scope}.{name}"),
                meaning,
                width,
                signed,
                layer: l,
                neuron,
                values: if meaning == Meaning::Phase {
                    PHASE_NAMES.iter().map(|s| s.to_string()).collect()
                } else {
                    Vec::new()
                },
            })
        };
        let (tw, nw, gw, pb) = (
            plan.step_bits,
            p.out_index_bits,
            p.group_bits,
            p.potential_bits,
        );
        add("phase", Meaning::Phase, 2, false, None);
        add("step_n", Meaning::Step, tw, false, None);
        add("group", Meaning::Group, gw, false, None);
        add("THETA", Meaning::Threshold, pb, true, None);
        add("op_valid", Meaning::OpValid, 1, false, None);
        add("op_absorb", Meaning::OpAbsorb, 1, false, None);
        add("op_step", Meaning::OpStep, tw, false, None);
        add("op_base", Meaning::OpBase, nw, false, None);
        add("op_group", Meaning::OpGroup, gw, false, None);
        add("spk_valid", Meaning::SpikeValid, 1, false, None);
        add("spk_neuron", Meaning::SpikeNeuron, nw, false, None);
        add("spk_step", Meaning::SpikeStep, tw, false, None);
        if p.last {
            add("spk_potential", Meaning::SpikePotential, pb, true, None);
        }
        add("fire_vec", Meaning::FireVector, p.lanes as u32, false, None);
        let base = format!("{scope}.op_base");
        for lane in 0..p.lanes {
            let map = || {
                Some(NeuronMap {
                    base: base.clone(),
                    lane,
                })
            };
            let g = format!("g_lane[{lane}]");
            add(&format!("{g}.neuron"), Meaning::Neuron, nw, false, map());
            add(&format!("{g}.pot_sum"), Meaning::PotSum, pb, true, map());
            add(
                &format!("{g}.potential"),
                Meaning::Potential,
                pb,
                true,
                map(),
            );
            add(
                &format!("{g}.slope"),
                Meaning::Slope,
                p.slope_bits,
                true,
                map(),
            );
            add(&format!("{g}.fired"), Meaning::Fired, 1, false, map());
            add(
                &format!("{g}.u_neuron.crosses"),
                Meaning::Crosses,
                1,
                false,
                map(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::PHASE_NAMES;

    #[test]
    fn phase_names_are_the_templates_states() {
        let template = include_str!("layer_template.v");
        for (k, name) in PHASE_NAMES.iter().enumerate() {
            let decl = format!("PHASE_{name} = 2'd{k}");
            assert!(template.contains(&decl), "{decl} not in layer_template.v");
        }
        // No other state: the localparam line declares exactly these.
        let line = template
            .lines()
            .find(|l| l.contains("PHASE_IDLE ="))
            .expect("the phase localparams");
        assert_eq!(line.matches("PHASE_").count(), PHASE_NAMES.len(), "{line}");
    }
}
