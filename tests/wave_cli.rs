//! `ttfs wave` through the command line: golden-only views and the two-model comparison on the
//! committed model, the end-to-end path (quantize -> hdl -> cosim --vcd -> wave --vcd --gtkw), and
//! the errors a user meets. The pictures are checked for content (one SVG circle per spike).
//!
//! `TTFS_BIN=/path/to/ttfs` runs them against another build of the binary.

use golden::integer::IntegerRunner;
use golden::quantize::{quantize, QuantConfig};
use golden::{encode, FloatNetwork, QuantNetwork};
use std::path::Path;
use testkit::cli::{committed_model, data_dir, fails_with, text};
use testkit::ttfs;

/// The quantization every test here uses.
const Q32: [&str; 4] = ["--bits", "8", "--steps", "32"];

fn circles(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .matches("<circle")
        .count()
}

fn spikes(net: &QuantNetwork, sample: usize, layers: &[usize]) -> usize {
    let data = golden::idx::load_split(&data_dir(), golden::idx::Split::Test).unwrap();
    let g = IntegerRunner::new(net).run(&encode::encode_steps(data.image(sample), net.n_in_steps));
    layers
        .iter()
        .map(|&l| g.spikes.layers[l].iter().flatten().count())
        .sum()
}

fn q32(path: &Path) -> QuantNetwork {
    let f = golden::io::load_float(path).unwrap();
    quantize(
        &f,
        &QuantConfig {
            weight_bits: 8,
            n_steps: 32,
            clip_percentile: None,
        },
    )
    .unwrap()
}

