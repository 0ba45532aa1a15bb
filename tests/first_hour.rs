//! A newcomer's first hour (issue 14), through the binary: the exit codes (0 agreement, 1 mismatch,
//! 2 usage or input error, 3 tool failure) and `wave`'s check that model, design and VCD belong
//! together.
//!
//! `TTFS_BIN=/path/to/ttfs` runs them against another build of the binary.

use golden::quantize::{quantize, QuantConfig};
use golden::QuantNetwork;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> PathBuf {
    std::env::var_os("TTFS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_ttfs")))
}

fn committed_model() -> PathBuf {
    root().join("models/mnist-small-784-100-10/model.safetensors")
}

fn data_dir() -> String {
    root()
        .join("data/mnist-small")
        .to_str()
        .unwrap()
        .to_string()
}

fn ttfs_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(bin());
    c.args(args).current_dir(root());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("the ttfs binary runs")
}

fn ttfs(args: &[&str]) -> Output {
    ttfs_env(args, &[])
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Asserts the exit status and that stderr names every one of `needles`.
fn exits(o: &Output, code: i32, needles: &[&str]) {
    assert_eq!(o.status.code(), Some(code), "{}", text(o));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(needles.iter().all(|n| e.contains(n)), "{}", text(o));
}

fn q32(path: &Path) -> QuantNetwork {
    let f = golden::io::load_float(path).unwrap();
    let cfg = QuantConfig {
        weight_bits: 8,
        n_steps: 32,
        clip_percentile: None,
    };
    quantize(&f, &cfg).unwrap()
}

/// The same network with the output layer's weights negated: the design generated from `net`
/// accepts it (sizes, steps, thresholds and widths equal) but computes something else.
fn tampered(net: &QuantNetwork) -> QuantNetwork {
    let mut layers = net.layers().to_vec();
    let last = layers.last_mut().unwrap();
    last.weights.mapv_inplace(|w| -w);
    QuantNetwork::new(net.n_steps, net.n_in_steps, net.time, layers).unwrap()
}

#[test]
fn exit_codes_0_1_2_3_and_wave_checks_files_belong_together() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |n: &str| tmp.path().join(n).to_str().unwrap().to_string();
    let net = q32(&committed_model());
    golden::io::save_quant(Path::new(&p("q.safetensors")), &net).unwrap();
    golden::io::save_quant(Path::new(&p("bad.safetensors")), &tampered(&net)).unwrap();
    let other =
        golden::FloatNetwork::random_init(&[784, 30, 10], net.time, &[4.0, 4.0], 1.0, 5).unwrap();
    golden::io::save_float(Path::new(&p("other.safetensors")), &other).unwrap();

    let o = ttfs(&["hdl", "--model", &p("q.safetensors"), "--out", &p("hdl")]);
    exits(&o, 0, &[]);
    let cosim = |model: &str, vcd: &str, env: &[(&str, &str)]| {
        let args = [
            "cosim",
            "--design",
            &p("hdl"),
            "--model",
            model,
            "--data",
            &data_dir(),
            "--samples",
            "2",
            "--out",
            &p("cosim"),
            "--vcd",
            vcd,
            "--trace-depth",
            "1",
        ];
        ttfs_env(&args, env)
    };
    // 0: agreement.
    exits(&cosim(&p("q.safetensors"), &p("run.vcd"), &[]), 0, &[]);
    // 1: a mismatch found, by cosim and by wave on the VCD.
    let o = cosim(&p("bad.safetensors"), &p("bad-run.vcd"), &[]);
    exits(&o, 1, &["samples differ between golden and the RTL"]);
    let wave = |model: &str, extra: &[&str]| {
        let data = data_dir();
        let mut args = vec!["wave", "--data", &data, "--no-plots", "--samples", "0,1"];
        let out = p("wave");
        args.extend(["--model", model, "--out", &out]);
        args.extend(extra);
        ttfs(&args)
    };
    let vcd = p("run.vcd");
    exits(&wave(&p("q.safetensors"), &["--vcd", &vcd]), 0, &[]);
    let o = wave(&p("bad.safetensors"), &["--vcd", &vcd]);
    exits(&o, 1, &["differences between golden and"]);
    // 2: files that do not belong together are an input error, not differences.
    let o = wave(
        &p("other.safetensors"),
        &["--vcd", &vcd, "--bits", "8", "--steps", "32"],
    );
    exits(
        &o,
        2,
        &["does not belong to", "spk_neuron is 7 bits, expected 5"],
    );
    let o = wave(
        &p("other.safetensors"),
        &[
            "--vcd",
            &vcd,
            "--design",
            &p("hdl"),
            "--bits",
            "8",
            "--steps",
            "32",
        ],
    );
    exits(&o, 2, &["was not generated from --model", "sizes"]);
    // 2: usage (clap) and bad input.
    exits(&ttfs(&["cosim", "--no-such-flag"]), 2, &["--no-such-flag"]);
    let model = committed_model();
    let o = ttfs(&[
        "dump-spikes",
        "--model",
        model.to_str().unwrap(),
        "--samples",
        "9999",
    ]);
    exits(&o, 2, &["9999"]);
    let o = ttfs(&["evaluate", "--model", &p("missing.safetensors")]);
    exits(&o, 2, &["missing.safetensors"]);
    // 3: the simulator is not there.
    let o = cosim(
        &p("q.safetensors"),
        &p("never.vcd"),
        &[("VERILATOR", "/nonexistent/verilator")],
    );
    exits(&o, 3, &["/nonexistent/verilator"]);
}

