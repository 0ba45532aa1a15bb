//! An interrupted or killed ttfs leaves no external tool running (issue 13): Ctrl-C / SIGTERM kill
//! every running tool's process group from ttfs's handler, SIGKILL of ttfs kills the tool through
//! the death signal (Linux). The tool is a stand-in for Verilator that reports a version and then
//! sleeps, so the test needs no simulator and takes seconds.

#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use testkit::cli::{committed_model, path_str as s, stderr};
use testkit::ttfs;

/// A design folder of the committed model, and its integer model.
fn design(dir: &Path) -> (PathBuf, PathBuf) {
    let q = dir.join("q.safetensors");
    let o = ttfs!().run(&["quantize", "--model", s(&committed_model()), "--out", s(&q)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let d = dir.join("hdl");
    let o = ttfs!().run(&["hdl", "--model", s(&q), "--out", s(&d)]);
    assert!(o.status.success(), "{}", stderr(&o));
    (d, q)
}

/// A `verilator` that answers `--version`, then writes its pid and sleeps.
fn fake_verilator(dir: &Path) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let pid_file = dir.join("tool.pid");
    let script = dir.join("verilator");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncase \"$1\" in --version) echo 'Verilator 5.020 2024-01-01'; exit 0;; esac\n\
             echo $$ > {}.part && mv {0}.part {0}\nexec sleep 60\n",
            pid_file.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, pid_file)
}

/// Alive and not a zombie.
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|st| {
            !st.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(false)
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !ok() {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Starts `ttfs cosim` with the fake Verilator, waits until the tool runs, sends `signal` to ttfs:
/// the tool must be gone soon after. Returns ttfs's exit status.
fn interrupt_cosim(signal: i32) -> std::process::ExitStatus {
    let tmp = tempfile::tempdir().unwrap();
    let (d, q) = design(tmp.path());
    let (script, pid_file) = fake_verilator(tmp.path());
    let mut child = ttfs!()
        .command()
        .args([
            "cosim",
            "--design",
            s(&d),
            "--model",
            s(&q),
            "--samples",
            "1",
        ])
        .arg("--out")
        .arg(tmp.path().join("cosim"))
        .env("VERILATOR", &script)
        .env("TTFS_SIM_CACHE", tmp.path().join("cache"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the tool to start", || pid_file.exists());
    let tool: u32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(running(tool));
    // SAFETY: kill(2) on the pid of our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    let t0 = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        assert!(t0.elapsed() < Duration::from_secs(30), "ttfs did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    wait_for("the tool to die with ttfs", || !running(tool));
    status
}

#[test]
fn sigterm_and_ctrl_c_of_cosim_kill_the_running_tool() {
    use std::os::unix::process::ExitStatusExt;
    for signal in [libc::SIGTERM, libc::SIGINT] {
        let st = interrupt_cosim(signal);
        assert!(!st.success(), "signal {signal}: {st:?}");
        assert_eq!(
            st.signal(),
            None,
            "signal {signal}: ttfs died without its handler"
        );
    }
}

#[test]
fn sigkill_of_ttfs_kills_the_running_tool_through_the_death_signal() {
    use std::os::unix::process::ExitStatusExt;
    let st = interrupt_cosim(libc::SIGKILL);
    assert_eq!(st.signal(), Some(libc::SIGKILL));
}
