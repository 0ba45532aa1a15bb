//! `ttfs wave`: look at spikes and waveforms. For chosen samples, from golden's integer model and
//! (with `--vcd`) from a co-simulation VCD written by `ttfs cosim --vcd`: a terminal summary per sample
//! with every difference from golden highlighted, spike rasters per layer (golden and hardware side by
//! side), membrane potential and slope of chosen neurons with the threshold, GTKWave save files (and a
//! per-neuron VCD demultiplexed from the lanes, in clock cycles), and
//! (with `--compare-model`) the rasters of two models on the same sample side by side.
//!
//! Sample `k` of the VCD is sample `k` of the data split: `ttfs cosim` runs the first N samples.

use super::data::{check_fit, load_data, load_model, SelectionArgs, SplitArg};
use super::quantize::QuantArgs;
use anyhow::{bail, Context, Result};
use golden::compare::ObservedInference;
use golden::idx::Dataset;
use golden::integer::{IntInference, IntegerRunner};
use golden::{encode, QuantNetwork};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;
use wave::plot::{write_svg_png, Membrane, MembraneSeries, Raster};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Integer model (the one the design was generated from), or a float model with --bits/--steps.
    #[arg(long)]
    pub model: PathBuf,
    /// Co-simulation VCD (`ttfs cosim --vcd`); without it, golden's views only.
    #[arg(long)]
    pub vcd: Option<PathBuf>,
    /// The design folder the VCD was simulated from (`ttfs hdl --out`): its manifest names the
    /// internal signals of the hardware membrane traces and of the save file's layer groups.
    #[arg(long, requires = "vcd")]
    pub design: Option<PathBuf>,
    /// Data sample of the VCD's first sample: K for a VCD written by `ttfs cosim --trace-samples K-M`.
    #[arg(long, default_value_t = 0, requires = "vcd")]
    pub vcd_first_sample: usize,
    /// Folder with IDX files. Default: the data set the model was trained on (its file records it), else the embedded MNIST subset.
    #[arg(long)]
    pub data: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "test")]
    pub split: SplitArg,
    /// Samples (indices into the split; with --vcd also into the VCD's samples).
    #[command(flatten)]
    pub samples: SelectionArgs,
    /// Layers in the rasters (0 = input). Default: every hidden layer and the output layer.
    #[arg(long, value_delimiter = ',')]
    pub layers: Vec<usize>,
    /// Neurons for the membrane plots as LAYER:NEURON, e.g. `1:0,2:7`. Default: the first neuron to
    /// fire in each layer (golden).
    #[arg(long, value_delimiter = ',')]
    pub neurons: Vec<String>,
    /// Output folder for the pictures and the save file.
    #[arg(long, default_value = "wave-out")]
    pub out: PathBuf,
    /// Summary only: no pictures.
    #[arg(long)]
    pub no_plots: bool,
    /// Write GTKWave save files into --out. With --design and a full-depth VCD: a per-neuron VCD
    /// `<vcd name>.demux.vcd` (every neuron's V, S and spike, phases as text, time in cycles) with
    /// `<vcd name>.gtkw` opening on its first sample, and `<vcd name>.lanes.gtkw` for the RTL's
    /// own signals; otherwise `<vcd name>.gtkw` for the ports.
    #[arg(long, requires = "vcd")]
    pub gtkw: bool,
    /// Lanes per layer shown as analog potential/slope traces in the save file.
    #[arg(long, default_value_t = 4)]
    pub gtkw_lanes: usize,
    /// A second model (e.g. SSR-regularized): its golden rasters beside the first model's.
    #[arg(long)]
    pub compare_model: Option<PathBuf>,
    #[command(flatten)]
    pub quant: QuantArgs,
}

/// An integer model from an integer file, or a float file quantized with the flags.
fn integer_model(path: &Path, quant: &QuantArgs) -> Result<QuantNetwork> {
    quant.integer_model(load_model(path)?, path)
}

