//! Shared helpers of the subcommands: locating data sets and models, checking that they fit together,
//! and parsing sample selections. Every error names the file or flag at fault.

use anyhow::{bail, Context, Result};
use golden::idx::{self, Dataset, Split};
use golden::io::Model;
use std::path::{Path, PathBuf};

/// The embedded default data set (2,000 training and 500 test MNIST digits, `data/mnist-small`),
/// compiled into the binary so that a copied or installed `ttfs` keeps it.
const EMBEDDED: [(&str, &[u8]); 4] = [
    (
        "train-images-idx3-ubyte.gz",
        include_bytes!("../../data/mnist-small/train-images-idx3-ubyte.gz"),
    ),
    (
        "train-labels-idx1-ubyte.gz",
        include_bytes!("../../data/mnist-small/train-labels-idx1-ubyte.gz"),
    ),
    (
        "t10k-images-idx3-ubyte.gz",
        include_bytes!("../../data/mnist-small/t10k-images-idx3-ubyte.gz"),
    ),
    (
        "t10k-labels-idx1-ubyte.gz",
        include_bytes!("../../data/mnist-small/t10k-labels-idx1-ubyte.gz"),
    ),
];

/// The folder holding the embedded data set: written once from the binary into the user's cache
/// (`$XDG_CACHE_HOME` or `~/.cache`, else the temporary folder) as
/// `ttfs/mnist-small-<version>`, and rewritten when a file is missing or of another size. Every
/// reader of IDX folders can then read it like any other folder.
pub fn default_data_dir() -> Result<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    let dir = cache
        .join("ttfs")
        .join(concat!("mnist-small-", env!("CARGO_PKG_VERSION")));
    for (name, bytes) in EMBEDDED {
        let path = dir.join(name);
        let same = std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64);
        if !same {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("creating {} for the embedded data", dir.display()))?;
            golden::io::write_atomic(&path, bytes)?;
        }
    }
    Ok(dir)
}

/// The data set a model file says it was trained on, located on this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrainedOn {
    /// `mnist` or `fashion`.
    pub kind: String,
    /// The path as the file records it.
    pub recorded: String,
    /// The first candidate folder that exists, if any.
    pub found: Option<PathBuf>,
    /// Every folder tried, in order (for the error when none exists).
    pub tried: Vec<PathBuf>,
}

/// What `model`'s metadata records about its training data: the `data.kind` / `data.path` keys
/// (written by `ttfs train` and carried by `ttfs quantize`; the path relative to the model's
/// folder), else the `[data]` table of the `trainer.config` copy of older files (its path relative
/// to the working directory it was trained from). `None` when the file records neither.
pub fn trained_on(model: &Path) -> Result<Option<TrainedOn>> {
    golden::io::check_is_file(model)?;
    let bytes =
        std::fs::read(model).with_context(|| format!("reading model {}", model.display()))?;
    let meta = golden::io::read_metadata(&bytes, model)?;
    let model_dir = model.parent().unwrap_or(Path::new(".")).to_path_buf();
    let (kind, recorded, relative_to_model) = match (
        meta.get(trainer::run_dir::DATA_KIND_KEY),
        meta.get(trainer::run_dir::DATA_PATH_KEY),
    ) {
        (Some(k), Some(p)) => (k.clone(), p.clone(), true),
        _ => {
            let Some(cfg) = meta.get("trainer.config") else {
                return Ok(None);
            };
            let Ok(v) = cfg.parse::<toml::Table>() else {
                return Ok(None);
            };
            let data = v.get("data").and_then(|d| d.as_table());
            let get = |k: &str| data.and_then(|d| d.get(k)).and_then(|x| x.as_str());
            match (get("kind"), get("path")) {
                (Some(k), Some(p)) => (k.to_string(), p.to_string(), false),
                _ => return Ok(None),
            }
        }
    };
    let p = PathBuf::from(&recorded);
    let mut tried = if p.is_absolute() {
        vec![p.clone()]
    } else if relative_to_model {
        vec![model_dir.join(&p)]
    } else {
        vec![p.clone(), model_dir.join(&p)]
    };
    if let Some(root) = std::env::var_os(trainer::config::DATA_ROOT_ENV).filter(|r| !r.is_empty()) {
        let root = PathBuf::from(root);
        if !p.is_absolute() {
            tried.push(root.join(&p));
        }
        if let Some(name) = p.file_name() {
            tried.push(root.join(name));
        }
    }
    // The embedded subset is found by its name wherever the file was trained.
    if kind == "mnist" && p.file_name().is_some_and(|n| n == "mnist-small") {
        tried.push(default_data_dir()?);
    }
    let found = tried.iter().find(|d| d.is_dir()).cloned();
    Ok(Some(TrainedOn {
        kind,
        recorded,
        found,
        tried,
    }))
}

