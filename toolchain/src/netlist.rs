//! A design folder's synthesized netlist as a folder a simulator can run, built once per content.
//!
//! [`synth_netlist`] runs Yosys' `synth_<family>` ([`crate::synth_flow`]) ending in `write_verilog
//! -noattr`, and puts the netlist beside Yosys' simulation models of the family's primitives
//! ([`SynthTarget::cell_models`], plus [`OWN_MODELS`] for what Yosys ships only as a blackbox), so the same test bench that drives the RTL drives the netlist.
//!
//! Promises:
//! * the folder is `<cache_root>/netlist/<top>-<family>-<hash>`; the hash covers the design's Verilog
//!   files and memory files (`.hex`, `.mem`: names and bytes; synthesis bakes the `$readmemh`
//!   contents into cell parameters, so a change of weights is a new netlist), the target, the Yosys
//!   version line, the script and the cell models' text;
//! * `sim/` holds exactly the netlist `<top>_<family>_netlist.v` (module `<top>`, the RTL's ports) and
//!   the cell models (with the family's prelude, includes pasted in), all `.v` files, and nothing a `$readmemh` reads; `synth/` holds the
//!   script, the stat files and the Yosys log;
//! * a finished folder is marked by a `ready` file (the seconds the synthesis took) and reused; concurrent
//!   builders of the same hash wait on a lock file.

use crate::cache::{cache_root, fnv1a, verilog_files};
use crate::error::{Result, ToolchainError};
use crate::flow::{execute_with, FlowProgress};
use crate::synth::{synth_flow, synth_script, SynthOptions, SynthReport, SynthTarget};
use crate::tool::{find, FoundTool, YOSYS};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Environment variable naming Yosys' data folder (what `yosys-config --datdir` prints).
pub const YOSYS_DATDIR_ENV: &str = "YOSYS_DATDIR";

/// A synthesized netlist ready to simulate.
#[derive(Clone, Debug)]
pub struct Netlist {
    pub target: SynthTarget,
    /// The folder to simulate: the netlist and the cell models, nothing else.
    pub sim_dir: PathBuf,
    /// The netlist file in `sim_dir`.
    pub netlist: PathBuf,
    /// The utilisation of the synthesis that made it.
    pub report: SynthReport,
    /// True if an earlier synthesis was reused.
    pub cached: bool,
    /// Seconds of this synthesis (0 if cached) and of the one that made the folder.
    pub seconds: f64,
    pub original_seconds: f64,
}

/// Yosys' data folder (`share/yosys`, with `ice40/cells_sim.v`, ...): `$YOSYS_DATDIR` if set, else
/// `<prefix>/share/yosys` beside the `<prefix>/bin/yosys` that was found (symbolic links resolved),
/// which is where Debian's package and a source install put it.
pub fn yosys_datdir(yosys: &FoundTool) -> Result<PathBuf> {
    if let Some(d) = std::env::var_os(YOSYS_DATDIR_ENV).filter(|v| !v.is_empty()) {
        let d = PathBuf::from(d);
        return if d.join("simlib.v").is_file() {
            Ok(d)
        } else {
            Err(datdir_missing(format!(
                "{YOSYS_DATDIR_ENV}={} has no simlib.v",
                d.display()
            )))
        };
    }
    let bin = std::fs::canonicalize(&yosys.path).map_err(|e| ToolchainError::io(&yosys.path, e))?;
    let guess = bin
        .parent()
        .and_then(Path::parent)
        .map(|p| p.join("share").join("yosys"));
    match guess {
        Some(d) if d.join("simlib.v").is_file() => Ok(d),
        _ => Err(datdir_missing(format!(
            "no share/yosys with simlib.v beside {}",
            bin.display()
        ))),
    }
}

/// A Yosys without its data folder is a broken tool installation (exit status 3), not bad input.
fn datdir_missing(searched: String) -> ToolchainError {
    ToolchainError::ToolMissing {
        tool: "the Yosys data folder".into(),
        env_var: YOSYS_DATDIR_ENV.into(),
        searched: format!("{searched}; `yosys-config --datdir` prints it"),
        install: YOSYS.install.into(),
    }
}

/// Models of primitives that Yosys ships only as blackboxes, written for this check (see each file's
/// header): ECP5's `MULT18X18D` (combinational mode; synth_ecp5 maps small products to it).
pub const OWN_MODELS: &[(SynthTarget, &str, &str)] = &[(
    SynthTarget::Ecp5,
    "ecp5_mult18x18d_sim.v",
    include_str!("../models/ecp5_mult18x18d_sim.v"),
)];

