//! `ttfs synth`: Yosys synthesis of a design folder through `toolchain` (plan, then execute).
//!
//! - `--family F` (generic, ice40, ecp5, xilinx): Yosys alone, then the utilisation on stdout: cells,
//!   memories inferred, LUTs, flip-flops, block and distributed RAM, latches (any latch fails the
//!   command), and optionally the report as JSON.
//! - `--board B` (a built-in board or a board file): the whole FPGA flow of `board_flow`: the board top
//!   level, the constraint files, Yosys, nextpnr and the bitstream packer (7-series: Yosys
//!   utilisation, the XDC and a Vivado script), `report.json` beside the bitstream and its table on
//!   stdout, with the latency per inference at the achieved Fmax when `--model` is given.

mod board_flow;

use anyhow::Context;
use std::path::PathBuf;
use toolchain::{synth_flow, verilog_files, SynthOptions, SynthReport, SynthTarget};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Design folder (`ttfs hdl --out`): every .v/.sv file in it is read; Yosys runs there so
    /// `$readmemh` finds the memory files.
    #[arg(long)]
    pub design: PathBuf,
    /// Target of a synthesis without a board: generic (Yosys gates), ice40, ecp5 or xilinx
    /// (default generic).
    #[arg(long, conflicts_with = "board")]
    pub family: Option<String>,
    /// Board (icebreaker, ulx3s, arty-a7-100t, or a board TOML file): the full flow with place and
    /// route, bitstream and report.json.
    #[arg(long)]
    pub board: Option<String>,
    /// Clock constraint for place and route in MHz (default: the board's clock). The board top's
    /// UART divider keeps the board's clock.
    #[arg(long, requires = "board")]
    pub freq: Option<f64>,
    /// Integer model of the design: the latency per inference is computed over its data.
    #[arg(long, requires = "board")]
    pub model: Option<PathBuf>,
    /// Data folder for the latency (default: the data set the model records).
    #[arg(long, requires = "model")]
    pub data: Option<PathBuf>,
    /// Test samples the latency is taken over (default: the whole test split).
    #[arg(long, requires = "model")]
    pub samples: Option<usize>,
    /// UART baud rate of the board top level.
    #[arg(long, default_value_t = 115_200, requires = "board")]
    pub baud: u64,
    /// Exit 1 when a clock misses its constraint (otherwise a warning).
    #[arg(long, requires = "board")]
    pub require_timing: bool,
    /// Top module (`--family` only; a board flow's top is `ttfs_board_top`).
    #[arg(long, default_value = "ttfs_top")]
    pub top: String,
    /// Folder for the scripts, reports, logs and the bitstream (default: DESIGN/synth-FAMILY or
    /// DESIGN/synth-BOARD).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write the synthesized netlist as JSON (what nextpnr reads; `--family` only).
    #[arg(long, conflicts_with = "board")]
    pub netlist: Option<PathBuf>,
    /// Write the utilisation report as JSON here (`--family` only; a board flow writes report.json).
    #[arg(long, conflicts_with = "board")]
    pub json: Option<PathBuf>,
    /// Flatten the hierarchy (the FPGA families flatten by default).
    #[arg(long)]
    pub flatten: bool,
    /// Kill a tool after this many seconds (each step).
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Print the plan (files and steps) and stop.
    #[arg(long)]
    pub plan: bool,
}

/// `--time-limit` as a duration.
fn time_limit(args: &Args) -> anyhow::Result<Option<std::time::Duration>> {
    match args.time_limit {
        Some(s) if !(s.is_finite() && s > 0.0) => anyhow::bail!("--time-limit {s}: must be > 0"),
        s => Ok(s.map(std::time::Duration::from_secs_f64)),
    }
}

/// Yosys' pass headers (`2.25. Executing MEMORY pass`), the lines that show a long run moving.
fn yosys_pass_header(line: &str) -> bool {
    line.split_once(". Executing ")
        .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    if let Some(b) = &args.board {
        return board_flow::run(args, b);
    }
    let target: SynthTarget = args.family.as_deref().unwrap_or("generic").parse()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.design.join(format!("synth-{}", target.name())));
    let mut opts = SynthOptions::new(target, &args.top, &out);
    opts.flatten = args.flatten;
    opts.netlist = args.netlist.clone();
    opts.time_limit = time_limit(args)?;
    if args.plan {
        let flow = synth_flow(&args.design, &verilog_files(&args.design)?, &opts);
        out!("{}", flow.describe());
        return Ok(());
    }
    // Yosys' pass headers (`2.25. Executing MEMORY pass`) as it reaches them, so a long run is not silent.
    let mut progress = |_: usize, _: toolchain::Stream, line: &str| {
        if yosys_pass_header(line) {
            eprintln!("yosys: {line}");
        }
    };
    let t0 = std::time::Instant::now();
    let report = toolchain::synthesize(&args.design, &opts, Some(&mut progress))
        .with_context(|| format!("synthesizing {}", args.design.display()))?;
    print_report(&report, &args.design, t0.elapsed().as_secs_f64())?;
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report)?;
        golden::io::write_atomic(path, json.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if report.latches > 0 {
        anyhow::bail!(
            "{} latch cells in {} (see {})",
            report.latches,
            args.design.display(),
            report.log.display()
        );
    }
    Ok(())
}

fn print_report(r: &SynthReport, design: &std::path::Path, seconds: f64) -> anyhow::Result<()> {
    outln!(
        "ttfs synth: {} ({}) of {} in {seconds:.1} s; log {}",
        r.target.name(),
        r.target.command(),
        design.display(),
        r.log.display()
    );
    let rows = [
        ("cells", r.cells),
        ("memories inferred", r.memories),
        ("LUTs", r.luts),
        ("flip-flops", r.flip_flops),
        ("block RAM", r.block_rams),
        ("distributed RAM", r.distributed_rams),
        ("latches", r.latches),
    ];
    for (name, n) in rows {
        outln!("{name:<18} {n}");
    }
    outln!("cell types:");
    for (t, n) in &r.cell_types {
        outln!("  {t:<24} {n}");
    }
    if let Some(n) = &r.netlist {
        outln!("netlist {}", n.display());
    }
    Ok(())
}
