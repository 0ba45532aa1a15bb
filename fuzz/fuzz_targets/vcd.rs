//! Co-simulation VCDs of `ttfs_top` (sim::vcd_read), for the reference design's sizes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ttfs_fuzz::vcd(data));
