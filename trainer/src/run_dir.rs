//! A training run's output folder and the loop that fills it.
//!
//! Layout of a run folder ([`RunDir`]):
//! * `model.safetensors` — the float model (golden format; metadata `trainer.config` holds the
//!   config, `trainer.epochs_done` the epochs, and, when the folder knows it ([`RunDir::with_data`]),
//!   `data.kind` and `data.path` the data set it was trained on: the folder relative to the run
//!   folder when both share a root, else as given), rewritten after every epoch;
//! * `config.toml` — the config as used;
//! * `metrics.csv` — one row per epoch,
//!   `epoch,loss,train_acc,test_acc,rate_l1,...,mean_rate,seconds,samples_per_s` (six decimals,
//!   seconds three, samples/s one; [`MetricsRow`]);
//! * `checkpoint.safetensors` — weights, Adam state and position ([`crate::checkpoint`]), written
//!   after every epoch, every [`CHECKPOINT_EVERY`] inside an epoch and when asked to stop.
//!
//! [`train_into`] is the loop over epochs: the caller sees it through a [`RunObserver`] (the CLI
//! draws its progress bar there) and stops it through an `AtomicBool` (Ctrl-C). Invariants: a
//! folder holding a checkpoint is only continued when resuming is asked for; on resume the metrics
//! rows of epochs trained again are replaced, so `metrics.csv` holds one row per epoch in order.

use crate::config::TrainConfig;
use crate::error::{Result, TrainError};
use crate::train::{BatchProgress, EpochMetrics, EpochOutcome, Trainer};
use golden::idx::Dataset;
use golden::table::{self, Decimal};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// File names inside a run folder.
pub const MODEL_FILE: &str = "model.safetensors";
pub const CHECKPOINT_FILE: &str = "checkpoint.safetensors";
pub const METRICS_FILE: &str = "metrics.csv";
pub const CONFIG_FILE: &str = "config.toml";

/// How often a running epoch pauses to write a checkpoint.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(120);

/// One row of `metrics.csv`: an epoch's [`EpochMetrics`] as written and read back.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricsRow {
    pub epoch: usize,
    pub loss: f64,
    pub train_acc: f64,
    pub test_acc: f64,
    /// Test-set firing rate per hidden layer (`rate_l1`, ...).
    pub rates: Vec<f64>,
    pub mean_rate: f64,
    pub seconds: f64,
    pub samples_per_s: f64,
}

/// The row as serde writes it: the number formats of the file.
#[derive(Serialize)]
struct MetricsRecord {
    epoch: usize,
    loss: Decimal<6>,
    train_acc: Decimal<6>,
    test_acc: Decimal<6>,
    rates: Vec<Decimal<6>>,
    mean_rate: Decimal<6>,
    seconds: Decimal<3>,
    samples_per_s: Decimal<1>,
}

impl From<&EpochMetrics> for MetricsRow {
    fn from(m: &EpochMetrics) -> Self {
        MetricsRow {
            epoch: m.epoch,
            loss: m.loss,
            train_acc: m.train_accuracy,
            test_acc: m.test_accuracy,
            rates: m.rates.clone(),
            mean_rate: m.mean_rate,
            seconds: m.seconds,
            samples_per_s: m.train_samples as f64 / m.train_seconds.max(1e-9),
        }
    }
}

impl MetricsRow {
    fn record(&self) -> MetricsRecord {
        MetricsRecord {
            epoch: self.epoch,
            loss: Decimal(self.loss),
            train_acc: Decimal(self.train_acc),
            test_acc: Decimal(self.test_acc),
            rates: self.rates.iter().map(|&r| Decimal(r)).collect(),
            mean_rate: Decimal(self.mean_rate),
            seconds: Decimal(self.seconds),
            samples_per_s: Decimal(self.samples_per_s),
        }
    }

