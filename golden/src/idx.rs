//! IDX data sets. Filled in by the data-loader work.
