//! `ttfs train --config FILE [--out DIR] [--resume]`: trains a network from a TOML config into a run
//! folder (`trainer::run_dir`: model, config copy, `metrics.csv`, checkpoint; default
//! `out/<config file stem>`). This module draws the progress bar and turns Ctrl-C into a stop request;
//! the loop over epochs, the folder layout and the metrics format are `trainer::run_dir`'s.
//!
//! A relative `data.path` is looked up from the current directory, then from the config's folder.

use anyhow::bail;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use trainer::run_dir::silence_warning;
use trainer::{BatchProgress, EpochMetrics, RunDir, RunObserver, RunSummary, TrainConfig};

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
    #[command(flatten)]
    pub threads: super::data::ThreadArgs,
}

/// Set by the Ctrl-C / SIGTERM handler (`cmd::install_interrupt_handler`); every running training
/// loop stops at its next batch boundary.
fn interrupt_flag() -> Arc<AtomicBool> {
    super::graceful_interrupt()
}

/// The terminal side of a run: a progress bar on a terminal, a line every 30 s in logs, one line
/// per epoch, and the silence warning once.
struct Terminal {
    epochs: usize,
    show_bar: bool,
    bar: ProgressBar,
    last_line: Instant,
    warned_silent: bool,
}

impl Terminal {
    fn new(epochs: usize) -> Self {
        Terminal {
            epochs,
            show_bar: std::io::stderr().is_terminal(),
            bar: ProgressBar::hidden(),
            last_line: Instant::now(),
            warned_silent: false,
        }
    }
}

fn rates_text(rates: &[f64]) -> String {
    let r: Vec<String> = rates.iter().map(|r| format!("{r:.3}")).collect();
    r.join(" ")
}

impl RunObserver for Terminal {
    fn epoch_start(&mut self, epoch: usize, batch: usize, n_batches: usize) {
        self.last_line = Instant::now();
        if !self.show_bar {
            return;
        }
        self.bar = ProgressBar::new(n_batches as u64);
        self.bar.set_style(
            ProgressStyle::with_template(
                "epoch {prefix} [{bar:30}] {pos}/{len} batches {elapsed_precise}<{eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        self.bar
            .set_prefix(format!("{}/{}", epoch + 1, self.epochs));
        self.bar.set_position(batch as u64);
    }

    fn batch(&mut self, p: &BatchProgress) {
        self.bar.set_position(p.batches_done as u64);
        let msg = format!(
            "loss {:.4} acc {:.4} rate [{}]",
            p.running_loss,
            p.running_accuracy,
            rates_text(&p.running_rates)
        );
        // Without a terminal (logs), a plain line every 30 s instead of the bar.
        if !self.show_bar && self.last_line.elapsed() >= Duration::from_secs(30) {
            self.last_line = Instant::now();
            eprintln!(
                "epoch {}: batch {}/{} {msg}",
                p.epoch + 1,
                p.batches_done,
                p.batches_total
            );
        }
        self.bar.set_message(msg);
    }

    fn epoch_end(&mut self, m: &EpochMetrics) {
        self.bar.finish_and_clear();
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(
            stderr,
            "epoch {}/{}: loss {:.4}  train acc {:.4}  test acc {:.4}  rate [{}] mean {:.3}  {:.1} s ({:.0} samples/s)",
            m.epoch,
            self.epochs,
            m.loss,
            m.train_accuracy,
            m.test_accuracy,
            rates_text(&m.rates),
            m.mean_rate,
            m.seconds,
            m.train_samples as f64 / m.train_seconds.max(1e-9)
        );
        if !self.warned_silent {
            if let Some(w) = silence_warning(m) {
                self.warned_silent = true;
                let _ = writeln!(stderr, "{w}");
            }
        }
    }
}

/// Trains `cfg` (read from `config_path`) into `out` with the terminal progress display; used by
/// `train`, `sweep` and `run`. Ctrl-C stops at the next batch with a checkpoint written.
pub fn train_into(
    cfg: &TrainConfig,
    config_path: &Path,
    out: &Path,
    resume: bool,
) -> anyhow::Result<RunSummary> {
    let (train, test) = cfg.load_data(config_path)?;
    let dir = RunDir::new(out).with_data(cfg.data_dir(config_path));
    let mut terminal = Terminal::new(cfg.train.epochs);
    let summary = trainer::train_into(
        cfg,
        &train,
        &test,
        &dir,
        resume,
        &interrupt_flag(),
        &mut terminal,
    )?;
    terminal.bar.finish_and_clear();
    if !summary.completed {
        eprintln!(
            "interrupted at epoch {}, batch {}: checkpoint written to {}; continue with --resume",
            summary.position.0 + 1,
            summary.position.1,
            dir.checkpoint_path().display()
        );
    }
    Ok(summary)
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    args.threads.apply()?;
    let cfg = TrainConfig::load(&args.config)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| super::data::default_out(&args.config, "run"));
    let summary = train_into(&cfg, &args.config, &out, args.resume)?;
    if summary.completed {
        eprintln!(
            "model written to {}",
            out.join(trainer::run_dir::MODEL_FILE).display()
        );
        Ok(())
    } else {
        bail!("training interrupted (resume with --resume)")
    }
}
