//! Sweep files (TOML): parse and validate.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ttfs_fuzz::sweep_config(data));
