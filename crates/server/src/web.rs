//! The web site: server-rendered HTML (no JavaScript build step), Danish by default, English
//! with `?lang=en`. Charts are SVG drawn on the server.

use std::fmt::Write;
use std::sync::Arc;

use axum::extract::{Extension, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use samtalebank_release::TableMeta;
use samtalebank_release::Value;

use crate::api::{param, Params};
use crate::output::format_value;
use samtalebank_model::Lang;
use crate::selection::{period_kind, Selection};
use crate::AppState;

const CSS: &str = r#"
:root{--ink:#1a1a1a;--muted:#555;--line:#c8c8c8;--accent:#0b5394;--bg:#fff;--band:#f3f6fa}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);background:var(--bg);margin:0;line-height:1.45}
header{background:var(--accent);color:#fff;padding:.8rem 1.5rem;display:flex;justify-content:space-between;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}
header nav a{margin-left:1rem;font-weight:400;text-decoration:underline}
main{max-width:72rem;margin:0 auto;padding:1rem 1.5rem 3rem}
a{color:var(--accent)}
a:focus,button:focus,select:focus,input:focus{outline:3px solid #f1c232;outline-offset:2px}
fieldset{border:1px solid var(--line);padding:.6rem .9rem;margin:0 0 .8rem}
legend{font-weight:600}
.controls{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:.8rem}
label{display:block;font-weight:600;margin-bottom:.2rem}
select{width:100%;padding:.3rem;font-size:1rem}
.check{font-weight:400;display:inline-block;margin-right:.7rem}
button{background:var(--accent);color:#fff;border:0;padding:.55rem 1.2rem;font-size:1rem;cursor:pointer}
table{border-collapse:collapse;width:100%;margin:.8rem 0;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:right}
th:first-child,td:first-child,th.l,td.l{text-align:left}
thead th{background:var(--band);position:sticky;top:0}
caption{text-align:left;font-weight:600;padding:.3rem 0}
.muted{color:var(--muted)}
.notes{font-size:.9rem;color:var(--muted)}
.links code{background:var(--band);padding:.1rem .3rem;word-break:break-all}
.card{border:1px solid var(--line);padding:1rem;margin:1rem 0}
@media print{header nav,form,.links{display:none}header{background:none;color:#000;border-bottom:2px solid #000}header a{color:#000}main{max-width:none}}
"#;

fn page(lang: Lang, title: &str, body: &str) -> Response {
    Html(page_html(lang, title, body)).into_response()
}

/// A whole HTML document: inline CSS, no external resources (so a saved page stands alone).
fn page_html(lang: Lang, title: &str, body: &str) -> String {
    let other = match lang {
        Lang::Da => ("en", "English"),
        Lang::En => ("da", "Dansk"),
    };
    format!(
        r#"<!doctype html><html lang="{l}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{t} – Samtalebank</title><style>{CSS}</style></head><body><header><a href="/?lang={l}">Samtalebank</a><nav><a href="/api/v2/tables?lang={l}">API</a><a href="?lang={ol}" hreflang="{ol}">{on}</a></nav></header><main id="main">{body}</main></body></html>"#,
        l = lang.code(),
        t = text(title),
        ol = other.0,
        on = other.1,
    )
}

pub fn not_found_page(path: &str) -> Response {
    let mut r = page(
        Lang::Da,
        "Ikke fundet",
        &format!("<h1>Siden findes ikke</h1><p><code>{}</code> findes ikke. <a href=\"/\">Til forsiden</a>.</p>", text(path)),
    );
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

pub async fn home(
    Extension(rel): Extension<Arc<samtalebank_release::Release>>,
    Query(q): Query<Params>,
) -> Response {
    let lang = Lang::parse(param(&q, "lang"));
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>{}</h1><p>{}</p><h2>{}</h2>",
        lang.pick("Samtalebank", "Samtalebank"),
        lang.pick(
            "Statistik om de samtaler, jobcentrene holder med borgere på offentlig forsørgelse: fysisk, telefonisk, på video eller på anden vis.",
            "Statistics on the conversations jobcentres hold with people on public benefits: in person, by phone, by video or otherwise."
        ),
        lang.pick("Tabeller", "Tables")
    );
    for t in &rel.tables {
        let m = &t.meta;
        let _ = write!(
            b,
            r#"<div class="card"><h3><a href="/tabel/{id}?lang={l}">{id}: {title}</a></h3><p>{desc}</p><p class="muted">{per}: {first} – {last}. {upd}: {updated}</p></div>"#,
            id = text(&m.id),
            l = lang.code(),
            title = text(lang.pick(&m.title_da, &m.title_en)),
            desc = text(lang.pick(&m.description_da, &m.description_en)),
            per = lang.pick("Periode", "Period"),
            first = text(m.first_period().unwrap_or("")),
            last = text(m.last_period().unwrap_or("")),
            upd = lang.pick("Opdateret", "Updated"),
            updated = text(&m.updated),
        );
    }
    if let Some(area) = rel
        .table("BENCH01")
        .and_then(|t| t.meta.dimension("omraade"))
        .map(|d| d.1)
    {
        let _ = write!(
            b,
            "<h2>{}</h2><p>",
            lang.pick(
                "Benchmarkrapporter for kommuner",
                "Benchmark reports for municipalities"
            )
        );
        let links: Vec<String> = area
            .categories
            .iter()
            .filter(|c| c.code.len() == 3 && c.code != "000")
            .map(|c| {
                format!(
                    r#"<a href="/kommune/{}?lang={}">{}</a>"#,
                    attr(&c.code),
                    lang.code(),
                    text(&c.label_da)
                )
            })
            .collect();
        b.push_str(&links.join(" · "));
        b.push_str("</p>");
    }
    let _ = write!(
        b,
        r#"<p class="muted">{} <code>{}</code>. <a href="/api/v2/config">/api/v2/config</a></p>"#,
        lang.pick("Udgivelse", "Release"),
        text(&rel.manifest.id)
    );
    page(lang, "Samtalebank", &b)
}

/// What the table page shows, from its query string.
struct View {
    areas: Vec<usize>,
    kind: char,
    years: Vec<String>,
    ydelse: usize,
    samtaletype: usize,
    varighed: usize,
}

fn all(q: &Params, name: &str) -> Vec<String> {
    q.iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .flat_map(|(_, v)| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn pos(meta: &TableMeta, dim: &str, code: Option<&str>) -> usize {
    meta.dimension(dim)
        .and_then(|(_, d)| {
            let want = code.or(d.total.as_deref())?;
            d.categories
                .iter()
                .position(|c| c.code.eq_ignore_ascii_case(want))
        })
        .unwrap_or(0)
}

fn view(meta: &TableMeta, q: &Params) -> View {
    let area_dim = meta.dimension("omraade").map(|x| x.1);
    let mut areas: Vec<usize> = all(q, "omraade")
        .iter()
        .filter_map(|c| area_dim.and_then(|d| d.categories.iter().position(|x| &x.code == c)))
        .collect();
    areas.dedup();
    areas.truncate(20);
    if areas.is_empty() {
        areas.push(0);
    }
    let kind = match param(q, "periode").unwrap_or("aar") {
        "kvartal" => 'K',
        "maaned" => 'M',
        _ => 'Y',
    };
    View {
        areas,
        kind,
        years: all(q, "aar"),
        ydelse: pos(meta, "ydelse", param(q, "ydelse")),
        samtaletype: pos(meta, "samtaletype", param(q, "samtaletype")),
        varighed: pos(meta, "varighed", param(q, "varighed")),
    }
}

fn periods(meta: &TableMeta, v: &View) -> Vec<usize> {
    let Some((_, d)) = meta.dimension("tid") else {
        return Vec::new();
    };
    d.categories
        .iter()
        .enumerate()
        .filter(|(_, c)| period_kind(&c.code) == v.kind)
        .filter(|(_, c)| {
            v.years.is_empty() || v.years.iter().any(|y| c.code.starts_with(y.as_str()))
        })
        .map(|(i, _)| i)
        .collect()
}

fn num(lang: Lang, v: Value, decimals: u8) -> String {
    let s = format_value(v, decimals, false);
    if !matches!(v, Value::Num(_)) {
        return s;
    }
    let (int, frac) = s
        .split_once('.')
        .map(|(a, b)| (a.to_string(), Some(b.to_string())))
        .unwrap_or((s.clone(), None));
    let (neg, digits) = int
        .strip_prefix('-')
        .map(|d| (true, d.to_string()))
        .unwrap_or((false, int.clone()));
    let (tsep, dsep) = match lang {
        Lang::Da => ('.', ','),
        Lang::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(tsep);
        }
        grouped.push(ch);
    }
    let mut out = if neg { format!("-{grouped}") } else { grouped };
    if let Some(f) = frac {
        out.push(dsep);
        out.push_str(&f);
    }
    out
}

fn api_url(meta: &TableMeta, sel: &Selection, lang: Lang, csv: bool) -> String {
    let mut u = format!("/api/v2/tables/{}/data?lang={}", meta.id, lang.code());
    for (d, idx) in meta.dimensions.iter().zip(&sel.dims) {
        let codes: Vec<&str> = idx.iter().map(|&i| d.categories[i].code.as_str()).collect();
        let _ = write!(u, "&valuecodes%5B{}%5D={}", d.id, codes.join(","));
    }
    let ms: Vec<&str> = sel
        .measures
        .iter()
        .map(|&i| meta.measures[i].code.as_str())
        .collect();
    let _ = write!(u, "&valuecodes%5Bmaal%5D={}", ms.join(","));
    if csv {
        u.push_str("&outputFormat=csv");
    }
    u
}

fn select_one(
    name: &str,
    label: &str,
    meta: &TableMeta,
    dim: &str,
    chosen: usize,
    lang: Lang,
) -> String {
    let Some((_, d)) = meta.dimension(dim) else {
        return String::new();
    };
    let mut s = format!(
        r#"<div><label for="{name}">{}</label><select id="{name}" name="{name}">"#,
        text(label)
    );
    for (i, c) in d.categories.iter().enumerate() {
        let _ = write!(
            s,
            r#"<option value="{}"{}>{}</option>"#,
            attr(&c.code),
            if i == chosen { " selected" } else { "" },
            text(lang.pick(&c.label_da, &c.label_en))
        );
    }
    s.push_str("</select></div>");
    s
}

pub async fn table_page(
    Extension(rel): Extension<Arc<samtalebank_release::Release>>,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Response {
    let lang = Lang::parse(param(&q, "lang"));
    let Some(t) = rel.table(&id) else {
        return not_found_page(&format!("/tabel/{id}"));
    };
    if t.meta.id != "SAMT01" {
        return generic_table_page(t, &q, lang);
    }
    let meta = &t.meta;
    let v = view(meta, &q);
    let tids = periods(meta, &v);
    let dim_index = |id: &str| meta.dimension(id).map(|x| x.0).unwrap_or(0);
    let form_dim = dim_index("samtaleform");
    let forms: Vec<usize> = (0..meta.dimensions[form_dim].categories.len()).collect();
    let mut dims: Vec<Vec<usize>> = vec![Vec::new(); meta.dimensions.len()];
    dims[dim_index("omraade")] = v.areas.clone();
    dims[dim_index("tid")] = tids.clone();
    dims[dim_index("ydelse")] = vec![v.ydelse];
    dims[dim_index("samtaletype")] = vec![v.samtaletype];
    dims[form_dim] = forms.clone();
    dims[dim_index("varighed")] = vec![v.varighed];
    let antal = meta
        .measures
        .iter()
        .position(|m| m.code == "antal")
        .unwrap_or(0);
    let digital = meta
        .measures
        .iter()
        .position(|m| m.code == "digital_pct")
        .unwrap_or(0);
    let sel = Selection {
        dims,
        measures: vec![antal, digital],
    };

    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>{id}: {title}</h1><p>{desc}</p>",
        id = text(&meta.id),
        title = text(lang.pick(&meta.title_da, &meta.title_en)),
        desc = text(lang.pick(&meta.description_da, &meta.description_en)),
    );
    // The form.
    b.push_str(&form_start(meta, &v, lang));
    b.push_str("</fieldset></div><div>");
    b.push_str(&select_one(
        "ydelse",
        lang.pick("Ydelse", "Benefit"),
        meta,
        "ydelse",
        v.ydelse,
        lang,
    ));
    b.push_str(&select_one(
        "samtaletype",
        lang.pick("Samtaletype", "Type"),
        meta,
        "samtaletype",
        v.samtaletype,
        lang,
    ));
    b.push_str(&select_one(
        "varighed",
        lang.pick("Ledighedsvarighed", "Duration"),
        meta,
        "varighed",
        v.varighed,
        lang,
    ));
    let _ = write!(
        b,
        r#"</div></div><p><button type="submit">{}</button> <span class="muted">{}: <output id="cells" aria-live="polite">{}</output></span></p></form>"#,
        lang.pick("Vis tabel", "Show table"),
        lang.pick("Celler i udvalget", "Cells in the selection"),
        num(lang, Value::Num(sel.cells() as f64), 0)
    );

    // The live cell count: areas × periods × forms × measures, updated as the form changes
    // (plain inline script, no build step; without JavaScript the count is the server's).
    let _ = write!(
        b,
        r#"<script>(function(){{var f=document.querySelector('form');function n(){{var a=f.querySelectorAll('#omraade option:checked').length||1;var y=f.querySelectorAll('input[name=aar]:checked').length;var k=(f.querySelector('input[name=periode]:checked')||{{}}).value;var per=k==='maaned'?12:k==='kvartal'?4:1;document.getElementById('cells').textContent=(a*y*per*{forms}*2).toLocaleString('{loc}');}}f.addEventListener('change',n);}})();</script>"#,
        forms = forms.len(),
        loc = lang.pick("da-DK", "en-GB"),
    );
    if tids.is_empty() {
        let _ = write!(
            b,
            "<p>{}</p>",
            lang.pick("Ingen perioder i udvalget.", "No periods selected.")
        );
        return page(lang, &meta.id, &b);
    }
    // Chart: digital share over time, one line per area.
    let tot_form = meta.dimensions[form_dim]
        .categories
        .iter()
        .position(|c| c.code == "tot")
        .unwrap_or(0);
    let mut series = Vec::new();
    for &a in v.areas.iter().take(8) {
        let mut coords: Vec<usize> = sel.dims.iter().map(|d| d[0]).collect();
        coords[dim_index("omraade")] = a;
        coords[form_dim] = tot_form;
        let pts: Vec<Option<f64>> = tids
            .iter()
            .map(|&p| {
                coords[dim_index("tid")] = p;
                match t.value(&coords, digital) {
                    Value::Num(x) => Some(x),
                    _ => None,
                }
            })
            .collect();
        let area = &meta.dimensions[dim_index("omraade")].categories[a];
        series.push((lang.pick(&area.label_da, &area.label_en).to_string(), pts));
    }
    let labels: Vec<String> = tids
        .iter()
        .map(|&p| meta.dimensions[dim_index("tid")].categories[p].code.clone())
        .collect();
    let _ = write!(
        b,
        "<h2>{}</h2>",
        lang.pick("Andel telefon- og videosamtaler", "Share by phone or video")
    );
    b.push_str(&line_chart(&series, &labels, lang));

    // The table.
    let _ = write!(b, "<table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"l\">{}</th>",
        text(lang.pick(&meta.title_da, &meta.title_en)), lang.pick("Område", "Area"), lang.pick("Periode", "Period"));
    for &f in &forms {
        let c = &meta.dimensions[form_dim].categories[f];
        let _ = write!(
            b,
            "<th scope=\"col\">{}</th>",
            text(lang.pick(&c.label_da, &c.label_en))
        );
    }
    let _ = write!(
        b,
        "<th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.pick("Digital andel (pct.)", "Digital share (%)")
    );
    for &a in &v.areas {
        for &p in &tids {
            let mut coords: Vec<usize> = sel.dims.iter().map(|d| d[0]).collect();
            coords[dim_index("omraade")] = a;
            coords[dim_index("tid")] = p;
            let area = &meta.dimensions[dim_index("omraade")].categories[a];
            let _ = write!(
                b,
                "<tr><th scope=\"row\">{}</th><td class=\"l\">{}</td>",
                text(lang.pick(&area.label_da, &area.label_en)),
                text(&meta.dimensions[dim_index("tid")].categories[p].code)
            );
            for &f in &forms {
                coords[form_dim] = f;
                let _ = write!(b, "<td>{}</td>", num(lang, t.value(&coords, antal), 0));
            }
            coords[form_dim] = tot_form;
            let _ = write!(
                b,
                "<td>{}</td></tr>",
                num(lang, t.value(&coords, digital), 1)
            );
        }
    }
    b.push_str("</tbody></table>");
    b.push_str(&table_footer(meta, &sel, lang));
    let mut r = page(lang, &meta.id, &b);
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache"),
    );
    r
}

const COLORS: [&str; 8] = [
    "#0b5394", "#cc4125", "#38761d", "#7f6000", "#674ea7", "#a61c00", "#134f5c", "#444444",
];

/// A line chart of shares (0–100 %) over periods, as accessible SVG.
fn line_chart(series: &[(String, Vec<Option<f64>>)], labels: &[String], lang: Lang) -> String {
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
    let title = lang.pick(
        "Andel telefon- og videosamtaler, pct.",
        "Share by phone or video, per cent",
    );
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="chart-title" style="max-width:{w}px"><title id="chart-title">{}</title>"#,
        text(title)
    );
    for g in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let _ = write!(
            s,
            r##"<line x1="{l}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" font-size="12" text-anchor="end" fill="#333">{g}%</text>"##,
            l + pw,
            l - 6.0,
            y(g) + 4.0,
            y = y(g)
        );
    }
    let step = (n / 12).max(1);
    for (i, lab) in labels.iter().enumerate() {
        // Every step-th label, and the last one unless it would crowd the one before.
        if i % step == 0 || (i == n - 1 && i % step > step / 2) {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#333">{}</text>"##,
                x(i),
                t + ph + 18.0,
                text(lab)
            );
        }
    }
    for (k, (name, pts)) in series.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        let mut d = String::new();
        let mut pen = false;
        for (i, p) in pts.iter().enumerate() {
            match p {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1} ",
                        if pen { "L" } else { "M" },
                        x(i),
                        y(*v)
                    );
                    pen = true;
                }
                None => pen = false,
            }
        }
        let _ = write!(
            s,
            r#"<path d="{d}" fill="none" stroke="{color}" stroke-width="2.5"><title>{}</title></path>"#,
            text(name)
        );
        for (i, p) in pts.iter().enumerate() {
            if let Some(v) = p {
                let _ = write!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"><title>{} {}: {}</title></circle>"#,
                    x(i),
                    y(*v),
                    text(name),
                    text(&labels[i]),
                    num(lang, Value::Num(*v), 1)
                );
            }
        }
        let lx = l + (k as f64 % 4.0) * 180.0;
        let ly = h - 14.0 + if k >= 4 { 12.0 } else { 0.0 }
            - 12.0 * f64::from(u8::from(series.len() > 4));
        let _ = write!(
            s,
            r##"<rect x="{lx}" y="{:.1}" width="12" height="4" fill="{color}"/><text x="{}" y="{:.1}" font-size="12" fill="#222">{}</text>"##,
            ly - 4.0,
            lx + 16.0,
            ly,
            text(name)
        );
    }
    s.push_str("</svg>");
    s
}

