//! `ttfs hdl`: integer model (or float model, quantized with `--bits/--steps`) -> `ttfs_top.v`, one weight hex file
//! per layer and `manifest.json` in `--out`, each written atomically, then a summary on stdout.

use anyhow::Context;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Integer model (`ttfs quantize` output), or a float model quantized on the fly with the flags below.
    #[arg(long)]
    pub model: PathBuf,
    /// Output folder (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Neurons updated in parallel: one value for every layer, or a comma list (one per layer).
    /// Default: 16 (capped at each layer's size).
    #[arg(long, value_delimiter = ',')]
    pub lanes: Vec<usize>,
    /// Hardware engine (one of the generator's registered engines).
    #[arg(long, default_value = "layer-sequential")]
    pub engine: String,
    #[command(flatten)]
    pub quant: super::quantize::QuantArgs,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let model = golden::io::load_model(&args.model)
        .with_context(|| format!("loading model {}", args.model.display()))?;
    let net = args.quant.integer_model(model, &args.model)?;
    let cfg = hdl::HdlConfig {
        lanes: args.lanes.clone(),
    };
    write_design(&net, &args.engine, &cfg, &args.out)
}

/// Generates the design of `net` with the engine named `engine` into the folder `out` and prints its
/// summary.
pub fn write_design(
    net: &golden::QuantNetwork,
    engine: &str,
    cfg: &hdl::HdlConfig,
    out: &Path,
) -> anyhow::Result<()> {
    let engine = hdl::engine_named(engine)?;
    let design = hdl::generate_with(engine, net, cfg).context("generating hardware")?;
    let written = hdl::write_design(&design, out)
        .with_context(|| format!("writing the design to {}", out.display()))?;
    let m = &design.manifest;
    outln!(
        "ttfs hdl: network {:?}, {} steps (input steps 0..={}), {} engine -> {}",
        m.sizes,
        m.n_steps,
        m.n_in_steps,
        m.engine,
        out.display()
    );
    outln!("layer  n_in  n_out  lanes  groups  w_bits  slope_bits  pot_bits  threshold  memory");
    for l in &m.layers {
        outln!(
            "{:>5}  {:>4}  {:>5}  {:>5}  {:>6}  {:>6}  {:>5} ({:>2})  {:>5} ({:>2})  {:>9}  {} ({} x {} bits = {:.1} kbit)",
            l.layer,
            l.n_in,
            l.n_out,
            l.lanes,
            l.groups,
            l.weight_bits,
            l.slope_bits,
            l.derived_slope_bits,
            l.potential_bits,
            l.derived_potential_bits,
            l.threshold_q,
            l.memory_file,
            l.memory_depth,
            l.memory_width_bits,
            (l.memory_depth * l.memory_width_bits) as f64 / 1024.0
        );
    }
    outln!("widths: used (derived by golden); weights in block RAM ($readmemh), state in a groups-deep RAM");
    outln!(
        "cycles per sample >= sum_l groups_l * (1 + e_l + n_steps) + s_l \
         (e_l: input events of layer l with step < n_steps; s_l: its spikes)"
    );
    outln!("wrote {written} files");
    Ok(())
}
