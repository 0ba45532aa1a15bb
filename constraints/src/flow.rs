//! The FPGA flow as data: which files to write and which tools to run, in order, for one board.
//! Nothing here writes a file or spawns a process: [`plan`] returns a [`FlowPlan`] that the
//! toolchain crate executes (each [`ToolRun`] maps 1:1 onto one of its steps).
//!
//! - iCE40: Yosys `synth_ice40 -json`, nextpnr-ice40 (PCF, `--freq`, `--asc`, `--report`,
//!   `--timing-allow-fail`: a missed clock is reported, not an error), icepack.
//! - ECP5: Yosys `synth_ecp5 -json`, nextpnr-ecp5 (LPF, `--speed`, `--textcfg`, `--report`),
//!   `ecppack --compress`.
//! - 7-series: Yosys `synth_xilinx -family xc7` for utilisation only, plus the XDC and a Vivado
//!   script for a user to run elsewhere (no open place-and-route here).
//!
//! Every flow also writes the SDC clock constraint and a Yosys `stat -json` utilisation file.
//! Program names are the plain ones (`nextpnr-ecp5`); the toolchain's lookup also accepts the
//! `yowasp-` names. Yosys runs in the design folder so that `$readmemh` finds the memory files
//! there, the other tools in the build folder. Both folders are given absolute; a [`ToolRun`]'s
//! `inputs`, `outputs` and `log` are absolute, but the paths inside its `args` and inside the Yosys
//! script are relative to its `cwd`: the YoWASP tools run in a WASI sandbox that mounts a temporary
//! folder of its own over `/tmp`, so an absolute `/tmp/...` argument names the wrong file there.

use std::path::{Component, Path, PathBuf};

use crate::board::{Board, Family};
use crate::error::{ConstraintsError, Result};
use crate::ports::Port;
use crate::vivado::VivadoSources;
use crate::{lpf, pcf, sdc, vivado, xdc};

/// What the flow starts from.
#[derive(Clone, Debug)]
pub struct FlowInput<'a> {
    /// Top module (the board top level).
    pub top: &'a str,
    /// Folder with the Verilog and its `$readmemh` files (absolute).
    pub design_dir: &'a Path,
    /// Verilog files, relative to `design_dir`.
    pub verilog: &'a [PathBuf],
    /// The top module's ports (see [`crate::ports`] for the names a board top level uses).
    pub ports: &'a [Port],
    /// Folder for every generated file and tool output (absolute).
    pub build_dir: &'a Path,
}

/// A text file the flow needs before its tools run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: PathBuf,
    pub contents: String,
}

/// One tool run: program, arguments, working folder, and the files it reads and writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolRun {
    /// Plain program name: `yosys`, `nextpnr-ice40`, `nextpnr-ecp5`, `icepack`, `ecppack`.
    pub program: String,
    pub args: Vec<String>,
    pub cwd: PathBuf,
    /// Files that must exist before the run.
    pub inputs: Vec<PathBuf>,
    /// Files that must exist after it.
    pub outputs: Vec<PathBuf>,
    /// Where the run's output (stdout and stderr) is kept.
    pub log: PathBuf,
}

/// Where the results land.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowOutputs {
    /// Yosys JSON netlist.
    pub netlist: PathBuf,
    /// Yosys `stat -json` output (parse with [`crate::report::YosysStat::parse`]).
    pub yosys_stat: PathBuf,
    /// nextpnr's `--report` JSON (iCE40, ECP5).
    pub pnr_report: Option<PathBuf>,
    /// The bitstream (iCE40 `.bin`, ECP5 `.bit`).
    pub bitstream: Option<PathBuf>,
    /// The Vivado script (7-series).
    pub vivado_script: Option<PathBuf>,
}

/// The plan: write `files`, then execute `runs` in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowPlan {
    pub files: Vec<GeneratedFile>,
    pub runs: Vec<ToolRun>,
    pub outputs: FlowOutputs,
}

