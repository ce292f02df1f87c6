//! Charts drawn on the server as accessible SVG (a title, a text alternative per point).

use maud::{html, Markup};
use samtalebank_model::Lang;
use samtalebank_release::Value;

use crate::format::num;

const COLORS: [&str; 8] = [
    "#0b5394", "#cc4125", "#38761d", "#7f6000", "#674ea7", "#a61c00", "#134f5c", "#444444",
];

/// One decimal, as SVG coordinates are written.
fn c(x: f64) -> String {
    format!("{x:.1}")
}

/// A line chart of shares (0–100 %) over periods, as accessible SVG.
pub fn line_chart(
    title: &str,
    series: &[(String, Vec<Option<f64>>)],
    labels: &[String],
    lang: Lang,
) -> Markup {
    let (w, h, l, r, t, btm) = (760.0, 320.0, 48.0, 16.0, 16.0, 56.0);
    let pw = w - l - r;
    let ph = h - t - btm;
    let n = labels.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            l + pw / 2.0
        } else {
            l + pw * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| t + ph * (1.0 - v / 100.0);
    let step = (n / 12).max(1);
    let path = |pts: &[Option<f64>]| {
        let mut d = String::new();
        let mut pen = false;
        for (i, p) in pts.iter().enumerate() {
            match p {
                Some(v) => {
                    d.push_str(&format!(
                        "{}{:.1},{:.1} ",
                        if pen { "L" } else { "M" },
                        x(i),
                        y(*v)
                    ));
                    pen = true;
                }
                None => pen = false,
            }
        }
        d
    };
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (w) " " (h) } width="100%" role="img" aria-labelledby="chart-title" style={ "max-width:" (w) "px" } {
            title id="chart-title" { (title) }
            @for g in [0.0, 25.0, 50.0, 75.0, 100.0] {
                line x1=(l) x2=(l + pw) y1=(c(y(g))) y2=(c(y(g))) stroke="#ddd" {}
                text x=(l - 6.0) y=(c(y(g) + 4.0)) font-size="12" text-anchor="end" fill="#333" { (g) "%" }
            }
            @for (i, lab) in labels.iter().enumerate() {
                // Every step-th label, and the last one unless it would crowd the one before.
                @if i % step == 0 || (i == n - 1 && i % step > step / 2) {
                    text x=(c(x(i))) y=(c(t + ph + 18.0)) font-size="11" text-anchor="middle" fill="#333" { (lab) }
                }
            }
            @for (k, (name, pts)) in series.iter().enumerate() {
                @let color = COLORS[k % COLORS.len()];
                path d=(path(pts)) fill="none" stroke=(color) stroke-width="2.5" { title { (name) } }
                @for (i, p) in pts.iter().enumerate() {
                    @if let Some(v) = p {
                        circle cx=(c(x(i))) cy=(c(y(*v))) r="3" fill=(color) {
                            title { (name) " " (labels[i]) ": " (num(lang, Value::Num(*v), 1)) }
                        }
                    }
                }
                @let lx = l + (k as f64 % 4.0) * 180.0;
                @let ly = h - 14.0 + if k >= 4 { 12.0 } else { 0.0 } - 12.0 * f64::from(u8::from(series.len() > 4));
                rect x=(lx) y=(c(ly - 4.0)) width="12" height="4" fill=(color) {}
                text x=(lx + 16.0) y=(c(ly)) font-size="12" fill="#222" { (name) }
            }
        }
    }
}
