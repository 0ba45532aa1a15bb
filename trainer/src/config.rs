//! Training configuration (TOML, `deny_unknown_fields` everywhere) and its validation.
//!
//! A config that passes [`TrainConfig::validate`] describes a run completely: together with the data it
//! determines every weight bit for bit (the thread count does not matter). Defaults are SPEC section 2's
//! starting point: `t_in = 1`, `t_max = 3`, `tau = 0.1`, Adam with `lr = 1e-3` times `0.8` per epoch,
//! batch 64, `1/S` capped at `1/0.1`, init `mu = 4`, `sigma = 1`.

use crate::error::{Result, TrainError};
use golden::idx::{load_split, Dataset, Split};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Environment variable naming the data root: a relative `data.path` not found beside the config
/// is looked up under it.
pub const DATA_ROOT_ENV: &str = "TTFS_DATA";

/// Which data set a path holds (used for labels and default sizes; the files are IDX either way).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataKind {
    Mnist,
    Fashion,
}

/// Where the IDX files are and how much of them to use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    pub kind: DataKind,
    /// Folder holding `train-images-idx3-ubyte[.gz]` etc. A relative path is relative to the config
    /// file's folder, then to the data root `$TTFS_DATA` ([`TrainConfig::data_candidates`]).
    pub path: String,
    /// Use only the first `train_limit` training samples (all if absent).
    #[serde(default)]
    pub train_limit: Option<usize>,
    /// Use only the first `test_limit` test samples (all if absent).
    #[serde(default)]
    pub test_limit: Option<usize>,
    /// Mean-pool every image over `downsample x downsample` blocks before training (`2`: 28x28 ->
    /// 14x14 = 196 inputs; golden's `Dataset::downsample`). Recorded in the model file's metadata
    /// (`data.downsample`), so every command evaluating the model pools its data the same way.
    /// Absent = 1 (none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downsample: Option<usize>,
}

/// Network shape, time axis and initialisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Layer sizes including the input layer, e.g. `[784, 400, 10]`.
    pub sizes: Vec<usize>,
    #[serde(default = "default_t_in")]
    pub t_in: f64,
    #[serde(default = "default_t_max")]
    pub t_max: f64,
    /// Initial mean factor per weight layer: `W ~ Normal(mu / n_in, sigma^2 / n_in)`.
    pub init_mu: Vec<f64>,
    #[serde(default = "default_sigma")]
    pub init_sigma: f64,
}

/// Optimiser and objective settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimConfig {
    pub epochs: usize,
    #[serde(default = "default_batch")]
    pub batch: usize,
    /// Adam learning rate of the first epoch.
    #[serde(default = "default_lr")]
    pub lr: f64,
    /// Learning rate factor applied after each epoch.
    #[serde(default = "default_lr_decay")]
    pub lr_decay: f64,
    /// Softmax temperature on negative output spike times, in time units.
    #[serde(default = "default_tau")]
    pub tau: f64,
    /// Backward pass uses `1 / max(S, min_slope)`: the cap on `1/S` is `1/min_slope`. 0 disables the cap.
    #[serde(default = "default_min_slope")]
    pub min_slope: f64,
    /// Weight of the hinge `max(0, V_th - v_target^nr(T_max))` added when the target output is silent.
    #[serde(default = "default_hinge")]
    pub silent_target_weight: f64,
    /// Seeds the initial weights and the per-epoch shuffles.
    #[serde(default)]
    pub seed: u64,
}

/// Which sparse-firing regularizer (SPEC section 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegKind {
    /// No regularizer (the baseline).
    None,
    /// M-SSR: `sum_{i fired} (T_max - t_i)`.
    Mssr,
    /// F-SSR: `sum_i max(0, v_i^nr(T_max) - V_th)`.
    Fssr,
    /// Membrane-potential integral `R_MP(v_ref)`.
    Mp,
}

impl RegKind {
    pub fn name(self) -> &'static str {
        match self {
            RegKind::None => "none",
            RegKind::Mssr => "mssr",
            RegKind::Fssr => "fssr",
            RegKind::Mp => "mp",
        }
    }
}

