//! Pictures: spike rasters (neuron against time step, one dot per spike, one panel per layer and
//! source) and membrane traces (potential with the threshold, and slope, against time step).
//!
//! Promises: a raster SVG holds exactly one `<circle>` per plotted spike and nothing else drawn as a
//! circle; the axis descriptions state the plotted ranges (`time step n (0 to N)`,
//! `neuron (0 to n-1)`); every file is written to a temporary name in the same folder and renamed,
//! so no half-written picture is left behind. Text uses the bundled DejaVu Sans (no system fonts).

use crate::error::{Result, WaveError};
use crate::hwtrace::HwPoint;
use crate::trace::NeuronTrace;
use golden::SpikeTrain;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::path::{Path, PathBuf};

/// DejaVu Sans (Bitstream Vera licence, see `wave/fonts/DejaVuSans-LICENSE.txt`); the one copy in
/// the repository, used by every figure of this crate.
static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

fn register_font() {
    // Registering again (several figures in one process) is harmless.
    let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
}

pub(crate) type DrawResult = std::result::Result<(), String>;

pub(crate) fn e<E: std::fmt::Debug>(err: E) -> String {
    format!("{err:?}")
}

/// Something that can be drawn on any plotters backend.
pub trait Figure {
    /// Pixel size (width, height).
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult;
}

/// The figure as SVG text.
pub fn svg_text<F: Figure>(fig: &F) -> Result<String> {
    register_font();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, fig.size()).into_drawing_area();
        fig.draw(&root).map_err(|m| WaveError::Plot {
            path: PathBuf::from("<svg>"),
            message: m,
        })?;
        root.present().map_err(|m| WaveError::Plot {
            path: PathBuf::from("<svg>"),
            message: e(m),
        })?;
    }
    Ok(svg)
}

/// Writes `base.svg` and `base.png` (atomically); returns both paths.
pub fn write_svg_png<F: Figure>(fig: &F, base: &Path) -> Result<[PathBuf; 2]> {
    let svg_path = base.with_extension("svg");
    let png_path = base.with_extension("png");
    let svg = svg_text(fig)?;
    golden::io::write_atomic(&svg_path, svg.as_bytes())?;
    let dir = png_path.parent().unwrap_or(Path::new("."));
    let stem = png_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{stem}.tmp.png"));
    let plot_err = |m: String| WaveError::Plot {
        path: png_path.clone(),
        message: m,
    };
    let drawn = (|| {
        let root = BitMapBackend::new(&tmp, fig.size()).into_drawing_area();
        fig.draw(&root).map_err(plot_err)?;
        root.present().map_err(|m| plot_err(e(m)))?;
        std::fs::rename(&tmp, &png_path).map_err(|err| WaveError::io(&png_path, err))
    })();
    if drawn.is_err() {
        // No partial temporary picture is left (a full disk fails in `present`).
        let _ = std::fs::remove_file(&tmp);
    }
    drawn?;
    Ok([svg_path, png_path])
}

/// Colours of the columns (sources) of a raster.
const PALETTE: [RGBColor; 4] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
];

/// Spike rasters: one row of panels per layer, one column per source (golden, hardware, a second
/// model...), for one sample.
#[derive(Clone, Debug)]
pub struct Raster {
    pub title: String,
    /// `(column title, spike train)`; every train has the same layer sizes.
    pub columns: Vec<(String, SpikeTrain<u32>)>,
    /// Layers to draw (0 = input, 1 = first hidden layer).
    pub layers: Vec<usize>,
    /// x axis: steps `0..=n_steps`.
    pub n_steps: u32,
}

impl Raster {
    /// Checks that the layers exist in every column.
    pub fn new(
        title: impl Into<String>,
        columns: Vec<(String, SpikeTrain<u32>)>,
        layers: Vec<usize>,
        n_steps: u32,
    ) -> Result<Raster> {
        if columns.is_empty() || layers.is_empty() {
            return Err(WaveError::Invalid(
                "a raster needs at least one source and one layer".into(),
            ));
        }
        for (name, t) in &columns {
            for &l in &layers {
                if l >= t.layers.len() {
                    return Err(WaveError::Invalid(format!(
                        "{name}: layer {l} does not exist (layers 0..={})",
                        t.layers.len() - 1
                    )));
                }
            }
        }
        Ok(Raster {
            title: title.into(),
            columns,
            layers,
            n_steps,
        })
    }

