//! Comparison of spike trains: golden (integer model) against what a simulator of the hardware observed.
//!
//! Owns [`ObservedInference`] (the plain data a hardware simulation yields for one sample: spike steps,
//! the cycle at which each spike was seen, the decision and the cycle count) and [`compare`], which
//! names every difference: sample, layer, neuron, expected step, actual step, and the first cycle at
//! which the hardware's behaviour became inconsistent with golden. Pure code: no files, no processes.
//!
//! ```
//! use golden::compare::{compare, ObservedInference};
//! use golden::{integer, QuantNetwork, QuantLayer, TimeParams, SpikeTrain};
//! let layer = QuantLayer { weights: ndarray::array![[3, 2]], threshold_q: 4, scale: 1.0, weight_bits: 4 };
//! let net = QuantNetwork::new(8, 2, TimeParams::default(), vec![layer]).unwrap();
//! // Input 0 at step 0, input 1 silent: S = 3 from step 1, V = 3, 6 -> fires at step 2.
//! let golden = integer::forward(&net, &[Some(0), None]);
//! let mut seen = ObservedInference::from_golden(&golden, 0);
//! seen.spikes.layers[1][0] = Some(3);
//! let report = compare(&[golden], &[seen]);
//! assert_eq!(report.spike_mismatches[0].expected_step, Some(2));
//! assert_eq!(report.spike_mismatches[0].actual_step, Some(3));
//! ```

use crate::integer::IntInference;
use crate::spikes::SpikeTrain;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a hardware simulation observed for one sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservedInference {
    /// Layer 0: the input events the host sent; layers 1..L: the spike monitor (`None` = silent).
    pub spikes: SpikeTrain<u32>,
    /// Same shape as `spikes.layers`: the clock cycle (posedge index from the start of the simulation)
    /// at which each spike (or input transfer) was seen.
    pub spike_cycles: Vec<Vec<Option<u64>>>,
    /// `class_out` at `done` if `class_valid`, else `None`.
    pub decision: Option<usize>,
    /// Cycle of the posedge at which `start` was sampled high.
    pub start_cycle: u64,
    /// Cycles per inference: done posedge - start posedge.
    pub cycles: u64,
    /// Cycles spent sending this sample's input events (from the first cycle after the previous
    /// sample's done, or after reset, to the start cycle).
    pub load_cycles: u64,
}

impl ObservedInference {
    /// An observation that agrees with `golden` exactly, with made-up cycles (spike `k` of the train
    /// seen at `start_cycle + 1 + k`): for tests of the comparison itself.
    pub fn from_golden(golden: &IntInference, start_cycle: u64) -> Self {
        let mut next = start_cycle;
        let spike_cycles = golden
            .spikes
            .layers
            .iter()
            .map(|l| {
                l.iter()
                    .map(|s| {
                        s.map(|_| {
                            next += 1;
                            next
                        })
                    })
                    .collect()
            })
            .collect();
        ObservedInference {
            spikes: golden.spikes.clone(),
            spike_cycles,
            decision: golden.decision,
            start_cycle,
            cycles: next - start_cycle + 1,
            load_cycles: 0,
        }
    }

    /// Cycle of the posedge at which `done` was sampled high.
    pub fn done_cycle(&self) -> u64 {
        self.start_cycle + self.cycles
    }
}

/// One neuron whose spike step differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpikeMismatch {
    pub sample: usize,
    /// 0 = input layer (what the host sent), 1 = first hidden layer.
    pub layer: usize,
    pub neuron: usize,
    pub expected_step: Option<u32>,
    pub actual_step: Option<u32>,
    /// Cycle at which the hardware showed this difference: the cycle of a spike that should not be
    /// there (or came too early); for a missing or late spike, the first cycle at which the hardware
    /// reported a later step in the same layer (or done).
    pub diverging_cycle: u64,
}

/// A sample whose decision differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionMismatch {
    pub sample: usize,
    pub expected: Option<usize>,
    pub actual: Option<usize>,
    /// Cycle of `done` for that sample.
    pub done_cycle: u64,
}

