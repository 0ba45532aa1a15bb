//! `FirstSet16`: index of the lowest set bit of a 16-bit chunk, a fixed-width rust-hdl `LogicBlock`
//! (simulated exhaustively by rust-hdl's simulator in this module's tests).
//!
//! The spike serializer of every layer scans its fire vector 16 bits at a time with this block, so the
//! priority encoder on the clock path is 16 inputs wide whatever the lane count. Promises: `any` is 1
//! iff some bit of `bits` is 1; then `index` is the lowest such bit; else `index` is 0.

use rust_hdl::prelude::*;

/// Lowest-set-bit finder over 16 bits (combinational): isolates the lowest set bit with
/// `bits & (!bits + 1)` and reads its position through four masks, one per index bit. The index comes
/// out as four single-bit ports so that no literal is resized (rust-hdl prints literals 32 bits wide,
/// which Verilator's WIDTH check would flag).
#[derive(LogicBlock)]
pub struct FirstSet16 {
    pub bits: Signal<In, Bits<16>>,
    pub index0: Signal<Out, Bit>,
    pub index1: Signal<Out, Bit>,
    pub index2: Signal<Out, Bit>,
    pub index3: Signal<Out, Bit>,
    pub any: Signal<Out, Bit>,
    lowest: Signal<Local, Bits<16>>,
    one: Constant<Bits<16>>,
    mask0: Constant<Bits<16>>,
    mask1: Constant<Bits<16>>,
    mask2: Constant<Bits<16>>,
    mask3: Constant<Bits<16>>,
}

impl Default for FirstSet16 {
    fn default() -> Self {
        FirstSet16 {
            bits: Default::default(),
            index0: Default::default(),
            index1: Default::default(),
            index2: Default::default(),
            index3: Default::default(),
            any: Default::default(),
            lowest: Default::default(),
            one: Constant::new(1.into()),
            mask0: Constant::new(0xAAAA.into()),
            mask1: Constant::new(0xCCCC.into()),
            mask2: Constant::new(0xF0F0.into()),
            mask3: Constant::new(0xFF00.into()),
        }
    }
}

impl Logic for FirstSet16 {
    #[hdl_gen]
    fn update(&mut self) {
        self.lowest.next = self.bits.val() & (!self.bits.val() + self.one.val());
        self.any.next = self.bits.val().any();
        self.index0.next = (self.lowest.val() & self.mask0.val()).any();
        self.index1.next = (self.lowest.val() & self.mask1.val()).any();
        self.index2.next = (self.lowest.val() & self.mask2.val()).any();
        self.index3.next = (self.lowest.val() & self.mask3.val()).any();
    }
}

/// Module name of [`FirstSet16`] in the generated Verilog.
pub const MODULE_NAME: &str = "ttfs_first_set16";

/// Verilog text of [`FirstSet16`] as module [`MODULE_NAME`] (rust-hdl names its top module `top`).
pub fn verilog() -> String {
    crate::lane::emit(FirstSet16::default(), MODULE_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exhaustive check of the block in rust-hdl's own simulator against `trailing_zeros`.
    #[test]
    fn lowest_set_bit_for_every_input() {
        let mut sim = Simulation::new();
        sim.add_testbench(move |mut sim: Sim<FirstSet16>| {
            let mut x = sim.init()?;
            for v in 0u64..(1 << 16) {
                x.bits.next = v.into();
                x = sim.wait(1, x)?;
                let index = x.index0.val() as u32
                    | (x.index1.val() as u32) << 1
                    | (x.index2.val() as u32) << 2
                    | (x.index3.val() as u32) << 3;
                let want = if v == 0 { 0 } else { v.trailing_zeros() };
                sim_assert_eq!(sim, x.any.val(), v != 0, x);
                sim_assert_eq!(sim, index, want, x);
            }
            sim.done(x)
        });
        let mut uut = FirstSet16::default();
        uut.connect_all();
        sim.run(Box::new(uut), 1 << 20).unwrap();
    }

    #[test]
    fn emits_named_module_without_wide_literals() {
        let v = verilog();
        assert!(v.contains("module ttfs_first_set16("), "{v}");
        // rust-hdl prints plain literals 32 bits wide; the block must not use any.
        assert!(!v.contains("32'h"), "{v}");
    }
}
