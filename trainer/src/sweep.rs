//! Sweeps: regularizer strengths x regularizers x seeds over one base training config, planned as
//! independent work units, and their accuracy / firing-rate trade-off (per-run table, mean and
//! standard deviation over seeds).
//!
//! Sweep file (TOML, unknown keys rejected, errors name the field):
//! ```toml
//! base = "mnist-baseline.toml"   # training config, relative to this file
//! out = "out/sweep-mnist"        # optional; the caller's --out wins
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
//! A [`Plan`] is a list of [`Unit`]s, each an ordinary training run with a stable id (its place in
//! the plan: baseline first, then the curves in file order, strengths in order, seeds innermost) and
//! its own folder `<out>/<curve>/g<strength>-s<seed>/` ([`crate::run_dir`] layout). A unit is
//! finished when its `metrics.csv` reached the planned epochs, so a sweep can be stopped and
//! restarted, and units can run anywhere (one job each) and be collected afterwards.
//! Tables: `tradeoff.csv` (one row per run) and `tradeoff-summary.csv` (one per curve and strength).

use crate::config::{RegConfig, RegKind, TrainConfig};
use crate::error::{Result, TrainError};
use crate::run_dir::RunDir;
use crate::train::EpochMetrics;
use golden::table::{to_csv, Decimal, Scientific};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The sweep file.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepConfig {
    /// The base training config, relative to the sweep file's folder.
    pub base: PathBuf,
    #[serde(default)]
    pub out: Option<PathBuf>,
    pub seeds: Vec<u64>,
    #[serde(default)]
    pub epochs: Option<usize>,
    #[serde(default = "yes")]
    pub baseline: bool,
    #[serde(default)]
    pub layer_factors: Vec<f64>,
    #[serde(default)]
    pub curve: Vec<Curve>,
}

fn yes() -> bool {
    true
}

/// One regularizer and its strengths.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Curve {
    pub kind: RegKind,
    pub strengths: Vec<f64>,
    #[serde(default)]
    pub v_ref: Option<f64>,
}

impl Curve {
    /// The curve's name in folders, tables and legends (`mssr`, `mp-vref0.5`).
    pub fn label(&self) -> String {
        match (self.kind, self.v_ref) {
            (RegKind::Mp, Some(v)) => format!("mp-vref{v}"),
            (k, _) => k.name().to_string(),
        }
    }
}

fn finite_non_negative(field: String, values: &[f64]) -> Result<()> {
    let max = crate::config::MAX_SETTING;
    match values
        .iter()
        .position(|v| !(v.is_finite() && *v >= 0.0 && *v <= max))
    {
        Some(i) => Err(TrainError::sweep(
            format!("{field}[{i}]"),
            format!("{} must be finite, >= 0 and <= {max}", values[i]),
        )),
        None => Ok(()),
    }
}

impl SweepConfig {
    /// Parses and validates sweep TOML text; `origin` names the source in errors.
    pub fn from_toml_str(text: &str, origin: &Path) -> Result<Self> {
        let cfg: SweepConfig = toml::from_str(text).map_err(|e| TrainError::Parse {
            path: origin.to_path_buf(),
            msg: e.to_string(),
        })?;
        cfg.validate().map_err(|e| e.in_file(origin))?;
        Ok(cfg)
    }

    /// Checks what can be checked without the base config; errors name the field.
    pub fn validate(&self) -> Result<()> {
        if self.seeds.is_empty() {
            return Err(TrainError::sweep("seeds", "give at least one seed"));
        }
        if self.epochs == Some(0) {
            return Err(TrainError::sweep("epochs", "must be >= 1"));
        }
        if let Some(e) = self.epochs.filter(|&e| e > crate::config::MAX_EPOCHS) {
            let max = crate::config::MAX_EPOCHS;
            return Err(TrainError::sweep(
                "epochs",
                format!("{e} is more than {max}, the largest this build accepts"),
            ));
        }
        finite_non_negative("layer_factors".into(), &self.layer_factors)?;
        for (i, c) in self.curve.iter().enumerate() {
            if c.kind == RegKind::None {
                return Err(TrainError::sweep(
                    format!("curve[{i}].kind"),
                    "\"none\": use `baseline = true` instead",
                ));
            }
            if c.strengths.is_empty() {
                return Err(TrainError::sweep(
                    format!("curve[{i}].strengths"),
                    format!("curve {} has no strength", c.label()),
                ));
            }
            finite_non_negative(format!("curve[{i}].strengths"), &c.strengths)?;
        }
        Ok(())
    }
}

