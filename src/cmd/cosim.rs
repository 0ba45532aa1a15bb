//! `ttfs cosim`: runs golden's integer model and the generated RTL (Verilator or Icarus Verilog) on the
//! same samples, compares every neuron's spike step and every decision, and prints a report (accuracy
//! of both, spikes per layer, SOPs, cycles against the manifest's lower bound, throughput, build time).
//! Exits 1 on any mismatch, 3 when a simulator fails (see `main`).
//! With `--netlist FAMILY` the simulated hardware is the design's synthesized netlist (Yosys
//! `synth_<family>` + `write_verilog`, beside Yosys' cell models; `sim::netlist`) instead of its RTL:
//! the same bench, the same comparison, the same exit codes. No waveform unless asked
//! (`--vcd`, `--trace-samples`). Machine-readable results: `--json FILE` (`sim::stats::CosimReport`)
//! and `--junit FILE` (`sim::junit`, one test case per sample).

use anyhow::{bail, Context};
use golden::compare::compare;
use golden::encode;
use golden::idx::Split;
use golden::integer::IntegerRunner;
use sim::stats::CosimStats;
use sim::{Design, RunConfig, Simulator};
use std::io::IsTerminal as _;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Design folder written by `ttfs hdl` (ttfs_top.v, l<L>_weights.hex, manifest.json).
    #[arg(long)]
    pub design: PathBuf,
    /// Integer model file (the one the design was generated from).
    #[arg(long)]
    pub model: PathBuf,
    /// Folder with the IDX files. Default: the data set the model was trained on (recorded in
    /// its file), or the embedded MNIST subset for a file that records none.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Which split to run.
    #[arg(long, default_value = "test", value_parser = ["test", "train"])]
    pub split: String,
    /// Number of samples (the first N of the split; more than the split holds is an error).
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub samples: usize,
    /// RTL simulator.
    #[arg(long, default_value = "verilator", value_parser = ["verilator", "iverilog"])]
    pub simulator: String,
    /// Write a waveform here. Alone: the top-level ports of every sample (small); with
    /// --trace-samples: every signal of those samples.
    #[arg(long)]
    pub vcd: Option<PathBuf>,
    /// Samples whose every signal goes into the waveform: one index or an inclusive range A-B
    /// (e.g. `0-2`; Verilator). The waveform goes to --vcd or <out>/ttfs.vcd; its size is estimated
    /// and printed first. Results always come from the event log.
    #[arg(long, value_name = "A-B")]
    pub trace_samples: Option<String>,
    /// Hierarchy levels in the waveform (1 = the ports of ttfs_top only). Needs --vcd or
    /// --trace-samples.
    #[arg(long)]
    pub trace_depth: Option<u32>,
    /// Deprecated (no waveform is the default now); accepted for one release.
    #[arg(long, hide = true)]
    pub no_trace: bool,
    /// Work folder for the stimulus, event log, waveform and tool logs (default:
    /// out/cosim/<design folder name>-<hash of its path>, never inside the design folder).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write the results as JSON here (schema `ttfs.cosim/1`, docs/json.md).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write a JUnit XML report here: one test case per sample, a failure naming its first
    /// difference (for CI systems).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Cycle limit per sample (default: 4x the worst-case bound of the manifest + 1000).
    #[arg(long)]
    pub timeout_cycles: Option<u64>,
    /// Differences listed in the report.
    #[arg(long, default_value_t = 20)]
    pub max_lines: usize,
    /// No progress display (it is off anyway when stderr is not a terminal).
    #[arg(long)]
    pub quiet: bool,
    /// Post-synthesis check: simulate the design's Yosys netlist for this family (synth_ice40 /
    /// synth_ecp5 / generic synth, then write_verilog, with Yosys' cell models; cached by content
    /// under the simulation cache) instead of its RTL, and compare it with golden the same way.
    #[arg(long, value_name = "FAMILY", value_parser = ["ice40", "ecp5", "generic"])]
    pub netlist: Option<String>,
}

/// `out/cosim/<design folder name>-<8 hex digits of its absolute path>`: the work folder when no
/// `--out` is given (beside the other outputs under `out/`, not inside the design folder, which
/// stays what `ttfs hdl` wrote; two designs of the same folder name never share it).
pub fn default_out(design: &std::path::Path) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let abs = std::fs::canonicalize(design).unwrap_or_else(|_| design.to_path_buf());
    let name = abs
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "design".into());
    let mut h = std::collections::hash_map::DefaultHasher::new();
    abs.hash(&mut h);
    let tag = h.finish() as u32;
    PathBuf::from("out")
        .join("cosim")
        .join(format!("{name}-{tag:08x}"))
}