/// The flow for `board`.
pub fn plan(board: &Board, input: &FlowInput<'_>) -> Result<FlowPlan> {
    for (what, dir) in [("design", input.design_dir), ("build", input.build_dir)] {
        if !dir.is_absolute() {
            return Err(ConstraintsError::Family {
                board: board.name.clone(),
                family: board.family.to_string(),
                message: format!(
                    "the {what} folder `{}` must be an absolute path (Yosys runs in the design folder)",
                    dir.display()
                ),
            });
        }
    }
    let b = input.build_dir;
    let top = input.top;
    let netlist = b.join("netlist.json");
    let yosys_stat = b.join("yosys-stat.json");
    let script = b.join("synth.ys");
    let from_design = relative_path(input.design_dir, b);
    let mut files = vec![GeneratedFile {
        path: script.clone(),
        contents: yosys_script(
            board.family,
            top,
            input.verilog,
            &from_design.join("netlist.json"),
            &from_design.join("yosys-stat.json"),
        ),
    }];
    files.push(GeneratedFile {
        path: b.join("board.sdc"),
        contents: sdc::render(board, input.ports)?,
    });
    let mut runs = vec![ToolRun {
        program: "yosys".into(),
        args: vec!["-s".into(), path_arg(&from_design.join("synth.ys"))],
        cwd: input.design_dir.to_path_buf(),
        inputs: std::iter::once(script.clone())
            .chain(input.verilog.iter().map(|f| input.design_dir.join(f)))
            .collect(),
        outputs: vec![netlist.clone(), yosys_stat.clone()],
        log: b.join("yosys.log"),
    }];
    let mut outputs = FlowOutputs {
        netlist: netlist.clone(),
        yosys_stat,
        pnr_report: None,
        bitstream: None,
        vivado_script: None,
    };
    match board.family {
        Family::Ice40 | Family::Ecp5 => {
            let ice40 = board.family == Family::Ice40;
            let (constraints, text) = if ice40 {
                (b.join("board.pcf"), pcf::render(board, input.ports)?)
            } else {
                (b.join("board.lpf"), lpf::render(board, input.ports)?)
            };
            files.push(GeneratedFile {
                path: constraints.clone(),
                contents: text,
            });
            let report = b.join("nextpnr-report.json");
            let (placed, bitstream) = if ice40 {
                (b.join(format!("{top}.asc")), b.join(format!("{top}.bin")))
            } else {
                (
                    b.join(format!("{top}.config")),
                    b.join(format!("{top}.bit")),
                )
            };
            runs.push(nextpnr_run(
                board,
                &netlist,
                &constraints,
                &placed,
                &report,
            )?);
            runs.push(pack_run(board, &placed, &bitstream, b));
            outputs.pnr_report = Some(report);
            outputs.bitstream = Some(bitstream);
        }
        Family::Xilinx7 => {
            let xdc_path = b.join("board.xdc");
            files.push(GeneratedFile {
                path: xdc_path,
                contents: xdc::render(board, input.ports)?,
            });
            let rel = relative_path(b, input.design_dir);
            let verilog: Vec<String> = input
                .verilog
                .iter()
                .map(|f| path_arg(&rel.join(f)))
                .collect();
            let tcl = b.join("vivado.tcl");
            files.push(GeneratedFile {
                path: tcl.clone(),
                contents: vivado::render(
                    board,
                    &VivadoSources {
                        top,
                        verilog: &verilog,
                        xdc: "board.xdc",
                    },
                )?,
            });
            outputs.vivado_script = Some(tcl);
        }
    }
    Ok(FlowPlan {
        files,
        runs,
        outputs,
    })
}

/// The Yosys script: read the Verilog, synthesize for the family into a JSON netlist, and write
/// the cell counts with `stat -json`.
pub fn yosys_script(
    family: Family,
    top: &str,
    verilog: &[PathBuf],
    netlist: &Path,
    stat_json: &Path,
) -> String {
    let files: Vec<String> = verilog.iter().map(|f| path_arg(f)).collect();
    let net = path_arg(netlist);
    let mut s = format!("read_verilog -sv {}\n", files.join(" "));
    match family {
        Family::Ice40 => s += &format!("synth_ice40 -top {top} -json {net}\n"),
        Family::Ecp5 => s += &format!("synth_ecp5 -top {top} -json {net}\n"),
        Family::Xilinx7 => {
            s += &format!("synth_xilinx -family xc7 -flatten -top {top}\n");
            s += &format!("write_json {net}\n");
        }
    }
    s += &format!("tee -q -o {} stat -json\n", path_arg(stat_json));
    s
}

