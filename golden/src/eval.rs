//! Evaluation over a data set: predictions, accuracy and spike statistics of the exact and the integer
//! model, computed in parallel over samples (rayon) with results independent of the thread count
//! (per-sample results are collected in sample order and reduced sequentially).

use crate::encode::{encode_exact, encode_steps};
use crate::exact;
use crate::idx::Dataset;
use crate::integer::IntegerRunner;
use crate::network::{FloatNetwork, QuantNetwork};
use crate::spikes::SpikeStats;
use rayon::prelude::*;

/// Predictions and statistics of one model over a data set.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalResult {
    /// Predicted class per sample (`None`: no output spike, counted as wrong).
    pub predictions: Vec<Option<usize>>,
    /// Fraction of samples whose prediction equals the label.
    pub accuracy: f64,
    /// Samples with no output spike at all.
    pub silent_outputs: usize,
    /// Spike statistics summed over the data set.
    pub stats: SpikeStats,
}

fn finish(labels: &[u8], results: Vec<(Option<usize>, SpikeStats)>) -> EvalResult {
    let mut stats = SpikeStats::default();
    let mut predictions = Vec::with_capacity(results.len());
    for (p, s) in results {
        stats.merge(&s);
        predictions.push(p);
    }
    let correct = predictions
        .iter()
        .zip(labels)
        .filter(|(p, &y)| **p == Some(y as usize))
        .count();
    let silent_outputs = predictions.iter().filter(|p| p.is_none()).count();
    let accuracy = if labels.is_empty() {
        0.0
    } else {
        correct as f64 / labels.len() as f64
    };
    EvalResult {
        predictions,
        accuracy,
        silent_outputs,
        stats,
    }
}

/// Exact (float) model over `data`. The caller checks `data.pixels()` equals the input size.
pub fn eval_exact(net: &FloatNetwork, data: &Dataset) -> EvalResult {
    let runner = exact::ExactRunner::new(net);
    let results: Vec<_> = (0..data.len())
        .into_par_iter()
        .map(|i| {
            let out = runner.run(&encode_exact(data.image(i), net.time.t_in));
            (out.decision, out.spikes.stats())
        })
        .collect();
    finish(&data.labels, results)
}

/// Integer model over `data`. The caller checks `data.pixels()` equals the input size.
pub fn eval_integer(net: &QuantNetwork, data: &Dataset) -> EvalResult {
    let runner = IntegerRunner::new(net);
    let results: Vec<_> = (0..data.len())
        .into_par_iter()
        .map(|i| {
            let out = runner.run(&encode_steps(data.image(i), net.n_in_steps));
            (out.decision, out.stats)
        })
        .collect();
    finish(&data.labels, results)
}

/// Number of samples whose prediction differs between two results.
pub fn changed_predictions(a: &EvalResult, b: &EvalResult) -> usize {
    a.predictions
        .iter()
        .zip(&b.predictions)
        .filter(|(x, y)| x != y)
        .count()
}

/// One model's line of an evaluation, as a machine-readable record (schema: `docs/json.md`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EvalSummary {
    /// `float` or `integer`.
    pub model: String,
    pub samples: usize,
    /// Fraction of samples classified correctly (0 to 1).
    pub accuracy: f64,
    pub silent_outputs: usize,
    /// Firing rate of layers 1..=L (spikes / (neurons x samples)).
    pub firing_rates: Vec<f64>,
    pub mean_hidden_rate: f64,
    pub sops_per_sample: f64,
    pub stats: SpikeStats,
}

impl EvalSummary {
    pub fn new(model: &str, r: &EvalResult) -> EvalSummary {
        EvalSummary {
            model: model.to_string(),
            samples: r.predictions.len(),
            accuracy: r.accuracy,
            silent_outputs: r.silent_outputs,
            firing_rates: (1..r.stats.sizes.len())
                .map(|l| r.stats.firing_rate(l))
                .collect(),
            mean_hidden_rate: r.stats.mean_hidden_rate(),
            sops_per_sample: r.stats.sops_per_sample(),
            stats: r.stats.clone(),
        }
    }
}

/// What `ttfs evaluate --json` writes (schema `ttfs.evaluate/1`, `docs/json.md`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EvaluateReport {
    /// Always [`EVALUATE_SCHEMA`].
    pub schema: String,
    pub model_file: String,
    pub data: String,
    pub split: String,
    /// The float model's line (if the file is a float model), then the integer model's.
    pub models: Vec<EvalSummary>,
    /// Samples whose prediction changes under quantization (float files only).
    pub changed_predictions: Option<usize>,
}

/// The `schema` value of [`EvaluateReport`].
pub const EVALUATE_SCHEMA: &str = "ttfs.evaluate/1";

/// One quantization setting of `ttfs qeval`: the integer model's results at `weight_bits` bits and
/// `n_steps` steps against the float model on the same samples.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QevalRow {
    pub weight_bits: u32,
    pub n_steps: u32,
    pub n_in_steps: u32,
    /// Fraction correct of the integer model (0 to 1).
    pub int_accuracy: f64,
    /// `100 * (int_accuracy - float_accuracy)`: percentage points.
    pub delta_points: f64,
    /// Samples whose prediction differs from the float model's.
    pub changed_predictions: usize,
    pub int_mean_hidden_rate: f64,
    pub sops_per_sample: f64,
}

/// What `ttfs qeval --json` writes (schema `ttfs.qeval/1`, `docs/json.md`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QevalReport {
    /// Always [`QEVAL_SCHEMA`].
    pub schema: String,
    pub model_file: String,
    pub data: String,
    /// Test samples evaluated.
    pub samples: usize,
    pub float_accuracy: f64,
    /// The `--clip-percentile` of every row (none: the maximum of |w|).
    pub clip_percentile: Option<f64>,
    /// One row per (bits, steps), bits outer, in the order of the flags.
    pub rows: Vec<QevalRow>,
}

/// The `schema` value of [`QevalReport`].
pub const QEVAL_SCHEMA: &str = "ttfs.qeval/1";

/// The quantization grid of `ttfs qeval`: the float model on `data`, then the integer model at every
/// (`bits`, `steps`) pair, bits outer, each set against the float predictions. `model_file` and
/// `data_name` only label the report.
pub fn qeval_grid(
    net: &FloatNetwork,
    data: &Dataset,
    bits: &[u32],
    steps: &[u32],
    clip_percentile: Option<f64>,
    model_file: &str,
    data_name: &str,
) -> crate::Result<QevalReport> {
    let float = eval_exact(net, data);
    let mut rows = Vec::with_capacity(bits.len() * steps.len());
    for &weight_bits in bits {
        for &n_steps in steps {
            let cfg = crate::quantize::QuantConfig {
                weight_bits,
                n_steps,
                clip_percentile,
            };
            let q = crate::quantize::quantize(net, &cfg)?;
            let int = eval_integer(&q, data);
            rows.push(QevalRow {
                weight_bits,
                n_steps,
                n_in_steps: q.n_in_steps,
                int_accuracy: int.accuracy,
                delta_points: 100.0 * (int.accuracy - float.accuracy),
                changed_predictions: changed_predictions(&float, &int),
                int_mean_hidden_rate: int.stats.mean_hidden_rate(),
                sops_per_sample: int.stats.sops_per_sample(),
            });
        }
    }
    Ok(QevalReport {
        schema: QEVAL_SCHEMA.to_string(),
        model_file: model_file.to_string(),
        data: data_name.to_string(),
        samples: data.len(),
        float_accuracy: float.accuracy,
        clip_percentile,
        rows,
    })
}
