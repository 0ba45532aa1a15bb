//! sim refuses a design folder it cannot trust before building anything (issue 13): the manifest is
//! validated and the weight files it names are checked, so a truncated memory is reported as that
//! file and line, not as samples that differ from golden.

use sim::{Design, SimError};
use testkit::reference::{random_net, reference_design};

#[test]
fn a_truncated_weight_file_or_a_traversing_top_is_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    reference_design(&random_net(1), dir.path());
    let hex = dir.path().join("l2_weights.hex");
    let text = std::fs::read_to_string(&hex).unwrap();
    std::fs::write(&hex, &text[..text.len() / 2]).unwrap();
    let err = Design::load(dir.path()).unwrap_err();
    assert!(matches!(err, SimError::Format { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("l2_weights.hex: line 7: the file ends after 6 of 12 words"),
        "{msg}"
    );

    std::fs::write(&hex, &text).unwrap();
    Design::load(dir.path()).unwrap();
    let manifest = dir.path().join("manifest.json");
    let json = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, json.replace("\"ttfs_top\"", "\"../../x\"")).unwrap();
    let msg = Design::load(dir.path()).unwrap_err().to_string();
    assert!(
        msg.contains("manifest.json: top = \"../../x\": not a Verilog module name"),
        "{msg}"
    );
}

/// The simulation step has a wall-clock limit (issue 13: a Verilator model blocked on a full disk
/// during `cosim --vcd` used to keep ttfs waiting for ever): past it the simulator is killed and the
/// run is a tool error naming the limit. Icarus (seconds to build); a limit of 1 ms cannot be met.
#[test]
fn a_simulation_past_its_wall_clock_limit_is_killed_with_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let design = reference_design(&random_net(2), &tmp.path().join("design"));
    let mut cfg = sim::RunConfig::new(sim::Simulator::Icarus, &tmp.path().join("run"));
    cfg.trace = false;
    cfg.time_limit = Some(std::time::Duration::from_millis(1));
    // Enough samples that the simulation outlasts the limit's first check by far on any machine
    // (five samples take about 13 ms on an idle one).
    let inputs = testkit::reference::random_inputs(2, 2000);
    match sim::run(&design, &inputs, &cfg) {
        Err(SimError::Tool(toolchain::ToolchainError::TimedOut { what, .. })) => {
            assert_eq!(what, "vvp simulation");
        }
        other => panic!("expected the time limit, got {other:?}"),
    }
    // The stimulus was written whole, with no temporary file beside it.
    let names: Vec<String> = std::fs::read_dir(tmp.path().join("run"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"stimulus.hex".to_string()), "{names:?}");
    assert!(!names.iter().any(|n| n.contains(".tmp.")), "{names:?}");
    // The default grows with the work and is never shorter than 10 minutes.
    assert_eq!(sim::sim_time_limit(0, 0).as_secs(), 600);
    assert_eq!(sim::sim_time_limit(1_000_000, 100).as_secs(), 600 + 5_000);
}
