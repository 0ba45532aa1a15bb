//! Comparison of spike trains (golden vs hardware). Being built by the co-simulation work.
