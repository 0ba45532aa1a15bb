//! Hardware events seen at clock posedges, and their assembly into per-sample observations.
//!
//! Both read-back paths (the VCD reader and the test benches' text event log) produce the same
//! stream of [`HwEvent`]s; [`Assembler`] checks them against the hardware contract (inputs only while
//! idle, spikes only between start and done, every layer-1..L neuron at most once, indices and steps in
//! range, `out_*` = the `spk_*` events of the last layer) and yields one
//! [`ObservedInference`] per `start`/`done` pair. Also owns the text event log format.
//!
//! Event log format (one event per line, cycle = posedge index from the start of the simulation):
//! `I cycle neuron step` input transfer, `S cycle` start, `K cycle layer neuron step` spike monitor,
//! `O cycle neuron step` output spike, `D cycle class_valid class_out` done, `E sample cycle limit`
//! timeout (the bench stops there).

use crate::error::{Result, SimError};
use golden::compare::ObservedInference;
use golden::SpikeTrain;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// One thing the hardware did at a posedge (values sampled just before the edge).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HwEvent {
    /// `in_valid && in_ready`: an input event was transferred.
    Input { cycle: u64, neuron: u64, step: u64 },
    /// `start` was high.
    Start { cycle: u64 },
    /// `spk_valid` was high.
    Spike {
        cycle: u64,
        layer: u64,
        neuron: u64,
        step: u64,
    },
    /// `out_valid` was high.
    Out { cycle: u64, neuron: u64, step: u64 },
    /// `done` was high.
    Done {
        cycle: u64,
        class_valid: bool,
        class_out: u64,
    },
}

/// Builds [`ObservedInference`]s from a stream of events, checking the contract.
pub struct Assembler {
    sizes: Vec<usize>,
    n_steps: u32,
    n_in_steps: u32,
    origin: PathBuf,
    /// First cycle the host could use for the current sample's inputs.
    load_from: u64,
    inputs: Vec<Option<u32>>,
    input_cycles: Vec<Option<u64>>,
    current: Option<InFlight>,
    done: Vec<ObservedInference>,
}

struct InFlight {
    start_cycle: u64,
    load_cycles: u64,
    layers: Vec<Vec<Option<u32>>>,
    cycles: Vec<Vec<Option<u64>>>,
    outs: Vec<(usize, u32)>,
}

impl Assembler {
    /// `sizes` = layer sizes, input first (at least two; the readers check this); `origin` names the
    /// file in errors.
    pub fn new(sizes: &[usize], n_steps: u32, n_in_steps: u32, origin: &Path) -> Self {
        Assembler {
            sizes: sizes.to_vec(),
            n_steps,
            n_in_steps,
            origin: origin.to_path_buf(),
            load_from: 0,
            inputs: vec![None; sizes[0]],
            input_cycles: vec![None; sizes[0]],
            current: None,
            done: Vec::new(),
        }
    }

    /// Tells the assembler the first cycle after reset (input loading of sample 0 starts there).
    pub fn reset_released(&mut self, cycle: u64) {
        if self.done.is_empty() && self.current.is_none() {
            self.load_from = cycle;
        }
    }

    fn err(&self, cycle: u64, msg: String) -> SimError {
        let sample = self.done.len();
        SimError::format(
            &self.origin,
            format!("sample {sample}, cycle {cycle}: {msg}"),
        )
    }

