//! Charts drawn on the server as accessible SVG: each has a unique id, a title and a text
//! alternative per point, and is drawn in a colour-blind-safe palette (Okabe and Ito) where every
//! series also has its own marker and dash pattern, so that no series is told apart by colour
//! alone. Under each chart: download it as SVG or PNG (`static/charts.js`). Each chart sits in
//! a `<figure>` that prints whole.

use maud::{html, Markup};
use samtalebank_model::Lang;
use samtalebank_release::Value;

use crate::format::num;
use crate::messages::msgs;

/// Okabe–Ito: distinguishable with every common colour-vision deficiency.
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
];
const DASHES: [&str; 4] = ["", "6 3", "2 3", "8 3 2 3"];

/// One decimal, as SVG coordinates are written.
fn c(x: f64) -> String {
    format!("{x:.1}")
}

/// Series `k`'s marker at (x, y), in its colour: a circle, a square, a triangle or a hollow
/// diamond.
fn marker(k: usize, x: f64, y: f64, color: &str, title: Markup) -> Markup {
    match k % 4 {
        0 => html! { circle cx=(c(x)) cy=(c(y)) r="3.5" fill=(color) { title { (title) } } },
        1 => html! {
            rect x=(c(x - 3.5)) y=(c(y - 3.5)) width="7" height="7" fill=(color) { title { (title) } }
        },
        2 => html! {
            polygon points={ (c(x)) "," (c(y - 4.5)) " " (c(x + 4.0)) "," (c(y + 3.0)) " " (c(x - 4.0)) "," (c(y + 3.0)) } fill=(color) { title { (title) } }
        },
        _ => html! {
            polygon points={ (c(x)) "," (c(y - 4.5)) " " (c(x + 4.5)) "," (c(y)) " " (c(x)) "," (c(y + 4.5)) " " (c(x - 4.5)) "," (c(y)) } fill="#fff" stroke=(color) stroke-width="2" { title { (title) } }
        },
    }
}

/// The figure around a chart: caption, the SVG, and its download links.
fn figure(id: &str, title: &str, note: Option<&str>, svg: Markup, lang: Lang) -> Markup {
    let m = msgs(lang);
    html! {
        figure id={ (id) "-figure" } {
            figcaption id={ (id) "-caption" } { (title) }
            (svg)
            @if let Some(n) = note { p.notes { (n) } }
            p.chart-links.noprint {
                button.small type="button" data-chart=(id) data-format="svg" data-name=(title) { (m.download_svg) } " "
                button.small type="button" data-chart=(id) data-format="png" data-name=(title) { (m.download_png) }
            }
        }
    }
}

/// A line chart of shares (0–100 %) over periods. `id` must be unique on the page; `note` says
/// what the chart leaves out, if anything.
pub fn line_chart(
    id: &str,
    title: &str,
    series: &[(String, Vec<Option<f64>>)],
    labels: &[String],
    lang: Lang,
    note: Option<&str>,
) -> Markup {
    let legend_rows = series.len().div_ceil(3);
    let (w, l, r, t) = (760.0, 48.0, 32.0, 16.0);
    let btm = 40.0 + 16.0 * legend_rows as f64;
    let h = 260.0 + btm;
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
    let y = |v: f64| t + ph * (1.0 - v.clamp(0.0, 100.0) / 100.0);
    // As many labels as fit (about 60 px each), the last always.
    let step = n.div_ceil(((pw / 60.0) as usize).max(1)).max(1);
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
    let svg = html! {
        svg id=(id) xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (w) " " (h) } width="100%" role="img" aria-labelledby={ (id) "-title" } style={ "max-width:" (w) "px" } {
            title id={ (id) "-title" } { (title) }
            rect x="0" y="0" width=(w) height=(h) fill="#fff" {}
            @for g in [0.0, 25.0, 50.0, 75.0, 100.0] {
                line x1=(l) x2=(l + pw) y1=(c(y(g))) y2=(c(y(g))) stroke="#ddd" {}
                text x=(l - 6.0) y=(c(y(g) + 4.0)) font-size="12" text-anchor="end" fill="#333" { (g) " %" }
            }
            @for (i, lab) in labels.iter().enumerate() {
                @if i % step == 0 || i == n - 1 && (n - 1) % step >= step / 2 {
                    text x=(c(x(i))) y=(c(t + ph + 16.0)) font-size="11" text-anchor="middle" fill="#333" { (lab) }
                }
            }
            @for (k, (name, pts)) in series.iter().enumerate() {
                @let color = PALETTE[k % PALETTE.len()];
                path d=(path(pts)) fill="none" stroke=(color) stroke-width="2.5" stroke-dasharray=(DASHES[k % DASHES.len()]) { title { (name) } }
                @for (i, p) in pts.iter().enumerate() {
                    @if let Some(v) = p {
                        (marker(k, x(i), y(*v), color, html! { (name) ", " (labels[i]) ": " (num(lang, Value::Num(*v), 1)) " %" }))
                    }
                }
                @let lx = l + (k % 3) as f64 * 240.0;
                @let ly = t + ph + 36.0 + 16.0 * (k / 3) as f64;
                line x1=(lx) x2=(lx + 22.0) y1=(c(ly - 4.0)) y2=(c(ly - 4.0)) stroke=(color) stroke-width="2.5" stroke-dasharray=(DASHES[k % DASHES.len()]) {}
                (marker(k, lx + 11.0, ly - 4.0, color, html! { (name) }))
                text x=(lx + 28.0) y=(c(ly)) font-size="12" fill="#222" { (name) }
            }
        }
    };
    figure(id, title, note, svg, lang)
}

