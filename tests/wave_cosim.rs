//! `wave` on a real co-simulation: a random 9-20-7-3 network (4 lanes, so layers 1 and 2 are
//! time-multiplexed over 5 and 2 groups) through `hdl::generate` -> Verilator with a full-depth VCD ->
//! the wave readers. Checks the pictures' content (one SVG circle per spike, axis ranges), the
//! hardware potentials against golden's trace, the GTKWave save file against the VCD's declared
//! signals, the summary's highlighting of a difference, and clear errors on bad input.

use golden::compare::ObservedInference;
use golden::integer::IntInference;
use golden::QuantNetwork;
use hdl::HdlConfig;
use sim::{RunConfig, Simulator};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use testkit::inputs::random_inputs;
use testkit::nets::{IntNet, Thresholds};
use testkit::{load_generated, Rng};
use wave::plot::{svg_text, write_svg_png, Membrane, MembraneSeries, Raster};

const SIZES: [usize; 4] = [9, 20, 7, 3];
const N_STEPS: u32 = 12;
const N_IN: u32 = 4;

struct Fixture {
    _dir: tempfile::TempDir,
    net: QuantNetwork,
    golden: Vec<IntInference>,
    observed: Vec<ObservedInference>,
    /// The design's debug signals (its manifest's), which name what the viewers read.
    signals: Vec<hdl::DebugSignal>,
    manifest: hdl::Manifest,
    /// Full-depth VCD (every signal of the design).
    vcd: PathBuf,
    /// The same run traced to the top-level ports only.
    vcd_ports: PathBuf,
    /// The same run with only samples 2 and 3 dumped (full depth).
    vcd_window: PathBuf,
    window_observed: Vec<ObservedInference>,
}

/// 6-bit weights in -20..=31: mostly positive, so most neurons fire, some late or never.
fn random_net(seed: u64) -> QuantNetwork {
    IntNet::biased(&SIZES, 6, Thresholds::Fixed(vec![60, 50, 40]))
        .steps(N_STEPS, N_IN)
        .seeded(seed)
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let net = random_net(5);
        let design = hdl::generate(&net, &HdlConfig { lanes: vec![4] }).unwrap();
        let d = load_generated(&design, &dir.path().join("design"));
        let inputs = random_inputs(&mut Rng::new(11), SIZES[0], N_IN, 5);
        let golden = testkit::golden_runs(&net, &inputs);
        let vcd = dir.path().join("full.vcd");
        let mut cfg = RunConfig::new(Simulator::Verilator, &dir.path().join("run"));
        cfg.vcd = Some(vcd.clone());
        let run = sim::run(&d, &inputs, &cfg).unwrap();
        let vcd_ports = dir.path().join("ports.vcd");
        cfg.vcd = Some(vcd_ports.clone());
        cfg.trace_depth = Some(1);
        sim::run(&d, &inputs, &cfg).unwrap();
        let vcd_window = dir.path().join("window.vcd");
        cfg.vcd = Some(vcd_window.clone());
        cfg.trace_depth = None;
        cfg.trace_samples = Some(2..4);
        let window_observed = sim::run(&d, &inputs, &cfg).unwrap().observed;
        Fixture {
            _dir: dir,
            net,
            golden,
            observed: run.observed,
            signals: design.manifest.debug_signals.clone(),
            manifest: design.manifest.clone(),
            vcd,
            vcd_ports,
            vcd_window,
            window_observed,
        }
    })
}

fn spikes_in(train: &golden::SpikeTrain<u32>, layers: &[usize]) -> usize {
    layers
        .iter()
        .map(|&l| train.layers[l].iter().flatten().count())
        .sum()
}

#[test]
fn observed_from_the_vcd_match_golden_and_the_summary_says_so() {
    let f = fixture();
    let obs = wave::read_observed(&f.vcd, &SIZES, N_STEPS, N_IN).unwrap();
    assert_eq!(obs, f.observed);
    assert_eq!(obs.len(), 5);
    let mut fired = 0;
    for (k, (g, o)) in f.golden.iter().zip(&obs).enumerate() {
        let (text, diffs) = wave::summary::sample_summary(k, Some(3), g, Some(o), false);
        assert_eq!(diffs, 0, "{text}");
        assert!(!text.contains("!!"), "{text}");
        assert!(text.contains(&format!("{} cycles", o.cycles)), "{text}");
        // The layer lines carry golden/hardware counts and first/last steps.
        let lines = wave::summary::layer_lines(&g.spikes);
        for (l, line) in lines.iter().enumerate().skip(1) {
            assert_eq!(line.spikes, g.spikes.layers[l].iter().flatten().count());
            assert!(
                text.contains(&format!("{}/{}", line.spikes, line.spikes)),
                "{text}"
            );
            fired += line.spikes;
        }
    }
    assert!(fired > 0, "the random network must fire");
}

