//! Verilator lint as a flow: `verilator --lint-only -Wall -Wno-fatal` over a design's files, and the
//! parser of its `%Warning-CODE: file:line:col: message` lines. Warnings are returned, not fatal;
//! errors fail the step with the log quoted.

use crate::cache::{verilog_files, work_dir_for};
use crate::error::Result;
use crate::flow::{execute, Flow};
use crate::step::{Program, Step};
use crate::tool::VERILATOR;
use std::path::{Path, PathBuf};

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

/// The lint plan: one Verilator step in `dir` over `files` with top module `top`, logged to `log`.
pub fn lint_flow(dir: &Path, files: &[PathBuf], top: &str, log: &Path) -> Flow {
    let step = Step::new(
        format!("verilator lint of {}", dir.display()),
        Program::Tool(VERILATOR),
        log,
    )
    .cwd(dir)
    .args(["--lint-only", "-Wall", "-Wno-fatal", "--top-module", top])
    .args(files.iter().map(|f| f.as_os_str().to_owned()))
    .inputs(files.iter().cloned());
    Flow {
        files: Vec::new(),
        steps: vec![step],
    }
}

/// Lints every `.v`/`.sv` file of `dir` with top module `top`; the log goes to
/// `<cache_root>/lint/<top>-<hash>/verilator-lint.log`.
pub fn lint_verilator(dir: &Path, top: &str) -> Result<LintReport> {
    let files = verilog_files(dir)?;
    let log = work_dir_for("lint", dir, top).join("verilator-lint.log");
    let out = execute(&lint_flow(dir, &files, top, &log))?;
    let text: String = out
        .iter()
        .map(|o| format!("{}{}", o.stdout, o.stderr))
        .collect();
    Ok(LintReport {
        warnings: parse_verilator_warnings(&text),
        log,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verilator_warnings_parse() {
        let text = "%Warning-UNUSEDSIGNAL: ttfs_top.v:10:15: Signal is not used: 'x'\n\
                    \x20                  : ... In instance ttfs_top\n\
                    %Warning-WIDTH: a.v:3:7: Operator ASSIGN expects 4 bits\n\
                    %Warning-STMTDLY: b.v:4: Unsupported delay\n\
                    %Error: Exiting due to 2 warning(s)\n";
        let w = parse_verilator_warnings(text);
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].code, "UNUSEDSIGNAL");
        assert_eq!(w[0].file, "ttfs_top.v");
        assert_eq!(w[0].line, 10);
        assert_eq!(w[0].message, "Signal is not used: 'x'");
        assert_eq!(w[1].code, "WIDTH");
        assert_eq!(w[1].line, 3);
        assert_eq!((w[2].file.as_str(), w[2].line), ("b.v", 4));
        assert_eq!(w[2].message, "Unsupported delay");
    }
}
