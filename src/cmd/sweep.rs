//! `ttfs sweep --config FILE [--out DIR]`: regularizer strengths x regularizers x seeds, run one after
//! another (each run already uses every core), then the accuracy / firing-rate trade-off as CSV and
//! plots (PNG and SVG).
//!
//! Sweep file (TOML):
//! ```toml
//! base = "mnist-baseline.toml"   # training config, relative to this file
//! out = "out/sweep-mnist"        # optional; --out wins
//! seeds = [1, 2]
//! epochs = 8                     # optional override of train.epochs
//! baseline = true                # also train gamma = 0 (one point per seed, labelled "none")
//! layer_factors = [1.0, 2.0]     # optional: gamma_l = strength * factor_l per hidden layer
//! [[curve]]
//! kind = "mssr"                  # "mssr" | "fssr" | "mp"
//! strengths = [1e-4, 3e-4, 1e-3]
//! [[curve]]
//! kind = "mp"
//! v_ref = 0.5
//! strengths = [1e-3, 3e-3]
//! ```
//! Each run is an ordinary `ttfs train` output folder `<out>/<curve>/g<strength>-s<seed>/`; a finished
//! run is not trained again and an interrupted one resumes, so a sweep can be stopped and restarted.
//! Results: `<out>/tradeoff.csv` (one row per run), `<out>/tradeoff-summary.csv` (mean and standard
//! deviation over seeds), `<out>/tradeoff.png` / `.svg` (one panel per hidden layer plus the mean when
//! there are several; x = firing rate, y = test accuracy, one curve per regularizer, error bars = one
//! standard deviation over seeds in both directions).

use crate::cmd::train::{set_threads, train_run, METRICS_FILE};
use anyhow::{anyhow, bail, Context};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use trainer::{RegConfig, RegKind, TrainConfig};

