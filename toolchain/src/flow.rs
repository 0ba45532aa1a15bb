//! A flow is a plan: the files to write (scripts) and the steps to run, built by pure functions and
//! inspectable before anything runs (amaranth's build plan); [`execute`] carries it out.
//!
//! Promises of [`execute`]: the plan's files are written first (atomically); then, step by step, every
//! declared input must exist before the step starts ([`ToolchainError::MissingInput`], the step is not
//! run), the step runs ([`run_step`]: streamed log, time limit), and every declared output must exist
//! after it succeeds ([`ToolchainError::MissingOutput`]). The first failure ends the flow.

use crate::error::{Result, ToolchainError};
use crate::step::{run_step, RunOutput, Step, Stream};
use serde::Serialize;
use std::path::PathBuf;

/// A file the flow writes before its steps run (a Yosys script, a constraint file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlannedFile {
    pub path: PathBuf,
    pub text: String,
}

/// Files and steps, in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Flow {
    pub files: Vec<PlannedFile>,
    pub steps: Vec<Step>,
}

impl Flow {
    /// The plan as text: one line per file and per step.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        for f in &self.files {
            s.push_str(&format!(
                "write {} ({} bytes)\n",
                f.path.display(),
                f.text.len()
            ));
        }
        for st in &self.steps {
            s.push_str(&format!("run   {st}\n"));
        }
        s
    }
}

/// A receiver of a flow's output lines: the step's index, the stream, the line.
pub type FlowProgress<'a> = &'a mut dyn FnMut(usize, Stream, &str);

/// The first of `files` (as `step` sees them) that does not exist.
fn first_missing(step: &Step, files: &[PathBuf]) -> Option<PathBuf> {
    files.iter().map(|p| step.resolve(p)).find(|p| !p.exists())
}

/// Runs `flow` without a progress callback; one [`RunOutput`] per step.
pub fn execute(flow: &Flow) -> Result<Vec<RunOutput>> {
    execute_with(flow, None)
}

/// What [`execute_observed`] reports while a flow runs: each step's start (before its inputs are
/// checked), every line its tool prints, and its end (after its outputs were checked).
pub trait FlowObserver {
    fn step_started(&mut self, _index: usize, _step: &Step) {}
    fn line(&mut self, _index: usize, _stream: Stream, _text: &str) {}
    fn step_finished(&mut self, _index: usize, _step: &Step, _output: &RunOutput) {}
}

/// [`execute_with`]'s line callback as an observer.
struct Lines<'a>(Option<FlowProgress<'a>>);

impl FlowObserver for Lines<'_> {
    fn line(&mut self, index: usize, stream: Stream, text: &str) {
        if let Some(cb) = self.0.as_mut() {
            cb(index, stream, text);
        }
    }
}

/// Runs `flow`, passing every line a tool prints to `progress` (the step's index, the stream, the line).
pub fn execute_with(flow: &Flow, progress: Option<FlowProgress<'_>>) -> Result<Vec<RunOutput>> {
    execute_observed(flow, &mut Lines(progress))
}

/// Runs `flow`, telling `observer` when each step starts and ends and every line in between (the
/// promises of the module header hold).
pub fn execute_observed(flow: &Flow, observer: &mut dyn FlowObserver) -> Result<Vec<RunOutput>> {
    for f in &flow.files {
        if let Some(parent) = f.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| ToolchainError::io(parent, e))?;
        }
        golden::io::write_atomic(&f.path, f.text.as_bytes())?;
    }
    let mut outputs = Vec::with_capacity(flow.steps.len());
    for (i, step) in flow.steps.iter().enumerate() {
        observer.step_started(i, step);
        if let Some(path) = first_missing(step, &step.inputs) {
            return Err(ToolchainError::MissingInput {
                what: step.what.clone(),
                path,
            });
        }
        let mut line = |stream: Stream, text: &str| observer.line(i, stream, text);
        let out = run_step(step, Some(&mut line))?;
        if let Some(path) = first_missing(step, &step.outputs) {
            return Err(ToolchainError::MissingOutput {
                what: step.what.clone(),
                path,
                log: step.log.clone(),
            });
        }
        observer.step_finished(i, step, &out);
        outputs.push(out);
    }
    Ok(outputs)
}
