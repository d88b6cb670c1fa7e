//! Charts drawn by the server as inline SVG (no script, no fetched library): the trend of
//! an employee's totals across cycles and a cycle's grade distribution.

use maud::{html, Markup};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;
/// The trend is narrower, with room beside its first and last labels: drawn at its
/// largest 480 px wide (app.css) and about 340 px on a phone, its text stays readable.
const TREND_WIDTH: f64 = 400.0;
const TREND_SIDE: f64 = 40.0;

fn y_of(total: f64) -> f64 {
    TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - total.clamp(0.0, 100.0) / 100.0)
}

fn short(label: &str) -> String {
    let mut chars = label.chars();
    let head: String = chars.by_ref().take(14).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// Totals (0–100) across cycles, oldest first; a cycle without a total leaves a gap.
pub fn trend(title: &str, points: &[(String, Option<f64>)]) -> Markup {
    let span = TREND_WIDTH - 2.0 * TREND_SIDE;
    let step = if points.len() > 1 {
        span / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| {
        if points.len() > 1 {
            TREND_SIDE + step * i as f64
        } else {
            TREND_SIDE + span / 2.0
        }
    };
    let line: Vec<String> = points
        .iter()
        .enumerate()
        .filter_map(|(i, (_, total))| total.map(|v| format!("{:.1},{:.1}", x_of(i), y_of(v))))
        .collect();
    html! {
        svg.chart.trend xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox={ "0 0 " (TREND_WIDTH) " " (HEIGHT) } aria-label=(title) {
            title { (title) }
            @for level in [0.0, 25.0, 50.0, 75.0, 100.0] {
                line.grid x1=(TREND_SIDE) x2=(TREND_WIDTH - TREND_SIDE) y1=(y_of(level)) y2=(y_of(level)) {}
                text.axis x=(TREND_SIDE - 6.0) y=(y_of(level) + 4.0) text-anchor="end" { (level) }
            }
            @if line.len() > 1 {
                polyline.line points=(line.join(" ")) {}
            }
            @for (i, (label, total)) in points.iter().enumerate() {
                @if let Some(v) = total {
                    circle.dot cx=(format!("{:.1}", x_of(i))) cy=(format!("{:.1}", y_of(*v))) r="4" {
                        title { (label) ": " (format!("{v:.2}")) }
                    }
                    text.value x=(format!("{:.1}", x_of(i))) y=(format!("{:.1}", y_of(*v) - 8.0)) text-anchor="middle" {
                        (format!("{v:.2}"))
                    }
                }
                text.axis x=(format!("{:.1}", x_of(i))) y=(HEIGHT - BOTTOM + 18.0) text-anchor="middle" {
                    (short(label))
                }
            }
        }
    }
}

/// Where `n` bars stand: each one's slot, the bar's width, and the floor they stand on.
struct Bars {
    slot: f64,
    bar: f64,
    floor: f64,
}

impl Bars {
    fn of(n: usize) -> Bars {
        let slot = (WIDTH - LEFT - RIGHT) / n.max(1) as f64;
        Bars {
            slot,
            bar: (slot * 0.6).min(80.0),
            floor: HEIGHT - BOTTOM,
        }
    }

    /// The left edge of the `i`th bar.
    fn x(&self, i: usize) -> f64 {
        LEFT + self.slot * i as f64 + (self.slot - self.bar) / 2.0
    }
}

/// How many appraisals got each grade, as bars.
pub fn grades(title: &str, counts: &[(String, usize)]) -> Markup {
    let most = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let bars = Bars::of(counts.len());
    let Bars { bar, floor, .. } = bars;
    html! {
        svg.chart.grades xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } aria-label=(title) {
            title { (title) }
            line.grid x1=(LEFT) x2=(WIDTH - RIGHT) y1=(floor) y2=(floor) {}
            @for (i, (grade, n)) in counts.iter().enumerate() {
                @let height = (floor - TOP - 14.0) * (*n as f64) / most;
                @let x = bars.x(i);
                rect.bar x=(format!("{x:.1}")) y=(format!("{:.1}", floor - height))
                    width=(format!("{bar:.1}")) height=(format!("{height:.1}")) {
                    title { (grade) ": " (n) }
                }
                text.value x=(format!("{:.1}", x + bar / 2.0)) y=(format!("{:.1}", floor - height - 4.0)) text-anchor="middle" { (n) }
                text.axis x=(format!("{:.1}", x + bar / 2.0)) y=(floor + 18.0) text-anchor="middle" { (grade) }
            }
        }
    }
}

/// Percentages (0–100) as bars, one per label; a label without a value has no bar and
/// says so.
pub fn shares(title: &str, values: &[(String, Option<f64>)], none: &str) -> Markup {
    let bars = Bars::of(values.len());
    let Bars { bar, floor, .. } = bars;
    html! {
        svg.chart.shares xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } aria-label=(title) {
            title { (title) }
            @for level in [0.0, 50.0, 100.0] {
                line.grid x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y_of(level)) y2=(y_of(level)) {}
                text.axis x=(LEFT - 6.0) y=(y_of(level) + 4.0) text-anchor="end" { (level) "%" }
            }
            @for (i, (label, value)) in values.iter().enumerate() {
                @let x = bars.x(i);
                @if let Some(v) = value {
                    @let top = y_of(*v);
                    rect.bar x=(format!("{x:.1}")) y=(format!("{top:.1}"))
                        width=(format!("{bar:.1}")) height=(format!("{:.1}", floor - top)) {
                        title { (label) ": " (format!("{v:.2}")) "%" }
                    }
                    text.value x=(format!("{:.1}", x + bar / 2.0)) y=(format!("{:.1}", top - 4.0)) text-anchor="middle" { (format!("{v:.0}")) "%" }
                } @else {
                    text.value x=(format!("{:.1}", x + bar / 2.0)) y=(format!("{:.1}", floor - 4.0)) text-anchor="middle" { (none) }
                }
                text.axis x=(format!("{:.1}", x + bar / 2.0)) y=(floor + 18.0) text-anchor="middle" { (short(label)) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trend_joins_the_totals_and_skips_cycles_without_one() {
        let svg = trend(
            "trend",
            &[
                ("Q1".into(), Some(50.0)),
                ("Q2".into(), None),
                ("Q3".into(), Some(100.0)),
            ],
        )
        .into_string();
        assert!(svg.contains("points=\"40.0,98.0 360.0,16.0\""), "{svg}");
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains(">Q2<"), "every cycle is labelled");
    }

    #[test]
    fn the_tallest_bar_is_the_most_common_grade_and_labels_are_escaped() {
        let svg = grades("g", &[("A".into(), 2), ("<B>".into(), 4)]).into_string();
        assert!(svg.contains("&lt;B&gt;"));
        let heights: Vec<f64> = regex_free_heights(&svg);
        assert_eq!(heights.len(), 2);
        assert!((heights[1] - 2.0 * heights[0]).abs() < 0.2, "{heights:?}");
    }

    #[test]
    fn a_share_is_as_tall_as_its_percent_and_a_missing_one_has_no_bar() {
        let svg = shares(
            "s",
            &[
                ("a".into(), Some(50.0)),
                ("b".into(), Some(100.0)),
                ("c".into(), None),
            ],
            "—",
        )
        .into_string();
        let heights = regex_free_heights(&svg);
        assert_eq!(heights.len(), 2, "{svg}");
        assert!((heights[1] - 2.0 * heights[0]).abs() < 0.2, "{heights:?}");
        assert!(svg.contains(">—<"));
    }

    fn regex_free_heights(svg: &str) -> Vec<f64> {
        svg.split("<rect")
            .skip(1)
            .filter_map(|part| {
                let at = part.find("height=\"")? + 8;
                let end = part[at..].find('"')?;
                part[at..at + end].parse().ok()
            })
            .collect()
    }
}