    /// Feeds one event.
    pub fn push(&mut self, ev: HwEvent) -> Result<()> {
        match ev {
            HwEvent::Input {
                cycle,
                neuron,
                step,
            } => {
                if self.current.is_some() {
                    return Err(self.err(cycle, "input transfer while an inference runs".into()));
                }
                let n = neuron as usize;
                if n >= self.sizes[0] {
                    return Err(self.err(
                        cycle,
                        format!("input neuron {neuron} >= input size {}", self.sizes[0]),
                    ));
                }
                if step > self.n_in_steps as u64 {
                    return Err(self.err(
                        cycle,
                        format!("input step {step} > n_in_steps {}", self.n_in_steps),
                    ));
                }
                if self.inputs[n].is_some() {
                    return Err(self.err(cycle, format!("input neuron {neuron} sent twice")));
                }
                self.inputs[n] = Some(step as u32);
                self.input_cycles[n] = Some(cycle);
            }
            HwEvent::Start { cycle } => {
                if self.current.is_some() {
                    return Err(self.err(cycle, "start while an inference runs".into()));
                }
                let mut layers = vec![std::mem::replace(
                    &mut self.inputs,
                    vec![None; self.sizes[0]],
                )];
                let mut cycles = vec![std::mem::replace(
                    &mut self.input_cycles,
                    vec![None; self.sizes[0]],
                )];
                for &n in &self.sizes[1..] {
                    layers.push(vec![None; n]);
                    cycles.push(vec![None; n]);
                }
                self.current = Some(InFlight {
                    start_cycle: cycle,
                    load_cycles: cycle.saturating_sub(self.load_from),
                    layers,
                    cycles,
                    outs: Vec::new(),
                });
            }
            HwEvent::Spike {
                cycle,
                layer,
                neuron,
                step,
            } => {
                let n_layers = self.sizes.len() - 1;
                if layer == 0 || layer as usize > n_layers {
                    return Err(self.err(
                        cycle,
                        format!("spike of layer {layer}, expected 1..={n_layers}"),
                    ));
                }
                let l = layer as usize;
                if neuron as usize >= self.sizes[l] {
                    return Err(self.err(
                        cycle,
                        format!(
                            "spike of layer {layer} neuron {neuron} >= layer size {}",
                            self.sizes[l]
                        ),
                    ));
                }
                if step == 0 || step > self.n_steps as u64 {
                    return Err(self.err(
                        cycle,
                        format!(
                            "layer {layer} neuron {neuron} fired at step {step}, expected 1..={}",
                            self.n_steps
                        ),
                    ));
                }
                let Some(cur) = self.current.as_mut() else {
                    return Err(self.err(
                        cycle,
                        format!("spike of layer {layer} neuron {neuron} outside start..done"),
                    ));
                };
                let slot = &mut cur.layers[l][neuron as usize];
                if let Some(prev) = *slot {
                    let prev_cycle = cur.cycles[l][neuron as usize].unwrap_or(0);
                    return Err(self.err(
                        cycle,
                        format!("layer {layer} neuron {neuron} spiked twice (step {prev} at cycle {prev_cycle}, step {step} now)"),
                    ));
                }
                *slot = Some(step as u32);
                cur.cycles[l][neuron as usize] = Some(cycle);
            }
            HwEvent::Out {
                cycle,
                neuron,
                step,
            } => {
                let Some(cur) = self.current.as_mut() else {
                    return Err(self.err(
                        cycle,
                        format!("output spike of neuron {neuron} outside start..done"),
                    ));
                };
                cur.outs.push((neuron as usize, step as u32));
            }
            HwEvent::Done {
                cycle,
                class_valid,
                class_out,
            } => {
                let Some(cur) = self.current.take() else {
                    return Err(self.err(cycle, "done without start".into()));
                };
                if cycle < cur.start_cycle {
                    return Err(self.err(
                        cycle,
                        format!("done before its start (cycle {})", cur.start_cycle),
                    ));
                }
                let last = self.sizes.len() - 1;
                let mut from_spk: Vec<(usize, u32)> = cur.layers[last]
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| s.map(|k| (i, k)))
                    .collect();
                let mut outs = cur.outs.clone();
                from_spk.sort_unstable();
                outs.sort_unstable();
                if from_spk != outs {
                    let sample = self.done.len();
                    return Err(SimError::format(
                        &self.origin,
                        format!("sample {sample}, done at cycle {cycle}: out_* events {outs:?} differ from the spk_* events of layer {last} {from_spk:?}"),
                    ));
                }
                let decision = if class_valid {
                    if class_out as usize >= self.sizes[last] {
                        return Err(self.err(
                            cycle,
                            format!("class_out {class_out} >= output size {}", self.sizes[last]),
                        ));
                    }
                    Some(class_out as usize)
                } else {
                    None
                };
                self.done.push(ObservedInference {
                    spikes: SpikeTrain::new(cur.layers),
                    spike_cycles: cur.cycles,
                    decision,
                    start_cycle: cur.start_cycle,
                    cycles: cycle - cur.start_cycle,
                    load_cycles: cur.load_cycles,
                });
                self.load_from = cycle + 1;
            }
        }
        Ok(())
    }

    /// All samples; error if one started but never finished or inputs were sent without a start.
    pub fn finish(self) -> Result<Vec<ObservedInference>> {
        if let Some(cur) = &self.current {
            return Err(SimError::format(
                &self.origin,
                format!(
                    "sample {} started at cycle {} but the simulation ended before done",
                    self.done.len(),
                    cur.start_cycle
                ),
            ));
        }
        if self.inputs.iter().any(|s| s.is_some()) {
            return Err(SimError::format(
                &self.origin,
                format!(
                    "input events after the last done (sample {}) without a start",
                    self.done.len()
                ),
            ));
        }
        Ok(self.done)
    }
}

