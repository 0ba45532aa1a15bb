//! Yosys synthesis as a flow, for a target family: generic `synth`, `synth_ice40`, `synth_ecp5` or
//! `synth_xilinx`, and the parser of its `stat` report.
//!
//! The plan ([`synth_flow`]) writes one script and runs one Yosys step in the design folder (so
//! `$readmemh` finds the memory files). The script runs the family's synthesis in two halves, split
//! at the label before memories are mapped ([`SynthTarget::memory_label`]), and saves `stat` after
//! each half, so the memories Yosys inferred (`$mem_v2` cells) are counted before the flow maps them
//! to block RAM, distributed RAM or flip-flops; with `netlist` set it ends with `write_json` (what
//! nextpnr reads), with `verilog_netlist` set with `write_verilog -noattr` (what a post-synthesis
//! simulation reads beside the family's cell models, [`SynthTarget::cell_models`]). [`SynthReport`] classifies the final cells into LUTs, flip-flops, block RAM and
//! distributed RAM by the family's primitive names. Latches (any latch or SR cell type) are counted;
//! callers decide whether they are fatal.

use crate::cache::{verilog_files, work_dir_for};
use crate::error::{Result, ToolchainError};
use crate::flow::{execute_with, Flow, FlowProgress, PlannedFile};
use crate::step::{Program, Step};
use crate::tool::YOSYS;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What Yosys synthesizes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SynthTarget {
    /// Yosys' generic gates (`synth`): no FPGA primitives, memories become logic.
    Generic,
    /// Lattice iCE40 (`synth_ice40`).
    Ice40,
    /// Lattice ECP5 (`synth_ecp5`).
    Ecp5,
    /// Xilinx 7-series (`synth_xilinx`).
    Xilinx,
}

impl SynthTarget {
    /// Every target, in the order of the CLI help.
    pub const ALL: [SynthTarget; 4] = [
        SynthTarget::Generic,
        SynthTarget::Ice40,
        SynthTarget::Ecp5,
        SynthTarget::Xilinx,
    ];

    /// The short name (`generic`, `ice40`, `ecp5`, `xilinx`).
    pub fn name(self) -> &'static str {
        match self {
            SynthTarget::Generic => "generic",
            SynthTarget::Ice40 => "ice40",
            SynthTarget::Ecp5 => "ecp5",
            SynthTarget::Xilinx => "xilinx",
        }
    }

    /// The Yosys command.
    pub fn command(self) -> &'static str {
        match self {
            SynthTarget::Generic => "synth",
            SynthTarget::Ice40 => "synth_ice40",
            SynthTarget::Ecp5 => "synth_ecp5",
            SynthTarget::Xilinx => "synth_xilinx",
        }
    }

    /// The label of the command's script before which memories are still `$mem_v2` cells (Yosys 0.23's
    /// `help synth*`).
    pub fn memory_label(self) -> &'static str {
        match self {
            SynthTarget::Generic => "fine",
            SynthTarget::Ice40 | SynthTarget::Ecp5 => "map_ram",
            SynthTarget::Xilinx => "map_memory",
        }
    }

    /// Yosys' simulation models of the family's primitives, relative to its data folder
    /// ([`crate::netlist::yosys_datdir`]): the first is compiled, the others are the files it
    /// `` `include``s (pasted in by [`crate::netlist::cell_model_files`]). Generic gates need none (`write_verilog` prints Yosys' internal gate cells as
    /// expressions and `always` blocks); Xilinx is not supported (`None`): its models are the
    /// vendor's unisims.
    pub fn cell_models(self) -> Option<&'static [&'static str]> {
        match self {
            SynthTarget::Generic => Some(&[]),
            SynthTarget::Ice40 => Some(&["ice40/cells_sim.v"]),
            SynthTarget::Ecp5 => {
                Some(&["ecp5/cells_sim.v", "ecp5/cells_ff.vh", "ecp5/cells_io.vh"])
            }
            SynthTarget::Xilinx => None,
        }
    }

    /// Lines put before the first cell model. iCE40: `NO_ICE40_DEFAULT_ASSIGNMENTS`, since the
    /// models' port defaults (`input CLOCK_ENABLE = 1'b1`) are SystemVerilog that Icarus 11 rejects;
    /// Yosys connects every input the netlist relies on, so the defaults are not needed.
    pub fn cell_model_prelude(self) -> &'static str {
        match self {
            SynthTarget::Ice40 => "`define NO_ICE40_DEFAULT_ASSIGNMENTS\n",
            _ => "",
        }
    }

    /// What a final cell type is on this target.
    pub fn classify(self, cell_type: &str) -> CellClass {
        if is_latch(cell_type) {
            return CellClass::Latch;
        }
        let t = cell_type;
        let starts = |p: &str| t.starts_with(p);
        match self {
            SynthTarget::Generic if t.contains("DFF") || t == "$dff" || t == "$adff" => {
                CellClass::FlipFlop
            }
            SynthTarget::Ice40 if t == "SB_LUT4" => CellClass::Lut,
            SynthTarget::Ice40 if starts("SB_DFF") => CellClass::FlipFlop,
            SynthTarget::Ice40 if starts("SB_RAM40_4K") => CellClass::BlockRam,
            SynthTarget::Ecp5 if t == "LUT4" => CellClass::Lut,
            SynthTarget::Ecp5 if t == "TRELLIS_FF" => CellClass::FlipFlop,
            SynthTarget::Ecp5 if t == "DP16KD" || t == "PDPW16KD" => CellClass::BlockRam,
            SynthTarget::Ecp5 if t == "TRELLIS_DPR16X4" => CellClass::DistributedRam,
            SynthTarget::Xilinx
                if starts("LUT") && t[3..].chars().all(|c| c.is_ascii_digit()) && t.len() == 4 =>
            {
                CellClass::Lut
            }
            SynthTarget::Xilinx if matches!(t, "FDRE" | "FDSE" | "FDCE" | "FDPE") => {
                CellClass::FlipFlop
            }
            SynthTarget::Xilinx if starts("RAMB") => CellClass::BlockRam,
            SynthTarget::Xilinx if starts("RAM") => CellClass::DistributedRam,
            _ => CellClass::Other,
        }
    }
}

