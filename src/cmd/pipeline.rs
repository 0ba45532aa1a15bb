//! `ttfs run`: the main job, end to end on the embedded default. Trains a small network on the
//! committed MNIST subset (or takes `--model`), quantizes it, evaluates float and integer side by side,
//! generates the Verilog, co-simulates test samples with Verilator against the integer golden model and
//! reports; every artifact (config, model files, design, waveform, logs) lands under `--out`.
//! Each stage calls the function its subcommand calls (with a validated config, not the command's
//! flags), so the pipeline and the commands cannot drift apart.

use super::data::{default_data_dir, SplitArg};
use super::quantize::QuantArgs;
use super::{cosim, evaluate, quantize, train, wave};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The embedded default training config (784-100-10, 3 epochs on data/mnist-small).
const DEFAULT_TRAIN_CONFIG: &str = include_str!("../../configs/tiny.toml");

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output folder for every artifact.
    #[arg(long, default_value = "out/run")]
    pub out: PathBuf,
    /// Training config (TOML). Default: the embedded tiny config on the embedded MNIST subset.
    #[arg(long, conflicts_with = "model")]
    pub config: Option<PathBuf>,
    /// Skip training and start from this float model.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Test samples to co-simulate (the first N of the test split).
    #[arg(long, default_value_t = 300)]
    pub samples: usize,
    /// Neurons updated in parallel per layer (one value, or one per layer). Default: the generator's.
    #[arg(long, value_delimiter = ',')]
    pub lanes: Vec<usize>,
    /// Data folder for evaluation and co-simulation. Default: the embedded MNIST subset.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Skip the RTL co-simulation (no Verilator needed).
    #[arg(long)]
    pub no_cosim: bool,
    /// Train again even if --out holds a finished training of the same config (the previous
    /// training folder is replaced).
    #[arg(long)]
    pub fresh: bool,
    #[command(flatten)]
    pub quant: QuantArgs,
}

/// Trains the `--config` (default: the embedded tiny config on `data`) into `<out>/train`; returns
/// the model file and what was done (`reused`, `continued`, `trained`).
fn train_default(args: &Args, data: &Path) -> Result<(PathBuf, &'static str)> {
    let (cfg, config) = match &args.config {
        Some(c) => (trainer::TrainConfig::load(c)?, c.clone()),
        None => {
            // The embedded config names the data by a path relative to the repository; pin it to
            // the embedded data folder so the job runs from any directory.
            let origin = PathBuf::from("configs/tiny.toml (embedded)");
            let mut cfg = trainer::TrainConfig::from_toml_str(DEFAULT_TRAIN_CONFIG, &origin)?;
            // Absolute: the written train.toml lives in --out, not where --data was named from.
            let abs = std::fs::canonicalize(data)
                .with_context(|| format!("data folder {}", data.display()))?;
            cfg.data.path = abs.to_string_lossy().into_owned();
            let path = args.out.join("train.toml");
            golden::io::write_atomic(&path, cfg.to_toml_string().as_bytes())?;
            (cfg, path)
        }
    };
    let out = args.out.join("train");
    let resume = match previous_training(&cfg, &out, args.fresh)? {
        Previous::Finished => {
            outln!(
                "reusing the finished training in {} (same config; --fresh trains again)",
                out.display()
            );
            return Ok((out.join(trainer::run_dir::MODEL_FILE), "reused"));
        }
        Previous::Unfinished => {
            outln!(
                "continuing the unfinished training in {} from its checkpoint (same config; --fresh starts over)",
                out.display()
            );
            true
        }
        Previous::None => false,
    };
    let summary = train::train_into(&cfg, &config, &out, resume)?;
    if !summary.completed {
        anyhow::bail!("training interrupted: run the same command again to continue it");
    }
    eprintln!(
        "model written to {}",
        out.join(trainer::run_dir::MODEL_FILE).display()
    );
    let done = if resume { "continued" } else { "trained" };
    Ok((out.join(trainer::run_dir::MODEL_FILE), done))
}

/// What `<out>/train` holds from an earlier `ttfs run`.
enum Previous {
    /// Nothing (or it was removed): train from scratch.
    None,
    /// A finished training of the same config: reuse its model.
    Finished,
    /// An interrupted training of the same config: continue from its checkpoint.
    Unfinished,
}

/// Decides what to do with an earlier training folder `out`: reuse or continue it when it holds
/// the same config, else (or with `fresh`) remove it, saying so.
fn previous_training(cfg: &trainer::TrainConfig, out: &Path, fresh: bool) -> Result<Previous> {
    if !out.exists() {
        return Ok(Previous::None);
    }
    let dir = trainer::run_dir::RunDir::new(out);
    let same = std::fs::read_to_string(dir.config_path()).is_ok_and(|t| t == cfg.to_toml_string());
    let reason = if fresh {
        "--fresh"
    } else if !same {
        "its config differs"
    } else {
        let n_hidden = cfg.network.sizes.len().saturating_sub(2);
        if dir.model_path().is_file() && dir.finished(cfg.train.epochs, n_hidden)?.is_some() {
            return Ok(Previous::Finished);
        }
        if dir.has_checkpoint() {
            return Ok(Previous::Unfinished);
        }
        "it holds no finished training"
    };
    outln!(
        "replacing the previous training in {} ({reason})",
        out.display()
    );
    std::fs::remove_dir_all(out).with_context(|| format!("removing {}", out.display()))?;
    Ok(Previous::None)
}