/// A sweep file with its base training config.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    pub config: SweepConfig,
    /// The sweep file.
    pub path: PathBuf,
    pub base: TrainConfig,
    /// The base config file (data paths are resolved from its folder).
    pub base_path: PathBuf,
}

impl Sweep {
    /// Reads and validates the sweep file and the base config it names.
    pub fn load(path: &Path) -> Result<Sweep> {
        let config = SweepConfig::from_toml_str(&crate::config::read_text(path)?, path)?;
        let base_path = match path.parent() {
            Some(dir) => dir.join(&config.base),
            None => config.base.clone(),
        };
        let base = TrainConfig::load(&base_path)?;
        Ok(Sweep {
            config,
            path: path.to_path_buf(),
            base,
            base_path,
        })
    }

    /// The output folder: `explicit` (a flag) if given, else `out` of the file, else
    /// `out/<sweep file stem>`.
    pub fn out_dir(&self, explicit: Option<&Path>) -> PathBuf {
        match (explicit, &self.config.out) {
            (Some(o), _) => o.to_path_buf(),
            (None, Some(o)) => o.clone(),
            (None, None) => PathBuf::from("out").join(
                self.path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "sweep".into()),
            ),
        }
    }

    /// Every run of the sweep, each with a validated training config, in a stable order.
    pub fn plan(&self, out: &Path) -> Result<Plan> {
        let sweep = &self.config;
        let n_hidden = self.base.n_hidden();
        if !sweep.layer_factors.is_empty() && sweep.layer_factors.len() != n_hidden {
            return Err(TrainError::sweep(
                "layer_factors",
                format!(
                    "has {} entries but the base network has {n_hidden} hidden layers",
                    sweep.layer_factors.len()
                ),
            ));
        }
        let mut curves: Vec<(String, RegKind, Option<f64>, Vec<f64>)> = Vec::new();
        if sweep.baseline {
            curves.push(("none".into(), RegKind::None, None, vec![0.0]));
        }
        for c in &sweep.curve {
            curves.push((c.label(), c.kind, c.v_ref, c.strengths.clone()));
        }
        let mut units = Vec::new();
        for (label, kind, v_ref, strengths) in curves {
            for &strength in &strengths {
                for &seed in &sweep.seeds {
                    let mut cfg = self.base.clone();
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
                    cfg.validate().map_err(|e| {
                        TrainError::sweep(
                            format!("curve {label}, strength {strength}, seed {seed}"),
                            e.to_string(),
                        )
                    })?;
                    let dir = out.join(&label).join(format!("g{strength:e}-s{seed}"));
                    units.push(Unit {
                        id: units.len(),
                        label: label.clone(),
                        strength,
                        seed,
                        cfg,
                        dir: RunDir::new(dir),
                    });
                }
            }
        }
        Ok(Plan {
            out: out.to_path_buf(),
            units,
        })
    }

    /// The figure title: data set, sizes, epochs and seeds.
    pub fn title(&self) -> String {
        let sizes: Vec<String> = self
            .base
            .network
            .sizes
            .iter()
            .map(|s| s.to_string())
            .collect();
        format!(
            "{} {} — accuracy vs firing rate ({} epochs, {} seed(s))",
            match self.base.data.kind {
                crate::DataKind::Mnist => "MNIST",
                crate::DataKind::Fashion => "Fashion-MNIST",
            },
            sizes.join("-"),
            self.config.epochs.unwrap_or(self.base.train.epochs),
            self.config.seeds.len()
        )
    }
}

/// The units of a sweep and the folder they and the tables go into.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub out: PathBuf,
    pub units: Vec<Unit>,
}

/// One training run of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// Place in the plan (stable for a given sweep file).
    pub id: usize,
    /// Curve label (`none` for the baseline).
    pub label: String,
    pub strength: f64,
    pub seed: u64,
    pub cfg: TrainConfig,
    pub dir: RunDir,
}

impl Unit {
    /// The run's final result if its metrics reached the planned epochs.
    pub fn finished(&self) -> Result<Option<RunResult>> {
        let last = self
            .dir
            .finished(self.cfg.train.epochs, self.cfg.n_hidden())?;
        Ok(last.map(|r| RunResult {
            label: self.label.clone(),
            strength: self.strength,
            seed: self.seed,
            test_acc: r.test_acc,
            train_acc: r.train_acc,
            rates: r.rates,
            mean_rate: r.mean_rate,
        }))
    }

