//! Charts drawn on the server as inline SVG: no chart library, no script.
//! Each chart has a `role="img"` and an `aria-label` that says what it
//! shows in words; the pages put the same numbers in a table beside it.

use std::fmt::Write;

/// Escapes text for SVG/HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One bar of a bar chart.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Its label (written beside the bar).
    pub label: String,
    /// Its value.
    pub value: i64,
    /// The CSS class that colours it (`sev CRITICAL`, `band critical`).
    pub class: String,
}

/// A horizontal bar chart: one labelled row per bar, the value written at
/// the bar's end.
pub fn bars(title: &str, bars: &[Bar]) -> String {
    let row = 26;
    let label_w = 110;
    let bar_w = 300;
    let height = row * bars.len().max(1) + 4;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let summary = bars
        .iter()
        .map(|b| format!("{} {}", b.label, b.value))
        .collect::<Vec<_>>()
        .join(", ");
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {w} {height}" role="img" aria-label="{t}: {s}" xmlns="http://www.w3.org/2000/svg">"#,
        w = label_w + bar_w + 60,
        t = escape(title),
        s = escape(&summary),
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i * row + 4;
        let w = if b.value > 0 {
            ((b.value as f64 / max as f64) * bar_w as f64).max(2.0)
        } else {
            0.0
        };
        let _ = write!(
            svg,
            r#"<text x="0" y="{ty}">{l}</text><rect class="{c}" x="{label_w}" y="{y}" width="{w:.1}" height="{h}"><title>{l}: {v}</title></rect><text x="{vx:.1}" y="{ty}">{v}</text>"#,
            ty = y + 14,
            l = escape(&b.label),
            c = escape(&b.class),
            h = row - 8,
            v = b.value,
            vx = label_w as f64 + w + 6.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One day of the opened/fixed chart.
#[derive(Debug, Clone)]
pub struct Day {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Findings first seen that day.
    pub opened: i64,
    /// Findings fixed that day.
    pub fixed: i64,
}

/// Findings opened and fixed per day: two bars a day, dates every week.
pub fn opened_fixed(days: &[Day]) -> String {
    let col = 20.0;
    let plot_h = 140.0;
    let left = 34.0;
    let width = left + col * days.len() as f64 + 10.0;
    let max = days
        .iter()
        .map(|d| d.opened.max(d.fixed))
        .max()
        .unwrap_or(0)
        .max(1);
    let opened: i64 = days.iter().map(|d| d.opened).sum();
    let fixed: i64 = days.iter().map(|d| d.fixed).sum();
    let (first, last) = (
        days.first().map_or("", |d| d.day.as_str()),
        days.last().map_or("", |d| d.day.as_str()),
    );
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {width:.0} {h:.0}" role="img" aria-label="Findings opened and fixed per day from {first} to {last}: {opened} opened, {fixed} fixed in all; the table below lists every day" xmlns="http://www.w3.org/2000/svg">"#,
        h = plot_h + 40.0,
    );
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{left}" y1="{b}" x2="{width:.0}" y2="{b}" stroke-width="1"/><text x="0" y="14">{max}</text><text x="0" y="{b}">0</text>"#,
        b = plot_h + 4.0,
    );
    for (i, d) in days.iter().enumerate() {
        let x = left + col * i as f64 + 2.0;
        for (j, (v, class)) in [(d.opened, "opened"), (d.fixed, "fixed")]
            .iter()
            .enumerate()
        {
            let h = *v as f64 / max as f64 * plot_h;
            let _ = write!(
                svg,
                r#"<rect class="{class}" x="{x:.1}" y="{y:.1}" width="7" height="{h:.1}"><title>{day}: {v} {class}</title></rect>"#,
                x = x + j as f64 * 8.0,
                y = plot_h + 4.0 - h,
                day = escape(&d.day),
            );
        }
        if i % 7 == 0 || (i + 1 == days.len() && i % 7 >= 4) {
            let _ = write!(
                svg,
                r#"<text x="{x:.1}" y="{y:.0}">{label}</text>"#,
                y = plot_h + 20.0,
                label = escape(d.day.get(5..).unwrap_or(&d.day)),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_charts_say_their_numbers_in_words() {
        let svg = bars(
            "Open findings by severity",
            &[
                Bar {
                    label: "CRITICAL".into(),
                    value: 3,
                    class: "sev CRITICAL".into(),
                },
                Bar {
                    label: "LOW <x>".into(),
                    value: 0,
                    class: "sev LOW".into(),
                },
            ],
        );
        assert!(
            svg.contains(r#"aria-label="Open findings by severity: CRITICAL 3, LOW &lt;x&gt; 0""#)
        );
        assert!(
            svg.contains(r#"width="300.0""#),
            "the largest bar is full width: {svg}"
        );
        assert!(!svg.contains("<x>"));
    }

    #[test]
    fn the_timeline_has_two_bars_a_day() {
        let days: Vec<Day> = (1..=3)
            .map(|d| Day {
                day: format!("2026-11-0{d}"),
                opened: d,
                fixed: 1,
            })
            .collect();
        let svg = opened_fixed(&days);
        assert_eq!(svg.matches("<rect").count(), 6);
        assert!(svg.contains("6 opened, 3 fixed"));
        assert!(svg.contains("2026-11-03: 3 opened"));
    }
}
