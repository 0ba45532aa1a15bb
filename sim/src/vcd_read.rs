//! Streaming VCD read-back: the `ttfs_top` ports sampled at posedges of `clock` (the values just
//! before the edge, what the flip-flops see), turned into [`HwEvent`]s and assembled into one
//! [`golden::compare::ObservedInference`] per sample.
//!
//! Promises: the file is parsed as a stream (memory does not grow with its length); signals are found
//! by name in the shallowest scope that holds all of them (Verilator: `TOP`; Icarus: the test bench
//! module), never by VCD identifier code; x/z on a port after reset is an error naming the signal and
//! cycle. Posedge `c` is the `c`-th rising edge of `clock` in the file (0-based), which is also the
//! cycle number the test benches write in their event logs.

use crate::error::{Result, SimError};
use crate::events::{Assembler, HwEvent};
use golden::compare::ObservedInference;
use hdl::contract::{Role, PORTS};
use std::collections::HashMap;
use std::path::Path;
use vcd::{Command, IdCode, Scope, ScopeItem, Value};

/// The ports sim samples: every port of the contract, indexed by [`Role`] (`Role as usize`).
const N_PORTS: usize = PORTS.len();

/// Every scope of a VCD header, depth first (parents before children, in file order), each with its
/// depth (0 = a root scope) and dotted path from the root (`TOP.ttfs_top.u_layer1`). Also the scope
/// walk of `wave::header`.
pub fn scopes(items: &[ScopeItem]) -> Vec<(usize, String, &Scope)> {
    let mut out = Vec::new();
    all_scopes(items, "", 0, &mut out);
    out
}

fn all_scopes<'a>(
    items: &'a [ScopeItem],
    prefix: &str,
    depth: usize,
    out: &mut Vec<(usize, String, &'a Scope)>,
) {
    for item in items {
        if let ScopeItem::Scope(s) = item {
            let path = if prefix.is_empty() {
                s.identifier.clone()
            } else {
                format!("{prefix}.{}", s.identifier)
            };
            out.push((depth, path.clone(), s));
            all_scopes(&s.items, &path, depth + 1, out);
        }
    }
}

/// Value of a vector (MSB first); `None` if any bit is x or z. Shorter vectors are zero-extended
/// (as VCD allows); wider than 64 bits is an error by the caller's width check.
pub fn vector_value<I: IntoIterator<Item = Value>>(bits: I) -> Option<u64> {
    let mut v: u64 = 0;
    for b in bits {
        v = (v << 1)
            | match b {
                Value::V0 => 0,
                Value::V1 => 1,
                Value::X | Value::Z => return None,
            };
    }
    Some(v)
}

/// Reads a multi-sample VCD of `ttfs_top` into per-sample observations.
///
/// `sizes` = layer sizes (input first); `n_steps`, `n_in_steps` bound the steps seen.
pub fn read_vcd(
    path: &Path,
    sizes: &[usize],
    n_steps: u32,
    n_in_steps: u32,
) -> Result<Vec<ObservedInference>> {
    let file = std::fs::File::open(path).map_err(|e| SimError::io(path, e))?;
    read_vcd_from(
        std::io::BufReader::with_capacity(1 << 20, file),
        path,
        sizes,
        n_steps,
        n_in_steps,
    )
}