#[test]
fn a_difference_is_highlighted_with_layer_neuron_and_steps() {
    let f = fixture();
    let (l, i, k) = f.golden[0]
        .spikes
        .events()
        .find(|&(l, _, _)| l == 1)
        .expect("layer 1 fires in sample 0");
    let mut o = f.observed[0].clone();
    o.spikes.layers[l][i] = Some(k + 1);
    let (text, diffs) = wave::summary::sample_summary(4, None, &f.golden[0], Some(&o), false);
    assert_eq!(diffs, 1, "{text}");
    let expected = format!(
        "!! sample 4 layer 1 neuron {i}: expected step {k}, hardware step {}",
        k + 1
    );
    assert!(text.contains(&expected), "{text}");
    let (colored, _) = wave::summary::sample_summary(4, None, &f.golden[0], Some(&o), true);
    assert!(colored.contains("\x1b[1;31m!! sample 4"), "{colored}");
}

#[test]
fn raster_svg_has_one_circle_per_spike_and_states_its_axis_ranges() {
    let f = fixture();
    let layers = vec![1, 2, 3];
    for (k, (g, o)) in f.golden.iter().zip(&f.observed).enumerate() {
        let raster = Raster::new(
            format!("sample {k}"),
            vec![
                ("golden".into(), g.spikes.clone()),
                ("hardware".into(), o.spikes.clone()),
            ],
            layers.clone(),
            N_STEPS,
        )
        .unwrap();
        let expected = spikes_in(&g.spikes, &layers) + spikes_in(&o.spikes, &layers);
        assert_eq!(raster.dot_count(), expected);
        let svg = svg_text(&raster).unwrap();
        assert_eq!(svg.matches("<circle").count(), expected, "sample {k}");
        assert_eq!(
            svg.matches(&format!("time step n (0 to {N_STEPS})"))
                .count(),
            6
        );
        for (l, n) in [(1, 20), (2, 7), (3, 3)] {
            let desc = format!("neuron (0 to {})", n - 1);
            assert_eq!(svg.matches(&desc).count(), 2, "layer {l}: {desc}");
            let c = g.spikes.layers[l].iter().flatten().count();
            assert!(svg.contains(&format!("golden: layer {l}, {c} spikes")));
        }
    }
    // The input layer can be drawn too; files are written as SVG and PNG.
    let dir = tempfile::tempdir().unwrap();
    let raster = Raster::new(
        "inputs",
        vec![("golden".into(), f.golden[0].spikes.clone())],
        vec![0],
        N_STEPS,
    )
    .unwrap();
    let [svg, png] = write_svg_png(&raster, &dir.path().join("r")).unwrap();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert_eq!(
        text.matches("<circle").count(),
        f.golden[0].spikes.layers[0].iter().flatten().count()
    );
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert!(bytes.len() > 1000);
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn hardware_potentials_and_slopes_equal_golden_traces() {
    let f = fixture();
    let neurons: Vec<(usize, usize)> = (1..SIZES.len())
        .flat_map(|l| (0..SIZES[l]).map(move |i| (l, i)))
        .collect();
    let samples = [0, 2, 4];
    let hw = wave::hwtrace::read_hw_traces(&f.vcd, &f.signals, &samples, &neurons).unwrap();
    assert!(hw.missing_layers.is_empty());
    let mut compared = 0;
    for &k in &samples {
        for &(l, i) in &neurons {
            let g = wave::trace::neuron_trace(&f.net, &f.golden[k].spikes, l, i).unwrap();
            // The golden trace spikes where golden's forward pass says.
            assert_eq!(g.spike_step, f.golden[k].spikes.layers[l][i]);
            let pts = &hw.traces[&(k, l, i)];
            let steps: Vec<u32> = pts.iter().map(|p| p.step).collect();
            assert_eq!(steps, (1..=N_STEPS).collect::<Vec<_>>(), "{k} {l} {i}");
            for p in pts {
                let n = p.step as usize;
                assert_eq!(
                    (p.potential, p.slope),
                    (g.potential[n], g.slope[n]),
                    "sample {k} layer {l} neuron {i} step {n}"
                );
                assert_eq!(
                    p.fired_before,
                    g.spike_step.is_some_and(|s| (s as usize) < n)
                );
                compared += 1;
            }
        }
    }
    assert_eq!(compared, samples.len() * 30 * N_STEPS as usize);
    // Only the requested samples are read; the ports-only VCD has no engine signals.
    let ports =
        wave::hwtrace::read_hw_traces(&f.vcd_ports, &f.signals, &[0], &[(1, 0), (3, 2)]).unwrap();
    assert_eq!(ports.missing_layers, vec![1, 3]);
    assert!(ports.traces.is_empty());
    // Without the design's debug signals nothing is known about the layers either.
    let none = wave::hwtrace::read_hw_traces(&f.vcd, &[], &[0], &[(1, 0), (3, 2)]).unwrap();
    assert_eq!(none.missing_layers, vec![1, 3]);
}

#[test]
fn membrane_figure_draws_threshold_and_both_sources() {
    let f = fixture();
    let hw = wave::hwtrace::read_hw_traces(&f.vcd, &f.signals, &[1], &[(1, 3), (3, 0)]).unwrap();
    let series: Vec<MembraneSeries> = [(1, 3), (3, 0)]
        .iter()
        .map(|&(l, i)| MembraneSeries {
            label: format!("layer {l} neuron {i}"),
            golden: wave::trace::neuron_trace(&f.net, &f.golden[1].spikes, l, i).unwrap(),
            hardware: hw.traces.get(&(1, l, i)).cloned(),
        })
        .collect();
    let fig = Membrane {
        title: "m".into(),
        series,
        n_steps: N_STEPS,
    };
    let svg = svg_text(&fig).unwrap();
    assert!(svg.contains("threshold 60"));
    assert!(svg.contains("threshold 40"));
    assert_eq!(svg.matches("hardware (VCD)").count(), 2);
    assert_eq!(svg.matches("layer 1 neuron 3: potential V[n]").count(), 1);
    assert_eq!(svg.matches("layer 3 neuron 0: slope S[n]").count(), 1);
    assert_eq!(
        svg.matches(&format!("time step n (0 to {N_STEPS})"))
            .count(),
        4
    );
}

fn declared(vcd: &Path) -> Vec<String> {
    wave::header::open(vcd).unwrap().1.all_names()
}

#[test]
fn gtkw_names_only_signals_of_the_vcd_grouped_per_layer() {
    let f = fixture();
    let (_, header) = wave::header::open(&f.vcd).unwrap();
    let save = Path::new("full.gtkw");
    let (text, names) = wave::gtkw::gtkw_text(
        &header,
        &f.signals,
        Path::new("full.vcd"),
        save,
        &Default::default(),
    );
    let in_file = wave::gtkw::names_in(&text);
    assert_eq!(in_file, names);
    let all = declared(&f.vcd);
    for n in &in_file {
        assert!(all.contains(n), "{n} is not declared in the VCD");
    }
    for l in 1..=3 {
        assert!(
            text.contains(&format!("-layer {l}\n")),
            "group of layer {l}"
        );
        assert!(
            in_file
                .iter()
                .any(|n| n.contains(&format!("u_layer{l}.g_lane[0].pot_sum"))),
            "layer {l} potential"
        );
        for sig in ["g_lane[0].neuron", "g_lane[0].u_neuron.crosses"] {
            assert!(
                in_file
                    .iter()
                    .any(|n| n.contains(&format!("u_layer{l}.{sig}"))),
                "layer {l} {sig}"
            );
        }
    }
    // Potentials are signed analog traces (flags 0x8420), with stretch rows below.
    assert!(text.contains("@8420\nTOP.ttfs_top.u_layer1.g_lane[0].pot_sum["));
    assert!(text.contains("[dumpfile] \"full.vcd\"\n[savefile] \"full.gtkw\"\n"));
    // 4 lanes shown per layer by default, fewer if asked; chosen layers only.
    let opts = wave::gtkw::GtkwOptions {
        layers: vec![2],
        lanes: 1,
        ..Default::default()
    };
    let (t2, n2) = wave::gtkw::gtkw_text(&header, &f.signals, &f.vcd, save, &opts);
    assert!(!t2.contains("u_layer1") && !t2.contains("u_layer3"));
    assert!(n2.iter().all(|n| !n.contains("g_lane[1]")));
    // A ports-only VCD gets a save file with ports only.
    let (_, ph) = wave::header::open(&f.vcd_ports).unwrap();
    let (pt, pn) = wave::gtkw::gtkw_text(&ph, &f.signals, &f.vcd_ports, save, &Default::default());
    let pall = declared(&f.vcd_ports);
    assert!(
        !pn.is_empty() && pn.iter().all(|n| pall.contains(n)),
        "{pt}"
    );
    assert!(!pt.contains("u_layer"));
}

#[test]
fn bad_inputs_give_clear_errors() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.vcd");
    let e = wave::read_observed(&missing, &SIZES, N_STEPS, N_IN).unwrap_err();
    assert!(e.to_string().contains("nope.vcd"), "{e}");
    let e = wave::hwtrace::read_hw_traces(&missing, &f.signals, &[0], &[(1, 0)]).unwrap_err();
    assert!(e.to_string().contains("nope.vcd"), "{e}");

    // A VCD of something else: a clock and a counter.
    let other = dir.path().join("other.vcd");
    std::fs::write(
        &other,
        "$timescale 1ns $end\n$scope module top $end\n$var wire 1 ! clk $end\n$var wire 4 \" count [3:0] $end\n$upscope $end\n$enddefinitions $end\n#0\n0!\nb0 \"\n#5\n1!\n",
    )
    .unwrap();
    let e = wave::read_observed(&other, &SIZES, N_STEPS, N_IN).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("other.vcd") && msg.contains("spk_valid"),
        "{msg}"
    );
    let e = wave::hwtrace::read_hw_traces(&other, &f.signals, &[0], &[(1, 0)]).unwrap_err();
    assert!(
        e.to_string()
            .contains("no scope declares clock, reset, start"),
        "{e}"
    );
    let (_, h) = wave::header::open(&other).unwrap();
    let (_, names) = wave::gtkw::gtkw_text(&h, &f.signals, &other, &other, &Default::default());
    assert!(names.is_empty());

    // Not a VCD at all.
    let text = dir.path().join("text.vcd");
    std::fs::write(&text, "hello\n").unwrap();
    assert!(wave::header::open(&text).is_err());

    // Sample out of range.
    let e = wave::check_samples(&[2, 5], f.observed.len(), &f.vcd).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("sample 5 is out of range") && msg.contains("holds 5 samples"),
        "{msg}"
    );
    assert!(wave::check_samples(&[0, 4], 5, &f.vcd).is_ok());

    // Neuron or layer out of range in a golden trace.
    let e = wave::trace::neuron_trace(&f.net, &f.golden[0].spikes, 2, 7).unwrap_err();
    assert!(e.to_string().contains("layer 2 has 7 neurons"), "{e}");
    let e = wave::trace::neuron_trace(&f.net, &f.golden[0].spikes, 4, 0).unwrap_err();
    assert!(e.to_string().contains("layer 4 does not exist"), "{e}");
    // A raster of a layer that does not exist.
    let e = Raster::new(
        "x",
        vec![("g".into(), f.golden[0].spikes.clone())],
        vec![4],
        12,
    )
    .unwrap_err();
    assert!(e.to_string().contains("layer 4 does not exist"), "{e}");
}

