//! Inline SVG charts (no scripts, no external resources).

use maud::{Markup, html};

/// One bar: label, value, unit.
pub type Bar = (String, f64, String);

const ROW: f64 = 22.0;
const LABEL_W: f64 = 360.0;
/// Label characters that fit in `LABEL_W` at 12 px (about 7 px each).
const LABEL_CHARS: usize = 50;
const BAR_W: f64 = 420.0;

/// A horizontal bar chart; `title` is the accessible name.
pub fn bars(title: &str, rows: &[Bar]) -> Markup {
    let max = rows.iter().map(|r| r.1).fold(0.0_f64, f64::max).max(1e-9);
    let height = ROW * rows.len() as f64 + 8.0;
    let width = LABEL_W + BAR_W + 110.0;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" role="img" width=(width) height=(height) viewBox={ "0 0 " (width) " " (height) } {
            title { (title) }
            @for (i, (label, value, unit)) in rows.iter().enumerate() {
                @let y = 4.0 + ROW * i as f64;
                @let w = (value / max * BAR_W).max(1.0);
                text x=(LABEL_W - 6.0) y=(y + 15.0) text-anchor="end" font-size="12" { title { (label) } (shorten(label, LABEL_CHARS)) }
                rect x=(LABEL_W) y=(y + 3.0) width=(w) height=(ROW - 6.0) fill="#0969da" {}
                text x=(LABEL_W + w + 4.0) y=(y + 15.0) font-size="12" { (format!("{value:.0} {unit}")) }
            }
        }
    }
}

/// The last runs' verdicts as coloured squares (oldest first).
pub fn trend(cells: &[(String, &'static str, &'static str)]) -> Markup {
    html! {
        span.trend {
            @for (run, slug, label) in cells {
                span class={ "v-" (slug) } title={ (run) ": " (label) } {}
            }
        }
    }
}

/// `s` in at most `n` characters: its start and its end, joined by `…` (the
/// end of a label names the effect or endpoint, the start the trial).
fn shorten(s: &str, n: usize) -> String {
    let count = s.chars().count();
    if count <= n {
        return s.to_owned();
    }
    let head = (n - 1) / 2;
    let tail = n - 1 - head;
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(count - tail).collect();
    format!("{start}…{end}")
}

/// Latency percentiles of one load summary: measured and corrected for
/// coordinated omission, side by side.
pub fn percentiles(
    title: &str,
    raw: &wikiharness_record::load::Percentiles,
    corrected: &wikiharness_record::load::Percentiles,
) -> Markup {
    let rows = [
        ("p50", raw.p50, corrected.p50),
        ("p90", raw.p90, corrected.p90),
        ("p95", raw.p95, corrected.p95),
        ("p99", raw.p99, corrected.p99),
        ("max", raw.max, corrected.max),
    ];
    let max = rows
        .iter()
        .map(|r| r.1.max(r.2))
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let (label_w, bar_w, row) = (60.0, 480.0, 34.0);
    let height = row * rows.len() as f64 + 30.0;
    let width = label_w + bar_w + 120.0;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" role="img" width=(width) height=(height) viewBox={ "0 0 " (width) " " (height) } {
            title { (title) }
            rect x=(label_w) y="4" width="10" height="10" fill="#0969da" {}
            text x=(label_w + 14.0) y="13" font-size="11" { "measured" }
            rect x=(label_w + 90.0) y="4" width="10" height="10" fill="#bc4c00" {}
            text x=(label_w + 104.0) y="13" font-size="11" { "corrected for coordinated omission" }
            @for (i, (name, r, c)) in rows.iter().enumerate() {
                @let y = 22.0 + row * i as f64;
                text x=(label_w - 6.0) y=(y + 18.0) text-anchor="end" font-size="12" { (name) }
                rect x=(label_w) y=(y + 2.0) width=((r / max * bar_w).max(1.0)) height="13" fill="#0969da" {}
                text x=(label_w + (r / max * bar_w).max(1.0) + 4.0) y=(y + 13.0) font-size="11" { (format!("{r:.1} ms")) }
                rect x=(label_w) y=(y + 16.0) width=((c / max * bar_w).max(1.0)) height="13" fill="#bc4c00" {}
                text x=(label_w + (c / max * bar_w).max(1.0) + 4.0) y=(y + 27.0) font-size="11" { (format!("{c:.1} ms")) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn shorten_keeps_both_ends() {
        assert_eq!(shorten("short", 10), "short");
        let s = shorten(
            "jobs::template_edit_fans_out_to_every_page: transclusions",
            21,
        );
        assert_eq!(s, "jobs::temp…nsclusions");
        assert_eq!(s.chars().count(), 21);
    }
}
