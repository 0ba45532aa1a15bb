//! The board link end to end without a board: the committed 784-100-10 model quantized and generated
//! by the `ttfs` binary, wrapped in `ttfs_board_top` (8 clock cycles per UART bit, so the simulation
//! spends its time on the network rather than on bits), served by the simulated board (Verilator) on a
//! pseudo-terminal; `ttfs board` streams 100 test samples through its real serial-port code and
//! every answer (class, spikes per layer, cycles) must equal golden's. A second session sends a
//! corrupted frame, which the board answers with the checksum error, and then a good one.
//! Verilator missing: the test fails with the install command (sim's tool lookup).

use board::host::{Expected, Link, PortConfig};
use board::protocol::{encode_request, Status};
use board::simboard::{SimBoard, SimOptions};
use board::verilog::LinkConfig;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const BAUD: u32 = 115_200;
const SAMPLES: usize = 100;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ttfs(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ttfs"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the ttfs binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

/// The committed float model quantized by `ttfs quantize` (8 bits, `steps` steps) into `dir/name`.
fn quantized(dir: &Path, name: &str, steps: u32) -> PathBuf {
    let float = root().join("models/mnist-small-784-100-10/model.safetensors");
    let q = dir.join(name);
    let steps = steps.to_string();
    let (ok, _, err) = ttfs(&[
        "quantize",
        "--model",
        path(&float),
        "--out",
        path(&q),
        "--bits",
        "8",
        "--steps",
        &steps,
    ]);
    assert!(ok, "ttfs quantize: {err}");
    q
}

/// `ttfs hdl` of `q` (16 lanes) into `dir/design`.
fn generated(dir: &Path, q: &Path) -> PathBuf {
    let design = dir.join("design");
    let (ok, _, err) = ttfs(&[
        "hdl",
        "--model",
        path(q),
        "--out",
        path(&design),
        "--lanes",
        "16",
    ]);
    assert!(ok, "ttfs hdl: {err}");
    design
}

#[test]
fn ttfs_board_streams_100_samples_through_the_simulated_board_like_golden() {
    let tmp = tempfile::tempdir().unwrap();
    let q = quantized(tmp.path(), "model-int.safetensors", 128);
    let design = generated(tmp.path(), &q);
    let manifest = hdl::Manifest::load(&design.join(hdl::MANIFEST_FILE)).unwrap();
    board::verilog::write_board_top(&design, &manifest, &LinkConfig::simulation(BAUD as u64, 8))
        .unwrap();

    let opts = SimOptions {
        sessions: 2,
        ..SimOptions::default()
    };
    let sim = SimBoard::start(&design, &tmp.path().join("work"), &opts)
        .unwrap_or_else(|e| panic!("starting the simulated board: {e}"));
    let port = sim.port.to_string_lossy().into_owned();

    // session 1: the command, its real serial code, 100 samples
    let samples = SAMPLES.to_string();
    let baud = BAUD.to_string();
    let (ok, out, err) = ttfs(&[
        "board",
        "--port",
        &port,
        "--model",
        path(&q),
        "--design",
        path(&design),
        "--samples",
        &samples,
        "--baud",
        &baud,
    ]);
    eprintln!("{out}{err}");
    assert!(ok, "ttfs board failed:\n{out}{err}");
    assert!(
        out.contains(&format!("mismatches  0 of {SAMPLES}")),
        "{out}"
    );
    assert!(out.contains("inferences/s measured"), "{out}");
    assert!(out.contains("UART-bound"), "{out}");
    // the committed model is a trained one: far above chance on the board, as on golden
    let acc_line = out.lines().find(|l| l.starts_with("accuracy")).unwrap();
    let board_pct: f64 = acc_line
        .split_whitespace()
        .nth(2)
        .and_then(|s| s.trim_end_matches('%').parse().ok())
        .unwrap();
    assert!(board_pct > 70.0, "{acc_line}");

    sim.wait_closed(1, Duration::from_secs(30)).unwrap();
    // session 2: a corrupted frame is answered with the checksum error, the next one normally
    let net = golden::io::load_quant(&q).unwrap();
    let data = golden::idx::load_split(&root().join("data/mnist-small"), golden::idx::Split::Test)
        .unwrap();
    let input = golden::encode::encode_steps(data.image(0), net.n_in_steps);
    let events = hdl::contract::input_events(&input);
    let cfg = PortConfig {
        path: port,
        baud: BAUD,
        timeout: Duration::from_secs(20),
    };
    let mut link = Link::open(&cfg, manifest.layers.len()).unwrap();
    let mut frame = encode_request(&events).unwrap();
    frame[7] ^= 0x40; // a step byte of the second event
    link.send(&frame).unwrap();
    let reply = link.receive(0).unwrap();
    assert_eq!(reply.status, Status::BadChecksum, "{reply:?}");
    assert_eq!(reply.class, None);
    let reply = link.infer(0, &events).unwrap();
    let expected = Expected::new(
        &manifest,
        &golden::integer::IntegerRunner::new(&net).run(&input),
    );
    assert!(
        expected.differences(&reply).is_empty(),
        "{reply:?} vs {expected:?}"
    );
    assert_eq!(reply.class.map(|c| c as u8), Some(data.labels[0]));
    drop(link);
    let log = sim.wait(Duration::from_secs(60)).unwrap();
    eprintln!("{log}");
    assert!(log.contains("pty closed (2 of 2"), "{log}");
}

#[test]
fn ttfs_board_names_a_port_it_cannot_open() {
    let tmp = tempfile::tempdir().unwrap();
    let q = quantized(tmp.path(), "q.safetensors", 32);
    let design = generated(tmp.path(), &q);
    let missing = tmp.path().join("no-such-tty");
    let (ok, _, err) = ttfs(&[
        "board",
        "--port",
        path(&missing),
        "--model",
        path(&q),
        "--design",
        path(&design),
        "--samples",
        "1",
    ]);
    assert!(!ok);
    assert!(
        err.contains("no-such-tty") && err.contains("cannot open"),
        "{err}"
    );
    // a model that is not the design's network is refused before the port is touched
    let other = quantized(tmp.path(), "other.safetensors", 64);
    let (ok, _, err) = ttfs(&[
        "board",
        "--port",
        path(&missing),
        "--model",
        path(&other),
        "--design",
        path(&design),
    ]);
    assert!(!ok);
    assert!(err.contains("not the design's network"), "{err}");
}
