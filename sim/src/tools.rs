//! External tools, found explicitly: Verilator, Icarus Verilog (iverilog + vvp) and Yosys.
//!
//! Promises: a tool is looked up in its environment override first (`VERILATOR`, `IVERILOG`, `VVP`,
//! `YOSYS`), then on `PATH`; its version is read and checked against a minimum; a missing tool is an
//! error naming the tool and how to install it. Every run keeps its stdout and stderr in a log file
//! (in the build folder of the caller), and a failed run quotes the end of that log in the error.
//! Also the two checks the `hdl` crate uses on generated Verilog: [`lint_verilator`] and [`synth_yosys`].

use crate::error::{Result, SimError};
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The external programs sim runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tool {
    Verilator,
    Iverilog,
    Vvp,
    Yosys,
}

impl Tool {
    /// Program name on `PATH`.
    pub fn program(self) -> &'static str {
        match self {
            Tool::Verilator => "verilator",
            Tool::Iverilog => "iverilog",
            Tool::Vvp => "vvp",
            Tool::Yosys => "yosys",
        }
    }

    /// Environment variable that overrides the lookup.
    pub fn env_var(self) -> &'static str {
        match self {
            Tool::Verilator => "VERILATOR",
            Tool::Iverilog => "IVERILOG",
            Tool::Vvp => "VVP",
            Tool::Yosys => "YOSYS",
        }
    }

    /// How to install it on Debian/Ubuntu.
    pub fn install_hint(self) -> &'static str {
        match self {
            Tool::Verilator => "apt-get install verilator",
            Tool::Iverilog | Tool::Vvp => "apt-get install iverilog",
            Tool::Yosys => "apt-get install yosys",
        }
    }

    fn version_arg(self) -> &'static str {
        match self {
            Tool::Verilator => "--version",
            Tool::Iverilog | Tool::Vvp | Tool::Yosys => "-V",
        }
    }

    /// Oldest version known to work (`--build` and `VerilatedVcdC` for Verilator, `-g2012` for Icarus).
    pub fn min_version(self) -> (u32, u32) {
        match self {
            Tool::Verilator => (4, 200),
            Tool::Iverilog | Tool::Vvp => (10, 0),
            Tool::Yosys => (0, 9),
        }
    }
}

/// A located tool with its version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundTool {
    pub tool: Tool,
    pub path: PathBuf,
    /// The version line the tool printed, e.g. `Verilator 5.006 2023-01-22 rev (Debian 5.006-3)`.
    pub version_line: String,
    /// Major and minor version numbers.
    pub version: (u32, u32),
}

impl FoundTool {
    /// A command for this tool.
    pub fn command(&self) -> Command {
        Command::new(&self.path)
    }
}

/// Looks `name` up on `PATH`.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Parses the first `major.minor` number pair in a version line.
pub fn parse_version(line: &str) -> Option<(u32, u32)> {
    line.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|tok| {
            let mut it = tok.split('.');
            let major = it.next()?.parse().ok()?;
            let minor = it.next()?.parse().ok()?;
            Some((major, minor))
        })
        .next()
}

/// Finds `tool`: `$<ENV_VAR>` if set (must exist), else `PATH`; then checks its version.
pub fn find(tool: Tool) -> Result<FoundTool> {
    let env_var = tool.env_var();
    let path = match std::env::var_os(env_var).filter(|v| !v.is_empty()) {
        Some(v) => {
            let p = PathBuf::from(&v);
            let resolved = if p.components().count() == 1 {
                which(&p.to_string_lossy())
            } else {
                Some(p.clone()).filter(|p| p.is_file())
            };
            resolved.ok_or_else(|| SimError::ToolMissing {
                tool: tool.program().into(),
                env_var: env_var.into(),
                searched: format!("{env_var}={} does not name an existing file", p.display()),
                install: tool.install_hint().into(),
            })?
        }
        None => which(tool.program()).ok_or_else(|| SimError::ToolMissing {
            tool: tool.program().into(),
            env_var: env_var.into(),
            searched: format!("${env_var} is unset and it is not on PATH"),
            install: tool.install_hint().into(),
        })?,
    };
    let out = Command::new(&path)
        .arg(tool.version_arg())
        .output()
        .map_err(|e| SimError::ToolVersion {
            tool: tool.program().into(),
            path: path.clone(),
            msg: format!(
                "cannot run `{} {}`: {e}",
                path.display(),
                tool.version_arg()
            ),
        })?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let version_line = text
        .lines()
        .find(|l| parse_version(l).is_some())
        .unwrap_or("")
        .trim()
        .to_string();
    let version = parse_version(&version_line).ok_or_else(|| SimError::ToolVersion {
        tool: tool.program().into(),
        path: path.clone(),
        msg: format!(
            "no version number in the output of `{}`: {:?}",
            tool.version_arg(),
            text.trim()
        ),
    })?;
    let min = tool.min_version();
    if version < min {
        return Err(SimError::ToolVersion {
            tool: tool.program().into(),
            path,
            msg: format!(
                "version {}.{} is older than the required {}.{} ({version_line}); `{}` or set {env_var}",
                version.0,
                version.1,
                min.0,
                min.1,
                tool.install_hint()
            ),
        });
    }
    Ok(FoundTool {
        tool,
        path,
        version_line,
        version,
    })
}