#[test]
fn golden_views_and_two_model_comparison() {
    let tmp = tempfile::tempdir().unwrap();
    let base = golden::io::load_float(&committed_model()).unwrap();
    let other = FloatNetwork::random_init(&[784, 100, 10], base.time, &[4.0, 4.0], 1.0, 3).unwrap();
    let other_path = tmp.path().join("random/model.safetensors");
    std::fs::create_dir_all(other_path.parent().unwrap()).unwrap();
    golden::io::save_float(&other_path, &other).unwrap();
    let out = tmp.path().join("out");
    let (m, o_) = (committed_model(), out.to_str().unwrap());
    // `ttfs wave --model M --out OUT`, quantized to 8 bits and 32 steps, plus `extra`.
    let wave = |extra: &[&str]| {
        let base = ["wave", "--model", m.to_str().unwrap(), "--out", o_];
        ttfs!().run(&[&base[..], &Q32, extra].concat())
    };
    let o = wave(&[
        "--compare-model",
        other_path.to_str().unwrap(),
        "--samples",
        "0,3",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("sample 3 (label"), "{}", text(&o));
    let (a, b) = (q32(&committed_model()), q32(&other_path));
    for k in [0, 3] {
        assert_eq!(
            circles(&out.join(format!("raster_s{k}.svg"))),
            spikes(&a, k, &[1, 2]),
            "raster of sample {k}"
        );
        assert_eq!(
            circles(&out.join(format!("compare_s{k}.svg"))),
            spikes(&a, k, &[1, 2]) + spikes(&b, k, &[1, 2]),
            "comparison of sample {k}"
        );
        let m = std::fs::read_to_string(out.join(format!("membrane_s{k}.svg"))).unwrap();
        assert!(m.contains(&format!("threshold {}", a.layers()[0].threshold_q)));
        assert!(m.contains("time step n (0 to 32)"));
        for ext in ["png", "svg"] {
            for name in ["raster", "membrane", "compare"] {
                assert!(out.join(format!("{name}_s{k}.{ext}")).is_file());
            }
        }
    }
    // Input layer only, chosen neurons.
    let o = wave(&["--layers", "0", "--neurons", "1:5,2:9"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(circles(&out.join("raster_s0.svg")), spikes(&a, 0, &[0]));
    let m = std::fs::read_to_string(out.join("membrane_s0.svg")).unwrap();
    assert!(m.contains("layer 1 neuron 5") && m.contains("layer 2 neuron 9"));
}

#[test]
fn bad_inputs_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let model = committed_model();
    let m = model.to_str().unwrap();
    let out = tmp.path().join("out");
    let o_ = out.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut a = vec!["wave", "--model", m, "--out", o_];
        a.extend_from_slice(&Q32);
        a.extend_from_slice(extra);
        ttfs!().run(&a)
    };
    let missing = tmp.path().join("missing.vcd");
    let o = run(&["--vcd", missing.to_str().unwrap()]);
    fails_with(&o, &["missing.vcd"]);

    let not_vcd = tmp.path().join("counter.vcd");
    std::fs::write(
        &not_vcd,
        "$scope module top $end\n$var wire 1 ! clk $end\n$upscope $end\n$enddefinitions $end\n#0\n0!\n",
    )
    .unwrap();
    let o = run(&["--vcd", not_vcd.to_str().unwrap()]);
    fails_with(&o, &["counter.vcd", "spk_valid"]);

    let o = run(&["--samples", "500"]);
    fails_with(&o, &["out of range"]);

    let o = run(&["--neurons", "3:0"]);
    fails_with(&o, &["layer 3 has no potential"]);

    let o = run(&["--neurons", "1:100"]);
    fails_with(&o, &["layer 1 has 100 neurons"]);

    let o = run(&["--gtkw"]);
    assert!(!o.status.success(), "--gtkw needs --vcd: {}", text(&o));
    // Nothing half-written.
    assert!(!out.join("raster_s0.svg").exists());
}

#[test]
fn cosim_vcd_end_to_end_with_gtkwave_save_file() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |n: &str| tmp.path().join(n).to_str().unwrap().to_string();
    let (m, q) = (committed_model(), p("q.safetensors"));
    let quantize = ["quantize", "--model", m.to_str().unwrap(), "--out", &q];
    let o = ttfs!().run(&[&quantize[..], &Q32].concat());
    assert!(o.status.success(), "{}", text(&o));
    let o = ttfs!().run(&["hdl", "--model", &p("q.safetensors"), "--out", &p("hdl")]);
    assert!(o.status.success(), "{}", text(&o));
    let o = ttfs!().run(&[
        "cosim",
        "--design",
        &p("hdl"),
        "--model",
        &p("q.safetensors"),
        "--data",
        data_dir().to_str().unwrap(),
        "--samples",
        "2",
        "--out",
        &p("cosim"),
        "--vcd",
        &p("run.vcd"),
        "--trace-samples",
        "0-1",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = ttfs!().run(&[
        "wave",
        "--model",
        &p("q.safetensors"),
        "--vcd",
        &p("run.vcd"),
        "--design",
        &p("hdl"),
        "--samples",
        "0,1",
        "--neurons",
        "1:5,2:0",
        "--gtkw",
        "--out",
        &p("out"),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("0 differences from golden in 2 samples"),
        "{}",
        text(&o)
    );
    let q = golden::io::load_quant(Path::new(&p("q.safetensors"))).unwrap();
    for k in [0, 1] {
        // golden and hardware columns, equal spikes.
        assert_eq!(
            circles(&tmp.path().join(format!("out/raster_s{k}.svg"))),
            2 * spikes(&q, k, &[1, 2])
        );
        let m = std::fs::read_to_string(tmp.path().join(format!("out/membrane_s{k}.svg"))).unwrap();
        assert_eq!(m.matches("hardware (VCD)").count(), 2, "sample {k}");
    }
    // The RTL's view of run.vcd, and the per-neuron view of the demultiplexed run.demux.vcd
    // (which ttfs wrote beside it), each naming its dump file relative to itself.
    for (save, dump, relative) in [
        ("out/run.lanes.gtkw", "run.vcd", "../run.vcd"),
        ("out/run.gtkw", "out/run.demux.vcd", "run.demux.vcd"),
    ] {
        let gtkw = std::fs::read_to_string(tmp.path().join(save)).unwrap();
        let (_, header) = wave::header::open(&tmp.path().join(dump)).unwrap();
        let declared = header.all_names();
        let names = wave::gtkw::names_in(&gtkw);
        assert!(names.len() > 10, "{gtkw}");
        for n in &names {
            assert!(declared.contains(n), "{n} not in {dump}");
        }
        assert!(
            gtkw.contains(&format!("[dumpfile] \"{relative}\"\n")),
            "{save}: {gtkw}"
        );
        assert!(
            !gtkw.contains("\"/"),
            "{save} names an absolute path: {gtkw}"
        );
    }
    let view = std::fs::read_to_string(tmp.path().join("out/run.gtkw")).unwrap();
    let shown = wave::gtkw::names_in(&view);
    assert!(shown.contains(&"layer1.phase".to_string()), "{view}");
    for (l, what) in [(1, ".V"), (1, ".spike"), (2, ".V"), (2, ".spike")] {
        let per_neuron = |n: &&String| n.starts_with(&format!("layer{l}.n")) && n.ends_with(what);
        assert_eq!(
            shown.iter().filter(per_neuron).count(),
            3,
            "{l}{what}: {view}"
        );
    }
    let o = ttfs!().run(&[
        "wave",
        "--model",
        &p("q.safetensors"),
        "--vcd",
        &p("run.vcd"),
        "--samples",
        "2",
        "--no-plots",
    ]);
    fails_with(&o, &["sample 2 is out of range", "holds 2 samples"]);
}