impl std::str::FromStr for SynthTarget {
    type Err = ToolchainError;
    fn from_str(s: &str) -> Result<Self> {
        SynthTarget::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| {
                ToolchainError::Invalid(format!(
                    "unknown synthesis target {s:?} (expected one of generic, ice40, ecp5, xilinx)"
                ))
            })
    }
}

/// The kind of a synthesized cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CellClass {
    Lut,
    FlipFlop,
    BlockRam,
    DistributedRam,
    Latch,
    Other,
}

/// Any latch or SR cell type (`$dlatch`, `$_DLATCH_P_`, `$sr`, `$_SR_PP_`, ...).
pub fn is_latch(cell_type: &str) -> bool {
    let t = cell_type.to_ascii_lowercase();
    t.contains("dlatch") || t.contains("_sr_") || t == "$sr"
}

/// How to synthesize.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthOptions {
    pub target: SynthTarget,
    /// Top module.
    pub top: String,
    /// Pass `-flatten` (the FPGA commands flatten by default anyway).
    pub flatten: bool,
    /// Where the script, the stat files and the log go.
    pub work_dir: PathBuf,
    /// Write the netlist as JSON here (what nextpnr reads).
    pub netlist: Option<PathBuf>,
    /// Write the netlist as Verilog here (`write_verilog -noattr`: the top keeps its name and
    /// ports; memory contents are baked in as cell parameters).
    pub verilog_netlist: Option<PathBuf>,
    pub time_limit: Option<Duration>,
}

impl SynthOptions {
    /// `target` of `top`, work files in `work_dir`, no netlist, no flatten, no time limit.
    pub fn new(target: SynthTarget, top: &str, work_dir: &Path) -> SynthOptions {
        SynthOptions {
            target,
            top: top.into(),
            flatten: false,
            work_dir: work_dir.to_path_buf(),
            netlist: None,
            verilog_netlist: None,
            time_limit: None,
        }
    }