    /// Number of dots the figure draws (spikes in the chosen layers of every column).
    pub fn dot_count(&self) -> usize {
        self.columns
            .iter()
            .map(|(_, t)| {
                self.layers
                    .iter()
                    .map(|&l| t.layers[l].iter().filter(|s| s.is_some()).count())
                    .sum::<usize>()
            })
            .sum()
    }
}

fn layer_name(l: usize) -> String {
    if l == 0 {
        "input".into()
    } else {
        format!("layer {l}")
    }
}

impl Figure for Raster {
    fn size(&self) -> (u32, u32) {
        let w = 80 + 520 * self.columns.len() as u32;
        let h = 60 + 300 * self.layers.len() as u32;
        (w, h)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(e)?;
        let root = root.titled(&self.title, ("sans-serif", 22)).map_err(e)?;
        let panels = root.split_evenly((self.layers.len(), self.columns.len()));
        for (r, &l) in self.layers.iter().enumerate() {
            for (c, (name, train)) in self.columns.iter().enumerate() {
                let area = &panels[r * self.columns.len() + c];
                let n = train.layers[l].len();
                let count = train.layers[l].iter().filter(|s| s.is_some()).count();
                let mut chart = ChartBuilder::on(area)
                    .caption(
                        format!("{name}: {}, {count} spikes", layer_name(l)),
                        ("sans-serif", 16),
                    )
                    .margin(8)
                    .x_label_area_size(38)
                    .y_label_area_size(52)
                    .build_cartesian_2d(
                        -0.5f64..self.n_steps as f64 + 0.5,
                        -0.5f64..(n.max(1) as f64 - 0.5),
                    )
                    .map_err(e)?;
                step_axes(
                    &mut chart,
                    self.n_steps,
                    &format!("neuron (0 to {})", n.saturating_sub(1)),
                    false,
                )?;
                let radius = if n <= 128 {
                    3
                } else if n <= 512 {
                    2
                } else {
                    1
                };
                let color = PALETTE[c % PALETTE.len()];
                chart
                    .draw_series(train.layers[l].iter().enumerate().filter_map(|(i, s)| {
                        s.map(|k| Circle::new((k as f64, i as f64), radius, color.filled()))
                    }))
                    .map_err(e)?;
            }
        }
        Ok(())
    }
}

/// One neuron's potential and slope: golden's trace, and the hardware's points if the VCD has them.
#[derive(Clone, Debug)]
pub struct MembraneSeries {
    pub label: String,
    pub golden: NeuronTrace,
    pub hardware: Option<Vec<HwPoint>>,
}

/// Membrane traces: one row per neuron, potential (with the threshold) on the left, slope on the right.
#[derive(Clone, Debug)]
pub struct Membrane {
    pub title: String,
    pub series: Vec<MembraneSeries>,
    pub n_steps: u32,
}

/// The y range of a trace panel: every value plus `extra`, padded by 5% (at least 1).
fn padded_range(values: impl Iterator<Item = i64>, extra: &[i64]) -> std::ops::Range<f64> {
    let (lo, hi) = values
        .chain(extra.iter().copied())
        .fold((i64::MAX, i64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = if lo > hi {
        (0.0, 1.0)
    } else {
        (lo as f64, hi as f64)
    };
    let pad = ((hi - lo) * 0.05).max(1.0);
    (lo - pad)..(hi + pad)
}

/// A trace panel (integer value against time step) with its caption and axes drawn.
fn trace_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: String,
    y_desc: &str,
    n_steps: u32,
    y_range: std::ops::Range<f64>,
) -> std::result::Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, String>
{
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 15))
        .margin(8)
        .x_label_area_size(38)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..n_steps as f64 + 0.5, y_range)
        .map_err(e)?;
    step_axes(&mut chart, n_steps, y_desc, true)?;
    Ok(chart)
}

/// The axes of every per-step panel: time steps on x, integers on y, with or without the grid.
fn step_axes<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    n_steps: u32,
    y_desc: &str,
    grid: bool,
) -> DrawResult {
    let mut mesh = chart.configure_mesh();
    if !grid {
        mesh.disable_mesh();
    }
    mesh.x_desc(format!("time step n (0 to {n_steps})"))
        .y_desc(y_desc)
        .label_style(("sans-serif", 12))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .axis_desc_style(("sans-serif", 13))
        .draw()
        .map_err(e)
}

