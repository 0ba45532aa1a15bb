//! A Vivado non-project Tcl script for a 7-series board: read the Verilog and the XDC, synthesize,
//! optimize, place, route, report utilisation and timing, write the bitstream. Nothing here runs
//! Vivado: the script is for a user to run where Vivado is installed
//! (`vivado -mode batch -source vivado.tcl`). It changes to its own folder first, so the sources'
//! relative paths and `$readmemh` files resolve there and every output lands beside it.

use crate::board::{Board, Family};
use crate::error::{ConstraintsError, Result};
use crate::{header, require_family};

/// File names in the script's folder.
pub struct VivadoSources<'a> {
    /// Top module.
    pub top: &'a str,
    /// Verilog files, relative to the script's folder.
    pub verilog: &'a [String],
    /// The XDC, relative to the script's folder.
    pub xdc: &'a str,
}

/// Report and bitstream names the script writes (relative to its folder).
pub const UTILIZATION_REPORT: &str = "utilization.rpt";
pub const TIMING_REPORT: &str = "timing_summary.rpt";

/// The script text.
pub fn render(board: &Board, src: &VivadoSources<'_>) -> Result<String> {
    require_family(board, Family::Xilinx7, "a Vivado script")?;
    if src.verilog.is_empty() {
        return Err(ConstraintsError::Family {
            board: board.name.clone(),
            family: board.family.to_string(),
            message: "a Vivado script needs at least one Verilog file".into(),
        });
    }
    let part = board.part();
    let files: Vec<String> = src.verilog.iter().map(|f| tcl_word(f)).collect();
    let mut out = header(board, "#");
    out += "# Vivado non-project flow: vivado -mode batch -source vivado.tcl\n";
    out += "cd [file dirname [file normalize [info script]]]\n";
    out += &format!("read_verilog [list {}]\n", files.join(" "));
    out += &format!("read_xdc {}\n", tcl_word(src.xdc));
    out += &format!("synth_design -top {} -part {part}\n", tcl_word(src.top));
    out += "opt_design\nplace_design\nroute_design\n";
    out += &format!("report_utilization -file {UTILIZATION_REPORT}\n");
    out += &format!("report_timing_summary -file {TIMING_REPORT}\n");
    out += &format!("write_bitstream -force {}.bit\n", tcl_word(src.top));
    Ok(out)
}

/// A file name as one Tcl word: braced when it holds characters Tcl would interpret.
fn tcl_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
    {
        s.to_string()
    } else {
        format!("{{{s}}}")
    }
}
