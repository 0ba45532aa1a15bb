//! Results a script can read (issue 14): every `--json` output parsed back into its serde type
//! (`qeval`, `cosim`, `sweep`, `ttfs run`'s `results.json`), cosim's JUnit report read by a real
//! JUnit parser (Python's junitparser in the project's `.venv`, installed by
//! `scripts/install-deps`), `ttfs inspect` per kind of file, and the one vocabulary (`--samples N`
//! a count everywhere, `--sample-list`, `--out-file`, `--integer-model`; old spellings warn).

use golden::quantize::{quantize, QuantConfig};
use golden::QuantNetwork;
use std::path::{Path, PathBuf};
use std::process::Output;
use testkit::cli::{committed_model, data_dir, path_str, repo_root, stderr, stdout, text};

fn ttfs(args: &[&str]) -> Output {
    testkit::ttfs!().run(args)
}

fn exits(o: &Output, code: i32) {
    assert_eq!(o.status.code(), Some(code), "{}", text(o));
}

fn q32() -> QuantNetwork {
    let f = golden::io::load_float(&committed_model()).unwrap();
    let cfg = QuantConfig {
        weight_bits: 8,
        n_steps: 32,
        clip_percentile: None,
    };
    quantize(&f, &cfg).unwrap()
}

/// `scripts/check-junit.py` under the project's `.venv` (a missing venv fails with the command
/// that makes it; never a skip).
fn check_junit(report: &Path, extra: &[&str]) -> Output {
    let python = repo_root().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run scripts/install-deps (it installs junitparser there)",
        python.display()
    );
    std::process::Command::new(python)
        .arg(repo_root().join("scripts/check-junit.py"))
        .arg(report)
        .args(extra)
        .output()
        .unwrap()
}

fn read_json<T: serde::de::DeserializeOwned + serde::Serialize>(path: &Path) -> T {
    let text = std::fs::read_to_string(path).unwrap();
    let value: T = serde_json::from_str(&text).unwrap();
    // Nothing lost or added: the type writes the same text back.
    assert_eq!(serde_json::to_string_pretty(&value).unwrap(), text);
    value
}

fn p(dir: &Path, name: &str) -> String {
    path_str(&dir.join(name)).to_string()
}