/// Accuracy, spikes, SOPs and cycles against the design's cycle models.
fn print_stats(s: &CosimStats) -> anyhow::Result<()> {
    let n = s.samples;
    outln!(
        "accuracy   hardware {:.2}% ({}/{n}), golden {:.2}% ({}/{n})",
        100.0 * s.hardware_correct as f64 / n as f64,
        s.hardware_correct,
        100.0 * s.golden_correct as f64 / n as f64,
        s.golden_correct
    );
    let per_layer: Vec<String> = s
        .spikes
        .spikes
        .iter()
        .enumerate()
        .map(|(l, &k)| {
            let name = if l == 0 {
                "input".to_string()
            } else {
                format!("layer{l}")
            };
            format!(
                "{name} {:.1} ({:.1}%)",
                k as f64 / n as f64,
                100.0 * s.spikes.firing_rate(l)
            )
        })
        .collect();
    outln!("spikes     per sample: {}", per_layer.join(", "));
    outln!("SOPs       {:.0} per inference", s.spikes.sops_per_sample());
    outln!(
        "cycles     mean {:.1}, max {} per inference; lower bound mean {:.1} (ratio mean {:.3}, max {:.3}); input loading mean {:.1}",
        s.cycles_mean,
        s.cycles_max,
        s.bound_mean,
        s.bound_ratio_mean(),
        s.bound_ratio_max,
        s.load_cycles_mean
    );
    outln!(
        "cycle model {} of {n} samples took exactly the cycles of hdl's model (expected mean {:.1})",
        n - s.off_model,
        s.expected_mean
    );
    let p = &s.bound_parts;
    outln!(
        "bound      mean per inference: event-driven {:.1} (from hidden spikes {:.1}), step-driven {:.1}, serializer {:.1}",
        p.event_cycles, p.hidden_event_cycles, p.step_cycles, p.spike_cycles
    );
    if s.below_bound > 0 {
        outln!(
            "WARNING    {} samples took fewer cycles than the manifest's lower bound",
            s.below_bound
        );
    }
    Ok(())
}

/// A validated co-simulation request: what the flags say, or what `ttfs run` asks for directly.
pub struct Cosim {
    pub design: PathBuf,
    pub model: PathBuf,
    pub data: PathBuf,
    pub split: Split,
    /// Run the first `samples` of the split (fewer if it is shorter).
    pub samples: usize,
    /// `verilator` or `iverilog`, as reported.
    pub simulator_name: String,
    pub run: RunConfig,
    /// Differences listed in the report.
    pub max_lines: usize,
    /// Where to write the JSON results and the JUnit report, if anywhere.
    pub json: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    /// Show the progress display on stderr (a terminal only).
    pub progress: bool,
}

impl Args {
    /// The flags as a validated request.
    pub fn job(&self) -> anyhow::Result<Cosim> {
        let simulator: Simulator = self.simulator.parse()?;
        if self.no_trace {
            eprintln!("warning: --no-trace is the default now and will be removed; drop it");
        }
        let out = self
            .out
            .clone()
            .unwrap_or_else(|| default_out(&self.design));
        let mut run = RunConfig::new(simulator, &out);
        run.vcd = self.vcd.clone();
        run.timeout_cycles = self.timeout_cycles;
        run.trace = self.vcd.is_some() || self.trace_samples.is_some();
        if self.no_trace && run.trace {
            bail!("--no-trace contradicts --vcd / --trace-samples");
        }
        if self.trace_depth.is_some() && !run.trace {
            bail!("--trace-depth needs a waveform: pass --vcd PATH or --trace-samples A-B");
        }
        // A full waveform only for named samples; --vcd alone traces the ports.
        run.trace_depth = match (&self.trace_samples, self.trace_depth) {
            (_, Some(d)) => Some(d),
            (None, None) => Some(1),
            (Some(_), None) => None,
        };
        if let Some(spec) = &self.trace_samples {
            run.trace_samples = Some(super::data::parse_window(
                "--trace-samples",
                spec,
                self.samples,
            )?);
        }
        Ok(Cosim {
            design: self.design.clone(),
            model: self.model.clone(),
            data: super::data::data_for(self.data.as_deref(), &self.model)?,
            split: if self.split == "train" {
                Split::Train
            } else {
                Split::Test
            },
            samples: self.samples,
            simulator_name: self.simulator.clone(),
            run,
            max_lines: self.max_lines,
            json: self.json.clone(),
            junit: self.junit.clone(),
            progress: !self.quiet,
        })
    }
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let netlist = args
        .netlist
        .as_deref()
        .map(str::parse::<toolchain::SynthTarget>)
        .transpose()?;
    cosim_on(&args.job()?, netlist).map(|_| ())
}

