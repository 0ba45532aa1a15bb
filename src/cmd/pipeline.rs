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
    #[command(flatten)]
    pub quant: QuantArgs,
}

/// Trains the `--config` (default: the embedded tiny config on `data`) into `<out>/train`; returns
/// the model file.
fn train_default(args: &Args, data: &Path) -> Result<PathBuf> {
    let (cfg, config) = match &args.config {
        Some(c) => (trainer::TrainConfig::load(c)?, c.clone()),
        None => {
            // The embedded config names the data by a path relative to the repository; pin it to
            // the embedded data folder so the job runs from any directory.
            let origin = PathBuf::from("configs/tiny.toml (embedded)");
            let mut cfg = trainer::TrainConfig::from_toml_str(DEFAULT_TRAIN_CONFIG, &origin)?;
            cfg.data.path = data.to_string_lossy().into_owned();
            let path = args.out.join("train.toml");
            golden::io::write_atomic(&path, cfg.to_toml_string().as_bytes())?;
            (cfg, path)
        }
    };
    let out = args.out.join("train");
    let summary = train::train_into(&cfg, &config, &out, false)?;
    if !summary.completed {
        anyhow::bail!("training interrupted (resume with --resume)");
    }
    eprintln!(
        "model written to {}",
        out.join(trainer::run_dir::MODEL_FILE).display()
    );
    Ok(out.join(trainer::run_dir::MODEL_FILE))
}

fn stage(n: usize, what: &str) {
    println!("\n== {n}/6 {what}");
}

pub fn run(args: &Args) -> Result<()> {
    let t0 = Instant::now();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let data = args.data.clone().unwrap_or_else(default_data_dir);

    stage(1, "train");
    let float_model = match &args.model {
        Some(m) => {
            println!("using the float model {}", m.display());
            m.clone()
        }
        None => train_default(args, &data)?,
    };

    stage(2, "quantize");
    let int_model = args.out.join("model-int.safetensors");
    quantize::quantize_file(&float_model, &int_model, &args.quant.resolve()?)?;

    stage(3, "evaluate float and integer models");
    let integer = evaluate::Integer::File(&int_model);
    evaluate::evaluate(&float_model, &integer, &data, SplitArg::Test, None)?;

    stage(4, "generate Verilog");
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
        println!("\n(co-simulation skipped: --no-cosim)");
    } else {
        stage(
            5,
            "co-simulate the RTL against the integer golden model (Verilator; results from the event log)",
        );
        // Bulk run: results from the event log, no waveform. Then a full waveform of the first
        // three samples only (named samples, the one opt-in full trace).
        let job = |samples: usize, dir: &Path, vcd: Option<PathBuf>| {
            let mut run = sim::RunConfig::new(sim::Simulator::Verilator, &dir.join("cosim"));
            run.trace = vcd.is_some();
            run.vcd = vcd;
            cosim::Cosim {
                design: design.clone(),
                model: int_model.clone(),
                data: data.clone(),
                split: golden::idx::Split::Test,
                samples,
                simulator_name: "verilator".into(),
                run,
                max_lines: 20,
            }
        };
        cosim::cosim(&job(args.samples, &args.out, None))?;
        stage(
            6,
            "waveform of the first 3 test samples (every signal) and pictures",
        );
        let inspect = args.out.join("inspect");
        cosim::cosim(&job(3, &inspect, Some(inspect.join("waveform.vcd"))))?;
        wave::run(&wave::Args {
            model: int_model,
            vcd: Some(inspect.join("waveform.vcd")),
            design: Some(design.clone()),
            vcd_first_sample: 0,
            data: Some(data),
            split: SplitArg::Test,
            samples: "0".into(),
            layers: vec![],
            neurons: vec![],
            out: inspect.clone(),
            no_plots: false,
            gtkw: true,
            gtkw_lanes: 4,
            compare_model: None,
            quant: QuantArgs::default(),
        })?;
    }
    println!(
        "\ndone in {:.1} s; artifacts in {} (design: {}, waveforms and pictures: {})",
        t0.elapsed().as_secs_f64(),
        args.out.display(),
        design.display(),
        args.out.join("inspect").display()
    );
    Ok(())
}
