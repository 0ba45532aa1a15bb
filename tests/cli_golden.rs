//! `ttfs quantize`, `ttfs evaluate` and `ttfs dump-spikes` through the command line, on the committed
//! model and the embedded data: outputs equal what golden computes, and bad input (missing files, NaN
//! weights, shapes that do not fit, bad flags) gives a clear error and leaves no output file behind.

use golden::encode::{encode_exact, encode_steps};
use golden::eval::{eval_exact, eval_integer};
use golden::quantize::{quantize, QuantConfig};
use golden::{exact, integer, FloatNetwork, TimeParams};
use ndarray::Array2;
use testkit::cli::{committed_model, data_dir, path_str as s, stderr, stdout};
use testkit::ttfs;

fn data() -> golden::idx::Dataset {
    golden::idx::load_split(&data_dir(), golden::idx::Split::Test).unwrap()
}

#[test]
fn quantize_writes_the_model_golden_computes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("q.safetensors");
    let o = ttfs!().run(&[
        "quantize",
        "--model",
        s(&committed_model()),
        "--out-file",
        s(&out),
        "--bits",
        "6",
        "--steps",
        "96",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = quant(&golden::io::load_float(&committed_model()).unwrap(), 6, 96);
    assert_eq!(golden::io::load_quant(&out).unwrap(), expected);
    // The summary names every layer's derived widths.
    let w = expected.widths();
    assert!(
        stdout(&o).contains(&format!("potential {} bits", w[0].potential_bits)),
        "{}",
        stdout(&o)
    );

    // The same settings from a TOML file; flags override the file.
    let toml = tmp.path().join("q.toml");
    std::fs::write(&toml, "weight_bits = 6\nn_steps = 96\n").unwrap();
    let out2 = tmp.path().join("q2.safetensors");
    let o = ttfs!().run(&[
        "quantize",
        "--model",
        s(&committed_model()),
        "--out-file",
        s(&out2),
        "--quant-config",
        s(&toml),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&out2).unwrap());
}

/// golden's own quantization, max-|w| scale (what the commands do by default).
fn quant(f: &golden::FloatNetwork, weight_bits: u32, n_steps: u32) -> golden::QuantNetwork {
    let cfg = QuantConfig {
        weight_bits,
        n_steps,
        clip_percentile: None,
    };
    quantize(f, &cfg).unwrap()
}

#[test]
fn evaluate_reports_golden_accuracy_side_by_side() {
    let f = golden::io::load_float(&committed_model()).unwrap();
    let d = data().take(200);
    let q = quant(&f, 8, 64);
    let (rf, rq) = (eval_exact(&f, &d), eval_integer(&q, &d));
    let o = ttfs!().run(&[
        "evaluate",
        "--model",
        s(&committed_model()),
        "--samples",
        "200",
        "--bits",
        "8",
        "--steps",
        "64",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains(&format!("{:.2}%", 100.0 * rf.accuracy)),
        "float accuracy missing:\n{out}"
    );
    assert!(
        out.contains(&format!("{:.2}%", 100.0 * rq.accuracy)),
        "integer accuracy missing:\n{out}"
    );
    assert!(
        out.contains(&format!("{:.4}", rf.stats.firing_rate(1))),
        "layer-1 rate missing:\n{out}"
    );
    let changed = rf
        .predictions
        .iter()
        .zip(&rq.predictions)
        .filter(|(a, b)| a != b)
        .count();
    assert!(
        out.contains(&format!(
            "changed predictions under quantization: {changed} of 200"
        )),
        "{out}"
    );
}

fn parse_csv(text: &str) -> (String, Vec<(usize, usize, usize, String)>) {
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let rows = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 4, "row {l}");
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                f[3].to_string(),
            )
        })
        .collect();
    (header, rows)
}

