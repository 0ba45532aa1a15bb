//! One tool run: a [`Step`] is data (program, arguments, folder, environment, the files it reads and
//! writes, its log and time limit); [`run_step`] executes it.
//!
//! Promises of [`run_step`]:
//! * the log starts with the folder and the command line, then gets every line of stdout and stderr
//!   *as the tool prints it* (flushed per line, so `tail -f` shows a long build; each stream keeps its
//!   order, lines of the two streams interleave in arrival order), then the exit status
//!   and wall time; each line also goes to the optional progress callback;
//! * the tool runs in a process group of its own; when the time limit passes, the whole group (the tool
//!   and every process it started) is killed with SIGKILL; when the tool exits, whatever it left running
//!   in its group is killed too, so no step outlives itself;
//! * a non-zero exit, a kill or a failed start is an error with the command line, the status and the
//!   log's last lines ("printed nothing" when there were none).
//!
//! * a running step's group is registered while it runs: [`kill_running`] (called by `ttfs`'s Ctrl-C /
//!   SIGTERM handler) kills every registered group, so a tool never outlives an interrupted ttfs; on
//!   Linux the tool also gets `PR_SET_PDEATHSIG = SIGKILL`, so a SIGKILL of ttfs (no handler runs)
//!   kills the tool too. The death signal reaches the tool itself (the simulation binary, the
//!   Verilator driver), not processes it started in turn (a compiler run by make ends on its own).
//!
//! The log is the one file written in place rather than atomically: it is streamed on purpose.
//! Process groups and `waitid(WNOWAIT)` come from `rustix` (safe wrappers over the system calls); std
//! has no way to kill a group, and `wait-timeout` installs a process-wide SIGCHLD handler.

use crate::error::{Result, ToolchainError};
use crate::tool::{find, status_text, ToolSpec};
use serde::Serialize;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What a step runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Program {
    /// An external tool, found (and version checked) when the step runs.
    Tool(ToolSpec),
    /// A program at a known path (a tool found earlier, a simulation binary just built).
    Path(PathBuf),
}

/// One planned tool run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    /// What the step does, for messages: `yosys synthesis of out/hdl`.
    pub what: String,
    pub program: Program,
    pub args: Vec<OsString>,
    /// Working folder (`None` = the caller's). Relative `inputs` and `outputs` are relative to it.
    pub cwd: Option<PathBuf>,
    /// Extra environment variables.
    pub env: Vec<(OsString, OsString)>,
    /// Files that must exist before the step starts.
    pub inputs: Vec<PathBuf>,
    /// Files that must exist after it succeeds.
    pub outputs: Vec<PathBuf>,
    /// Where stdout and stderr go (its folder is created).
    pub log: PathBuf,
    /// Wall-clock limit; `None` = none.
    pub time_limit: Option<Duration>,
}

impl Step {
    /// A step of `program` with no arguments, folder, files or limit yet.
    pub fn new(what: impl Into<String>, program: Program, log: impl Into<PathBuf>) -> Step {
        Step {
            what: what.into(),
            program,
            args: Vec::new(),
            cwd: None,
            env: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            log: log.into(),
            time_limit: None,
        }
    }

    /// Appends arguments.
    pub fn args<I, S>(mut self, args: I) -> Step
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Appends one argument.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Step {
        self.args.push(arg.into());
        self
    }

    /// Sets the working folder.
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Step {
        self.cwd = Some(dir.into());
        self
    }

    /// Declares files the step reads.
    pub fn inputs<I: IntoIterator<Item = PathBuf>>(mut self, files: I) -> Step {
        self.inputs.extend(files);
        self
    }

    /// Declares files the step writes.
    pub fn outputs<I: IntoIterator<Item = PathBuf>>(mut self, files: I) -> Step {
        self.outputs.extend(files);
        self
    }

    /// Sets the time limit.
    pub fn time_limit(mut self, limit: Option<Duration>) -> Step {
        self.time_limit = limit;
        self
    }

    /// The arguments as text (lossy), for inspection and tests.
    pub fn args_text(&self) -> Vec<String> {
        self.args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    /// `path` as the step sees it (relative paths are relative to its folder).
    pub fn resolve(&self, path: &Path) -> PathBuf {
        match &self.cwd {
            Some(d) if path.is_relative() => d.join(path),
            _ => path.to_path_buf(),
        }
    }

    /// The program's name as it appears in messages before the tool is found.
    fn program_text(&self) -> String {
        match &self.program {
            Program::Tool(t) => t.name.to_string(),
            Program::Path(p) => p.display().to_string(),
        }
    }
}

impl std::fmt::Display for Step {
    /// `what: program arg arg ...` (and `(in folder)`), one line, for printing a plan.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.what, self.program_text())?;
        for a in &self.args {
            write!(f, " {}", a.to_string_lossy())?;
        }
        if let Some(d) = &self.cwd {
            write!(f, "  (in {})", d.display())?;
        }
        Ok(())
    }
}

/// Which stream a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// A receiver of a step's output lines, called on the caller's thread as the tool prints them.
pub type LineSink<'a> = &'a mut dyn FnMut(Stream, &str);