/// Output of a successful run.
#[derive(Clone, Debug)]
pub struct RunOutput {
    pub stdout: String,
    pub stderr: String,
    /// Where stdout and stderr were saved.
    pub log: PathBuf,
    pub seconds: f64,
}

/// Lines of a log quoted in an error.
const EXCERPT_LINES: usize = 40;

fn excerpt(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
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

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Runs `cmd`, saves `$ command`, stdout and stderr to `log` (always), and fails with the end of the
/// log quoted if the exit status is not success.
pub fn run_logged(mut cmd: Command, what: &str, log: &Path) -> Result<RunOutput> {
    if let Some(parent) = log.parent() {
        std::fs::create_dir_all(parent).map_err(|e| SimError::io(parent, e))?;
    }
    let line = describe(&cmd);
    let t0 = std::time::Instant::now();
    let out = cmd.output().map_err(|e| SimError::ToolFailed {
        what: what.into(),
        status: format!("could not start: {e}"),
        log: log.to_path_buf(),
        excerpt: format!("  | $ {line}\n"),
    })?;
    let seconds = t0.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let cwd = cmd
        .get_current_dir()
        .map(|d| format!("(cd {})\n", d.display()))
        .unwrap_or_default();
    let text = format!("{cwd}$ {line}\n--- stdout\n{stdout}--- stderr\n{stderr}");
    std::fs::write(log, &text).map_err(|e| SimError::io(log, e))?;
    if !out.status.success() {
        let status = match out.status.code() {
            Some(c) => format!("exit status {c}"),
            None => "killed by a signal".to_string(),
        };
        return Err(SimError::ToolFailed {
            what: what.into(),
            status,
            log: log.to_path_buf(),
            excerpt: excerpt(&format!("{stdout}{stderr}")),
        });
    }
    Ok(RunOutput {
        stdout,
        stderr,
        log: log.to_path_buf(),
        seconds,
    })
}

/// Root of sim's build and log folders: `$TTFS_SIM_CACHE`, else `$CARGO_TARGET_DIR/ttfs-sim`, else
/// `<workspace>/target/ttfs-sim`.
pub fn cache_root() -> PathBuf {
    if let Some(p) = std::env::var_os("TTFS_SIM_CACHE").filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    if let Some(p) = std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(p).join("ttfs-sim");
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .unwrap_or(manifest)
        .join("target")
        .join("ttfs-sim")
}

/// FNV-1a 64-bit hash (stable across runs and platforms; used for cache folder names).
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in *p {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // separator so that ("ab", "c") and ("a", "bc") differ
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// File name of the generated Icarus test bench (excluded from [`verilog_files`]).
pub const ICARUS_BENCH_FILE: &str = "ttfs_tb.v";

/// The Verilog files of a design folder (except [`ICARUS_BENCH_FILE`]), sorted by name.
pub fn verilog_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|e| SimError::io(dir, e))?;
    let mut files = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| SimError::io(dir, e))?;
        let p = entry.path();
        let is_verilog =
            p.extension() == Some(OsStr::new("v")) || p.extension() == Some(OsStr::new("sv"));
        // sim's own Icarus bench is never part of a design (in case a work folder is the design's).
        if is_verilog && p.file_name() != Some(OsStr::new(ICARUS_BENCH_FILE)) {
            files.push(p);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(SimError::Invalid(format!(
            "no .v or .sv files in {}",
            dir.display()
        )));
    }
    Ok(files)
}