/// Runs `ttfs` in `dir` (not the repository).
fn ttfs_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the ttfs binary runs")
}

/// Every `.vcd` file under `dir`.
fn vcds(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(vcds(&p));
        } else if p.extension().is_some_and(|x| x == "vcd") {
            out.push(p);
        }
    }
    out
}

#[test]
fn cosim_writes_no_waveform_unless_asked_and_estimates_a_full_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    golden::io::save_quant(&dir.join("q.safetensors"), &q32(&committed_model())).unwrap();
    exits(
        &ttfs_in(dir, &["hdl", "--model", "q.safetensors", "--out", "hdl"]),
        0,
        &[],
    );
    let data = data_dir();
    let base = [
        "cosim",
        "--design",
        "hdl",
        "--model",
        "q.safetensors",
        "--data",
        &data,
        "--samples",
        "3",
    ];
    let o = ttfs_in(dir, &base);
    exits(&o, 0, &[]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("event log, no VCD"));
    assert!(vcds(dir).is_empty(), "{:?}", vcds(dir));
    assert!(
        !dir.join("hdl/cosim").exists(),
        "work files inside the design"
    );
    let work: Vec<PathBuf> = std::fs::read_dir(dir.join("out/cosim"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(work.len(), 1, "{work:?}");
    let work = &work[0];
    assert!(work
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("hdl-"));
    assert!(work.join("events.log").is_file());

    // Every signal of samples 0 to 1 (inclusive), announced with an estimate before it is written.
    let mut a = base.to_vec();
    a.extend(["--trace-samples", "0-1"]);
    let o = ttfs_in(dir, &a);
    exits(&o, 0, &["every signal of 2 samples", "(estimate)"]);
    let e = String::from_utf8_lossy(&o.stderr).into_owned();
    let mb: f64 = e
        .split("about ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("no estimate in {e}"));
    let vcd = work.join("ttfs.vcd");
    let real = std::fs::metadata(&vcd).unwrap().len() as f64 / 1e6;
    assert!(
        mb > real / 2.0 && mb < real * 2.0,
        "estimate {mb} MB, written {real} MB"
    );
    let wave = |samples: &str| {
        let v = vcd.to_str().unwrap();
        let w = [
            "wave",
            "--model",
            "q.safetensors",
            "--vcd",
            v,
            "--design",
            "hdl",
            "--data",
            &data,
            "--samples",
            samples,
            "--no-plots",
            "--out",
            "w",
        ];
        ttfs_in(dir, &w)
    };
    exits(&wave("0,1"), 0, &[]);
    exits(&wave("2"), 2, &["sample 2 is out of range"]);
    // A list is not a window; a bare --trace-depth has no waveform to shape.
    let mut a = base.to_vec();
    a.extend(["--trace-samples", "0,2"]);
    exits(
        &ttfs_in(dir, &a),
        2,
        &["--trace-samples 0,2: one index or one range"],
    );
    let mut a = base.to_vec();
    a.extend(["--trace-depth", "2"]);
    exits(&ttfs_in(dir, &a), 2, &["--trace-depth needs a waveform"]);
}

/// `key` of a model file's metadata.
fn meta(path: &Path, key: &str) -> Option<String> {
    let bytes = std::fs::read(path).unwrap();
    golden::io::read_metadata(&bytes, path)
        .unwrap()
        .get(key)
        .cloned()
}

#[test]
fn models_know_their_data_and_commands_default_to_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let repo_data = std::fs::canonicalize(root().join("data/mnist-small")).unwrap();
    // Training records the data set (relative to the run folder when they share more than `/`).
    let cfg = root().join("configs/tiny.toml");
    let o = ttfs(&[
        "train",
        "--config",
        cfg.to_str().unwrap(),
        "--out",
        dir.join("t").to_str().unwrap(),
    ]);
    exits(&o, 0, &[]);
    let trained = dir.join("t/model.safetensors");
    assert_eq!(meta(&trained, "data.kind").as_deref(), Some("mnist"));
    let rel = meta(&trained, "data.path").unwrap();
    assert_eq!(
        std::fs::canonicalize(dir.join("t").join(&rel)).unwrap(),
        repo_data
    );
    // Quantizing carries it (re-based on the integer file's folder); cosim-like commands use it.
    let q = dir.join("q/int.safetensors");
    let o = ttfs(&[
        "quantize",
        "--model",
        trained.to_str().unwrap(),
        "--out",
        q.to_str().unwrap(),
    ]);
    exits(&o, 0, &[]);
    let rel = meta(&q, "data.path").unwrap();
    assert_eq!(
        std::fs::canonicalize(dir.join("q").join(&rel)).unwrap(),
        repo_data
    );
    // Said on stdout before the table, or on stderr where stdout is CSV.
    for (cmd, said) in [("evaluate", true), ("dump-spikes", false)] {
        let o = ttfs_in(dir, &[cmd, "--model", q.to_str().unwrap()]);
        exits(&o, 0, &[]);
        let out = String::from_utf8_lossy(if said { &o.stdout } else { &o.stderr });
        assert!(out.lines().any(|l| l.starts_with("data: ")), "{}", text(&o));
        assert!(out.contains("the mnist data set"), "{}", text(&o));
    }
    // A model trained on a data set that is not here: refused with the folders tried and the flag.
    let f = golden::io::load_float(&committed_model()).unwrap();
    let mut m = std::collections::BTreeMap::new();
    m.insert("data.kind".to_string(), "fashion".to_string());
    m.insert("data.path".to_string(), "../fashion-nowhere".to_string());
    let fashion = dir.join("f/model.safetensors");
    std::fs::create_dir_all(fashion.parent().unwrap()).unwrap();
    std::fs::write(&fashion, golden::io::float_to_bytes_with(&f, &m).unwrap()).unwrap();
    for cmd in ["evaluate", "qeval", "dump-spikes", "wave"] {
        let o = ttfs_in(
            dir,
            &[cmd, "--model", fashion.to_str().unwrap(), "--bits", "8"],
        );
        exits(
            &o,
            2,
            &[
                "trained on the fashion data set",
                "fashion-nowhere",
                "pass --data DIR",
            ],
        );
    }
    let data = data_dir();
    let o = ttfs_in(
        dir,
        &[
            "evaluate",
            "--model",
            fashion.to_str().unwrap(),
            "--data",
            &data,
            "--limit",
            "20",
        ],
    );
    exits(&o, 0, &[]);
}

#[test]
fn main_job_from_outside_the_repository_with_a_copied_binary_runs_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir_all(tmp.path().join("bin")).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    let copied = tmp.path().join("bin/ttfs");
    std::fs::copy(bin(), &copied).unwrap();
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = Command::new(&copied);
        // The embedded data set comes out of the binary into this cache, not from the checkout.
        let cache = tmp.path().join("cache");
        c.args(args)
            .current_dir(&work)
            .env_remove("TTFS_DATA")
            .env("XDG_CACHE_HOME", &cache);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("the copied binary runs")
    };
    let said = |o: &Output, s: &str| {
        assert!(
            String::from_utf8_lossy(&o.stdout).contains(s),
            "{s}\n{}",
            text(o)
        );
    };
    // The README's main job, twice, then --fresh.
    let job = ["run", "--no-cosim", "--samples", "5", "--out", "r"];
    let o = run(&job, &[]);
    exits(&o, 0, &[]);
    assert!(
        work.join("r/design/manifest.json").is_file(),
        "{}",
        text(&o)
    );
    let e: golden::eval::EvaluateReport =
        serde_json::from_str(&std::fs::read_to_string(work.join("r/evaluate.json")).unwrap())
            .unwrap();
    assert_eq!(e.models.len(), 2);
    let o = run(&job, &[]);
    exits(&o, 0, &[]);
    said(&o, "reusing the finished training in r/train");
    let mut fresh = job.to_vec();
    fresh.push("--fresh");
    let o = run(&fresh, &[]);
    exits(&o, 0, &[]);
    said(&o, "replacing the previous training in r/train (--fresh)");
    // A config of configs/: its data path is relative to the config file, not to the cwd.
    let cfg = root().join("configs/tiny.toml");
    let o = run(
        &["train", "--config", cfg.to_str().unwrap(), "--out", "t"],
        &[],
    );
    exits(&o, 0, &[]);
    // A relative data path found under the data root (flag or TTFS_DATA), else every folder named.
    let text_cfg = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("path = \"../data/mnist-small\"", "path = \"mnist-small\"");
    assert!(text_cfg.contains("path = \"mnist-small\""));
    std::fs::write(work.join("mine.toml"), text_cfg).unwrap();
    let root_data = root().join("data");
    let o = run(&["train", "--config", "mine.toml", "--out", "m"], &[]);
    exits(&o, 2, &["names no folder here", "mnist-small", "TTFS_DATA"]);
    let r = root_data.to_str().unwrap();
    let o = run(
        &["train", "--config", "mine.toml", "--out", "m1"],
        &[("TTFS_DATA", r)],
    );
    exits(&o, 0, &[]);
    let o = run(
        &[
            "--data-root",
            r,
            "train",
            "--config",
            "mine.toml",
            "--out",
            "m2",
        ],
        &[],
    );
    exits(&o, 0, &[]);
}