/// The data folder a command that evaluates `model` uses: `--data` if given, else the data set
/// the model was trained on, else — for a file that records none — the embedded MNIST subset;
/// the choice is said on stdout (`data: ...`, before the command's own output); a command whose
/// stdout is a table calls [`choose_data`] and says it on stderr once it succeeded. A recorded data set that is not on
/// this machine is an error that names every folder tried and the flag to pass.
pub fn data_for(flag: Option<&Path>, model: &Path) -> Result<PathBuf> {
    let (dir, why) = choose_data(flag, model)?;
    if let Some(why) = why {
        outln!("data: {why}");
    }
    Ok(dir)
}

/// [`data_for`]'s choice and, unless `--data` chose, why (`data: <why>` is what to say).
pub fn choose_data(flag: Option<&Path>, model: &Path) -> Result<(PathBuf, Option<String>)> {
    if let Some(d) = flag {
        return Ok((d.to_path_buf(), None));
    }
    match trained_on(model)? {
        Some(TrainedOn {
            found: Some(d),
            kind,
            ..
        }) => {
            let why = format!(
                "{} (the {kind} data set {} was trained on; --data DIR to choose another)",
                d.display(),
                model.display()
            );
            Ok((d, Some(why)))
        }
        Some(t) => bail!(
            "{} was trained on the {} data set at {:?}, which is not here (tried {}); pass --data DIR",
            model.display(),
            t.kind,
            t.recorded,
            t.tried
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => {
            let d = default_data_dir()?;
            let why = format!(
                "{} (the embedded MNIST subset: {} records no training data; --data DIR to choose)",
                d.display(),
                model.display()
            );
            Ok((d, Some(why)))
        }
    }
}

/// Metadata naming the training data of `float_model` for a file written to `out` (the path made
/// relative to `out`'s folder), or nothing when the source records none or it is not here; and its
/// input downsampling (`data.downsample`) whenever it records one.
pub fn carried_data_meta(
    float_model: &Path,
    out: &Path,
) -> Result<std::collections::BTreeMap<String, String>> {
    let mut meta = std::collections::BTreeMap::new();
    let factor = model_downsample(float_model)?;
    if factor > 1 {
        meta.insert(idx::DOWNSAMPLE_KEY.to_string(), factor.to_string());
    }
    if let Some(TrainedOn {
        kind,
        found: Some(d),
        ..
    }) = trained_on(float_model)?
    {
        let out_dir = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let rel = trainer::run_dir::relative_to(&d, &out_dir);
        meta.insert(trainer::run_dir::DATA_KIND_KEY.to_string(), kind);
        meta.insert(
            trainer::run_dir::DATA_PATH_KEY.to_string(),
            rel.to_string_lossy().into_owned(),
        );
    }
    Ok(meta)
}

/// `--threads`, shared by the commands that compute over a data set.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ThreadArgs {
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

impl ThreadArgs {
    /// Builds the global rayon pool once (later calls keep the first pool).
    pub fn apply(&self) -> Result<()> {
        if let Some(n) = self.threads {
            if n == 0 {
                bail!("--threads must be >= 1");
            }
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build_global();
        }
        Ok(())
    }
}

/// `out/<stem of config>` (or `out/<fallback>` when the path has no stem): where a command writes
/// when no `--out` is given.
pub fn default_out(config: &Path, fallback: &str) -> PathBuf {
    PathBuf::from("out").join(
        config
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| fallback.into()),
    )
}

/// `--split` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SplitArg {
    Train,
    Test,
}

impl From<SplitArg> for Split {
    fn from(s: SplitArg) -> Split {
        match s {
            SplitArg::Train => Split::Train,
            SplitArg::Test => Split::Test,
        }
    }
}

