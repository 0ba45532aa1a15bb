//! The neuron lane datapath as rust-hdl `LogicBlock`s with const-generic widths: [`SlopeUnit`]
//! (`slope += weight` on an absorb) and [`NeuronUnit`] (on the look-ahead potential `W = V + S` and
//! its stored compare: fire when armed, at most once, `W` frozen after firing, the next compare
//! computed on the write-back path). Each layer's generate loop instantiates one of each per
//! lane, at that layer's slope and potential widths.
//!
//! Widths are runtime values (derived from the weights) while rust-hdl fixes them at compile time, so
//! every width of the menu [`MIN_BITS`]`..=`[`MAX_BITS`] is monomorphized and the Verilog of the
//! widths a design uses is picked at run time ([`slope_unit_verilog`], [`neuron_unit_verilog`]). The
//! menu covers every width the plan allows (golden's weights have at least 2 bits, the plan caps the
//! potential at [`crate::engine::layer_seq::plan::MAX_POTENTIAL_BITS`]), so no width is rounded: the module width is the
//! register width. Two blocks rather than one because the slope and the potential have different
//! widths and a two-width block would need a menu of width pairs.
//!
//! Promises: all operands of one block have the block's width (sign extensions to it happen in the
//! layer text before the ports); the only compare is signed-vs-signed at equal widths (no literal);
//! sums wrap at the block width exactly like the `S`/`V` registers they feed (they cannot overflow: the
//! widths are golden's overflow-free ones); purely combinational, every output assigned on every path.

use rust_hdl::prelude::*;

/// Smallest width of the menu (golden's smallest weight width).
pub const MIN_BITS: u32 = 2;
/// Largest width of the menu (= [`crate::engine::layer_seq::plan::MAX_POTENTIAL_BITS`]).
pub const MAX_BITS: u32 = 62;

/// Slope update of one lane: `next_slope = absorb ? slope + weight : slope` (the weight sign-extended
/// to `S` bits by the caller). `slope_sum` (internal) is the sum itself, for the waveform.
#[derive(LogicBlock, Default)]
pub struct SlopeUnit<const S: usize> {
    pub absorb: Signal<In, Bit>,
    pub weight: Signal<In, Signed<S>>,
    pub slope: Signal<In, Signed<S>>,
    pub next_slope: Signal<Out, Signed<S>>,
    slope_sum: Signal<Local, Signed<S>>,
}

impl<const S: usize> Logic for SlopeUnit<S> {
    #[hdl_gen]
    fn update(&mut self) {
        self.slope_sum.next = self.slope.val() + self.weight.val();
        self.next_slope.next = self.slope.val();
        if self.absorb.val() {
            self.next_slope.next = self.slope_sum.val();
        }
    }
}

/// Potential update of one lane at width `P` (weight and slope sign-extended to `P` bits by the
/// caller), on the *look-ahead* state of the pipelined engine: the stored `potential` is `W =
/// V[n-1] + S` (the potential the next step would reach, kept up to date by every absorb) and `armed`
/// is the stored compare `W >= threshold`, computed when `W` was written. So firing needs no adder:
///
/// * on a step (`absorb = 0`) of a neuron that has not fired: `fire = armed` (that is, `V[n] =
///   W >= threshold`), `next_fired = fire`; if it does not fire, `next_potential = W + slope`
///   (`V[n] + S`), else `W` stays (frozen at `V[n]`, the output layer's tie rule reads it);
/// * on an absorb: `next_potential = W + weight` (with the slope unit's `S + weight`, `W = V + S`
///   holds again), no fire;
/// * a neuron that has fired keeps `W` and `fired` (no fire).
///
/// `next_armed = sum >= threshold` (signed, `P` bits each side; internal `crosses`) where `sum` is
/// the adder's output; it is only read while the neuron has not fired, and then `sum` is the value
/// written. The adder and the compare thus sit between the state read and the state write, not on the
/// path from the state read to the spike queue.
#[derive(LogicBlock, Default)]
pub struct NeuronUnit<const P: usize> {
    pub absorb: Signal<In, Bit>,
    pub weight: Signal<In, Signed<P>>,
    pub slope: Signal<In, Signed<P>>,
    pub potential: Signal<In, Signed<P>>,
    pub fired: Signal<In, Bit>,
    pub armed: Signal<In, Bit>,
    pub threshold: Signal<In, Signed<P>>,
    pub next_potential: Signal<Out, Signed<P>>,
    pub fire: Signal<Out, Bit>,
    pub next_fired: Signal<Out, Bit>,
    pub next_armed: Signal<Out, Bit>,
    addend: Signal<Local, Signed<P>>,
    sum: Signal<Local, Signed<P>>,
    crosses: Signal<Local, Bit>,
}