fn stage(n: usize, what: &str) -> anyhow::Result<()> {
    outln!("\n== {n}/6 {what}");
    Ok(())
}

pub fn run(args: &Args) -> Result<()> {
    let t0 = Instant::now();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let data = match &args.data {
        Some(d) => d.clone(),
        None => default_data_dir()?,
    };

    stage(1, "train")?;
    let (float_model, training) = match &args.model {
        Some(m) => {
            outln!("using the float model {}", m.display());
            (m.clone(), "skipped (--model)")
        }
        None => train_default(args, &data)?,
    };

    stage(2, "quantize")?;
    let int_model = args.out.join("model-int.safetensors");
    quantize::quantize_file(&float_model, &int_model, &args.quant.resolve()?)?;

    stage(3, "evaluate float and integer models")?;
    let integer = evaluate::Integer::File(&int_model);
    let evaluation = evaluate::evaluate(&float_model, &integer, &data, SplitArg::Test, None)?;
    let json = serde_json::to_string_pretty(&evaluation)?;
    golden::io::write_atomic(&args.out.join("evaluate.json"), json.as_bytes())?;
    let mut results = sim::stats::RunReport {
        schema: sim::stats::RUN_SCHEMA.to_string(),
        out: args.out.display().to_string(),
        float_model: float_model.display().to_string(),
        integer_model: int_model.display().to_string(),
        design: args.out.join("design").display().to_string(),
        training: training.to_string(),
        evaluate: evaluation,
        cosim: None,
        seconds: 0.0,
    };

    stage(4, "generate Verilog")?;
    let design = args.out.join("design");
    let net = golden::io::load_quant(&int_model)
        .with_context(|| format!("loading {}", int_model.display()))?;
    let lanes = hdl::HdlConfig {
        lanes: args.lanes.clone(),
    };
    super::hdl::write_design(
        &net,
        ::hdl::engine::default_engine().name(),
        &lanes,
        &design,
    )?;

    if args.no_cosim {
        outln!("\n(co-simulation skipped: --no-cosim)");
    } else {
        results.cosim = Some(cosim_and_pictures(args, &design, &int_model, &data)?);
    }
    results.seconds = t0.elapsed().as_secs_f64();
    let results_path = args.out.join("results.json");
    let text = serde_json::to_string_pretty(&results)?;
    golden::io::write_atomic(&results_path, text.as_bytes())
        .with_context(|| format!("writing {}", results_path.display()))?;
    outln!(
        "\ndone in {:.1} s; artifacts in {} (results: {}; design: {}, waveforms and pictures: {})",
        t0.elapsed().as_secs_f64(),
        args.out.display(),
        results_path.display(),
        design.display(),
        args.out.join("inspect").display()
    );
    Ok(())
}

/// Stages 5 and 6: the bulk co-simulation (event log, no waveform), then a full waveform of the first
/// three test samples and the pictures and GTKWave files `ttfs wave` makes of it.
fn cosim_and_pictures(
    args: &Args,
    design: &Path,
    int_model: &Path,
    data: &Path,
) -> Result<sim::stats::CosimReport> {
    stage(
        5,
        "co-simulate the RTL against the integer golden model (Verilator; results from the event log)",
    )?;
    // Bulk run: results from the event log, no waveform. Then a full waveform of the first
    // three samples only (named samples, the one opt-in full trace).
    let job = |samples: usize, dir: &Path, vcd: Option<PathBuf>| {
        let mut run = sim::RunConfig::new(sim::Simulator::Verilator, &dir.join("cosim"));
        run.trace = vcd.is_some();
        run.vcd = vcd;
        cosim::Cosim {
            design: design.to_path_buf(),
            model: int_model.to_path_buf(),
            data: data.to_path_buf(),
            split: golden::idx::Split::Test,
            samples,
            simulator_name: "verilator".into(),
            run,
            max_lines: 20,
            json: None,
            junit: None,
            progress: true,
        }
    };
    let report = cosim::cosim(&job(args.samples, &args.out, None))?;
    stage(
        6,
        "waveform of the first 3 test samples (every signal) and pictures",
    )?;
    let inspect = args.out.join("inspect");
    cosim::cosim(&job(3, &inspect, Some(inspect.join("waveform.vcd"))))?;
    wave::run(&wave::Args {
        model: int_model.to_path_buf(),
        vcd: Some(inspect.join("waveform.vcd")),
        design: Some(design.to_path_buf()),
        vcd_first_sample: 0,
        data: Some(data.to_path_buf()),
        split: SplitArg::Test,
        samples: super::data::SelectionArgs::default(),
        layers: vec![],
        neurons: vec![],
        out: inspect.clone(),
        no_plots: false,
        gtkw: true,
        gtkw_lanes: 4,
        compare_model: None,
        quant: QuantArgs::default(),
    })?;
    Ok(report)
}