#[test]
fn a_sample_window_dumps_only_those_samples() {
    let f = fixture();
    // The run's results come from the event log and cover every sample.
    assert_eq!(f.window_observed, f.observed);
    let obs = wave::read_observed(&f.vcd_window, &SIZES, N_STEPS, N_IN).unwrap();
    assert_eq!(obs.len(), 2);
    for (j, o) in obs.iter().enumerate() {
        let full = &f.observed[2 + j];
        assert_eq!(o.spikes, full.spikes, "window sample {j}");
        assert_eq!(o.decision, full.decision);
        assert_eq!(o.cycles, full.cycles);
        assert_eq!(o.load_cycles, full.load_cycles);
    }
    let window_len = std::fs::metadata(&f.vcd_window).unwrap().len();
    let full_len = std::fs::metadata(&f.vcd).unwrap().len();
    assert!(window_len < full_len * 3 / 4, "{window_len} vs {full_len}");
    // Potentials of the window's first sample are those of data sample 2.
    let hw = wave::hwtrace::read_hw_traces(&f.vcd_window, &f.signals, &[0], &[(2, 1)]).unwrap();
    let g = wave::trace::neuron_trace(&f.net, &f.golden[2].spikes, 2, 1).unwrap();
    let pts = &hw.traces[&(0, 2, 1)];
    assert_eq!(pts.len(), N_STEPS as usize);
    assert!(pts.iter().all(
        |p| p.potential == g.potential[p.step as usize] && p.slope == g.slope[p.step as usize]
    ));
}

