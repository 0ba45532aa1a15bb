//! Register widths shared by the contract and every engine.

/// Smallest unsigned width holding `0..=max` (at least 1).
pub fn unsigned_bits(max: u64) -> u32 {
    (64 - max.leading_zeros()).max(1)
}

/// Address width of a memory with `depth` words (at least 1): Verilator's expected index width.
pub fn index_bits(depth: usize) -> u32 {
    unsigned_bits(depth.saturating_sub(1) as u64)
}
