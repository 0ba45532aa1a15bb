//! `ttfs synth --board`: the whole FPGA flow (board top level, constraints, Yosys, nextpnr, the
//! bitstream packer, report.json with the latency) on a small design, seconds of place and route.
//! Needs yosys, nextpnr-ice40 and icepack (`scripts/install-deps --fpga`); a missing tool fails the
//! test with the install command, never skips it.

use golden::idx::{write_split, Dataset, Split};
use std::path::{Path, PathBuf};
use testkit::cli::{path_str, stderr, stdout};
use testkit::nets::{IntNet, Thresholds};

/// A 16-8-4 network with 4-bit weights, its design (4 lanes) and 20 random 4x4 test images.
struct Small {
    _dir: tempfile::TempDir,
    model: PathBuf,
    design: PathBuf,
    data: PathBuf,
}

fn small() -> Small {
    let dir = tempfile::tempdir().unwrap();
    let net = IntNet::biased(&[16, 8, 4], 4, Thresholds::Fixed(vec![12, 8])).seeded(3);
    let model = dir.path().join("q.safetensors");
    golden::io::save_quant(&model, &net).unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut rng = testkit::rng::Rng::new(7);
    let n = 20;
    let images: Vec<u8> = (0..n * 16).map(|_| rng.range(0, 255) as u8).collect();
    let labels: Vec<u8> = (0..n).map(|i| (i % 4) as u8).collect();
    let set = Dataset::new(images, labels, 4, 4).unwrap();
    write_split(&data, Split::Test, &set, false).unwrap();
    let design = dir.path().join("design");
    let out = testkit::ttfs!().run(&[
        "hdl",
        "--model",
        path_str(&model),
        "--out",
        path_str(&design),
        "--lanes",
        "4",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    Small {
        _dir: dir,
        model,
        design,
        data,
    }
}

fn synth(s: &Small, board: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "synth",
        "--board",
        board,
        "--design",
        path_str(&s.design),
        "--model",
        path_str(&s.model),
        "--data",
        path_str(&s.data),
    ];
    args.extend_from_slice(extra);
    testkit::ttfs!().run(&args)
}

fn report(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn icebreaker_flow_places_routes_packs_and_reports() {
    let s = small();
    let out = synth(&s, "icebreaker", &[]);
    let (so, se) = (stdout(&out), stderr(&out));
    assert!(out.status.success(), "{so}\n{se}");
    // Progress per step on stderr, the table on stdout.
    for step in [
        "[1/3] yosys synthesis",
        "[2/3] nextpnr-ice40 place and route",
        "[3/3] icepack bitstream",
    ] {
        assert!(se.contains(step), "{se}");
    }
    assert!(se.contains("Info: Max frequency"), "{se}");
    assert!(
        so.contains("ttfs_board_top on icebreaker (iCE40UP5K-SG48)"),
        "{so}"
    );
    let build = s.design.join("synth-icebreaker");
    assert!(s.design.join("ttfs_board_top.v").is_file());
    assert!(build.join("board.pcf").is_file());
    let r = report(&build);
    for res in ["luts", "ffs", "brams"] {
        let u = &r["utilisation"][res];
        let (used, avail) = (
            u["used"].as_u64().unwrap(),
            u["available"].as_u64().unwrap(),
        );
        assert!(used > 0 && used <= avail, "{res}: {u}");
    }
    let f = &r["fmax"][0];
    assert!(f["achieved_mhz"].as_f64().unwrap() > 0.0, "{f}");
    // nextpnr reports the constraint in single precision (12.00004768...).
    assert!(
        (f["constraint_mhz"].as_f64().unwrap() - 12.0).abs() < 1e-3,
        "{f}"
    );
    assert_eq!(
        r["timing_met"].as_bool().unwrap(),
        f["achieved_mhz"].as_f64().unwrap() >= 12.0
    );
    let start = r["critical_path"]["start"].as_str().unwrap();
    assert!(!start.is_empty());
    let bit = &r["bitstream"];
    let path = PathBuf::from(bit["path"].as_str().unwrap());
    let bytes = std::fs::metadata(&path).unwrap().len();
    assert!(
        bytes > 0 && bytes == bit["bytes"].as_u64().unwrap(),
        "{bit}"
    );
    let names: Vec<&str> = r["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["yosys", "nextpnr-ice40", "icepack"]);
    // Latency at the achieved Fmax over the 20 samples, within the cycle bound.
    let l = &r["latency"];
    assert_eq!(l["samples"].as_u64().unwrap(), 20);
    assert_eq!(l["clock_mhz"], f["achieved_mhz"]);
    let (mean, max, bound) = (
        l["mean_us"].as_f64().unwrap(),
        l["max_us"].as_f64().unwrap(),
        l["upper_bound_us"].as_f64().unwrap(),
    );
    assert!(0.0 < mean && mean <= max && max <= bound, "{l}");
    let cycles = l["cycles_max"].as_f64().unwrap();
    assert!((max - cycles / f["achieved_mhz"].as_f64().unwrap()).abs() < 1e-9);

    // An unreachable constraint: reported, and exit 1 with --require-timing.
    let out = synth(
        &s,
        "icebreaker",
        &[
            "--freq",
            "2000",
            "--require-timing",
            "--out",
            path_str(&build.join("fast")),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("timing FAILED"), "{}", stderr(&out));
    assert!(stdout(&out).contains("against 2000.00 MHz (FAILED)"));
}

#[test]
fn a_missing_place_and_route_tool_fails_with_its_install_command() {
    let s = small();
    let out = testkit::ttfs!()
        .command()
        .args(["synth", "--board", "icebreaker", "--design"])
        .arg(&s.design)
        .env("NEXTPNR_ICE40", "/nonexistent/nextpnr-ice40")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(e.contains("nextpnr-ice40 not found"), "{e}");
    assert!(
        e.contains("apt-get install nextpnr-ice40 fpga-icestorm"),
        "{e}"
    );
    // Found before anything ran.
    assert!(!s.design.join("synth-icebreaker/yosys.log").exists());
}

#[test]
fn xilinx_stops_after_yosys_with_the_vivado_script() {
    let s = small();
    let out = synth(&s, "arty-a7-100t", &[]);
    let (so, se) = (stdout(&out), stderr(&out));
    assert!(out.status.success(), "{so}\n{se}");
    assert!(so.contains("no open place-and-route"), "{so}");
    let build = s.design.join("synth-arty-a7-100t");
    assert!(build.join("vivado.tcl").is_file() && build.join("board.xdc").is_file());
    let r = report(&build);
    assert!(r["utilisation"]["luts"]["used"].as_u64().unwrap() > 0);
    assert!(r["fmax"].as_array().unwrap().is_empty());
    assert!(r["bitstream"].is_null() && r["timing_met"].is_null());
    assert_eq!(r["latency"]["clock"], "board clock, no place and route");
    assert_eq!(r["latency"]["clock_mhz"].as_f64().unwrap(), 100.0);
}

#[test]
fn the_ulx3s_plan_names_nextpnr_ecp5_and_ecppack() {
    let s = small();
    let out = testkit::ttfs!().run(&[
        "synth",
        "--board",
        "ulx3s",
        "--design",
        path_str(&s.design),
        "--plan",
        "--freq",
        "75",
    ]);
    let so = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        so.contains("nextpnr-ecp5 place and route: nextpnr-ecp5 --85k"),
        "{so}"
    );
    assert!(so.contains("--freq 75"), "{so}");
    assert!(so.contains("ecppack bitstream: ecppack --compress"), "{so}");
    assert!(
        !s.design.join("ttfs_board_top.v").exists(),
        "--plan writes nothing"
    );
}