/// A sample whose layer sizes differ (the hardware's train cannot be compared neuron by neuron).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShapeMismatch {
    pub sample: usize,
    pub expected_sizes: Vec<usize>,
    pub actual_sizes: Vec<usize>,
}

/// Everything that differs between golden and the hardware.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Samples compared (the shorter of the two lists).
    pub samples: usize,
    /// `Some((expected, actual))` if the two lists have different lengths.
    pub sample_count_mismatch: Option<(usize, usize)>,
    pub shape_mismatches: Vec<ShapeMismatch>,
    /// Sorted by sample, then diverging cycle, then layer and neuron.
    pub spike_mismatches: Vec<SpikeMismatch>,
    pub decision_mismatches: Vec<DecisionMismatch>,
}

impl Report {
    /// True iff nothing differs.
    pub fn is_clean(&self) -> bool {
        self.sample_count_mismatch.is_none()
            && self.shape_mismatches.is_empty()
            && self.spike_mismatches.is_empty()
            && self.decision_mismatches.is_empty()
    }

    /// Number of samples with at least one difference of any kind.
    pub fn samples_with_mismatch(&self) -> usize {
        let mut s: Vec<usize> = self
            .spike_mismatches
            .iter()
            .map(|m| m.sample)
            .chain(self.decision_mismatches.iter().map(|m| m.sample))
            .chain(self.shape_mismatches.iter().map(|m| m.sample))
            .collect();
        s.sort_unstable();
        s.dedup();
        s.len()
    }

    /// Per sample with spike mismatches: the earliest diverging cycle.
    pub fn first_divergence(&self) -> Vec<(usize, u64)> {
        let mut out: Vec<(usize, u64)> = Vec::new();
        for m in &self.spike_mismatches {
            match out.last_mut() {
                Some((s, c)) if *s == m.sample => *c = (*c).min(m.diverging_cycle),
                _ => out.push((m.sample, m.diverging_cycle)),
            }
        }
        out
    }

    /// A human-readable summary listing at most `max_lines` differences.
    pub fn describe(&self, max_lines: usize) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "compared {} samples: {} with differences ({} spike, {} decision, {} shape)",
            self.samples,
            self.samples_with_mismatch(),
            self.spike_mismatches.len(),
            self.decision_mismatches.len(),
            self.shape_mismatches.len()
        );
        if let Some((e, a)) = self.sample_count_mismatch {
            let _ = writeln!(s, "  sample count: expected {e}, hardware produced {a}");
        }
        let mut lines = 0;
        for m in &self.shape_mismatches {
            if lines >= max_lines {
                break;
            }
            let _ = writeln!(
                s,
                "  sample {}: layer sizes expected {:?}, got {:?}",
                m.sample, m.expected_sizes, m.actual_sizes
            );
            lines += 1;
        }
        for m in &self.spike_mismatches {
            if lines >= max_lines {
                break;
            }
            let _ = writeln!(s, "  {m}");
            lines += 1;
        }
        for m in &self.decision_mismatches {
            if lines >= max_lines {
                break;
            }
            let _ = writeln!(s, "  {m}");
            lines += 1;
        }
        let total = self.shape_mismatches.len()
            + self.spike_mismatches.len()
            + self.decision_mismatches.len();
        if total > lines {
            let _ = writeln!(s, "  ... and {} more", total - lines);
        }
        s
    }
}

fn step_text(s: Option<u32>) -> String {
    s.map_or_else(|| "silent".to_string(), |k| format!("step {k}"))
}

impl fmt::Display for SpikeMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sample {} layer {} neuron {}: expected {}, hardware {} (first diverging cycle {})",
            self.sample,
            self.layer,
            self.neuron,
            step_text(self.expected_step),
            step_text(self.actual_step),
            self.diverging_cycle
        )
    }
}

impl fmt::Display for DecisionMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = |d: Option<usize>| d.map_or_else(|| "none".to_string(), |k| format!("class {k}"));
        write!(
            f,
            "sample {}: decision expected {}, hardware {} (done at cycle {})",
            self.sample,
            c(self.expected),
            c(self.actual),
            self.done_cycle
        )
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(20))
    }
}