/// The netlist's synthesis: the report line after the header.
fn print_netlist(n: &toolchain::Netlist) -> anyhow::Result<()> {
    let r = &n.report;
    outln!(
        "netlist    {} ({}): {} LUTs, {} flip-flops, {} block RAM; synthesis {}; {}",
        n.target.name(),
        n.target.command(),
        r.luts,
        r.flip_flops,
        r.block_rams,
        build_text(n.cached, n.original_seconds, n.seconds),
        n.netlist.display()
    );
    Ok(())
}

/// `cached (first build took 95.2 s)` or `12.3 s`: how the simulator build went.
fn build_text(cached: bool, original_seconds: f64, seconds: f64) -> String {
    if cached {
        format!("cached (first build took {original_seconds:.1} s)")
    } else {
        format!("{seconds:.1} s")
    }
}

/// The design, the simulator run and the sample count: the report's first lines.
fn print_header(
    design: &Design,
    job: &Cosim,
    sim_run: &sim::SimRun,
    n: usize,
) -> anyhow::Result<()> {
    let m = &design.manifest;
    outln!(
        "design     {} ({:?}, n_steps {}, n_in_steps {}, {})",
        design.dir.display(),
        m.sizes,
        m.n_steps,
        m.n_in_steps,
        m.engine
    );
    outln!(
        "simulator  {} ({}); build {}",
        job.simulator_name,
        if sim_run.vcd.is_some() {
            "VCD read back"
        } else {
            "event log, no VCD"
        },
        build_text(
            sim_run.build_cached,
            sim_run.original_build_seconds,
            sim_run.build_seconds
        )
    );
    outln!(
        "samples    {n} ({} split of {})",
        job.split,
        job.data.display()
    );
    Ok(())
}

/// Throughput and where the waveform and the event log are: the report's last lines.
fn print_files(sim_run: &sim::SimRun, n: usize) -> anyhow::Result<()> {
    outln!(
        "throughput {:.1} samples/s simulated ({:.2} s simulation, {:.2} s read-back)",
        n as f64 / sim_run.run_seconds.max(1e-9),
        sim_run.run_seconds,
        sim_run.read_seconds
    );
    if let Some(v) = &sim_run.vcd {
        let bytes = std::fs::metadata(v).map(|m| m.len()).unwrap_or(0);
        outln!("waveform   {} ({:.1} MB)", v.display(), bytes as f64 / 1e6);
        if bytes > 1_000_000_000 {
            outln!(
                "note       large waveform: --trace-depth 1 (ports only), no --vcd, or a shorter --trace-samples keep it small"
            );
        }
    }
    outln!("event log  {}", sim_run.event_log.display());
    Ok(())
}

/// Prints where the waveform goes and its estimated size, before it is written.
fn announce_waveform(design: &Design, golden: &[golden::integer::IntInference], run: &RunConfig) {
    if !run.trace {
        return;
    }
    let (traced, kind): (Vec<_>, _) = match &run.trace_samples {
        Some(w) => (golden[w.clone()].iter().collect(), "every signal"),
        None => (golden.iter().collect(), "ports"),
    };
    let full = run.trace_depth.is_none_or(|d| d > 1);
    let trace = if full {
        sim::stats::TraceKind::Full
    } else {
        sim::stats::TraceKind::Ports
    };
    let bytes = sim::stats::estimate_vcd_bytes(&design.manifest, &traced, trace);
    let vcd = run
        .vcd
        .clone()
        .unwrap_or_else(|| run.work_dir.join("ttfs.vcd"));
    eprintln!(
        "waveform   {} of {} samples into {}: about {:.1} MB (estimate)",
        if full { kind } else { "ports" },
        traced.len(),
        vcd.display(),
        bytes as f64 / 1e6
    );
}

/// A spinner with the elapsed time on stderr (hidden when stderr is not a terminal or `!show`).
fn progress(msg: &str, show: bool) -> indicatif::ProgressBar {
    let pb = if show {
        indicatif::ProgressBar::new_spinner()
    } else {
        indicatif::ProgressBar::hidden()
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
        pb.set_style(style);
    }
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(200));
    pb
}

