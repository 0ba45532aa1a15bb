//! Where tool runs keep their builds and logs, and how the folders are named.
//!
//! Promises: [`cache_root`] is `$TTFS_SIM_CACHE`, else `$CARGO_TARGET_DIR/ttfs-sim`, else
//! `<workspace>/target/ttfs-sim` (the name predates this crate and is kept so existing caches and
//! scripts stay valid); [`fnv1a`] is stable across runs, platforms and releases (folder names depend on
//! it); [`verilog_files`] is sorted by name and never contains [`ICARUS_BENCH_FILE`].

use crate::error::{Result, ToolchainError};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Root of the build and log folders of tool runs.
pub fn cache_root() -> PathBuf {
    if let Some(p) = std::env::var_os("TTFS_SIM_CACHE").filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    if let Some(p) = std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(p).join("ttfs-sim");
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .unwrap_or(manifest)
        .join("target")
        .join("ttfs-sim")
}

/// FNV-1a 64-bit hash of `parts` with a separator after each part (so `("ab", "c")` and `("a", "bc")`
/// differ); used for cache folder names.
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in *p {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// File name of sim's generated Icarus test bench: never part of a design (a work folder may be the
/// design's own), so [`verilog_files`] leaves it out.
pub const ICARUS_BENCH_FILE: &str = "ttfs_tb.v";

/// The `.v` and `.sv` files of a design folder (except [`ICARUS_BENCH_FILE`]), sorted by name; none
/// is an error.
pub fn verilog_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|e| ToolchainError::io(dir, e))?;
    let mut files = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| ToolchainError::io(dir, e))?;
        let p = entry.path();
        let is_verilog =
            p.extension() == Some(OsStr::new("v")) || p.extension() == Some(OsStr::new("sv"));
        if is_verilog && p.file_name() != Some(OsStr::new(ICARUS_BENCH_FILE)) {
            files.push(p);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(ToolchainError::Invalid(format!(
            "no .v or .sv files in {}",
            dir.display()
        )));
    }
    Ok(files)
}

/// `<cache_root>/<kind>/<top>-<hash of the folder's absolute path and top>`: the log folder of a check
/// (`lint`, `synth`) of one design folder.
pub fn work_dir_for(kind: &str, dir: &Path, top: &str) -> PathBuf {
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let h = fnv1a(&[abs.to_string_lossy().as_bytes(), top.as_bytes()]);
    cache_root().join(kind).join(format!("{top}-{h:016x}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_separates_parts() {
        assert_eq!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"ab", b"c"]));
        assert_ne!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"a", b"bc"]));
        // Pinned: cache folders made before the move from sim keep their names.
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(
            fnv1a(&[b""]),
            (0xcbf2_9ce4_8422_2325u64 ^ 0xff).wrapping_mul(0x0000_0100_0000_01b3)
        );
    }
}
