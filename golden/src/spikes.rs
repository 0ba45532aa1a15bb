//! Spike trains and per-inference statistics: the one representation every stage reads and writes
//! (golden's passes, the co-simulation's VCD reader, the plots).

use crate::network::FORMAT_VERSION;
use serde::{Deserialize, Serialize};

/// Spike times of one inference: `layers[0]` is the input layer, `layers[l]` layer `l`
/// (layer 1 = first hidden layer). `None` = the neuron did not fire. `T` is `f64` (time, exact
/// model) or `u32` (step, integer model and hardware).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpikeTrain<T> {
    pub format_version: u32,
    pub layers: Vec<Vec<Option<T>>>,
}

impl<T: Copy> SpikeTrain<T> {
    pub fn new(layers: Vec<Vec<Option<T>>>) -> Self {
        SpikeTrain {
            format_version: FORMAT_VERSION,
            layers,
        }
    }

    /// Number of spikes in each layer (input layer first).
    pub fn counts(&self) -> Vec<usize> {
        self.layers
            .iter()
            .map(|l| l.iter().filter(|s| s.is_some()).count())
            .collect()
    }

    /// Statistics of this inference.
    pub fn stats(&self) -> SpikeStats {
        SpikeStats::from_counts(self.counts(), self.layers.iter().map(|l| l.len()).collect())
    }

    /// `(layer, neuron, time)` for every spike, layer by layer, neuron by neuron.
    pub fn events(&self) -> impl Iterator<Item = (usize, usize, T)> + '_ {
        self.layers.iter().enumerate().flat_map(|(l, v)| {
            v.iter()
                .enumerate()
                .filter_map(move |(i, s)| s.map(|t| (l, i, t)))
        })
    }
}

/// Counts the hardware cares about, for one inference or summed over many.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SpikeStats {
    /// Layer sizes, input layer first.
    pub sizes: Vec<usize>,
    /// Spikes per layer (input layer first), summed over `samples`.
    pub spikes: Vec<u64>,
    /// Synaptic operations: `sum_l spikes_(l-1) * n_l`, summed over `samples`.
    pub sops: u64,
    /// Number of inferences summed here.
    pub samples: u64,
}

impl SpikeStats {
    pub fn from_counts(counts: Vec<usize>, sizes: Vec<usize>) -> Self {
        let sops = (1..sizes.len())
            .map(|l| counts[l - 1] as u64 * sizes[l] as u64)
            .sum();
        SpikeStats {
            spikes: counts.into_iter().map(|c| c as u64).collect(),
            sizes,
            sops,
            samples: 1,
        }
    }

    /// Adds another inference's (or batch's) statistics.
    pub fn merge(&mut self, other: &SpikeStats) {
        if self.samples == 0 {
            *self = other.clone();
            return;
        }
        for (a, b) in self.spikes.iter_mut().zip(&other.spikes) {
            *a += b;
        }
        self.sops += other.sops;
        self.samples += other.samples;
    }

    /// Fraction of layer `l`'s neurons that fire, averaged over samples.
    pub fn firing_rate(&self, l: usize) -> f64 {
        if self.samples == 0 {
            return 0.0;
        }
        self.spikes[l] as f64 / (self.samples as f64 * self.sizes[l] as f64)
    }

    /// Firing rate of each hidden layer (layers 1..L-1).
    pub fn hidden_rates(&self) -> Vec<f64> {
        (1..self.sizes.len().saturating_sub(1))
            .map(|l| self.firing_rate(l))
            .collect()
    }

    /// Mean firing rate over the hidden layers (the network figure of SPEC section 3); 0 without hidden layers.
    pub fn mean_hidden_rate(&self) -> f64 {
        let hidden = 1..self.sizes.len().saturating_sub(1);
        let n = hidden.len();
        if n == 0 {
            return 0.0;
        }
        hidden.map(|l| self.firing_rate(l)).sum::<f64>() / n as f64
    }

    /// Mean synaptic operations per inference.
    pub fn sops_per_sample(&self) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            self.sops as f64 / self.samples as f64
        }
    }
}