/// `/kommune/{code}`: a municipality's benchmark report.
pub async fn kommune_page(
    Extension(rel): Extension<Arc<samtalebank_release::Release>>,
    Path(code): Path<String>,
    Query(q): Query<Params>,
) -> Response {
    let lang = Lang::parse(param(&q, "lang"));
    match kommune_report(&rel, &code, lang) {
        Ok(html) => Html(html).into_response(),
        Err(_) => not_found_page(&format!("/kommune/{code}")),
    }
}

/// The 5 municipalities most like `k` by benefit-group mix and size: distance over the shares of
/// conversations per benefit group plus a quarter of the difference in log(conversations), from
/// SAMT01 for `year` (published counts; a suppressed count counts as 0).
fn similar(
    samt01: &samtalebank_release::Table,
    area_dim: usize,
    k: usize,
    year: &str,
) -> Vec<usize> {
    let meta = &samt01.meta;
    let idx = |id: &str| meta.dimension(id).map(|d| d.0).unwrap_or(0);
    let (tid, yd) = (idx("tid"), idx("ydelse"));
    let Some(t) = meta.dimensions[tid]
        .categories
        .iter()
        .position(|c| c.code == year)
    else {
        return Vec::new();
    };
    let groups: Vec<usize> = meta.dimensions[yd]
        .categories
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            let groups = &samtalebank_model::vocab().ydelser.groups;
            groups.entries.iter().any(|e| e.code == c.code)
        })
        .map(|(i, _)| i)
        .collect();
    let features = |a: usize| -> Vec<f64> {
        let mut coords: Vec<usize> = meta
            .dimensions
            .iter()
            .map(|d| {
                d.categories
                    .iter()
                    .position(|c| Some(&c.code) == d.total.as_ref())
                    .unwrap_or(0)
            })
            .collect();
        coords[area_dim] = a;
        coords[tid] = t;
        let n = |c: &[usize]| match samt01.value(c, 0) {
            Value::Num(x) => x,
            _ => 0.0,
        };
        let total = n(&coords).max(1.0);
        let mut f: Vec<f64> = groups
            .iter()
            .map(|&g| {
                coords[yd] = g;
                n(&coords) / total
            })
            .collect();
        f.push(0.25 * total.ln());
        f
    };
    let me = features(k);
    let mut d: Vec<(f64, usize)> = meta.dimensions[area_dim]
        .categories
        .iter()
        .enumerate()
        .filter(|(i, c)| *i != k && c.code.len() == 3 && c.code != "000")
        .map(|(i, _)| {
            (
                features(i)
                    .iter()
                    .zip(&me)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>(),
                i,
            )
        })
        .collect();
    d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    d.into_iter().take(5).map(|x| x.1).collect()
}