/// Output of a successful step.
#[derive(Clone, Debug)]
pub struct RunOutput {
    pub stdout: String,
    pub stderr: String,
    /// Where the command, stdout and stderr were saved.
    pub log: PathBuf,
    pub seconds: f64,
}

/// Lines of a log quoted in an error.
pub const EXCERPT_LINES: usize = 40;

/// The last [`EXCERPT_LINES`] lines of `lines`, indented and marked `| `.
fn excerpt(lines: &[String]) -> String {
    if lines.is_empty() {
        return "  (the tool printed nothing)\n".into();
    }
    let skip = lines.len().saturating_sub(EXCERPT_LINES);
    let mut s = String::new();
    if skip > 0 {
        let _ = writeln!(s, "  ... ({skip} earlier lines in the log)");
    }
    for l in &lines[skip..] {
        let _ = writeln!(s, "  | {l}");
    }
    s
}

fn command_line(program: &Path, args: &[OsString]) -> String {
    let mut s = program.display().to_string();
    for a in args {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Reads `r` line by line into `tx` until end of file.
fn pump(r: impl std::io::Read, stream: Stream, tx: mpsc::Sender<(Stream, String)>) {
    let mut r = BufReader::new(r);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match r.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                while buf.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                    buf.pop();
                }
                if tx
                    .send((stream, String::from_utf8_lossy(&buf).into_owned()))
                    .is_err()
                {
                    return;
                }
            }
        }
    }
}

/// How often the run loop looks at the child when no line arrives.
const POLL: Duration = Duration::from_millis(20);
/// How long to wait for the output pipes to close after the group was killed (a process that left the
/// group could keep them open).
const DRAIN: Duration = Duration::from_secs(2);

/// Kills the process group `pid` leads (ignoring "no such group": it may be gone already).
fn kill_group(pid: rustix::process::Pid) {
    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
}

/// The process groups of the steps running now (their leaders' pids).
static RUNNING: std::sync::Mutex<Vec<i32>> = std::sync::Mutex::new(Vec::new());

fn running() -> std::sync::MutexGuard<'static, Vec<i32>> {
    // A panic while holding the lock leaves a valid Vec: keep using it.
    RUNNING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Kills (SIGKILL) the process group of every step running now, with every process it started;
/// each such step then ends with an error ("killed by signal 9"). For the caller's interrupt
/// handler: call it before exiting on Ctrl-C or SIGTERM. Returns how many groups were killed.
pub fn kill_running() -> usize {
    let groups = running().clone();
    for &g in &groups {
        if let Some(pid) = rustix::process::Pid::from_raw(g) {
            kill_group(pid);
        }
    }
    groups.len()
}

/// Removes a group from [`RUNNING`] when its step's run ends, however it ends.
struct Registered(i32);

impl Drop for Registered {
    fn drop(&mut self) {
        running().retain(|&g| g != self.0);
    }
}

