//! A bar chart drawn on the server as SVG, so the Usage tab needs no
//! script. It scales to its box (a `viewBox`, width 100%), names itself
//! for screen readers, and gives each bar a tooltip; the table below it
//! carries the same numbers for anyone who cannot see it.

/// One bar: its label under the axis and its height.
pub struct Bar {
    pub label: String,
    pub value: u64,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 12.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// At most about eight labels under the axis, however many bars.
fn label_every(bars: usize) -> usize {
    bars.div_ceil(8).max(1)
}

/// The chart of `bars`, titled `title` (what the numbers are).
pub fn bars(title: &str, unit: &str, bars: &[Bar]) -> String {
    let most = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let plot_w = WIDTH - LEFT - 8.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / bars.len().max(1) as f64;
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-label="{t}" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = escape(title)
    );
    let axis_y = TOP + plot_h;
    svg.push_str(&format!(
        r#"<line class="axis" x1="{LEFT}" y1="{axis_y}" x2="{}" y2="{axis_y}"/>"#,
        WIDTH - 8.0
    ));
    svg.push_str(&format!(
        r#"<text class="tick" x="{}" y="{}" text-anchor="end">{most}</text><text class="tick" x="{}" y="{axis_y}" text-anchor="end">0</text>"#,
        LEFT - 6.0,
        TOP + 10.0,
        LEFT - 6.0
    ));
    let every = label_every(bars.len());
    for (i, bar) in bars.iter().enumerate() {
        let h = plot_h * bar.value as f64 / most as f64;
        let x = LEFT + slot * i as f64 + slot * 0.15;
        let w = (slot * 0.7).max(1.0);
        let label = escape(&bar.label);
        svg.push_str(&format!(
            r#"<rect class="bar" x="{x:.1}" y="{:.1}" width="{w:.1}" height="{h:.1}"><title>{label}: {} {}</title></rect>"#,
            axis_y - h,
            bar.value,
            escape(unit)
        ));
        if i % every == 0 {
            svg.push_str(&format!(
                r#"<text class="tick" x="{:.1}" y="{}" text-anchor="middle">{label}</text>"#,
                x + w / 2.0,
                HEIGHT - 8.0
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_names_itself_and_escapes_its_labels() {
        let svg = bars(
            "Values read per day",
            "values",
            &[
                Bar {
                    label: "<b>".into(),
                    value: 3,
                },
                Bar {
                    label: "2".into(),
                    value: 0,
                },
            ],
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(r#"aria-label="Values read per day""#));
        assert!(svg.contains("&lt;b&gt;: 3 values"));
        assert!(!svg.contains("<b>"));
        assert_eq!(svg.matches("<rect").count(), 2);
    }
}