#[test]
fn dump_spikes_lists_every_spike_of_the_chosen_samples() {
    let f = golden::io::load_float(&committed_model()).unwrap();
    let d = data();
    // Exact model: times.
    let o = ttfs!().run(&[
        "dump-spikes",
        "--model",
        s(&committed_model()),
        "--sample-list",
        "2,7-8",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, rows) = parse_csv(&stdout(&o));
    assert_eq!(header, "sample,layer,neuron,time");
    let mut expected = Vec::new();
    for sample in [2usize, 7, 8] {
        let out = exact::forward(&f, &encode_exact(d.image(sample), f.time.t_in));
        for (l, i, t) in out.spikes.events().filter(|e| e.0 > 0) {
            expected.push((sample, l, i, t.to_string()));
        }
    }
    assert!(!expected.is_empty());
    assert_eq!(rows, expected);

    // Integer model (quantized on the fly), with the input layer, into a file.
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("s.csv");
    let o = ttfs!().run(&[
        "dump-spikes",
        "--model",
        s(&committed_model()),
        "--integer",
        "--bits",
        "8",
        "--steps",
        "64",
        "--sample-list",
        "3",
        "--with-inputs",
        "--out-file",
        s(&csv),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let q = quant(&f, 8, 64);
    let g = integer::forward(&q, &encode_steps(d.image(3), q.n_in_steps));
    let (header, rows) = parse_csv(&std::fs::read_to_string(&csv).unwrap());
    assert_eq!(header, "sample,layer,neuron,step");
    let expected: Vec<_> = g
        .spikes
        .events()
        .map(|(l, i, k)| (3, l, i, k.to_string()))
        .collect();
    assert_eq!(rows, expected);
    assert!(
        rows.iter().any(|r| r.1 == 0) && rows.iter().any(|r| r.1 == 2),
        "inputs and outputs present"
    );
}

#[test]
fn bad_input_is_a_clear_error_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("q.safetensors");
    let m = committed_model();
    // `ttfs quantize --model M --out OUT EXTRA...` must fail; its message.
    let quantize_fails = |extra: &[&str]| {
        let args = [
            &["quantize", "--model", s(&m), "--out-file", s(&out)][..],
            extra,
        ]
        .concat();
        ttfs!().fails(&args)
    };

    // Missing model file.
    let e = ttfs!().fails(&[
        "quantize",
        "--model",
        "no/such.safetensors",
        "--out-file",
        s(&out),
    ]);
    assert!(e.contains("no/such.safetensors"), "{e}");

    // A model file with a NaN weight: patch the first f32 of the data section.
    let mut bytes = std::fs::read(&m).unwrap();
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    bytes[8 + header_len..12 + header_len].copy_from_slice(&f32::NAN.to_le_bytes());
    let nan = tmp.path().join("nan.safetensors");
    std::fs::write(&nan, &bytes).unwrap();
    let e = ttfs!().fails(&["quantize", "--model", s(&nan), "--out-file", s(&out)]);
    assert!(
        e.contains("nan.safetensors") && e.contains("non-finite"),
        "{e}"
    );

    // Not a model at all.
    let junk = tmp.path().join("junk.safetensors");
    std::fs::write(&junk, b"hello").unwrap();
    let e = ttfs!().fails(&["evaluate", "--model", s(&junk)]);
    assert!(e.contains("junk.safetensors"), "{e}");

    // Widths that overflow the supported range.
    let e = quantize_fails(&["--bits", "40"]);
    assert!(e.contains("weight_bits"), "{e}");
    let e = quantize_fails(&["--steps", "0"]);
    assert!(e.contains("n_steps"), "{e}");

    // A bad TOML settings file names the file and the line.
    let toml = tmp.path().join("bad.toml");
    std::fs::write(&toml, "weight_bits = 8\nn_stepz = 3\n").unwrap();
    let e = quantize_fails(&["--quant-config", s(&toml)]);
    assert!(e.contains("bad.toml") && e.contains("n_stepz"), "{e}");

    // Quantizing an integer model again.
    let q = tmp.path().join("already.safetensors");
    assert!(ttfs!()
        .run(&["quantize", "--model", s(&m), "--out-file", s(&q)])
        .status
        .success());
    let e = ttfs!().fails(&["quantize", "--model", s(&q), "--out-file", s(&out)]);
    assert!(e.contains("already an integer model"), "{e}");

    // A network whose input size does not fit the data.
    let small = FloatNetwork::new(
        TimeParams::default(),
        vec![Array2::from_elem((3, 10), 0.5f32)],
    )
    .unwrap();
    let small_path = tmp.path().join("small.safetensors");
    golden::io::save_float(&small_path, &small).unwrap();
    let e = ttfs!().fails(&["evaluate", "--model", s(&small_path)]);
    assert!(
        e.contains("expects 10 inputs") && e.contains("784 pixels"),
        "{e}"
    );
    let e = ttfs!().fails(&["dump-spikes", "--model", s(&small_path)]);
    assert!(e.contains("expects 10 inputs"), "{e}");

    // Missing data folder: names the file and how to get the data.
    let e = ttfs!().fails(&[
        "evaluate",
        "--model",
        s(&m),
        "--data",
        s(&tmp.path().join("nodata")),
    ]);
    assert!(
        e.contains("nodata") && e.contains("t10k-images-idx3-ubyte"),
        "{e}"
    );

    // Sample selections out of range.
    let e = ttfs!().fails(&["dump-spikes", "--model", s(&m), "--sample-list", "499-500"]);
    assert!(
        e.contains("out of range") && e.contains("500 samples"),
        "{e}"
    );

    // None of the failures left an output file behind (only the inputs made above exist).
    assert!(!out.exists());
    let mut left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "already.safetensors",
            "bad.toml",
            "junk.safetensors",
            "nan.safetensors",
            "small.safetensors"
        ]
    );
}