    /// The script file.
    pub fn script(&self) -> PathBuf {
        self.work_dir.join("synth.ys")
    }
    /// `stat` after the first half (memories not yet mapped).
    pub fn coarse_stat(&self) -> PathBuf {
        self.work_dir.join("coarse_stat.txt")
    }
    /// `stat` after the whole synthesis.
    pub fn final_stat(&self) -> PathBuf {
        self.work_dir.join("synth_stat.txt")
    }
    /// Yosys' full output.
    pub fn log(&self) -> PathBuf {
        self.work_dir.join("yosys.log")
    }
}

/// The Yosys script of `opts` over `files`.
pub fn synth_script(files: &[PathBuf], opts: &SynthOptions) -> String {
    let mut s = String::new();
    for f in files {
        let _ = writeln!(s, "read_verilog -sv {}", f.display());
    }
    let cmd = format!(
        "{}{} -top {}",
        opts.target.command(),
        if opts.flatten { " -flatten" } else { "" },
        opts.top
    );
    let label = opts.target.memory_label();
    let _ = writeln!(s, "{cmd} -run :{label}");
    let _ = writeln!(s, "tee -o {} stat", opts.coarse_stat().display());
    let _ = writeln!(s, "{cmd} -run {label}:");
    let _ = writeln!(s, "tee -o {} stat", opts.final_stat().display());
    if let Some(n) = &opts.netlist {
        let _ = writeln!(s, "write_json {}", n.display());
    }
    if let Some(n) = &opts.verilog_netlist {
        let _ = writeln!(s, "write_verilog -noattr {}", n.display());
    }
    s
}

/// The synthesis plan: the script, then one Yosys step in `dir` reading `files` and writing the two
/// stat files (and the netlist).
pub fn synth_flow(dir: &Path, files: &[PathBuf], opts: &SynthOptions) -> Flow {
    let script = opts.script();
    let mut outputs = vec![opts.coarse_stat(), opts.final_stat()];
    outputs.extend(opts.netlist.iter().cloned());
    outputs.extend(opts.verilog_netlist.iter().cloned());
    let step = Step::new(
        format!("yosys {} of {}", opts.target.command(), dir.display()),
        Program::Tool(YOSYS),
        opts.log(),
    )
    .cwd(dir)
    .arg("-s")
    .arg(&script)
    .inputs(files.iter().cloned())
    .inputs([script.clone()])
    .outputs(outputs)
    .time_limit(opts.time_limit);
    Flow {
        files: vec![PlannedFile {
            path: script,
            text: synth_script(files, opts),
        }],
        steps: vec![step],
    }
}

/// What synthesis produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SynthReport {
    pub target: SynthTarget,
    /// Total cells after synthesis.
    pub cells: u64,
    /// Memories Yosys inferred (`$mem_v2` / `$mem` cells before they were mapped).
    pub memories: u64,
    pub luts: u64,
    pub flip_flops: u64,
    /// Block RAM primitives (DP16KD, SB_RAM40_4K, RAMB18/36).
    pub block_rams: u64,
    /// Distributed RAM primitives (TRELLIS_DPR16X4, RAM32M, ...).
    pub distributed_rams: u64,
    /// Latch and SR cells: 0 for a clean design.
    pub latches: u64,
    /// Count per cell type, as printed by the final `stat`.
    pub cell_types: Vec<(String, u64)>,
    pub log: PathBuf,
    pub netlist: Option<PathBuf>,
}

impl SynthReport {
    /// Builds the report from the two `stat` texts.
    pub fn from_stats(opts: &SynthOptions, coarse: &str, fin: &str) -> Result<SynthReport> {
        let (_, coarse_types) = parse_yosys_stat(coarse).ok_or_else(|| {
            ToolchainError::format(
                opts.coarse_stat(),
                "no `Number of cells:` in the yosys stat output",
            )
        })?;
        let (cells, cell_types) = parse_yosys_stat(fin).ok_or_else(|| {
            ToolchainError::format(
                opts.final_stat(),
                "no `Number of cells:` in the yosys stat output",
            )
        })?;
        let memories = coarse_types
            .iter()
            .filter(|(t, _)| t.starts_with("$mem"))
            .map(|(_, n)| n)
            .sum();
        let count = |class: CellClass| -> u64 {
            cell_types
                .iter()
                .filter(|(t, _)| opts.target.classify(t) == class)
                .map(|(_, n)| n)
                .sum()
        };
        Ok(SynthReport {
            target: opts.target,
            cells,
            memories,
            luts: count(CellClass::Lut),
            flip_flops: count(CellClass::FlipFlop),
            block_rams: count(CellClass::BlockRam),
            distributed_rams: count(CellClass::DistributedRam),
            latches: count(CellClass::Latch),
            cell_types,
            log: opts.log(),
            netlist: opts.netlist.clone(),
        })
    }
}

