//! `trainer`: learns float TTFS weights with exact spike-time gradients and the sparse-firing
//! regularizers of SPEC section 3, and hands back golden's [`golden::FloatNetwork`].
//!
//! * [`config`] — the TOML run description ([`TrainConfig`]) and its validation;
//! * [`backprop`] — one sample's forward pass (golden's exact semantics), objective and gradient;
//! * [`train`] — mini-batch Adam over rayon, deterministic for any thread count ([`Trainer`]);
//! * [`checkpoint`] — atomic save / bit-exact resume;
//! * [`run_dir`] — a run's output folder (model, config copy, `metrics.csv`, checkpoint) and the loop
//!   over epochs that fills it ([`run_dir::train_into`]);
//! * [`sweep`] — sweep files, their plan of independent training units, and the trade-off tables.
//!
//! No terminal output and no clap here: progress goes through a callback, files through explicit calls.
//!
//! ```
//! use trainer::{TrainConfig, Trainer};
//! use golden::idx::Dataset;
//! let toml = r#"
//! [data]
//! kind = "mnist"
//! path = "unused-here"
//! [network]
//! sizes = [4, 3, 2]
//! init_mu = [4.0, 4.0]
//! [train]
//! epochs = 1
//! batch = 2
//! "#;
//! let cfg = TrainConfig::from_toml_str(toml, "inline".as_ref()).unwrap();
//! let data = Dataset::new(vec![255, 128, 0, 30, 10, 200, 90, 0], vec![0, 1], 2, 2).unwrap();
//! let mut tr = Trainer::new(cfg).unwrap();
//! let outcome = tr.train_epoch(&data, &data, &mut |_| true).unwrap();
//! assert!(matches!(outcome, trainer::EpochOutcome::Finished(_)));
//! assert!(tr.is_done());
//! ```

pub mod backprop;
pub mod checkpoint;
pub mod config;
pub mod error;
pub mod run_dir;
pub mod sweep;
pub mod train;

pub use config::{
    DataConfig, DataKind, NetworkConfig, OptimConfig, RegConfig, RegKind, TrainConfig,
};
pub use error::{Result, TrainError};
/// Test-set accuracy and firing rates: golden's exact pass over a data set (`golden::eval`).
pub use golden::eval::{eval_exact as evaluate, EvalResult as Evaluation};
pub use run_dir::{train_into, RunDir, RunObserver, RunSummary};
pub use train::{
    AdamState, BatchProgress, EpochMetrics, EpochOutcome, Position, Trainer, MAX_ADAM_STEP,
    SAMPLES_PER_CHUNK,
};