/// `LAYER:NEURON` pairs, checked against the layer sizes (input first).
fn parse_neurons(specs: &[String], sizes: &[usize]) -> Result<Vec<(usize, usize)>> {
    let mut out = Vec::new();
    for s in specs {
        let (l, i) = s
            .split_once(':')
            .with_context(|| format!("--neurons: '{s}' is not LAYER:NEURON"))?;
        let l: usize = l
            .trim()
            .parse()
            .with_context(|| format!("--neurons: bad layer in '{s}'"))?;
        let i: usize = i
            .trim()
            .parse()
            .with_context(|| format!("--neurons: bad neuron in '{s}'"))?;
        if l == 0 || l >= sizes.len() {
            bail!(
                "--neurons: layer {l} has no potential (layers 1..={} compute)",
                sizes.len() - 1
            );
        }
        if i >= sizes[l] {
            bail!(
                "--neurons: layer {l} has {} neurons (0..={}), not {i}",
                sizes[l],
                sizes[l] - 1
            );
        }
        out.push((l, i));
    }
    Ok(out)
}

/// Default membrane neurons: per computing layer, the first to fire (step, then index), else neuron 0.
fn default_neurons(g: &IntInference) -> Vec<(usize, usize)> {
    (1..g.spikes.layers.len())
        .map(|l| {
            let first = g.spikes.layers[l]
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.map(|k| (k, i)))
                .min()
                .map_or(0, |(_, i)| i);
            (l, first)
        })
        .collect()
}

/// Checks that `--model`, `--design` and `--vcd` belong together: the design's manifest fits the
/// model (sizes, steps, widths), and the VCD's ports have the widths the design (or, without
/// `--design`, the model) gives them. A mismatched pairing is an input error, not a difference.
fn check_belong_together(args: &Args, net: &QuantNetwork) -> Result<()> {
    let Some(vcd) = &args.vcd else {
        return Ok(());
    };
    let (widths, other) = match &args.design {
        Some(d) => {
            let m = hdl::Manifest::load(&d.join(hdl::MANIFEST_FILE))?;
            m.check_network(net).with_context(|| {
                format!(
                    "--design {} was not generated from --model {}",
                    d.display(),
                    args.model.display()
                )
            })?;
            (m.ports.clone(), format!("the design {}", d.display()))
        }
        None => (
            hdl::PortWidths::for_network(&net.sizes(), net.n_steps),
            format!(
                "the model {} (sizes {:?}, {} steps)",
                args.model.display(),
                net.sizes(),
                net.n_steps
            ),
        ),
    };
    wave::check_ports(vcd, &widths, &other)?;
    Ok(())
}

/// The hardware's observations from `--vcd` (checked to hold every chosen sample), if given.
fn read_hardware(
    args: &Args,
    net: &QuantNetwork,
    samples: &[usize],
) -> Result<Option<Vec<ObservedInference>>> {
    let sizes = net.sizes();
    Ok(match &args.vcd {
        Some(vcd) => {
            check_belong_together(args, net)?;
            let t0 = Instant::now();
            let obs = wave::read_observed(vcd, &sizes, net.n_steps, net.n_in_steps)
                .with_context(|| format!("reading the co-simulation VCD {}", vcd.display()))?;
            let mb = std::fs::metadata(vcd).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
            eprintln!(
                "read {} ({mb:.1} MB, {} samples) in {:.2} s",
                vcd.display(),
                obs.len(),
                t0.elapsed().as_secs_f64()
            );
            if let Some(&k) = samples.iter().find(|&&k| k < args.vcd_first_sample) {
                bail!(
                    "sample {k} is not in {}: its first sample is data sample {} (--vcd-first-sample)",
                    vcd.display(),
                    args.vcd_first_sample
                );
            }
            let in_vcd: Vec<usize> = samples.iter().map(|k| k - args.vcd_first_sample).collect();
            wave::check_samples(&in_vcd, obs.len(), vcd)?;
            Some(obs)
        }
        None => None,
    })
}

/// The internal signals a viewer may show, from `--design`'s manifest (none without it).
fn debug_signals(args: &Args) -> Result<Vec<hdl::DebugSignal>> {
    Ok(match &args.design {
        Some(d) => hdl::Manifest::load(&d.join(hdl::MANIFEST_FILE))?.debug_signals,
        None => Vec::new(),
    })
}