#[test]
fn every_help_works_and_names_no_path_of_the_build_machine() {
    let repo = root().to_str().unwrap().to_string();
    for c in [
        "run",
        "train",
        "sweep",
        "qeval",
        "quantize",
        "evaluate",
        "dump-spikes",
        "hdl",
        "synth",
        "cosim",
        "wave",
    ] {
        let o = ttfs(&[c, "--help"]);
        exits(&o, 0, &[]);
        let help = String::from_utf8_lossy(&o.stdout);
        assert!(
            !help.contains(&repo),
            "ttfs {c} --help names {repo}:\n{help}"
        );
        assert!(
            !help.contains("..="),
            "ttfs {c} --help uses Rust range syntax:\n{help}"
        );
        assert!(
            !help.contains("::"),
            "ttfs {c} --help names Rust items:\n{help}"
        );
    }
}

#[test]
fn evaluate_refuses_quantization_flags_beside_an_integer_model() {
    let tmp = tempfile::tempdir().unwrap();
    let q = tmp.path().join("q.safetensors");
    golden::io::save_quant(&q, &q32(&committed_model())).unwrap();
    let (m, q) = (committed_model(), q.to_str().unwrap().to_string());
    let m = m.to_str().unwrap();
    let o = ttfs(&["evaluate", "--model", m, "--quant-model", &q, "--bits", "4"]);
    exits(&o, 2, &["is already quantized", "--bits"]);
    let o = ttfs(&[
        "evaluate",
        "--model",
        m,
        "--quant-model",
        &q,
        "--limit",
        "20",
    ]);
    exits(&o, 0, &[]);
}

