//! Shared helpers of the subcommands: locating data sets and models, checking that they fit together,
//! and parsing sample selections. Every error names the file or flag at fault.

use anyhow::{bail, Context, Result};
use golden::idx::{self, Dataset, Split};
use golden::io::Model;
use std::path::{Path, PathBuf};

/// The embedded default data set: 2,000 training and 500 test MNIST digits committed in the repository.
pub fn default_data_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist-small"))
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

/// Loads a split, optionally truncated to its first `limit` samples.
pub fn load_data(dir: &Path, split: SplitArg, limit: Option<usize>) -> Result<Dataset> {
    let mut data = idx::load_split(dir, split.into())
        .with_context(|| format!("loading data from {}", dir.display()))?;
    if let Some(n) = limit {
        if n == 0 {
            bail!("--limit must be at least 1");
        }
        data = data.take(n);
    }
    Ok(data)
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
                "--samples: index {b} is out of range: the data set has {len} samples (0..={})",
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