    /// A row read by column name; `n_hidden` rate columns are required.
    fn from_columns(cols: &HashMap<String, String>, n_hidden: usize, path: &Path) -> Result<Self> {
        let get = |name: &str| -> Result<f64> {
            let text = cols
                .get(name)
                .ok_or_else(|| TrainError::metrics(path, format!("no column {name}")))?;
            text.trim()
                .parse::<f64>()
                .map_err(|_| TrainError::metrics(path, format!("bad {name} {text:?}")))
        };
        Ok(MetricsRow {
            epoch: get("epoch")? as usize,
            loss: get("loss")?,
            train_acc: get("train_acc")?,
            test_acc: get("test_acc")?,
            rates: (1..=n_hidden)
                .map(|l| get(&format!("rate_l{l}")))
                .collect::<Result<_>>()?,
            mean_rate: get("mean_rate")?,
            seconds: get("seconds")?,
            samples_per_s: get("samples_per_s")?,
        })
    }
}

/// The header of `metrics.csv` for `n_hidden` hidden layers.
pub fn metrics_header(n_hidden: usize) -> Vec<String> {
    let mut h: Vec<String> = ["epoch", "loss", "train_acc", "test_acc"]
        .map(String::from)
        .into();
    h.extend((1..=n_hidden).map(|l| format!("rate_l{l}")));
    h.extend(["mean_rate", "seconds", "samples_per_s"].map(String::from));
    h
}

/// Every row of a metrics file (`n_hidden` rate columns), in file order.
pub fn read_metrics(path: &Path, n_hidden: usize) -> Result<Vec<MetricsRow>> {
    rows_of(table::read_csv(path)?, n_hidden, path)
}

/// [`read_metrics`] of a file's bytes; `path` names it in errors.
pub fn parse_metrics(bytes: &[u8], path: &Path, n_hidden: usize) -> Result<Vec<MetricsRow>> {
    rows_of(table::parse_csv(bytes, path)?, n_hidden, path)
}

fn rows_of(
    rows: Vec<std::collections::HashMap<String, String>>,
    n_hidden: usize,
    path: &Path,
) -> Result<Vec<MetricsRow>> {
    rows.iter()
        .map(|cols| MetricsRow::from_columns(cols, n_hidden, path))
        .collect()
}

/// A run's output folder (see the module header for its layout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunDir {
    root: PathBuf,
    /// The data folder the run trains on, recorded in the model file.
    data: Option<PathBuf>,
}

/// Metadata keys of a model file that name its training data (`data.kind`: `mnist` / `fashion`,
/// `data.path`: the folder, relative to the model file's folder unless absolute).
pub const DATA_KIND_KEY: &str = "data.kind";
pub const DATA_PATH_KEY: &str = "data.path";

/// `target` relative to `base` (both made absolute), or `target` itself when they share nothing
/// but the root. Hand-rolled: a dozen lines, not worth a dependency.
pub fn relative_to(target: &Path, base: &Path) -> PathBuf {
    let (Ok(t), Ok(b)) = (std::fs::canonicalize(target), std::fs::canonicalize(base)) else {
        return target.to_path_buf();
    };
    let (tc, bc): (Vec<_>, Vec<_>) = (t.components().collect(), b.components().collect());
    let common = tc.iter().zip(&bc).take_while(|(x, y)| x == y).count();
    if common <= 1 {
        return t;
    }
    let mut out = PathBuf::new();
    for _ in common..bc.len() {
        out.push("..");
    }
    out.extend(&tc[common..]);
    out
}