/// The cell models of `target`: (file name, text), Yosys' first file read from `datdir` with the
/// family's prelude before it and the other files it `` `include``s pasted in place (a simulator's
/// build copies only `.v` files, and include paths would differ between Icarus and Verilator), then
/// the family's [`OWN_MODELS`].
pub fn cell_model_files(target: SynthTarget, datdir: &Path) -> Result<Vec<(String, String)>> {
    let models = target.cell_models().ok_or_else(|| {
        ToolchainError::Invalid(format!(
            "no post-synthesis simulation for {} (supported: generic, ice40, ecp5)",
            target.name()
        ))
    })?;
    let read = |rel: &str| {
        let path = datdir.join(rel);
        std::fs::read_to_string(&path).map_err(|e| ToolchainError::io(&path, e))
    };
    let file_name = |rel: &str| {
        Path::new(rel)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    if let Some((first, included)) = models.split_first() {
        let mut text = format!("{}{}", target.cell_model_prelude(), read(first)?);
        for rel in included {
            let line = format!("`include \"{}\"", file_name(rel));
            if !text.contains(&line) {
                return Err(ToolchainError::format(
                    datdir.join(first),
                    format!("expected the line {line} (Yosys' cell models changed?)"),
                ));
            }
            text = text.replace(&line, &read(rel)?);
        }
        out.push((file_name(first), text));
    }
    for (t, name, text) in OWN_MODELS {
        if *t == target {
            out.push((name.to_string(), text.to_string()));
        }
    }
    Ok(out)
}

/// The design's files synthesis reads: its Verilog and memory files, sorted.
fn synthesis_inputs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = verilog_files(dir)?;
    let rd = std::fs::read_dir(dir).map_err(|e| ToolchainError::io(dir, e))?;
    for entry in rd {
        let p = entry.map_err(|e| ToolchainError::io(dir, e))?.path();
        if p.is_file() && matches!(p.extension().and_then(OsStr::to_str), Some("hex" | "mem")) {
            files.push(p);
        }
    }
    files.sort();
    Ok(files)
}

