//! `QueueControl`: the control of each layer's spike queue and serializer as a fixed-width rust-hdl
//! `LogicBlock` (combinational; the occupancy register itself stays in the layer text, which owns the
//! synchronous reset).
//!
//! The queue holds at most two fired groups (issue stops while it is not empty, so at most one more
//! group, already in flight, can join). Each cycle the serializer emits the lowest pending spike of
//! the head entry if its current 16-lane chunk has one (`chunk_any`), and pops the entry with its
//! last spike (`rest_empty`: no spike left after this one). Promises: `empty` iff `count == 0`;
//! `emit = !empty && chunk_any`; `pop = emit && rest_empty`; `next_count = count + push - pop`
//! (never outside 0..=2 under the layer's protocol).

use rust_hdl::prelude::*;

/// Spike queue occupancy and serializer decisions (see the module docs).
#[derive(LogicBlock)]
pub struct QueueControl {
    pub count: Signal<In, Bits<2>>,
    pub push: Signal<In, Bit>,
    pub chunk_any: Signal<In, Bit>,
    pub rest_empty: Signal<In, Bit>,
    pub empty: Signal<Out, Bit>,
    pub emit: Signal<Out, Bit>,
    pub pop: Signal<Out, Bit>,
    pub next_count: Signal<Out, Bits<2>>,
    zero: Constant<Bits<2>>,
    one: Constant<Bits<2>>,
}

impl Default for QueueControl {
    fn default() -> Self {
        QueueControl {
            count: Default::default(),
            push: Default::default(),
            chunk_any: Default::default(),
            rest_empty: Default::default(),
            empty: Default::default(),
            emit: Default::default(),
            pop: Default::default(),
            next_count: Default::default(),
            zero: Constant::new(0.into()),
            one: Constant::new(1.into()),
        }
    }
}

impl Logic for QueueControl {
    #[hdl_gen]
    fn update(&mut self) {
        self.empty.next = self.count.val() == self.zero.val();
        self.emit.next = !self.empty.val() && self.chunk_any.val();
        self.pop.next = self.emit.val() && self.rest_empty.val();
        self.next_count.next = self.count.val();
        if self.push.val() && !self.pop.val() {
            self.next_count.next = self.count.val() + self.one.val();
        }
        if self.pop.val() && !self.push.val() {
            self.next_count.next = self.count.val() - self.one.val();
        }
    }
}

/// Module name of [`QueueControl`] in the generated Verilog.
pub const MODULE_NAME: &str = "ttfs_queue_control";

/// Verilog text of [`QueueControl`] as module [`MODULE_NAME`].
pub fn verilog() -> String {
    crate::lane::emit(QueueControl::default(), MODULE_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every input against the promised equations.
    #[test]
    fn every_input_follows_the_equations() {
        let mut sim = Simulation::new();
        sim.add_testbench(move |mut sim: Sim<QueueControl>| {
            let mut x = sim.init()?;
            for count in 0u64..4 {
                for bits in 0u32..8 {
                    let (push, chunk_any, rest_empty) =
                        (bits & 1 == 1, bits & 2 == 2, bits & 4 == 4);
                    x.count.next = count.into();
                    x.push.next = push;
                    x.chunk_any.next = chunk_any;
                    x.rest_empty.next = rest_empty;
                    x = sim.wait(1, x)?;
                    let empty = count == 0;
                    let emit = !empty && chunk_any;
                    let pop = emit && rest_empty;
                    let next = (count + push as u64 + 4 - pop as u64) % 4;
                    sim_assert_eq!(sim, x.empty.val(), empty, x);
                    sim_assert_eq!(sim, x.emit.val(), emit, x);
                    sim_assert_eq!(sim, x.pop.val(), pop, x);
                    sim_assert_eq!(sim, x.next_count.val(), next, x);
                }
            }
            sim.done(x)
        });
        let mut uut = QueueControl::default();
        uut.connect_all();
        sim.run(Box::new(uut), 1 << 20).unwrap();
    }

    #[test]
    fn emits_named_module_with_two_bit_constants() {
        let v = verilog();
        assert!(v.starts_with("module ttfs_queue_control("), "{v}");
        assert!(v.contains("localparam  one = 2'b1;"), "{v}");
        assert!(!v.contains("32'h"), "{v}");
    }
}