fn log_dir_for(kind: &str, dir: &Path, top: &str) -> PathBuf {
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let h = fnv1a(&[abs.to_string_lossy().as_bytes(), top.as_bytes()]);
    cache_root().join(kind).join(format!("{top}-{h:016x}"))
}

/// One Verilator lint warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintWarning {
    /// Verilator's code, e.g. `WIDTH`, `UNUSEDSIGNAL`.
    pub code: String,
    pub file: String,
    pub line: u32,
    pub message: String,
}

/// Result of `verilator --lint-only -Wall`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintReport {
    pub warnings: Vec<LintWarning>,
    /// Full tool output.
    pub log: PathBuf,
}

/// Parses `%Warning-CODE: file:line:col: message` lines (`file:line: message` also accepted).
pub fn parse_verilator_warnings(text: &str) -> Vec<LintWarning> {
    let mut out = Vec::new();
    for l in text.lines() {
        let Some(rest) = l.strip_prefix("%Warning-") else {
            continue;
        };
        let Some((code, rest)) = rest.split_once(": ") else {
            continue;
        };
        let parts: Vec<&str> = rest.splitn(4, ':').collect();
        let num = |i: usize| parts.get(i).and_then(|s| s.trim().parse::<u32>().ok());
        let (file, line, message) = match (num(1), num(2)) {
            (Some(line), Some(_)) if parts.len() == 4 => (parts[0], line, parts[3]),
            (Some(line), _) => (parts[0], line, rest.splitn(3, ':').nth(2).unwrap_or("")),
            _ => ("", 0, rest),
        };
        out.push(LintWarning {
            code: code.to_string(),
            file: file.trim().to_string(),
            line,
            message: message.trim().to_string(),
        });
    }
    out
}

/// `verilator --lint-only -Wall` over every `.v`/`.sv` file of `dir` with top module `top`.
/// Warnings are returned (not fatal); errors fail with the log quoted.
pub fn lint_verilator(dir: &Path, top: &str) -> Result<LintReport> {
    let tool = find(Tool::Verilator)?;
    let files = verilog_files(dir)?;
    let log = log_dir_for("lint", dir, top).join("verilator-lint.log");
    let mut cmd = tool.command();
    cmd.current_dir(dir)
        .args(["--lint-only", "-Wall", "-Wno-fatal", "--top-module", top])
        .args(&files);
    let out = run_logged(cmd, &format!("verilator lint of {}", dir.display()), &log)?;
    Ok(LintReport {
        warnings: parse_verilator_warnings(&format!("{}{}", out.stdout, out.stderr)),
        log,
    })
}

/// Result of `yosys synth -flatten` + `stat`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthReport {
    /// Total cells of the flattened top module.
    pub cells: u64,
    /// Latch cells (any cell type containing `DLATCH`, `dlatch` or `SR` latches): must be 0.
    pub latches: u64,
    /// Count per cell type, as printed by `stat`.
    pub cell_types: Vec<(String, u64)>,
    pub log: PathBuf,
}

/// Parses the last `stat` block of a Yosys log.
pub fn parse_yosys_stat(text: &str) -> Option<(u64, Vec<(String, u64)>)> {
    let start = text.rfind("Number of cells:")?;
    let block = &text[start..];
    let mut lines = block.lines();
    let cells: u64 = lines.next()?.split(':').nth(1)?.trim().parse().ok()?;
    let mut types = Vec::new();
    for l in lines {
        let t = l.trim();
        if t.is_empty() {
            if types.is_empty() {
                continue;
            }
            break;
        }
        let mut it = t.split_whitespace();
        let (Some(name), Some(n), None) = (it.next(), it.next(), it.next()) else {
            if types.is_empty() {
                continue;
            }
            break;
        };
        if !name.starts_with('$') {
            if types.is_empty() {
                continue;
            }
            break;
        }
        match n.parse::<u64>() {
            Ok(n) => types.push((name.to_string(), n)),
            Err(_) => break,
        }
    }
    Some((cells, types))
}