/// Regularizer and its per-hidden-layer strengths.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegConfig {
    pub kind: RegKind,
    /// One strength per hidden layer; each multiplies the batch mean of the per-sample sum over the
    /// layer's neurons. Empty = all zero. A single value is applied to every hidden layer.
    #[serde(default)]
    pub gamma: Vec<f64>,
    /// Reference voltage of `R_MP` (`kind = "mp"` only), `< V_th = 1`.
    #[serde(default)]
    pub v_ref: Option<f64>,
}

impl Default for RegConfig {
    fn default() -> Self {
        RegConfig {
            kind: RegKind::None,
            gamma: Vec::new(),
            v_ref: None,
        }
    }
}

/// A complete training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    pub data: DataConfig,
    pub network: NetworkConfig,
    pub train: OptimConfig,
    #[serde(default)]
    pub regularizer: RegConfig,
}

fn default_t_in() -> f64 {
    1.0
}
fn default_t_max() -> f64 {
    3.0
}
fn default_sigma() -> f64 {
    1.0
}
fn default_batch() -> usize {
    64
}
fn default_lr() -> f64 {
    1e-3
}
fn default_lr_decay() -> f64 {
    0.8
}
fn default_tau() -> f64 {
    0.1
}
fn default_min_slope() -> f64 {
    0.1
}
fn default_hinge() -> f64 {
    1.0
}

/// The text of a config file; a read error names the file.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    golden::io::check_is_file(path)?;
    std::fs::read_to_string(path).map_err(|source| TrainError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Most neurons in one layer of a training config.
pub const MAX_LAYER_SIZE: usize = 1 << 20;
/// Most weights of a whole network (each costs a weight, two Adam moments and gradient sums:
/// about 2 GB at this bound).
pub const MAX_WEIGHTS: usize = 1 << 26;
/// Most weight layers.
pub const MAX_LAYERS: usize = 64;
/// Most epochs.
pub const MAX_EPOCHS: usize = 1_000_000;
/// Largest batch.
pub const MAX_BATCH: usize = 1 << 20;
/// Largest Adam learning rate (a larger one is a typo: `1e40` for `1e-4`).
pub const MAX_LR: f64 = 1.0;
/// Bound on every other real setting (times, temperatures, strengths, init factors): larger values
/// overflow the forward pass or the initial weights rather than train.
pub const MAX_SETTING: f64 = 1e6;

/// `v` at most `max`; the error names the field and the bound.
pub(crate) fn at_most<T: PartialOrd + std::fmt::Display>(field: &str, v: T, max: T) -> Result<()> {
    if v <= max {
        Ok(())
    } else {
        Err(TrainError::config(
            field,
            format!("{v} is more than {max}, the largest this build accepts"),
        ))
    }
}

fn positive(field: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(TrainError::config(
            field,
            format!("{v} must be finite and > 0"),
        ))
    }
}

fn non_negative(field: &str, v: f64) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(TrainError::config(
            field,
            format!("{v} must be finite and >= 0"),
        ))
    }
}

impl TrainConfig {
    /// Parses TOML text; `origin` names the source in errors. Does not validate (see [`Self::validate`]).
    pub fn from_toml_str(text: &str, origin: &Path) -> Result<Self> {
        toml::from_str(text).map_err(|e| TrainError::Parse {
            path: origin.to_path_buf(),
            msg: e.to_string(),
        })
    }

    /// Reads, parses and validates a TOML file.
    pub fn load(path: &Path) -> Result<Self> {
        let cfg = Self::from_toml_str(&read_text(path)?, path)?;
        cfg.validate().map_err(|e| e.in_file(path))?;
        Ok(cfg)
    }

