//! The hardware contract, as code: the top-level ports of every generated design (`ttfs_top`), their
//! directions, widths and roles, and the host protocol. Every engine implements it; `sim`'s test
//! benches and VCD reader and `wave`'s save files name ports only through [`PORTS`] / [`Role`]. The
//! prose version is `docs/hw-contract.md`.
//!
//! Protocol (cycle = one posedge of `clock`; every signal sampled at the posedge):
//! * **reset**: `reset = 1` for at least [`MIN_RESET_CYCLES`] cycles clears all state; outputs are
//!   defined (no x/z) from the first cycle after reset.
//! * **input events**: before `start`, the host sends one sample's input spikes as valid/ready
//!   transfers (`in_valid && in_ready` in a cycle = one event `(in_neuron, in_step)`), at most one per
//!   input neuron, in the order of [`input_events`] (ascending step, ties ascending neuron), with
//!   `in_step <= n_in_steps`. `in_ready` is low while `busy`.
//! * **start / busy / done**: `start` (one cycle, while `busy = 0`) runs the buffered events; `busy`
//!   is high from the cycle after `start` until `done`; `done` is high for one cycle when the sample is
//!   finished, with `class_valid` / `class_out` holding the decision (held until the next `done`).
//! * **spike monitor**: every spike of every layer appears exactly once as a cycle with
//!   `spk_valid = 1` (`spk_layer` 1-based, `spk_neuron`, `spk_step`); per layer in ascending step order.
//! * **output stream**: the output layer's spikes also appear on `out_valid` / `out_neuron` /
//!   `out_step`, in the same cycles as on the monitor.
//! * **decision**: the output neuron with the earliest spike step; ties: larger potential at that
//!   step, then lower index; `class_valid = 0` if no output neuron spikes.
//! * **err** (protocol status): 1 from the cycle after `start` until the next `start` when that
//!   sample's input events broke the order above (an event's step lower than the previous event's);
//!   the sample still runs, its spikes are then not golden's. Cleared by reset. Readers of waveforms
//!   recorded before this port existed treat a missing `err` as 0.
//! * **cycles** of a sample count from the posedge that samples `start` to the posedge where
//!   `done = 1` (the engines' cycle models use this span).

use crate::bits::{index_bits, unsigned_bits};
use serde::{Deserialize, Serialize};

/// Name of the top module.
pub const TOP_MODULE: &str = "ttfs_top";

/// Fewest cycles `reset` must be held high.
pub const MIN_RESET_CYCLES: u64 = 2;

/// Direction of a port, seen from the design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Input,
    Output,
}

/// Which part of the protocol a port belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Clock, reset, the input handshake, start/busy/done and the decision.
    Host,
    /// The spike monitor and the output-spike stream.
    Spikes,
}

/// What a port does; `Role as usize` is its index in [`PORTS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Clock,
    Reset,
    InValid,
    InReady,
    InNeuron,
    InStep,
    Start,
    Busy,
    Done,
    ClassValid,
    ClassOut,
    SpkValid,
    SpkLayer,
    SpkNeuron,
    SpkStep,
    OutValid,
    OutNeuron,
    OutStep,
    Err,
}

/// One top-level port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Port {
    pub role: Role,
    pub name: &'static str,
    pub direction: Direction,
    pub group: Group,
    /// Declared as a vector (`[w-1:0]`, even when `w = 1`); otherwise a single bit.
    pub vector: bool,
}

const fn port(
    role: Role,
    name: &'static str,
    direction: Direction,
    group: Group,
    vector: bool,
) -> Port {
    Port {
        role,
        name,
        direction,
        group,
        vector,
    }
}

use Direction::{Input, Output};
use Group::{Host, Spikes};