/// The run as a [`sim::stats::CosimReport`]; writes `--json` and `--junit` when asked (before the
/// exit status says whether golden and the hardware agree).
fn write_results(
    job: &Cosim,
    design: &Design,
    golden: &[golden::integer::IntInference],
    sim_run: &sim::SimRun,
    labels: &[u8],
    report: &golden::compare::Report,
    stats: CosimStats,
) -> anyhow::Result<sim::stats::CosimReport> {
    let m = &design.manifest;
    let per_sample = sim::stats::SampleResult::all(m, golden, &sim_run.observed, labels, report);
    if let Some(path) = &job.junit {
        let suite = sim::junit::Suite {
            name: format!("{} ({})", design.dir.display(), m.engine),
            seconds: sim_run.run_seconds,
            samples: &per_sample,
        };
        let xml = sim::junit::to_xml(&[suite]).context("formatting the JUnit report")?;
        golden::io::write_atomic(path, &xml)
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    let r = sim::stats::CosimReport {
        schema: sim::stats::COSIM_SCHEMA.to_string(),
        design: design.dir.display().to_string(),
        engine: m.engine.clone(),
        sizes: m.sizes.clone(),
        model_file: job.model.display().to_string(),
        data: job.data.display().to_string(),
        split: job.split.to_string(),
        simulator: job.simulator_name.clone(),
        agreement: report.is_clean(),
        samples_with_mismatch: report.samples_with_mismatch(),
        build_seconds: sim_run.build_seconds,
        build_cached: sim_run.build_cached,
        run_seconds: sim_run.run_seconds,
        read_seconds: sim_run.read_seconds,
        stats,
        comparison: report.clone(),
        per_sample,
    };
    if let Some(path) = &job.json {
        super::data::write_json(path, &r)?;
    }
    Ok(r)
}

/// The simulation's progress on stderr: samples done, samples/s and the time left, read from the
/// bench's event log while the simulator writes it (one `D` line per finished sample; the log is
/// buffered by the bench, so the count lags by a few kilobytes), then a spinner through the
/// read-back. Nothing when stderr is not a terminal or with `--quiet`.
struct SimProgress {
    bar: indicatif::ProgressBar,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    poller: Option<std::thread::JoinHandle<()>>,
}

impl SimProgress {
    fn start(job: &Cosim, n: usize) -> SimProgress {
        use std::sync::atomic::{AtomicBool, Ordering};
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        if !job.progress || !std::io::stderr().is_terminal() {
            return SimProgress {
                bar: indicatif::ProgressBar::hidden(),
                stop,
                poller: None,
            };
        }
        let bar = indicatif::ProgressBar::new(n as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} {bar:30} {pos}/{len} samples, {per_sec}, ETA {eta} [{elapsed}]",
        ) {
            bar.set_style(style);
        }
        bar.set_message(format!("simulating ({})", job.simulator_name));
        bar.enable_steady_tick(std::time::Duration::from_millis(250));
        // The log of an earlier run in the same folder must not count (sim::run removes it too).
        let log = job.run.work_dir.join("events.log");
        let _ = std::fs::remove_file(&log);
        let (b, flag) = (bar.clone(), stop.clone());
        let poller = std::thread::spawn(move || {
            use std::io::{Read, Seek};
            let (mut offset, mut done, mut tail) = (0u64, 0u64, Vec::new());
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(250));
                let Ok(mut f) = std::fs::File::open(&log) else {
                    continue;
                };
                let mut chunk = Vec::new();
                if f.seek(std::io::SeekFrom::Start(offset)).is_err()
                    || f.read_to_end(&mut chunk).is_err()
                {
                    continue;
                }
                offset += chunk.len() as u64;
                tail.extend_from_slice(&chunk);
                // Whole lines only; a partial last line waits for the next poll.
                let cut = tail.iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
                done += tail[..cut]
                    .split(|&c| c == b'\n')
                    .filter(|l| l.starts_with(b"D "))
                    .count() as u64;
                tail.drain(..cut);
                b.set_position(done);
                if done >= n as u64 {
                    b.set_message("simulated; reading the results back");
                }
            }
        });
        SimProgress {
            bar,
            stop,
            poller: Some(poller),
        }
    }

    fn finish(mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(p) = self.poller.take() {
            let _ = p.join();
        }
        self.bar.finish_and_clear();
    }
}

/// Runs golden and the RTL on the same samples, prints the report, fails on any difference;
/// returns the results on agreement.
pub fn cosim(job: &Cosim) -> anyhow::Result<sim::stats::CosimReport> {
    cosim_on(job, None)
}