/// `ttfs dump-spikes ... | head -1`: the reader closes the pipe after one line; ttfs ends quietly,
/// killed by SIGPIPE like any Unix filter, instead of panicking with exit 101.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_dump_spikes_quietly() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let mut child = ttfs!()
        .command()
        .args([
            "dump-spikes",
            "--model",
            s(&committed_model()),
            "--sample-list",
            "0-199",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ttfs binary runs");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("sample,layer,neuron,"), "{first}");
    // the reader is gone (dropped): the next writes hit a closed pipe
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.signal(), Some(libc_sigpipe()), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[cfg(unix)]
fn libc_sigpipe() -> i32 {
    13 // SIGPIPE on Linux and the BSDs
}

/// `ttfs ... > /dev/full` (a full disk): a failed write to stdout is an error with exit 2 naming
/// stdout and the cause, never a panic and never exit 0 (issue 13), for the CSV of `dump-spikes`
/// and the line-by-line report of `evaluate` alike.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_stdout_is_an_error_not_a_success() {
    let model = committed_model();
    for args in [
        vec!["dump-spikes", "--model", s(&model), "--samples", "0-3"],
        vec!["evaluate", "--model", s(&model), "--limit", "20"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = ttfs!()
            .command()
            .args(&args)
            .stdout(full)
            .output()
            .expect("the ttfs binary runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("error: writing to stdout: No space left on device"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// SIGKILL of `quantize` or `hdl` between writing and renaming leaves a hidden temporary file
/// beside the output (issue 13); the next run removes it and writes the right output.
#[cfg(target_os = "linux")]
#[test]
fn a_killed_runs_temporary_files_are_removed_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("q.safetensors");
    let stale_model = tmp.path().join(".q.safetensors.tmp.4194305.0");
    let hdl_dir = tmp.path().join("hdl");
    std::fs::create_dir(&hdl_dir).unwrap();
    let stale_hex = hdl_dir.join(".l1_weights.hex.tmp.4194305.3");
    for f in [&stale_model, &stale_hex] {
        std::fs::write(f, b"half a file").unwrap();
    }
    let o = ttfs!().run(&[
        "quantize",
        "--model",
        s(&committed_model()),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stale_model.exists());
    let expected = quant(
        &golden::io::load_float(&committed_model()).unwrap(),
        golden::quantize::QuantConfig::default().weight_bits,
        golden::quantize::QuantConfig::default().n_steps,
    );
    assert_eq!(golden::io::load_quant(&out).unwrap(), expected);
    let o = ttfs!().run(&["hdl", "--model", s(&out), "--out", s(&hdl_dir)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stale_hex.exists());
    let left: Vec<_> = std::fs::read_dir(&hdl_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp."))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    sim::Design::load(&hdl_dir).unwrap();
}