/// Every port of `ttfs_top`, in declaration order (`PORTS[r as usize].role == r`).
pub const PORTS: [Port; 19] = [
    port(Role::Clock, "clock", Input, Host, false),
    port(Role::Reset, "reset", Input, Host, false),
    port(Role::InValid, "in_valid", Input, Host, false),
    port(Role::InReady, "in_ready", Output, Host, false),
    port(Role::InNeuron, "in_neuron", Input, Host, true),
    port(Role::InStep, "in_step", Input, Host, true),
    port(Role::Start, "start", Input, Host, false),
    port(Role::Busy, "busy", Output, Host, false),
    port(Role::Done, "done", Output, Host, false),
    port(Role::ClassValid, "class_valid", Output, Host, false),
    port(Role::ClassOut, "class_out", Output, Host, true),
    port(Role::SpkValid, "spk_valid", Output, Spikes, false),
    port(Role::SpkLayer, "spk_layer", Output, Spikes, true),
    port(Role::SpkNeuron, "spk_neuron", Output, Spikes, true),
    port(Role::SpkStep, "spk_step", Output, Spikes, true),
    port(Role::OutValid, "out_valid", Output, Spikes, false),
    port(Role::OutNeuron, "out_neuron", Output, Spikes, true),
    port(Role::OutStep, "out_step", Output, Spikes, true),
    port(Role::Err, "err", Output, Host, false),
];

impl Role {
    /// The port with this role.
    pub fn port(self) -> &'static Port {
        &PORTS[self as usize]
    }
    /// The port's name.
    pub fn name(self) -> &'static str {
        self.port().name
    }
}

impl Port {
    /// Width in bits for a design with these port widths (1 for single-bit ports).
    pub fn width(&self, w: &PortWidths) -> u32 {
        match self.role {
            Role::InNeuron => w.in_neuron,
            Role::InStep => w.in_step,
            Role::ClassOut => w.class_out,
            Role::SpkLayer => w.spk_layer,
            Role::SpkNeuron => w.spk_neuron,
            Role::SpkStep => w.spk_step,
            Role::OutNeuron => w.out_neuron,
            Role::OutStep => w.out_step,
            _ => 1,
        }
    }
}

/// Port widths of `ttfs_top` (bits; each at least 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortWidths {
    pub in_neuron: u32,
    pub in_step: u32,
    pub class_out: u32,
    pub spk_layer: u32,
    pub spk_neuron: u32,
    pub spk_step: u32,
    pub out_neuron: u32,
    pub out_step: u32,
}

impl PortWidths {
    /// The widths for a network of `sizes` (input first, at least two) and `n_steps` steps: neuron
    /// indices as memory indices of their layer, steps `0..=n_steps`, layers `0..=L`. The same for
    /// every engine.
    pub fn for_network(sizes: &[usize], n_steps: u32) -> PortWidths {
        let step = unsigned_bits(n_steps as u64);
        let out = index_bits(sizes.last().copied().unwrap_or(1));
        PortWidths {
            in_neuron: index_bits(sizes.first().copied().unwrap_or(1)),
            in_step: step,
            class_out: out,
            spk_layer: unsigned_bits(sizes.len().saturating_sub(1) as u64),
            spk_neuron: sizes
                .iter()
                .skip(1)
                .map(|&n| index_bits(n))
                .max()
                .unwrap_or(1),
            spk_step: step,
            out_neuron: out,
            out_step: step,
        }
    }
}

/// One sample's input events `(neuron, step)` in the order the host sends them: ascending step, ties
/// ascending neuron, from golden's encoded input (`None` = no spike).
pub fn input_events(input: &[Option<u32>]) -> Vec<(u32, u32)> {
    let mut ev: Vec<(u32, u32)> = input
        .iter()
        .enumerate()
        .filter_map(|(j, k)| k.map(|k| (j as u32, k)))
        .collect();
    ev.sort_by_key(|&(j, k)| (k, j));
    ev
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_index_their_ports() {
        for (i, p) in PORTS.iter().enumerate() {
            assert_eq!(p.role as usize, i, "{}", p.name);
            assert_eq!(p.role.name(), p.name);
        }
    }

    #[test]
    fn events_are_sorted_by_step_then_neuron() {
        let ev = input_events(&[Some(3), None, Some(0), Some(3), Some(1)]);
        assert_eq!(ev, vec![(2, 0), (4, 1), (0, 3), (3, 3)]);
    }

    #[test]
    fn widths_follow_the_network() {
        let w = PortWidths::for_network(&[784, 400, 10], 128);
        assert_eq!((w.in_neuron, w.in_step, w.class_out), (10, 8, 4));
        assert_eq!((w.spk_layer, w.spk_neuron, w.out_neuron), (2, 9, 4));
        assert_eq!(Role::SpkNeuron.port().width(&w), 9);
        assert_eq!(Role::Clock.port().width(&w), 1);
    }
}