impl<const P: usize> Logic for NeuronUnit<P> {
    #[hdl_gen]
    fn update(&mut self) {
        self.addend.next = self.slope.val();
        if self.absorb.val() {
            self.addend.next = self.weight.val();
        }
        self.sum.next = self.potential.val() + self.addend.val();
        self.crosses.next = self.sum.val() >= self.threshold.val();
        self.next_armed.next = self.crosses.val();
        self.fire.next = false;
        self.next_fired.next = self.fired.val();
        self.next_potential.next = self.sum.val();
        if self.fired.val() {
            self.next_potential.next = self.potential.val();
        }
        if !self.absorb.val() && !self.fired.val() && self.armed.val() {
            self.fire.next = true;
            self.next_fired.next = true;
            self.next_potential.next = self.potential.val();
        }
    }
}

/// Module name of the slope unit at `bits`.
pub fn slope_unit_name(bits: u32) -> String {
    format!("ttfs_slope_s{bits}")
}

/// Module name of the neuron unit at `bits`.
pub fn neuron_unit_name(bits: u32) -> String {
    format!("ttfs_neuron_p{bits}")
}

/// rust-hdl's Verilog of `uut` as module `name`: rust-hdl names its top module `top`; the module
/// header and the closing comment are renamed, the surrounding blank lines trimmed.
pub(crate) fn emit<U: Block>(mut uut: U, name: &str) -> String {
    uut.connect_all();
    let text = generate_verilog(&uut)
        .replacen("module top(", &format!("module {name}("), 1)
        .replacen("endmodule // top", &format!("endmodule // {name}"), 1);
    format!("{}\n", text.trim())
}

/// Runs `$body` with `$n` bound to the const width equal to `$bits` (one arm per menu width).
macro_rules! dispatch {
    ($bits:expr, $n:ident => $body:expr) => {
        dispatch!(@arms $bits, $n, $body; 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23
            24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53
            54 55 56 57 58 59 60 61 62)
    };
    (@arms $bits:expr, $n:ident, $body:expr; $($w:literal)*) => {
        match $bits {
            $($w => { const $n: usize = $w; Some($body) })*
            _ => None,
        }
    };
}

/// Verilog of [`SlopeUnit`] at `bits` as module [`slope_unit_name`]; `None` outside the menu.
pub fn slope_unit_verilog(bits: u32) -> Option<String> {
    dispatch!(bits, W => emit(SlopeUnit::<W>::default(), &slope_unit_name(bits)))
}

/// Verilog of [`NeuronUnit`] at `bits` as module [`neuron_unit_name`]; `None` outside the menu.
pub fn neuron_unit_verilog(bits: u32) -> Option<String> {
    dispatch!(bits, W => emit(NeuronUnit::<W>::default(), &neuron_unit_name(bits)))
}

/// The output decision rule of SPEC section 4 as one comparison (combinational): a new output spike
/// (`step`, `potential`) replaces the best so far (`best_*`, valid if `best_valid`) iff there is none
/// yet, or it has the same step and a strictly larger potential (spikes arrive in ascending step
/// order, ascending neuron index within a step, so "first step, then larger V, then lower index"
/// reduces to this). Steps are zero-extended to 32 bits by the caller (`n_steps` is a `u32`);
/// potentials are `P` bits, compared signed-vs-signed.
#[derive(LogicBlock, Default)]
pub struct DecisionCompare<const P: usize> {
    pub best_valid: Signal<In, Bit>,
    pub step: Signal<In, Bits<32>>,
    pub best_step: Signal<In, Bits<32>>,
    pub potential: Signal<In, Signed<P>>,
    pub best_potential: Signal<In, Signed<P>>,
    pub better: Signal<Out, Bit>,
}

impl<const P: usize> Logic for DecisionCompare<P> {
    #[hdl_gen]
    fn update(&mut self) {
        self.better.next = !self.best_valid.val()
            || ((self.step.val() == self.best_step.val())
                && (self.potential.val() > self.best_potential.val()));
    }
}

/// Module name of the decision comparator at `bits`.
pub fn decision_name(bits: u32) -> String {
    format!("ttfs_decision_p{bits}")
}