/// The GTKWave save files for `--vcd` (with `--gtkw`), in `--out`, naming their dump files
/// relative to themselves: with `--design` (and a full-depth VCD), the per-neuron VCD
/// `<stem>.demux.vcd` (`wave::demux`) and its save file `<stem>.gtkw` (opens on the first traced
/// sample, time in cycles), plus `<stem>.lanes.gtkw` for the RTL's own signals; otherwise
/// `<stem>.gtkw` for the ports (and whatever the manifest names).
fn write_gtkw(args: &Args, layers: &[usize]) -> Result<()> {
    let (true, Some(vcd)) = (args.gtkw, &args.vcd) else {
        return Ok(());
    };
    let (_, header) = wave::header::open(vcd)?;
    let opts = wave::gtkw::GtkwOptions {
        layers: if args.layers.is_empty() {
            Vec::new()
        } else {
            layers.to_vec()
        },
        lanes: args.gtkw_lanes,
        ..Default::default()
    };
    let stem = vcd
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ttfs".into());
    let manifest = match &args.design {
        Some(d) => Some(hdl::Manifest::load(&d.join(hdl::MANIFEST_FILE))?),
        None => None,
    };
    let neuron_view = match &manifest {
        Some(m) => write_neuron_view(args, vcd, m, &stem)?,
        None => false,
    };
    let name = if neuron_view {
        format!("{stem}.lanes.gtkw")
    } else {
        format!("{stem}.gtkw")
    };
    let path = args.out.join(&name);
    let signals = manifest.map(|m| m.debug_signals).unwrap_or_default();
    let dump = wave::gtkw::relative_to(&args.out, vcd);
    let (text, names) = wave::gtkw::gtkw_text(&header, &signals, &dump, Path::new(&name), &opts);
    golden::io::write_atomic(&path, text.as_bytes())?;
    outln!(
        "wrote {} (the RTL's signals, {} traces; open with: gtkwave {} {})",
        path.display(),
        names.len(),
        vcd.display(),
        path.display()
    );
    Ok(())
}

/// The per-neuron VCD and its save file (see [`write_gtkw`]); `false` (with a note) when the VCD
/// holds no engine signals to demultiplex.
fn write_neuron_view(args: &Args, vcd: &Path, m: &hdl::Manifest, stem: &str) -> Result<bool> {
    let demux_name = format!("{stem}.demux.vcd");
    let demux_path = args.out.join(&demux_name);
    let t0 = Instant::now();
    let opts = wave::demux::DemuxOptions {
        first_sample: args.vcd_first_sample,
    };
    let summary = match wave::demux::demux(vcd, m, &demux_path, &opts) {
        Ok(s) => s,
        Err(wave::WaveError::NoEngineSignals { .. }) => {
            eprintln!(
                "note: {} holds the ports only (--trace-depth 1?): no per-neuron view",
                vcd.display()
            );
            return Ok(false);
        }
        Err(e) => return Err(e).with_context(|| format!("demultiplexing {}", vcd.display())),
    };
    let (_, header) = wave::header::open(&demux_path)?;
    let gtkw_name = format!("{stem}.gtkw");
    let (text, names) = wave::gtkw::neuron_gtkw_text(
        &header,
        &summary,
        &demux_name,
        &gtkw_name,
        &Default::default(),
    );
    let gtkw_path = args.out.join(&gtkw_name);
    golden::io::write_atomic(&gtkw_path, text.as_bytes())?;
    let neurons: usize = summary.layers.iter().map(|&(_, n)| n).sum();
    outln!(
        "wrote {} ({neurons} neurons x V, S, spike over {} samples, time in cycles; {:.1} s) and {} ({} traces, opens on sample {}; open with: gtkwave {} {})",
        demux_path.display(),
        summary.samples.len(),
        t0.elapsed().as_secs_f64(),
        gtkw_path.display(),
        names.len(),
        summary.samples.first().map_or(0, |s| s.sample),
        demux_path.display(),
        gtkw_path.display()
    );
    Ok(true)
}

