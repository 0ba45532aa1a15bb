//! `ttfs train --config FILE [--out DIR] [--resume]`: trains a network from a TOML config.
//!
//! Writes into the output folder (default `out/<config file stem>`):
//! * `model.safetensors` — the float model (golden format; metadata `trainer.config` holds the config),
//!   rewritten after every epoch;
//! * `config.toml` — the config as used; `metrics.csv` — one row per epoch
//!   (`epoch,loss,train_acc,test_acc,rate_l1,...,mean_rate,seconds,samples_per_s`);
//! * `checkpoint.safetensors` — weights, Adam state and position, written after every epoch, every
//!   two minutes inside an epoch and on Ctrl-C. `--resume` continues from it bit for bit.
//!
//! A relative `data.path` is looked up from the current directory, then from the config's folder.

use anyhow::{bail, Context};
use golden::idx::{load_split, Dataset, Split};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use trainer::{EpochMetrics, EpochOutcome, TrainConfig, Trainer};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Training config (TOML); see configs/ for examples.
    #[arg(long)]
    pub config: PathBuf,
    /// Output folder (default: out/<config file stem>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Continue from <out>/checkpoint.safetensors (the config may only change train.epochs).
    #[arg(long)]
    pub resume: bool,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

/// File names inside an output folder.
pub const MODEL_FILE: &str = "model.safetensors";
pub const CHECKPOINT_FILE: &str = "checkpoint.safetensors";
pub const METRICS_FILE: &str = "metrics.csv";
pub const CONFIG_FILE: &str = "config.toml";

/// How a run ended.
pub struct RunSummary {
    /// Metrics of the epochs trained by this invocation.
    pub epochs: Vec<EpochMetrics>,
    /// False when interrupted (Ctrl-C): the checkpoint holds the position.
    pub completed: bool,
}

/// Set by the Ctrl-C handler; every running training loop stops at its next batch boundary.
pub fn interrupt_flag() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        // If a handler is already installed (tests, embedding), we simply never see Ctrl-C here.
        let _ = ctrlc::set_handler(move || f.store(true, Ordering::SeqCst));
        flag
    })
    .clone()
}

/// Resolves `data.path`: as given if it exists, else relative to the config file's folder.
pub fn data_dir(cfg: &TrainConfig, config_path: &Path) -> PathBuf {
    let p = PathBuf::from(&cfg.data.path);
    if p.is_absolute() || p.exists() {
        return p;
    }
    match config_path.parent() {
        Some(dir) if dir.join(&p).exists() => dir.join(&p),
        _ => p,
    }
}

/// Loads both splits with the config's limits.
pub fn load_data(cfg: &TrainConfig, config_path: &Path) -> anyhow::Result<(Dataset, Dataset)> {
    let dir = data_dir(cfg, config_path);
    let mut train = load_split(&dir, Split::Train).with_context(|| {
        format!(
            "loading the training split named by data.path = {:?}",
            cfg.data.path
        )
    })?;
    let mut test = load_split(&dir, Split::Test).with_context(|| {
        format!(
            "loading the test split named by data.path = {:?}",
            cfg.data.path
        )
    })?;
    if let Some(n) = cfg.data.train_limit {
        train = train.take(n);
    }
    if let Some(n) = cfg.data.test_limit {
        test = test.take(n);
    }
    Ok((train, test))
}

fn csv_header(n_hidden: usize) -> String {
    let mut h = String::from("epoch,loss,train_acc,test_acc");
    for l in 1..=n_hidden {
        h.push_str(&format!(",rate_l{l}"));
    }
    h.push_str(",mean_rate,seconds,samples_per_s\n");
    h
}

fn csv_row(m: &EpochMetrics) -> String {
    let mut r = format!(
        "{},{:.6},{:.6},{:.6}",
        m.epoch, m.loss, m.train_accuracy, m.test_accuracy
    );
    for x in &m.rates {
        r.push_str(&format!(",{x:.6}"));
    }
    r.push_str(&format!(
        ",{:.6},{:.3},{:.1}\n",
        m.mean_rate,
        m.seconds,
        m.train_samples as f64 / m.train_seconds.max(1e-9)
    ));
    r
}