/// Compares golden inferences with hardware observations, sample by sample (index `k` with index `k`).
pub fn compare(expected: &[IntInference], actual: &[ObservedInference]) -> Report {
    let mut report = Report {
        samples: expected.len().min(actual.len()),
        ..Report::default()
    };
    if expected.len() != actual.len() {
        report.sample_count_mismatch = Some((expected.len(), actual.len()));
    }
    for (sample, (e, a)) in expected.iter().zip(actual).enumerate() {
        let e_sizes: Vec<usize> = e.spikes.layers.iter().map(|l| l.len()).collect();
        let a_sizes: Vec<usize> = a.spikes.layers.iter().map(|l| l.len()).collect();
        let c_sizes: Vec<usize> = a.spike_cycles.iter().map(|l| l.len()).collect();
        if e_sizes != a_sizes || a_sizes != c_sizes {
            report.shape_mismatches.push(ShapeMismatch {
                sample,
                expected_sizes: e_sizes,
                actual_sizes: a_sizes,
            });
            continue;
        }
        let mut found = Vec::new();
        for (layer, (el, al)) in e.spikes.layers.iter().zip(&a.spikes.layers).enumerate() {
            for (neuron, (&es, &as_)) in el.iter().zip(al).enumerate() {
                if es == as_ {
                    continue;
                }
                found.push(SpikeMismatch {
                    sample,
                    layer,
                    neuron,
                    expected_step: es,
                    actual_step: as_,
                    diverging_cycle: diverging_cycle(a, layer, neuron, es),
                });
            }
        }
        found.sort_by_key(|m| (m.diverging_cycle, m.layer, m.neuron));
        report.spike_mismatches.extend(found);
        if e.decision != a.decision {
            report.decision_mismatches.push(DecisionMismatch {
                sample,
                expected: e.decision,
                actual: a.decision,
                done_cycle: a.done_cycle(),
            });
        }
    }
    report
}

/// See [`SpikeMismatch::diverging_cycle`].
fn diverging_cycle(
    a: &ObservedInference,
    layer: usize,
    neuron: usize,
    expected: Option<u32>,
) -> u64 {
    let actual = a.spikes.layers[layer][neuron];
    let own_cycle = a.spike_cycles[layer][neuron];
    let early = match (expected, actual) {
        (None, Some(_)) => true,
        (Some(e), Some(k)) => k < e,
        _ => false,
    };
    if early {
        if let Some(c) = own_cycle {
            return c;
        }
    }
    // Missing or late: the hardware passed the expected step once it reported a later step in
    // this layer (this neuron's own late spike included), and at the latest at done.
    let e = expected.unwrap_or(0);
    a.spikes.layers[layer]
        .iter()
        .zip(&a.spike_cycles[layer])
        .filter_map(|(s, c)| match (s, c) {
            (Some(k), Some(c)) if *k > e => Some(*c),
            _ => None,
        })
        .min()
        .unwrap_or_else(|| a.done_cycle())
        .min(a.done_cycle())
}