/// Every signal's value after one timestamp.
type Snapshot = (u64, BTreeMap<String, String>);

/// The derived VCD as snapshots: after each timestamp, every signal's value (two's complement
/// vectors as numbers, strings as text), in time order.
fn snapshots(path: &Path) -> (Vec<String>, Vec<Snapshot>) {
    let (mut parser, header) = wave::header::open(path).unwrap();
    let mut names: HashMap<vcd::IdCode, (String, u32)> = HashMap::new();
    for s in &header.scopes {
        for v in &s.vars {
            names.insert(v.code, (wave::header::VcdHeader::full_name(s, v), v.size));
        }
    }
    let mut cur: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    let mut time = None;
    // V and S are two's complement, the rest unsigned.
    let num = |name: &str, bits: &str| -> String {
        let signed = name.ends_with(".V") || name.ends_with(".S");
        match u64::from_str_radix(bits, 2) {
            Ok(u) if signed && bits.len() > 1 && bits.starts_with('1') => {
                (u as i64 - (1i64 << bits.len())).to_string()
            }
            Ok(u) => u.to_string(),
            Err(_) => "x".into(),
        }
    };
    for cmd in parser.by_ref() {
        match cmd.unwrap() {
            vcd::Command::Timestamp(t) => {
                if let Some(t0) = time {
                    out.push((t0, cur.clone()));
                }
                time = Some(t);
            }
            vcd::Command::ChangeScalar(c, v) => {
                cur.insert(names[&c].0.clone(), v.to_string());
            }
            vcd::Command::ChangeVector(c, v) => {
                let n = &names[&c].0;
                let bits: String = v.iter().map(|b| b.to_string()).collect();
                cur.insert(n.clone(), num(n, &bits));
            }
            vcd::Command::ChangeString(c, v) => {
                cur.insert(names[&c].0.clone(), v);
            }
            _ => {}
        }
    }
    if let Some(t0) = time {
        out.push((t0, cur));
    }
    (header.all_names(), out)
}

