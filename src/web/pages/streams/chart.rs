//! A stream's values as a line chart the server draws: one line per
//! numeric property against the index, as SVG coordinates the template
//! puts in an `<svg>`, so the chart needs no script. A window may hold the
//! read limit of values; a chart of more points than pixels shows nothing
//! more, so every line is thinned to at most `MAX_POINTS`.

use serde::Serialize;

/// The most points one line is drawn with.
pub const MAX_POINTS: usize = 500;

pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 240.0;
/// Room for the axis labels.
const PAD: f64 = 36.0;

/// Line colours, one per property in turn (dark enough on white).
const COLOURS: [&str; 4] = ["#1f5fa8", "#b0411e", "#2e7d32", "#6a3d9a"];

/// One property's values: (index as a number, value).
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

#[derive(Serialize, Debug)]
pub struct Line {
    pub name: String,
    pub colour: &'static str,
    /// `x,y x,y ...` for a `<polyline>`.
    pub points: String,
    pub count: usize,
}

#[derive(Serialize, Debug)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub lines: Vec<Line>,
    pub y_min: String,
    pub y_max: String,
    /// Where the plot area's edges are, for the axes.
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

/// Every `step`-th point, so at most `MAX_POINTS` remain.
pub fn thinned<T: Copy>(points: &[T]) -> Vec<T> {
    let step = points.len().div_ceil(MAX_POINTS).max(1);
    points.iter().step_by(step).copied().collect()
}

fn span(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Where `v` falls between `lo` and `hi`, from 0 to 1 (the middle when
/// they are the same).
fn share_of(v: f64, (lo, hi): (f64, f64)) -> f64 {
    if hi > lo {
        (v - lo) / (hi - lo)
    } else {
        0.5
    }
}

fn label(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

/// The chart of `series`, or `None` when there is nothing to draw.
pub fn draw(series: Vec<Series>) -> Option<Chart> {
    let series: Vec<Series> = series
        .into_iter()
        .filter(|s| !s.points.is_empty())
        .map(|s| Series {
            points: thinned(&s.points),
            name: s.name,
        })
        .collect();
    let all = || series.iter().flat_map(|s| s.points.iter());
    let xs = span(all().map(|p| p.0))?;
    let ys = span(all().map(|p| p.1))?;
    let (left, right, top, bottom) = (PAD * 1.5, WIDTH - PAD / 2.0, PAD / 2.0, HEIGHT - PAD);
    let lines = series
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let points: Vec<String> = s
                .points
                .iter()
                .map(|&(x, y)| {
                    let px = left + share_of(x, xs) * (right - left);
                    let py = bottom - share_of(y, ys) * (bottom - top);
                    format!("{px:.1},{py:.1}")
                })
                .collect();
            Line {
                name: s.name,
                colour: COLOURS[i % COLOURS.len()],
                count: points.len(),
                points: points.join(" "),
            }
        })
        .collect();
    Some(Chart {
        width: WIDTH,
        height: HEIGHT,
        lines,
        y_min: label(ys.0),
        y_max: label(ys.1),
        left,
        right,
        top,
        bottom,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_thinned_to_the_bound_and_short_ones_kept() {
        let many: Vec<usize> = (0..250_000).collect();
        assert!(thinned(&many).len() <= MAX_POINTS);
        assert_eq!(thinned(&many)[0], 0);
        let few: Vec<usize> = (0..30).collect();
        assert_eq!(thinned(&few), few);
        assert_eq!(
            thinned(&(0..MAX_POINTS).collect::<Vec<_>>()).len(),
            MAX_POINTS
        );
    }

    #[test]
    fn points_fall_inside_the_plot_area() {
        let chart = draw(vec![Series {
            name: "Radians".into(),
            points: vec![(0.0, -1.0), (5.0, 0.0), (10.0, 1.0)],
        }])
        .expect("a chart");
        let line = &chart.lines[0];
        assert_eq!(line.count, 3);
        for p in line.points.split(' ') {
            let (x, y) = p.split_once(',').unwrap();
            let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
            assert!(x >= chart.left && x <= chart.right, "{p}");
            assert!(y >= chart.top && y <= chart.bottom, "{p}");
        }
        assert_eq!((chart.y_min.as_str(), chart.y_max.as_str()), ("-1", "1"));
    }

    #[test]
    fn nothing_to_draw_is_no_chart() {
        assert!(draw(Vec::new()).is_none());
        assert!(draw(vec![Series {
            name: "x".into(),
            points: Vec::new()
        }])
        .is_none());
    }
}
