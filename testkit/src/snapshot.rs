//! Snapshot tests: generated text compared with a committed file.

use std::path::Path;

/// Compares `got` with the file `dir/name`; with `UPDATE_SNAPSHOTS` set, writes it instead (through
/// `golden::io::write_atomic`). A difference names the file, the first differing line and both
/// versions of it. `dir` is usually `Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")`.
pub fn snapshot(dir: &Path, name: &str, got: &str) {
    let path = dir.join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        golden::io::write_atomic(&path, got.as_bytes())
            .unwrap_or_else(|e| panic!("writing the snapshot {}: {e}", path.display()));
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (create it with UPDATE_SNAPSHOTS=1 cargo test)",
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
