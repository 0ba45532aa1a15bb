//! The entry of every fuzz target: one function per parser of user input, taking arbitrary bytes.
//! Each must return (never panic, abort, hang or allocate without bound) for any input. The fuzz
//! targets (`fuzz_targets/<name>.rs`) call these; `tests/fuzz_regressions.rs` of the `ttfs` package
//! includes this file and runs every kept crash input (`fuzz/regressions/<name>/`) through them.

use golden::SpikeTrain;
use std::path::Path;
use std::sync::OnceLock;

/// Model files (safetensors + metadata): either kind, and the metadata alone.
pub fn model(data: &[u8]) {
    let origin = Path::new("fuzz.safetensors");
    let _ = golden::io::model_from_bytes(data, origin);
    let _ = golden::io::read_metadata(data, origin);
}

/// Training configs (TOML): parse and validate; a valid config also names its data candidates.
pub fn train_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let origin = Path::new("fuzz/train.toml");
    if let Ok(cfg) = trainer::TrainConfig::from_toml_str(text, origin) {
        let _ = cfg.data_candidates(origin);
        let _ = cfg.gammas();
        let _ = cfg.to_toml_string();
    }
}

/// Sweep files (TOML): parse and validate.
pub fn sweep_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cfg) = trainer::sweep::SweepConfig::from_toml_str(text, Path::new("fuzz/sweep.toml"))
    {
        for c in &cfg.curve {
            let _ = c.label();
        }
    }
}

fn config() -> &'static trainer::TrainConfig {
    static CFG: OnceLock<trainer::TrainConfig> = OnceLock::new();
    CFG.get_or_init(|| {
        let text = include_str!("../../configs/tiny.toml")
            .replace("sizes = [784, 100, 10]", "sizes = [4, 3, 2]");
        trainer::TrainConfig::from_toml_str(&text, Path::new("configs/tiny.toml"))
            .expect("the committed tiny config is valid")
    })
}

/// Checkpoints (safetensors + JSON state) resumed under the committed tiny config, shrunk so a
/// valid checkpoint is small.
pub fn checkpoint(data: &[u8]) {
    let _ =
        trainer::checkpoint::from_bytes(data, Path::new("fuzz/checkpoint.safetensors"), config());
}

/// IDX data files (images and labels), plain or gzipped.
pub fn idx(data: &[u8]) {
    let origin = Path::new("fuzz-idx-ubyte");
    let Ok(bytes) = golden::idx::maybe_gunzip(data.to_vec(), origin) else {
        return;
    };
    let _ = golden::idx::parse_images(&bytes, origin);
    let _ = golden::idx::parse_labels(&bytes, origin);
}

/// Co-simulation VCDs of `ttfs_top` (sim::vcd_read), for the reference design's sizes.
pub fn vcd(data: &[u8]) {
    let _ = sim::vcd_read::read_vcd_from(data, Path::new("fuzz.vcd"), &[6, 4, 3], 12, 4);
}

/// The bench's event log, read back after a simulation (sim::events).
pub fn event_log(data: &[u8]) {
    let _ = sim::events::read_event_log_from(data, Path::new("fuzz.log"), &[6, 4, 3], 12, 4);
}

/// Design manifests (manifest.json): parse and validate, then everything sim and wave compute from
/// a loaded manifest (cycle bounds for a silent and a busy sample).
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(m) = hdl::Manifest::from_json(text, Path::new("fuzz/manifest.json")) else {
        return;
    };
    // The exact cycle model replays every (step, group) of a sample: its cost is the simulated
    // cycles', legitimately large for a large design; the fuzz run skips the costly ones (not a
    // parser's bound).
    let work: u64 = m
        .layers
        .iter()
        .map(|l| l.groups as u64 * (m.n_steps as u64 + 1))
        .sum();
    if work > 1 << 22 {
        return;
    }
    let _ = m.cycle_upper_bound();
    let silent = SpikeTrain::new(m.sizes.iter().map(|&n| vec![None; n]).collect());
    let _ = m.expected_cycles(&silent);
    let _ = m.cycle_bound_parts(&silent);
    let busy = SpikeTrain::new(m.sizes.iter().map(|&n| vec![Some(0); n]).collect());
    let _ = m.expected_cycles(&busy);
    let _ = m.to_json();
}

/// CSV files read back: a run's metrics.csv (golden::table + trainer::run_dir).
pub fn metrics_csv(data: &[u8]) {
    let origin = Path::new("fuzz/metrics.csv");
    let _ = trainer::run_dir::parse_metrics(data, origin, 1);
    let _ = trainer::run_dir::parse_metrics(data, origin, 2);
}
