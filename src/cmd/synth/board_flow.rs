//! `ttfs synth --board B`: the FPGA flow of one design for one board, end to end.
//!
//! 1. `ttfs_board_top.v` and `board.json` written into the design folder (`board::verilog`, with the
//!    board's clock, baud rate and polarities);
//! 2. `constraints::flow::plan` (the constraint file, the SDC, the Yosys script; then Yosys, nextpnr
//!    with the clock constraint and `--report`, icepack / ecppack; 7-series: Yosys only, the XDC and a
//!    Vivado script) run through `toolchain::board_flow` with progress per step on stderr;
//! 3. the reports read back (`constraints::report`), the tool versions, the bitstream's size and,
//!    with `--model`, the latency per inference at the achieved Fmax from hdl's exact cycle model over
//!    the data set; written as `report.json` beside the bitstream and printed as a table.
//!
//! A clock that misses its constraint is a warning, or exit 1 (`cmd::Mismatch`) with
//! `--require-timing`; a tool that is missing or fails is exit 3 (its `ToolchainError`).

use super::Args;
use anyhow::{bail, Context, Result};
use constraints::report::{FileInfo, Latency, PnrReport, SynthReport, YosysStat};
use constraints::{Board, Family};
use golden::integer::IntegerRunner;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;
use toolchain::{FlowObserver, RunOutput, Step, Stream};

/// File name of the report, written in the build folder beside the bitstream.
pub const REPORT_FILE: &str = "report.json";

/// Prints each step as it starts and ends, and the lines that show a long tool moving.
struct Progress {
    steps: usize,
    started: Instant,
}

impl FlowObserver for Progress {
    fn step_started(&mut self, i: usize, step: &Step) {
        self.started = Instant::now();
        eprintln!(
            "[{}/{}] {} (log {})",
            i + 1,
            self.steps,
            step.what,
            step.log.display()
        );
    }

    fn line(&mut self, _: usize, _: Stream, text: &str) {
        // Yosys' top-level passes (`3.22. Executing MEMORY pass`), not their sub-passes.
        let top_pass = super::yosys_pass_header(text)
            && text
                .split_once(". ")
                .is_some_and(|(n, _)| n.matches('.').count() <= 1);
        if top_pass || nextpnr_progress(text) {
            eprintln!("    {text}");
        }
    }

    fn step_finished(&mut self, i: usize, step: &Step, _: &RunOutput) {
        eprintln!(
            "[{}/{}] {} done in {:.1} s",
            i + 1,
            self.steps,
            step.what,
            self.started.elapsed().as_secs_f64()
        );
    }
}

/// nextpnr's stage lines and its timing verdicts.
fn nextpnr_progress(line: &str) -> bool {
    const SHOWN: [&str; 8] = [
        "Info: Packing",
        "Info: Running main analytical placer",
        "Info: Running simulated annealing placer",
        "Info: Running main router",
        "Info: Routing complete",
        "Info: Max frequency",
        "Info: Program finished",
        "ERROR",
    ];
    SHOWN.iter().any(|p| line.starts_with(p))
}

pub fn run(args: &Args, board_name: &str) -> Result<()> {
    let mut board = Board::load(board_name)?;
    let board_clock_mhz = board.clock.frequency_mhz;
    let link = board::verilog::LinkConfig::for_board(&board, args.baud)
        .with_context(|| format!("the board top level for {}", board.name))?;
    if let Some(f) = args.freq {
        if !(f.is_finite() && f > 0.0) {
            bail!("--freq {f}: must be a frequency in MHz > 0");
        }
        board.clock.frequency_mhz = f;
    }
    let manifest_path = args.design.join(hdl::MANIFEST_FILE);
    let manifest = hdl::Manifest::load(&manifest_path)
        .with_context(|| format!("loading {}", manifest_path.display()))?;
    let net = match &args.model {
        Some(m) => {
            let net = golden::io::load_quant(m)
                .with_context(|| format!("loading the integer model {}", m.display()))?;
            manifest
                .check_network(&net)
                .with_context(|| format!("--model {}", m.display()))?;
            Some(net)
        }
        None => None,
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.design.join(format!("synth-{}", board.name)));
    if !args.plan {
        board::verilog::write_board_top(&args.design, &manifest, &link)?;
        std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    }
    let design_abs = absolute(&args.design)?;
    let out_abs = absolute(&out)?;
    let mut verilog: Vec<PathBuf> = toolchain::verilog_files(&design_abs)?
        .into_iter()
        .filter_map(|p| p.strip_prefix(&design_abs).ok().map(Path::to_path_buf))
        .collect();
    let top_file = PathBuf::from(board::verilog::BOARD_TOP_FILE);
    if !verilog.contains(&top_file) {
        verilog.push(top_file);
    }
    let ports = board::verilog::board_top_ports();
    let plan = constraints::flow::plan(
        &board,
        &constraints::flow::FlowInput {
            top: board::verilog::BOARD_TOP,
            design_dir: &design_abs,
            verilog: &verilog,
            ports: &ports,
            build_dir: &out_abs,
        },
    )?;
    let flow = toolchain::board_flow(&plan, super::time_limit(args)?)?;
    if args.plan {
        outln!(
            "write {} and {} (the board top level)",
            args.design.join(board::verilog::BOARD_TOP_FILE).display(),
            args.design
                .join(board::verilog::BOARD_CONFIG_FILE)
                .display()
        );
        out!("{}", flow.describe());
        return Ok(());
    }
    // Every tool is found before the first step runs: a missing one fails at once, with its
    // install command.
    let tools = toolchain::tool_versions(&flow)?;
    let t0 = Instant::now();
    eprintln!(
        "ttfs synth: {} for {} ({}), clock constraint {} MHz, work folder {}",
        args.design.display(),
        board.name,
        board.part(),
        board.clock.frequency_mhz,
        out.display()
    );
    toolchain::execute_observed(
        &flow,
        &mut Progress {
            steps: flow.steps.len(),
            started: Instant::now(),
        },
    )?;
    let report = build_report(
        args,
        &board,
        &plan.outputs,
        tools,
        &out,
        net.as_ref(),
        &manifest,
        board_clock_mhz,
    )?;
    let report_path = out.join(REPORT_FILE);
    golden::io::write_atomic(&report_path, report.to_json().as_bytes())
        .with_context(|| format!("writing {}", report_path.display()))?;
    print_report(args, &board, &report, &report_path, &out, t0)
}

