//! `ttfs_board_top` is lint-clean under `verilator --lint-only -Wall` and synthesizes in Yosys without
//! latches, for a simulation setting and for real boards (active-low reset and LEDs).

mod common;

use board::verilog::{board_top_text, LinkConfig, BOARD_TOP};

#[test]
fn board_top_is_lint_clean_and_synthesizes_without_latches() {
    let tmp = tempfile::tempdir().unwrap();
    let net = common::random_net(&[12, 6, 3], 3);
    for (name, link) in [
        ("sim", LinkConfig::simulation(115_200, 8)),
        (
            "icebreaker",
            LinkConfig::for_board(&constraints::Board::builtin("icebreaker").unwrap(), 115_200)
                .unwrap(),
        ),
    ] {
        let dir = tmp.path().join(name);
        common::write_design(&dir, &net, 4, &link);
        let lint = toolchain::lint_verilator(&dir, BOARD_TOP).unwrap();
        assert!(
            lint.warnings.is_empty(),
            "{name}: lint warnings {:#?} (log {})",
            lint.warnings,
            lint.log.display()
        );
        let synth = toolchain::synth_yosys(&dir, BOARD_TOP).unwrap();
        assert_eq!(synth.latches, 0, "{name}: {:?}", synth.cell_types);
        assert!(synth.cells > 100, "{name}: only {} cells", synth.cells);
    }
}

#[test]
fn board_top_takes_the_board_settings() {
    let net = common::random_net(&[12, 6, 3], 3);
    let m = hdl::generate(&net, &Default::default()).unwrap().manifest;
    let ice = constraints::Board::builtin("icebreaker").unwrap();
    let text = board_top_text(&m, &LinkConfig::for_board(&ice, 115_200).unwrap()).unwrap();
    // 12 MHz / 115200 = 104 cycles per bit; iCEBreaker's button and two first LEDs are active low
    assert!(text.contains("(104 clock cycles per bit)"), "{text}");
    assert!(text.contains("{btn_sync[0], !reset_button}"));
    assert!(text.contains("assign led[0] = !error_led;"));
    let sim = board_top_text(&m, &LinkConfig::simulation(115_200, 8)).unwrap();
    assert!(sim.contains("{btn_sync[0], reset_button}"));
    assert!(sim.contains("assign led[0] = error_led;"));
    // too few cycles per bit, and a divider too far off the baud rate, are refused with the field
    let err = board_top_text(&m, &LinkConfig::simulation(115_200, 2)).unwrap_err();
    assert!(err.to_string().contains("baud"), "{err}");
    let mut off = LinkConfig::simulation(115_200, 8);
    off.clock_hz = 115_200 * 4 + 115_200 / 3;
    let err = board_top_text(&m, &off).unwrap_err();
    assert!(err.to_string().contains("% off"), "{err}");
}