/// nextpnr for an iCE40 or ECP5 board: device, package (and speed), the constraint file, the
/// board clock as `--freq`, the placed output (`--asc` / `--textcfg`) and the JSON report.
pub fn nextpnr_run(
    board: &Board,
    netlist: &Path,
    constraints: &Path,
    placed: &Path,
    report: &Path,
) -> Result<ToolRun> {
    let no_pnr = || ConstraintsError::Family {
        board: board.name.clone(),
        family: board.family.to_string(),
        message: "no open place-and-route for this family".into(),
    };
    let device = board.nextpnr_device_flag().ok_or_else(no_pnr)?;
    let mut args: Vec<String> = vec![device.into()];
    let (program, constraint_flag, placed_flag) = match board.family {
        Family::Ice40 => {
            args.extend(["--package".into(), board.package.to_ascii_lowercase()]);
            ("nextpnr-ice40", "--pcf", "--asc")
        }
        Family::Ecp5 => {
            args.extend(["--package".into(), board.package.clone()]);
            if let Some(s) = &board.speed_grade {
                args.extend(["--speed".into(), s.clone()]);
            }
            ("nextpnr-ecp5", "--lpf", "--textcfg")
        }
        Family::Xilinx7 => return Err(no_pnr()),
    };
    let dir = report.parent().unwrap_or(Path::new("/")).to_path_buf();
    args.extend([
        constraint_flag.into(),
        arg_from(&dir, constraints),
        "--freq".into(),
        crate::mhz_text(board.clock.frequency_mhz),
        "--json".into(),
        arg_from(&dir, netlist),
        placed_flag.into(),
        arg_from(&dir, placed),
        "--report".into(),
        arg_from(&dir, report),
        // A missed constraint is the report's verdict (`ttfs synth --require-timing`), not a
        // failed run without a report.
        "--timing-allow-fail".into(),
    ]);
    Ok(ToolRun {
        program: program.into(),
        args,
        cwd: dir.clone(),
        inputs: vec![netlist.to_path_buf(), constraints.to_path_buf()],
        outputs: vec![placed.to_path_buf(), report.to_path_buf()],
        log: dir.join(format!("{program}.log")),
    })
}

/// The bitstream packer: `icepack placed.asc out.bin` or `ecppack --compress placed.config out.bit`.
pub fn pack_run(board: &Board, placed: &Path, bitstream: &Path, build_dir: &Path) -> ToolRun {
    let (program, mut args): (&str, Vec<String>) = match board.family {
        Family::Ecp5 => ("ecppack", vec!["--compress".into()]),
        _ => ("icepack", vec![]),
    };
    args.extend([arg_from(build_dir, placed), arg_from(build_dir, bitstream)]);
    ToolRun {
        program: program.into(),
        args,
        cwd: build_dir.to_path_buf(),
        inputs: vec![placed.to_path_buf()],
        outputs: vec![bitstream.to_path_buf()],
        log: build_dir.join(format!("{program}.log")),
    }
}

fn path_arg(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// `path` as an argument of a run in `cwd`: relative (see the module header for why).
fn arg_from(cwd: &Path, path: &Path) -> String {
    path_arg(&relative_path(cwd, path))
}

/// `to` as seen from `from` (both absolute), lexically: `/b/build`, `/b/design` -> `../design`.
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let f: Vec<Component> = from.components().collect();
    let t: Vec<Component> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_lexical() {
        assert_eq!(
            relative_path(Path::new("/w/out/build"), Path::new("/w/out/design")),
            PathBuf::from("../design")
        );
        assert_eq!(
            relative_path(Path::new("/w/d/build"), Path::new("/w/d")),
            PathBuf::from("..")
        );
        assert_eq!(
            relative_path(Path::new("/w/d"), Path::new("/w/d")),
            PathBuf::from(".")
        );
        assert_eq!(
            relative_path(Path::new("/a"), Path::new("/b/c")),
            PathBuf::from("../b/c")
        );
    }
}