/// A municipality's benchmark report as a standalone HTML document: each indicator against the
/// country, its region and the 5 most similar municipalities, its rank among 98, and the
/// development over time (quarters) as SVG charts. Prints well.
pub fn kommune_report(
    rel: &samtalebank_release::Release,
    code: &str,
    lang: Lang,
) -> Result<String, String> {
    let bench = rel
        .table("BENCH01")
        .ok_or("the release has no BENCH01 table")?;
    let samt01 = rel
        .table("SAMT01")
        .ok_or("the release has no SAMT01 table")?;
    let meta = &bench.meta;
    let di = |id: &str| {
        meta.dimension(id)
            .map(|d| d.0)
            .ok_or(format!("BENCH01 has no {id}"))
    };
    let (ind, area, tid, yd) = (di("indikator")?, di("omraade")?, di("tid")?, di("ydelse")?);
    let areas = &meta.dimensions[area].categories;
    let k = areas
        .iter()
        .position(|c| c.code == code.trim_start_matches('0') || c.code == code)
        .filter(|&i| areas[i].code.len() == 3 && areas[i].code != "000")
        .ok_or_else(|| format!("'{code}' is not a municipality code"))?;
    let v = samtalebank_model::vocab();
    let kom = v
        .kommuner
        .lookup(&areas[k].code)
        .ok_or("unknown municipality")?;
    let region_code = v.kommuner.regions[v.kommuner.list[kom as usize].region as usize]
        .code
        .to_string();
    let r = areas
        .iter()
        .position(|c| c.code == region_code)
        .unwrap_or(0);
    let country = areas.iter().position(|c| c.code == "000").unwrap_or(0);
    let tot = meta.dimensions[yd]
        .categories
        .iter()
        .position(|c| c.code == "tot")
        .unwrap_or(0);
    let tids = &meta.dimensions[tid].categories;
    let years: Vec<usize> = (0..tids.len())
        .filter(|&t| period_kind(&tids[t].code) == 'Y')
        .collect();
    let quarters: Vec<usize> = (0..tids.len())
        .filter(|&t| period_kind(&tids[t].code) == 'K')
        .collect();
    let at = |i: usize, a: usize, t: usize, m: usize| {
        let mut c = vec![0usize; 4];
        c[ind] = i;
        c[area] = a;
        c[tid] = t;
        c[yd] = tot;
        bench.value(&c, m)
    };
    let name = |a: usize| {
        lang.pick(&areas[a].label_da, &areas[a].label_en)
            .to_string()
    };
    // The latest year with a national value for the first indicator sets the similarity year.
    let latest_year = years
        .iter()
        .rev()
        .find(|&&t| matches!(at(0, country, t, 0), Value::Num(_)))
        .copied();
    let sim = latest_year
        .map(|t| {
            similar(
                samt01,
                samt01.meta.dimension("omraade").map(|d| d.0).unwrap_or(0),
                samt01_area_index(samt01, &areas[k].code),
                &tids[t].code,
            )
        })
        .unwrap_or_default();
    let sim_bench: Vec<usize> = sim
        .iter()
        .filter_map(|&i| {
            let c = &samt01.meta.dimensions
                [samt01.meta.dimension("omraade").map(|d| d.0).unwrap_or(0)]
            .categories[i]
                .code;
            areas.iter().position(|x| &x.code == c)
        })
        .collect();
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>{} – {}</h1><p>{} {}. {}</p>",
        text(&name(k)),
        lang.pick("benchmarkrapport", "benchmark report"),
        lang.pick("Region:", "Region:"),
        text(&name(r)),
        text(lang.pick(
            "Kommunens indikatorer mod hele landet, regionen og de 5 mest sammenlignelige kommuner (efter ydelsessammensætning og størrelse), rang blandt 98 kommuner (1 = højest) og udviklingen over tid.",
            "The municipality's indicators against the country, its region and the 5 most similar municipalities (by benefit mix and size), its rank among 98 (1 = highest) and the development over time."
        ))
    );
    let _ = write!(
        b,
        "<p class=\"muted\">{}: {}</p>",
        lang.pick("Sammenlignelige kommuner", "Similar municipalities"),
        text(
            &sim_bench
                .iter()
                .map(|&i| name(i))
                .collect::<Vec<_>>()
                .join(", ")
        )
    );
    for (i, cat) in meta.dimensions[ind].categories.iter().enumerate() {
        let Some(y) = years
            .iter()
            .rev()
            .find(|&&t| matches!(at(i, country, t, 0), Value::Num(_)))
            .copied()
        else {
            continue;
        };
        let _ = write!(
            b,
            "<section class=\"card\"><h2>{}</h2><table><caption>{} {}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            text(lang.pick(&cat.label_da, &cat.label_en)),
            lang.pick("År", "Year"),
            text(&tids[y].code),
            lang.pick("Område", "Area"),
            lang.pick("Andel (pct.)", "Share (%)"),
            lang.pick("Rang", "Rank"),
            lang.pick("Forskel til resten af landet (pct.-point)", "Difference to the rest (pp)"),
        );
        let mut rows = vec![k, r, country];
        rows.extend(&sim_bench);
        for a in rows {
            let _ = write!(
                b,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
                text(&name(a)),
                num(lang, at(i, a, y, 0), 1),
                num(lang, at(i, a, y, 2), 0),
                num(lang, at(i, a, y, 4), 1)
            );
        }
        b.push_str("</tbody></table>");
        let labels: Vec<String> = quarters.iter().map(|&t| tids[t].code.clone()).collect();
        let series: Vec<(String, Vec<Option<f64>>)> = [k, r, country]
            .iter()
            .map(|&a| {
                (
                    name(a),
                    quarters
                        .iter()
                        .map(|&t| match at(i, a, t, 0) {
                            Value::Num(x) => Some(x),
                            _ => None,
                        })
                        .collect(),
                )
            })
            .collect();
        b.push_str(&line_chart(&series, &labels, lang));
        b.push_str("</section>");
    }
    let _ = write!(
        b,
        r#"<p class="notes"><strong>..</strong> = {}. <strong>.</strong> = {}. {}: {}. {} {}.</p>"#,
        lang.pick("diskretioneret", "confidential"),
        lang.pick("ikke tilgængelig endnu", "not yet available"),
        lang.pick("Kilde", "Source"),
        text(&meta.source),
        lang.pick("Udgivelse", "Release"),
        text(&rel.manifest.id),
    );
    Ok(page_html(lang, &name(k), &b))
}