/// Demultiplexes `vcd` (whose first sample is data sample `first`) and checks every neuron's V and
/// S against golden at the end of each step, and its spike at the end of each sample.
fn check_demux(
    vcd: &Path,
    first: usize,
    expect_samples: &[usize],
) -> (wave::demux::DemuxSummary, PathBuf, tempfile::TempDir) {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d.vcd");
    let opts = wave::demux::DemuxOptions {
        first_sample: first,
    };
    let summary = wave::demux::demux(vcd, &f.manifest, &out, &opts).unwrap();
    assert_eq!(summary.layers, vec![(1, 20), (2, 7), (3, 3)]);
    let samples: Vec<usize> = summary.samples.iter().map(|s| s.sample).collect();
    assert_eq!(samples, expect_samples);
    let (declared, snaps) = snapshots(&out);
    let mut listed = summary.signals.clone();
    listed.sort();
    let mut all = declared.clone();
    all.sort();
    assert_eq!(
        listed, all,
        "every listed signal is declared, and only those"
    );
    for l in 1..=3 {
        for what in ["V", "S", "spike"] {
            assert!(
                declared.contains(&wave::demux::neuron_signal(l, 0, what)),
                "{l} {what}"
            );
        }
        assert!(declared.contains(&format!("layer{l}.phase")));
    }
    let trace = |k: usize, l: usize, i: usize| {
        wave::trace::neuron_trace(&f.net, &f.golden[k].spikes, l, i).unwrap()
    };
    let mut checked = 0;
    let mut phases = std::collections::BTreeSet::new();
    let end = (u64::MAX, BTreeMap::new());
    for pair in snaps
        .iter()
        .chain(std::iter::once(&end))
        .collect::<Vec<_>>()
        .windows(2)
    {
        let ((t, prev), (_, next)) = (pair[0], pair[1]);
        let Some(k) = prev
            .get("ttfs.sample")
            .and_then(|v| v.parse::<usize>().ok())
        else {
            continue;
        };
        let sample_ends = next.get("ttfs.sample") != prev.get("ttfs.sample");
        for l in 1..=3 {
            phases.insert(prev[&format!("layer{l}.phase")].clone());
            let key = format!("layer{l}.step");
            if next.get(&key) == prev.get(&key) && !sample_ends {
                continue;
            }
            let n: usize = prev[&key].parse().unwrap();
            for i in 0..SIZES[l] {
                let g = trace(k, l, i);
                let get = |w: &str| {
                    prev[&wave::demux::neuron_signal(l, i, w)]
                        .parse::<i64>()
                        .unwrap()
                };
                assert_eq!(
                    (get("V"), get("S")),
                    (g.potential[n], g.slope[n]),
                    "sample {k} layer {l} neuron {i} after step {n} (cycle {t})"
                );
                if sample_ends {
                    assert_eq!(n, N_STEPS as usize, "sample {k} ends after the last step");
                    assert_eq!(
                        get("spike") == 1,
                        g.spike_step.is_some(),
                        "spike of {k} {l} {i}"
                    );
                }
                checked += 1;
            }
        }
    }
    let neurons: usize = SIZES[1..].iter().sum();
    assert!(
        checked >= expect_samples.len() * neurons * N_STEPS as usize,
        "{checked} checks"
    );
    let names: Vec<&str> = hdl::engine::layer_seq::PHASE_NAMES.to_vec();
    assert!(
        phases.iter().all(|p| names.contains(&p.as_str())),
        "{phases:?}"
    );
    assert!(phases.contains("RUN"), "{phases:?}");
    // Time is in cycles: the samples' spans match the observed cycle counts.
    for s in &summary.samples {
        let o = &f.observed[s.sample];
        assert!(s.finished);
        assert!(
            s.done > s.start && s.done - s.start <= o.cycles + 1,
            "{s:?} vs {} cycles",
            o.cycles
        );
    }
    (summary, out, dir)
}