/// DejaVu Sans (Bitstream Vera licence, see fonts/DejaVuSans-LICENSE.txt): plots need no system fonts.
static FONT: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Sweep file (TOML); see configs/sweep-*.toml.
    #[arg(long)]
    pub config: PathBuf,
    /// Output folder (default: `out` of the sweep file, else out/<sweep file stem>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Only redraw the CSV and plots from finished runs; train nothing.
    #[arg(long)]
    pub plot_only: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct SweepConfig {
    base: PathBuf,
    #[serde(default)]
    out: Option<PathBuf>,
    seeds: Vec<u64>,
    #[serde(default)]
    epochs: Option<usize>,
    #[serde(default = "yes")]
    baseline: bool,
    #[serde(default)]
    layer_factors: Vec<f64>,
    #[serde(default)]
    curve: Vec<Curve>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Curve {
    kind: RegKind,
    strengths: Vec<f64>,
    #[serde(default)]
    v_ref: Option<f64>,
}

impl Curve {
    fn label(&self) -> String {
        match (self.kind, self.v_ref) {
            (RegKind::Mp, Some(v)) => format!("mp-vref{v}"),
            (k, _) => k.name().to_string(),
        }
    }
}

/// One training run of the sweep.
struct RunSpec {
    label: String,
    strength: f64,
    seed: u64,
    cfg: TrainConfig,
    dir: PathBuf,
}

/// Final metrics of one run.
#[derive(Clone, Debug)]
struct RunResult {
    label: String,
    strength: f64,
    seed: u64,
    test_acc: f64,
    train_acc: f64,
    rates: Vec<f64>,
    mean_rate: f64,
}

fn plan(sweep: &SweepConfig, base: &TrainConfig, out: &Path) -> anyhow::Result<Vec<RunSpec>> {
    let n_hidden = base.n_hidden();
    if !sweep.layer_factors.is_empty() && sweep.layer_factors.len() != n_hidden {
        bail!(
            "layer_factors has {} entries but the base network has {n_hidden} hidden layers",
            sweep.layer_factors.len()
        );
    }
    if sweep.seeds.is_empty() {
        bail!("seeds: give at least one seed");
    }
    let mut curves: Vec<(String, RegKind, Option<f64>, Vec<f64>)> = Vec::new();
    if sweep.baseline {
        curves.push(("none".into(), RegKind::None, None, vec![0.0]));
    }
    for c in &sweep.curve {
        if c.kind == RegKind::None {
            bail!("curve kind \"none\": use `baseline = true` instead");
        }
        if c.strengths.is_empty() {
            bail!("curve {}: strengths is empty", c.label());
        }
        curves.push((c.label(), c.kind, c.v_ref, c.strengths.clone()));
    }
    let mut runs = Vec::new();
    for (label, kind, v_ref, strengths) in curves {
        for &strength in &strengths {
            for &seed in &sweep.seeds {
                let mut cfg = base.clone();
                cfg.train.seed = seed;
                if let Some(e) = sweep.epochs {
                    cfg.train.epochs = e;
                }
                let gamma = if kind == RegKind::None {
                    Vec::new()
                } else if sweep.layer_factors.is_empty() {
                    vec![strength]
                } else {
                    sweep.layer_factors.iter().map(|f| strength * f).collect()
                };
                cfg.regularizer = RegConfig { kind, gamma, v_ref };
                cfg.validate().with_context(|| {
                    format!("sweep run {label}, strength {strength}, seed {seed}")
                })?;
                let dir = out.join(&label).join(format!("g{strength:e}-s{seed}"));
                runs.push(RunSpec {
                    label: label.clone(),
                    strength,
                    seed,
                    cfg,
                    dir,
                });
            }
        }
    }
    Ok(runs)
}

/// The last row of a run's metrics.csv if it reached `epochs`.
fn finished(run: &RunSpec) -> anyhow::Result<Option<RunResult>> {
    let path = run.dir.join(METRICS_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let Some(last) = lines.rfind(|l| !l.trim().is_empty()) else {
        return Ok(None);
    };
    let cols: Vec<&str> = last.split(',').collect();
    let get = |name: &str| -> anyhow::Result<f64> {
        let k = header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| anyhow!("{}: no column {name}", path.display()))?;
        cols.get(k)
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or_else(|| anyhow!("{}: bad {name} in the last row", path.display()))
    };
    if get("epoch")? as usize != run.cfg.train.epochs {
        return Ok(None);
    }
    let rates = (1..=run.cfg.n_hidden())
        .map(|l| get(&format!("rate_l{l}")))
        .collect::<anyhow::Result<Vec<f64>>>()?;
    Ok(Some(RunResult {
        label: run.label.clone(),
        strength: run.strength,
        seed: run.seed,
        test_acc: get("test_acc")?,
        train_acc: get("train_acc")?,
        rates,
        mean_rate: get("mean_rate")?,
    }))
}

fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 {
        v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// Mean and standard deviation over seeds of one (curve, strength) point.
#[derive(Clone, Debug)]
struct Point {
    strength: f64,
    n: usize,
    acc: (f64, f64),
    /// Per hidden layer, then the mean over hidden layers last.
    rate: Vec<(f64, f64)>,
}

fn summarize(results: &[RunResult], n_hidden: usize) -> BTreeMap<String, Vec<Point>> {
    let mut groups: BTreeMap<(String, u64), Vec<&RunResult>> = BTreeMap::new();
    for r in results {
        groups
            .entry((r.label.clone(), r.strength.to_bits()))
            .or_default()
            .push(r);
    }
    let mut curves: BTreeMap<String, Vec<Point>> = BTreeMap::new();
    for ((label, s), rs) in groups {
        let acc: Vec<f64> = rs.iter().map(|r| 100.0 * r.test_acc).collect();
        let mut rate: Vec<(f64, f64)> = (0..n_hidden)
            .map(|l| mean_std(&rs.iter().map(|r| r.rates[l]).collect::<Vec<_>>()))
            .collect();
        rate.push(mean_std(
            &rs.iter().map(|r| r.mean_rate).collect::<Vec<_>>(),
        ));
        curves.entry(label).or_default().push(Point {
            strength: f64::from_bits(s),
            n: rs.len(),
            acc: mean_std(&acc),
            rate,
        });
    }
    for pts in curves.values_mut() {
        pts.sort_by(|a, b| a.strength.total_cmp(&b.strength));
    }
    curves
}

/// The accuracy axis: every point's mean +- sd with half a point of margin, whole percent. Points
/// more than `OFF_SCALE` points below the best mean (collapsed runs) are left out of the range.
fn accuracy_axis(all: &[&Point]) -> (f64, f64) {
    const OFF_SCALE: f64 = 10.0;
    let best = all
        .iter()
        .map(|p| p.acc.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let kept = all.iter().filter(|p| p.acc.0 >= best - OFF_SCALE);
    let acc_lo = kept
        .clone()
        .map(|p| p.acc.0 - p.acc.1)
        .fold(f64::INFINITY, f64::min);
    let acc_hi = kept
        .map(|p| p.acc.0 + p.acc.1)
        .fold(f64::NEG_INFINITY, f64::max);
    ((acc_lo - 0.5).floor(), (acc_hi + 0.5).ceil())
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    curves: &BTreeMap<String, Vec<Point>>,
    n_hidden: usize,
    title: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("drawing the plot: {err:?}");
    root.fill(&WHITE).map_err(e)?;
    let root = root.titled(title, ("sans-serif", 22)).map_err(e)?;
    let panels: Vec<(usize, String)> = if n_hidden > 1 {
        (0..n_hidden)
            .map(|l| (l, format!("hidden layer {}", l + 1)))
            .chain(std::iter::once((
                n_hidden,
                "mean over hidden layers".to_string(),
            )))
            .collect()
    } else {
        vec![(n_hidden, "hidden layer 1".to_string())]
    };
    let areas = match panels.len() {
        1 => vec![root.clone()],
        2 => root.split_evenly((1, 2)),
        3 | 4 => root.split_evenly((2, 2)),
        n => root.split_evenly((n.div_ceil(3), 3)),
    };
    let all: Vec<&Point> = curves.values().flatten().collect();
    let (y0, y1) = accuracy_axis(&all);
    // A collapsed run (a strength that silences a whole layer scores ~0-10%) would stretch the axis
    // over the whole 0-100% and flatten every curve: such points sit on the bottom edge as a
    // downward triangle labelled with their accuracy (the CSV holds the exact values).
    let shown = |acc: f64| acc.max(y0);
    for ((k, name), area) in panels.iter().zip(areas.iter()) {
        let x_hi = all
            .iter()
            .map(|p| p.rate[*k].0 + p.rate[*k].1)
            .fold(0.0f64, f64::max)
            * 1.1
            + 1e-3;
        let mut chart = ChartBuilder::on(area)
            .caption(name, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(55)
            .build_cartesian_2d(0.0..x_hi, y0..y1)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc("firing rate (spikes per neuron per sample)")
            .y_desc("test accuracy (%)")
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .draw()
            .map_err(e)?;
        for (c, (label, pts)) in curves.iter().enumerate() {
            let color = if label == "none" {
                BLACK
            } else {
                // Distinguishable on white (the "tab10" colours), then plotters' palette.
                const TAB: [(u8, u8, u8); 6] = [
                    (31, 119, 180),
                    (214, 39, 40),
                    (44, 160, 44),
                    (255, 127, 14),
                    (148, 103, 189),
                    (140, 86, 75),
                ];
                let (r, g, b) = TAB
                    .get(c)
                    .copied()
                    .unwrap_or_else(|| Palette99::pick(c).rgb());
                RGBColor(r, g, b)
            };
            let xy: Vec<(f64, f64)> = pts.iter().map(|p| (p.rate[*k].0, shown(p.acc.0))).collect();
            let legend = if label == "none" {
                "none (gamma = 0)".to_string()
            } else {
                label.clone()
            };
            chart
                .draw_series(LineSeries::new(xy.clone(), color.stroke_width(2)))
                .map_err(e)?
                .label(legend)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
            let (on, off): (Vec<&Point>, Vec<&Point>) = pts.iter().partition(|p| p.acc.0 >= y0);
            chart
                .draw_series(
                    on.iter()
                        .map(|p| Circle::new((p.rate[*k].0, p.acc.0), 4, color.filled())),
                )
                .map_err(e)?;
            chart
                .draw_series(off.iter().map(|p| {
                    EmptyElement::at((p.rate[*k].0, y0))
                        + TriangleMarker::new((0, -6), 7, color.filled())
                        + Text::new(
                            format!("{:.1}% (off scale)", p.acc.0),
                            (6, -18),
                            ("sans-serif", 12).into_font().color(&color),
                        )
                }))
                .map_err(e)?;
            chart
                .draw_series(on.iter().map(|p| {
                    ErrorBar::new_vertical(
                        p.rate[*k].0,
                        p.acc.0 - p.acc.1,
                        p.acc.0,
                        p.acc.0 + p.acc.1,
                        color.stroke_width(1),
                        8,
                    )
                }))
                .map_err(e)?;
            chart
                .draw_series(on.iter().map(|p| {
                    ErrorBar::new_horizontal(
                        p.acc.0,
                        p.rate[*k].0 - p.rate[*k].1,
                        p.rate[*k].0,
                        p.rate[*k].0 + p.rate[*k].1,
                        color.stroke_width(1),
                        8,
                    )
                }))
                .map_err(e)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(e)?;
    }
    root.present().map_err(e)?;
    Ok(())
}

fn write_plots(
    out: &Path,
    curves: &BTreeMap<String, Vec<Point>>,
    n_hidden: usize,
    title: &str,
) -> anyhow::Result<()> {
    // Registering twice (a second sweep in one process) is harmless.
    let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    let panels = if n_hidden > 1 { n_hidden + 1 } else { 1 };
    let size = match panels {
        1 => (760, 560),
        2 => (1400, 560),
        3 | 4 => (1400, 1100),
        n => (1800, 480 * n.div_ceil(3) as u32),
    };
    let mut svg = String::new();
    draw(
        SVGBackend::with_string(&mut svg, size).into_drawing_area(),
        curves,
        n_hidden,
        title,
    )?;
    golden::io::write_atomic(&out.join("tradeoff.svg"), svg.as_bytes())?;
    // The bitmap backend writes by file name (format from the extension): draw into a temporary
    // name in the same folder, then rename.
    let tmp = out.join(".tradeoff.tmp.png");
    draw(
        BitMapBackend::new(&tmp, size).into_drawing_area(),
        curves,
        n_hidden,
        title,
    )?;
    let png = out.join("tradeoff.png");
    std::fs::rename(&tmp, &png).with_context(|| format!("writing {}", png.display()))?;
    Ok(())
}

fn write_tables(
    out: &Path,
    results: &[RunResult],
    curves: &BTreeMap<String, Vec<Point>>,
    n_hidden: usize,
) -> anyhow::Result<()> {
    let mut csv = String::from("curve,strength,seed,test_acc,train_acc");
    for l in 1..=n_hidden {
        write!(csv, ",rate_l{l}")?;
    }
    csv.push_str(",mean_rate\n");
    for r in results {
        write!(
            csv,
            "{},{:e},{},{:.6},{:.6}",
            r.label, r.strength, r.seed, r.test_acc, r.train_acc
        )?;
        for x in &r.rates {
            write!(csv, ",{x:.6}")?;
        }
        writeln!(csv, ",{:.6}", r.mean_rate)?;
    }
    golden::io::write_atomic(&out.join("tradeoff.csv"), csv.as_bytes())?;

    let mut sum = String::from("curve,strength,seeds,acc_mean_pct,acc_std_pct");
    for l in 1..=n_hidden {
        write!(sum, ",rate_l{l}_mean,rate_l{l}_std")?;
    }
    sum.push_str(",mean_rate_mean,mean_rate_std\n");
    for (label, pts) in curves {
        for p in pts {
            write!(
                sum,
                "{label},{:e},{},{:.3},{:.3}",
                p.strength, p.n, p.acc.0, p.acc.1
            )?;
            for (m, s) in &p.rate {
                write!(sum, ",{m:.5},{s:.5}")?;
            }
            sum.push('\n');
        }
    }
    golden::io::write_atomic(&out.join("tradeoff-summary.csv"), sum.as_bytes())?;
    Ok(())
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    set_threads(args.threads)?;
    let sweep: SweepConfig = golden::io::load_toml(&args.config)
        .with_context(|| format!("reading the sweep file {}", args.config.display()))?;
    let base_path = match args.config.parent() {
        Some(dir) => dir.join(&sweep.base),
        None => sweep.base.clone(),
    };
    let base = TrainConfig::load(&base_path)
        .with_context(|| format!("base config named by {}", args.config.display()))?;
    let out = match (&args.out, &sweep.out) {
        (Some(o), _) | (None, Some(o)) => o.clone(),
        (None, None) => PathBuf::from("out").join(
            args.config
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "sweep".into()),
        ),
    };
    let runs = plan(&sweep, &base, &out)?;
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let n_hidden = base.n_hidden();
    let mut results = Vec::new();
    for (k, run) in runs.iter().enumerate() {
        if let Some(r) = finished(run)? {
            eprintln!(
                "[{}/{}] {} strength {:e} seed {}: done before (acc {:.4}, rate {:.3})",
                k + 1,
                runs.len(),
                run.label,
                run.strength,
                run.seed,
                r.test_acc,
                r.mean_rate
            );
            results.push(r);
            continue;
        }
        if args.plot_only {
            continue;
        }
        eprintln!(
            "[{}/{}] {} strength {:e} seed {} -> {}",
            k + 1,
            runs.len(),
            run.label,
            run.strength,
            run.seed,
            run.dir.display()
        );
        let resume = run.dir.join(crate::cmd::train::CHECKPOINT_FILE).exists();
        let summary = train_run(&run.cfg, &base_path, &run.dir, resume, true)?;
        if !summary.completed {
            bail!("sweep interrupted; run the same command again to continue");
        }
        let Some(last) = summary.epochs.last() else {
            bail!("run {} trained no epoch", run.dir.display());
        };
        results.push(RunResult {
            label: run.label.clone(),
            strength: run.strength,
            seed: run.seed,
            test_acc: last.test_accuracy,
            train_acc: last.train_accuracy,
            rates: last.rates.clone(),
            mean_rate: last.mean_rate,
        });
    }
    if results.is_empty() {
        bail!("no finished runs to summarize in {}", out.display());
    }
    let curves = summarize(&results, n_hidden);
    write_tables(&out, &results, &curves, n_hidden)?;
    let sizes: Vec<String> = base.network.sizes.iter().map(|s| s.to_string()).collect();
    let title = format!(
        "{} {} — accuracy vs firing rate ({} epochs, {} seed(s))",
        match base.data.kind {
            trainer::DataKind::Mnist => "MNIST",
            trainer::DataKind::Fashion => "Fashion-MNIST",
        },
        sizes.join("-"),
        sweep.epochs.unwrap_or(base.train.epochs),
        sweep.seeds.len()
    );
    write_plots(&out, &curves, n_hidden, &title)?;
    eprintln!(
        "{} runs summarized: {}/tradeoff.csv, tradeoff-summary.csv, tradeoff.png, tradeoff.svg",
        results.len(),
        out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> TrainConfig {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut cfg = TrainConfig::load(&root.join("configs/fashion-baseline.toml")).unwrap();
        cfg.train.epochs = 1;
        cfg
    }

    #[test]
    fn plan_expands_curves_strengths_seeds_and_layer_factors() {
        let sweep: SweepConfig = toml::from_str(
            r#"
base = "x.toml"
seeds = [1, 2]
layer_factors = [1.0, 2.0, 4.0]
[[curve]]
kind = "mssr"
strengths = [1e-4, 1e-3]
[[curve]]
kind = "mp"
v_ref = 0.5
strengths = [1e-3]
"#,
        )
        .unwrap();
        let runs = plan(&sweep, &base(), Path::new("o")).unwrap();
        assert_eq!(runs.len(), 2 + 2 * 2 + 2);
        let r = &runs[4]; // mssr 1e-3, seed 1
        assert_eq!((r.label.as_str(), r.strength, r.seed), ("mssr", 1e-3, 1));
        assert_eq!(r.cfg.regularizer.gamma, vec![1e-3, 2e-3, 4e-3]);
        assert_eq!(r.dir, Path::new("o/mssr/g1e-3-s1"));
        assert_eq!(runs[6].label, "mp-vref0.5");
        assert_eq!(runs[6].cfg.regularizer.v_ref, Some(0.5));
        // Wrong number of layer factors is refused with a reason.
        let bad: SweepConfig = toml::from_str(
            "base = \"x.toml\"\nseeds = [1]\nlayer_factors = [1.0]\n[[curve]]\nkind = \"fssr\"\nstrengths = [1e-3]\n",
        )
        .unwrap();
        let err = plan(&bad, &base(), Path::new("o")).err().expect("refused");
        assert!(err.to_string().contains("3 hidden layers"), "{err}");
    }

    #[test]
    fn summary_and_plots_are_written() {
        let mk = |label: &str, strength: f64, seed: u64, acc: f64, rate: f64| RunResult {
            label: label.into(),
            strength,
            seed,
            test_acc: acc,
            train_acc: 1.0,
            rates: vec![rate, rate + 0.1, rate + 0.2],
            mean_rate: rate + 0.1,
        };
        let results = vec![
            mk("none", 0.0, 1, 0.90, 0.5),
            mk("none", 0.0, 2, 0.92, 0.5),
            mk("mssr", 1e-3, 1, 0.89, 0.2),
            mk("mssr", 1e-3, 2, 0.89, 0.3),
        ];
        let curves = summarize(&results, 3);
        let none = &curves["none"][0];
        assert!((none.acc.0 - 91.0).abs() < 1e-9);
        // sample standard deviation of 90 and 92 = sqrt(2)
        assert!((none.acc.1 - 2f64.sqrt()).abs() < 1e-9);
        assert!((curves["mssr"][0].rate[3].0 - 0.35).abs() < 1e-12);
        let dir = tempfile::tempdir().unwrap();
        write_tables(dir.path(), &results, &curves, 3).unwrap();
        write_plots(dir.path(), &curves, 3, "test").unwrap();
        let svg = std::fs::read_to_string(dir.path().join("tradeoff.svg")).unwrap();
        assert!(svg.contains("<svg") && svg.contains("mssr") && svg.contains("hidden layer 3"));
        let png = std::fs::read(dir.path().join("tradeoff.png")).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let sum = std::fs::read_to_string(dir.path().join("tradeoff-summary.csv")).unwrap();
        assert_eq!(sum.lines().count(), 3);
        assert!(!svg.contains("off scale"), "no collapsed run here");
    }

    #[test]
    fn a_collapsed_run_stays_off_the_accuracy_axis() {
        let mk = |label: &str, strength: f64, acc: f64, rate: f64| RunResult {
            label: label.into(),
            strength,
            seed: 1,
            test_acc: acc,
            train_acc: acc,
            rates: vec![rate],
            mean_rate: rate,
        };
        // A strength that silences the hidden layer: no output spike, 0% accuracy.
        let results = vec![
            mk("none", 0.0, 0.948, 0.40),
            mk("mp-vref0", 1e-4, 0.945, 0.30),
            mk("mp-vref0", 1e-3, 0.0, 0.0),
        ];
        let curves = summarize(&results, 1);
        let all: Vec<&Point> = curves.values().flatten().collect();
        assert_eq!(accuracy_axis(&all), (94.0, 96.0));
        let dir = tempfile::tempdir().unwrap();
        write_plots(dir.path(), &curves, 1, "collapse").unwrap();
        let svg = std::fs::read_to_string(dir.path().join("tradeoff.svg")).unwrap();
        assert_eq!(
            svg.matches("0.0% (off scale)").count(),
            1,
            "one marked point"
        );
        // Tick labels are text lines of their own; the y ticks stay within 94..96 (a stretched axis
        // would label 0, 10, ... 90).
        let ticks: Vec<f64> = svg.lines().filter_map(|l| l.trim().parse().ok()).collect();
        assert!(ticks.contains(&94.0) && ticks.contains(&96.0), "{ticks:?}");
        assert!(
            !ticks.iter().any(|&t| t > 1.0 && t < 94.0),
            "axis stretched: {ticks:?}"
        );
    }
}