fn samt01_area_index(samt01: &samtalebank_release::Table, code: &str) -> usize {
    samt01
        .meta
        .dimension("omraade")
        .and_then(|d| d.1.categories.iter().position(|c| c.code == code))
        .unwrap_or(0)
}

/// `/benchmark`: a group of municipalities against the rest of the country over time.
pub async fn gap_page(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<samtalebank_release::Release>>,
    Query(q): Query<Params>,
) -> Response {
    use samtalebank_analysis::gap as g;
    let lang = Lang::parse(param(&q, "lang"));
    let Some(bench) = rel.table("BENCH01") else {
        return not_found_page("/benchmark");
    };
    let tid = bench.meta.dimension("tid").map(|d| d.1);
    let first_year = tid
        .and_then(|d| d.categories.iter().find(|c| period_kind(&c.code) == 'Y'))
        .map(|c| c.code.clone())
        .unwrap_or_default();
    let default_group = format!("lowest:15:pct6:{first_year}");
    let group = param(&q, "group")
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(&default_group)
        .to_string();
    let indicator = param(&q, "indicator").unwrap_or("pct6").to_string();
    let periode = param(&q, "periode").unwrap_or("aar").to_string();
    let kind =
        samtalebank_model::PeriodKind::parse(&periode).unwrap_or(samtalebank_model::PeriodKind::Year);
    let (saved, groups_error) = match g::load_groups(&st.config.releases) {
        Ok(s) => (s, None),
        Err(e) => (Default::default(), Some(e)),
    };
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>{}</h1><p>{}</p>",
        lang.pick("Gruppe af kommuner mod resten af landet", "A group of municipalities against the rest of the country"),
        text(lang.pick(
            "Angiv kommunekoder (fx 101,147,151), en regel som lowest:15:pct13:2019M11 (de 15 med lavest andel i perioden; også highest:) eller @navn på en gemt gruppe.",
            "Give municipality codes (e.g. 101,147,151), a rule such as lowest:15:pct13:2019M11 (the 15 with the lowest share in the period; also highest:) or @name of a saved group."
        ))
    );
    let _ = write!(
        b,
        r#"<form method="get" action="/benchmark"><input type="hidden" name="lang" value="{l}"><div class="controls"><div><label for="group">{gl}</label><input id="group" name="group" value="{gv}" style="width:100%;padding:.3rem;font-size:1rem"></div><div><label for="indicator">{il}</label><select id="indicator" name="indicator">"#,
        l = lang.code(),
        gl = lang.pick("Gruppe", "Group"),
        gv = attr(&group),
        il = lang.pick("Indikator", "Indicator"),
    );
    if let Some(d) = bench.meta.dimension("indikator").map(|d| d.1) {
        for c in &d.categories {
            let _ = write!(
                b,
                r#"<option value="{}"{}>{}</option>"#,
                attr(&c.code),
                if c.code == indicator { " selected" } else { "" },
                text(lang.pick(&c.label_da, &c.label_en))
            );
        }
    }
    b.push_str("</select></div><div><fieldset><legend>");
    b.push_str(lang.pick("Periode", "Period"));
    b.push_str("</legend>");
    for (val, da, en) in [
        ("aar", "År", "Year"),
        ("kvartal", "Kvartal", "Quarter"),
        ("maaned", "Måned", "Month"),
    ] {
        let _ = write!(
            b,
            r#"<label class="check"><input type="radio" name="periode" value="{val}"{}> {}</label>"#,
            if periode == val { " checked" } else { "" },
            lang.pick(da, en)
        );
    }
    let _ = write!(
        b,
        r#"</fieldset></div></div><p><button type="submit">{}</button></p></form>"#,
        lang.pick("Vis forskel", "Show gap")
    );
    if let Some(e) = &groups_error {
        let _ = write!(b, r#"<p role="alert">{}</p>"#, text(e));
    }
    if !saved.is_empty() {
        let names: Vec<String> = saved
            .iter()
            .map(|(n, d)| format!("<code>@{}</code> = {}", text(n), text(d)))
            .collect();
        let _ = write!(
            b,
            "<p class=\"muted\">{}: {}</p>",
            lang.pick("Gemte grupper", "Saved groups"),
            names.join("; ")
        );
    }
    let result = g::resolve(bench, &group, &saved)
        .and_then(|m| g::series(bench, &m, &indicator, "tot", kind).map(|p| (m, p)));
    match result {
        Err(e) => {
            let _ = write!(
                b,
                r#"<p role="alert"><strong>{}</strong> {}</p>"#,
                lang.pick("Fejl:", "Error:"),
                text(&e)
            );
        }
        Ok((members, points)) => {
            let area = bench.meta.dimension("omraade").map(|d| d.1);
            let names: Vec<String> = members
                .iter()
                .filter_map(|&i| area.map(|a| a.categories[i].label_da.clone()))
                .collect();
            let _ = write!(
                b,
                "<p>{} ({}): {}</p>",
                lang.pick("Gruppen", "The group"),
                members.len(),
                text(&names.join(", "))
            );
            let labels: Vec<String> = points.iter().map(|p| p.tid.clone()).collect();
            let num_of = |v: Value| if let Value::Num(x) = v { Some(x) } else { None };
            let series = vec![
                (
                    lang.pick("Gruppen", "The group").to_string(),
                    points.iter().map(|p| num_of(p.group)).collect(),
                ),
                (
                    lang.pick("Resten af landet", "Rest of the country")
                        .to_string(),
                    points.iter().map(|p| num_of(p.rest)).collect(),
                ),
            ];
            b.push_str(&line_chart(&series, &labels, lang));
            let _ = write!(b, "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
                lang.pick("Periode", "Period"), lang.pick("Gruppen (pct.)", "Group (%)"), lang.pick("Resten (pct.)", "Rest (%)"), lang.pick("Forskel (pct.-point)", "Gap (pp)"));
            for p in &points {
                let _ = write!(
                    b,
                    "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
                    text(&p.tid),
                    num(lang, p.group, 1),
                    num(lang, p.rest, 1),
                    num(lang, p.gap, 1)
                );
            }
            b.push_str("</tbody></table>");
            let api = format!(
                "/api/v2/benchmark/gap?group={}&indicator={}&periode={}",
                form_urlencoded::byte_serialize(group.as_bytes()).collect::<String>(),
                form_urlencoded::byte_serialize(indicator.as_bytes()).collect::<String>(),
                periode
            );
            let _ = write!(
                b,
                r#"<div class="links"><p><a href="{c}&amp;outputFormat=csv">{dl}</a> · <a href="{j}">{api}</a></p></div>"#,
                c = attr(&api),
                dl = lang.pick("Hent som CSV", "Download as CSV"),
                j = attr(&api),
                api = lang.pick("API (JSON-stat)", "API (JSON-stat)")
            );
            let _ = write!(
                b,
                r#"<p class="notes"><strong>..</strong> = {}. <strong>.</strong> = {}.</p>"#,
                lang.pick(
                    "diskretioneret: mindst én kommune i gruppen har et skjult tal",
                    "confidential: at least one municipality in the group has a hidden count"
                ),
                lang.pick("ikke tilgængelig endnu", "not yet available")
            );
        }
    }
    page(
        lang,
        lang.pick("Gruppe mod resten af landet", "Group against the rest"),
        &b,
    )
}

