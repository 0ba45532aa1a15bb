//! How to build the hardware: the options every engine reads.

/// Lanes per layer when the configuration gives none.
pub const DEFAULT_LANES: usize = 16;

/// How to build the hardware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HdlConfig {
    /// Neurons updated in parallel: empty = [`DEFAULT_LANES`] for every layer; one value = that for
    /// every layer; otherwise one value per layer. A layer never gets more lanes than neurons
    /// (the count is capped at `n_out`).
    pub lanes: Vec<usize>,
}
