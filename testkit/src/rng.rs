//! The two seeded generators of the tests.
//!
//! [`Rng`] is SplitMix64, hand-rolled (eight lines) because the co-simulation tests' networks were
//! drawn with it and must stay the same networks; [`chacha`] is rand's ChaCha8, which golden's
//! property tests draw from.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// SplitMix64: a small seeded generator (the co-simulation and sim tests' networks and inputs).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi` (modulo bias is irrelevant for tests).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }
}

/// rand's ChaCha8 seeded with `seed` (golden's random networks and steps).
pub fn chacha(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}