/// The input downsampling factor `model`'s metadata records (`data.downsample`, written by the
/// trainer for a config with `[data] downsample`, carried by `quantize`); 1 when it records none.
pub fn model_downsample(model: &Path) -> Result<usize> {
    let bytes =
        std::fs::read(model).with_context(|| format!("reading model {}", model.display()))?;
    let meta = golden::io::read_metadata(&bytes, model)?;
    idx::downsample_of(&meta).with_context(|| format!("model {}", model.display()))
}

/// Loads a split the way `model` sees its inputs: the one place every command that evaluates a
/// model (evaluate, qeval, dump-spikes, wave, cosim, board, run, synth's latency) reads data, so
/// the downsampling a model was trained with is applied everywhere or nowhere.
pub fn load_split_for(model: &Path, dir: &Path, split: Split) -> Result<Dataset> {
    let factor = model_downsample(model)?;
    let data = idx::load_split(dir, split)
        .with_context(|| format!("loading the {split} split of {}", dir.display()))?;
    data.downsample(factor).with_context(|| {
        format!(
            "downsampling {} by {factor} (recorded in {})",
            dir.display(),
            model.display()
        )
    })
}

/// Loads a split for `model` ([`load_split_for`]), optionally truncated to its first `limit`
/// samples (`--samples N`: at least 1, at most what the split holds, else an error naming the
/// folder).
pub fn load_data(
    model: &Path,
    dir: &Path,
    split: SplitArg,
    limit: Option<usize>,
) -> Result<Dataset> {
    let data = load_split_for(model, dir, split.into())?;
    match limit {
        Some(n) => first_samples(data, n, dir),
        None => Ok(data),
    }
}

/// The first `n` samples of `data` (read from `dir`): `--samples N`, refused when 0 or more than
/// it holds (never capped silently).
pub fn first_samples(data: Dataset, n: usize, dir: &Path) -> Result<Dataset> {
    if n == 0 {
        bail!("--samples must be at least 1");
    }
    if n > data.len() {
        bail!(
            "--samples {n}: {} holds only {} samples in this split",
            dir.display(),
            data.len()
        );
    }
    Ok(data.take(n))
}

/// Loads a float or quantized model file.
pub fn load_model(path: &Path) -> Result<Model> {
    golden::io::load_model(path).with_context(|| format!("loading model {}", path.display()))
}

/// Checks that the data's image size equals the network's input size.
pub fn check_fit(data: &Dataset, n_inputs: usize, model: &Path, data_dir: &Path) -> Result<()> {
    if data.pixels() != n_inputs {
        bail!(
            "model {} expects {} inputs but the images in {} have {} pixels ({}x{})",
            model.display(),
            n_inputs,
            data_dir.display(),
            data.pixels(),
            data.rows,
            data.cols
        );
    }
    Ok(())
}

/// Parses a sample selection such as `0,3,10-12` into sorted, distinct indices below `len`.
pub fn parse_samples(spec: &str, len: usize) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (part, part),
        };
        let a: usize = a
            .parse()
            .with_context(|| format!("--samples: '{part}' is not an index or a range a-b"))?;
        let b: usize = b
            .parse()
            .with_context(|| format!("--samples: '{part}' is not an index or a range a-b"))?;
        if a > b {
            bail!("--samples: range '{part}' is empty (start > end)");
        }
        if b >= len {
            bail!(
                "--samples: index {b} is out of range: the data set has {len} samples (indices 0 to {})",
                len.saturating_sub(1)
            );
        }
        out.extend(a..=b);
    }
    if out.is_empty() {
        bail!("--samples: no sample selected");
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Parses one index or an inclusive range `A-B` (the syntax of [`parse_samples`], contiguous) into
/// the half-open range of sample indices below `len`; `flag` names the option in errors.
pub fn parse_window(flag: &str, spec: &str, len: usize) -> Result<std::ops::Range<usize>> {
    let picked = parse_samples(spec, len)
        .map_err(|e| anyhow::anyhow!("{}", e.to_string().replacen("--samples", flag, 1)))?;
    let (first, last) = (picked[0], picked[picked.len() - 1]);
    if last - first + 1 != picked.len() {
        bail!("{flag} {spec}: one index or one range A-B (inclusive), not a list");
    }
    Ok(first..last + 1)
}

/// Says on stderr that `old` is a deprecated spelling of `new` (accepted for one release).
pub fn deprecated(old: &str, new: &str) {
    eprintln!("warning: {old} is deprecated (accepted for one release): use {new}");
}

/// `--samples N`: how many samples (the first N of the split), the one meaning of `--samples` in
/// every command; `--limit N` is its deprecated spelling in `evaluate` and `qeval`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CountArgs {
    /// Use only the first N samples of the split (default: all).
    #[arg(long, value_name = "N")]
    pub samples: Option<usize>,
    /// Deprecated spelling of --samples N.
    #[arg(long, hide = true, conflicts_with = "samples")]
    pub limit: Option<usize>,
}