/// A timeout line (`E sample cycle limit`) of an event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeoutRecord {
    pub sample: usize,
    pub start_cycle: u64,
    pub limit: u64,
}

/// Finds a timeout record in an event log, if any.
pub fn find_timeout(path: &Path) -> Result<Option<TimeoutRecord>> {
    let f = std::fs::File::open(path).map_err(|e| SimError::io(path, e))?;
    for line in std::io::BufReader::new(f).lines() {
        let line = line.map_err(|e| SimError::io(path, e))?;
        if let Some(rest) = line.strip_prefix("E ") {
            let v: Vec<u64> = rest
                .split_whitespace()
                .filter_map(|t| t.parse().ok())
                .collect();
            if let [s, c, l] = v[..] {
                return Ok(Some(TimeoutRecord {
                    sample: s as usize,
                    start_cycle: c,
                    limit: l,
                }));
            }
        }
    }
    Ok(None)
}

/// Checks the layer sizes given to a reader (at least an input and an output layer).
pub(crate) fn check_sizes(sizes: &[usize]) -> Result<()> {
    if sizes.len() < 2 || sizes.contains(&0) {
        return Err(SimError::Invalid(format!(
            "layer sizes {sizes:?}: need an input and at least one layer, none empty"
        )));
    }
    Ok(())
}

/// Reads a bench's event log into per-sample observations.
pub fn read_event_log(
    path: &Path,
    sizes: &[usize],
    n_steps: u32,
    n_in_steps: u32,
) -> Result<Vec<ObservedInference>> {
    let f = std::fs::File::open(path).map_err(|e| SimError::io(path, e))?;
    let reader = std::io::BufReader::with_capacity(1 << 16, f);
    read_event_log_from(reader, path, sizes, n_steps, n_in_steps)
}