    /// The run's result from the metrics of its last epoch.
    pub fn result(&self, last: &EpochMetrics) -> RunResult {
        RunResult {
            label: self.label.clone(),
            strength: self.strength,
            seed: self.seed,
            test_acc: last.test_accuracy,
            train_acc: last.train_accuracy,
            rates: last.rates.clone(),
            mean_rate: last.mean_rate,
        }
    }
}

/// Final metrics of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub label: String,
    pub strength: f64,
    pub seed: u64,
    pub test_acc: f64,
    pub train_acc: f64,
    pub rates: Vec<f64>,
    pub mean_rate: f64,
}

/// Sample mean and sample standard deviation (0 for a single value).
pub fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 {
        v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// Mean and standard deviation over seeds of one (curve, strength) point (in JSON each
/// `(mean, std)` pair is a two-element array).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub strength: f64,
    /// Runs (seeds) behind the point.
    pub n: usize,
    /// Test accuracy in percent.
    pub acc: (f64, f64),
    /// Firing rate per hidden layer, then the mean over hidden layers last.
    pub rate: Vec<(f64, f64)>,
}

/// Points per curve label (sorted by label), each curve sorted by strength.
pub type Curves = BTreeMap<String, Vec<Point>>;

/// A planned run that has not finished (what `sweep --plot-only` names).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MissingRun {
    /// Place in the plan (0-based; the progress lines show `id + 1`).
    pub id: usize,
    pub label: String,
    pub strength: f64,
    pub seed: u64,
    /// The run's folder.
    pub dir: String,
}

impl MissingRun {
    pub fn of(u: &Unit) -> MissingRun {
        MissingRun {
            id: u.id,
            label: u.label.clone(),
            strength: u.strength,
            seed: u.seed,
            dir: u.dir.root().display().to_string(),
        }
    }
}

/// What `ttfs sweep --json` writes (schema `ttfs.sweep/1`, `docs/json.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepReport {
    /// Always [`SWEEP_SCHEMA`].
    pub schema: String,
    pub title: String,
    /// The sweep's output folder.
    pub out: String,
    /// Runs in the plan.
    pub planned: usize,
    /// Finished runs, in plan order.
    pub runs: Vec<RunResult>,
    /// Planned runs without a finished result (only with `--plot-only`; else empty).
    pub missing: Vec<MissingRun>,
    /// Per curve label: one point per strength (mean and standard deviation over seeds).
    pub curves: Curves,
}

/// The `schema` value of [`SweepReport`].
pub const SWEEP_SCHEMA: &str = "ttfs.sweep/1";

/// Groups the runs by curve and strength.
pub fn summarize(results: &[RunResult], n_hidden: usize) -> Curves {
    let mut groups: BTreeMap<(String, u64), Vec<&RunResult>> = BTreeMap::new();
    for r in results {
        groups
            .entry((r.label.clone(), r.strength.to_bits()))
            .or_default()
            .push(r);
    }
    let mut curves = Curves::new();
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

#[derive(Serialize)]
struct RunRecord<'a> {
    curve: &'a str,
    strength: Scientific,
    seed: u64,
    test_acc: Decimal<6>,
    train_acc: Decimal<6>,
    rates: Vec<Decimal<6>>,
    mean_rate: Decimal<6>,
}

#[derive(Serialize)]
struct PointRecord<'a> {
    curve: &'a str,
    strength: Scientific,
    seeds: usize,
    acc_mean_pct: Decimal<3>,
    acc_std_pct: Decimal<3>,
    /// Mean and standard deviation per hidden layer, then of the mean rate.
    rates: Vec<(Decimal<5>, Decimal<5>)>,
}

/// `tradeoff.csv`: one row per run.
pub fn runs_csv(results: &[RunResult], n_hidden: usize) -> Result<Vec<u8>> {
    let mut header: Vec<String> = ["curve", "strength", "seed", "test_acc", "train_acc"]
        .map(String::from)
        .into();
    header.extend((1..=n_hidden).map(|l| format!("rate_l{l}")));
    header.push("mean_rate".into());
    let rows = results.iter().map(|r| RunRecord {
        curve: &r.label,
        strength: Scientific(r.strength),
        seed: r.seed,
        test_acc: Decimal(r.test_acc),
        train_acc: Decimal(r.train_acc),
        rates: r.rates.iter().map(|&x| Decimal(x)).collect(),
        mean_rate: Decimal(r.mean_rate),
    });
    Ok(to_csv(&header, rows)?)
}

