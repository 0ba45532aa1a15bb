//! `ttfs evaluate`: accuracy and firing rate per layer of the float model and of the integer model
//! side by side, with the number of samples whose prediction changes under quantization.

use super::data::{check_fit, load_data, load_model, SplitArg};
use super::quantize::QuantArgs;
use anyhow::{Context, Result};
use golden::eval::{
    changed_predictions, eval_exact, eval_integer, EvalResult, EvalSummary, EvaluateReport,
    EVALUATE_SCHEMA,
};
use golden::io::Model;
use golden::quantize::quantize;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Model file: float (evaluated exactly and, quantized with the flags below, as integer) or integer.
    #[arg(long)]
    pub model: PathBuf,
    /// Integer model to compare with the float model (instead of quantizing it on the fly).
    #[arg(long, value_name = "FILE")]
    pub integer_model: Option<PathBuf>,
    /// Deprecated spelling of --integer-model.
    #[arg(long, hide = true, conflicts_with = "integer_model")]
    pub quant_model: Option<PathBuf>,
    /// Folder with IDX files (MNIST layout). Default: the data set the model was trained on (its file records it), else the embedded MNIST subset.
    #[arg(long)]
    pub data: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "test")]
    pub split: SplitArg,
    #[command(flatten)]
    pub count: super::data::CountArgs,
    /// Also write the results as JSON to this file (schema `ttfs.evaluate/1`, docs/json.md).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    #[command(flatten)]
    pub quant: QuantArgs,
}

/// One table row per model: accuracy, silent outputs, firing rate per layer, SOPs per inference.
pub fn print_table(rows: &[(&str, &EvalResult)]) -> anyhow::Result<()> {
    let Some((_, first)) = rows.first() else {
        return Ok(());
    };
    let n_layers = first.stats.sizes.len();
    let mut header = format!("{:<9} {:>9} {:>9}", "model", "accuracy", "no-spike");
    for l in 1..n_layers {
        header += &format!(" {:>8}", format!("rate l{l}"));
    }
    header += &format!(" {:>11} {:>10}", "mean hidden", "SOPs/inf");
    outln!("{header}");
    for (name, r) in rows {
        let mut line = format!(
            "{:<9} {:>8.2}% {:>9}",
            name,
            100.0 * r.accuracy,
            r.silent_outputs
        );
        for l in 1..n_layers {
            line += &format!(" {:>8.4}", r.stats.firing_rate(l));
        }
        line += &format!(
            " {:>11.4} {:>10.0}",
            r.stats.mean_hidden_rate(),
            r.stats.sops_per_sample()
        );
        outln!("{line}");
    }
    Ok(())
}

/// The integer model a float model is compared with.
pub enum Integer<'a> {
    /// An integer model file (sizes must match).
    File(&'a Path),
    /// The float model quantized with these settings.
    Quantize(&'a QuantArgs),
}

pub fn run(args: &Args) -> Result<()> {
    if let Some(p) = &args.quant_model {
        super::data::deprecated(
            &format!("--quant-model {}", p.display()),
            &format!("--integer-model {}", p.display()),
        );
    }
    let integer = match args.integer_model.as_ref().or(args.quant_model.as_ref()) {
        Some(p) if args.quant.any_set() => anyhow::bail!(
            "--integer-model {} is already quantized: --bits/--steps/--clip-percentile/--quant-config quantize the float model instead; pass one or the other",
            p.display()
        ),
        Some(p) => Integer::File(p),
        None => Integer::Quantize(&args.quant),
    };
    let data_dir = super::data::data_for(args.data.as_deref(), &args.model)?;
    let report = evaluate(
        &args.model,
        &integer,
        &data_dir,
        args.split,
        args.count.get(),
    )?;
    if let Some(path) = &args.json {
        super::data::write_json(path, &report)?;
    }
    Ok(())
}

/// Evaluates the model file `model` (float: beside its integer model; integer: alone) on the data,
/// prints the table and returns it as a record.
pub fn evaluate(
    model_path: &Path,
    integer: &Integer,
    data_dir: &Path,
    split: SplitArg,
    limit: Option<usize>,
) -> Result<EvaluateReport> {
    let data = load_data(model_path, data_dir, split, limit)?;
    let model = load_model(model_path)?;
    outln!(
        "{} samples from {} ({:?} split)",
        data.len(),
        data_dir.display(),
        split
    );
    let mut report = EvaluateReport {
        schema: EVALUATE_SCHEMA.to_string(),
        model_file: model_path.display().to_string(),
        data: data_dir.display().to_string(),
        split: format!("{split:?}").to_lowercase(),
        models: Vec::new(),
        changed_predictions: None,
    };
    match model {
        Model::Quant(q) => {
            if let Integer::Quantize(quant) = integer {
                if quant.any_set() {
                    anyhow::bail!(
                        "{} is already an integer model: --bits/--steps/--clip-percentile/--quant-config apply to a float model only; drop them",
                        model_path.display()
                    );
                }
            }
            check_fit(&data, q.sizes()[0], model_path, data_dir)?;
            let r = eval_integer(&q, &data);
            print_table(&[("integer", &r)])?;
            report.models.push(EvalSummary::new("integer", &r));
        }
        Model::Float(f) => {
            check_fit(&data, f.sizes()[0], model_path, data_dir)?;
            let q = match integer {
                Integer::File(p) => match load_model(p)? {
                    Model::Quant(q) if q.sizes() == f.sizes() => q,
                    Model::Quant(q) => anyhow::bail!(
                        "{} has sizes {:?} but {} has {:?}",
                        p.display(),
                        q.sizes(),
                        model_path.display(),
                        f.sizes()
                    ),
                    Model::Float(_) => {
                        anyhow::bail!("--integer-model {} is a float model", p.display())
                    }
                },
                Integer::Quantize(quant) => {
                    let cfg = quant.resolve()?;
                    outln!(
                        "integer model: {} bits, {} steps",
                        cfg.weight_bits,
                        cfg.n_steps
                    );
                    quantize(&f, &cfg)
                        .with_context(|| format!("quantizing {}", model_path.display()))?
                }
            };
            let rf = eval_exact(&f, &data);
            let rq = eval_integer(&q, &data);
            print_table(&[("float", &rf), ("integer", &rq)])?;
            let changed = changed_predictions(&rf, &rq);
            report.models.push(EvalSummary::new("float", &rf));
            report.models.push(EvalSummary::new("integer", &rq));
            report.changed_predictions = Some(changed);
            outln!(
                "changed predictions under quantization: {changed} of {} ({:.2}%)",
                data.len(),
                100.0 * changed as f64 / data.len().max(1) as f64
            );
        }
    }
    Ok(report)
}
