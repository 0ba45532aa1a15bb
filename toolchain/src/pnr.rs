//! The board flow (synthesis, place and route, bitstream) as a toolchain [`Flow`]: the
//! `constraints` crate plans it as data ([`constraints::flow::FlowPlan`]: files, then
//! [`constraints::flow::ToolRun`]s with plain program names); [`board_flow`] turns that plan into
//! steps of this crate's tools, one [`Step`] per run, so lookup (including the `yowasp-` names in
//! the project's `.venv/`), logs, time limits and error texts are the same as for every other tool.
//!
//! Invariants: every run's program is one of [`ALL`] (an unknown name is
//! [`ToolchainError::Invalid`], never a `PATH` lookup of an arbitrary string); files, order,
//! arguments, folders, inputs, outputs and logs are the plan's, unchanged.

use crate::error::{Result, ToolchainError};
use crate::flow::{Flow, PlannedFile};
use crate::step::{Program, Step};
use crate::tool::{find, ToolSpec, ALL};
use constraints::flow::{FlowPlan, ToolRun};
use std::time::Duration;

/// The tool of a plan's program name (`yosys`, `nextpnr-ice40`, `nextpnr-ecp5`, `icepack`,
/// `ecppack`): the [`ALL`] entry whose name or program names include it.
pub fn spec_for(program: &str) -> Result<ToolSpec> {
    ALL.iter()
        .find(|t| t.name == program || t.programs.contains(&program))
        .copied()
        .ok_or_else(|| {
            ToolchainError::Invalid(format!(
                "the flow names the program `{program}`, which is none of the known tools ({})",
                ALL.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
            ))
        })
}

/// One run of the plan as a step, with `time_limit` (per step).
pub fn step_of(run: &ToolRun, time_limit: Option<Duration>) -> Result<Step> {
    let spec = spec_for(&run.program)?;
    let what = match run.program.as_str() {
        "yosys" => "yosys synthesis".to_string(),
        p if p.starts_with("nextpnr") => format!("{p} place and route"),
        p => format!("{p} bitstream"),
    };
    Ok(Step::new(what, Program::Tool(spec), &run.log)
        .args(run.args.iter().cloned())
        .cwd(&run.cwd)
        .inputs(run.inputs.iter().cloned())
        .outputs(run.outputs.iter().cloned())
        .time_limit(time_limit))
}

/// The whole plan as a flow: its files first, then one step per run, in order.
pub fn board_flow(plan: &FlowPlan, time_limit: Option<Duration>) -> Result<Flow> {
    Ok(Flow {
        files: plan
            .files
            .iter()
            .map(|f| PlannedFile {
                path: f.path.clone(),
                text: f.contents.clone(),
            })
            .collect(),
        steps: plan
            .runs
            .iter()
            .map(|r| step_of(r, time_limit))
            .collect::<Result<_>>()?,
    })
}

/// A tool a flow runs, as found on this machine (the report's type).
pub use constraints::report::ToolInfo as ToolVersion;

/// Finds (and version-checks) every distinct tool of `flow`'s steps, in step order: a missing tool
/// fails here, before the first step runs, with the install command.
pub fn tool_versions(flow: &Flow) -> Result<Vec<ToolVersion>> {
    let mut out: Vec<ToolVersion> = Vec::new();
    for step in &flow.steps {
        if let Program::Tool(spec) = &step.program {
            if out.iter().any(|t| t.name == spec.name) {
                continue;
            }
            let found = find(spec)?;
            out.push(ToolVersion {
                name: spec.name.to_string(),
                version: found.version_line,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn plan_runs_become_steps_of_known_tools() {
        assert_eq!(spec_for("nextpnr-ecp5").unwrap().name, "nextpnr-ecp5");
        assert_eq!(spec_for("yowasp-ecppack").unwrap().name, "ecppack");
        let e = spec_for("rm").unwrap_err().to_string();
        assert!(e.contains("`rm`") && e.contains("icepack"), "{e}");
        let run = ToolRun {
            program: "icepack".into(),
            args: vec!["top.asc".into(), "top.bin".into()],
            cwd: PathBuf::from("/b"),
            inputs: vec![PathBuf::from("/b/top.asc")],
            outputs: vec![PathBuf::from("/b/top.bin")],
            log: PathBuf::from("/b/icepack.log"),
        };
        let s = step_of(&run, Some(Duration::from_secs(5))).unwrap();
        assert_eq!(s.program, Program::Tool(crate::tool::ICEPACK));
        assert_eq!(s.args_text(), run.args);
        assert_eq!(s.cwd.as_deref(), Some(std::path::Path::new("/b")));
        assert_eq!((s.inputs, s.outputs), (run.inputs, run.outputs));
        assert_eq!(s.what, "icepack bitstream");
        assert_eq!(s.time_limit, Some(Duration::from_secs(5)));
    }
}
