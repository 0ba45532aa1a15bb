//! The bench's event log, read back after a simulation (sim::events).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ttfs_fuzz::event_log(data));
