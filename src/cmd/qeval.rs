//! `ttfs qeval --model FILE --data DIR`: accuracy of the integer model (golden::quantize +
//! golden::integer::IntegerRunner) at several weight widths and step counts, next to the float model
//! (golden::exact), with the number of test samples whose prediction changes. One table on stdout
//! (markdown), optionally also as CSV.

use anyhow::{bail, Context};
use golden::idx::{load_split, Split};
use golden::quantize::{quantize, QuantConfig};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Float model file (safetensors, from `ttfs train`).
    #[arg(long)]
    pub model: PathBuf,
    /// Data folder with the IDX test split (t10k-*-idx*-ubyte[.gz]). Default: the embedded MNIST subset.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist-small"))]
    pub data: PathBuf,
    /// Weight widths in bits.
    #[arg(long, value_delimiter = ',', default_value = "8,6,4")]
    pub bits: Vec<u32>,
    /// Step counts N of the window.
    #[arg(long, value_delimiter = ',', default_value = "32,64,128,256")]
    pub steps: Vec<u32>,
    /// Map this percentile of |w| to the largest code and clip above it (default: the maximum).
    #[arg(long)]
    pub clip_percentile: Option<f64>,
    /// Use only the first N test samples.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Also write the table as CSV here.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    crate::cmd::train::set_threads(args.threads)?;
    if args.bits.is_empty() || args.steps.is_empty() {
        bail!("--bits and --steps need at least one value each");
    }
    let net = golden::io::load_float(&args.model)
        .with_context(|| format!("loading the float model {}", args.model.display()))?;
    let mut data = load_split(&args.data, Split::Test)
        .with_context(|| format!("loading the test split from {}", args.data.display()))?;
    if let Some(n) = args.limit {
        data = data.take(n);
    }
    let sizes = net.sizes();
    if data.pixels() != sizes[0] {
        bail!(
            "{}: images have {} pixels but the model has {} inputs",
            args.data.display(),
            data.pixels(),
            sizes[0]
        );
    }
    let n = data.len();
    let float_pred: Vec<Option<usize>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let input = golden::encode::encode_exact(data.image(i), net.time.t_in);
            golden::exact::forward(&net, &input).decision
        })
        .collect();
    let float_correct = (0..n)
        .filter(|&i| float_pred[i] == Some(data.labels[i] as usize))
        .count();
    let float_acc = float_correct as f64 / n.max(1) as f64;

    let mut table = String::new();
    let mut csv = String::from(
        "weight_bits,n_steps,n_in_steps,float_acc,int_acc,delta_points,changed,int_mean_rate,sops_per_sample\n",
    );
    writeln!(
        table,
        "model {} on {} test samples of {}; float accuracy {:.2}%{}",
        args.model.display(),
        n,
        args.data.display(),
        100.0 * float_acc,
        args.clip_percentile.map_or(String::new(), |p| format!(
            "; scale at the {p} percentile of |w|"
        ))
    )?;
    writeln!(
        table,
        "\n| bits | steps | input steps | float acc % | int acc % | delta (points) | changed predictions | int mean rate | SOPs/sample |"
    )?;
    writeln!(table, "|---|---|---|---|---|---|---|---|---|")?;
    for &bits in &args.bits {
        for &steps in &args.steps {
            let cfg = QuantConfig {
                weight_bits: bits,
                n_steps: steps,
                clip_percentile: args.clip_percentile,
            };
            let q = quantize(&net, &cfg)
                .with_context(|| format!("quantizing at {bits} bits, {steps} steps"))?;
            let runner = golden::integer::IntegerRunner::new(&q);
            let results: Vec<(Option<usize>, golden::SpikeStats)> = (0..n)
                .into_par_iter()
                .map(|i| {
                    let input = golden::encode::encode_steps(data.image(i), q.n_in_steps);
                    let out = runner.run(&input);
                    (out.decision, out.stats)
                })
                .collect();
            let mut stats = golden::SpikeStats::default();
            let (mut correct, mut changed) = (0usize, 0usize);
            for (i, (d, s)) in results.iter().enumerate() {
                correct += (*d == Some(data.labels[i] as usize)) as usize;
                changed += (*d != float_pred[i]) as usize;
                stats.merge(s);
            }
            let acc = correct as f64 / n.max(1) as f64;
            let delta = 100.0 * (acc - float_acc);
            writeln!(
                table,
                "| {bits} | {steps} | {} | {:.2} | {:.2} | {:+.2} | {changed} | {:.3} | {:.0} |",
                q.n_in_steps,
                100.0 * float_acc,
                100.0 * acc,
                delta,
                stats.mean_hidden_rate(),
                stats.sops_per_sample()
            )?;
            writeln!(
                csv,
                "{bits},{steps},{},{float_acc:.6},{acc:.6},{delta:.4},{changed},{:.6},{:.1}",
                q.n_in_steps,
                stats.mean_hidden_rate(),
                stats.sops_per_sample()
            )?;
        }
    }
    print!("{table}");
    if let Some(path) = &args.csv {
        golden::io::write_atomic(path, csv.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