/// The table page for tables other than SAMT01: areas, period type and years, one category of
/// every other dimension; every measure as a column; a chart of the first share over time.
fn generic_table_page(t: &samtalebank_release::Table, q: &Params, lang: Lang) -> Response {
    let meta = &t.meta;
    let v = view(meta, q);
    let tids = periods(meta, &v);
    let idx = |id: &str| meta.dimension(id).map(|x| x.0);
    let (Some(ad), Some(td)) = (idx("omraade"), idx("tid")) else {
        return not_found_page(&format!("/tabel/{}", meta.id));
    };
    let mut dims: Vec<Vec<usize>> = meta
        .dimensions
        .iter()
        .map(|d| vec![pos(meta, &d.id, param(q, &d.id))])
        .collect();
    dims[ad] = v.areas.clone();
    dims[td] = tids.clone();
    let sel = Selection {
        dims,
        measures: (0..meta.measures.len()).collect(),
    };
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>{}: {}</h1><p>{}</p>",
        text(&meta.id),
        text(lang.pick(&meta.title_da, &meta.title_en)),
        text(lang.pick(&meta.description_da, &meta.description_en))
    );
    let areas = &meta.dimensions[ad];
    b.push_str(&form_start(meta, &v, lang));
    b.push_str("</fieldset></div><div>");
    for (i, d) in meta.dimensions.iter().enumerate() {
        if i != ad && i != td {
            b.push_str(&select_one(
                &d.id,
                lang.pick(&d.label_da, &d.label_en),
                meta,
                &d.id,
                sel.dims[i][0],
                lang,
            ));
        }
    }
    let _ = write!(
        b,
        r#"</div></div><p><button type="submit">{}</button> <span class="muted">{}: {}</span></p></form>"#,
        lang.pick("Vis tabel", "Show table"),
        lang.pick("Celler i udvalget", "Cells in the selection"),
        num(lang, Value::Num(sel.cells() as f64), 0)
    );
    if tids.is_empty() {
        let _ = write!(
            b,
            "<p>{}</p>",
            lang.pick("Ingen perioder i udvalget.", "No periods selected.")
        );
        return page(lang, &meta.id, &b);
    }
    let base: Vec<usize> = sel.dims.iter().map(|d| d[0]).collect();
    if let Some(share) = meta.measures.iter().position(|m| m.unit_en == "per cent") {
        let series: Vec<(String, Vec<Option<f64>>)> = v
            .areas
            .iter()
            .take(8)
            .map(|&a| {
                let mut c = base.clone();
                c[ad] = a;
                let pts = tids
                    .iter()
                    .map(|&p| {
                        c[td] = p;
                        match t.value(&c, share) {
                            Value::Num(x) => Some(x),
                            _ => None,
                        }
                    })
                    .collect();
                (
                    lang.pick(&areas.categories[a].label_da, &areas.categories[a].label_en)
                        .to_string(),
                    pts,
                )
            })
            .collect();
        let labels: Vec<String> = tids
            .iter()
            .map(|&p| meta.dimensions[td].categories[p].code.clone())
            .collect();
        let m = &meta.measures[share];
        let _ = write!(b, "<h2>{}</h2>", text(lang.pick(&m.label_da, &m.label_en)));
        b.push_str(&line_chart(&series, &labels, lang));
    }
    let _ = write!(b, "<table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"l\">{}</th>",
        text(lang.pick(&meta.title_da, &meta.title_en)), lang.pick("Område", "Area"), lang.pick("Periode", "Period"));
    for m in &meta.measures {
        let _ = write!(
            b,
            "<th scope=\"col\">{}</th>",
            text(lang.pick(&m.label_da, &m.label_en))
        );
    }
    b.push_str("</tr></thead><tbody>");
    for &a in &v.areas {
        for &p in &tids {
            let mut c = base.clone();
            c[ad] = a;
            c[td] = p;
            let _ = write!(
                b,
                "<tr><th scope=\"row\">{}</th><td class=\"l\">{}</td>",
                text(lang.pick(&areas.categories[a].label_da, &areas.categories[a].label_en)),
                text(&meta.dimensions[td].categories[p].code)
            );
            for (m, me) in meta.measures.iter().enumerate() {
                let _ = write!(b, "<td>{}</td>", num(lang, t.value(&c, m), me.decimals));
            }
            b.push_str("</tr>");
        }
    }
    b.push_str("</tbody></table>");
    b.push_str(&table_footer(meta, &sel, lang));
    page(lang, &meta.id, &b)
}