#[test]
fn cosim_json_and_junit_read_back_and_a_broken_report_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let net = q32();
    golden::io::save_quant(&d.join("q.safetensors"), &net).unwrap();
    // The same sizes and widths, the output layer negated: the design accepts it, computes otherwise.
    let mut layers = net.layers().to_vec();
    layers.last_mut().unwrap().weights.mapv_inplace(|w| -w);
    let bad = QuantNetwork::new(net.n_steps, net.n_in_steps, net.time, layers).unwrap();
    golden::io::save_quant(&d.join("bad.safetensors"), &bad).unwrap();
    exits(
        &ttfs(&[
            "hdl",
            "--model",
            &p(d, "q.safetensors"),
            "--out",
            &p(d, "hdl"),
        ]),
        0,
    );
    let data = data_dir();
    let cosim = |model: &str, tag: &str, samples: &str| {
        ttfs(&[
            "cosim",
            "--design",
            &p(d, "hdl"),
            "--model",
            &p(d, model),
            "--data",
            path_str(&data),
            "--samples",
            samples,
            "--out",
            &p(d, &format!("work-{tag}")),
            "--vcd",
            &p(d, &format!("{tag}.vcd")),
            "--json",
            &p(d, &format!("{tag}.json")),
            "--junit",
            &p(d, &format!("{tag}.xml")),
        ])
    };
    // Agreement: 4 passing test cases, the JSON's per-sample lines agree.
    exits(&cosim("q.safetensors", "good", "4"), 0);
    let r: sim::stats::CosimReport = read_json(&d.join("good.json"));
    assert_eq!(r.schema, sim::stats::COSIM_SCHEMA);
    assert!(r.agreement);
    assert_eq!((r.stats.samples, r.per_sample.len()), (4, 4));
    assert_eq!(r.sizes, vec![784, 100, 10]);
    assert!(r.per_sample.iter().all(|s| s.first_difference.is_none()
        && s.cycles == Some(s.expected_cycles)
        && s.golden_decision == s.hardware_decision));
    let o = check_junit(
        &d.join("good.xml"),
        &["--expect-tests", "4", "--expect-failures", "0"],
    );
    exits(&o, 0);
    let xml = std::fs::read_to_string(d.join("good.xml")).unwrap();
    let label0 = golden::idx::load_split(&data, golden::idx::Split::Test)
        .unwrap()
        .labels[0];
    assert!(
        xml.contains(&format!("name=\"sample 0 (label {label0})\"")),
        "{xml}"
    );

    // A mismatch: exit 1, the failures name the first differing neuron with both spikes.
    exits(&cosim("bad.safetensors", "bad", "4"), 1);
    let r: sim::stats::CosimReport = read_json(&d.join("bad.json"));
    assert!(!r.agreement);
    let failed = r
        .per_sample
        .iter()
        .filter(|s| s.first_difference.is_some())
        .count();
    assert_eq!(failed, r.samples_with_mismatch);
    assert!(failed > 0);
    let o = check_junit(
        &d.join("bad.xml"),
        &["--expect-failures", &failed.to_string()],
    );
    exits(&o, 0);
    let xml = std::fs::read_to_string(d.join("bad.xml")).unwrap();
    assert!(
        xml.contains("expected step") || xml.contains("expected silent"),
        "{xml}"
    );
    // The parser is real: a truncated report and wrong counts are refused.
    let broken = d.join("broken.xml");
    std::fs::write(&broken, &xml[..xml.len() / 2]).unwrap();
    exits(&check_junit(&broken, &[]), 1);
    let lying = d.join("lying.xml");
    std::fs::write(&lying, xml.replacen("failures=\"", "failures=\"9", 2)).unwrap();
    exits(&check_junit(&lying, &[]), 1);

    // More samples than the split holds: refused (exit 2), like dump-spikes.
    let o = cosim("q.safetensors", "many", "1000");
    exits(&o, 2);
    assert!(stderr(&o).contains("has only 500 samples"), "{}", text(&o));

    // inspect on the VCD and the design.
    let o = ttfs(&["inspect", &p(d, "good.vcd"), "--json"]);
    exits(&o, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["kind"], "waveform (VCD)");
    assert!(v["signals"].as_u64().unwrap() >= 10, "{v}");
    assert!(v["value_changes"].as_u64().unwrap() > 0, "{v}");
    let o = ttfs(&["inspect", &p(d, "hdl")]);
    exits(&o, 0);
    let out = stdout(&o);
    assert!(
        out.contains("layer-sequential") && out.contains("[784,100,10]"),
        "{out}"
    );
    assert!(out.lines().count() <= 12, "a few lines: {out}");
}

#[test]
fn qeval_json_round_trips_and_matches_the_table() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("q.json");
    let m = committed_model();
    let o = ttfs(&[
        "qeval",
        "--model",
        path_str(&m),
        "--bits",
        "8,4",
        "--steps",
        "32",
        "--samples",
        "30",
        "--json",
        path_str(&json),
    ]);
    exits(&o, 0);
    let r: golden::eval::QevalReport = read_json(&json);
    assert_eq!(r.schema, golden::eval::QEVAL_SCHEMA);
    assert_eq!(r.samples, 30);
    let settings: Vec<(u32, u32)> = r.rows.iter().map(|x| (x.weight_bits, x.n_steps)).collect();
    assert_eq!(settings, [(8, 32), (4, 32)]);
    let table = stdout(&o);
    for row in &r.rows {
        let line = format!(
            "| {} | {} | {} | {:.2} | {:.2} |",
            row.weight_bits,
            row.n_steps,
            row.n_in_steps,
            100.0 * r.float_accuracy,
            100.0 * row.int_accuracy
        );
        assert!(table.contains(&line), "{line}\n{table}");
        assert!((row.delta_points - 100.0 * (row.int_accuracy - r.float_accuracy)).abs() < 1e-9);
    }
    // The old spelling --limit still works, with a warning.
    let o = ttfs(&[
        "qeval",
        "--model",
        path_str(&m),
        "--bits",
        "8",
        "--steps",
        "32",
        "--limit",
        "10",
    ]);
    exits(&o, 0);
    assert!(
        stderr(&o).contains("--limit 10 is deprecated")
            && stdout(&o).contains("on 10 test samples"),
        "{}",
        text(&o)
    );
}