/// `tradeoff-summary.csv`: one row per curve and strength.
pub fn summary_csv(curves: &Curves, n_hidden: usize) -> Result<Vec<u8>> {
    let mut header: Vec<String> = ["curve", "strength", "seeds", "acc_mean_pct", "acc_std_pct"]
        .map(String::from)
        .into();
    for l in 1..=n_hidden {
        header.extend([format!("rate_l{l}_mean"), format!("rate_l{l}_std")]);
    }
    header.extend(["mean_rate_mean", "mean_rate_std"].map(String::from));
    let rows = curves.iter().flat_map(|(label, pts)| {
        pts.iter().map(move |p| PointRecord {
            curve: label,
            strength: Scientific(p.strength),
            seeds: p.n,
            acc_mean_pct: Decimal(p.acc.0),
            acc_std_pct: Decimal(p.acc.1),
            rates: p
                .rate
                .iter()
                .map(|&(m, s)| (Decimal(m), Decimal(s)))
                .collect(),
        })
    });
    Ok(to_csv(&header, rows)?)
}

/// Writes `tradeoff.csv` and `tradeoff-summary.csv` into `out`.
pub fn write_tables(
    out: &Path,
    results: &[RunResult],
    curves: &Curves,
    n_hidden: usize,
) -> Result<()> {
    golden::io::write_atomic(&out.join("tradeoff.csv"), &runs_csv(results, n_hidden)?)?;
    golden::io::write_atomic(
        &out.join("tradeoff-summary.csv"),
        &summary_csv(curves, n_hidden)?,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SWEEP: &str = r#"
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
"#;

    fn sweep(text: &str) -> Result<Sweep> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut base = TrainConfig::load(&root.join("configs/fashion-baseline.toml")).unwrap();
        base.train.epochs = 1;
        Ok(Sweep {
            config: SweepConfig::from_toml_str(text, "s.toml".as_ref())?,
            path: PathBuf::from("s.toml"),
            base,
            base_path: PathBuf::from("x.toml"),
        })
    }

    #[test]
    fn plan_expands_curves_strengths_seeds_and_layer_factors() {
        let plan = sweep(SWEEP).unwrap().plan(Path::new("o")).unwrap();
        let runs = &plan.units;
        assert_eq!(runs.len(), 2 + 2 * 2 + 2);
        assert!(runs.iter().enumerate().all(|(i, u)| u.id == i));
        let r = &runs[4]; // mssr 1e-3, seed 1
        assert_eq!((r.label.as_str(), r.strength, r.seed), ("mssr", 1e-3, 1));
        assert_eq!(r.cfg.regularizer.gamma, vec![1e-3, 2e-3, 4e-3]);
        assert_eq!(r.dir.root(), Path::new("o/mssr/g1e-3-s1"));
        assert_eq!(runs[0].dir.root(), Path::new("o/none/g0e0-s1"));
        assert_eq!(runs[6].label, "mp-vref0.5");
        assert_eq!(runs[6].cfg.regularizer.v_ref, Some(0.5));
        // Wrong number of layer factors is refused with a reason.
        let bad = "base = \"x.toml\"\nseeds = [1]\nlayer_factors = [1.0]\n[[curve]]\nkind = \"fssr\"\nstrengths = [1e-3]\n";
        let err = sweep(bad).unwrap().plan(Path::new("o")).unwrap_err();
        assert!(err.to_string().contains("3 hidden layers"), "{err}");
    }

    #[test]
    fn a_bad_sweep_file_names_the_field() {
        let cases = [
            ("base = \"x\"\nseeds = []\n", "seeds"),
            ("base = \"x\"\nseeds = [1]\nepochs = 0\n", "epochs"),
            (
                "base = \"x\"\nseeds = [1]\n[[curve]]\nkind = \"none\"\nstrengths = [1.0]\n",
                "curve[0].kind",
            ),
            (
                "base = \"x\"\nseeds = [1]\n[[curve]]\nkind = \"mssr\"\nstrengths = []\n",
                "curve[0].strengths",
            ),
            (
                "base = \"x\"\nseeds = [1]\n[[curve]]\nkind = \"mssr\"\nstrengths = [1e-3, -1.0]\n",
                "curve[0].strengths[1]",
            ),
            (
                "base = \"x\"\nseeds = [1]\nseed = 3\n",
                "unknown field `seed`",
            ),
        ];
        for (text, field) in cases {
            let err = SweepConfig::from_toml_str(text, "s.toml".as_ref()).unwrap_err();
            assert!(err.to_string().contains(field), "{field}: {err}");
        }
        // A run the base config refuses is named by curve, strength and seed.
        let mp = "base = \"x\"\nseeds = [1]\n[[curve]]\nkind = \"mp\"\nstrengths = [1e-3]\n";
        let err = sweep(mp).unwrap().plan(Path::new("o")).unwrap_err();
        assert!(
            err.to_string().contains("curve mp, strength 0.001, seed 1")
                && err.to_string().contains("v_ref"),
            "{err}"
        );
    }

    fn result(label: &str, strength: f64, seed: u64, acc: f64, rate: f64) -> RunResult {
        RunResult {
            label: label.into(),
            strength,
            seed,
            test_acc: acc,
            train_acc: 1.0,
            rates: vec![rate, rate + 0.1, rate + 0.2],
            mean_rate: rate + 0.1,
        }
    }

    #[test]
    fn summary_is_mean_and_sample_std_over_seeds_and_tables_keep_their_format() {
        let results = vec![
            result("none", 0.0, 1, 0.90, 0.5),
            result("none", 0.0, 2, 0.92, 0.5),
            result("mssr", 1e-3, 1, 0.89, 0.2),
            result("mssr", 1e-3, 2, 0.89, 0.3),
        ];
        let curves = summarize(&results, 3);
        let none = &curves["none"][0];
        assert!((none.acc.0 - 91.0).abs() < 1e-9);
        // sample standard deviation of 90 and 92 = sqrt(2)
        assert!((none.acc.1 - 2f64.sqrt()).abs() < 1e-9);
        assert!((curves["mssr"][0].rate[3].0 - 0.35).abs() < 1e-12);
        let runs = String::from_utf8(runs_csv(&results[..1], 3).unwrap()).unwrap();
        assert_eq!(
            runs,
            "curve,strength,seed,test_acc,train_acc,rate_l1,rate_l2,rate_l3,mean_rate\n\
             none,0e0,1,0.900000,1.000000,0.500000,0.600000,0.700000,0.600000\n"
        );
        let sum = String::from_utf8(summary_csv(&curves, 3).unwrap()).unwrap();
        let lines: Vec<&str> = sum.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            "curve,strength,seeds,acc_mean_pct,acc_std_pct,rate_l1_mean,rate_l1_std,rate_l2_mean,\
             rate_l2_std,rate_l3_mean,rate_l3_std,mean_rate_mean,mean_rate_std"
        );
        // mssr sorts before none; rates 0.2 and 0.3: mean 0.25, sd sqrt(0.005) = 0.07071.
        assert!(
            lines[1].starts_with("mssr,1e-3,2,89.000,0.000,0.25000,0.07071,"),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn a_unit_is_finished_when_its_metrics_reach_the_planned_epochs() {
        let dir = tempfile::tempdir().unwrap();
        let mut plan = sweep(SWEEP).unwrap().plan(dir.path()).unwrap();
        let unit = &mut plan.units[0];
        unit.cfg.train.epochs = 2;
        assert_eq!(unit.finished().unwrap(), None, "no metrics yet");
        let mut m = EpochMetrics {
            epoch: 1,
            loss: 0.5,
            train_accuracy: 0.8,
            test_accuracy: 0.75,
            rates: vec![0.25, 0.125, 0.5],
            mean_rate: 0.291667,
            train_seconds: 2.0,
            seconds: 2.5,
            train_samples: 100,
        };
        std::fs::create_dir_all(unit.dir.root()).unwrap();
        unit.dir.append_metrics(&(&m).into()).unwrap();
        assert_eq!(unit.finished().unwrap(), None, "one epoch of two");
        m.epoch = 2;
        unit.dir.append_metrics(&(&m).into()).unwrap();
        let r = unit.finished().unwrap().expect("finished");
        assert_eq!(
            (r.test_acc, r.rates.clone()),
            (0.75, vec![0.25, 0.125, 0.5])
        );
        assert_eq!(r, unit.result(&m));
    }
}
