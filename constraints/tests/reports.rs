//! The report parsers on reports captured from real runs (`tests/fixtures/`, see its README): a
//! small generated design (784-16-10, 4-bit weights, 4 lanes) inside a flow-test harness, through
//! Yosys 0.23, nextpnr-ice40 0.4 and nextpnr-ecp5 0.11. The expected numbers were read off the
//! fixture files by hand.

mod common;
use common::{fixture, snapshot};

use constraints::report::{PnrReport, YosysStat};
use constraints::{Board, SynthReport, Usage};

#[test]
fn icebreaker_reports() {
    let board = Board::builtin("icebreaker").unwrap();
    let stat = YosysStat::parse(&fixture("icebreaker-yosys-stat.json")).unwrap();
    assert_eq!(stat.cells, 4267);
    assert_eq!(stat.cells_by_type["SB_LUT4"], 2300);
    let pnr = PnrReport::parse(&fixture("icebreaker-nextpnr-report.json")).unwrap();
    // The board file's resources are nextpnr's device database's.
    let lc = pnr.cell("ICESTORM_LC").unwrap();
    assert_eq!((lc.used, lc.available), (3441, board.resources.luts));
    assert_eq!(
        pnr.cell("ICESTORM_RAM").unwrap().available,
        board.resources.brams
    );
    assert_eq!(
        pnr.cell("ICESTORM_DSP").unwrap().available,
        board.resources.dsps
    );
    // One clock: 18.195 MHz achieved against the PCF's 12 MHz.
    assert_eq!(pnr.fmax.len(), 1);
    let f = &pnr.fmax[0];
    assert_eq!(f.clock, "clock$SB_IO_IN_$glb_clk");
    assert!((f.achieved_mhz - 18.195).abs() < 1e-3 && (f.constraint_mhz - 12.0).abs() < 1e-3);
    assert!(f.meets());
    // Three paths (reg-reg, input-reg, reg-output); the critical one is reg-reg, 51 segments whose
    // delays add up to the clock period at Fmax: 1000 / 18.195 = 54.96 ns.
    assert_eq!(pnr.critical_paths.len(), 3);
    let cp = pnr.critical_path().unwrap();
    assert_eq!(cp.segments, 51);
    assert!(
        (cp.delay_ns - 1000.0 / f.achieved_mhz).abs() < 0.05,
        "{}",
        cp.delay_ns
    );
    assert_eq!(cp.start, "dut.u_layer1.fwd_valid_SB_LUT4_I3_LC.CLK");

    let r = SynthReport::new(&board, "harness_top", &stat, Some(&pnr));
    let u = r.utilisation;
    // SB_DFF 538 + SB_DFFE 922 + SB_DFFESR 90 + SB_DFFESS 2 + SB_DFFSR 32 = 1584.
    assert_eq!(
        u.ffs,
        Usage {
            used: 1584,
            available: 5280
        }
    );
    assert_eq!(u.luts.used, 2300);
    assert_eq!(u.carry.used, 365);
    assert_eq!(
        u.brams,
        Usage {
            used: 18,
            available: 30
        }
    );
    assert_eq!(u.dsps.used, 0);
    assert!(u.fits());
    assert_eq!(r.timing_met, Some(true));
    assert_eq!(r.achieved_mhz(), Some(f.achieved_mhz));
    snapshot("icebreaker-report.txt", &r.table());
    let back: SynthReport = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(back, r);
    // Without place and route there is no timing verdict.
    assert_eq!(SynthReport::new(&board, "t", &stat, None).timing_met, None);
}

#[test]
fn latency_is_cycles_over_the_clock() {
    use constraints::Latency;
    // 100, 200, 300 cycles at 50 MHz: mean 4 us, worst 6 us; the bound of 1,000 cycles 20 us.
    let l = Latency::new(&[100, 300, 200], 1000, 50.0, "achieved Fmax", "d").unwrap();
    assert_eq!((l.samples, l.cycles_max, l.cycles_mean), (3, 300, 200.0));
    assert_eq!((l.mean_us, l.max_us, l.upper_bound_us), (4.0, 6.0, 20.0));
    assert!(Latency::new(&[], 1000, 50.0, "x", "d").is_none());
    assert!(Latency::new(&[1], 1000, 0.0, "x", "d").is_none());
    let board = Board::builtin("icebreaker").unwrap();
    let stat = YosysStat::parse(&fixture("icebreaker-yosys-stat.json")).unwrap();
    let mut r = SynthReport::new(&board, "t", &stat, None);
    r.latency = Some(l);
    assert!(
        r.table().contains("latency at 50.00 MHz (achieved Fmax), 3 samples of d: mean 4.0 us (200.0 cycles), worst 6.0 us (300 cycles), bound 20.0 us (1000 cycles)"),
        "{}",
        r.table()
    );
    let back: SynthReport = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(back, r);
}

