//! Membrane potential and slope of single neurons per time step, from golden's integer model
//! (SPEC section 4) and in the same form as the hardware shows them (see [`crate::hwtrace`]).
//!
//! Promise: for neuron `i` of layer `l`, given the spike steps `k_j` of layer `l - 1`,
//! `S[n] = sum_{j : k_j < n} W_ij` for every `n` in `0..=n_steps` (the slope keeps absorbing after a
//! spike, as the hardware's does), `V[0] = 0`, `V[n] = V[n-1] + S[n]` until the first `n >= 1` with
//! `V[n] >= threshold_q` (the spike step), and `V` frozen at that value afterwards (the hardware keeps a
//! fired neuron's potential for the output tie rule). The spike step equals
//! [`golden::integer::forward`]'s for the same input (tested).

use crate::error::{Result, WaveError};
use golden::{QuantNetwork, SpikeTrain};

/// One neuron's state over the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeuronTrace {
    /// 1 = first hidden layer.
    pub layer: usize,
    pub neuron: usize,
    /// `V[n]` for `n = 0..=n_steps`.
    pub potential: Vec<i64>,
    /// `S[n]` for `n = 0..=n_steps`.
    pub slope: Vec<i64>,
    /// First step with `V[n] >= threshold_q`, if any.
    pub spike_step: Option<u32>,
    pub threshold_q: i64,
}

/// The trace of neuron `neuron` of layer `layer` (1-based) given every layer's spike steps
/// (`spikes.layers[layer - 1]` is its input; golden's `IntInference::spikes` fits).
pub fn neuron_trace(
    net: &QuantNetwork,
    spikes: &SpikeTrain<u32>,
    layer: usize,
    neuron: usize,
) -> Result<NeuronTrace> {
    let n_layers = net.layers().len();
    if layer == 0 || layer > n_layers {
        return Err(WaveError::Invalid(format!(
            "layer {layer} does not exist: the network has layers 1..={n_layers} (0 is the input)"
        )));
    }
    let q = &net.layers()[layer - 1];
    let (n_out, n_in) = q.weights.dim();
    if neuron >= n_out {
        return Err(WaveError::Invalid(format!(
            "layer {layer} has {n_out} neurons (0..={}), not neuron {neuron}",
            n_out - 1
        )));
    }
    let input = spikes
        .layers
        .get(layer - 1)
        .ok_or_else(|| WaveError::Invalid(format!("the spike train has no layer {}", layer - 1)))?;
    if input.len() != n_in {
        return Err(WaveError::Invalid(format!(
            "layer {} of the spike train has {} neurons, the network's layer {layer} expects {n_in} inputs",
            layer - 1,
            input.len()
        )));
    }
    let n_steps = net.n_steps as usize;
    // Weight added to the slope at step n: the inputs that spiked at step n - 1.
    let mut added = vec![0i64; n_steps + 1];
    for (j, k) in input.iter().enumerate() {
        if let Some(k) = *k {
            let from = k as usize + 1;
            if from <= n_steps {
                added[from] += q.weights[[neuron, j]] as i64;
            }
        }
    }
    let mut potential = vec![0i64; n_steps + 1];
    let mut slope = vec![0i64; n_steps + 1];
    let mut spike_step = None;
    for n in 1..=n_steps {
        slope[n] = slope[n - 1] + added[n];
        potential[n] = if spike_step.is_some() {
            potential[n - 1]
        } else {
            potential[n - 1] + slope[n]
        };
        if spike_step.is_none() && potential[n] >= q.threshold_q {
            spike_step = Some(n as u32);
        }
    }
    Ok(NeuronTrace {
        layer,
        neuron,
        potential,
        slope,
        spike_step,
        threshold_q: q.threshold_q,
    })
}
