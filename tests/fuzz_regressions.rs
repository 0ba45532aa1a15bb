//! The fuzz targets' entries (`fuzz/src/lib.rs`, included here) on every kept crash input
//! (`fuzz/regressions/<target>/`) and every committed seed (`fuzz/corpus/<target>/`): each input
//! returns, never panics. The seeds the fixtures cannot give as files (small model files, a
//! checkpoint, IDX files) are written by this test with `FUZZ_BLESS=1`; without it the test checks
//! that the committed seeds still equal what the code writes, so they stay valid inputs.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod entries;

use std::path::{Path, PathBuf};

type Entry = fn(&[u8]);

const TARGETS: &[(&str, Entry)] = &[
    ("model", entries::model),
    ("train_config", entries::train_config),
    ("sweep_config", entries::sweep_config),
    ("checkpoint", entries::checkpoint),
    ("idx", entries::idx),
    ("vcd", entries::vcd),
    ("event_log", entries::event_log),
    ("manifest", entries::manifest),
    ("metrics_csv", entries::metrics_csv),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.is_file() && !p.ends_with(".gitkeep"));
    v.sort();
    v
}

#[test]
fn every_kept_crash_input_and_seed_is_handled_without_a_panic() {
    let mut seeds = 0;
    for (name, entry) in TARGETS {
        let corpus = files(&fuzz_dir().join("corpus").join(name));
        assert!(!corpus.is_empty(), "fuzz/corpus/{name}/ has no seed");
        seeds += corpus.len();
        for f in corpus
            .iter()
            .chain(&files(&fuzz_dir().join("regressions").join(name)))
        {
            let bytes = std::fs::read(f).unwrap();
            let r = std::panic::catch_unwind(|| entry(&bytes));
            assert!(r.is_ok(), "{name} panicked on {}", f.display());
        }
    }
    assert!(seeds >= 2 * TARGETS.len(), "{seeds} seeds");
}

/// The generated seeds: name in its target's corpus -> bytes.
fn generated() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    use golden::{FloatNetwork, TimeParams};
    let float =
        FloatNetwork::random_init(&[4, 3, 2], TimeParams::default(), &[4.0, 4.0], 1.0, 3).unwrap();
    let quant = testkit::fixtures::tiny_net();
    let text = include_str!("../configs/tiny.toml").replace("[784, 100, 10]", "[4, 3, 2]");
    let cfg = trainer::TrainConfig::from_toml_str(&text, Path::new("tiny.toml")).unwrap();
    let tr = trainer::Trainer::new(cfg).unwrap();
    let data = golden::idx::Dataset::new((0..32).collect(), vec![1, 7], 4, 4).unwrap();
    let images = golden::idx::images_to_idx(&data);
    let labels = golden::idx::labels_to_idx(&data);
    vec![
        (
            "model",
            "float-4-3-2.safetensors",
            golden::io::float_to_bytes(&float).unwrap(),
        ),
        (
            "model",
            "quant-tiny.safetensors",
            golden::io::quant_to_bytes(&quant).unwrap(),
        ),
        (
            "checkpoint",
            "tiny-4-3-2.safetensors",
            trainer::checkpoint::to_bytes(&tr).unwrap(),
        ),
        ("idx", "images-idx3-ubyte", images.clone()),
        ("idx", "labels-idx1-ubyte", labels),
        ("idx", "images-idx3-ubyte.gz", golden::idx::gzip(&images)),
    ]
}

#[test]
fn generated_seeds_are_committed_and_current() {
    let bless = std::env::var_os("FUZZ_BLESS").is_some();
    for (target, name, bytes) in generated() {
        let path = fuzz_dir().join("corpus").join(target).join(name);
        if bless {
            golden::io::write_atomic(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (FUZZ_BLESS=1 writes it)", path.display()));
        assert!(
            committed == bytes,
            "{} is stale: FUZZ_BLESS=1 rewrites it",
            path.display()
        );
    }
}