/// The `--compare-model`, checked against the first model's inputs and the chosen layers.
fn second_model(args: &Args, sizes: &[usize], layers: &[usize]) -> Result<Option<QuantNetwork>> {
    Ok(match &args.compare_model {
        Some(p) => {
            let q = integer_model(p, &args.quant)?;
            if q.sizes()[0] != sizes[0] {
                bail!(
                    "--compare-model {} has {} inputs, --model {} has {}",
                    p.display(),
                    q.sizes()[0],
                    args.model.display(),
                    sizes[0]
                );
            }
            if let Some(&l) = layers.iter().find(|&&l| l >= q.sizes().len()) {
                bail!(
                    "--compare-model {} has no layer {l} (sizes {:?})",
                    p.display(),
                    q.sizes()
                );
            }
            Some(q)
        }
        None => None,
    })
}

pub fn run(args: &Args) -> Result<()> {
    let net = integer_model(&args.model, &args.quant)?;
    let sizes = net.sizes();
    let data_dir = super::data::data_for(args.data.as_deref(), &args.model)?;
    let data = load_data(&args.model, &data_dir, args.split, None)?;
    check_fit(&data, sizes[0], &args.model, &data_dir)?;
    let samples = args.samples.resolve(data.len())?;
    let n_layers = sizes.len() - 1;
    let layers: Vec<usize> = if args.layers.is_empty() {
        (1..=n_layers).collect()
    } else {
        args.layers.clone()
    };
    if let Some(&l) = layers.iter().find(|&&l| l > n_layers) {
        bail!("--layers: layer {l} does not exist (0 = input .. {n_layers} = output)");
    }
    let explicit_neurons = parse_neurons(&args.neurons, &sizes)?;
    let runner = IntegerRunner::new(&net);
    let golden: Vec<IntInference> = samples
        .iter()
        .map(|&k| runner.run(&encode::encode_steps(data.image(k), net.n_in_steps)))
        .collect();

    let observed = read_hardware(args, &net, &samples)?;
    // Summary.
    // Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
    let color = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut differences = 0;
    for (g, &k) in golden.iter().zip(&samples) {
        let hw = observed.as_ref().map(|o| &o[k - args.vcd_first_sample]);
        let (text, d) = wave::summary::sample_summary(k, Some(data.labels[k]), g, hw, color);
        out!("{text}");
        differences += d;
    }
    if observed.is_some() {
        outln!(
            "{} differences from golden in {} samples",
            differences,
            samples.len()
        );
    }

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    write_gtkw(args, &layers)?;
    // Differences are reported through the exit status (1) after the pictures that show them.
    let verdict = if differences > 0 {
        Err(super::Mismatch(format!(
            "{differences} differences between golden and {} in the chosen samples",
            args.vcd
                .as_deref()
                .unwrap_or(Path::new("the VCD"))
                .display()
        ))
        .into())
    } else {
        Ok(())
    };
    if args.no_plots {
        return verdict;
    }

    let second = second_model(args, &sizes, &layers)?;
    let views = Views {
        net: &net,
        data: &data,
        samples: &samples,
        golden: &golden,
        observed: observed.as_ref(),
        layers: &layers,
        explicit_neurons: &explicit_neurons,
    };
    draw_pictures(args, &views, second.as_ref())?;
    verdict
}

/// The hardware's potentials and slopes of the `wanted` neurons from `--vcd`, if given.
fn read_traces(
    args: &Args,
    samples: &[usize],
    wanted: &[(usize, usize)],
) -> Result<Option<wave::hwtrace::HwTraces>> {
    let Some(vcd) = &args.vcd else {
        return Ok(None);
    };
    let in_vcd: Vec<usize> = samples.iter().map(|k| k - args.vcd_first_sample).collect();
    let t = wave::hwtrace::read_hw_traces(vcd, &debug_signals(args)?, &in_vcd, wanted)
        .with_context(|| format!("reading potentials from {}", vcd.display()))?;
    if !t.missing_layers.is_empty() {
        eprintln!(
            "note: {} has no engine signals of layers {:?} (traced with --trace-depth 1, or no --design?): membrane plots show golden only there",
            vcd.display(),
            t.missing_layers
        );
    }
    Ok(Some(t))
}