    /// The config as TOML text (what `ttfs train` copies next to the model).
    pub fn to_toml_string(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|e| format!("# could not serialise: {e}\n"))
    }

    /// The folders `data.path` may name, in the order tried: an absolute path as it is; a relative
    /// one relative to the folder of the config file `config_path`, then under the data root
    /// `$TTFS_DATA` (set once, or through `ttfs --data-root`).
    pub fn data_candidates(&self, config_path: &Path) -> Vec<PathBuf> {
        let p = PathBuf::from(&self.data.path);
        if p.is_absolute() {
            return vec![p];
        }
        let dir = config_path.parent().unwrap_or(Path::new(""));
        let mut out = vec![dir.join(&p)];
        if let Some(root) = std::env::var_os(DATA_ROOT_ENV).filter(|r| !r.is_empty()) {
            out.push(PathBuf::from(root).join(&p));
        }
        out
    }

    /// The first of [`Self::data_candidates`] that is a folder, else the first candidate (whose
    /// load error then names it; [`Self::load_data`] names them all).
    pub fn data_dir(&self, config_path: &Path) -> PathBuf {
        let c = self.data_candidates(config_path);
        c.iter()
            .find(|d| d.is_dir())
            .cloned()
            .unwrap_or_else(|| c[0].clone())
    }

    /// Loads the training and test splits (see [`Self::data_dir`]) with the config's limits.
    pub fn load_data(&self, config_path: &Path) -> Result<(Dataset, Dataset)> {
        let tried = self.data_candidates(config_path);
        let Some(dir) = tried.iter().find(|d| d.is_dir()).cloned() else {
            return Err(TrainError::DataMissing {
                path: self.data.path.clone(),
                tried: tried
                    .iter()
                    .map(|d| match d.is_file() {
                        true => format!("{} (a file, not a folder)", d.display()),
                        false => d.display().to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let load = |split, name| {
            load_split(&dir, split).map_err(|source| TrainError::DataLoad {
                split: name,
                path: self.data.path.clone(),
                source,
            })
        };
        let mut train = load(Split::Train, "training")?;
        let mut test = load(Split::Test, "test")?;
        if let Some(n) = self.data.train_limit {
            train = train.take(n);
        }
        if let Some(n) = self.data.test_limit {
            test = test.take(n);
        }
        let f = self.downsample();
        let pool = |d: Dataset| {
            d.downsample(f)
                .map_err(|e| TrainError::config("data.downsample", e.to_string()))
        };
        Ok((pool(train)?, pool(test)?))
    }

    /// The input downsampling factor (`data.downsample`, 1 when absent).
    pub fn downsample(&self) -> usize {
        self.data.downsample.unwrap_or(1)
    }

    /// Number of hidden layers.
    pub fn n_hidden(&self) -> usize {
        self.network.sizes.len().saturating_sub(2)
    }

    /// Strengths per hidden layer after broadcasting a single value (all zero for `kind = "none"`).
    pub fn gammas(&self) -> Vec<f64> {
        let n = self.n_hidden();
        let g = &self.regularizer.gamma;
        if self.regularizer.kind == RegKind::None || g.is_empty() {
            vec![0.0; n]
        } else if g.len() == 1 {
            vec![g[0]; n]
        } else {
            g.clone()
        }
    }

    /// Checks every value and their consistency; errors name the TOML field.
    pub fn validate(&self) -> Result<()> {
        let n = &self.network;
        if n.sizes.len() < 2 {
            return Err(TrainError::config(
                "network.sizes",
                format!("{:?} needs at least an input and an output size", n.sizes),
            ));
        }
        if let Some(p) = n.sizes.iter().position(|&s| s == 0) {
            return Err(TrainError::config(
                format!("network.sizes[{p}]"),
                "layer size must be >= 1",
            ));
        }
        at_most(
            "network.sizes (weight layers)",
            n.sizes.len() - 1,
            MAX_LAYERS,
        )?;
        for (p, &size) in n.sizes.iter().enumerate() {
            at_most(&format!("network.sizes[{p}]"), size, MAX_LAYER_SIZE)?;
        }
        // Each product is below 2^40 (sizes are bounded), so the sum cannot overflow.
        let weights: usize = n.sizes.windows(2).map(|w| w[0] * w[1]).sum();
        at_most("network.sizes (total weights)", weights, MAX_WEIGHTS)?;
        if n.init_mu.len() != n.sizes.len() - 1 {
            return Err(TrainError::config(
                "network.init_mu",
                format!(
                    "has {} entries but the network has {} weight layers (sizes {:?})",
                    n.init_mu.len(),
                    n.sizes.len() - 1,
                    n.sizes
                ),
            ));
        }
        for (l, &mu) in n.init_mu.iter().enumerate() {
            let field = format!("network.init_mu[{l}]");
            if !mu.is_finite() {
                return Err(TrainError::config(field, "must be finite"));
            }
            at_most(&field, mu.abs(), MAX_SETTING)?;
        }
        for (field, v, strict) in [
            ("network.init_sigma", n.init_sigma, false),
            ("network.t_in", n.t_in, true),
            ("network.t_max", n.t_max, true),
        ] {
            if strict {
                positive(field, v)?;
            } else {
                non_negative(field, v)?;
            }
            at_most(field, v, MAX_SETTING)?;
        }
        if n.t_max < n.t_in {
            return Err(TrainError::config(
                "network.t_max",
                format!("{} must be >= t_in = {}", n.t_max, n.t_in),
            ));
        }
        let t = &self.train;
        if t.epochs == 0 {
            return Err(TrainError::config("train.epochs", "must be >= 1"));
        }
        if t.batch == 0 {
            return Err(TrainError::config("train.batch", "must be >= 1"));
        }
        at_most("train.epochs", t.epochs, MAX_EPOCHS)?;
        at_most("train.batch", t.batch, MAX_BATCH)?;
        positive("train.lr", t.lr)?;
        at_most("train.lr", t.lr, MAX_LR)?;
        positive("train.lr_decay", t.lr_decay)?;
        at_most("train.lr_decay", t.lr_decay, 1.0)?;
        positive("train.tau", t.tau)?;
        non_negative("train.min_slope", t.min_slope)?;
        non_negative("train.silent_target_weight", t.silent_target_weight)?;
        for (field, v) in [
            ("train.tau", t.tau),
            ("train.min_slope", t.min_slope),
            ("train.silent_target_weight", t.silent_target_weight),
        ] {
            at_most(field, v, MAX_SETTING)?;
        }
        let r = &self.regularizer;
        let hidden = self.n_hidden();
        if r.gamma.len() > 1 && r.gamma.len() != hidden {
            return Err(TrainError::config(
                "regularizer.gamma",
                format!(
                    "has {} entries but the network has {hidden} hidden layers (give one value per hidden layer, or a single value for all)",
                    r.gamma.len()
                ),
            ));
        }
        for (l, &g) in r.gamma.iter().enumerate() {
            let field = format!("regularizer.gamma[{l}]");
            non_negative(&field, g)?;
            at_most(&field, g, MAX_SETTING)?;
        }
        match (r.kind, r.v_ref) {
            (RegKind::Mp, None) => {
                return Err(TrainError::config(
                    "regularizer.v_ref",
                    "is required for kind = \"mp\"",
                ))
            }
            (RegKind::Mp, Some(v)) if !(-MAX_SETTING..golden::V_TH).contains(&v) => {
                return Err(TrainError::config(
                    "regularizer.v_ref",
                    format!("{v} must be finite and < V_th = {}", golden::V_TH),
                ))
            }
            (RegKind::Mp, Some(_)) => {}
            (k, Some(_)) => {
                return Err(TrainError::config(
                    "regularizer.v_ref",
                    format!("only applies to kind = \"mp\", not \"{}\"", k.name()),
                ))
            }
            (_, None) => {}
        }
        if self.data.downsample == Some(0) {
            return Err(TrainError::config(
                "data.downsample",
                "must be >= 1 (1 = no downsampling)",
            ));
        }
        if let (Some(0), _) | (_, Some(0)) = (self.data.train_limit, self.data.test_limit) {
            return Err(TrainError::config(
                "data.train_limit / data.test_limit",
                "must be >= 1 when given",
            ));
        }
        Ok(())
    }
}