/// Verilog of [`DecisionCompare`] at `bits` as module [`decision_name`]; `None` outside the menu.
pub fn decision_verilog(bits: u32) -> Option<String> {
    dispatch!(bits, W => emit(DecisionCompare::<W>::default(), &decision_name(bits)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `x` wrapped to `bits` signed bits (what a `bits`-wide register holds).
    fn wrap(x: i64, bits: u32) -> i64 {
        (x << (64 - bits)) >> (64 - bits)
    }

    fn s<const N: usize>(x: i64) -> Signed<N> {
        x.to_signed_bits()
    }

    /// Every input of a 4-bit slope unit in rust-hdl's simulator against wrapping i64 arithmetic.
    #[test]
    fn slope_unit_adds_the_weight_only_on_absorb() {
        let mut sim = Simulation::new();
        sim.add_testbench(move |mut sim: Sim<SlopeUnit<4>>| {
            let mut x = sim.init()?;
            for absorb in [false, true] {
                for slope in -8i64..8 {
                    for weight in -8i64..8 {
                        x.absorb.next = absorb;
                        x.slope.next = s(slope);
                        x.weight.next = s(weight);
                        x = sim.wait(1, x)?;
                        let want = if absorb {
                            wrap(slope + weight, 4)
                        } else {
                            slope
                        };
                        sim_assert_eq!(sim, x.next_slope.val(), s::<4>(want), x);
                    }
                }
            }
            sim.done(x)
        });
        let mut uut = SlopeUnit::<4>::default();
        uut.connect_all();
        sim.run(Box::new(uut), 1 << 20).unwrap();
    }

    /// Every input of a 5-bit neuron unit (thresholds on both sides of 0) against SPEC section 4 on
    /// the look-ahead state: fire on a step of a live neuron iff armed, at most once, `W` frozen after
    /// firing, `W += slope` on a step that does not fire, `W += weight` on an absorb, the compare of
    /// the sum is signed (a negative sum never arms a positive threshold).
    #[test]
    fn neuron_unit_fires_once_when_armed_and_rearms_on_a_signed_crossing() {
        let mut sim = Simulation::new();
        sim.add_testbench(move |mut sim: Sim<NeuronUnit<5>>| {
            let mut x = sim.init()?;
            for threshold in [-16i64, -1, 1, 7, 15] {
                for absorb in [false, true] {
                    for fired in [false, true] {
                        for armed in [false, true] {
                            for potential in -16i64..16 {
                                for addend in -16i64..16 {
                                    x.absorb.next = absorb;
                                    x.fired.next = fired;
                                    x.armed.next = armed;
                                    x.potential.next = s(potential);
                                    // the unused addend port carries a different value
                                    x.slope.next = s(if absorb { -addend - 1 } else { addend });
                                    x.weight.next = s(if absorb { addend } else { -addend - 1 });
                                    x.threshold.next = s(threshold);
                                    x = sim.wait(1, x)?;
                                    let fire = !absorb && !fired && armed;
                                    let sum = wrap(potential + addend, 5);
                                    let pot = if fired || fire { potential } else { sum };
                                    sim_assert_eq!(sim, x.next_potential.val(), s::<5>(pot), x);
                                    sim_assert_eq!(sim, x.fire.val(), fire, x);
                                    sim_assert_eq!(sim, x.next_fired.val(), fired || fire, x);
                                    sim_assert_eq!(sim, x.next_armed.val(), sum >= threshold, x);
                                }
                            }
                        }
                    }
                }
            }
            sim.done(x)
        });
        let mut uut = NeuronUnit::<5>::default();
        uut.connect_all();
        sim.run(Box::new(uut), 1 << 30).unwrap();
    }

    /// The decision rule on 4-bit potentials: only a strictly larger potential at the same step wins.
    #[test]
    fn decision_prefers_first_step_then_larger_potential() {
        let mut sim = Simulation::new();
        sim.add_testbench(move |mut sim: Sim<DecisionCompare<4>>| {
            let mut x = sim.init()?;
            for best_valid in [false, true] {
                for (step, best_step) in [(3u64, 3u64), (4, 3), (1 << 31, 1 << 31), (1 << 31, 0)] {
                    for potential in -8i64..8 {
                        for best in -8i64..8 {
                            x.best_valid.next = best_valid;
                            x.step.next = step.into();
                            x.best_step.next = best_step.into();
                            x.potential.next = s(potential);
                            x.best_potential.next = s(best);
                            x = sim.wait(1, x)?;
                            let want = !best_valid || (step == best_step && potential > best);
                            sim_assert_eq!(sim, x.better.val(), want, x);
                        }
                    }
                }
            }
            sim.done(x)
        });
        let mut uut = DecisionCompare::<4>::default();
        uut.connect_all();
        sim.run(Box::new(uut), 1 << 20).unwrap();
    }

    /// Every width of the menu emits a module of that name with signed ports of that width, a signed
    /// compare between two ports (no literal), and no 32-bit literal; outside the menu: `None`.
    #[test]
    fn every_menu_width_emits_signed_ports_without_literals() {
        for bits in MIN_BITS..=MAX_BITS {
            let hi = bits - 1;
            let slope = slope_unit_verilog(bits).unwrap();
            assert!(slope.contains(&format!("input wire signed [{hi}:0] weight;")));
            let neuron = neuron_unit_verilog(bits).unwrap();
            assert!(neuron.contains(&format!("input wire signed [{hi}:0] threshold;")));
            assert!(neuron.contains(&format!("reg signed [{hi}:0] sum;")));
            assert!(neuron.contains("crosses = sum >= threshold;"), "{neuron}");
            let decision = decision_verilog(bits).unwrap();
            assert!(decision.contains(&format!("input wire signed [{hi}:0] best_potential;")));
            assert!(
                decision.contains("(potential > best_potential)"),
                "{decision}"
            );
            for (text, name) in [
                (&slope, slope_unit_name(bits)),
                (&neuron, neuron_unit_name(bits)),
                (&decision, decision_name(bits)),
            ] {
                assert!(!text.contains("32'h"), "{text}");
                assert!(text.starts_with(&format!("module {name}(")), "{text}");
                assert!(text.ends_with(&format!("endmodule // {name}\n")), "{text}");
            }
        }
        for bits in [0, 1, MAX_BITS + 1, 64] {
            assert!(slope_unit_verilog(bits).is_none());
            assert!(neuron_unit_verilog(bits).is_none());
            assert!(decision_verilog(bits).is_none());
        }
    }
}
