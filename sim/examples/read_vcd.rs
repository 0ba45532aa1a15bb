//! Reads a `ttfs_top` waveform back and prints what sim sees, with the read-back time:
//!
//!     cargo run --release -p sim --example read_vcd -- DESIGN_DIR WAVE.vcd
//!
//! (the design folder's manifest gives the layer sizes and steps).

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [design, vcd] = &args[..] else {
        eprintln!("usage: read_vcd DESIGN_DIR WAVE.vcd");
        return ExitCode::FAILURE;
    };
    let run = || -> sim::Result<()> {
        let d = sim::Design::load(Path::new(design))?;
        let m = &d.manifest;
        let t0 = std::time::Instant::now();
        let v = sim::vcd_read::read_vcd(Path::new(vcd), &m.sizes, m.n_steps, m.n_in_steps)?;
        let secs = t0.elapsed().as_secs_f64();
        let bytes = std::fs::metadata(vcd).map(|m| m.len()).unwrap_or(0);
        println!(
            "{} samples in {secs:.2} s ({:.0} MB/s)",
            v.len(),
            bytes as f64 / 1e6 / secs
        );
        for (i, o) in v.iter().enumerate().take(5) {
            println!(
                "sample {i}: spikes per layer {:?}, decision {:?}, {} cycles from cycle {}",
                o.spikes.counts(),
                o.decision,
                o.cycles,
                o.start_cycle
            );
        }
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
