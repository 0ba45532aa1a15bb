//! Dev-only test support shared by the workspace's integration tests (never a dependency of a
//! library or the binary; `publish = false`).
//!
//! Owns: the seeded generators and random networks the tests draw ([`rng`], [`nets`], [`inputs`]),
//! the tiny hand-checkable fixtures ([`fixtures`]), sim's behavioural reference model of `ttfs_top`
//! with its design writer ([`reference`]), the snapshot comparison ([`snapshot`]) and the helpers that
//! run the `ttfs` binary ([`cli`]).
//!
//! Invariant: a seed gives the same network and inputs as the per-test copies these helpers replaced
//! (same generator, same order of draws), so every test still checks what it checked before.
//!
//! Panics are the point here: a helper that cannot do its job fails the calling test with the path or
//! value that went wrong.

pub mod cli;
pub mod fixtures;
pub mod inputs;
pub mod nets;
pub mod reference;
pub mod rng;
pub mod snapshot;

pub use rng::Rng;
pub use snapshot::snapshot;

/// Writes a generated design into `dir` (`hdl::write_design`) and loads it for sim.
pub fn load_generated(design: &hdl::Design, dir: &std::path::Path) -> sim::Design {
    hdl::write_design(design, dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    sim::Design::load(dir).unwrap_or_else(|e| panic!("{e}"))
}

/// golden's integer inference of every sample (the expected side of a co-simulation).
pub fn golden_runs(
    net: &golden::QuantNetwork,
    inputs: &[Vec<Option<u32>>],
) -> Vec<golden::integer::IntInference> {
    let runner = golden::integer::IntegerRunner::new(net);
    inputs.iter().map(|x| runner.run(x)).collect()
}
