//! `ttfs synth`: Yosys synthesis of a design folder for a target family through `toolchain` (plan,
//! then execute), then the utilisation on stdout: cells, memories inferred, LUTs, flip-flops, block and
//! distributed RAM, latches (any latch fails the command), and optionally the report as JSON.

use anyhow::Context;
use std::path::PathBuf;
use toolchain::{synth_flow, verilog_files, SynthOptions, SynthReport, SynthTarget};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Design folder (`ttfs hdl --out`): every .v/.sv file in it is read; Yosys runs there so
    /// `$readmemh` finds the memory files.
    #[arg(long)]
    pub design: PathBuf,
    /// Target: generic (Yosys gates), ice40, ecp5 or xilinx.
    #[arg(long, default_value = "generic")]
    pub family: String,
    /// Top module.
    #[arg(long, default_value = "ttfs_top")]
    pub top: String,
    /// Folder for the script, the stat files and the Yosys log (default: DESIGN/synth-FAMILY).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write the synthesized netlist as JSON (what nextpnr reads).
    #[arg(long)]
    pub netlist: Option<PathBuf>,
    /// Write the utilisation report as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Flatten the hierarchy (the FPGA families flatten by default).
    #[arg(long)]
    pub flatten: bool,
    /// Kill Yosys after this many seconds.
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Print the plan (files and steps) and stop.
    #[arg(long)]
    pub plan: bool,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let target: SynthTarget = args.family.parse()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.design.join(format!("synth-{}", target.name())));
    let mut opts = SynthOptions::new(target, &args.top, &out);
    opts.flatten = args.flatten;
    opts.netlist = args.netlist.clone();
    opts.time_limit = match args.time_limit {
        Some(s) if !(s.is_finite() && s > 0.0) => anyhow::bail!("--time-limit {s}: must be > 0"),
        s => s.map(std::time::Duration::from_secs_f64),
    };
    if args.plan {
        let flow = synth_flow(&args.design, &verilog_files(&args.design)?, &opts);
        print!("{}", flow.describe());
        return Ok(());
    }
    // Yosys' pass headers (`2.25. Executing MEMORY pass`) as it reaches them, so a long run is not silent.
    let mut progress = |_: usize, _: toolchain::Stream, line: &str| {
        if line
            .split_once(". Executing ")
            .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit() || c == '.'))
        {
            eprintln!("yosys: {line}");
        }
    };
    let t0 = std::time::Instant::now();
    let report = toolchain::synthesize(&args.design, &opts, Some(&mut progress))
        .with_context(|| format!("synthesizing {}", args.design.display()))?;
    print_report(&report, &args.design, t0.elapsed().as_secs_f64());
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

fn print_report(r: &SynthReport, design: &std::path::Path, seconds: f64) {
    println!(
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
        println!("{name:<18} {n}");
    }
    println!("cell types:");
    for (t, n) in &r.cell_types {
        println!("  {t:<24} {n}");
    }
    if let Some(n) = &r.netlist {
        println!("netlist {}", n.display());
    }
}