/// A horizontal reference line with its legend entry (the threshold on the potential panel).
struct ThresholdLine {
    value: i64,
    label: String,
}

/// Draws golden's values per step as a line and the hardware's samples as crosses on one panel; with
/// a threshold, also the threshold line and a legend (the potential panel), else no legend (slope).
fn golden_and_hardware<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    golden: &[i64],
    hardware: impl Iterator<Item = (u32, i64)>,
    threshold: Option<ThresholdLine>,
) -> DrawResult {
    let golden_color = PALETTE[0];
    let hw_color = PALETTE[1];
    let n_steps = golden.len().saturating_sub(1) as f64;
    let legend = threshold.is_some();
    if let Some(t) = threshold {
        chart
            .draw_series(LineSeries::new(
                [(0.0, t.value as f64), (n_steps, t.value as f64)],
                BLACK.stroke_width(1),
            ))
            .map_err(e)?
            .label(t.label)
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK));
    }
    chart
        .draw_series(LineSeries::new(
            golden
                .iter()
                .enumerate()
                .map(|(n, &v)| (n as f64, v as f64)),
            golden_color.stroke_width(2),
        ))
        .map_err(e)?
        .label("golden")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], golden_color));
    let hw: Vec<(u32, i64)> = hardware.collect();
    if !hw.is_empty() {
        chart
            .draw_series(
                hw.iter().map(|&(step, v)| {
                    Cross::new((step as f64, v as f64), 4, hw_color.stroke_width(1))
                }),
            )
            .map_err(e)?
            .label("hardware (VCD)")
            .legend(move |(x, y)| Cross::new((x + 8, y), 4, hw_color));
    }
    if legend {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 12))
            .draw()
            .map_err(e)?;
    }
    Ok(())
}

impl Figure for Membrane {
    fn size(&self) -> (u32, u32) {
        (1200, 60 + 300 * self.series.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(e)?;
        let root = root.titled(&self.title, ("sans-serif", 22)).map_err(e)?;
        let panels = root.split_evenly((self.series.len().max(1), 2));
        for (r, s) in self.series.iter().enumerate() {
            let g = &s.golden;
            let hw = s.hardware.as_deref().unwrap_or(&[]);
            let spike = g
                .spike_step
                .map_or_else(|| "silent".to_string(), |k| format!("spike at step {k}"));
            // Potential panel.
            let y = padded_range(
                g.potential
                    .iter()
                    .copied()
                    .chain(hw.iter().map(|p| p.potential)),
                &[0, g.threshold_q],
            );
            let mut chart = trace_chart(
                &panels[2 * r],
                format!("{}: potential V[n] ({spike})", s.label),
                "V[n] (integer)",
                self.n_steps,
                y,
            )?;
            let threshold = ThresholdLine {
                value: g.threshold_q,
                label: format!("threshold {}", g.threshold_q),
            };
            golden_and_hardware(
                &mut chart,
                &g.potential,
                hw.iter().map(|p| (p.step, p.potential)),
                Some(threshold),
            )?;
            // Slope panel.
            let y = padded_range(
                g.slope.iter().copied().chain(hw.iter().map(|p| p.slope)),
                &[0],
            );
            let mut chart = trace_chart(
                &panels[2 * r + 1],
                format!("{}: slope S[n]", s.label),
                "S[n] (integer)",
                self.n_steps,
                y,
            )?;
            golden_and_hardware(
                &mut chart,
                &g.slope,
                hw.iter().map(|p| (p.step, p.slope)),
                None,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 13: a picture that cannot be written leaves no partial temporary PNG behind. Here the
    /// final rename fails (the PNG's name is taken by a folder); a full disk fails earlier, in
    /// `present`, and takes the same clean-up path.
    #[test]
    fn a_failed_png_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let spikes = SpikeTrain::new(vec![vec![Some(0), None], vec![Some(3)]]);
        let raster = Raster::new("t", vec![("golden".into(), spikes)], vec![0, 1], 8).unwrap();
        std::fs::create_dir(dir.path().join("r.png")).unwrap();
        let err = write_svg_png(&raster, &dir.path().join("r")).unwrap_err();
        assert!(err.to_string().contains("r.png"), "{err}");
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        // Without the obstacle the same call writes both files.
        std::fs::remove_dir(dir.path().join("r.png")).unwrap();
        let [svg, png] = write_svg_png(&raster, &dir.path().join("r")).unwrap();
        assert!(svg.is_file() && png.is_file());
    }
}