#[test]
fn run_results_json_and_inspect_models_and_checkpoints() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let m = committed_model();
    let o = ttfs(&[
        "run",
        "--no-cosim",
        "--model",
        path_str(&m),
        "--steps",
        "32",
        "--out",
        &p(d, "r"),
    ]);
    exits(&o, 0);
    let r: sim::stats::RunReport = read_json(&d.join("r/results.json"));
    assert_eq!(r.schema, sim::stats::RUN_SCHEMA);
    assert_eq!(r.training, "skipped (--model)");
    assert!(r.cosim.is_none());
    let e: golden::eval::EvaluateReport = read_json(&d.join("r/evaluate.json"));
    assert_eq!(r.evaluate, e);

    // inspect: float, integer (with its provenance), checkpoint, errors naming the file.
    let o = ttfs(&["inspect", path_str(&m), "--json"]);
    exits(&o, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["schema"], "ttfs.inspect/1");
    assert_eq!(v["kind"], "float model (ttfs-float)");
    assert_eq!(v["sizes"], serde_json::json!([784, 100, 10]));
    assert!(v["data"].as_str().unwrap().starts_with("mnist"), "{v}");
    let o = ttfs(&["inspect", &p(d, "r/model-int.safetensors"), "--json"]);
    exits(&o, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["kind"], "integer model (ttfs-quant)");
    assert_eq!(v["n_steps"], 32);
    assert_eq!(v["weight_bits"], serde_json::json!([8, 8]));
    assert!(
        v["quantized_from"]
            .as_str()
            .unwrap()
            .ends_with("model.safetensors"),
        "{v}"
    );
    assert!(
        v["quantized_with"].as_str().unwrap().contains("n_steps 32"),
        "{v}"
    );
    let cfg = trainer::TrainConfig::load(&repo_root().join("configs/tiny.toml")).unwrap();
    let tr = trainer::train::Trainer::new(cfg).unwrap();
    trainer::checkpoint::save(&d.join("ck.safetensors"), &tr).unwrap();
    let o = ttfs(&["inspect", &p(d, "ck.safetensors")]);
    exits(&o, 0);
    assert!(
        stdout(&o).contains("training checkpoint") && stdout(&o).contains("epoch 0"),
        "{}",
        text(&o)
    );
    for (file, why) in [
        ("nothing.safetensors", "No such file"),
        ("r/train.toml", ""),
    ] {
        std::fs::write(d.join("r/train.toml"), "not a model").unwrap();
        let o = ttfs(&["inspect", &p(d, file)]);
        exits(&o, 2);
        assert!(
            stderr(&o).contains(&p(d, file)) && stderr(&o).contains(why),
            "{}",
            text(&o)
        );
    }
}

#[test]
fn sweep_json_progress_and_plot_only_names_the_missing_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let tiny = std::fs::read_to_string(repo_root().join("configs/tiny.toml")).unwrap();
    let data = path_str(&data_dir()).to_string();
    std::fs::write(
        d.join("base.toml"),
        tiny.replace("\"../data/mnist-small\"", &format!("{data:?}"))
            .replace("epochs = 3", "epochs = 1"),
    )
    .unwrap();
    std::fs::write(
        d.join("sweep.toml"),
        "base = \"base.toml\"\nseeds = [1]\nepochs = 1\nbaseline = true\n\n[[curve]]\nkind = \"mssr\"\nstrengths = [1e-3]\n",
    )
    .unwrap();
    let sweep = |extra: &[&str]| {
        let mut a = vec![
            "sweep",
            "--config",
            path_str(&d.join("sweep.toml")).to_owned().leak(),
            "--out",
            p(d, "s").leak(),
        ];
        a.extend_from_slice(extra);
        ttfs(&a)
    };
    let o = sweep(&["--json", p(d, "s.json").leak()]);
    exits(&o, 0);
    assert!(
        stderr(&o).contains("[2/2]") && stderr(&o).contains("left"),
        "{}",
        text(&o)
    );
    let r: trainer::sweep::SweepReport = read_json(&d.join("s.json"));
    assert_eq!(r.schema, trainer::sweep::SWEEP_SCHEMA);
    assert_eq!((r.planned, r.runs.len(), r.missing.len()), (2, 2, 0));
    assert_eq!(r.curves.len(), 2, "{:?}", r.curves.keys());
    // One run's metrics gone: --plot-only summarizes the other and names the missing one.
    fn run_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().join("metrics.csv").is_file() {
                out.push(e.path());
            } else if e.path().is_dir() {
                run_dirs(&e.path(), out);
            }
        }
    }
    let mut runs = Vec::new();
    run_dirs(&d.join("s"), &mut runs);
    assert_eq!(runs.len(), 2, "{runs:?}");
    let missing = runs.into_iter().max().unwrap();
    std::fs::remove_file(missing.join("metrics.csv")).unwrap();
    let o = sweep(&["--plot-only", "--json", p(d, "s2.json").leak()]);
    exits(&o, 0);
    let e = stderr(&o);
    assert!(
        e.contains("1 of 2 runs are not finished") && e.contains(path_str(&missing)),
        "{e}"
    );
    let r: trainer::sweep::SweepReport = read_json(&d.join("s2.json"));
    assert_eq!((r.runs.len(), r.missing.len()), (1, 1));
    assert_eq!(PathBuf::from(&r.missing[0].dir), missing);
}