fn is_latch(cell_type: &str) -> bool {
    let t = cell_type.to_ascii_lowercase();
    t.contains("dlatch") || t.contains("_sr_") || t == "$sr"
}

/// Generic synthesis with Yosys (`synth -flatten -top top; stat`) of every `.v`/`.sv` file in `dir`,
/// run in `dir` so that `$readmemh` finds its memory files.
pub fn synth_yosys(dir: &Path, top: &str) -> Result<SynthReport> {
    let tool = find(Tool::Yosys)?;
    let files = verilog_files(dir)?;
    let log = log_dir_for("synth", dir, top).join("yosys.log");
    let mut script = String::new();
    for f in &files {
        let _ = writeln!(script, "read_verilog -sv {}", f.display());
    }
    let _ = writeln!(script, "synth -flatten -top {top}");
    let _ = writeln!(script, "stat");
    let script_path = log.with_file_name("synth.ys");
    if let Some(parent) = script_path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| SimError::io(parent, e))?;
    }
    std::fs::write(&script_path, &script).map_err(|e| SimError::io(&script_path, e))?;
    let mut cmd = tool.command();
    cmd.current_dir(dir).arg("-s").arg(&script_path);
    let out = run_logged(cmd, &format!("yosys synthesis of {}", dir.display()), &log)?;
    let (cells, cell_types) = parse_yosys_stat(&out.stdout)
        .ok_or_else(|| SimError::format(&log, "no `Number of cells:` in the yosys stat output"))?;
    let latches = cell_types
        .iter()
        .filter(|(t, _)| is_latch(t))
        .map(|(_, n)| n)
        .sum();
    Ok(SynthReport {
        cells,
        latches,
        cell_types,
        log,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse() {
        assert_eq!(
            parse_version("Verilator 5.006 2023-01-22 rev (Debian 5.006-3)"),
            Some((5, 6))
        );
        assert_eq!(
            parse_version("Icarus Verilog version 11.0 (stable) ()"),
            Some((11, 0))
        );
        assert_eq!(
            parse_version("Yosys 0.23 (git sha1 7ce5011c24b)"),
            Some((0, 23))
        );
        assert_eq!(parse_version("no digits here"), None);
    }

    #[test]
    fn verilator_warnings_parse() {
        let text = "%Warning-UNUSEDSIGNAL: ttfs_top.v:10:15: Signal is not used: 'x'\n\
                    \x20                  : ... In instance ttfs_top\n\
                    %Warning-WIDTH: a.v:3:7: Operator ASSIGN expects 4 bits\n\
                    %Error: Exiting due to 2 warning(s)\n";
        let w = parse_verilator_warnings(text);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].code, "UNUSEDSIGNAL");
        assert_eq!(w[0].file, "ttfs_top.v");
        assert_eq!(w[0].line, 10);
        assert_eq!(w[0].message, "Signal is not used: 'x'");
        assert_eq!(w[1].code, "WIDTH");
        assert_eq!(w[1].line, 3);
    }

    #[test]
    fn yosys_stat_parses_and_counts_latches() {
        let text = "=== top ===\n\n   Number of wires:                 10\n   Number of cells:                 7\n     $_AND_                          2\n     $_DFF_P_                        4\n     $_DLATCH_P_                     1\n\nEnd of script.\n";
        let (cells, types) = parse_yosys_stat(text).unwrap();
        assert_eq!(cells, 7);
        assert_eq!(types.len(), 3);
        assert_eq!(types.iter().filter(|(t, _)| is_latch(t)).count(), 1);
    }

    #[test]
    fn missing_tool_names_it_and_the_install_command() {
        // Only this test touches $YOSYS inside this test binary.
        std::env::set_var("YOSYS", "/nonexistent/bin/yosys");
        let err = find(Tool::Yosys);
        std::env::remove_var("YOSYS");
        let msg = err.expect_err("override points nowhere").to_string();
        assert!(msg.contains("yosys not found"), "{msg}");
        assert!(msg.contains("apt-get install yosys"), "{msg}");
        assert!(msg.contains("YOSYS="), "{msg}");
    }

    #[test]
    fn hash_is_stable_and_separates_parts() {
        assert_eq!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"ab", b"c"]));
        assert_ne!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"a", b"bc"]));
    }
}
