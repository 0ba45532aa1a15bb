//! Statistics of a co-simulation run: accuracy of hardware and golden against the labels, spikes of
//! the hardware per layer, and the cycles each sample took against the design's cycle models
//! (`Manifest::expected_cycles`, the generator's exact model of its RTL, and
//! `Manifest::cycle_bound_parts`, the architecture's lower bound split by what drives it).
//!
//! Observation only: whether golden and the RTL agree is `golden::compare`'s judgement. Means of an
//! empty run are 0; the ratio of cycles to the bound divides by at least 1.

use golden::compare::ObservedInference;
use golden::integer::IntInference;
use golden::SpikeStats;
use hdl::{CycleParts, Manifest};

/// Means over samples of the lower bound's parts (cycles per inference).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BoundParts {
    pub event_cycles: f64,
    pub hidden_event_cycles: f64,
    pub step_cycles: f64,
    pub spike_cycles: f64,
}

/// What `ttfs cosim` reports besides the comparison.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CosimStats {
    pub samples: usize,
    /// Samples whose hardware / golden decision equals the label.
    pub hardware_correct: usize,
    pub golden_correct: usize,
    /// Spikes the hardware emitted, summed over samples.
    pub spikes: SpikeStats,
    pub cycles_mean: f64,
    pub cycles_max: u64,
    /// Mean of the lower bound, and of cycles / bound per sample at its largest.
    pub bound_mean: f64,
    pub bound_ratio_max: f64,
    /// Samples that took fewer cycles than the lower bound (an error of the bound).
    pub below_bound: usize,
    pub load_cycles_mean: f64,
    /// Mean of the exact cycle model, and the samples whose cycles differ from it.
    pub expected_mean: f64,
    pub off_model: usize,
    pub bound_parts: BoundParts,
}

fn mean(values: impl ExactSizeIterator<Item = u64>) -> f64 {
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    values.sum::<u64>() as f64 / n as f64
}

impl CosimStats {
    /// Statistics of `observed` (the RTL) against `golden` (same samples, same order) and `labels`.
    pub fn new(
        manifest: &Manifest,
        golden: &[IntInference],
        observed: &[ObservedInference],
        labels: &[u8],
    ) -> CosimStats {
        let label = |i: usize| labels.get(i).map(|&y| y as usize);
        let mut spikes = SpikeStats::default();
        for o in observed {
            spikes.merge(&o.spikes.stats());
        }
        let parts: Vec<CycleParts> = golden
            .iter()
            .map(|g| manifest.cycle_bound_parts(&g.spikes))
            .collect();
        let bounds: Vec<u64> = parts.iter().map(CycleParts::total).collect();
        let expected: Vec<u64> = golden
            .iter()
            .map(|g| manifest.expected_cycles(&g.spikes))
            .collect();
        let cycles: Vec<u64> = observed.iter().map(|o| o.cycles).collect();
        let pairs = || cycles.iter().zip(&bounds);
        let part_mean = |f: fn(&CycleParts) -> u64| mean(parts.iter().map(f));
        CosimStats {
            samples: observed.len(),
            hardware_correct: (0..observed.len())
                .filter(|&i| observed[i].decision.is_some() && observed[i].decision == label(i))
                .count(),
            golden_correct: (0..golden.len())
                .filter(|&i| golden[i].decision.is_some() && golden[i].decision == label(i))
                .count(),
            spikes,
            cycles_mean: mean(cycles.iter().copied()),
            cycles_max: cycles.iter().max().copied().unwrap_or(0),
            bound_mean: mean(bounds.iter().copied()),
            bound_ratio_max: pairs()
                .map(|(&c, &b)| c as f64 / b.max(1) as f64)
                .fold(0.0, f64::max),
            below_bound: pairs().filter(|(c, b)| c < b).count(),
            load_cycles_mean: mean(observed.iter().map(|o| o.load_cycles)),
            expected_mean: mean(expected.iter().copied()),
            off_model: cycles.iter().zip(&expected).filter(|(c, e)| c != e).count(),
            bound_parts: BoundParts {
                event_cycles: part_mean(|p| p.event_cycles),
                hidden_event_cycles: part_mean(|p| p.hidden_event_cycles),
                step_cycles: part_mean(|p| p.step_cycles),
                spike_cycles: part_mean(|p| p.spike_cycles),
            },
        }
    }

