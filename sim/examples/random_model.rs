//! Writes a SPEC section 2 initialised (untrained) float model, for co-simulation benchmarks before a
//! trained model exists:
//!
//!     cargo run --release -p sim --example random_model -- OUT.safetensors [784,400,10] [seed]
//!
//! Weights ~ Normal(4 / n_in, 1 / n_in) per layer; T_in = 1, T_max = 3.

use golden::{FloatNetwork, TimeParams};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first().map(PathBuf::from) else {
        eprintln!("usage: random_model OUT.safetensors [sizes, e.g. 784,400,10] [seed]");
        return ExitCode::FAILURE;
    };
    let sizes: Result<Vec<usize>, _> = args
        .get(1)
        .map_or("784,400,10", |s| s.as_str())
        .split(',')
        .map(|s| s.trim().parse())
        .collect();
    let Ok(sizes) = sizes else {
        eprintln!("sizes must be a comma list of integers");
        return ExitCode::FAILURE;
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let mu = vec![4.0; sizes.len().saturating_sub(1)];
    let result = FloatNetwork::random_init(&sizes, TimeParams::default(), &mu, 1.0, seed)
        .and_then(|net| golden::io::save_float(&out, &net));
    match result {
        Ok(()) => {
            println!("wrote {} ({sizes:?}, seed {seed})", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