/// [`read_vcd`] of VCD text from any reader; `path` names it in errors (the fuzz target's entry).
pub fn read_vcd_from<R: std::io::BufRead>(
    reader: R,
    path: &Path,
    sizes: &[usize],
    n_steps: u32,
    n_in_steps: u32,
) -> Result<Vec<ObservedInference>> {
    crate::events::check_sizes(sizes)?;
    let mut parser = vcd::Parser::new(reader);
    let header = parser
        .parse_header()
        .map_err(|e| SimError::format(path, format!("VCD header: {e}")))?;
    let scopes = scopes(&header.items);
    // `err` is optional: waveforms recorded before the port existed lack it (read as 0).
    let optional = |r: Role| r == Role::Err;
    let has_all = |s: &Scope| {
        PORTS
            .iter()
            .all(|p| optional(p.role) || s.find_var(p.name).is_some())
    };
    let (_, scope_path, scope) = scopes
        .iter()
        .filter(|(_, _, s)| has_all(s))
        .min_by_key(|(d, _, _)| *d)
        .ok_or_else(|| {
            let names: Vec<&str> = scopes.iter().map(|(_, p, _)| p.as_str()).collect();
            let ports: Vec<&str> = PORTS.iter().map(|p| p.name).collect();
            SimError::format(
                path,
                format!("no scope holds all ttfs_top ports {ports:?}; scopes: {names:?}"),
            )
        })?;
    let mut by_code: HashMap<IdCode, Vec<usize>> = HashMap::new();
    for (i, p) in PORTS.iter().enumerate() {
        let name = p.name;
        if optional(p.role) && scope.find_var(name).is_none() {
            continue;
        }
        let var = scope.find_var(name).ok_or_else(|| {
            SimError::format(path, format!("signal {name} missing in scope {scope_path}"))
        })?;
        if var.size > 64 {
            return Err(SimError::format(
                path,
                format!(
                    "{scope_path}.{name} is {} bits wide (at most 64 supported)",
                    var.size
                ),
            ));
        }
        by_code.entry(var.code).or_default().push(i);
    }

    let mut asm = Assembler::new(sizes, n_steps, n_in_steps, path);
    let mut cur: [Option<u64>; N_PORTS] = [None; N_PORTS];
    if scope.find_var(Role::Err.name()).is_none() {
        cur[Role::Err as usize] = Some(0);
    }
    let mut before = cur;
    let mut st = Progress {
        posedge: 0,
        in_reset: true,
        finished: 0,
    };
    let mut seen_time = false;

    for cmd in parser.by_ref() {
        let cmd = cmd.map_err(|e| SimError::format(path, format!("VCD body: {e}")))?;
        match cmd {
            Command::Timestamp(_) => {
                if seen_time {
                    end_block(&before, &cur, &mut st, &mut asm, path)?;
                }
                seen_time = true;
                before = cur;
            }
            Command::ChangeScalar(code, v) => {
                if let Some(sigs) = by_code.get(&code) {
                    let val = vector_value([v]);
                    for &s in sigs {
                        cur[s] = val;
                    }
                }
            }
            Command::ChangeVector(code, v) => {
                if let Some(sigs) = by_code.get(&code) {
                    let val = vector_value(v.iter());
                    for &s in sigs {
                        cur[s] = val;
                    }
                }
            }
            _ => {}
        }
    }
    end_block(&before, &cur, &mut st, &mut asm, path)?;
    asm.finish()
}

/// Where the read-back is: the posedge count, whether reset is on, the samples done.
struct Progress {
    posedge: u64,
    in_reset: bool,
    finished: usize,
}

/// Closes the changes of one timestamp: if `clock` rose there, samples the values from before it.
fn end_block(
    before: &[Option<u64>; N_PORTS],
    after: &[Option<u64>; N_PORTS],
    st: &mut Progress,
    asm: &mut Assembler,
    path: &Path,
) -> Result<()> {
    let clk = Role::Clock as usize;
    if before[clk] == Some(0) && after[clk] == Some(1) {
        sample(before, st, asm, path)?;
        st.posedge += 1;
    }
    Ok(())
}

/// Turns the values sampled at posedge `st.posedge` into events.
fn sample(
    v: &[Option<u64>; N_PORTS],
    st: &mut Progress,
    asm: &mut Assembler,
    path: &Path,
) -> Result<()> {
    let cycle = st.posedge;
    if v[Role::Reset as usize] != Some(0) {
        st.in_reset = true;
        return Ok(());
    }
    if st.in_reset {
        st.in_reset = false;
        asm.reset_released(cycle);
    }
    let get = |s: Role| -> Result<u64> {
        v[s as usize].ok_or_else(|| {
            SimError::format(
                path,
                format!("{} is x/z at posedge {cycle} (after reset)", s.name()),
            )
        })
    };
    if get(Role::InValid)? == 1 && get(Role::InReady)? == 1 {
        asm.push(HwEvent::Input {
            cycle,
            neuron: get(Role::InNeuron)?,
            step: get(Role::InStep)?,
        })?;
    }
    if get(Role::Start)? == 1 {
        asm.push(HwEvent::Start { cycle })?;
    }
    if get(Role::SpkValid)? == 1 {
        asm.push(HwEvent::Spike {
            cycle,
            layer: get(Role::SpkLayer)?,
            neuron: get(Role::SpkNeuron)?,
            step: get(Role::SpkStep)?,
        })?;
    }
    if get(Role::OutValid)? == 1 {
        asm.push(HwEvent::Out {
            cycle,
            neuron: get(Role::OutNeuron)?,
            step: get(Role::OutStep)?,
        })?;
    }
    if get(Role::Done)? == 1 {
        if get(Role::Err)? == 1 {
            return Err(SimError::InputOrder {
                sample: st.finished,
                cycle,
                origin: path.to_path_buf(),
            });
        }
        st.finished += 1;
        asm.push(HwEvent::Done {
            cycle,
            class_valid: get(Role::ClassValid)? == 1,
            class_out: get(Role::ClassOut)?,
        })?;
    }
    // `busy` must be known after reset (checked, not used).
    get(Role::Busy)?;
    Ok(())
}
