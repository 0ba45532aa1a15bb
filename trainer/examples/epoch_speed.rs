//! Training speed of one epoch: `cargo run -p trainer --release --example epoch_speed -- CONFIG [LIMIT]`.
//! Prints samples per second of the training part (no test evaluation beyond 1 sample).

use golden::idx::{load_split, Split};
use std::path::Path;
use trainer::{EpochOutcome, TrainConfig, Trainer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let cfg_path = args
        .get(1)
        .ok_or("usage: epoch_speed CONFIG [TRAIN_LIMIT]")?;
    let cfg = TrainConfig::load(Path::new(cfg_path))?;
    let mut train = load_split(Path::new(&cfg.data.path), Split::Train)?;
    if let Some(n) = args.get(2) {
        train = train.take(n.parse()?);
    }
    let test = load_split(Path::new(&cfg.data.path), Split::Test)?.take(1);
    let mut tr = Trainer::new(cfg)?;
    if let EpochOutcome::Finished(m) = tr.train_epoch(&train, &test, &mut |_| true)? {
        println!(
            "{} samples in {:.2} s: {:.0} samples/s, loss {:.4}, train acc {:.4}",
            m.train_samples,
            m.train_seconds,
            m.train_samples as f64 / m.train_seconds,
            m.loss,
            m.train_accuracy
        );
    }
    Ok(())
}
