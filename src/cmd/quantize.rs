//! `ttfs quantize`: float model file -> integer model file (SPEC section 4), settings from flags or a
//! TOML file (`golden::quantize::QuantConfig`).

use anyhow::{bail, Context, Result};
use golden::io::Model;
use golden::quantize::{quantize, QuantConfig};
use golden::{FloatNetwork, QuantNetwork};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Float model (safetensors, format ttfs-float).
    #[arg(long)]
    pub model: PathBuf,
    /// Output integer model file.
    #[arg(long, value_name = "FILE", required_unless_present = "out")]
    pub out_file: Option<PathBuf>,
    /// Deprecated spelling of --out-file (`--out` names a folder in every other command).
    #[arg(long, hide = true, conflicts_with = "out_file")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub quant: QuantArgs,
}

/// Quantization settings shared by every command that quantizes on the fly.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct QuantArgs {
    /// TOML file with `weight_bits`, `n_steps` and optional `clip_percentile` (flags override it).
    #[arg(long = "quant-config", id = "quant_config")]
    pub config: Option<PathBuf>,
    /// Signed weight width in bits.
    #[arg(long)]
    pub bits: Option<u32>,
    /// Time steps of the window (dt = t_max / steps).
    #[arg(long)]
    pub steps: Option<u32>,
    /// Map this percentile of |w| to the largest code and clip above it (helps at 4 bits).
    #[arg(long)]
    pub clip_percentile: Option<f64>,
}

impl QuantArgs {
    /// Resolves the settings: defaults, then the TOML file, then flags.
    pub fn resolve(&self) -> Result<QuantConfig> {
        let mut cfg = match &self.config {
            Some(p) => golden::io::load_toml::<QuantConfig>(p)?,
            None => QuantConfig::default(),
        };
        if let Some(b) = self.bits {
            cfg.weight_bits = b;
        }
        if let Some(s) = self.steps {
            cfg.n_steps = s;
        }
        if self.clip_percentile.is_some() {
            cfg.clip_percentile = self.clip_percentile;
        }
        Ok(cfg)
    }
}

impl QuantArgs {
    /// True when any quantization flag was given.
    pub fn any_set(&self) -> bool {
        self.config.is_some()
            || self.bits.is_some()
            || self.steps.is_some()
            || self.clip_percentile.is_some()
    }

    /// The integer model of a model file: an integer file as it is (quantization flags are then an
    /// error, not silently ignored), a float file quantized with these settings.
    pub fn integer_model(&self, model: Model, path: &Path) -> Result<QuantNetwork> {
        match model {
            Model::Quant(_) if self.any_set() => bail!(
                "{} is already an integer model: --bits/--steps/--clip-percentile/--quant-config apply to float models only",
                path.display()
            ),
            Model::Quant(q) => Ok(q),
            Model::Float(f) => quantize(&f, &self.resolve()?).with_context(|| format!("quantizing {}", path.display())),
        }
    }
}

/// A float model, required (an integer model cannot be quantized again).
pub fn require_float(model: Model, path: &Path) -> Result<FloatNetwork> {
    match model {
        Model::Float(f) => Ok(f),
        Model::Quant(_) => bail!(
            "{} is already an integer model; quantize takes a float model",
            path.display()
        ),
    }
}

/// Prints one line per layer: size, threshold, scale and the derived register widths.
pub fn print_summary(q: &QuantNetwork) -> anyhow::Result<()> {
    outln!(
        "integer model: sizes {:?}, {} steps ({} input steps), dt = {:.5}",
        q.sizes(),
        q.n_steps,
        q.n_in_steps,
        q.dt()
    );
    for (l, (layer, w)) in q.layers().iter().zip(q.widths()).enumerate() {
        outln!(
            "  layer{}: {}x{}  weight {} bits  threshold {}  scale {:.3}  slope {} bits  potential {} bits",
            l + 1,
            layer.weights.nrows(),
            layer.weights.ncols(),
            w.weight_bits,
            layer.threshold_q,
            layer.scale,
            w.slope_bits,
            w.potential_bits
        );
    }
    Ok(())
}

pub fn run(args: &Args) -> Result<()> {
    let out = match (&args.out_file, &args.out) {
        (Some(f), _) => f,
        (None, Some(o)) => {
            super::data::deprecated(
                &format!("--out {}", o.display()),
                &format!("--out-file {}", o.display()),
            );
            o
        }
        (None, None) => bail!("quantize needs --out-file FILE"),
    };
    quantize_file(&args.model, out, &args.quant.resolve()?)
}

/// Quantizes the float model file `model` with `cfg` into `out` and prints the summary.
pub fn quantize_file(model: &Path, out: &Path, cfg: &QuantConfig) -> Result<()> {
    let float = require_float(super::data::load_model(model)?, model)?;
    let q = quantize(&float, cfg).with_context(|| format!("quantizing {}", model.display()))?;
    if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // The integer file keeps the training data set of the float file (relative to its own folder).
    let mut meta = super::data::carried_data_meta(model, out)?;
    // Provenance for `ttfs inspect`: the float file (relative to the integer file's folder) and
    // the settings.
    let out_dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let from = std::fs::canonicalize(model).unwrap_or_else(|_| model.to_path_buf());
    let rel = trainer::run_dir::relative_to(&from, &out_dir);
    meta.insert("quantized.from".into(), rel.to_string_lossy().into_owned());
    meta.insert(
        "quantized.settings".into(),
        format!(
            "weight_bits {}, n_steps {}, clip_percentile {}",
            cfg.weight_bits,
            cfg.n_steps,
            cfg.clip_percentile
                .map_or_else(|| "none (max |w|)".to_string(), |p| p.to_string())
        ),
    );
    let bytes = golden::io::quant_to_bytes_with(&q, &meta)?;
    golden::io::write_atomic(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    print_summary(&q)?;
    outln!("wrote {}", out.display());
    Ok(())
}