/// [`read_event_log`] of log text from any reader; `path` names it in errors.
pub fn read_event_log_from<R: BufRead>(
    reader: R,
    path: &Path,
    sizes: &[usize],
    n_steps: u32,
    n_in_steps: u32,
) -> Result<Vec<ObservedInference>> {
    check_sizes(sizes)?;
    let mut asm = Assembler::new(sizes, n_steps, n_in_steps, path);
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| SimError::io(path, e))?;
        let bad = |what: &str| SimError::format(path, format!("line {}: {what}: {line:?}", i + 1));
        let mut it = line.split_whitespace();
        let Some(tag) = it.next() else { continue };
        let nums: Vec<u64> = it
            .map(|t| t.parse::<u64>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| bad("not a number"))?;
        let ev = match (tag, &nums[..]) {
            ("R", &[c]) => {
                asm.reset_released(c);
                continue;
            }
            ("I", &[cycle, neuron, step]) => HwEvent::Input {
                cycle,
                neuron,
                step,
            },
            ("S", &[cycle]) => HwEvent::Start { cycle },
            ("K", &[cycle, layer, neuron, step]) => HwEvent::Spike {
                cycle,
                layer,
                neuron,
                step,
            },
            ("O", &[cycle, neuron, step]) => HwEvent::Out {
                cycle,
                neuron,
                step,
            },
            ("D", &[cycle, v, class_out]) => HwEvent::Done {
                cycle,
                class_valid: v != 0,
                class_out,
            },
            ("P", &[cycle, sample]) => {
                return Err(SimError::InputOrder {
                    sample: sample as usize,
                    cycle,
                    origin: path.to_path_buf(),
                })
            }
            ("E", &[sample, cycle, limit]) => {
                return Err(SimError::Timeout {
                    sample: sample as usize,
                    limit,
                    start_cycle: cycle,
                    log: path.to_path_buf(),
                })
            }
            _ => return Err(bad("unknown event")),
        };
        asm.push(ev)?;
    }
    asm.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(cycle: u64, neuron: u64, step: u64) -> HwEvent {
        HwEvent::Input {
            cycle,
            neuron,
            step,
        }
    }

    fn spike(cycle: u64, layer: u64, neuron: u64, step: u64) -> HwEvent {
        HwEvent::Spike {
            cycle,
            layer,
            neuron,
            step,
        }
    }

    fn asm() -> Assembler {
        Assembler::new(&[3, 2, 2], 8, 4, Path::new("test.log"))
    }

    #[test]
    fn one_sample_assembles_with_cycles() {
        let mut a = asm();
        a.reset_released(4);
        a.push(input(4, 2, 0)).unwrap();
        a.push(input(5, 0, 3)).unwrap();
        a.push(HwEvent::Start { cycle: 7 }).unwrap();
        a.push(spike(20, 1, 1, 2)).unwrap();
        a.push(spike(30, 2, 0, 5)).unwrap();
        a.push(HwEvent::Out {
            cycle: 30,
            neuron: 0,
            step: 5,
        })
        .unwrap();
        a.push(HwEvent::Done {
            cycle: 40,
            class_valid: true,
            class_out: 0,
        })
        .unwrap();
        let v = a.finish().unwrap();
        assert_eq!(v.len(), 1);
        let o = &v[0];
        assert_eq!(
            o.spikes.layers,
            vec![
                vec![Some(3), None, Some(0)],
                vec![None, Some(2)],
                vec![Some(5), None]
            ]
        );
        assert_eq!(o.spike_cycles[1][1], Some(20));
        assert_eq!(o.spike_cycles[0][2], Some(4));
        assert_eq!((o.start_cycle, o.cycles, o.load_cycles), (7, 33, 3));
        assert_eq!(o.decision, Some(0));
    }

    #[test]
    fn contract_breaches_are_errors_naming_sample_and_cycle() {
        let mut a = asm();
        a.push(HwEvent::Start { cycle: 1 }).unwrap();
        a.push(spike(2, 1, 0, 1)).unwrap();
        let e = a.push(spike(3, 1, 0, 2)).unwrap_err().to_string();
        assert!(
            e.contains("sample 0, cycle 3") && e.contains("spiked twice"),
            "{e}"
        );

        let mut a = asm();
        a.push(HwEvent::Start { cycle: 1 }).unwrap();
        let e = a.push(spike(2, 3, 0, 1)).unwrap_err().to_string();
        assert!(e.contains("layer 3"), "{e}");

        let mut a = asm();
        a.push(HwEvent::Start { cycle: 1 }).unwrap();
        a.push(spike(2, 2, 1, 1)).unwrap();
        let e = a
            .push(HwEvent::Done {
                cycle: 3,
                class_valid: true,
                class_out: 1,
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains("out_* events"), "{e}");

        let mut a = asm();
        a.push(HwEvent::Start { cycle: 1 }).unwrap();
        let e = a.finish().unwrap_err().to_string();
        assert!(e.contains("ended before done"), "{e}");
    }

    #[test]
    fn event_log_parses_and_reports_timeouts() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("events.log");
        std::fs::write(
            &p,
            "R 2\nI 2 1 4\nS 3\nD 9 0 0\nS 10\nK 12 2 1 8\nO 12 1 8\nD 15 1 1\n",
        )
        .unwrap();
        let v = read_event_log(&p, &[3, 2, 2], 8, 4).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].spikes.layers[0], vec![None, Some(4), None]);
        assert_eq!(v[0].decision, None);
        assert_eq!(v[1].decision, Some(1));
        assert_eq!((v[1].cycles, v[1].load_cycles), (5, 0));
        std::fs::write(&p, "R 2\nS 3\nE 0 3 100\n").unwrap();
        match read_event_log(&p, &[3, 2, 2], 8, 4) {
            Err(SimError::Timeout {
                sample: 0,
                limit: 100,
                start_cycle: 3,
                ..
            }) => {}
            other => panic!("expected a timeout, got {other:?}"),
        }
        assert_eq!(find_timeout(&p).unwrap().map(|t| t.limit), Some(100));
    }
}