/// The design to simulate: the RTL itself, or (`--netlist`) its netlist synthesized for a family,
/// with Yosys' pass headers on a spinner so a long synthesis is not silent.
fn synthesize_if_asked(
    job: &Cosim,
    design: &Design,
    netlist: Option<toolchain::SynthTarget>,
    what: &str,
) -> anyhow::Result<(Design, Option<toolchain::Netlist>)> {
    Ok(match netlist {
        None => (design.clone(), None),
        Some(t) => {
            let spinner = progress(
                &format!("synthesizing {what} (Yosys; minutes the first time, cached afterwards)"),
                job.progress,
            );
            // Yosys' pass headers on the spinner, so a long synthesis is not silent.
            let mut yosys = |_: usize, _: toolchain::Stream, line: &str| {
                if line.contains(". Executing ") {
                    spinner.set_message(format!("yosys: {line}"));
                }
            };
            let r = sim::netlist_design(design, t, Some(&mut yosys));
            spinner.finish_and_clear();
            let (gates, n) = r.with_context(|| format!("synthesizing {what}"))?;
            (gates, Some(n))
        }
    })
}

/// The Verilator build as its own phase (minutes the first time, then cached), with a spinner.
fn build_phase(job: &Cosim, simulated: &Design) -> anyhow::Result<()> {
    // The build first, as its own phase: minutes the first time, then cached.
    let spinner = progress(
        "building the Verilator model (the first build of this Verilog takes minutes; cached afterwards)",
        job.progress,
    );
    let built = sim::build_verilator(simulated).context("building the Verilator model");
    spinner.finish_and_clear();
    let built = built?;
    if job.progress && std::io::stderr().is_terminal() {
        eprintln!(
            "verilator  build {}",
            build_text(
                built.cached,
                built.original_build_seconds,
                built.build_seconds
            )
        );
    }
    Ok(())
}

/// [`cosim`] on the design's RTL (`netlist` `None`) or on its netlist synthesized for a family.
pub fn cosim_on(
    job: &Cosim,
    netlist: Option<toolchain::SynthTarget>,
) -> anyhow::Result<sim::stats::CosimReport> {
    let design = Design::load(&job.design)
        .with_context(|| format!("loading the design in {}", job.design.display()))?;
    let net = golden::io::load_quant(&job.model)
        .with_context(|| format!("loading the integer model {}", job.model.display()))?;
    design.manifest.check_network(&net)?;
    let split = job.split;
    let data = super::data::load_split_for(&job.model, &job.data, split)?;
    if data.pixels() != design.manifest.sizes[0] {
        bail!(
            "the data has {} pixels per image, the design {} inputs",
            data.pixels(),
            design.manifest.sizes[0]
        );
    }
    if job.samples == 0 || data.is_empty() {
        bail!(
            "no samples to run (--samples {}, the {split} split of {} has {})",
            job.samples,
            job.data.display(),
            data.len()
        );
    }
    if job.samples > data.len() {
        bail!(
            "--samples {}: the {split} split of {} has only {} samples",
            job.samples,
            job.data.display(),
            data.len()
        );
    }
    let n = job.samples;
    let inputs: Vec<Vec<Option<u32>>> = (0..n)
        .map(|i| encode::encode_steps(data.image(i), net.n_in_steps))
        .collect();
    let runner = IntegerRunner::new(&net);
    let golden: Vec<_> = inputs.iter().map(|x| runner.run(x)).collect();
    announce_waveform(&design, &golden, &job.run);
    let what = match netlist {
        Some(t) => format!("the {} netlist", t.name()),
        None => "the RTL".to_string(),
    };
    let (simulated, synthesized) = synthesize_if_asked(job, &design, netlist, &what)?;
    if job.run.simulator == Simulator::Verilator {
        build_phase(job, &simulated)?;
    }
    let watch = SimProgress::start(job, n);
    let sim_run = sim::run(&simulated, &inputs, &job.run)
        .with_context(|| format!("running the simulation of {what}"));
    watch.finish();
    let sim_run = sim_run?;
    let report = compare(&golden, &sim_run.observed);
    let stats = CosimStats::new(&design.manifest, &golden, &sim_run.observed, &data.labels);
    print_header(&design, job, &sim_run, n)?;
    if let Some(n) = &synthesized {
        print_netlist(n)?;
    }
    out!("{}", report.describe(job.max_lines));
    print_stats(&stats)?;
    print_files(&sim_run, n)?;
    let results = write_results(
        job,
        &design,
        &golden,
        &sim_run,
        &data.labels,
        &report,
        stats,
    )?;
    if !report.is_clean() {
        if let Some(&(sample, cycle)) = report.first_divergence().first() {
            outln!(
                "first divergence: sample {sample} at cycle {cycle} = {} ns in the waveform (posedge c at 10c + 5 ns)",
                10 * cycle + 5
            );
        }
        return Err(super::Mismatch(format!(
            "{} of {n} samples differ between golden and {what}",
            report.samples_with_mismatch()
        ))
        .into());
    }
    Ok(results)
}