#[test]
fn one_vocabulary_samples_count_lists_and_old_spellings_warn() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let m = committed_model();
    let dump = |extra: &[&str]| {
        let mut a = vec!["dump-spikes", "--model", path_str(&m)];
        a.extend_from_slice(extra);
        ttfs(&a)
    };
    // --samples LIST, the old spelling of dump-spikes and wave, keeps its meaning with a warning.
    let list = dump(&["--sample-list", "0-2,7"]);
    let old = dump(&["--samples", "0-2,7"]);
    exits(&list, 0);
    exits(&old, 0);
    assert_eq!(stdout(&old), stdout(&list));
    assert!(
        stdout(&list).lines().any(|l| l.starts_with("7,")),
        "{}",
        text(&list)
    );
    assert!(
        stderr(&old).contains("is deprecated") && stderr(&old).contains("--sample-list 0-2,7"),
        "{}",
        text(&old)
    );
    assert!(!stderr(&list).contains("deprecated"), "{}", text(&list));
    let o = dump(&["--sample-list", "5,9000"]);
    exits(&o, 2);
    assert!(
        stderr(&o).contains("--sample-list: index 9000") && !stderr(&o).contains("..="),
        "{}",
        text(&o)
    );
    // --bits beside a float model without --integer would be ignored: refused.
    exits(&dump(&["--bits", "4"]), 2);
    // Files are --out-file; --out is the old spelling (a folder everywhere else).
    let o = ttfs(&[
        "quantize",
        "--model",
        path_str(&m),
        "--out",
        &p(d, "q.safetensors"),
    ]);
    exits(&o, 0);
    assert!(stderr(&o).contains("--out-file"), "{}", text(&o));
    let o = ttfs(&[
        "evaluate",
        "--model",
        path_str(&m),
        "--quant-model",
        &p(d, "q.safetensors"),
        "--samples",
        "10",
    ]);
    exits(&o, 0);
    assert!(
        stderr(&o).contains("--integer-model") && stdout(&o).contains("10 samples"),
        "{}",
        text(&o)
    );
    // An error says each cause once.
    let o = ttfs(&["evaluate", "--model", &p(d, "none.safetensors")]);
    exits(&o, 2);
    assert_eq!(stderr(&o).matches("os error 2").count(), 1, "{}", text(&o));
}

#[test]
fn every_command_exits_2_on_a_missing_input_and_names_it_once() {
    let m = "nope/m.safetensors";
    let commands: [&[&str]; 13] = [
        &["evaluate", "--model", m],
        &["qeval", "--model", m],
        &["quantize", "--model", m, "--out-file", "nope/q.safetensors"],
        &["dump-spikes", "--model", m],
        &["hdl", "--model", m, "--out", "nope/hdl"],
        &["cosim", "--design", "nope/d", "--model", m],
        &["wave", "--model", m, "--out", "nope/w"],
        &["train", "--config", "nope/c.toml"],
        &["sweep", "--config", "nope/s.toml"],
        &["inspect", "nope/f"],
        &["synth", "--design", "nope/d"],
        &[
            "board", "--port", "nope/tty", "--model", m, "--design", "nope/d",
        ],
        &["run", "--model", m, "--out", "nope/r", "--no-cosim"],
    ];
    for args in commands {
        let o = ttfs(args);
        exits(&o, 2);
        let e = stderr(&o);
        assert!(
            e.starts_with("error: ") && e.contains("nope/"),
            "{args:?}: {e}"
        );
        assert_eq!(e.matches("os error 2").count(), 1, "{args:?}: {e}");
        let named = [
            "nope/m.safetensors",
            "nope/d",
            "nope/c.toml",
            "nope/s.toml",
            "nope/f",
        ]
        .into_iter()
        .find(|n| e.contains(n))
        .unwrap();
        assert_eq!(e.matches(named).count(), 1, "{args:?}: the file once: {e}");
    }
}
