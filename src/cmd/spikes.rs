//! `ttfs dump-spikes`: every neuron's spike for chosen samples as CSV. Header `sample,layer,neuron,time`
//! for the exact model, `sample,layer,neuron,step` for the integer model; silent neurons are omitted;
//! layer 0 is the input layer, layer 1 the first hidden layer.

use super::data::{check_fit, load_data, load_model, SelectionArgs, SplitArg};
use super::quantize::QuantArgs;
use anyhow::{Context, Result};
use golden::encode::{encode_exact, encode_steps};
use golden::io::Model;
use golden::table::Shown;
use golden::{exact, integer, quantize::quantize, SpikeTrain};
use std::io::Write as _;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Model file (float: exact spike times; integer: spike steps).
    #[arg(long)]
    pub model: PathBuf,
    /// Quantize a float model with the quantization flags and dump integer steps.
    #[arg(long)]
    pub integer: bool,
    #[command(flatten)]
    pub samples: SelectionArgs,
    /// Folder with IDX files. Default: the data set the model was trained on (its file records it), else the embedded MNIST subset.
    #[arg(long)]
    pub data: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "test")]
    pub split: SplitArg,
    /// Include the input layer (layer 0).
    #[arg(long)]
    pub with_inputs: bool,
    /// Output CSV file (default: standard output).
    #[arg(long, value_name = "FILE")]
    pub out_file: Option<PathBuf>,
    /// Deprecated spelling of --out-file (`--out` names a folder in every other command).
    #[arg(long, hide = true, conflicts_with = "out_file")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub quant: QuantArgs,
}

/// `(sample, layer, neuron, value)` rows of one spike train (the input layer only if asked).
fn rows<T: Copy + std::fmt::Display>(
    sample: usize,
    train: &SpikeTrain<T>,
    with_inputs: bool,
) -> Vec<(usize, usize, usize, Shown<T>)> {
    train
        .events()
        .filter(|&(l, _, _)| l > 0 || with_inputs)
        .map(|(l, i, t)| (sample, l, i, Shown(t)))
        .collect()
}

/// The CSV text: header `sample,layer,neuron,<value>`, one row per spike.
fn spike_csv<T: Copy + std::fmt::Display>(
    value: &str,
    rows: Vec<(usize, usize, usize, Shown<T>)>,
) -> Result<Vec<u8>> {
    let header = ["sample", "layer", "neuron", value].map(String::from);
    Ok(golden::table::to_csv(&header, rows)?)
}

pub fn run(args: &Args) -> Result<()> {
    // stdout is the CSV: the data set chosen is said on stderr after it.
    let (data_dir, why) = super::data::choose_data(args.data.as_deref(), &args.model)?;
    let data = load_data(&args.model, &data_dir, args.split, None)?;
    let samples = args.samples.resolve(data.len())?;
    let model = load_model(&args.model)?;
    if args.quant.any_set() && !(args.integer && matches!(model, Model::Float(_))) {
        anyhow::bail!(
            "--bits/--steps/--clip-percentile/--quant-config quantize a float model for --integer; {} they would be ignored: drop them or pass --integer",
            if matches!(model, Model::Quant(_)) { format!("{} is already an integer model,", args.model.display()) } else { "without --integer".to_string() }
        );
    }
    let model = match model {
        Model::Float(f) if args.integer => Model::Quant(
            quantize(&f, &args.quant.resolve()?)
                .with_context(|| format!("quantizing {}", args.model.display()))?,
        ),
        m => m,
    };
    let csv = match &model {
        Model::Float(f) => {
            check_fit(&data, f.sizes()[0], &args.model, &data_dir)?;
            let rows = samples.iter().flat_map(|&s| {
                let out = exact::forward(f, &encode_exact(data.image(s), f.time.t_in));
                rows(s, &out.spikes, args.with_inputs)
            });
            spike_csv("time", rows.collect())?
        }
        Model::Quant(q) => {
            check_fit(&data, q.sizes()[0], &args.model, &data_dir)?;
            let runner = integer::IntegerRunner::new(q);
            let rows = samples.iter().flat_map(|&s| {
                let out = runner.run(&encode_steps(data.image(s), q.n_in_steps));
                rows(s, &out.spikes, args.with_inputs)
            });
            spike_csv("step", rows.collect())?
        }
    };
    if let Some(p) = &args.out {
        super::data::deprecated(
            &format!("--out {}", p.display()),
            &format!("--out-file {}", p.display()),
        );
    }
    match args.out_file.as_ref().or(args.out.as_ref()) {
        Some(p) => {
            golden::io::write_atomic(p, &csv)
                .with_context(|| format!("writing {}", p.display()))?;
            eprintln!("wrote {} ({} samples)", p.display(), samples.len());
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&csv)
                .and_then(|()| out.flush())
                .map_err(super::stdout_error)?
        }
    }
    if let Some(why) = why {
        eprintln!("data: {why}");
    }
    Ok(())
}