impl CountArgs {
    /// The count asked for (warning about `--limit`), `None` for every sample.
    pub fn get(&self) -> Option<usize> {
        if let Some(n) = self.limit {
            deprecated(&format!("--limit {n}"), &format!("--samples {n}"));
        }
        self.samples.or(self.limit)
    }
}

/// A choice of samples by index: `--sample-list 0,5,10-19` (indices and inclusive ranges).
/// Default: sample 0. `--samples LIST` is the old spelling in `wave` and `dump-spikes`: accepted
/// for one release with its old meaning (indices, so no script silently changes what it selects)
/// and a warning; `--samples N` is a count (the first N) in every other command and will be here.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct SelectionArgs {
    /// Samples by index: a list of indices and inclusive ranges, e.g. `0,5,10-19` (default: 0).
    #[arg(long, value_name = "LIST")]
    pub sample_list: Option<String>,
    /// Deprecated spelling of --sample-list here (--samples N is a count in the other commands).
    #[arg(long, hide = true, conflicts_with = "sample_list")]
    pub samples: Option<String>,
}

impl SelectionArgs {
    /// Sorted, distinct indices below `len`.
    pub fn resolve(&self, len: usize) -> Result<Vec<usize>> {
        if let Some(s) = &self.samples {
            deprecated(
                &format!("--samples {s} (indices here, a count in every other command)"),
                &format!("--sample-list {s}"),
            );
        }
        let spec = self
            .sample_list
            .as_deref()
            .or(self.samples.as_deref())
            .unwrap_or("0");
        parse_samples(spec, len).map_err(|e| {
            anyhow::anyhow!(
                "{}",
                e.to_string().replacen("--samples", "--sample-list", 1)
            )
        })
    }
}

/// Writes `value` as pretty JSON to `path` (atomically) and says so on stderr.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    golden::io::write_atomic(path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_lists_and_ranges() {
        assert_eq!(parse_samples("3,0-2,2", 10).unwrap(), vec![0, 1, 2, 3]);
        assert!(parse_samples("10", 10).is_err());
        assert!(parse_samples("5-3", 10).is_err());
        assert!(parse_samples("x", 10).is_err());
        assert!(parse_samples("", 10).is_err());
        let e = parse_samples("10", 10).unwrap_err().to_string();
        assert!(e.contains("indices 0 to 9") && !e.contains("..="), "{e}");
    }

    #[test]
    fn selections_by_list_old_spelling_keeps_its_meaning() {
        let s = |n: Option<&str>, l: Option<&str>| SelectionArgs {
            samples: n.map(String::from),
            sample_list: l.map(String::from),
        };
        assert_eq!(s(None, None).resolve(10).unwrap(), vec![0]);
        assert_eq!(s(None, Some("5,7-8")).resolve(10).unwrap(), vec![5, 7, 8]);
        assert_eq!(s(Some("3"), None).resolve(10).unwrap(), vec![3]);
        let e = s(None, Some("12")).resolve(10).unwrap_err().to_string();
        assert!(e.starts_with("--sample-list: index 12"), "{e}");
    }

    #[test]
    fn windows_are_inclusive_and_contiguous() {
        assert_eq!(parse_window("--w", "0-2", 10).unwrap(), 0..3);
        assert_eq!(parse_window("--w", "4", 10).unwrap(), 4..5);
        assert!(parse_window("--w", "0,2", 10).is_err());
        let e = parse_window("--w", "3-10", 10).unwrap_err().to_string();
        assert!(e.starts_with("--w: index 10"), "{e}");
    }
}
