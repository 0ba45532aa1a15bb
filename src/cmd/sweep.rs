//! `ttfs sweep --config FILE [--out DIR]`: regularizer strengths x regularizers x seeds
//! (`trainer::sweep`: the sweep file, its plan of units, finished-run detection and the tables), run
//! one after another (each run already uses every core), then the trade-off figure
//! (`wave::tradeoff`). A finished run is not trained again and an interrupted one resumes, so a sweep
//! can be stopped and restarted.
//!
//! Results in the output folder: `tradeoff.csv` (one row per run), `tradeoff-summary.csv` (mean and
//! standard deviation over seeds), `tradeoff.png` / `.svg`.

use anyhow::{bail, Context};
use std::path::PathBuf;
use trainer::sweep::{summarize, write_tables, Curves, Sweep};
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
    #[arg(long)]
    pub out: Option<PathBuf>,
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

pub fn run(args: &Args) -> anyhow::Result<()> {
    args.threads.apply()?;
    let sweep = Sweep::load(&args.config)
        .with_context(|| format!("reading the sweep file {}", args.config.display()))?;
    let out = sweep.out_dir(args.out.as_deref());
    let plan = sweep.plan(&out)?;
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let n_units = plan.units.len();
    let mut results = Vec::new();
    for unit in &plan.units {
        let (k, label, strength, seed) = (unit.id + 1, &unit.label, unit.strength, unit.seed);
        if let Some(r) = unit.finished()? {
            eprintln!(
                "[{k}/{n_units}] {label} strength {strength:e} seed {seed}: done before (acc {:.4}, rate {:.3})",
                r.test_acc, r.mean_rate
            );
            results.push(r);
            continue;
        }
        if args.plot_only {
            continue;
        }
        eprintln!(
            "[{k}/{n_units}] {label} strength {strength:e} seed {seed} -> {}",
            unit.dir.root().display()
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
    }
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
        "{} runs summarized: {}/tradeoff.csv, tradeoff-summary.csv, tradeoff.png, tradeoff.svg",
        results.len(),
        out.display()
    );
    Ok(())
}
