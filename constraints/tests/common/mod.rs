//! Shared by the integration tests: snapshot comparison and fixture reading.

use std::path::{Path, PathBuf};

fn test_path(folder: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(folder)
        .join(name)
}

/// A captured tool report from `tests/fixtures/`.
#[allow(dead_code)]
pub fn fixture(name: &str) -> String {
    let path = test_path("fixtures", name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Compares `got` with `tests/snapshots/NAME`; with `UPDATE_SNAPSHOTS` set, writes it instead.
pub fn snapshot(name: &str, got: &str) {
    let path = test_path("snapshots", name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        golden::io::write_atomic(&path, got.as_bytes()).expect("write the snapshot");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (create it with UPDATE_SNAPSHOTS=1 cargo test -p constraints)",
            path.display()
        )
    });
    if want != got {
        let line = want
            .lines()
            .zip(got.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(got.lines().count()));
        panic!(
            "{} differs from the generated text at line {}:\n  want: {:?}\n  got:  {:?}\n\
             (re-bless with UPDATE_SNAPSHOTS=1 if intended)",
            path.display(),
            line + 1,
            want.lines().nth(line),
            got.lines().nth(line)
        );
    }
}