/// The start of a table page's form: areas (several), period type and years. The caller adds
/// the other controls and closes the form.
fn form_start(meta: &TableMeta, v: &View, lang: Lang) -> String {
    let mut b = format!(
        r#"<form method="get" action="/tabel/{}"><input type="hidden" name="lang" value="{}"><div class="controls">"#,
        text(&meta.id),
        lang.code()
    );
    if let Some((_, d)) = meta.dimension("omraade") {
        let _ = write!(
            b,
            r#"<div><label for="omraade">{}</label><select id="omraade" name="omraade" multiple size="8">"#,
            lang.pick("Område (vælg flere med Ctrl)", "Area (Ctrl for several)")
        );
        for (i, c) in d.categories.iter().enumerate() {
            let _ = write!(
                b,
                r#"<option value="{}"{}>{} {}</option>"#,
                attr(&c.code),
                if v.areas.contains(&i) {
                    " selected"
                } else {
                    ""
                },
                text(&c.code),
                text(lang.pick(&c.label_da, &c.label_en))
            );
        }
        b.push_str("</select></div>");
    }
    let _ = write!(
        b,
        "<div><fieldset><legend>{}</legend>",
        lang.pick("Periode", "Period")
    );
    for (val, k, da, en) in [
        ("aar", 'Y', "År", "Year"),
        ("kvartal", 'K', "Kvartal", "Quarter"),
        ("maaned", 'M', "Måned", "Month"),
    ] {
        let _ = write!(
            b,
            r#"<label class="check"><input type="radio" name="periode" value="{val}"{}> {}</label>"#,
            if v.kind == k { " checked" } else { "" },
            lang.pick(da, en)
        );
    }
    let _ = write!(
        b,
        "</fieldset><fieldset><legend>{}</legend>",
        lang.pick("År", "Years")
    );
    if let Some((_, d)) = meta.dimension("tid") {
        for c in d.categories.iter().filter(|c| period_kind(&c.code) == 'Y') {
            let checked = v.years.is_empty() || v.years.contains(&c.code);
            let _ = write!(
                b,
                r#"<label class="check"><input type="checkbox" name="aar" value="{0}"{1}> {0}</label>"#,
                attr(&c.code),
                if checked { " checked" } else { "" }
            );
        }
    }
    b
}

