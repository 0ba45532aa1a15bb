//! Random encoded inputs (one `Option<u32>` step per input neuron, `None` = no spike).

use crate::rng::Rng;
use rand::Rng as _;
use rand_chacha::ChaCha8Rng;

/// `count` samples of `n0` inputs: no spike with probability 1/4, else a step in `0..=n_in_steps`.
pub fn random_inputs(
    rng: &mut Rng,
    n0: usize,
    n_in_steps: u32,
    count: usize,
) -> Vec<Vec<Option<u32>>> {
    (0..count)
        .map(|_| {
            (0..n0)
                .map(|_| (rng.range(0, 3) != 0).then(|| rng.range(0, n_in_steps as i64) as u32))
                .collect()
        })
        .collect()
}

/// [`random_inputs`] followed by the edge cases: no events at all; every input at step 0 (all
/// tied); every input at the last input step.
pub fn with_edge_cases(
    rng: &mut Rng,
    n0: usize,
    n_in_steps: u32,
    count: usize,
) -> Vec<Vec<Option<u32>>> {
    let mut v = random_inputs(rng, n0, n_in_steps, count);
    v.push(vec![None; n0]);
    v.push(vec![Some(0); n0]);
    v.push(vec![Some(n_in_steps); n0]);
    v
}

/// golden's random input steps: about `silent` of them silent, the rest drawn from a few levels
/// (ties are the normal case), all `< n_steps + 2` (some beyond the window on purpose).
pub fn random_steps(rng: &mut ChaCha8Rng, n: usize, n_steps: u32, silent: f64) -> Vec<Option<u32>> {
    let levels: Vec<u32> = (0..4).map(|_| rng.gen_range(0..=n_steps + 1)).collect();
    (0..n)
        .map(|_| {
            if rng.gen_bool(silent) {
                None
            } else if rng.gen_bool(0.5) {
                Some(levels[rng.gen_range(0..levels.len())])
            } else {
                Some(rng.gen_range(0..=n_steps + 1))
            }
        })
        .collect()
}
