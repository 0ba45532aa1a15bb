//! The embedded data set `data/mnist-small`: the first 2,000 training and first 500 test digits of
//! the MNIST subset `../shared/data/mnist-10k`, gzipped IDX with the standard names.
//!
//! `TTFS_BLESS=1 cargo test -p golden --test mnist_small` (re)writes it from the source; without
//! the variable the test checks that the committed files hold exactly the first N records of the
//! source (when the source is present) and that the data set itself is sane (always).

use golden::idx::{self, Split};
use std::path::{Path, PathBuf};

const N_TRAIN: usize = 2000;
const N_TEST: usize = 500;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn embedded() -> PathBuf {
    repo().join("data/mnist-small")
}

fn source() -> PathBuf {
    std::env::var_os("TTFS_MNIST_10K")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/data/mnist-10k"))
}

fn split_sizes() -> [(Split, usize); 2] {
    [(Split::Train, N_TRAIN), (Split::Test, N_TEST)]
}

#[test]
fn embedded_equals_first_records_of_source() {
    let src = source();
    if !src.join("train-images-idx3-ubyte.gz").is_file() {
        eprintln!("skipped: source {} not present", src.display());
        return;
    }
    let bless = std::env::var_os("TTFS_BLESS").is_some();
    for (split, n) in split_sizes() {
        let full = idx::load_split(&src, split).unwrap();
        assert!(
            full.len() >= n,
            "source {split} has only {} samples",
            full.len()
        );
        let want = full.take(n);
        if bless {
            idx::write_split(&embedded(), split, &want, true).unwrap();
        }
        let got = idx::load_split(&embedded(), split).unwrap();
        assert_eq!(
            got, want,
            "data/mnist-small {split} differs from the first {n} source records"
        );
    }
}

#[test]
fn embedded_is_complete_and_balanced() {
    for (split, n) in split_sizes() {
        let d = idx::load_split(&embedded(), split).unwrap();
        assert_eq!((d.len(), d.rows, d.cols), (n, 28, 28), "{split}");
        let counts = d.class_counts();
        // Ten classes of n/10 each would be perfectly balanced; require every class within
        // [0.5, 1.5] of that (MNIST itself ranges from 9.0% to 11.2% per class).
        for (c, &k) in counts.iter().enumerate() {
            assert!(
                k * 20 >= n && k * 20 <= 3 * n,
                "{split}: class {c} has {k} of {n} samples ({counts:?})"
            );
        }
        // Real digits: mostly background, some ink in every image.
        for i in 0..d.len() {
            let ink = d.image(i).iter().filter(|&&p| p > 0).count();
            assert!(
                (20..500).contains(&ink),
                "{split} sample {i}: {ink} nonzero pixels"
            );
        }
    }
}
