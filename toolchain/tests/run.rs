//! Running steps and flows with `/bin/sh` as the tool: streaming to the log, the time limit (the tool
//! and its children killed), failure messages, and the flow's file checks.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use toolchain::{execute, run_step, Flow, PlannedFile, Program, Step, Stream, ToolchainError};

fn sh(dir: &Path, script: &str) -> Step {
    Step::new(
        "test step",
        Program::Path("/bin/sh".into()),
        dir.join("logs/step.log"),
    )
    .cwd(dir)
    .args(["-c", script])
}

fn log_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("logs/step.log")).unwrap()
}

#[test]
fn output_reaches_the_log_while_the_tool_runs() {
    let d = tempfile::tempdir().unwrap();
    let step = sh(
        d.path(),
        "echo first; echo to-stderr >&2; sleep 1; echo second",
    );
    let t0 = Instant::now();
    let mut seen: Vec<(Stream, String, f64, String)> = Vec::new();
    let mut cb = |stream: Stream, line: &str| {
        seen.push((
            stream,
            line.to_string(),
            t0.elapsed().as_secs_f64(),
            log_text(d.path()),
        ));
    };
    let out = run_step(&step, Some(&mut cb)).unwrap();
    let lines: Vec<&str> = seen.iter().map(|s| s.1.as_str()).collect();
    assert_eq!(lines.len(), 3, "{seen:?}");
    assert!(lines.contains(&"to-stderr"), "{seen:?}");
    // "first" is stdout's first line; the stderr line may reach the callback before it (two readers)
    let (stream, _, at, log_then) = seen
        .iter()
        .find(|s| s.1 == "first")
        .expect("first line seen");
    assert_eq!(*stream, Stream::Stdout);
    assert_eq!(
        lines
            .iter()
            .filter(|l| **l != "to-stderr")
            .collect::<Vec<_>>(),
        [&"first", &"second"]
    );
    // When "first" arrived, the log already held it and the tool was still sleeping.
    assert!(log_then.contains("\nfirst\n"), "{log_then}");
    assert!(!log_then.contains("\nsecond\n"), "{log_then}");
    assert!(
        out.seconds >= 1.0 && *at < out.seconds - 0.5,
        "{at} vs {}",
        out.seconds
    );
    assert_eq!(out.stdout, "first\nsecond\n");
    assert_eq!(out.stderr, "to-stderr\n");
    let log = log_text(d.path());
    assert!(
        log.starts_with(&format!(
            "(cd {})\n$ /bin/sh -c echo first;",
            d.path().display()
        )),
        "{log}"
    );
    assert!(log.contains("\nsecond\n--- exit status 0 after "), "{log}");
}

/// A process is gone once it is reaped or a zombie (its parent is init, which reaps it when it can).
fn is_dead(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(s) => s
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

#[test]
fn time_limit_kills_the_tool_and_its_children() {
    let d = tempfile::tempdir().unwrap();
    let step = sh(
        d.path(),
        "sleep 100 & echo child $!; sh -c 'sleep 100 & echo grandchild $!; wait' & echo started; wait",
    )
    .time_limit(Some(Duration::from_millis(800)));
    let mut pids = Vec::new();
    let mut cb = |_: Stream, line: &str| {
        if let Some((_, pid)) = line.split_once(' ') {
            if let Ok(p) = pid.parse::<u32>() {
                pids.push(p);
            }
        }
    };
    let t0 = Instant::now();
    let err = run_step(&step, Some(&mut cb)).unwrap_err();
    let took = t0.elapsed();
    assert!(matches!(err, ToolchainError::TimedOut { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("killed after its time limit of 0.8 s"),
        "{msg}"
    );
    assert!(msg.contains("| started"), "{msg}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert_eq!(pids.len(), 2, "both sleeps reported their pid: {pids:?}");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !pids.iter().all(|&p| is_dead(p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    for p in pids {
        assert!(is_dead(p), "sleep {p} survived the time limit");
    }
    assert!(log_text(d.path()).contains("--- killed after the time limit of 0.8 s"));
}

#[test]
fn a_silent_failure_names_the_program_the_arguments_and_the_status() {
    let d = tempfile::tempdir().unwrap();
    let step = Step::new(
        "verilator build of out/hdl",
        Program::Path("/bin/false".into()),
        d.path().join("build.log"),
    )
    .args(["--cc", "ttfs_top.v"]);
    let msg = run_step(&step, None).unwrap_err().to_string();
    assert!(
        msg.starts_with("verilator build of out/hdl failed (exit status 1)"),
        "{msg}"
    );
    assert!(msg.contains("`/bin/false --cc ttfs_top.v`"), "{msg}");
    assert!(msg.contains("(the tool printed nothing)"), "{msg}");
    assert!(
        msg.contains(&d.path().join("build.log").display().to_string()),
        "{msg}"
    );
}

#[test]
fn a_failure_quotes_the_end_of_the_log() {
    let d = tempfile::tempdir().unwrap();
    let script =
        "i=0; while [ $i -lt 45 ]; do echo line $i; i=$((i+1)); done; echo bad >&2; exit 3";
    let msg = run_step(&sh(d.path(), script), None)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("failed (exit status 3)"), "{msg}");
    assert!(msg.contains("(6 earlier lines in the log)"), "{msg}");
    // stdout and stderr are read by two threads: each stream keeps its order in the log, but where
    // the stderr line lands among the stdout lines depends on scheduling (seen both first and last),
    // so the tail is checked on stdout's order and the stderr line in the log itself
    assert!(msg.contains("  | line 44\n"), "{msg}");
    assert!(!msg.contains("| line 0\n"), "{msg}");
    assert!(log_text(d.path()).contains("\nbad\n"), "{msg}");
    // A program that does not exist: could not start.
    let step = Step::new(
        "x",
        Program::Path(d.path().join("nope")),
        d.path().join("x.log"),
    );
    let msg = run_step(&step, None).unwrap_err().to_string();
    assert!(msg.contains("failed (could not start: "), "{msg}");
}

#[test]
fn flow_writes_its_files_and_checks_inputs_and_outputs() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let script = p.join("work/script.txt");
    let flow = Flow {
        files: vec![PlannedFile {
            path: script.clone(),
            text: "hello from the plan\n".into(),
        }],
        steps: vec![sh(p, "cat work/script.txt > out.txt")
            .inputs([PathBuf::from("work/script.txt")])
            .outputs([PathBuf::from("out.txt")])],
    };
    assert!(flow
        .describe()
        .contains("run   test step: /bin/sh -c cat work/script.txt"));
    let outs = execute(&flow).unwrap();
    assert_eq!(outs.len(), 1);
    assert_eq!(
        std::fs::read_to_string(p.join("out.txt")).unwrap(),
        "hello from the plan\n"
    );

    // A missing input: the step does not run.
    let flow = Flow {
        files: vec![],
        steps: vec![sh(p, "touch ran").inputs([PathBuf::from("absent.v")])],
    };
    let err = execute(&flow).unwrap_err();
    assert!(
        matches!(err, ToolchainError::MissingInput { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("absent.v does not exist"), "{err}");
    assert!(!p.join("ran").exists());

    // A declared output the tool did not write.
    let flow = Flow {
        files: vec![],
        steps: vec![sh(p, "true").outputs([PathBuf::from("netlist.json")])],
    };
    let err = execute(&flow).unwrap_err().to_string();
    assert!(err.contains("reported success but did not write"), "{err}");
    assert!(err.contains("netlist.json"), "{err}");
}