impl RunDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        RunDir {
            root: root.into(),
            data: None,
        }
    }
    /// The same folder, recording `data` (the folder trained on) in its model file.
    pub fn with_data(mut self, data: impl Into<PathBuf>) -> Self {
        self.data = Some(data.into());
        self
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn model_path(&self) -> PathBuf {
        self.root.join(MODEL_FILE)
    }
    pub fn checkpoint_path(&self) -> PathBuf {
        self.root.join(CHECKPOINT_FILE)
    }
    pub fn metrics_path(&self) -> PathBuf {
        self.root.join(METRICS_FILE)
    }
    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }
    /// True when the folder holds a run that can be resumed.
    pub fn has_checkpoint(&self) -> bool {
        self.checkpoint_path().exists()
    }

    /// The trainer of this folder: continued from its checkpoint (`resume`) or fresh (then the
    /// folder must not hold a run yet). Creates the folder and writes the config copy.
    pub fn open(&self, cfg: &TrainConfig, resume: bool) -> Result<Trainer> {
        std::fs::create_dir_all(&self.root).map_err(|source| TrainError::Io {
            path: self.root.clone(),
            source,
        })?;
        let ckpt = self.checkpoint_path();
        let tr = match (resume, ckpt.exists()) {
            (true, true) => crate::checkpoint::load(&ckpt, cfg)?,
            (true, false) => return Err(TrainError::NoCheckpoint { path: ckpt }),
            (false, true) => {
                return Err(TrainError::RunExists {
                    dir: self.root.clone(),
                    checkpoint: ckpt,
                })
            }
            (false, false) => Trainer::new(cfg.clone())?,
        };
        golden::io::write_atomic(&self.config_path(), cfg.to_toml_string().as_bytes())?;
        Ok(tr)
    }

    /// Writes the model file of the trainer's current weights.
    pub fn save_model(&self, tr: &Trainer) -> Result<()> {
        let mut meta = BTreeMap::new();
        meta.insert("trainer.config".to_string(), tr.config().to_toml_string());
        meta.insert(
            "trainer.epochs_done".to_string(),
            tr.epochs_done().to_string(),
        );
        if tr.config().downsample() > 1 {
            meta.insert(
                golden::idx::DOWNSAMPLE_KEY.to_string(),
                tr.config().downsample().to_string(),
            );
        }
        if let Some(d) = &self.data {
            let kind = match tr.config().data.kind {
                crate::config::DataKind::Mnist => "mnist",
                crate::config::DataKind::Fashion => "fashion",
            };
            meta.insert(DATA_KIND_KEY.to_string(), kind.to_string());
            let rel = relative_to(d, &self.root);
            meta.insert(
                DATA_PATH_KEY.to_string(),
                rel.to_string_lossy().into_owned(),
            );
        }
        let bytes = golden::io::float_to_bytes_with(tr.network(), &meta)?;
        golden::io::write_atomic(&self.model_path(), &bytes)?;
        Ok(())
    }

    /// Adds `row` to `metrics.csv`, replacing the rows of that epoch and later ones (a resumed run
    /// trains them again).
    pub fn append_metrics(&self, row: &MetricsRow) -> Result<()> {
        let path = self.metrics_path();
        let n_hidden = row.rates.len();
        let mut rows = if path.exists() {
            read_metrics(&path, n_hidden)?
        } else {
            Vec::new()
        };
        rows.retain(|r| r.epoch < row.epoch);
        rows.push(row.clone());
        let text = table::to_csv(&metrics_header(n_hidden), rows.iter().map(|r| r.record()))?;
        golden::io::write_atomic(&path, &text)?;
        Ok(())
    }

    /// The last metrics row if the run reached `epochs` (a finished run), else `None`.
    pub fn finished(&self, epochs: usize, n_hidden: usize) -> Result<Option<MetricsRow>> {
        let path = self.metrics_path();
        if !path.exists() {
            return Ok(None);
        }
        let last = read_metrics(&path, n_hidden)?.pop();
        Ok(last.filter(|r| r.epoch == epochs))
    }
}

/// What a caller sees of [`train_into`] as it runs. Every method has an empty default.
pub trait RunObserver {
    /// Epoch `epoch` (0-based) starts at batch `batch` of `n_batches` (non-zero after a resume).
    fn epoch_start(&mut self, _epoch: usize, _batch: usize, _n_batches: usize) {}
    /// After every batch.
    fn batch(&mut self, _progress: &BatchProgress) {}
    /// An epoch finished; its model, checkpoint and metrics row are on disk.
    fn epoch_end(&mut self, _metrics: &EpochMetrics) {}
}

