//! The accuracy / firing-rate trade-off of a sweep: one panel per hidden layer plus the mean over
//! hidden layers when there are several; x = firing rate, y = test accuracy, one curve per
//! regularizer, error bars = one standard deviation over seeds in both directions.
//!
//! Promises: the accuracy axis spans every point's mean +- sd within [`OFF_SCALE`] points of the
//! best mean, rounded out to whole percent; a point below it (a collapsed run: a strength that
//! silences a layer scores ~0-10%) is drawn on the bottom edge as a downward triangle labelled
//! `<acc>% (off scale)` instead of stretching the axis; the baseline curve `none` is black, the
//! others take the "tab10" colours in order. Written as SVG and PNG by [`crate::plot::write_svg_png`].

use crate::plot::{e, DrawResult, Figure};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Points more than this many accuracy points below the best mean are left out of the axis range.
pub const OFF_SCALE: f64 = 10.0;

/// Mean and standard deviation over seeds of one strength of one curve.
#[derive(Clone, Debug, PartialEq)]
pub struct TradeoffPoint {
    /// Test accuracy in percent (mean, sd).
    pub acc: (f64, f64),
    /// Firing rate per hidden layer, then the mean over hidden layers (mean, sd each): always
    /// `n_hidden + 1` entries (a single hidden layer's panel reads the last one).
    pub rate: Vec<(f64, f64)>,
}

/// The figure: curves in legend order, points in the order they are joined.
#[derive(Clone, Debug, PartialEq)]
pub struct Tradeoff {
    pub title: String,
    pub n_hidden: usize,
    pub curves: Vec<(String, Vec<TradeoffPoint>)>,
}

