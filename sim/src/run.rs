//! Building and running a generated design in Verilator or Icarus Verilog.
//!
//! Promises:
//! * a Verilator build lives in `<cache_root>/verilator/ttfs_top-<hash>`, the hash covering the Verilog
//!   text (every `.v`/`.sv` file of the design folder, with names), the test bench text, the Verilator
//!   version line and the flags; a finished build is marked by a `ready` file and reused by every later
//!   run and test (weights are read at run time by `$readmemh`, so designs that differ only in their
//!   `.hex` files share one binary); concurrent builders of the same hash wait on a lock file;
//! * simulators run with the design folder as working directory (so `$readmemh("l1_weights.hex")`
//!   finds the memory files); every tool run is a `toolchain::Step`, its stdout/stderr streamed to a log
//!   under the build or work folder as it runs;
//! * a sample that does not finish within the cycle limit ends the run with [`SimError::Timeout`].

use crate::bench::{icarus_bench_v, stimulus_text, verilator_bench_cpp};
use crate::error::{Result, SimError};
use crate::events::{find_timeout, read_event_log};
use crate::vcd_read::read_vcd;
use golden::compare::ObservedInference;
use hdl::Manifest;
use std::path::{Path, PathBuf};
use std::time::Instant;
use toolchain::{
    build_cached, execute, run_step, verilog_files, Flow, Program, Step, VerilatorModel,
    ICARUS_BENCH_FILE, IVERILOG, VVP,
};

/// A generated design: its folder (Verilog, memory files) and manifest.
#[derive(Clone, Debug)]
pub struct Design {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

impl Design {
    /// Reads `dir/manifest.json`.
    pub fn load(dir: &Path) -> Result<Design> {
        let path = dir.join("manifest.json");
        let manifest = Manifest::load(&path).map_err(from_hdl)?;
        Design::new(dir, manifest)
    }

    /// A design from a folder and an already loaded manifest. The manifest is validated
    /// ([`Manifest::validate`]: every field bounded, names without a path) and the files it names
    /// are checked ([`Manifest::check_folder`]: weight memories of the right length and format)
    /// before anything is built or run.
    pub fn new(dir: &Path, manifest: Manifest) -> Result<Design> {
        let design = Design::without_memory_files(dir, manifest)?;
        design
            .manifest
            .check_folder(&design.dir)
            .map_err(from_hdl)?;
        Ok(design)
    }

    /// As [`Design::new`] for a folder that holds no weight memory files: a synthesized netlist,
    /// whose memories are baked into its cells' parameters (`sim::netlist`).
    pub(crate) fn without_memory_files(dir: &Path, manifest: Manifest) -> Result<Design> {
        let origin = dir.join("manifest.json");
        manifest
            .validate()
            .map_err(|msg| SimError::format(&origin, msg))?;
        let canonical = std::fs::canonicalize(dir).map_err(|e| SimError::io(dir, e))?;
        if !canonical.is_dir() {
            return Err(SimError::format(
                dir,
                "is not a folder (expected a design folder)",
            ));
        }
        Ok(Design {
            dir: canonical,
            manifest,
        })
    }

    /// A cycle limit per sample that no correct design reaches: the engine's safe upper bound
    /// ([`hdl::Manifest::cycle_upper_bound`]).
    pub fn default_timeout_cycles(&self) -> u64 {
        self.manifest.cycle_upper_bound()
    }
}

/// Writes a work or build file atomically ([`golden::io::write_atomic`]); the error names it once.
fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    golden::io::write_atomic(path, bytes).map_err(|e| match e {
        golden::GoldenError::Io { path, error } => SimError::io(path, error),
        other => SimError::format(path, other.to_string()),
    })
}

/// A manifest or design-folder error as sim's, naming the same file once.
fn from_hdl(e: hdl::HdlError) -> SimError {
    match e {
        hdl::HdlError::Io { path, source } => SimError::io(path, source),
        hdl::HdlError::Format { path, msg } => SimError::format(path, msg),
        other => SimError::Invalid(other.to_string()),
    }
}

/// Which simulator runs the RTL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Simulator {
    Verilator,
    Icarus,
}

impl std::str::FromStr for Simulator {
    type Err = SimError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "verilator" => Ok(Simulator::Verilator),
            "iverilog" | "icarus" => Ok(Simulator::Icarus),
            other => Err(SimError::Invalid(format!(
                "unknown simulator {other:?} (expected verilator or iverilog)"
            ))),
        }
    }
}

/// A finished Verilator build (toolchain's cached build).
pub type VerilatorBuild = toolchain::CachedBuild;

