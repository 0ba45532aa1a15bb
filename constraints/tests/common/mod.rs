//! Local to constraints' integration tests: where their fixtures and snapshots live (the snapshot
//! comparison itself is `testkit::snapshot`).

use std::path::{Path, PathBuf};

fn test_dir(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(folder)
}

/// A captured tool report from `tests/fixtures/`.
#[allow(dead_code)]
pub fn fixture(name: &str) -> String {
    let path = test_dir("fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Compares `got` with `tests/snapshots/NAME`; with `UPDATE_SNAPSHOTS` set, writes it instead.
pub fn snapshot(name: &str, got: &str) {
    testkit::snapshot(&test_dir("snapshots"), name, got);
}