/// The netlist of `top` in the design folder `dir` for `target`, synthesized now or reused from the
/// cache (module doc), Yosys' lines passed to `progress`.
pub fn synth_netlist(
    dir: &Path,
    top: &str,
    target: SynthTarget,
    progress: Option<FlowProgress<'_>>,
) -> Result<Netlist> {
    let yosys = find(&YOSYS)?;
    let models = cell_model_files(target, &yosys_datdir(&yosys)?)?;
    let dir = std::fs::canonicalize(dir).map_err(|e| ToolchainError::io(dir, e))?;
    let sources = verilog_files(&dir)?;
    let mut parts: Vec<Vec<u8>> = vec![
        target.name().into(),
        top.into(),
        yosys.version_line.clone().into(),
    ];
    for f in synthesis_inputs(&dir)? {
        parts.push(
            f.file_name()
                .unwrap_or_default()
                .as_encoded_bytes()
                .to_vec(),
        );
        parts.push(std::fs::read(&f).map_err(|e| ToolchainError::io(&f, e))?);
    }
    for (name, text) in &models {
        parts.push(name.clone().into());
        parts.push(text.clone().into());
    }
    // The script with placeholder folders: its commands, not where this cache lives.
    let mut probe = SynthOptions::new(target, top, Path::new("synth"));
    probe.verilog_netlist = Some(PathBuf::from("netlist.v"));
    parts.push(synth_script(&[], &probe).into());
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let hash = fnv1a(&refs);

    let root = cache_root().join("netlist");
    std::fs::create_dir_all(&root).map_err(|e| ToolchainError::io(&root, e))?;
    let root = std::fs::canonicalize(&root).map_err(|e| ToolchainError::io(&root, e))?;
    let name = format!("{top}-{}-{hash:016x}", target.name());
    let folder = root.join(&name);
    let lock_path = root.join(format!("{name}.lock"));
    let lock = std::fs::File::create(&lock_path).map_err(|e| ToolchainError::io(&lock_path, e))?;
    lock.lock().map_err(|e| ToolchainError::io(&lock_path, e))?;

    let sim_dir = folder.join("sim");
    let netlist = sim_dir.join(format!("{top}_{}_netlist.v", target.name()));
    let mut opts = SynthOptions::new(target, top, &folder.join("synth"));
    opts.verilog_netlist = Some(netlist.clone());
    let ready = folder.join("ready");
    let read = |p: PathBuf| std::fs::read_to_string(&p).map_err(|e| ToolchainError::io(p, e));
    if ready.is_file() && netlist.is_file() {
        let original = read(ready.clone())?.trim().parse().unwrap_or(0.0);
        let report =
            SynthReport::from_stats(&opts, &read(opts.coarse_stat())?, &read(opts.final_stat())?)?;
        return Ok(Netlist {
            target,
            sim_dir,
            netlist,
            report,
            cached: true,
            seconds: 0.0,
            original_seconds: original,
        });
    }
    if folder.exists() {
        std::fs::remove_dir_all(&folder).map_err(|e| ToolchainError::io(&folder, e))?;
    }
    for d in [&sim_dir, &opts.work_dir] {
        std::fs::create_dir_all(d).map_err(|e| ToolchainError::io(d, e))?;
    }
    for (name, text) in &models {
        golden::io::write_atomic(&sim_dir.join(name), text.as_bytes())?;
    }
    let t0 = Instant::now();
    execute_with(&synth_flow(&dir, &sources, &opts), progress)?;
    let seconds = t0.elapsed().as_secs_f64();
    let report =
        SynthReport::from_stats(&opts, &read(opts.coarse_stat())?, &read(opts.final_stat())?)?;
    golden::io::write_atomic(&ready, format!("{seconds:.3}\n").as_bytes())?;
    drop(lock);
    Ok(Netlist {
        target,
        sim_dir,
        netlist,
        report,
        cached: false,
        seconds,
        original_seconds: seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_name_their_models() {
        assert_eq!(
            SynthTarget::Ice40.cell_models().unwrap()[0],
            "ice40/cells_sim.v"
        );
        assert_eq!(SynthTarget::Ecp5.cell_models().unwrap().len(), 3);
        assert!(SynthTarget::Generic.cell_models().unwrap().is_empty());
        assert!(SynthTarget::Xilinx.cell_models().is_none());
        let err = cell_model_files(SynthTarget::Xilinx, Path::new(".")).unwrap_err();
        assert!(err.to_string().contains("ice40, ecp5"), "{err}");
        assert!(SynthTarget::Ice40
            .cell_model_prelude()
            .contains("NO_ICE40_DEFAULT_ASSIGNMENTS"));
    }

    #[test]
    fn includes_are_pasted_and_own_models_added() {
        let dat = tempfile::tempdir().unwrap();
        let ecp5 = dat.path().join("ecp5");
        std::fs::create_dir_all(&ecp5).unwrap();
        std::fs::write(
            ecp5.join("cells_sim.v"),
            "module A;\nendmodule\n`include \"cells_ff.vh\"\n`include \"cells_io.vh\"\n",
        )
        .unwrap();
        std::fs::write(ecp5.join("cells_ff.vh"), "module FF; endmodule").unwrap();
        std::fs::write(ecp5.join("cells_io.vh"), "module IO; endmodule").unwrap();
        let files = cell_model_files(SynthTarget::Ecp5, dat.path()).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["cells_sim.v", "ecp5_mult18x18d_sim.v"]);
        assert_eq!(
            files[0].1,
            "module A;\nendmodule\nmodule FF; endmodule\nmodule IO; endmodule\n"
        );
        assert!(files[1].1.contains("module MULT18X18D("));
        std::fs::write(ecp5.join("cells_sim.v"), "module A; endmodule\n").unwrap();
        let err = cell_model_files(SynthTarget::Ecp5, dat.path()).unwrap_err();
        assert!(err.to_string().contains("cells_ff.vh"), "{err}");
    }

    #[test]
    fn script_writes_the_verilog_netlist() {
        let mut opts = SynthOptions::new(SynthTarget::Ice40, "ttfs_top", Path::new("w"));
        opts.verilog_netlist = Some(PathBuf::from("n.v"));
        let s = synth_script(&[PathBuf::from("a.v")], &opts);
        assert!(s.trim_end().ends_with("write_verilog -noattr n.v"), "{s}");
        let flow = synth_flow(Path::new("d"), &[PathBuf::from("a.v")], &opts);
        assert!(flow.steps[0].outputs.contains(&PathBuf::from("n.v")));
    }
}