/// What the pictures are drawn from.
struct Views<'a> {
    net: &'a QuantNetwork,
    data: &'a Dataset,
    samples: &'a [usize],
    golden: &'a [IntInference],
    observed: Option<&'a Vec<ObservedInference>>,
    layers: &'a [usize],
    explicit_neurons: &'a [(usize, usize)],
}

/// Rasters, membrane traces and (with `--compare-model`) the two-model rasters of every sample.
fn draw_pictures(args: &Args, v: &Views, second: Option<&QuantNetwork>) -> Result<()> {
    let Views {
        net,
        data,
        samples,
        golden,
        observed,
        layers,
        explicit_neurons,
    } = *v;
    // Which neurons to trace, per sample.
    let neurons_of = |g: &IntInference| {
        if explicit_neurons.is_empty() {
            default_neurons(g)
        } else {
            explicit_neurons.to_vec()
        }
    };
    let mut wanted: Vec<(usize, usize)> = golden.iter().flat_map(neurons_of).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let hw_traces = match observed {
        Some(_) => read_traces(args, samples, &wanted)?,
        None => None,
    };

    let mut written = Vec::new();
    for (g, &k) in golden.iter().zip(samples) {
        let label = data.labels[k];
        let mut columns = vec![("golden".to_string(), g.spikes.clone())];
        if let Some(o) = &observed {
            columns.push((
                "hardware (VCD)".to_string(),
                o[k - args.vcd_first_sample].spikes.clone(),
            ));
        }
        let raster = Raster::new(
            format!("sample {k} (label {label}): spike raster"),
            columns,
            layers.to_vec(),
            net.n_steps,
        )?;
        written.extend(write_svg_png(
            &raster,
            &args.out.join(format!("raster_s{k}")),
        )?);

        let series = neurons_of(g)
            .into_iter()
            .map(|(l, i)| {
                let golden_trace = wave::trace::neuron_trace(net, &g.spikes, l, i)?;
                let hardware = hw_traces
                    .as_ref()
                    .and_then(|t| t.traces.get(&(k - args.vcd_first_sample, l, i)).cloned());
                Ok(MembraneSeries {
                    label: format!("layer {l} neuron {i}"),
                    golden: golden_trace,
                    hardware,
                })
            })
            .collect::<wave::Result<Vec<_>>>()?;
        let membrane = Membrane {
            title: format!("sample {k} (label {label}): membrane potential and slope"),
            series,
            n_steps: net.n_steps,
        };
        written.extend(write_svg_png(
            &membrane,
            &args.out.join(format!("membrane_s{k}")),
        )?);

        if let (Some(q2), Some(p2)) = (second, &args.compare_model) {
            written.extend(draw_comparison(args, v, k, g, q2, p2)?);
        }
    }
    for p in &written {
        outln!("wrote {}", p.display());
    }
    Ok(())
}

/// The two models' rasters of sample `k` side by side (`--compare-model`), each titled with its
/// decision and hidden spike count.
fn draw_comparison(
    args: &Args,
    v: &Views,
    k: usize,
    g: &IntInference,
    q2: &QuantNetwork,
    p2: &Path,
) -> Result<[PathBuf; 2]> {
    let model_name = |p: &Path| {
        p.parent()
            .and_then(|d| d.file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string())
    };
    let g2 = IntegerRunner::new(q2).run(&encode::encode_steps(v.data.image(k), q2.n_in_steps));
    let title = |p: &Path, g: &IntInference| {
        let hidden: usize = g.spikes.counts()[1..g.spikes.layers.len() - 1].iter().sum();
        format!(
            "{} (decision {}, {hidden} hidden spikes)",
            model_name(p),
            g.decision.map_or("none".to_string(), |d| d.to_string())
        )
    };
    let cmp = Raster::new(
        format!("sample {k} (label {}): two models", v.data.labels[k]),
        vec![
            (title(&args.model, g), g.spikes.clone()),
            (title(p2, &g2), g2.spikes.clone()),
        ],
        v.layers.to_vec(),
        v.net.n_steps.max(q2.n_steps),
    )?;
    Ok(write_svg_png(
        &cmp,
        &args.out.join(format!("compare_s{k}")),
    )?)
}
