//! Design manifests (manifest.json): parse and validate, then everything sim and wave compute from
//! a loaded manifest (cycle bounds for a silent and a busy sample).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ttfs_fuzz::manifest(data));