/// Linux: the tool is killed when ttfs dies (`PR_SET_PDEATHSIG`), even by SIGKILL. Runs in the
/// child between fork and exec.
#[cfg(target_os = "linux")]
fn die_with_parent(cmd: &mut Command) {
    let parent = rustix::process::getpid();
    // SAFETY: the closure only makes two system calls (prctl, getppid) and exits; both are
    // async-signal-safe, nothing is allocated or locked between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL))?;
            // The parent died before the prctl: nobody would send the signal.
            if rustix::process::getppid() != Some(parent) {
                return Err(std::io::Error::other("ttfs exited before the tool started"));
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_cmd: &mut Command) {}

/// Runs `step`: checks nothing about its files (that is [`crate::execute`]'s part), streams its output
/// to its log and to `progress`, enforces its time limit.
pub fn run_step(step: &Step, progress: Option<LineSink<'_>>) -> Result<RunOutput> {
    let program = match &step.program {
        Program::Tool(spec) => find(spec)?.path,
        Program::Path(p) => p.clone(),
    };
    run_program(step, &program, progress)
}

fn run_program(
    step: &Step,
    program: &Path,
    mut progress: Option<LineSink<'_>>,
) -> Result<RunOutput> {
    if let Some(parent) = step.log.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| ToolchainError::io(parent, e))?;
    }
    let line = command_line(program, &step.args);
    let mut log = std::fs::File::create(&step.log).map_err(|e| ToolchainError::io(&step.log, e))?;
    let log_err = |e| ToolchainError::io(&step.log, e);
    if let Some(d) = &step.cwd {
        writeln!(log, "(cd {})", d.display()).map_err(log_err)?;
    }
    writeln!(log, "$ {line}").map_err(log_err)?;
    log.flush().map_err(log_err)?;
    let failed = |status: String, lines: &[String]| ToolchainError::ToolFailed {
        what: step.what.clone(),
        command: line.clone(),
        status,
        log: step.log.clone(),
        excerpt: excerpt(lines),
    };

    let mut cmd = Command::new(program);
    cmd.args(&step.args)
        .envs(step.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    if let Some(d) = &step.cwd {
        cmd.current_dir(d);
    }
    die_with_parent(&mut cmd);
    let t0 = Instant::now();
    // The lock is held from spawn to registration, so `kill_running` never misses a started group.
    let mut registry = running();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            drop(registry);
            let _ = writeln!(log, "--- could not start: {e}");
            return Err(failed(format!("could not start: {e}"), &[]));
        }
    };
    let pid = rustix::process::Pid::from_child(&child);
    registry.push(pid.as_raw_nonzero().get());
    drop(registry);
    let _registered = Registered(pid.as_raw_nonzero().get());
    let (tx, rx) = mpsc::channel();
    let readers = [
        child.stdout.take().map(|r| {
            let tx = tx.clone();
            std::thread::spawn(move || pump(r, Stream::Stdout, tx))
        }),
        child.stderr.take().map(|r| {
            let tx = tx.clone();
            std::thread::spawn(move || pump(r, Stream::Stderr, tx))
        }),
    ];
    drop(tx);

    let deadline = step.time_limit.map(|l| t0 + l);
    let (mut stdout, mut stderr) = (String::new(), String::new());
    let mut lines: Vec<String> = Vec::new();
    let mut status = None;
    let mut timed_out = false;
    let mut drain_until = None;
    let mut write_error = None;
    loop {
        match rx.recv_timeout(POLL) {
            Ok((stream, text)) => {
                if write_error.is_none() {
                    if let Err(e) = writeln!(log, "{text}").and_then(|_| log.flush()) {
                        write_error = Some(e);
                    }
                }
                if let Some(cb) = progress.as_mut() {
                    cb(stream, &text);
                }
                let buf = match stream {
                    Stream::Stdout => &mut stdout,
                    Stream::Stderr => &mut stderr,
                };
                buf.push_str(&text);
                buf.push('\n');
                lines.push(text);
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) if status.is_some() => break,
            Err(_) => {}
        }
        if status.is_none() {
            // Has the tool exited? (WNOWAIT leaves it a zombie, so its group id cannot be reused
            // before the group is killed below.)
            let exited = rustix::process::waitid(
                rustix::process::WaitId::Pid(pid),
                rustix::process::WaitIdOptions::EXITED
                    | rustix::process::WaitIdOptions::NOHANG
                    | rustix::process::WaitIdOptions::NOWAIT,
            )
            .map(|s| s.is_some())
            .unwrap_or(true);
            let over = deadline.is_some_and(|d| Instant::now() >= d);
            if exited || over {
                timed_out = over && !exited;
                kill_group(pid);
                // Deregistered before the reap below frees the pid for reuse.
                running().retain(|&g| g != pid.as_raw_nonzero().get());
                status = Some(
                    child
                        .wait()
                        .map_err(|e| failed(format!("wait: {e}"), &lines))?,
                );
                drain_until = Some(Instant::now() + DRAIN);
            }
        } else if drain_until.is_some_and(|d| Instant::now() >= d) {
            let _ = writeln!(
                log,
                "--- output pipes still open {DRAIN:?} after the tool ended; stopped reading"
            );
            break;
        }
    }
    // The readers end with the pipes; a reader blocked by an escaped process is left detached.
    for r in readers.into_iter().flatten() {
        if r.is_finished() {
            let _ = r.join();
        }
    }
    let seconds = t0.elapsed().as_secs_f64();
    let status = status.expect("the loop ends only once the status is known");
    if let Some(e) = write_error {
        return Err(log_err(e));
    }
    if timed_out {
        let limit = step.time_limit.unwrap_or_default().as_secs_f64();
        let _ = writeln!(log, "--- killed after the time limit of {limit} s");
        return Err(ToolchainError::TimedOut {
            what: step.what.clone(),
            command: line,
            seconds: limit,
            log: step.log.clone(),
            excerpt: excerpt(&lines),
        });
    }
    let status_line = status_text(status);
    writeln!(log, "--- {status_line} after {seconds:.2} s").map_err(log_err)?;
    if !status.success() {
        return Err(failed(status_line, &lines));
    }
    Ok(RunOutput {
        stdout,
        stderr,
        log: step.log.clone(),
        seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_keeps_the_tail_and_says_when_empty() {
        assert!(excerpt(&[]).contains("printed nothing"));
        let lines: Vec<String> = (0..50).map(|i| format!("line {i}")).collect();
        let e = excerpt(&lines);
        assert!(e.contains("(10 earlier lines in the log)"), "{e}");
        assert!(e.contains("  | line 49\n"), "{e}");
        assert!(!e.contains("| line 9\n"), "{e}");
    }

    #[test]
    fn relative_files_resolve_against_the_folder() {
        let s = Step::new("x", Program::Path("/bin/true".into()), "log").cwd("/d");
        assert_eq!(s.resolve(Path::new("a.v")), PathBuf::from("/d/a.v"));
        assert_eq!(s.resolve(Path::new("/e/b.v")), PathBuf::from("/e/b.v"));
        assert_eq!(s.program_text(), "/bin/true");
    }
}
