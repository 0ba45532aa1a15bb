//! Golden membrane traces against the definition (SPEC section 4) evaluated directly, and their
//! spike steps against golden's event-driven forward pass, on random networks and inputs.

use golden::integer::forward;
use golden::{QuantLayer, QuantNetwork, TimeParams};
use ndarray::Array2;

/// SplitMix64.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

#[test]
fn traces_follow_the_definition_and_spike_where_golden_does() {
    let mut rng = Rng(42);
    let mut fired = 0;
    let mut silent = 0;
    for case in 0..40 {
        let sizes = [
            rng.range(1, 12) as usize,
            rng.range(1, 9) as usize,
            rng.range(1, 5) as usize,
        ];
        let n_steps = rng.range(2, 20) as u32;
        let n_in = rng.range(1, n_steps as i64) as u32;
        let layers = (1..3)
            .map(|l| QuantLayer {
                weights: Array2::from_shape_simple_fn((sizes[l], sizes[l - 1]), || {
                    rng.range(-40, 63) as i32
                }),
                threshold_q: rng.range(1, 300),
                scale: 1.0,
                weight_bits: 8,
            })
            .collect();
        let net = QuantNetwork::new(n_steps, n_in, TimeParams::default(), layers).unwrap();
        let input: Vec<Option<u32>> = (0..sizes[0])
            .map(|_| (rng.range(0, 3) != 0).then(|| rng.range(0, n_in as i64) as u32))
            .collect();
        let g = forward(&net, &input);
        for (l, &size) in sizes.iter().enumerate().skip(1) {
            let q = &net.layers()[l - 1];
            for i in 0..size {
                let t = wave::trace::neuron_trace(&net, &g.spikes, l, i).unwrap();
                assert_eq!(
                    t.spike_step, g.spikes.layers[l][i],
                    "case {case} layer {l} neuron {i}"
                );
                assert_eq!(t.threshold_q, q.threshold_q);
                assert_eq!(t.potential.len(), n_steps as usize + 1);
                for n in 0..=n_steps {
                    // S[n] = sum_{k_j < n} W_ij; V[n] = sum_{k_j < n} W_ij (n - k_j) up to the spike.
                    let prev = &g.spikes.layers[l - 1];
                    let s: i64 = prev
                        .iter()
                        .enumerate()
                        .filter_map(|(j, k)| k.filter(|&k| k < n).map(|_| q.weights[[i, j]] as i64))
                        .sum();
                    let held = t.spike_step.map_or(n, |k| n.min(k));
                    let v: i64 = prev
                        .iter()
                        .enumerate()
                        .filter_map(|(j, k)| {
                            k.filter(|&k| k < held)
                                .map(|k| q.weights[[i, j]] as i64 * (held - k) as i64)
                        })
                        .sum();
                    assert_eq!(t.slope[n as usize], s, "case {case} S[{n}]");
                    assert_eq!(t.potential[n as usize], v, "case {case} V[{n}]");
                }
                if l == 2 {
                    if let Some(k) = t.spike_step {
                        // The output tie-break key is V at the spike step.
                        assert_eq!(g.output_potentials[i], Some(t.potential[k as usize]));
                        fired += 1;
                    } else {
                        silent += 1;
                    }
                }
            }
        }
    }
    assert!(fired > 10 && silent > 10, "fired {fired}, silent {silent}");
}