/// Builds (or reuses) the Verilator simulation binary of `design` (toolchain's cached build: networks
/// that differ only in weights share a binary).
pub fn build_verilator(design: &Design) -> Result<VerilatorBuild> {
    let files = verilog_files(&design.dir)?;
    let bench = verilator_bench_cpp();
    Ok(build_cached(&VerilatorModel {
        what: format!("verilator build of {}", design.dir.display()),
        sources: &files,
        top: &design.manifest.top,
        prefix: "Vttfs_top",
        bench_file: "bench.cpp",
        bench: &bench,
        binary: "Vbench",
        trace: true,
    })?)
}

/// How to run a simulation.
#[derive(Clone, Debug)]
pub struct RunConfig {
    pub simulator: Simulator,
    /// Folder for the stimulus, event log, VCD (unless `vcd` says otherwise) and tool logs.
    pub work_dir: PathBuf,
    /// Dump a VCD (and read the results back from it); `false` = event log only (faster).
    pub trace: bool,
    /// Where the VCD goes (default `work_dir/ttfs.vcd`).
    pub vcd: Option<PathBuf>,
    /// Cycle limit per sample (default [`Design::default_timeout_cycles`]).
    pub timeout_cycles: Option<u64>,
    /// Hierarchy levels in the VCD: `None` = every signal of the design; `Some(1)` = the top-level
    /// ports only (what sim reads back; much smaller files for large designs).
    pub trace_depth: Option<u32>,
    /// Samples dumped to the VCD (Verilator only): `None` = all; `Some(a..b)` = samples `a..b` only
    /// (sample `a` is then the VCD's first sample and its cycles count from the window's start).
    /// With a window the results are read from the event log, which always covers every sample.
    pub trace_samples: Option<std::ops::Range<usize>>,
    /// Wall-clock limit of the simulation run (default [`sim_time_limit`]): a simulator that
    /// cannot finish (blocked writing a VCD to a full disk, a hung model) is killed with an error.
    pub time_limit: Option<std::time::Duration>,
}

/// The default wall-clock limit of a simulation: 10 minutes plus one second per 20,000 cycles the
/// samples may take at most (the per-sample cycle limit x samples; Verilator with a full VCD
/// runs well above that rate), so a correct run never meets it and a blocked one ends.
pub fn sim_time_limit(timeout_cycles: u64, samples: usize) -> std::time::Duration {
    let cycles = timeout_cycles.saturating_mul(samples.max(1) as u64);
    std::time::Duration::from_secs(600u64.saturating_add(cycles / 20_000))
}

impl RunConfig {
    pub fn new(simulator: Simulator, work_dir: &Path) -> Self {
        RunConfig {
            simulator,
            work_dir: work_dir.to_path_buf(),
            trace: true,
            vcd: None,
            timeout_cycles: None,
            trace_depth: None,
            trace_samples: None,
            time_limit: None,
        }
    }
}

/// What a simulation produced.
#[derive(Clone, Debug)]
pub struct SimRun {
    /// One per sample, in order.
    pub observed: Vec<ObservedInference>,
    /// Where `observed` was read from: the VCD if traced, else the event log.
    pub vcd: Option<PathBuf>,
    pub event_log: PathBuf,
    /// Seconds spent building (Verilator: 0 when cached; Icarus: compile time).
    pub build_seconds: f64,
    pub build_cached: bool,
    /// Seconds the reused build took when it was made (equals `build_seconds` when not cached).
    pub original_build_seconds: f64,
    /// Seconds the simulator ran (excluding the build and the read-back).
    pub run_seconds: f64,
    /// Seconds spent reading the VCD or log back.
    pub read_seconds: f64,
}

