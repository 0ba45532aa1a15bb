//! A cached Verilator build: Verilog files plus a C++ bench compiled once into a simulation binary.
//!
//! Owns the cache scheme every Verilator model shares (sim's `ttfs_top` bench, board's simulated
//! `ttfs_board_top`): the folder `<cache_root>/verilator/<top>-<hash>`, where the hash covers each
//! Verilog file's name and text, the bench, the Verilator version line, the flags and the top module; a
//! lock file beside it so concurrent runs (parallel tests) build once; the `ready` marker holding the
//! build's wall time, written last, so a killed build is never reused. The Verilog is copied into the
//! build folder before the build (the design folder may change later). Weights read at run time with
//! `$readmemh` are not Verilog, so networks that differ only in weights share a binary.

use crate::cache::{cache_root, fnv1a};
use crate::error::{Result, ToolchainError};
use crate::flow::{execute, Flow};
use crate::step::{Program, Step};
use crate::tool::{find, VERILATOR};
use std::path::PathBuf;
use std::time::Instant;

/// What to build: sources, bench and the names the build uses.
#[derive(Clone, Debug)]
pub struct VerilatorModel<'a> {
    /// What the step is called in logs and errors ("verilator build of out/hdl").
    pub what: String,
    /// The design's Verilog files (their names and texts are part of the cache key).
    pub sources: &'a [PathBuf],
    /// The top module (`--top-module`).
    pub top: &'a str,
    /// The generated C++ class name (`--prefix`), which the bench includes.
    pub prefix: &'a str,
    /// The bench's file name in the build folder and its text.
    pub bench_file: &'a str,
    pub bench: &'a str,
    /// The binary's name under `obj/`.
    pub binary: &'a str,
    /// Whether the model can write a VCD (`--trace`; part of the cache key like every flag).
    pub trace: bool,
}

/// Verilator's flags for every cached build (with `--trace` after `--build` when tracing): C++ with its
/// own `main`, built by Verilator's make, optimised, warnings not fatal (lint is a separate check), X
/// values fast, two compile jobs.
pub fn build_flags(trace: bool) -> Vec<&'static str> {
    let mut flags = vec!["--cc", "--exe", "--build"];
    if trace {
        flags.push("--trace");
    }
    flags.extend([
        "-O2",
        "-Wno-fatal",
        "-Wno-lint",
        "-Wno-style",
        "--x-assign",
        "fast",
        "--x-initial",
        "fast",
        "-j",
        "2",
        "-MAKEFLAGS",
        "OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O2",
    ]);
    flags
}

/// A finished (or reused) build.
#[derive(Clone, Debug)]
pub struct CachedBuild {
    pub binary: PathBuf,
    pub dir: PathBuf,
    /// True if an earlier build was reused.
    pub cached: bool,
    /// Wall time of this build (0 if cached) and of the recorded original build.
    pub build_seconds: f64,
    pub original_build_seconds: f64,
}

/// Builds `model` with Verilator, or reuses the finished build of the same inputs.
pub fn build_cached(model: &VerilatorModel<'_>) -> Result<CachedBuild> {
    let tool = find(&VERILATOR)?;
    let flags = build_flags(model.trace);
    let mut parts: Vec<Vec<u8>> = Vec::new();
    for f in model.sources {
        let text = std::fs::read(f).map_err(|e| ToolchainError::io(f, e))?;
        parts.push(file_name(f).into_bytes());
        parts.push(text);
    }
    parts.push(model.bench.as_bytes().to_vec());
    parts.push(tool.version_line.clone().into_bytes());
    parts.push(flags.join(" ").into_bytes());
    parts.push(model.top.as_bytes().to_vec());
    let refs: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
    let name = format!("{}-{:016x}", model.top, fnv1a(&refs));
    let root = cache_root().join("verilator");
    let dir = root.join(&name);
    std::fs::create_dir_all(&root).map_err(|e| ToolchainError::io(&root, e))?;
    let lock_path = root.join(format!("{name}.lock"));
    let lock = std::fs::File::create(&lock_path).map_err(|e| ToolchainError::io(&lock_path, e))?;
    lock.lock().map_err(|e| ToolchainError::io(&lock_path, e))?;
    let binary = dir.join("obj").join(model.binary);
    let ready = dir.join("ready");
    if ready.is_file() && binary.is_file() {
        let original = std::fs::read_to_string(&ready)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0.0);
        return Ok(CachedBuild {
            binary,
            dir,
            cached: true,
            build_seconds: 0.0,
            original_build_seconds: original,
        });
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| ToolchainError::io(&dir, e))?;
    }
    let src = dir.join("src");
    std::fs::create_dir_all(&src).map_err(|e| ToolchainError::io(&src, e))?;
    let bench_path = dir.join(model.bench_file);
    golden::io::write_atomic(&bench_path, model.bench.as_bytes())?;
    let mut copies = Vec::new();
    for f in model.sources {
        let to = src.join(file_name(f));
        std::fs::copy(f, &to).map_err(|e| ToolchainError::io(&to, e))?;
        copies.push(to);
    }
    let step = Step::new(
        model.what.clone(),
        Program::Path(tool.path.clone()),
        dir.join("build.log"),
    )
    .cwd(&dir)
    .args(&flags)
    .args([
        "--top-module",
        model.top,
        "--prefix",
        model.prefix,
        "-Mdir",
        "obj",
        "-o",
        model.binary,
    ])
    .args(copies.iter().map(|c| c.as_os_str().to_owned()))
    .arg(&bench_path)
    .inputs(copies.iter().cloned())
    .inputs([bench_path.clone()])
    .outputs([binary.clone()]);
    let t0 = Instant::now();
    execute(&Flow {
        files: Vec::new(),
        steps: vec![step],
    })?;
    let seconds = t0.elapsed().as_secs_f64();
    golden::io::write_atomic(&ready, format!("{seconds:.3}\n").as_bytes())?;
    drop(lock);
    Ok(CachedBuild {
        binary,
        dir,
        cached: false,
        build_seconds: seconds,
        original_build_seconds: seconds,
    })
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