    /// Mean cycles over the mean lower bound (the bound taken as at least 1).
    pub fn bound_ratio_mean(&self) -> f64 {
        self.cycles_mean / self.bound_mean.max(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use golden::{integer::IntegerRunner, QuantLayer, QuantNetwork, TimeParams};

    /// 3 inputs -> 2 -> 2, weights large enough that input 0 alone makes hidden 0 and output 1 fire.
    fn net() -> QuantNetwork {
        let layers = [
            (ndarray::array![[100, 0, 0], [0, 0, 0]], 150),
            (ndarray::array![[0, 0], [120, 0]], 200),
        ]
        .into_iter()
        .map(|(weights, threshold_q)| QuantLayer {
            weights,
            threshold_q,
            scale: 1.0,
            weight_bits: 8,
        })
        .collect();
        QuantNetwork::new(8, 4, TimeParams::default(), layers).unwrap()
    }

    #[test]
    fn cycles_are_set_against_both_cycle_models_and_labels() {
        let net = net();
        let manifest = hdl::generate(&net, &hdl::HdlConfig::default())
            .unwrap()
            .manifest;
        let runner = IntegerRunner::new(&net);
        let golden: Vec<_> = [vec![Some(0), None, None], vec![None; 3]]
            .iter()
            .map(|x| runner.run(x))
            .collect();
        assert_eq!(golden[0].decision, Some(1));
        assert_eq!(golden[1].decision, None);
        let expected: Vec<u64> = golden
            .iter()
            .map(|g| manifest.expected_cycles(&g.spikes))
            .collect();
        let bound: Vec<u64> = golden
            .iter()
            .map(|g| manifest.cycle_bound_parts(&g.spikes).total())
            .collect();
        // Sample 0 as the model says; sample 1 two cycles slower than its model.
        let observed: Vec<ObservedInference> = golden
            .iter()
            .zip([expected[0], expected[1] + 2])
            .map(|(g, cycles)| ObservedInference {
                cycles,
                load_cycles: 3,
                ..ObservedInference::from_golden(g, 10)
            })
            .collect();
        let s = CosimStats::new(&manifest, &golden, &observed, &[1, 0]);
        assert_eq!((s.samples, s.hardware_correct, s.golden_correct), (2, 1, 1));
        assert_eq!(s.cycles_max, expected[0].max(expected[1] + 2));
        assert_eq!(s.cycles_mean, (expected[0] + expected[1] + 2) as f64 / 2.0);
        assert_eq!(s.expected_mean, (expected[0] + expected[1]) as f64 / 2.0);
        assert_eq!(s.off_model, 1);
        assert_eq!(s.bound_mean, (bound[0] + bound[1]) as f64 / 2.0);
        assert_eq!(s.below_bound, 0, "the exact model is never below the bound");
        assert_eq!(s.load_cycles_mean, 3.0);
        assert_eq!(s.bound_ratio_mean(), s.cycles_mean / s.bound_mean);
        // One input event (sample 0), one hidden and one output spike: spikes summed per layer.
        assert_eq!(s.spikes.spikes, vec![1, 1, 1]);
        let p = &s.bound_parts;
        let total = p.event_cycles + p.step_cycles + p.spike_cycles;
        assert!((total - s.bound_mean).abs() < 1e-9, "{p:?}");
    }
}

/// What a waveform holds, for [`estimate_vcd_bytes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceKind {
    /// The top-level ports only (`trace_depth = 1`).
    Ports,
    /// Every signal of the design.
    Full,
}

/// Bytes of VCD per traced bit per cycle, measured on the layer-sequential engine's 784-100-10
/// design at 32 steps (3 samples, Verilator 5): a full trace wrote 3.3 bytes per cycle per bit of
/// the manifest's debug signals (the declared signals themselves are only known after the build),
/// ports only 0.6 bytes per port bit. An estimate to print before writing, not a bound.
const FULL_BYTES_PER_DEBUG_BIT: f64 = 3.3;
const PORT_BYTES_PER_BIT: f64 = 0.6;

/// Estimated VCD size for a run of the given `golden` inferences (their expected cycles plus one
/// cycle per input event to load it) on `manifest`'s design.
pub fn estimate_vcd_bytes(manifest: &Manifest, golden: &[&IntInference], kind: TraceKind) -> u64 {
    let cycles: u64 = golden
        .iter()
        .map(|g| {
            let inputs = g.spikes.layers[0].iter().flatten().count() as u64;
            manifest.expected_cycles(&g.spikes) + inputs + 2
        })
        .sum();
    let port_bits: u32 = hdl::contract::PORTS
        .iter()
        .map(|p| p.width(&manifest.ports))
        .sum();
    let per_cycle = match kind {
        TraceKind::Ports => PORT_BYTES_PER_BIT * port_bits as f64,
        TraceKind::Full => {
            let debug_bits: u32 = manifest.debug_signals.iter().map(|d| d.width).sum();
            PORT_BYTES_PER_BIT * port_bits as f64 + FULL_BYTES_PER_DEBUG_BIT * debug_bits as f64
        }
    };
    (cycles as f64 * per_cycle) as u64
}
