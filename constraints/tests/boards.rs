//! Board files: the built-in boards load with the pins of their published pin-outs, user files load
//! by path, and every kind of bad file is rejected with the file and the field in the message.

use std::path::Path;

use constraints::ports::bind;
use constraints::{Board, ConstraintsError, Family, Port, Pull};

fn builtin_text(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("boards")
            .join(format!("{name}.toml")),
    )
    .unwrap()
}

/// Loads the iCEBreaker file with `from` replaced by `to` and returns the error text.
fn icebreaker_error(from: &str, to: &str) -> String {
    let text = builtin_text("icebreaker");
    assert!(text.contains(from), "test setup: `{from}` not in the file");
    let text = text.replacen(from, to, 1);
    match Board::from_toml(&text, Path::new("my-board.toml")) {
        Ok(_) => panic!("`{to}` was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn builtin_boards_have_their_published_pins() {
    let ice = Board::builtin("icebreaker").unwrap();
    assert_eq!(ice.family, Family::Ice40);
    assert_eq!(ice.part(), "iCE40UP5K-SG48");
    assert_eq!(ice.nextpnr_device_flag(), Some("--up5k"));
    assert_eq!(
        (ice.clock.pin.as_str(), ice.clock.frequency_mhz),
        ("35", 12.0)
    );
    assert_eq!(
        (ice.uart.rx.pin.as_str(), ice.uart.tx.pin.as_str()),
        ("6", "9")
    );
    assert_eq!(ice.reset.pin, "10");
    assert!(ice.reset.active_low);
    assert_eq!(ice.leds[0].pin, "11");
    assert_eq!(ice.resources.bram_total_bits(), 120 * 1024);

    let ulx = Board::builtin("ulx3s").unwrap();
    assert_eq!(ulx.nextpnr_device_flag(), Some("--85k"));
    assert_eq!(ulx.speed_grade.as_deref(), Some("6"));
    assert_eq!(ulx.clock.pin, "G2");
    // ftdi_txd is what the FPGA receives.
    assert_eq!(
        (ulx.uart.rx.pin.as_str(), ulx.uart.tx.pin.as_str()),
        ("M1", "L4")
    );
    assert_eq!(ulx.leds.len(), 8);
    assert_eq!(ulx.buttons[0].pull, Pull::Down);

    let arty = Board::builtin("arty-a7-100t").unwrap();
    assert_eq!(arty.part(), "xc7a100tcsg324-1");
    assert_eq!(arty.nextpnr_device_flag(), None);
    assert_eq!(arty.clock.period_ns(), 10.0);
    assert_eq!(
        (arty.uart.rx.pin.as_str(), arty.uart.tx.pin.as_str()),
        ("A9", "D10")
    );
    assert_eq!(arty.reset.pin, "C2");
}

#[test]
fn boards_load_by_name_or_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    let text = builtin_text("ulx3s").replace("name = \"ulx3s\"", "name = \"my-ulx3s\"");
    std::fs::write(&path, text).unwrap();
    let b = Board::load(path.to_str().unwrap()).unwrap();
    assert_eq!(b.name, "my-ulx3s");
    assert_eq!(Board::load("ulx3s").unwrap().name, "ulx3s");
    let e = Board::load("no-such-board").unwrap_err();
    assert!(matches!(e, ConstraintsError::UnknownBoard { .. }), "{e}");
    assert!(
        e.to_string().contains("icebreaker, ulx3s, arty-a7-100t"),
        "{e}"
    );
    let missing = dir.path().join("missing.toml");
    let e = Board::load(missing.to_str().unwrap()).unwrap_err();
    assert!(e.to_string().contains("missing.toml"), "{e}");
}

#[test]
fn bad_board_files_name_the_file_and_the_field() {
    let cases = [
        // (replace, with, expected fragments)
        (
            "luts = 5280",
            "luts = 5280\nlut6 = 1",
            vec!["my-board.toml", "unknown field `lut6`"],
        ),
        (
            "frequency_mhz = 12.0",
            "frequency_mhz = 0.0",
            vec!["clock.frequency_mhz"],
        ),
        (
            "pin = \"9\"",
            "pin = \"6\"",
            vec!["uart.tx.pin", "already used by uart.rx.pin"],
        ),
        (
            "pin = \"35\"",
            "pin = \"G2\"",
            vec!["clock.pin", "not a package pin for ice40"],
        ),
        (
            "device = \"iCE40UP5K\"",
            "device = \"iCE40UP9K\"",
            vec!["`device`", "known: iCE40LP384"],
        ),
        (
            "family = \"ice40\"",
            "family = \"ice41\"",
            vec!["my-board.toml", "ice41"],
        ),
        (
            "package = \"SG48\"",
            "package = \"SG48\"\nspeed_grade = \"6\"",
            vec!["speed_grade"],
        ),
        (
            "pull = \"up\"",
            "pull = \"down\"",
            vec!["reset.pull", "pull-ups only"],
        ),
        (
            "name = \"LED2\"\npin = \"25\"",
            "name = \"LED2\"\npin = \"25\"\ndrive_ma = 8",
            vec!["leds[3].drive_ma"],
        ),
        (
            "io_standard = \"LVCMOS33\"",
            "io_standard = \"SSTL15\"",
            vec!["`io_standard`", "SSTL15"],
        ),
        (
            "name = \"icebreaker\"",
            "name = \"Ice Breaker\"",
            vec!["`name`"],
        ),
        (
            "[reset]\nname = \"BTN_N\"\n",
            "[reset]\n",
            vec!["my-board.toml", "missing field `name`"],
        ),
    ];
    for (from, to, want) in cases {
        let e = icebreaker_error(from, to);
        for w in want {
            assert!(e.contains(w), "replacing `{from}`: `{e}` lacks `{w}`");
        }
    }
}

#[test]
fn ports_bind_by_role_and_reject_what_the_board_cannot_carry() {
    let b = Board::builtin("icebreaker").unwrap();
    let ok = bind(&b, &[Port::input("clock", 1), Port::output("led", 3)]).unwrap();
    let names: Vec<_> = ok
        .iter()
        .map(|x| (x.port_bit.as_str(), x.pin.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("clock", "35"),
            ("led[0]", "11"),
            ("led[1]", "37"),
            ("led[2]", "27")
        ]
    );
    assert!(ok[0].is_clock && !ok[1].is_clock);

    let err = |ports: &[Port]| bind(&b, ports).unwrap_err().to_string();
    assert!(err(&[Port::output("led", 8)]).contains("8 bits wide, the board has 7"));
    assert!(err(&[Port::output("clock", 1)]).contains("must be an input"));
    assert!(err(&[Port::input("in_neuron", 10)]).contains("port `in_neuron`: no board signal"));
    assert!(err(&[Port::input("clock", 1), Port::input("clock", 1)]).contains("listed twice"));
    assert!(err(&[Port::input("button", 0)]).contains("width 0"));
    // A renderer of another family refuses the board.
    let e = constraints::lpf::render(&b, &[Port::input("clock", 1)]).unwrap_err();
    assert!(e.to_string().contains("an LPF is for ecp5 boards"), "{e}");
}

#[test]
fn ports_come_from_a_yosys_netlist() {
    let json = r#"{"modules": {"top": {"ports": {
        "clock": {"direction": "input", "bits": [2]},
        "led": {"direction": "output", "bits": [3, 4]}}}}}"#;
    let ports = constraints::ports::ports_from_yosys_json(json, "top").unwrap();
    assert_eq!(ports, [Port::input("clock", 1), Port::output("led", 2)]);
    let e = constraints::ports::ports_from_yosys_json(json, "other").unwrap_err();
    assert!(e.to_string().contains("modules.other.ports"), "{e}");
}

#[test]
fn pulls_and_drive_reach_every_format() {
    let text = builtin_text("arty-a7-100t").replacen(
        "pin = \"C2\"\nactive_low = true",
        "pin = \"C2\"\nactive_low = true\npull = \"up\"",
        1,
    );
    let text = text.replacen("pin = \"D10\"", "pin = \"D10\"\ndrive_ma = 8", 1);
    let arty = Board::from_toml(&text, Path::new("arty-pulls.toml")).unwrap();
    let xdc = constraints::xdc::render(
        &arty,
        &[Port::input("reset_button", 1), Port::output("uart_tx", 1)],
    )
    .unwrap();
    assert!(
        xdc.contains("PACKAGE_PIN C2 IOSTANDARD LVCMOS33 PULLTYPE PULLUP }"),
        "{xdc}"
    );
    assert!(
        xdc.contains("PACKAGE_PIN D10 IOSTANDARD LVCMOS33 DRIVE 8 }"),
        "{xdc}"
    );
    // No clock port, no create_clock.
    assert!(!xdc.contains("create_clock"), "{xdc}");
}
