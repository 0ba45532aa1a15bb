//! `wave`: looking at spikes and waveforms, from the golden model and from co-simulation VCDs, so the
//! two can be laid side by side.
//!
//! * [`trace`] — a neuron's `V[n]` and `S[n]` per step from golden's integer model (SPEC section 4);
//! * [`hwtrace`] — the same quantities as the generated RTL computed them, streamed from a VCD;
//! * [`plot`] — spike rasters and membrane traces as SVG and PNG;
//! * [`tradeoff`] — a sweep's accuracy / firing-rate trade-off with error bars, same writer;
//! * [`summary`] — the per-sample terminal summary with golden/hardware differences highlighted;
//! * [`demux`] — a per-neuron VCD (potential, slope, spike of every neuron, phase as text, time in
//!   cycles) demultiplexed from a co-simulation VCD's lanes, for waveform viewers;
//! * [`gtkw`] — GTKWave save files naming only signals of the VCD, grouped per layer;
//! * [`header`] — the VCD header as scopes with dotted paths (shared by the two readers above).
//!
//! Spikes, decisions and cycles of a VCD are read by `sim::vcd_read::read_vcd` (one streaming reader
//! of the top-level ports in the code base); [`read_observed`] wraps it. No process spawning here.
//!
//! ```
//! use golden::{integer, QuantLayer, QuantNetwork, TimeParams};
//! let layer = QuantLayer { weights: ndarray::array![[3, 2]], threshold_q: 4, scale: 1.0, weight_bits: 4 };
//! let net = QuantNetwork::new(8, 2, TimeParams::default(), vec![layer]).unwrap();
//! let g = integer::forward(&net, &[Some(0), None]);
//! // S = 3 from step 1: V = 3, 6 -> spike at step 2, V frozen at 6 afterwards.
//! let t = wave::trace::neuron_trace(&net, &g.spikes, 1, 0).unwrap();
//! assert_eq!(&t.potential[..4], &[0, 3, 6, 6]);
//! assert_eq!(t.spike_step, Some(2));
//! let raster = wave::plot::Raster::new("sample 0", vec![("golden".into(), g.spikes)], vec![1], 8).unwrap();
//! assert_eq!(wave::plot::svg_text(&raster).unwrap().matches("<circle").count(), 1);
//! ```

pub mod demux;
pub mod error;
pub mod gtkw;
pub mod header;
pub mod hwtrace;
pub mod plot;
pub mod summary;
pub mod trace;
pub mod tradeoff;

pub use error::{Result, WaveError};

use golden::compare::ObservedInference;
use std::path::Path;

/// Every sample's spikes, decision and cycles from a co-simulation VCD of `ttfs_top` (streaming).
/// `sizes` (input first), `n_steps` and `n_in_steps` come from the model or the design's manifest.
pub fn read_observed(
    vcd: &Path,
    sizes: &[usize],
    n_steps: u32,
    n_in_steps: u32,
) -> Result<Vec<ObservedInference>> {
    if !vcd.is_file() {
        return Err(WaveError::io(
            vcd,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such VCD file"),
        ));
    }
    Ok(sim::vcd_read::read_vcd(vcd, sizes, n_steps, n_in_steps)?)
}

/// Checks that the VCD's top-level ports have the widths of the contract for `widths` (from the
/// model, or the design's manifest, named by `other` in the error): a VCD of another network (other
/// sizes or step count) is refused before its samples are compared.
pub fn check_ports(vcd: &Path, widths: &hdl::PortWidths, other: &str) -> Result<()> {
    let (_, header) = header::open(vcd)?;
    let names: Vec<&str> = hdl::contract::PORTS.iter().map(|p| p.name).collect();
    let Some(top) = header.scope_with(&names) else {
        return Err(WaveError::format(
            vcd,
            format!(
                "no scope declares every port of {} ({})",
                hdl::contract::TOP_MODULE,
                names.join(", ")
            ),
        ));
    };
    let differ: Vec<String> = hdl::contract::PORTS
        .iter()
        .filter_map(|p| {
            let want = p.width(widths);
            let got = top.var(p.name).map_or(0, |v| v.size);
            (got != want).then(|| format!("{} is {got} bits, expected {want}", p.name))
        })
        .collect();
    if differ.is_empty() {
        Ok(())
    } else {
        Err(WaveError::Unrelated {
            path: vcd.to_path_buf(),
            other: other.to_string(),
            message: differ.join("; "),
        })
    }
}

/// Checks that every requested sample index is below `available` (the samples `source` holds).
pub fn check_samples(samples: &[usize], available: usize, source: &Path) -> Result<()> {
    match samples.iter().find(|&&k| k >= available) {
        Some(&k) if available == 0 => Err(WaveError::Invalid(format!(
            "sample {k} is out of range: {} holds no finished sample",
            source.display()
        ))),
        Some(&k) => Err(WaveError::Invalid(format!(
            "sample {k} is out of range: {} holds {available} samples (0 to {})",
            source.display(),
            available - 1
        ))),
        None => Ok(()),
    }
}