/// Parses the last `stat` block of a Yosys report: total cells and the count per cell type.
pub fn parse_yosys_stat(text: &str) -> Option<(u64, Vec<(String, u64)>)> {
    let start = text.rfind("Number of cells:")?;
    let block = &text[start..];
    let mut lines = block.lines();
    let cells: u64 = lines.next()?.split(':').nth(1)?.trim().parse().ok()?;
    let mut types = Vec::new();
    for l in lines {
        let mut it = l.split_whitespace();
        match (it.next(), it.next(), it.next()) {
            (Some(name), Some(n), None) => match n.parse::<u64>() {
                Ok(n) => types.push((name.to_string(), n)),
                Err(_) => break,
            },
            (None, _, _) if types.is_empty() => continue,
            _ => break,
        }
    }
    Some((cells, types))
}

/// Runs the synthesis of every `.v`/`.sv` file of `dir` ([`synth_flow`] then [`execute_with`]), passing
/// Yosys' lines to `progress`.
pub fn synthesize(
    dir: &Path,
    opts: &SynthOptions,
    progress: Option<FlowProgress<'_>>,
) -> Result<SynthReport> {
    let files = verilog_files(dir)?;
    execute_with(&synth_flow(dir, &files, opts), progress)?;
    let read = |p: PathBuf| std::fs::read_to_string(&p).map_err(|e| ToolchainError::io(p, e));
    SynthReport::from_stats(opts, &read(opts.coarse_stat())?, &read(opts.final_stat())?)
}

/// Generic flattened synthesis of `dir` (top `top`), work files under
/// `<cache_root>/synth/<top>-<hash>/`: the check the hdl tests run on generated Verilog.
pub fn synth_yosys(dir: &Path, top: &str) -> Result<SynthReport> {
    let mut opts = SynthOptions::new(SynthTarget::Generic, top, &work_dir_for("synth", dir, top));
    opts.flatten = true;
    synthesize(dir, &opts, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yosys_stat_parses_and_counts_latches() {
        let text = "=== top ===\n\n   Number of wires:                 10\n   Number of cells:                 7\n     $_AND_                          2\n     $_DFF_P_                        4\n     $_DLATCH_P_                     1\n\nEnd of script.\n";
        let (cells, types) = parse_yosys_stat(text).unwrap();
        assert_eq!(cells, 7);
        assert_eq!(types.len(), 3);
        assert_eq!(types.iter().filter(|(t, _)| is_latch(t)).count(), 1);
    }

    #[test]
    fn fpga_primitives_are_classified() {
        use CellClass::*;
        let e = SynthTarget::Ecp5;
        assert_eq!(e.classify("LUT4"), Lut);
        assert_eq!(e.classify("TRELLIS_FF"), FlipFlop);
        assert_eq!(e.classify("DP16KD"), BlockRam);
        assert_eq!(e.classify("TRELLIS_DPR16X4"), DistributedRam);
        assert_eq!(e.classify("CCU2C"), Other);
        let x = SynthTarget::Xilinx;
        assert_eq!(x.classify("LUT6"), Lut);
        assert_eq!(x.classify("LUTX"), Other);
        assert_eq!(x.classify("RAMB36E1"), BlockRam);
        assert_eq!(x.classify("RAM32M"), DistributedRam);
        assert_eq!(SynthTarget::Ice40.classify("SB_DFFE"), FlipFlop);
        assert_eq!(SynthTarget::Generic.classify("$_SDFFE_PP0P_"), FlipFlop);
        assert_eq!(SynthTarget::Generic.classify("$_DLATCH_N_"), Latch);
        assert_eq!("ecp5".parse::<SynthTarget>().unwrap(), SynthTarget::Ecp5);
        assert!("ecp6"
            .parse::<SynthTarget>()
            .unwrap_err()
            .to_string()
            .contains("ice40"));
    }
}