/// The report of a finished flow: Yosys' and nextpnr's reports parsed, the tools, the bitstream and
/// Vivado script as shown paths, and the latency at the achieved Fmax (or the board clock) when a
/// model was given.
#[allow(clippy::too_many_arguments)]
fn build_report(
    args: &Args,
    board: &Board,
    o: &constraints::flow::FlowOutputs,
    tools: Vec<constraints::report::ToolInfo>,
    out: &Path,
    net: Option<&golden::QuantNetwork>,
    manifest: &hdl::Manifest,
    board_clock_mhz: f64,
) -> Result<SynthReport> {
    let read =
        |p: &Path| std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()));
    let stat = YosysStat::parse(&read(&o.yosys_stat)?)
        .with_context(|| format!("in {}", o.yosys_stat.display()))?;
    let pnr = match &o.pnr_report {
        Some(p) => {
            Some(PnrReport::parse(&read(p)?).with_context(|| format!("in {}", p.display()))?)
        }
        None => None,
    };
    let mut report = SynthReport::new(board, board::verilog::BOARD_TOP, &stat, pnr.as_ref());
    report.tools = tools;
    let shown = |abs: &Path| out.join(abs.file_name().unwrap_or_default());
    if let Some(b) = &o.bitstream {
        let bytes = std::fs::metadata(b)
            .with_context(|| format!("the bitstream {}", b.display()))?
            .len();
        report.bitstream = Some(FileInfo {
            path: shown(b).display().to_string(),
            bytes,
        });
    }
    report.vivado_script = o
        .vivado_script
        .as_ref()
        .map(|v| shown(v).display().to_string());
    if let (Some(net), Some(model)) = (net, &args.model) {
        let (mhz, which) = match report.achieved_mhz() {
            Some(f) => (f, "achieved Fmax"),
            None => (board_clock_mhz, "board clock, no place and route"),
        };
        report.latency = Some(latency(args, model, net, manifest, mhz, which)?);
    }
    Ok(report)
}

/// The table on stdout, the notes and warnings; a missed clock is an error with `--require-timing`.
fn print_report(
    args: &Args,
    board: &Board,
    report: &SynthReport,
    report_path: &Path,
    out: &Path,
    t0: Instant,
) -> Result<()> {
    outln!(
        "ttfs synth: {} on {} in {:.1} s; report {}",
        args.design.display(),
        board.name,
        t0.elapsed().as_secs_f64(),
        report_path.display()
    );
    out!("{}", report.table());
    if board.family == Family::Xilinx7 {
        outln!(
            "note: no open place-and-route for {}: LUTs, flip-flops, RAMs and DSPs are Yosys' mapped \
             cells (no Fmax, no bitstream); the XDC and the Vivado script are in {}",
            board.part(),
            out.display()
        );
    }
    if !report.utilisation.fits() {
        eprintln!("warning: the design does not fit {}", board.part());
    }
    if report.timing_met == Some(false) {
        let msg = format!(
            "timing FAILED: {} reaches {:.2} MHz, the constraint is {} MHz (critical path in the table)",
            args.design.display(),
            report.achieved_mhz().unwrap_or(0.0),
            board.clock.frequency_mhz
        );
        if args.require_timing {
            return Err(super::super::Mismatch(msg).into());
        }
        eprintln!("warning: {msg}");
    }
    Ok(())
}

/// Latency over the model's data: golden's integer pass per sample, hdl's exact cycles for it.
fn latency(
    args: &Args,
    model: &Path,
    net: &golden::QuantNetwork,
    manifest: &hdl::Manifest,
    clock_mhz: f64,
    which: &str,
) -> Result<Latency> {
    let (dir, why) = super::super::data::choose_data(args.data.as_deref(), model)?;
    if let Some(why) = why {
        eprintln!("data: {why}");
    }
    let mut data = super::super::data::load_split_for(model, &dir, golden::idx::Split::Test)?;
    if let Some(n) = args.samples {
        if n == 0 {
            bail!("--samples must be at least 1");
        }
        data = data.take(n);
    }
    super::super::data::check_fit(&data, manifest.sizes[0], model, &dir)?;
    let runner = IntegerRunner::new(net);
    let cycles: Vec<u64> = (0..data.len())
        .into_par_iter()
        .map(|i| {
            let input = golden::encode::encode_steps(data.image(i), net.n_in_steps);
            manifest.expected_cycles(&runner.run(&input).spikes)
        })
        .collect();
    let what = format!("the test split of {}", dir.display());
    Latency::new(
        &cycles,
        manifest.cycle_upper_bound(),
        clock_mhz,
        which,
        &what,
    )
    .with_context(|| format!("no latency: {} samples at {clock_mhz} MHz", cycles.len()))
}

/// `p` made absolute against the current folder (lexically; the folder may not exist yet).
fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).with_context(|| format!("making {} absolute", p.display()))
}