/// How [`train_into`] ended.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSummary {
    /// Metrics of the epochs trained by this call.
    pub epochs: Vec<EpochMetrics>,
    /// False when stopped: the checkpoint holds the position.
    pub completed: bool,
    /// Where the run stands: `(epochs done, batches of the next epoch done)`.
    pub position: (usize, usize),
}

/// Trains `cfg` into `dir` until the schedule is done or `stop` is set (checked after every batch;
/// the checkpoint is then written at that batch boundary).
pub fn train_into(
    cfg: &TrainConfig,
    train: &Dataset,
    test: &Dataset,
    dir: &RunDir,
    resume: bool,
    stop: &AtomicBool,
    observer: &mut dyn RunObserver,
) -> Result<RunSummary> {
    let mut tr = dir.open(cfg, resume)?;
    let ckpt = dir.checkpoint_path();
    let n_batches = train.len().div_ceil(cfg.train.batch);
    let mut epochs = Vec::new();
    while !tr.is_done() {
        observer.epoch_start(tr.epochs_done(), tr.position().batch, n_batches);
        let finished = loop {
            let pause_at = Instant::now() + CHECKPOINT_EVERY;
            let outcome = tr.train_epoch(train, test, &mut |p| {
                observer.batch(p);
                !stop.load(Ordering::SeqCst) && Instant::now() < pause_at
            })?;
            match outcome {
                EpochOutcome::Finished(m) => break Some(m),
                EpochOutcome::Stopped => {
                    crate::checkpoint::save(&ckpt, &tr)?;
                    if stop.load(Ordering::SeqCst) {
                        break None;
                    }
                }
            }
        };
        let Some(m) = finished else {
            return Ok(RunSummary {
                epochs,
                completed: false,
                position: (tr.epochs_done(), tr.position().batch),
            });
        };
        dir.save_model(&tr)?;
        crate::checkpoint::save(&ckpt, &tr)?;
        dir.append_metrics(&MetricsRow::from(&m))?;
        observer.epoch_end(&m);
        epochs.push(m);
    }
    Ok(RunSummary {
        epochs,
        completed: true,
        position: (tr.epochs_done(), 0),
    })
}

/// A hidden layer that fired no spike on the whole test set is dead: a silenced neuron gets no
/// gradient back (SPEC section 3), so training cannot revive it and every later layer sees no input.
/// The warning to show once per run, with what to change (the run itself goes on: a sweep records
/// the collapsed point).
pub fn silence_warning(m: &EpochMetrics) -> Option<String> {
    let dead: Vec<String> = m
        .rates
        .iter()
        .enumerate()
        .filter(|(_, &r)| r == 0.0)
        .map(|(l, _)| (l + 1).to_string())
        .collect();
    if dead.is_empty() {
        return None;
    }
    Some(format!(
        "warning: after epoch {} hidden layer(s) {} fired no spike on any test sample: silenced neurons \
         get no gradient, so this network cannot recover (test accuracy {:.1}%); lower the regularizer \
         strength (regularizer.gamma) or raise R_MP's v_ref",
        m.epoch,
        dead.join(", "),
        100.0 * m.test_accuracy
    ))
}

#[cfg(test)]
mod tests {
    use super::relative_to;

    #[test]
    fn relative_paths_climb_to_the_common_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("data/mnist"), tmp.path().join("out/run"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let rel = relative_to(&a, &b);
        assert_eq!(rel, std::path::PathBuf::from("../../data/mnist"));
        assert_eq!(
            std::fs::canonicalize(b.join(&rel)).unwrap(),
            std::fs::canonicalize(&a).unwrap()
        );
        // A folder that does not exist stays as given.
        let missing = tmp.path().join("nowhere");
        assert_eq!(relative_to(&missing, &b), missing);
    }
}