#[test]
fn broken_reports_name_the_key() {
    let e = PnrReport::parse("{\"utilization\": {}, \"fmax\": {}}").unwrap_err();
    assert!(e.to_string().contains("`critical_paths`"), "{e}");
    let e = PnrReport::parse(
        r#"{"utilization": {"ICESTORM_LC": {"used": 1}}, "fmax": {}, "critical_paths": []}"#,
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("utilization.ICESTORM_LC.available"),
        "{e}"
    );
    let e = PnrReport::parse("{").unwrap_err();
    assert!(
        e.to_string().starts_with("nextpnr --report: `(document)`"),
        "{e}"
    );
    let e = YosysStat::parse(r#"{"design": {"num_cells": 3}}"#).unwrap_err();
    assert!(e.to_string().contains("design.num_cells_by_type"), "{e}");
    let e = YosysStat::parse(r#"{"modules": {}}"#).unwrap_err();
    assert!(e.to_string().contains("0 modules"), "{e}");
}

#[test]
fn a_design_too_big_for_the_board_does_not_fit() {
    let board = Board::builtin("icebreaker").unwrap();
    let stat = YosysStat::parse(
        r#"{"design": {"num_cells": 31, "num_cells_by_type": {"SB_RAM40_4K": 31}}}"#,
    )
    .unwrap();
    let r = SynthReport::new(&board, "top", &stat, None);
    assert_eq!(
        r.utilisation.brams,
        Usage {
            used: 31,
            available: 30
        }
    );
    assert!(!r.utilisation.fits());
    assert!(r.table().contains("DOES NOT FIT"));
    assert!(r.fmax.is_empty() && r.critical_path.is_none());
}

#[test]
fn ulx3s_reports() {
    let board = Board::builtin("ulx3s").unwrap();
    let stat = YosysStat::parse(&fixture("ulx3s-yosys-stat.json")).unwrap();
    let pnr = PnrReport::parse(&fixture("ulx3s-nextpnr-report.json")).unwrap();
    // The board file's resources are nextpnr's device database's.
    for (cell, available) in [
        ("TRELLIS_COMB", board.resources.luts),
        ("TRELLIS_FF", board.resources.ffs),
        ("DP16KD", board.resources.brams),
        ("MULT18X18D", board.resources.dsps),
    ] {
        assert_eq!(pnr.cell(cell).unwrap().available, available, "{cell}");
    }
    // Yosys alone: LUT4 2000 + 2 x CCU2C 206 + 2 x TRELLIS_DPR16X4 51 = 2514 LUTs.
    let synth_only = SynthReport::new(&board, "harness_top", &stat, None);
    assert_eq!(synth_only.utilisation.luts.used, 2514);
    // Placed: nextpnr's TRELLIS_COMB count (2882) replaces it; the rest agree with Yosys.
    let r = SynthReport::new(&board, "harness_top", &stat, Some(&pnr));
    let u = r.utilisation;
    assert_eq!(
        u.luts,
        Usage {
            used: 2882,
            available: 83640
        }
    );
    assert_eq!(u.ffs.used, 876);
    assert_eq!(
        u.brams,
        Usage {
            used: 5,
            available: 208
        }
    );
    assert_eq!(u.dsps.used, 1);
    assert_eq!(
        u.carry,
        Usage {
            used: 206,
            available: 41820
        }
    );
    // 55.56 MHz against the LPF's 25 MHz; the reg-reg path's 63 segments add to 18.00 ns.
    let f = pnr.worst_clock().unwrap();
    assert_eq!(f.clock, "$glbnet$clock$TRELLIS_IO_IN");
    assert!((f.achieved_mhz - 55.559).abs() < 1e-3 && f.constraint_mhz == 25.0);
    let cp = r.critical_path.as_ref().unwrap();
    assert_eq!(
        (cp.segments, cp.from_clock.as_str()),
        (63, "posedge $glbnet$clock$TRELLIS_IO_IN")
    );
    assert!((cp.delay_ns - 17.999).abs() < 1e-2, "{}", cp.delay_ns);
    snapshot("ulx3s-report.txt", &r.table());
}

#[test]
fn arty_utilisation_from_yosys_alone() {
    let board = Board::builtin("arty-a7-100t").unwrap();
    let stat = YosysStat::parse(&fixture("arty-a7-100t-yosys-stat.json")).unwrap();
    let r = SynthReport::new(&board, "harness_top", &stat, None);
    let u = r.utilisation;
    // LUT1..LUT6 49 + 509 + 506 + 114 + 101 + 468 = 1747, + 4 x RAM32M 35 = 140, + SRL16E 2 = 1889.
    assert_eq!(
        u.luts,
        Usage {
            used: 1889,
            available: 63400
        }
    );
    // FDRE 817 + FDSE 2.
    assert_eq!(u.ffs.used, 819);
    // In RAMB18 units: RAMB18E1 1 + 2 x RAMB36E1 2 = 5 of 270.
    assert_eq!(
        u.brams,
        Usage {
            used: 5,
            available: 270
        }
    );
    assert_eq!((u.dsps.used, u.carry.used), (0, 81));
    assert!(r.fmax.is_empty() && r.placed_cells.is_empty());
    snapshot("arty-a7-100t-report.txt", &r.table());
}