/// One bar of a bar chart.
pub struct Bar {
    pub label: String,
    pub value: Value,
    /// Text after the value (e.g. the base, `n = 1.234`).
    pub extra: String,
    /// Drawn in the highlight colour (the reader's municipality), or as the reference (the
    /// country).
    pub mark: Mark,
    /// Where the label links to.
    pub href: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Plain,
    Mine,
    Reference,
}

/// Horizontal bars of shares (0–100 %), in the order given, with their values and `extra`
/// written after each bar. A value that is not a number is written as its symbol, without a
/// bar.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar], lang: Lang, note: Option<&str>) -> Markup {
    let (w, label_w, row) = (760.0, 230.0, 20.0);
    let plot = w - label_w - 170.0;
    let h = row * bars.len() as f64 + 28.0;
    let xs = |v: f64| label_w + plot * v.clamp(0.0, 100.0) / 100.0;
    let color = |m: Mark| match m {
        Mark::Plain => PALETTE[0],
        Mark::Mine => PALETTE[1],
        Mark::Reference => PALETTE[6],
    };
    // A picture with links is a group of links, not one image (an image's content is hidden
    // from assistive technology, links included).
    let role = if bars.iter().any(|b| b.href.is_some()) {
        "group"
    } else {
        "img"
    };
    let svg = html! {
        svg id=(id) xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (w) " " (h) } width="100%" role=(role) aria-labelledby={ (id) "-title" } style={ "max-width:" (w) "px" } {
            title id={ (id) "-title" } { (title) }
            rect x="0" y="0" width=(w) height=(h) fill="#fff" {}
            @for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
                line x1=(c(xs(tick))) x2=(c(xs(tick))) y1="2" y2=(c(h - 22.0)) stroke="#e3e3e3" {}
                text x=(c(xs(tick))) y=(c(h - 8.0)) font-size="11" text-anchor="middle" fill="#333" { (tick) " %" }
            }
            @for (i, b) in bars.iter().enumerate() {
                @let y = 4.0 + row * i as f64;
                @let short = if b.label.chars().count() > 34 { format!("{}…", b.label.chars().take(33).collect::<String>()) } else { b.label.clone() };
                @let label = html! { text x=(label_w - 6.0) y=(c(y + 12.0)) font-size="12" text-anchor="end" font-weight=(if b.mark == Mark::Plain { "400" } else { "700" }) fill="#222" { title { (b.label) } (short) } };
                @if let Some(href) = &b.href {
                    a href=(href) { (label) }
                } @else {
                    (label)
                }
                @match b.value {
                    Value::Num(v) => {
                        rect x=(label_w) y=(c(y + 2.0)) width=(c(xs(v) - label_w)) height="13" fill=(color(b.mark)) {
                            title { (b.label) ": " (num(lang, b.value, 1)) " % " (b.extra) }
                        }
                        text x=(c(xs(v) + 4.0)) y=(c(y + 12.0)) font-size="11" fill="#222" { (num(lang, b.value, 1)) " %  " (b.extra) }
                    }
                    other => {
                        text x=(c(label_w + 4.0)) y=(c(y + 12.0)) font-size="11" fill="#222" { (num(lang, other, 1)) "  " (b.extra) }
                    }
                }
            }
        }
    };
    figure(id, title, note, svg, lang)
}
