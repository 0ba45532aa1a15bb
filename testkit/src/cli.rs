//! Running the `ttfs` binary from a test. Only the root package's tests know the binary's path
//! (`env!("CARGO_BIN_EXE_ttfs")`), so the caller hands it in; `TTFS_BIN=/path/to/ttfs` runs the
//! tests against another build.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The root package's `ttfs` binary, run in the root package's folder: `testkit::ttfs!()` in a test
/// of the root package (the `env!`s expand there, where Cargo sets them).
#[macro_export]
macro_rules! ttfs {
    () => {
        $crate::cli::Ttfs::new(env!("CARGO_BIN_EXE_ttfs"))
    };
}

/// The repository's root folder (the root package's), where the committed model and data are.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("testkit lives in the workspace root")
        .to_path_buf()
}

/// The committed float model `models/mnist-small-784-100-10/model.safetensors`.
pub fn committed_model() -> PathBuf {
    repo_root().join("models/mnist-small-784-100-10/model.safetensors")
}

/// The committed data set folder `data/mnist-small`.
pub fn data_dir() -> PathBuf {
    repo_root().join("data/mnist-small")
}

/// The `ttfs` binary, run in the repository root (relative paths in the arguments start there).
pub struct Ttfs {
    bin: PathBuf,
}

impl Ttfs {
    /// `bin`: the caller's `env!("CARGO_BIN_EXE_ttfs")` (overridden by `TTFS_BIN`).
    pub fn new(bin: &str) -> Self {
        let bin = std::env::var_os("TTFS_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(bin));
        Ttfs { bin }
    }

    /// A command for the binary in the repository root (for arguments that are not `&str`, piped
    /// streams or environment overrides).
    pub fn command(&self) -> Command {
        let mut c = Command::new(&self.bin);
        c.current_dir(repo_root());
        c
    }

    /// Runs `ttfs ARGS` to completion.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command()
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", self.bin.display()))
    }

    /// Runs a command that must fail with an `error: ...` message (no panic); returns its stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            !o.status.success(),
            "expected failure: {args:?}\n{}",
            text(&o)
        );
        let e = stderr(&o);
        assert!(e.starts_with("error: "), "error message format: {e}");
        assert!(
            !e.contains("panicked"),
            "a panic is not an error message: {e}"
        );
        e
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A path as a command-line argument (test paths are UTF-8).
pub fn path_str(p: &Path) -> &str {
    p.to_str()
        .unwrap_or_else(|| panic!("{} is not UTF-8", p.display()))
}

/// Exit status, stdout and stderr, for assertion messages.
pub fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        stdout(o),
        stderr(o)
    )
}

/// Asserts the command failed and its stderr names every one of `needles`.
pub fn fails_with(o: &Output, needles: &[&str]) {
    assert!(!o.status.success(), "{}", text(o));
    let e = stderr(o);
    assert!(needles.iter().all(|n| e.contains(n)), "{}", text(o));
}
