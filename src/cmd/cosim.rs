//! `ttfs cosim`: runs golden's integer model and the generated RTL (Verilator or Icarus Verilog) on the
//! same samples, compares every neuron's spike step and every decision, and prints a report (accuracy
//! of both, spikes per layer, SOPs, cycles against the manifest's lower bound, throughput, build time).
//! Exits non-zero on any mismatch. The waveform is left on disk unless `--no-trace`.

use anyhow::{bail, Context};
use golden::compare::compare;
use golden::idx::{load_split, Split};
use golden::integer::IntegerRunner;
use golden::{encode, SpikeStats};
use sim::{Design, RunConfig, Simulator};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Design folder written by `ttfs hdl` (ttfs_top.v, l<L>_weights.hex, manifest.json).
    #[arg(long)]
    pub design: PathBuf,
    /// Integer model file (the one the design was generated from).
    #[arg(long)]
    pub model: PathBuf,
    /// Folder with the IDX files (e.g. data/mnist-small). Default: the embedded MNIST subset.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist-small"))]
    pub data: PathBuf,
    /// Which split to run.
    #[arg(long, default_value = "test", value_parser = ["test", "train"])]
    pub split: String,
    /// Number of samples (the first N of the split).
    #[arg(long, default_value_t = 100)]
    pub samples: usize,
    /// RTL simulator.
    #[arg(long, default_value = "verilator", value_parser = ["verilator", "iverilog"])]
    pub simulator: String,
    /// Where to write the waveform (default: <out>/ttfs.vcd).
    #[arg(long, conflicts_with = "no_trace")]
    pub vcd: Option<PathBuf>,
    /// Hierarchy levels in the waveform (1 = the ports of ttfs_top only; default: every signal).
    #[arg(long, conflicts_with = "no_trace")]
    pub trace_depth: Option<u32>,
    /// Dump only samples FROM..TO (0-based, TO exclusive) into the waveform; results come from the event log.
    #[arg(long, num_args = 2, value_names = ["FROM", "TO"], conflicts_with = "no_trace")]
    pub trace_samples: Vec<usize>,
    /// No waveform: read the bench's event log instead (faster).
    #[arg(long)]
    pub no_trace: bool,
    /// Work folder for the stimulus, event log and tool logs (default: <design>/cosim).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Cycle limit per sample (default: 4x the worst-case bound of the manifest + 1000).
    #[arg(long)]
    pub timeout_cycles: Option<u64>,
    /// Differences listed in the report.
    #[arg(long, default_value_t = 20)]
    pub max_lines: usize,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let design = Design::load(&args.design)
        .with_context(|| format!("loading the design in {}", args.design.display()))?;
    let net = golden::io::load_quant(&args.model)
        .with_context(|| format!("loading the integer model {}", args.model.display()))?;
    check_model_matches(&design, &net)?;
    let split = if args.split == "train" {
        Split::Train
    } else {
        Split::Test
    };
    let data = load_split(&args.data, split)
        .with_context(|| format!("loading the {split} split of {}", args.data.display()))?;
    if data.pixels() != design.manifest.sizes[0] {
        bail!(
            "the data has {} pixels per image, the design {} inputs",
            data.pixels(),
            design.manifest.sizes[0]
        );
    }
    let n = args.samples.min(data.len());
    if n == 0 {
        bail!(
            "no samples to run (--samples {}, split has {})",
            args.samples,
            data.len()
        );
    }
    let inputs: Vec<Vec<Option<u32>>> = (0..n)
        .map(|i| encode::encode_steps(data.image(i), net.n_in_steps))
        .collect();
    let runner = IntegerRunner::new(&net);
    let golden: Vec<_> = inputs.iter().map(|x| runner.run(x)).collect();

    let simulator: Simulator = args.simulator.parse()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.design.join("cosim"));
    let mut cfg = RunConfig::new(simulator, &out);
    cfg.trace = !args.no_trace;
    cfg.vcd = args.vcd.clone();
    cfg.timeout_cycles = args.timeout_cycles;
    cfg.trace_depth = args.trace_depth;
    if let [a, b] = args.trace_samples[..] {
        if a >= b {
            bail!("--trace-samples {a} {b}: the window is empty (FROM must be below TO)");
        }
        cfg.trace_samples = Some(a..b);
    }
    eprintln!(
        "co-simulating {n} {split} samples with {} (building if needed)...",
        args.simulator
    );
    let sim_run = sim::run(&design, &inputs, &cfg).context("running the RTL simulation")?;
    let report = compare(&golden, &sim_run.observed);

    // Accuracy of both against the labels.
    let label = |i: usize| data.labels[i] as usize;
    let hw_correct = (0..n)
        .filter(|&i| sim_run.observed[i].decision == Some(label(i)))
        .count();
    let golden_correct = (0..n)
        .filter(|&i| golden[i].decision == Some(label(i)))
        .count();
    let mut stats = SpikeStats::default();
    for o in &sim_run.observed {
        stats.merge(&o.spikes.stats());
    }
    let cycles: Vec<u64> = sim_run.observed.iter().map(|o| o.cycles).collect();
    let bounds: Vec<u64> = golden
        .iter()
        .map(|g| design.manifest.cycle_bound(&g.spikes))
        .collect();
    let mean = |v: &[u64]| v.iter().sum::<u64>() as f64 / v.len() as f64;
    let load: Vec<u64> = sim_run.observed.iter().map(|o| o.load_cycles).collect();
    let ratio_max = cycles
        .iter()
        .zip(&bounds)
        .map(|(&c, &b)| c as f64 / b.max(1) as f64)
        .fold(0.0, f64::max);
    let below_bound = cycles.iter().zip(&bounds).filter(|(c, b)| c < b).count();
    // The generator's exact cycle model of its RTL (a performance model, not part of the contract).
    let expected: Vec<u64> = golden
        .iter()
        .map(|g| design.manifest.expected_cycles(&g.spikes))
        .collect();
    let off_model = cycles.iter().zip(&expected).filter(|(c, e)| c != e).count();

    let m = &design.manifest;
    println!(
        "design     {} ({:?}, n_steps {}, n_in_steps {}, {})",
        design.dir.display(),
        m.sizes,
        m.n_steps,
        m.n_in_steps,
        m.engine
    );
    println!(
        "simulator  {} ({}); build {}",
        args.simulator,
        if sim_run.vcd.is_some() {
            "VCD read back"
        } else {
            "event log, no VCD"
        },
        if sim_run.build_cached {
            format!(
                "cached (first build took {:.1} s)",
                sim_run.original_build_seconds
            )
        } else {
            format!("{:.1} s", sim_run.build_seconds)
        }
    );
    println!("samples    {n} ({split} split of {})", args.data.display());
    print!("{}", report.describe(args.max_lines));
    println!(
        "accuracy   hardware {:.2}% ({hw_correct}/{n}), golden {:.2}% ({golden_correct}/{n})",
        100.0 * hw_correct as f64 / n as f64,
        100.0 * golden_correct as f64 / n as f64
    );
    let per_layer: Vec<String> = stats
        .spikes
        .iter()
        .enumerate()
        .map(|(l, &s)| {
            let name = if l == 0 {
                "input".to_string()
            } else {
                format!("layer{l}")
            };
            format!(
                "{name} {:.1} ({:.1}%)",
                s as f64 / n as f64,
                100.0 * stats.firing_rate(l)
            )
        })
        .collect();
    println!("spikes     per sample: {}", per_layer.join(", "));
    println!("SOPs       {:.0} per inference", stats.sops_per_sample());
    println!(
        "cycles     mean {:.1}, max {} per inference; lower bound mean {:.1} (ratio mean {:.3}, max {:.3}); input loading mean {:.1}",
        mean(&cycles),
        cycles.iter().max().copied().unwrap_or(0),
        mean(&bounds),
        mean(&cycles) / mean(&bounds).max(1.0),
        ratio_max,
        mean(&load)
    );
    println!(
        "cycle model {} of {n} samples took exactly the cycles of hdl's model (expected mean {:.1})",
        n - off_model,
        mean(&expected)
    );
    let parts: Vec<hdl::CycleParts> = golden
        .iter()
        .map(|g| design.manifest.cycle_bound_parts(&g.spikes))
        .collect();
    let part_mean = |f: fn(&hdl::CycleParts) -> u64| {
        parts.iter().map(f).sum::<u64>() as f64 / parts.len() as f64
    };
    println!(
        "bound      mean per inference: event-driven {:.1} (from hidden spikes {:.1}), step-driven {:.1}, serializer {:.1}",
        part_mean(|p| p.event_cycles),
        part_mean(|p| p.hidden_event_cycles),
        part_mean(|p| p.step_cycles),
        part_mean(|p| p.spike_cycles)
    );
    if below_bound > 0 {
        println!(
            "WARNING    {below_bound} samples took fewer cycles than the manifest's lower bound"
        );
    }
    println!(
        "throughput {:.1} samples/s simulated ({:.2} s simulation, {:.2} s read-back)",
        n as f64 / sim_run.run_seconds.max(1e-9),
        sim_run.run_seconds,
        sim_run.read_seconds
    );
    if let Some(v) = &sim_run.vcd {
        let bytes = std::fs::metadata(v).map(|m| m.len()).unwrap_or(0);
        println!("waveform   {} ({:.1} MB)", v.display(), bytes as f64 / 1e6);
        if bytes > 1_000_000_000 {
            println!(
                "note       large waveform: --trace-depth 1 (ports only), --no-trace or fewer --samples keep it small"
            );
        }
    }
    println!("event log  {}", sim_run.event_log.display());
    if !report.is_clean() {
        if let Some(&(sample, cycle)) = report.first_divergence().first() {
            println!(
                "first divergence: sample {sample} at cycle {cycle} = {} ns in the waveform (posedge c at 10c + 5 ns)",
                10 * cycle + 5
            );
        }
        bail!(
            "{} of {n} samples differ between golden and the RTL",
            report.samples_with_mismatch()
        );
    }
    Ok(())
}

/// The model must be the one the design was generated from (same sizes, steps and thresholds).
fn check_model_matches(design: &Design, net: &golden::QuantNetwork) -> anyhow::Result<()> {
    let m = &design.manifest;
    if net.sizes() != m.sizes || net.n_steps != m.n_steps || net.n_in_steps != m.n_in_steps {
        bail!(
            "model {:?} (n_steps {}, n_in_steps {}) does not match the design {:?} (n_steps {}, n_in_steps {})",
            net.sizes(),
            net.n_steps,
            net.n_in_steps,
            m.sizes,
            m.n_steps,
            m.n_in_steps
        );
    }
    for (l, (q, lm)) in net.layers().iter().zip(&m.layers).enumerate() {
        if q.threshold_q != lm.threshold_q || q.weight_bits != lm.weight_bits {
            bail!(
                "layer {}: model threshold {} / {} bits, design threshold {} / {} bits",
                l + 1,
                q.threshold_q,
                q.weight_bits,
                lm.threshold_q,
                lm.weight_bits
            );
        }
    }
    Ok(())
}