/// Runs every sample (golden-encoded input steps, one `Vec` per sample) through the design.
pub fn run(design: &Design, inputs: &[Vec<Option<u32>>], cfg: &RunConfig) -> Result<SimRun> {
    std::fs::create_dir_all(&cfg.work_dir).map_err(|e| SimError::io(&cfg.work_dir, e))?;
    let work = std::fs::canonicalize(&cfg.work_dir).map_err(|e| SimError::io(&cfg.work_dir, e))?;
    let (stim, words) = stimulus_text(&design.manifest, inputs)?;
    let stim_path = work.join("stimulus.hex");
    write(&stim_path, stim.as_bytes())?;
    let log_path = work.join("events.log");
    let _ = std::fs::remove_file(&log_path);
    let vcd_path = if cfg.trace {
        let p = cfg.vcd.clone().unwrap_or_else(|| work.join("ttfs.vcd"));
        if let Some(parent) = p.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| SimError::io(parent, e))?;
        }
        let p = if p.is_absolute() {
            p
        } else {
            std::env::current_dir()
                .map_err(|e| SimError::io(".", e))?
                .join(p)
        };
        Some(p)
    } else {
        None
    };
    let timeout = cfg
        .timeout_cycles
        .unwrap_or_else(|| design.default_timeout_cycles());
    let time_limit = Some(
        cfg.time_limit
            .unwrap_or_else(|| sim_time_limit(timeout, inputs.len())),
    );
    let mut args = vec![
        format!("+stim={}", stim_path.display()),
        format!("+log={}", log_path.display()),
        format!("+timeout={timeout}"),
    ];
    if let Some(v) = &vcd_path {
        args.push(format!("+vcd={}", v.display()));
        if let Some(d) = cfg.trace_depth {
            args.push(format!("+trace_depth={}", d.max(1)));
        }
        if let Some(w) = &cfg.trace_samples {
            if cfg.simulator != Simulator::Verilator {
                return Err(SimError::Invalid(
                    "a sample window for the VCD (trace_samples) needs Verilator".into(),
                ));
            }
            args.push(format!("+trace_from={}", w.start));
            args.push(format!("+trace_to={}", w.end));
        }
    }

    let (build_seconds, build_cached, original_build_seconds, run_result, run_seconds) =
        match cfg.simulator {
            Simulator::Verilator => {
                let build = build_verilator(design)?;
                let step = Step::new(
                    "verilator simulation",
                    Program::Path(build.binary.clone()),
                    work.join("verilator-run.log"),
                )
                .cwd(&design.dir)
                .args(&args)
                .time_limit(time_limit);
                let t0 = Instant::now();
                let r = run_step(&step, None);
                (
                    build.build_seconds,
                    build.cached,
                    build.original_build_seconds,
                    r,
                    t0.elapsed().as_secs_f64(),
                )
            }
            Simulator::Icarus => {
                let tb_path = work.join(ICARUS_BENCH_FILE);
                let tb = icarus_bench_v(&design.manifest, words);
                write(&tb_path, tb.as_bytes())?;
                let exe = work.join("ttfs_tb.vvp");
                let sources = verilog_files(&design.dir)?;
                let compile = Step::new(
                    "iverilog compile",
                    Program::Tool(IVERILOG),
                    work.join("iverilog-build.log"),
                )
                .cwd(&design.dir)
                .args(["-g2012", "-s", "ttfs_tb", "-o"])
                .arg(&exe)
                .arg(&tb_path)
                .args(sources.iter().map(|f| f.as_os_str().to_owned()))
                .inputs(sources.iter().cloned())
                .outputs([exe.clone()]);
                let t0 = Instant::now();
                execute(&Flow {
                    files: Vec::new(),
                    steps: vec![compile],
                })?;
                let build = t0.elapsed().as_secs_f64();
                let sim = Step::new(
                    "vvp simulation",
                    Program::Tool(VVP),
                    work.join("vvp-run.log"),
                )
                .cwd(&design.dir)
                .arg("-n")
                .arg(&exe)
                .args(&args)
                .time_limit(time_limit);
                let t0 = Instant::now();
                let r = run_step(&sim, None);
                (build, false, build, r, t0.elapsed().as_secs_f64())
            }
        };
    // A timeout is reported from the event log (clearer than the exit status).
    if log_path.is_file() {
        if let Some(t) = find_timeout(&log_path)? {
            return Err(SimError::Timeout {
                sample: t.sample,
                limit: t.limit,
                start_cycle: t.start_cycle,
                log: log_path,
            });
        }
    }
    let out = run_result?;
    if !log_path.is_file() {
        return Err(SimError::format(
            &log_path,
            format!(
                "the simulator wrote no event log; see {}",
                out.log.display()
            ),
        ));
    }
    let m = &design.manifest;
    let t0 = Instant::now();
    let observed = match (&vcd_path, &cfg.trace_samples) {
        (Some(v), None) => read_vcd(v, &m.sizes, m.n_steps, m.n_in_steps)?,
        _ => read_event_log(&log_path, &m.sizes, m.n_steps, m.n_in_steps)?,
    };
    let read_seconds = t0.elapsed().as_secs_f64();
    if observed.len() != inputs.len() {
        return Err(SimError::format(
            vcd_path.as_ref().unwrap_or(&log_path),
            format!(
                "{} samples sent but {} finished",
                inputs.len(),
                observed.len()
            ),
        ));
    }
    Ok(SimRun {
        observed,
        vcd: vcd_path,
        event_log: log_path,
        build_seconds,
        build_cached,
        original_build_seconds,
        run_seconds,
        read_seconds,
    })
}