fn save_model(out: &Path, tr: &Trainer) -> anyhow::Result<()> {
    let mut meta = BTreeMap::new();
    meta.insert("trainer.config".to_string(), tr.config().to_toml_string());
    meta.insert(
        "trainer.epochs_done".to_string(),
        tr.epochs_done().to_string(),
    );
    let bytes = golden::io::float_to_bytes_with(tr.network(), &meta)?;
    let path = out.join(MODEL_FILE);
    golden::io::write_atomic(&path, &bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn append_metrics(out: &Path, n_hidden: usize, m: &EpochMetrics) -> anyhow::Result<()> {
    let path = out.join(METRICS_FILE);
    let mut text = if path.exists() {
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?
    } else {
        csv_header(n_hidden)
    };
    // On resume, drop rows of epochs that are being trained again.
    let keep: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.split(',')
                .next()
                .and_then(|e| e.parse::<usize>().ok())
                .is_none_or(|e| e < m.epoch)
        })
        .collect();
    text = keep.join("\n") + "\n" + &csv_row(m);
    golden::io::write_atomic(&path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Trains `cfg` into `out` (library-style entry used by `train` and `sweep`). `show_progress` draws
/// a progress bar; otherwise one line per epoch is printed.
pub fn train_run(
    cfg: &TrainConfig,
    config_path: &Path,
    out: &Path,
    resume: bool,
    show_progress: bool,
) -> anyhow::Result<RunSummary> {
    let (train, test) = load_data(cfg, config_path)?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let ckpt = out.join(CHECKPOINT_FILE);
    let mut tr = if resume {
        if !ckpt.exists() {
            bail!("--resume: no checkpoint at {}", ckpt.display());
        }
        trainer::checkpoint::load(&ckpt, cfg)?
    } else {
        if ckpt.exists() {
            bail!(
                "{} already holds a run ({} exists): pass --resume to continue it, or choose another --out",
                out.display(),
                ckpt.display()
            );
        }
        Trainer::new(cfg.clone())?
    };
    golden::io::write_atomic(&out.join(CONFIG_FILE), cfg.to_toml_string().as_bytes())?;
    let stop = interrupt_flag();
    let n_hidden = cfg.n_hidden();
    let mut epochs = Vec::new();
    let mut warned_silent = false;
    let n_batches = train.len().div_ceil(cfg.train.batch);
    while !tr.is_done() {
        let epoch = tr.epochs_done();
        let show_bar = show_progress && std::io::stderr().is_terminal();
        let bar = if show_bar {
            let bar = ProgressBar::new(n_batches as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "epoch {prefix} [{bar:30}] {pos}/{len} batches {elapsed_precise}<{eta} {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_prefix(format!("{}/{}", epoch + 1, cfg.train.epochs));
            bar.set_position(tr.position().batch as u64);
            bar
        } else {
            ProgressBar::hidden()
        };
        let mut last_line = Instant::now();
        let outcome = loop {
            let pause_at = Instant::now() + Duration::from_secs(120);
            let outcome = tr.train_epoch(&train, &test, &mut |p| {
                bar.set_position(p.batches_done as u64);
                let rates: Vec<String> =
                    p.running_rates.iter().map(|r| format!("{r:.3}")).collect();
                let msg = format!(
                    "loss {:.4} acc {:.4} rate [{}]",
                    p.running_loss,
                    p.running_accuracy,
                    rates.join(" ")
                );
                // Without a terminal (logs), a plain line every 30 s instead of the bar.
                if !show_bar && last_line.elapsed() >= Duration::from_secs(30) {
                    last_line = Instant::now();
                    eprintln!(
                        "epoch {}: batch {}/{} {msg}",
                        p.epoch + 1,
                        p.batches_done,
                        p.batches_total
                    );
                }
                bar.set_message(msg);
                !stop.load(Ordering::SeqCst) && Instant::now() < pause_at
            })?;
            match outcome {
                EpochOutcome::Finished(m) => break Some(m),
                EpochOutcome::Stopped => {
                    trainer::checkpoint::save(&ckpt, &tr)?;
                    if stop.load(Ordering::SeqCst) {
                        break None;
                    }
                }
            }
        };
        bar.finish_and_clear();
        let Some(m) = outcome else {
            eprintln!(
                "interrupted at epoch {}, batch {}: checkpoint written to {}; continue with --resume",
                epoch + 1,
                tr.position().batch,
                ckpt.display()
            );
            return Ok(RunSummary {
                epochs,
                completed: false,
            });
        };
        save_model(out, &tr)?;
        trainer::checkpoint::save(&ckpt, &tr)?;
        append_metrics(out, n_hidden, &m)?;
        let rates: Vec<String> = m.rates.iter().map(|r| format!("{r:.3}")).collect();
        let line = format!(
            "epoch {}/{}: loss {:.4}  train acc {:.4}  test acc {:.4}  rate [{}] mean {:.3}  {:.1} s ({:.0} samples/s)",
            m.epoch,
            cfg.train.epochs,
            m.loss,
            m.train_accuracy,
            m.test_accuracy,
            rates.join(" "),
            m.mean_rate,
            m.seconds,
            m.train_samples as f64 / m.train_seconds.max(1e-9)
        );
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{line}");
        if !warned_silent {
            if let Some(w) = silence_warning(&m) {
                warned_silent = true;
                let _ = writeln!(stderr, "{w}");
            }
        }
        epochs.push(m);
    }
    Ok(RunSummary {
        epochs,
        completed: true,
    })
}

/// Builds the global rayon pool once (later calls keep the first pool).
pub fn set_threads(threads: Option<usize>) -> anyhow::Result<()> {
    if let Some(n) = threads {
        if n == 0 {
            bail!("--threads must be >= 1");
        }
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
    Ok(())
}

/// A hidden layer that fired no spike on the whole test set is dead: a silenced neuron gets no gradient
/// back (SPEC section 3), so training cannot revive it and every later layer sees no input. Said once
/// per run, with what to change; the run itself goes on (a sweep records the collapsed point).
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

pub fn run(args: &Args) -> anyhow::Result<()> {
    set_threads(args.threads)?;
    let cfg = TrainConfig::load(&args.config)?;
    let out = match &args.out {
        Some(o) => o.clone(),
        None => {
            let stem = args
                .config
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "run".into());
            PathBuf::from("out").join(stem)
        }
    };
    let summary = train_run(&cfg, &args.config, &out, args.resume, true)?;
    if summary.completed {
        eprintln!("model written to {}", out.join(MODEL_FILE).display());
        Ok(())
    } else {
        bail!("training interrupted (resume with --resume)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_config(dir: &Path) -> (TrainConfig, PathBuf) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut cfg = TrainConfig::load(&root.join("configs/tiny.toml")).unwrap();
        cfg.data.path = root.join("data/mnist-small").to_string_lossy().into_owned();
        cfg.data.train_limit = Some(300);
        cfg.data.test_limit = Some(100);
        cfg.train.epochs = 2;
        let path = dir.join("tiny.toml");
        std::fs::write(&path, cfg.to_toml_string()).unwrap();
        (cfg, path)
    }

    #[test]
    fn train_run_writes_model_metrics_and_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let (cfg, cfg_path) = tiny_config(dir.path());
        let out = dir.path().join("run");
        let summary = train_run(&cfg, &cfg_path, &out, false, false).unwrap();
        assert!(summary.completed);
        assert_eq!(summary.epochs.len(), 2);
        // The model file is golden's format, and golden's exact pass gives the reported accuracy.
        let net = golden::io::load_float(&out.join(MODEL_FILE)).unwrap();
        let (_, test) = load_data(&cfg, &cfg_path).unwrap();
        let eval = trainer::evaluate(&net, &test);
        assert_eq!(eval.accuracy, summary.epochs[1].test_accuracy);
        let csv = std::fs::read_to_string(out.join(METRICS_FILE)).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], csv_header(1).trim_end());
        assert_eq!(lines.len(), 3, "{csv}");
        assert!(lines[2].starts_with("2,"));
        let copied = TrainConfig::load(&out.join(CONFIG_FILE)).unwrap();
        assert_eq!(copied, cfg);

        // A second run into the same folder must be explicit.
        let err = train_run(&cfg, &cfg_path, &out, false, false)
            .err()
            .expect("refused");
        assert!(err.to_string().contains("--resume"), "{err}");
        // Resuming with a longer schedule continues and appends one row.
        let mut longer = cfg.clone();
        longer.train.epochs = 3;
        let s = train_run(&longer, &cfg_path, &out, true, false).unwrap();
        assert_eq!(s.epochs.len(), 1);
        assert_eq!(s.epochs[0].epoch, 3);
        let csv = std::fs::read_to_string(out.join(METRICS_FILE)).unwrap();
        assert_eq!(csv.lines().count(), 4, "{csv}");
        // ...and equals a straight 3-epoch run.
        let straight = dir.path().join("straight");
        train_run(&longer, &cfg_path, &straight, false, false).unwrap();
        assert_eq!(
            golden::io::load_float(&straight.join(MODEL_FILE)).unwrap(),
            golden::io::load_float(&out.join(MODEL_FILE)).unwrap()
        );
    }

    #[test]
    fn a_regularizer_that_silences_a_layer_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let (mut cfg, cfg_path) = tiny_config(dir.path());
        cfg.train.epochs = 1;
        cfg.regularizer.kind = trainer::RegKind::Mp;
        cfg.regularizer.v_ref = Some(0.0);
        cfg.regularizer.gamma = vec![1.0];
        cfg.train.lr = 0.05; // few batches here: large Adam steps reach the collapse in one epoch
        let s = train_run(&cfg, &cfg_path, &dir.path().join("dead"), false, false).unwrap();
        let m = &s.epochs[0];
        assert_eq!(
            m.rates,
            vec![0.0],
            "R_MP(0) at strength 1 silences the hidden layer"
        );
        let w = silence_warning(m).expect("warned");
        assert!(
            w.contains("hidden layer(s) 1 ") && w.contains("regularizer.gamma"),
            "{w}"
        );
        // An ordinary run is not warned about.
        let (cfg, cfg_path) = tiny_config(dir.path());
        let s = train_run(&cfg, &cfg_path, &dir.path().join("alive"), false, false).unwrap();
        assert!(s.epochs.iter().all(|m| silence_warning(m).is_none()));
    }

    #[test]
    fn missing_data_names_the_config_field() {
        let dir = tempfile::tempdir().unwrap();
        let (mut cfg, cfg_path) = tiny_config(dir.path());
        cfg.data.path = "no/such/folder".into();
        let err = train_run(&cfg, &cfg_path, &dir.path().join("o"), false, false)
            .err()
            .expect("refused");
        assert!(format!("{err:#}").contains("data.path"), "{err:#}");
    }
}
