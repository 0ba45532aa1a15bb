//! IDX data files (images and labels), plain or gzipped.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ttfs_fuzz::idx(data));
