//! Training configs (TOML): parse and validate; a valid config also names its data candidates.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ttfs_fuzz::train_config(data));
