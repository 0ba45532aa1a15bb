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
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BoundParts {
    pub event_cycles: f64,
    pub hidden_event_cycles: f64,
    pub step_cycles: f64,
    pub spike_cycles: f64,
}

/// What `ttfs cosim` reports besides the comparison.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
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

/// One co-simulated sample: its label, both decisions, its cycles and, when golden and the
/// hardware differ, the first difference in words (what a JUnit failure shows).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SampleResult {
    /// Index into the data split.
    pub sample: usize,
    pub label: Option<u8>,
    pub golden_decision: Option<usize>,
    pub hardware_decision: Option<usize>,
    /// Cycles the hardware took (none when it produced no result for the sample).
    pub cycles: Option<u64>,
    /// The engine's exact cycle model for the sample.
    pub expected_cycles: u64,
    /// The first difference: the first differing neuron (earliest diverging cycle) with its
    /// expected and observed spike step, else the decision, else the shape; `None` = agreement.
    pub first_difference: Option<String>,
}

impl SampleResult {
    /// One result per golden sample (same order as `observed`), the differences from `report`.
    pub fn all(
        manifest: &Manifest,
        golden: &[IntInference],
        observed: &[ObservedInference],
        labels: &[u8],
        report: &golden::compare::Report,
    ) -> Vec<SampleResult> {
        (0..golden.len())
            .map(|i| {
                let obs = observed.get(i);
                let first_difference = if obs.is_none() {
                    Some(format!(
                        "sample {i}: the hardware reported no result ({} of {} samples)",
                        observed.len(),
                        golden.len()
                    ))
                } else if let Some(m) = report.shape_mismatches.iter().find(|m| m.sample == i) {
                    Some(format!(
                        "sample {i}: layer sizes expected {:?}, hardware {:?}",
                        m.expected_sizes, m.actual_sizes
                    ))
                } else if let Some(m) = report.spike_mismatches.iter().find(|m| m.sample == i) {
                    Some(m.to_string())
                } else {
                    report
                        .decision_mismatches
                        .iter()
                        .find(|m| m.sample == i)
                        .map(ToString::to_string)
                };
                SampleResult {
                    sample: i,
                    label: labels.get(i).copied(),
                    golden_decision: golden[i].decision,
                    hardware_decision: obs.and_then(|o| o.decision),
                    cycles: obs.map(|o| o.cycles),
                    expected_cycles: manifest.expected_cycles(&golden[i].spikes),
                    first_difference,
                }
            })
            .collect()
    }
}

/// What `ttfs cosim --json` writes (schema `ttfs.cosim/1`, `docs/json.md`): the run, the statistics,
/// the full comparison and one line per sample.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CosimReport {
    /// Always [`COSIM_SCHEMA`].
    pub schema: String,
    pub design: String,
    pub engine: String,
    /// Layer sizes, input first.
    pub sizes: Vec<usize>,
    pub model_file: String,
    pub data: String,
    pub split: String,
    /// `verilator` or `iverilog`.
    pub simulator: String,
    /// True iff golden and the hardware agree on every sample.
    pub agreement: bool,
    pub samples_with_mismatch: usize,
    pub build_seconds: f64,
    pub build_cached: bool,
    pub run_seconds: f64,
    pub read_seconds: f64,
    pub stats: CosimStats,
    pub comparison: golden::compare::Report,
    pub per_sample: Vec<SampleResult>,
}

/// The `schema` value of [`CosimReport`].
pub const COSIM_SCHEMA: &str = "ttfs.cosim/1";

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

    /// The design of [`net`] and golden's run of two samples: input 0 alone, and no input.
    fn two_samples() -> (Manifest, Vec<IntInference>) {
        let net = net();
        let manifest = hdl::generate(&net, &hdl::HdlConfig::default())
            .unwrap()
            .manifest;
        let runner = IntegerRunner::new(&net);
        let golden = [vec![Some(0), None, None], vec![None; 3]]
            .iter()
            .map(|x| runner.run(x))
            .collect();
        (manifest, golden)
    }

    #[test]
    fn cycles_are_set_against_both_cycle_models_and_labels() {
        let (manifest, golden) = two_samples();
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

    #[test]
    fn per_sample_results_name_the_first_difference() {
        let (manifest, golden) = two_samples();
        let mut observed: Vec<ObservedInference> = golden
            .iter()
            .map(|g| ObservedInference::from_golden(g, 10))
            .collect();
        // Sample 0: the output neuron 1 fires two steps late.
        let late = observed[0].spikes.layers[2][1].map(|k| k + 2);
        observed[0].spikes.layers[2][1] = late;
        let report = golden::compare::compare(&golden, &observed);
        let r = SampleResult::all(&manifest, &golden, &observed, &[1, 0], &report);
        assert_eq!(r.len(), 2);
        let d = r[0].first_difference.as_deref().unwrap();
        assert!(
            d.contains("layer 2 neuron 1") && d.contains("expected step"),
            "{d}"
        );
        assert_eq!(r[1].first_difference, None);
        assert_eq!((r[0].label, r[1].label), (Some(1), Some(0)));
        // A sample the hardware never finished is a difference too.
        let r = SampleResult::all(&manifest, &golden, &observed[..1], &[1, 0], &report);
        assert!(r[1]
            .first_difference
            .as_deref()
            .unwrap()
            .contains("no result"));
        assert_eq!(r[1].cycles, None);
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

/// What the main job `ttfs run` writes as `<out>/results.json` (schema `ttfs.run/1`,
/// `docs/json.md`): its files, the evaluation of the float and integer models (golden's
/// [`golden::eval::EvaluateReport`]) and the co-simulation (none with `--no-cosim`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunReport {
    /// Always [`RUN_SCHEMA`].
    pub schema: String,
    pub out: String,
    pub float_model: String,
    pub integer_model: String,
    pub design: String,
    /// Whether the training was reused, continued, trained now, or skipped (`--model`).
    pub training: String,
    pub evaluate: golden::eval::EvaluateReport,
    pub cosim: Option<CosimReport>,
    pub seconds: f64,
}

/// The `schema` value of [`RunReport`].
pub const RUN_SCHEMA: &str = "ttfs.run/1";