/// Below a table: what the symbols mean, the CSV, Excel and API links of the selection, the
/// table's notes and source.
fn table_footer(meta: &TableMeta, sel: &Selection, lang: Lang) -> String {
    let mut b = format!(
        r#"<p class="notes"><strong>..</strong> = {}. <strong>.</strong> = {}. <strong>-</strong> = {}.</p>"#,
        lang.pick(
            "diskretioneret (færre end grænseværdien, beregnet af et sådant tal, eller skjult for at beskytte et sådant tal; se noterne)",
            "confidential (below the threshold, computed from such a count, or hidden to protect one; see the notes)"
        ),
        lang.pick("ikke tilgængelig endnu", "not yet available"),
        lang.pick("kan ikke beregnes", "not applicable")
    );
    let csv = api_url(meta, sel, lang, true);
    let json = api_url(meta, sel, lang, false);
    let _ = write!(
        b,
        r#"<div class="links"><p><a href="{c}" download>{dl}</a> · <a href="{x}" download>{dx}</a></p><p>{api}: <a href="{j}"><code>{jt}</code></a></p></div>"#,
        c = attr(&csv),
        dl = lang.pick("Hent udvalget som CSV", "Download the selection as CSV"),
        x = attr(&json.replace("/data?", "/data?outputFormat=xlsx&")),
        dx = lang.pick("Hent som Excel", "Download as Excel"),
        api = lang.pick(
            "API-adresse for udvalget (JSON-stat)",
            "API URL of the selection (JSON-stat)"
        ),
        j = attr(&json),
        jt = text(&json)
    );
    let _ = write!(
        b,
        "<h2>{}</h2><ul class=\"notes\">",
        lang.pick("Noter", "Notes")
    );
    for n in match lang {
        Lang::Da => &meta.notes_da,
        Lang::En => &meta.notes_en,
    } {
        let _ = write!(b, "<li>{}</li>", text(n));
    }
    let _ = write!(
        b,
        "</ul><p class=\"notes\">{}: {}. {}: {}</p>",
        lang.pick("Kilde", "Source"),
        text(&meta.source),
        lang.pick("Opdateret", "Updated"),
        text(&meta.updated)
    );
    b
}
