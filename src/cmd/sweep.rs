//! `ttfs sweep --config FILE [--out DIR]`: regularizer strengths x regularizers x seeds
//! (`trainer::sweep`: the sweep file, its plan of units, finished-run detection and the tables), run
//! one after another (each run already uses every core), then the trade-off figure
//! (`wave::tradeoff`). A finished run is not trained again and an interrupted one resumes, so a sweep
//! can be stopped and restarted.
//!
//! Results in the output folder: `tradeoff.csv` (one row per run), `tradeoff-summary.csv` (mean and
//! standard deviation over seeds), `tradeoff.png` / `.svg`; `--json FILE` (`trainer::sweep::SweepReport`).
//! Progress: one line per run with the overall estimate (mean time of the runs trained in this
//! session x runs left); `--plot-only` names every run that is not finished.

use anyhow::{bail, Context};
use std::path::PathBuf;
use trainer::sweep::{
    summarize, write_tables, Curves, MissingRun, Sweep, SweepReport, SWEEP_SCHEMA,
};
use wave::tradeoff::{Tradeoff, TradeoffPoint};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Sweep file (TOML); see configs/sweep-*.toml.
    #[arg(long)]
    pub config: PathBuf,
    /// Only redraw the CSV and plots from finished runs; train nothing.
    #[arg(long)]
    pub plot_only: bool,
    /// Output folder (default: `out` of the sweep file, else out/<sweep file stem>).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write the results as JSON here (schema `ttfs.sweep/1`, docs/json.md).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    #[command(flatten)]
    pub threads: super::data::ThreadArgs,
}

/// The figure of the summary (curves in label order, as the summary table).
fn figure(title: String, curves: &Curves, n_hidden: usize) -> Tradeoff {
    let curves = curves
        .iter()
        .map(|(label, pts)| {
            let pts = pts
                .iter()
                .map(|p| TradeoffPoint {
                    acc: p.acc,
                    rate: p.rate.clone(),
                })
                .collect();
            (label.clone(), pts)
        })
        .collect();
    Tradeoff {
        title,
        n_hidden,
        curves,
    }
}

/// `1h02m`, `3m05s`, `12s`: a duration for the progress lines.
fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, sec) => format!("{m}m{sec:02}s"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

/// The overall estimate: elapsed time and, once a run was trained in this session, the time
/// left (mean seconds per run trained here x runs left to train).
fn eta(started: std::time::Instant, trained: usize, left: usize) -> String {
    let elapsed = started.elapsed().as_secs_f64();
    if trained == 0 {
        return format!("elapsed {}", duration(elapsed));
    }
    let per_run = elapsed / trained as f64;
    format!(
        "elapsed {}, about {} left ({} per run)",
        duration(elapsed),
        duration(per_run * left as f64),
        duration(per_run)
    )
}

/// Names every run `--plot-only` found unfinished, one line each.
fn print_missing(missing: &[MissingRun], n_units: usize) {
    if missing.is_empty() {
        return;
    }
    eprintln!(
        "{} of {n_units} runs are not finished (--plot-only trains nothing; run without it to train them):",
        missing.len()
    );
    for m in missing {
        eprintln!(
            "  [{}/{n_units}] {} strength {:e} seed {}: {}",
            m.id + 1,
            m.label,
            m.strength,
            m.seed,
            m.dir
        );
    }
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    args.threads.apply()?;
    let sweep = Sweep::load(&args.config)
        .with_context(|| format!("reading the sweep file {}", args.config.display()))?;
    let out = sweep.out_dir(args.out.as_deref());
    let plan = sweep.plan(&out)?;
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let n_units = plan.units.len();
    // Finished runs first, so the estimate counts only what is left to train.
    let finished: Vec<Option<trainer::sweep::RunResult>> = plan
        .units
        .iter()
        .map(|u| u.finished())
        .collect::<Result<_, _>>()?;
    let mut left = finished.iter().filter(|r| r.is_none()).count();
    let started = std::time::Instant::now();
    let mut trained = 0;
    let mut results = Vec::new();
    let mut missing = Vec::new();
    for (unit, done) in plan.units.iter().zip(finished) {
        let (k, label, strength, seed) = (unit.id + 1, &unit.label, unit.strength, unit.seed);
        if let Some(r) = done {
            eprintln!(
                "[{k}/{n_units}] {label} strength {strength:e} seed {seed}: done before (acc {:.4}, rate {:.3})",
                r.test_acc, r.mean_rate
            );
            results.push(r);
            continue;
        }
        if args.plot_only {
            missing.push(MissingRun::of(unit));
            continue;
        }
        eprintln!(
            "[{k}/{n_units}] {label} strength {strength:e} seed {seed} -> {} ({} to train; {})",
            unit.dir.root().display(),
            left,
            eta(started, trained, left)
        );
        let resume = unit.dir.has_checkpoint();
        let summary =
            super::train::train_into(&unit.cfg, &sweep.base_path, unit.dir.root(), resume)?;
        if !summary.completed {
            bail!("sweep interrupted; run the same command again to continue");
        }
        let Some(last) = summary.epochs.last() else {
            bail!("run {} trained no epoch", unit.dir.root().display());
        };
        results.push(unit.result(last));
        trained += 1;
        left -= 1;
    }
    print_missing(&missing, n_units);
    if results.is_empty() {
        bail!("no finished runs to summarize in {}", out.display());
    }
    let n_hidden = sweep.base.n_hidden();
    let curves = summarize(&results, n_hidden);
    write_tables(&out, &results, &curves, n_hidden)?;
    wave::plot::write_svg_png(
        &figure(sweep.title(), &curves, n_hidden),
        &out.join("tradeoff"),
    )?;
    eprintln!(
        "{} of {n_units} runs summarized: {}/tradeoff.csv, tradeoff-summary.csv, tradeoff.png, tradeoff.svg{}",
        results.len(),
        out.display(),
        if trained > 0 {
            format!(" ({} trained in {})", trained, duration(started.elapsed().as_secs_f64()))
        } else {
            String::new()
        }
    );
    if let Some(path) = &args.json {
        let report = SweepReport {
            schema: SWEEP_SCHEMA.to_string(),
            title: sweep.title(),
            out: out.display().to_string(),
            planned: n_units,
            runs: results,
            missing,
            curves,
        };
        super::data::write_json(path, &report)?;
    }
    Ok(())
}
