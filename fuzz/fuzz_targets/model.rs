//! Model files (safetensors + metadata): either kind, and the metadata alone.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ttfs_fuzz::model(data));
