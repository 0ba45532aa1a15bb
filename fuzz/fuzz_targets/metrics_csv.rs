//! CSV files read back: a run's metrics.csv (golden::table + trainer::run_dir).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ttfs_fuzz::metrics_csv(data));
