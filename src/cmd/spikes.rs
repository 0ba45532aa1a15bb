//! `ttfs dump-spikes`: every neuron's spike for chosen samples as CSV. Header `sample,layer,neuron,time`
//! for the exact model, `sample,layer,neuron,step` for the integer model; silent neurons are omitted;
//! layer 0 is the input layer, layer 1 the first hidden layer.

use super::data::{check_fit, default_data_dir, load_data, load_model, parse_samples, SplitArg};
use super::quantize::QuantArgs;
use anyhow::{Context, Result};
use golden::encode::{encode_exact, encode_steps};
use golden::io::Model;
use golden::{exact, integer, quantize::quantize, SpikeTrain};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Model file (float: exact spike times; integer: spike steps).
    #[arg(long)]
    pub model: PathBuf,
    /// Quantize a float model with the quantization flags and dump integer steps.
    #[arg(long)]
    pub integer: bool,
    /// Samples, e.g. `0,5,10-19`.
    #[arg(long, default_value = "0")]
    pub samples: String,
    /// Folder with IDX files. Default: the embedded MNIST subset.
    #[arg(long)]
    pub data: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "test")]
    pub split: SplitArg,
    /// Include the input layer (layer 0).
    #[arg(long)]
    pub with_inputs: bool,
    /// Output CSV file (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub quant: QuantArgs,
}

/// Appends `sample,layer,neuron,value` rows for one spike train.
pub fn write_rows<T: Copy + std::fmt::Display>(
    csv: &mut String,
    sample: usize,
    train: &SpikeTrain<T>,
    with_inputs: bool,
) {
    for (l, i, t) in train.events() {
        if l > 0 || with_inputs {
            let _ = writeln!(csv, "{sample},{l},{i},{t}");
        }
    }
}

pub fn run(args: &Args) -> Result<()> {
    let data_dir = args.data.clone().unwrap_or_else(default_data_dir);
    let data = load_data(&data_dir, args.split, None)?;
    let samples = parse_samples(&args.samples, data.len())?;
    let model = match load_model(&args.model)? {
        Model::Float(f) if args.integer => Model::Quant(
            quantize(&f, &args.quant.resolve()?)
                .with_context(|| format!("quantizing {}", args.model.display()))?,
        ),
        m => m,
    };
    let mut csv = String::new();
    match &model {
        Model::Float(f) => {
            check_fit(&data, f.sizes()[0], &args.model, &data_dir)?;
            csv.push_str("sample,layer,neuron,time\n");
            for &s in &samples {
                let out = exact::forward(f, &encode_exact(data.image(s), f.time.t_in));
                write_rows(&mut csv, s, &out.spikes, args.with_inputs);
            }
        }
        Model::Quant(q) => {
            check_fit(&data, q.sizes()[0], &args.model, &data_dir)?;
            csv.push_str("sample,layer,neuron,step\n");
            let runner = integer::IntegerRunner::new(q);
            for &s in &samples {
                let out = runner.run(&encode_steps(data.image(s), q.n_in_steps));
                write_rows(&mut csv, s, &out.spikes, args.with_inputs);
            }
        }
    }
    match &args.out {
        Some(p) => {
            golden::io::write_atomic(p, csv.as_bytes())
                .with_context(|| format!("writing {}", p.display()))?;
            eprintln!("wrote {} ({} samples)", p.display(), samples.len());
        }
        None => print!("{csv}"),
    }
    Ok(())
}
