//! `ttfs qeval --model FILE --data DIR`: accuracy of the integer model (golden::quantize +
//! golden::eval::eval_integer) at several weight widths and step counts, next to the float model
//! (golden::eval::eval_exact), with the number of test samples whose prediction changes. One table on stdout
//! (markdown), optionally also as CSV (`--csv`) and JSON (`--json`, `golden::eval::QevalReport`).

use anyhow::{bail, Context};
use golden::eval::{qeval_grid, QevalReport};
use golden::idx::Split;
use golden::table::Decimal;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Float model file (safetensors, from `ttfs train`).
    #[arg(long)]
    pub model: PathBuf,
    /// Data folder with the IDX test split (t10k-*-idx*-ubyte[.gz]). Default: the data set the
    /// model was trained on (recorded in its file), or the embedded MNIST subset for a file that
    /// records none.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Weight widths in bits.
    #[arg(long, value_delimiter = ',', default_value = "8,6,4")]
    pub bits: Vec<u32>,
    /// Step counts N of the window.
    #[arg(long, value_delimiter = ',', default_value = "32,64,128,256")]
    pub steps: Vec<u32>,
    /// Map this percentile of |w| to the largest code and clip above it (default: the maximum).
    #[arg(long)]
    pub clip_percentile: Option<f64>,
    #[command(flatten)]
    pub count: super::data::CountArgs,
    /// Also write the table as CSV here.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Also write the results as JSON here (schema `ttfs.qeval/1`, docs/json.md).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    #[command(flatten)]
    pub threads: super::data::ThreadArgs,
}

/// One row of the `--csv` table.
#[derive(Serialize)]
struct Row {
    weight_bits: u32,
    n_steps: u32,
    n_in_steps: u32,
    float_acc: Decimal<6>,
    int_acc: Decimal<6>,
    delta_points: Decimal<4>,
    changed: usize,
    int_mean_rate: Decimal<6>,
    sops_per_sample: Decimal<1>,
}

const CSV_HEADER: [&str; 9] = [
    "weight_bits",
    "n_steps",
    "n_in_steps",
    "float_acc",
    "int_acc",
    "delta_points",
    "changed",
    "int_mean_rate",
    "sops_per_sample",
];

/// The markdown table on stdout.
fn table(report: &QevalReport) -> anyhow::Result<String> {
    let mut table = String::new();
    writeln!(
        table,
        "model {} on {} test samples of {}; float accuracy {:.2}%{}",
        report.model_file,
        report.samples,
        report.data,
        100.0 * report.float_accuracy,
        report.clip_percentile.map_or(String::new(), |p| format!(
            "; scale at the {p} percentile of |w|"
        ))
    )?;
    writeln!(
        table,
        "\n| bits | steps | input steps | float acc % | int acc % | delta (points) | changed predictions | int mean rate | SOPs/sample |"
    )?;
    writeln!(table, "|---|---|---|---|---|---|---|---|---|")?;
    for r in &report.rows {
        writeln!(
            table,
            "| {} | {} | {} | {:.2} | {:.2} | {:+.2} | {} | {:.3} | {:.0} |",
            r.weight_bits,
            r.n_steps,
            r.n_in_steps,
            100.0 * report.float_accuracy,
            100.0 * r.int_accuracy,
            r.delta_points,
            r.changed_predictions,
            r.int_mean_hidden_rate,
            r.sops_per_sample
        )?;
    }
    Ok(table)
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    args.threads.apply()?;
    if args.bits.is_empty() || args.steps.is_empty() {
        bail!("--bits and --steps need at least one value each");
    }
    let net = golden::io::load_float(&args.model)
        .with_context(|| format!("loading the float model {}", args.model.display()))?;
    let data_dir = super::data::data_for(args.data.as_deref(), &args.model)?;
    let mut data = super::data::load_split_for(&args.model, &data_dir, Split::Test)?;
    if let Some(n) = args.count.get() {
        data = super::data::first_samples(data, n, &data_dir)?;
    }
    let sizes = net.sizes();
    if data.pixels() != sizes[0] {
        bail!(
            "{}: images have {} pixels but the model has {} inputs",
            data_dir.display(),
            data.pixels(),
            sizes[0]
        );
    }
    let report = qeval_grid(
        &net,
        &data,
        &args.bits,
        &args.steps,
        args.clip_percentile,
        &args.model.display().to_string(),
        &data_dir.display().to_string(),
    )
    .context("quantizing the model over the grid of --bits and --steps")?;
    let table = table(&report)?;
    let rows = report.rows.iter().map(|r| Row {
        weight_bits: r.weight_bits,
        n_steps: r.n_steps,
        n_in_steps: r.n_in_steps,
        float_acc: Decimal(report.float_accuracy),
        int_acc: Decimal(r.int_accuracy),
        delta_points: Decimal(r.delta_points),
        changed: r.changed_predictions,
        int_mean_rate: Decimal(r.int_mean_hidden_rate),
        sops_per_sample: Decimal(r.sops_per_sample),
    });
    out!("{table}");
    if let Some(path) = &args.csv {
        let csv = golden::table::to_csv(&CSV_HEADER.map(String::from), rows)?;
        golden::io::write_atomic(path, &csv)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.json {
        super::data::write_json(path, &report)?;
    }
    Ok(())
}
