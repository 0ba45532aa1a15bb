//! Checkpoints (safetensors + JSON state) resumed under the committed tiny config, shrunk so a
//! valid checkpoint is small.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ttfs_fuzz::checkpoint(data));
