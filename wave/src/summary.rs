//! The terminal summary of one sample: per layer the number of spikes and the first and last spike
//! step (golden and, if a VCD was read, hardware side by side), the decisions, the cycle count, and
//! every difference from golden (via [`golden::compare::compare`]) on its own highlighted line.

use golden::compare::{compare, ObservedInference};
use golden::integer::IntInference;
use golden::SpikeTrain;
use std::fmt::Write as _;

/// Spike count and first/last step of one layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerLine {
    pub spikes: usize,
    pub first_step: Option<u32>,
    pub last_step: Option<u32>,
}

/// One [`LayerLine`] per layer, input first.
pub fn layer_lines(train: &SpikeTrain<u32>) -> Vec<LayerLine> {
    train
        .layers
        .iter()
        .map(|l| LayerLine {
            spikes: l.iter().filter(|s| s.is_some()).count(),
            first_step: l.iter().flatten().min().copied(),
            last_step: l.iter().flatten().max().copied(),
        })
        .collect()
}

fn opt<T: std::fmt::Display>(x: Option<T>) -> String {
    x.map_or_else(|| "-".to_string(), |v| v.to_string())
}

fn class(d: Option<usize>) -> String {
    d.map_or_else(|| "none".to_string(), |k| k.to_string())
}

/// Marks a line as a difference: `!!` always, red if `color`.
fn highlight(line: &str, color: bool) -> String {
    if color {
        format!("\x1b[1;31m!! {line}\x1b[0m")
    } else {
        format!("!! {line}")
    }
}

/// The summary text of sample `sample`; returns the text and the number of differences found.
pub fn sample_summary(
    sample: usize,
    label: Option<u8>,
    golden: &IntInference,
    hardware: Option<&ObservedInference>,
    color: bool,
) -> (String, usize) {
    let mut s = String::new();
    let lab = label.map_or_else(String::new, |l| format!(" (label {l})"));
    let g_lines = layer_lines(&golden.spikes);
    let _ = write!(
        s,
        "sample {sample}{lab}: decision golden {}",
        class(golden.decision)
    );
    match hardware {
        Some(h) => {
            let _ = writeln!(
                s,
                ", hardware {}; {} cycles (start at cycle {}, {} input-loading cycles)",
                class(h.decision),
                h.cycles,
                h.start_cycle,
                h.load_cycles
            );
        }
        None => {
            let _ = writeln!(s, " (no VCD)");
        }
    }
    let h_lines = hardware.map(|h| layer_lines(&h.spikes));
    let _ = writeln!(
        s,
        "  {:<8} {:>6} {:>15} {:>15} {:>15}",
        "layer", "size", "spikes g/hw", "first step g/hw", "last step g/hw"
    );
    for (l, g) in g_lines.iter().enumerate() {
        let name = if l == 0 {
            "input".to_string()
        } else if l + 1 == g_lines.len() {
            format!("{l} (out)")
        } else {
            l.to_string()
        };
        let size = golden.spikes.layers[l].len();
        let h = h_lines.as_ref().and_then(|v| v.get(l));
        let pair = |a: String, b: Option<String>| match b {
            Some(b) => format!("{a}/{b}"),
            None => a,
        };
        let _ = writeln!(
            s,
            "  {:<8} {:>6} {:>15} {:>15} {:>15}",
            name,
            size,
            pair(g.spikes.to_string(), h.map(|h| h.spikes.to_string())),
            pair(opt(g.first_step), h.map(|h| opt(h.first_step))),
            pair(opt(g.last_step), h.map(|h| opt(h.last_step)))
        );
    }
    let mut differences = 0;
    if let Some(h) = hardware {
        let mut report = compare(std::slice::from_ref(golden), std::slice::from_ref(h));
        for m in &mut report.spike_mismatches {
            m.sample = sample;
        }
        for m in &mut report.decision_mismatches {
            m.sample = sample;
        }
        for m in &report.shape_mismatches {
            let _ = writeln!(
                s,
                "  {}",
                highlight(
                    &format!(
                        "layer sizes differ: golden {:?}, hardware {:?}",
                        m.expected_sizes, m.actual_sizes
                    ),
                    color
                )
            );
        }
        for m in &report.spike_mismatches {
            let _ = writeln!(s, "  {}", highlight(&m.to_string(), color));
        }
        for m in &report.decision_mismatches {
            let _ = writeln!(s, "  {}", highlight(&m.to_string(), color));
        }
        differences = report.shape_mismatches.len()
            + report.spike_mismatches.len()
            + report.decision_mismatches.len();
        if differences == 0 {
            let _ = writeln!(
                s,
                "  golden and hardware agree on every spike and the decision"
            );
        }
    }
    (s, differences)
}