#[test]
fn demuxed_potentials_per_neuron_equal_golden_at_every_step() {
    let f = fixture();
    let (summary, out, _dir) = check_demux(&f.vcd, 0, &[0, 1, 2, 3, 4]);
    // The first sample's first spikes are in spike order.
    let first = &summary.samples[0];
    for (li, order) in first.spike_order.iter().enumerate() {
        let l = li + 1;
        let mut expect: Vec<(u32, usize)> = f.golden[0].spikes.layers[l]
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.map(|k| (k, i)))
            .collect();
        expect.sort_unstable();
        let mut got = order.clone();
        got.sort_unstable();
        let mut want: Vec<usize> = expect.iter().map(|&(_, i)| i).collect();
        want.sort_unstable();
        assert_eq!(got, want, "layer {l}");
    }
    // A windowed VCD keeps the data sample numbers and the simulation's cycles.
    let (w, _, _wdir) = check_demux(&f.vcd_window, 2, &[2, 3]);
    assert_eq!(w.samples[0].start, summary.samples[2].start);
    // The save file: every name is declared, it opens on the first sample, no absolute path.
    let (_, header) = wave::header::open(&out).unwrap();
    let (text, names) =
        wave::gtkw::neuron_gtkw_text(&header, &summary, "d.vcd", "d.gtkw", &Default::default());
    let s0 = &summary.samples[0];
    check_neuron_gtkw(
        &text,
        &names,
        &header.all_names(),
        s0.start,
        s0.done - s0.start + 1,
    );
    // A ports-only VCD cannot be demultiplexed, and says why.
    let e = wave::demux::demux(
        &f.vcd_ports,
        &f.manifest,
        &out.with_extension("p.vcd"),
        &Default::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("no engine signals"), "{e}");
}

/// What a per-neuron save file must hold: only declared signals, the view on the first sample,
/// analog potentials, the phase, relative paths.
fn check_neuron_gtkw(text: &str, names: &[String], declared: &[String], start: u64, span: u64) {
    assert_eq!(wave::gtkw::names_in(text), names);
    for n in names {
        assert!(declared.contains(n), "{n} is not declared");
    }
    assert!(text.contains(&format!("[timestart] {start}\n")), "{text}");
    let zoom = text
        .lines()
        .find(|l| l.starts_with('*'))
        .expect("a zoom line");
    let z: f64 = zoom[1..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // GTKWave shows 2^-zoom cycles per 200 pixels: the first sample fills the wave area.
    let shown = 2f64.powf(-z) / 200.0 * f64::from(1600 - 220 - 40);
    assert!(
        shown >= span as f64 && shown < 1.15 * span as f64,
        "{zoom}: {shown} cycles for {span}"
    );
    assert!(names.iter().any(|n| n == "layer1.phase"));
    assert!(
        text.contains("@8424\n[color] 3\n+{layer1 n"),
        "potentials are signed analog: {text}"
    );
    for l in text
        .lines()
        .filter(|l| l.starts_with("[dumpfile]") || l.starts_with("[savefile]"))
    {
        assert!(!l.contains("\"/"), "absolute path: {l}");
    }
}
