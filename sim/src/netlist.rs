//! Post-synthesis simulation: the bench that drives a design's RTL drives its synthesized netlist.
//!
//! [`run_netlist`] has `toolchain` synthesize the design folder for a family (Yosys `synth_ice40` /
//! `synth_ecp5` / generic `synth`, then `write_verilog -noattr`, cached by content:
//! [`toolchain::synth_netlist`]) and runs [`crate::run`] on the folder that holds the netlist and
//! Yosys' cell models, with the design's own manifest (the netlist keeps the module name `ttfs_top`
//! and the contract's ports, so the benches, the event log and the VCD read-back are the RTL's).
//! What the netlist computes is then compared with golden exactly like the RTL (`golden::compare`),
//! so a synthesis/simulation mismatch (an inferred RAM's read timing, an initial value, a sign) shows
//! as a spike or decision difference.
//!
//! Invariant: nothing of the RTL reaches the netlist simulation but the netlist: the simulated
//! folder holds no `$readmemh` file (the memory contents are cell parameters after synthesis).

use crate::error::Result;
use crate::run::{run, Design, RunConfig, SimRun};
use toolchain::{synth_netlist, FlowProgress, Netlist, SynthTarget};

/// A post-synthesis simulation: the netlist that ran and what it produced.
#[derive(Clone, Debug)]
pub struct NetlistRun {
    pub netlist: Netlist,
    pub run: SimRun,
}

/// The design to simulate for `design`'s netlist on `target`: the folder holding the netlist and the
/// cell models (synthesized now or reused from the cache), with `design`'s own manifest; and the
/// netlist's synthesis. Yosys' lines go to `progress`.
pub fn netlist_design(
    design: &Design,
    target: SynthTarget,
    progress: Option<FlowProgress<'_>>,
) -> Result<(Design, Netlist)> {
    let netlist = synth_netlist(&design.dir, &design.manifest.top, target, progress)?;
    let gates = Design::without_memory_files(&netlist.sim_dir, design.manifest.clone())?;
    Ok((gates, netlist))
}

/// Synthesizes `design` for `target` (or reuses the cached netlist) and runs every sample through
/// the netlist with `cfg` (either simulator); Yosys' lines go to `progress`.
pub fn run_netlist(
    design: &Design,
    target: SynthTarget,
    inputs: &[Vec<Option<u32>>],
    cfg: &RunConfig,
    progress: Option<FlowProgress<'_>>,
) -> Result<NetlistRun> {
    let (gates, netlist) = netlist_design(design, target, progress)?;
    let run = run(&gates, inputs, cfg)?;
    Ok(NetlistRun { netlist, run })
}