#[test]
fn evaluate_json_round_trips_and_matches_the_table() {
    use golden::eval::{EvaluateReport, EVALUATE_SCHEMA};
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("e.json");
    let m = committed_model();
    let args = [
        "evaluate",
        "--model",
        m.to_str().unwrap(),
        "--limit",
        "50",
        "--json",
    ];
    let mut a = args.to_vec();
    a.push(json.to_str().unwrap());
    let o = ttfs(&a);
    exits(&o, 0, &[]);
    let text_json = std::fs::read_to_string(&json).unwrap();
    let r: EvaluateReport = serde_json::from_str(&text_json).unwrap();
    assert_eq!(r.schema, EVALUATE_SCHEMA);
    assert_eq!(serde_json::to_string_pretty(&r).unwrap(), text_json);
    let names: Vec<&str> = r.models.iter().map(|m| m.model.as_str()).collect();
    assert_eq!(names, ["float", "integer"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    for m in &r.models {
        assert_eq!(m.samples, 50);
        let line = format!("{:<9} {:>8.2}%", m.model, 100.0 * m.accuracy);
        assert!(stdout.contains(&line), "{line}\n{stdout}");
        assert_eq!(m.firing_rates.len(), 2);
    }
    assert!(r.changed_predictions.is_some());
}