/// Convenience for callers holding only spike trains: true iff every neuron's step agrees.
pub fn same_spikes(expected: &SpikeTrain<u32>, actual: &SpikeTrain<u32>) -> bool {
    expected.layers == actual.layers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integer;
    use crate::network::{QuantLayer, QuantNetwork, TimeParams};
    use ndarray::array;

    /// 2 inputs -> 2 hidden -> 2 outputs, threshold 4 everywhere.
    fn tiny() -> QuantNetwork {
        let l1 = QuantLayer {
            weights: array![[3, 2], [1, 1]],
            threshold_q: 4,
            scale: 1.0,
            weight_bits: 4,
        };
        let l2 = QuantLayer {
            weights: array![[4, 0], [2, 2]],
            threshold_q: 4,
            scale: 1.0,
            weight_bits: 4,
        };
        QuantNetwork::new(10, 3, TimeParams::default(), vec![l1, l2]).unwrap()
    }

    fn golden() -> IntInference {
        // inputs at steps 0 and 1.
        // hidden 0: S = 3 (n=1), 5 (n>=2): V = 3, 8 -> fires at 2.
        // hidden 1: S = 1, 2: V = 1, 3, 5 -> fires at 3.
        // out 0: hidden 0 at 2 counts from 3: V[3] = 4 -> fires at 3.
        // out 1: S = 2 from 3, 4 from 4: V = 2, 6 -> fires at 4.
        let g = integer::forward(&tiny(), &[Some(0), Some(1)]);
        assert_eq!(
            g.spikes.layers,
            vec![
                vec![Some(0), Some(1)],
                vec![Some(2), Some(3)],
                vec![Some(3), Some(4)]
            ]
        );
        assert_eq!(g.decision, Some(0));
        g
    }

    #[test]
    fn identical_is_clean() {
        let g = golden();
        let o = ObservedInference::from_golden(&g, 100);
        let r = compare(&[g.clone(), g.clone()], &[o.clone(), o]);
        assert!(r.is_clean(), "{r}");
        assert_eq!(r.samples, 2);
    }

    #[test]
    fn late_spike_names_sample_layer_neuron_and_cycle() {
        let g = golden();
        let mut o = ObservedInference::from_golden(&g, 100);
        // cycles assigned by from_golden: inputs 101, 102; hidden 103, 104; outputs 105, 106.
        o.spikes.layers[2][0] = Some(5);
        let r = compare(
            &[g.clone(), g],
            &[ObservedInference::from_golden(&golden(), 0), o],
        );
        assert_eq!(r.spike_mismatches.len(), 1);
        let m = &r.spike_mismatches[0];
        assert_eq!((m.sample, m.layer, m.neuron), (1, 2, 0));
        assert_eq!((m.expected_step, m.actual_step), (Some(3), Some(5)));
        // Late: first layer-2 spike with a step > 3 is output 1 at step 4, seen at cycle 106;
        // the neuron's own late spike (cycle 105) is earlier.
        assert_eq!(m.diverging_cycle, 105);
        assert_eq!(r.samples_with_mismatch(), 1);
        assert!(r.to_string().contains("sample 1 layer 2 neuron 0"));
    }

    #[test]
    fn spurious_spike_diverges_at_its_own_cycle_and_missing_at_the_next_later_step() {
        let g = golden();
        let mut o = ObservedInference::from_golden(&g, 0);
        o.spikes.layers[1][1] = None; // missing (expected step 3)
        o.spike_cycles[1][1] = None;
        o.spikes.layers[2][1] = Some(1); // early (expected 4), seen at cycle 6
        let r = compare(&[g], &[o]);
        assert_eq!(r.spike_mismatches.len(), 2);
        // hidden 1 missing: no later hidden step reported -> done cycle = 0 + cycles.
        let missing = r.spike_mismatches.iter().find(|m| m.layer == 1).unwrap();
        assert_eq!(missing.actual_step, None);
        assert_eq!(missing.diverging_cycle, 7);
        let early = r.spike_mismatches.iter().find(|m| m.layer == 2).unwrap();
        assert_eq!(early.diverging_cycle, 6);
        assert_eq!(r.first_divergence(), vec![(0, 6)]);
    }

    #[test]
    fn decision_and_shape_and_count_mismatches() {
        let g = golden();
        let mut o = ObservedInference::from_golden(&g, 0);
        o.decision = None;
        let mut bad = ObservedInference::from_golden(&g, 0);
        bad.spikes.layers.pop();
        bad.spike_cycles.pop();
        let r = compare(&[g.clone(), g.clone(), g], &[o, bad]);
        assert_eq!(r.sample_count_mismatch, Some((3, 2)));
        assert_eq!(r.decision_mismatches.len(), 1);
        assert_eq!(r.decision_mismatches[0].expected, Some(0));
        assert_eq!(r.decision_mismatches[0].actual, None);
        assert_eq!(r.shape_mismatches.len(), 1);
        assert_eq!(r.shape_mismatches[0].sample, 1);
        assert!(!r.is_clean());
    }
}
