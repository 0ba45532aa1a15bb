//! Plans without tools: the steps, arguments and files of the lint and synthesis flows.

use std::path::{Path, PathBuf};
use toolchain::{lint_flow, synth_flow, Program, SynthOptions, SynthTarget, VERILATOR, YOSYS};

fn files() -> Vec<PathBuf> {
    vec![PathBuf::from("/d/a.v"), PathBuf::from("/d/ttfs_top.v")]
}

#[test]
fn ecp5_synthesis_plan() {
    let mut opts = SynthOptions::new(SynthTarget::Ecp5, "ttfs_top", Path::new("/w"));
    opts.netlist = Some(PathBuf::from("/w/netlist.json"));
    let flow = synth_flow(Path::new("/d"), &files(), &opts);
    assert_eq!(flow.files.len(), 1);
    assert_eq!(flow.files[0].path, PathBuf::from("/w/synth.ys"));
    assert_eq!(
        flow.files[0].text,
        "read_verilog -sv /d/a.v\n\
         read_verilog -sv /d/ttfs_top.v\n\
         synth_ecp5 -top ttfs_top -run :map_ram\n\
         tee -o /w/coarse_stat.txt stat\n\
         synth_ecp5 -top ttfs_top -run map_ram:\n\
         tee -o /w/synth_stat.txt stat\n\
         write_json /w/netlist.json\n"
    );
    assert_eq!(flow.steps.len(), 1);
    let s = &flow.steps[0];
    assert_eq!(s.program, Program::Tool(YOSYS));
    assert_eq!(s.args_text(), ["-s", "/w/synth.ys"]);
    assert_eq!(s.cwd.as_deref(), Some(Path::new("/d")));
    assert_eq!(
        s.inputs,
        [files(), vec![PathBuf::from("/w/synth.ys")]].concat()
    );
    assert_eq!(
        s.outputs,
        ["/w/coarse_stat.txt", "/w/synth_stat.txt", "/w/netlist.json"].map(PathBuf::from)
    );
    assert_eq!(s.log, PathBuf::from("/w/yosys.log"));
    assert_eq!(s.time_limit, None);
    assert_eq!(s.what, "yosys synth_ecp5 of /d");
    let text = flow.describe();
    assert!(text.starts_with("write /w/synth.ys ("), "{text}");
    assert!(
        text.contains("run   yosys synth_ecp5 of /d: yosys -s /w/synth.ys  (in /d)"),
        "{text}"
    );
}

#[test]
fn every_target_splits_before_its_memory_mapping() {
    for (target, first, second) in [
        (
            SynthTarget::Generic,
            "synth -flatten -top t -run :fine",
            "synth -flatten -top t -run fine:",
        ),
        (
            SynthTarget::Ice40,
            "synth_ice40 -flatten -top t -run :map_ram",
            "synth_ice40 -flatten -top t -run map_ram:",
        ),
        (
            SynthTarget::Xilinx,
            "synth_xilinx -flatten -top t -run :map_memory",
            "synth_xilinx -flatten -top t -run map_memory:",
        ),
    ] {
        let mut opts = SynthOptions::new(target, "t", Path::new("w"));
        opts.flatten = true;
        opts.time_limit = Some(std::time::Duration::from_secs(60));
        let flow = synth_flow(Path::new("d"), &files(), &opts);
        let lines: Vec<&str> = flow.files[0].text.lines().collect();
        assert_eq!(lines[2], first);
        assert_eq!(lines[4], second);
        assert_eq!(lines.len(), 6, "no netlist asked: {lines:?}");
        assert_eq!(flow.steps[0].outputs.len(), 2);
        assert_eq!(flow.steps[0].time_limit, opts.time_limit);
    }
}

#[test]
fn lint_plan() {
    let flow = lint_flow(
        Path::new("/d"),
        &files(),
        "ttfs_top",
        Path::new("/l/lint.log"),
    );
    assert!(flow.files.is_empty());
    let s = &flow.steps[0];
    assert_eq!(s.program, Program::Tool(VERILATOR));
    assert_eq!(
        s.args_text(),
        [
            "--lint-only",
            "-Wall",
            "-Wno-fatal",
            "--top-module",
            "ttfs_top",
            "/d/a.v",
            "/d/ttfs_top.v"
        ]
    );
    assert_eq!(s.inputs, files());
    assert!(s.outputs.is_empty());
    assert_eq!(s.log, PathBuf::from("/l/lint.log"));
}