/// The accuracy axis (see the module header).
pub fn accuracy_axis(all: &[&TradeoffPoint]) -> (f64, f64) {
    let best = all
        .iter()
        .map(|p| p.acc.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let kept = all.iter().filter(|p| p.acc.0 >= best - OFF_SCALE);
    let acc_lo = kept
        .clone()
        .map(|p| p.acc.0 - p.acc.1)
        .fold(f64::INFINITY, f64::min);
    let acc_hi = kept
        .map(|p| p.acc.0 + p.acc.1)
        .fold(f64::NEG_INFINITY, f64::max);
    ((acc_lo - 0.5).floor(), (acc_hi + 0.5).ceil())
}

/// Distinguishable on white (the "tab10" colours), then plotters' palette.
fn curve_color(label: &str, c: usize) -> RGBColor {
    const TAB: [(u8, u8, u8); 6] = [
        (31, 119, 180),
        (214, 39, 40),
        (44, 160, 44),
        (255, 127, 14),
        (148, 103, 189),
        (140, 86, 75),
    ];
    if label == "none" {
        return BLACK;
    }
    let (r, g, b) = TAB
        .get(c)
        .copied()
        .unwrap_or_else(|| Palette99::pick(c).rgb());
    RGBColor(r, g, b)
}

impl Tradeoff {
    fn panels(&self) -> Vec<(usize, String)> {
        let n = self.n_hidden;
        if n > 1 {
            (0..n)
                .map(|l| (l, format!("hidden layer {}", l + 1)))
                .chain(std::iter::once((n, "mean over hidden layers".to_string())))
                .collect()
        } else {
            vec![(n, "hidden layer 1".to_string())]
        }
    }

    /// One panel: rate column `k` of every point against accuracy on `y0..y1`.
    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        (k, name): (usize, &str),
        (y0, y1): (f64, f64),
    ) -> DrawResult {
        let all: Vec<&TradeoffPoint> = self.curves.iter().flat_map(|(_, p)| p).collect();
        let x_hi = all
            .iter()
            .map(|p| p.rate[k].0 + p.rate[k].1)
            .fold(0.0f64, f64::max)
            * 1.1
            + 1e-3;
        let mut chart = ChartBuilder::on(area)
            .caption(name, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(55)
            .build_cartesian_2d(0.0..x_hi, y0..y1)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc("firing rate (spikes per neuron per sample)")
            .y_desc("test accuracy (%)")
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .draw()
            .map_err(e)?;
        // A collapsed run would stretch the axis over the whole 0-100%: it sits on the bottom edge.
        let shown = |acc: f64| acc.max(y0);
        for (c, (label, pts)) in self.curves.iter().enumerate() {
            let color = curve_color(label, c);
            let xy: Vec<(f64, f64)> = pts.iter().map(|p| (p.rate[k].0, shown(p.acc.0))).collect();
            let legend = if label == "none" {
                "none (gamma = 0)".to_string()
            } else {
                label.clone()
            };
            chart
                .draw_series(LineSeries::new(xy, color.stroke_width(2)))
                .map_err(e)?
                .label(legend)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
            let (on, off): (Vec<&TradeoffPoint>, Vec<&TradeoffPoint>) =
                pts.iter().partition(|p| p.acc.0 >= y0);
            chart
                .draw_series(
                    on.iter()
                        .map(|p| Circle::new((p.rate[k].0, p.acc.0), 4, color.filled())),
                )
                .map_err(e)?;
            chart
                .draw_series(off.iter().map(|p| {
                    EmptyElement::at((p.rate[k].0, y0))
                        + TriangleMarker::new((0, -6), 7, color.filled())
                        + Text::new(
                            format!("{:.1}% (off scale)", p.acc.0),
                            (6, -18),
                            ("sans-serif", 12).into_font().color(&color),
                        )
                }))
                .map_err(e)?;
            chart
                .draw_series(on.iter().map(|p| {
                    ErrorBar::new_vertical(
                        p.rate[k].0,
                        p.acc.0 - p.acc.1,
                        p.acc.0,
                        p.acc.0 + p.acc.1,
                        color.stroke_width(1),
                        8,
                    )
                }))
                .map_err(e)?;
            chart
                .draw_series(on.iter().map(|p| {
                    ErrorBar::new_horizontal(
                        p.acc.0,
                        p.rate[k].0 - p.rate[k].1,
                        p.rate[k].0,
                        p.rate[k].0 + p.rate[k].1,
                        color.stroke_width(1),
                        8,
                    )
                }))
                .map_err(e)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(e)
    }
}

impl Figure for Tradeoff {
    fn size(&self) -> (u32, u32) {
        match self.panels().len() {
            1 => (760, 560),
            2 => (1400, 560),
            3 | 4 => (1400, 1100),
            n => (1800, 480 * n.div_ceil(3) as u32),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(e)?;
        let root = root.titled(&self.title, ("sans-serif", 22)).map_err(e)?;
        let panels = self.panels();
        let areas = match panels.len() {
            1 => vec![root.clone()],
            2 => root.split_evenly((1, 2)),
            3 | 4 => root.split_evenly((2, 2)),
            n => root.split_evenly((n.div_ceil(3), 3)),
        };
        let all: Vec<&TradeoffPoint> = self.curves.iter().flat_map(|(_, p)| p).collect();
        let axis = accuracy_axis(&all);
        for ((k, name), area) in panels.iter().zip(areas.iter()) {
            self.draw_panel(area, (*k, name), axis)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::{svg_text, write_svg_png};

    fn point(acc: f64, acc_sd: f64, rate: f64, layers: usize) -> TradeoffPoint {
        // One entry per hidden layer, then the mean.
        TradeoffPoint {
            acc: (acc, acc_sd),
            rate: vec![(rate, 0.05); layers + 1],
        }
    }

    #[test]
    fn panels_per_hidden_layer_and_the_mean_are_written() {
        let fig = Tradeoff {
            title: "test".into(),
            n_hidden: 3,
            curves: vec![
                ("mssr".into(), vec![point(89.0, 0.0, 0.25, 3)]),
                ("none".into(), vec![point(91.0, 1.4, 0.5, 3)]),
            ],
        };
        assert_eq!(fig.size(), (1400, 1100));
        let dir = tempfile::tempdir().unwrap();
        let [svg_path, png_path] = write_svg_png(&fig, &dir.path().join("tradeoff")).unwrap();
        let svg = std::fs::read_to_string(svg_path).unwrap();
        assert!(svg.contains("<svg") && svg.contains("mssr") && svg.contains("hidden layer 3"));
        assert!(svg.contains("mean over hidden layers") && svg.contains("none (gamma = 0)"));
        assert!(!svg.contains("off scale"), "no collapsed run here");
        let png = std::fs::read(png_path).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert!(!dir.path().join(".tradeoff.tmp.png").exists());
    }

    #[test]
    fn a_collapsed_run_stays_off_the_accuracy_axis() {
        // A strength that silences the hidden layer: no output spike, 0% accuracy.
        let fig = Tradeoff {
            title: "collapse".into(),
            n_hidden: 1,
            curves: vec![
                (
                    "mp-vref0".into(),
                    vec![point(94.5, 0.0, 0.30, 1), point(0.0, 0.0, 0.0, 1)],
                ),
                ("none".into(), vec![point(94.8, 0.0, 0.40, 1)]),
            ],
        };
        let all: Vec<&TradeoffPoint> = fig.curves.iter().flat_map(|(_, p)| p).collect();
        assert_eq!(accuracy_axis(&all), (94.0, 96.0));
        let svg = svg_text(&fig).unwrap();
        assert_eq!(
            svg.matches("0.0% (off scale)").count(),
            1,
            "one marked point"
        );
        // Tick labels are text lines of their own; the y ticks stay within 94..96 (a stretched axis
        // would label 0, 10, ... 90).
        let ticks: Vec<f64> = svg.lines().filter_map(|l| l.trim().parse().ok()).collect();
        assert!(ticks.contains(&94.0) && ticks.contains(&96.0), "{ticks:?}");
        assert!(
            !ticks.iter().any(|&t| t > 1.0 && t < 94.0),
            "axis stretched: {ticks:?}"
        );
    }
}
