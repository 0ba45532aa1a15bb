//! `ttfs board`: streams samples to a board running `ttfs_board_top` over a serial port (or the
//! simulated board's pseudo-terminal), checks every answer (class, spikes per layer, cycles) against
//! golden and hdl's cycle model, and prints accuracy, mismatches, inferences per second and what bounds
//! them. Exits non-zero on any mismatch. The work is `board::host`.

use anyhow::{bail, Context};
use board::host::{check_model, stream, Link, PortConfig};
use golden::encode;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Serial port of the board (`/dev/ttyUSB0`) or a pty's path.
    #[arg(long)]
    pub port: String,
    /// Integer model file (the one the design was generated from).
    #[arg(long)]
    pub model: PathBuf,
    /// Design folder (manifest.json; board.json, if present, gives the board's clock).
    #[arg(long)]
    pub design: PathBuf,
    /// Folder with the IDX files. Default: the data set the model was trained on (its file records
    /// it), else the embedded MNIST subset.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Which split to stream.
    #[arg(long, value_enum, default_value = "test")]
    pub split: super::data::SplitArg,
    /// Number of samples (the first N of the split).
    #[arg(long, default_value_t = 100)]
    pub samples: usize,
    /// UART baud rate (the one the board top level was generated for).
    #[arg(long, default_value_t = 115_200)]
    pub baud: u32,
    /// Board clock in MHz for the bound (default: board.json of the design folder).
    #[arg(long)]
    pub clock_mhz: Option<f64>,
    /// Longest wait for one reply, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    pub timeout_ms: u64,
    /// Mismatching samples listed.
    #[arg(long, default_value_t = 20)]
    pub max_lines: usize,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let manifest_path = args.design.join(hdl::MANIFEST_FILE);
    let manifest = hdl::Manifest::load(&manifest_path)
        .with_context(|| format!("loading {}", manifest_path.display()))?;
    let net = golden::io::load_quant(&args.model)
        .with_context(|| format!("loading the integer model {}", args.model.display()))?;
    check_model(&manifest, &net).with_context(|| format!("--model {}", args.model.display()))?;
    let data_dir = super::data::data_for(args.data.as_deref(), &args.model)?;
    let data = super::data::load_data(&args.model, &data_dir, args.split, Some(args.samples))?;
    super::data::check_fit(&data, manifest.sizes[0], &args.model, &data_dir)?;
    let n = data.len();
    let inputs: Vec<_> = (0..n)
        .map(|i| encode::encode_steps(data.image(i), net.n_in_steps))
        .collect();
    let clock_hz = match args.clock_mhz {
        Some(mhz) => Some(mhz * 1e6),
        None => board::verilog::read_link_config(&args.design)?.map(|c| c.clock_hz as f64),
    };
    let cfg = PortConfig {
        path: args.port.clone(),
        baud: args.baud,
        timeout: Duration::from_millis(args.timeout_ms),
    };
    let mut link = Link::open(&cfg, manifest.layers.len())?;
    eprintln!(
        "streaming {n} samples to {} at {} baud...",
        args.port, args.baud
    );
    let r = stream(&mut link, &manifest, &net, &inputs, &data.labels)?;
    let pct = |k: usize| 100.0 * k as f64 / n as f64;
    outln!("samples     {n} over {} at {} baud", args.port, args.baud);
    outln!(
        "accuracy    board {:.2}% ({}/{n}), golden {:.2}% ({}/{n})",
        pct(r.correct),
        r.correct,
        pct(r.golden_correct),
        r.golden_correct
    );
    outln!(
        "mismatches  {} of {n} (class, spikes per layer, cycles against golden and hdl's cycle model)",
        r.mismatches.len()
    );
    for m in r.mismatches.iter().take(args.max_lines) {
        outln!("  sample {}: {}", m.sample, m.differences.join("; "));
    }
    outln!(
        "throughput  {:.1} inferences/s measured ({:.2} s wall); {:.1} bytes and {:.0} cycles per sample; {} bytes skipped, {} retries",
        r.inferences_per_second(),
        r.wall_seconds,
        (r.request_bytes + r.reply_bytes) as f64 / n as f64,
        r.total_cycles as f64 / n as f64,
        r.skipped_bytes,
        r.retries
    );
    match clock_hz {
        Some(hz) => {
            let b = r.bound(hz, args.baud as f64);
            outln!(
                "bound       UART {:.3} ms + compute {:.3} ms per sample at {:.3} MHz: at most {:.1} inferences/s, {}-bound",
                b.link_seconds * 1e3,
                b.compute_seconds * 1e3,
                hz / 1e6,
                b.inferences_per_second,
                b.limit
            );
        }
        None => outln!("bound       (no --clock-mhz and no board.json: compute time unknown)"),
    }
    if !r.mismatches.is_empty() {
        bail!("{} of {n} answers differ from golden", r.mismatches.len());
    }
    Ok(())
}
