//! `/tabel/{id}`: a table with selections (areas, period type and years, one category of every
//! other variable), a live cell count, a chart, the table, the downloads and the API URL of the
//! selection. Laid out from the table's registry definition (`PageLayout`).

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use samtalebank_model::{Lang, PeriodKind, Var};
use samtalebank_pxweb::Selection;
use samtalebank_release::{Table, TableMeta, Value};

use crate::charts::line_chart;
use crate::format::num;
use crate::layout::page_for;
use crate::messages::msgs;

/// What the page shows, from its query string.
struct View {
    areas: Vec<usize>,
    kind: PeriodKind,
    years: Vec<String>,
}

/// Every value of a repeated or comma-separated parameter.
fn all(q: &[(String, String)], name: &str) -> Vec<String> {
    q.iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .flat_map(|(_, v)| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn view(meta: &TableMeta, q: &[(String, String)]) -> View {
    let mut areas: Vec<usize> = match meta.var(Var::Omraade) {
        Some((_, d)) => all(q, Var::Omraade.code())
            .iter()
            .filter_map(|c| d.position(c))
            .collect(),
        None => Vec::new(),
    };
    areas.dedup();
    areas.truncate(20);
    if areas.is_empty() {
        areas.push(0);
    }
    View {
        areas,
        kind: param(q, "periode")
            .and_then(|p| PeriodKind::parse(p).ok())
            .unwrap_or(PeriodKind::Year),
        years: all(q, "aar"),
    }
}

fn periods(meta: &TableMeta, v: &View) -> Vec<usize> {
    let Some((_, d)) = meta.var(Var::Tid) else {
        return Vec::new();
    };
    d.categories
        .iter()
        .enumerate()
        .filter(|(_, c)| PeriodKind::of(&c.code) == v.kind)
        .filter(|(_, c)| {
            v.years.is_empty() || v.years.iter().any(|y| c.code.starts_with(y.as_str()))
        })
        .map(|(i, _)| i)
        .collect()
}

/// The API URL of a selection (JSON-stat, or CSV).
pub fn api_url(meta: &TableMeta, sel: &Selection, lang: Lang, csv: bool) -> String {
    let mut u = format!("/api/v2/tables/{}/data?lang={}", meta.id, lang.code());
    for (d, idx) in meta.dimensions.iter().zip(&sel.dims) {
        let codes: Vec<&str> = idx.iter().map(|&i| d.categories[i].code.as_str()).collect();
        let enc: String = form_urlencoded::byte_serialize(codes.join(",").as_bytes()).collect();
        let _ = write!(u, "&valuecodes%5B{}%5D={enc}", d.id);
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

/// A drop-down for one category of a dimension.
fn select_one(meta: &TableMeta, d: usize, chosen: usize, lang: Lang) -> String {
    let dm = &meta.dimensions[d];
    let mut s = format!(
        r#"<div><label for="{id}">{}</label><select id="{id}" name="{id}">"#,
        text(dm.label(lang)),
        id = attr(&dm.id),
    );
    for (i, c) in dm.categories.iter().enumerate() {
        let _ = write!(
            s,
            r#"<option value="{}"{}>{}</option>"#,
            attr(&c.code),
            if i == chosen { " selected" } else { "" },
            text(c.label(lang))
        );
    }
    s.push_str("</select></div>");
    s
}

/// The start of the form: areas (several), period type and years.
fn form_start(meta: &TableMeta, v: &View, lang: Lang) -> String {
    let m = msgs(lang);
    let mut b = format!(
        r#"<form method="get" action="/tabel/{}"><input type="hidden" name="lang" value="{}"><div class="controls">"#,
        text(&meta.id),
        lang.code()
    );
    if let Some((_, d)) = meta.var(Var::Omraade) {
        let _ = write!(
            b,
            r#"<div><label for="omraade">{}</label><select id="omraade" name="omraade" multiple size="8">"#,
            m.areas_choose
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
                text(c.label(lang))
            );
        }
        b.push_str("</select></div>");
    }
    // A table without a time dimension (the survey) has no periods to choose.
    let Some((_, tid)) = meta.var(Var::Tid) else {
        return b;
    };
    let _ = write!(b, "<div><fieldset><legend>{}</legend>", m.period);
    for (k, label) in [
        (PeriodKind::Year, m.year),
        (PeriodKind::Quarter, m.quarter),
        (PeriodKind::Month, m.month),
    ] {
        let _ = write!(
            b,
            r#"<label class="check"><input type="radio" name="periode" value="{}"{}> {}</label>"#,
            k.name(),
            if v.kind == k { " checked" } else { "" },
            label
        );
    }
    let _ = write!(b, "</fieldset><fieldset><legend>{}</legend>", m.years);
    for c in tid
        .categories
        .iter()
        .filter(|c| PeriodKind::of(&c.code) == PeriodKind::Year)
    {
        let checked = v.years.is_empty() || v.years.contains(&c.code);
        let _ = write!(
            b,
            r#"<label class="check"><input type="checkbox" name="aar" value="{0}"{1}> {0}</label>"#,
            attr(&c.code),
            if checked { " checked" } else { "" }
        );
    }
    b.push_str("</fieldset></div>");
    b
}

/// Below a table: what the symbols mean, the downloads and API URL of the selection, the
/// table's notes and source.
fn footer(meta: &TableMeta, sel: &Selection, lang: Lang) -> String {
    let m = msgs(lang);
    let mut b = format!(
        r#"<p class="notes"><strong>..</strong> = {}. <strong>.</strong> = {}. <strong>-</strong> = {}.</p>"#,
        m.symbol_confidential, m.symbol_not_yet, m.symbol_not_applicable
    );
    let csv = api_url(meta, sel, lang, true);
    let json = api_url(meta, sel, lang, false);
    let _ = write!(
        b,
        r#"<div class="links"><p><a href="{c}" download>{dl}</a> · <a href="{x}" download>{dx}</a> · <a href="{px}" download>{dpx}</a> · <a href="{pq}" download>{dpq}</a></p><p>{api}: <a href="{j}"><code>{jt}</code></a></p></div>"#,
        c = attr(&csv),
        dl = m.download_csv_selection,
        x = attr(&json.replace("/data?", "/data?outputFormat=xlsx&")),
        dx = m.download_xlsx,
        px = attr(&json.replace("/data?", "/data?outputFormat=px&")),
        dpx = m.download_px,
        pq = attr(&json.replace("/data?", "/data?outputFormat=parquet&")),
        dpq = m.download_parquet,
        api = m.api_url_selection,
        j = attr(&json),
        jt = text(&json)
    );
    let _ = write!(b, "<h2>{}</h2><ul class=\"notes\">", m.notes);
    for n in meta.notes(lang) {
        let _ = write!(b, "<li>{}</li>", text(n));
    }
    let _ = write!(
        b,
        "</ul><p class=\"notes\">{}: {}. {}: {}</p>",
        m.source,
        text(&meta.source),
        m.updated,
        text(&meta.updated)
    );
    b
}

/// The table page.
///
/// Long: One page written top to bottom in the order it shows (form, chart, table, links); split up, the HTML's order would be scattered over helpers.
pub fn table_page(t: &Table, q: &[(String, String)], lang: Lang) -> String {
    let m = msgs(lang);
    let meta = &t.meta;
    let layout = t.def.page;
    let v = view(meta, q);
    let tids = periods(meta, &v);
    let ad = meta.var(Var::Omraade).map(|x| x.0);
    let td = meta.var(Var::Tid).map(|x| x.0);
    let column = layout.columns.and_then(|(var, measure)| {
        Some((
            meta.var(var)?.0,
            meta.measures.iter().position(|x| x.code == measure)?,
        ))
    });
    // One category of every other variable: the one asked for, else its total.
    let mut dims: Vec<Vec<usize>> = meta
        .dimensions
        .iter()
        .map(|d| {
            let chosen = param(q, &d.id).and_then(|c| d.position(c));
            vec![chosen.or(d.total_index()).unwrap_or(0)]
        })
        .collect();
    if let Some(a) = ad {
        dims[a] = v.areas.clone();
    }
    if let Some(td) = td {
        dims[td] = tids.clone();
    }
    let extra: Vec<usize> = layout
        .extra
        .iter()
        .filter_map(|c| meta.measures.iter().position(|x| x.code == *c))
        .collect();
    let measures: Vec<usize> = match column {
        Some((cd, cm)) => {
            dims[cd] = (0..meta.dimensions[cd].categories.len()).collect();
            std::iter::once(cm).chain(extra.iter().copied()).collect()
        }
        None => (0..meta.measures.len()).collect(),
    };
    let sel = Selection::new(dims, measures);

    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>{}: {}</h1><p>{}</p>",
        text(&meta.id),
        text(meta.title(lang)),
        text(meta.description(lang))
    );
    b.push_str(&form_start(meta, &v, lang));
    b.push_str("<div>");
    for d in 0..meta.dimensions.len() {
        if Some(d) != ad && Some(d) != td && column.map(|c| c.0) != Some(d) {
            b.push_str(&select_one(meta, d, sel.dims[d][0], lang));
        }
    }
    let _ = write!(
        b,
        r#"</div></div><p><button type="submit">{}</button> <span class="muted">{}: <output id="cells" aria-live="polite">{}</output></span></p></form>"#,
        m.show_table,
        m.cells_in_selection,
        num(lang, Value::Num(sel.cells() as f64), 0)
    );
    // The live cell count: areas × periods × the other cells per row, updated as the form
    // changes (a plain inline script, no build step; without JavaScript the count is the
    // server's).
    let per_row = sel.cells()
        / (sel
            .dims
            .iter()
            .enumerate()
            .filter(|(d, _)| Some(*d) == ad || Some(*d) == td)
            .map(|(_, x)| x.len().max(1) as u128)
            .product::<u128>()
            .max(1));
    let _ = write!(
        b,
        r#"<script>(function(){{var f=document.querySelector('form');function n(){{var a=f.querySelectorAll('#omraade option:checked').length||1;var y={timed}?f.querySelectorAll('input[name=aar]:checked').length:1;var k=(f.querySelector('input[name=periode]:checked')||{{}}).value;var per=k==='maaned'?12:k==='kvartal'?4:1;document.getElementById('cells').textContent=(a*y*per*{per_row}).toLocaleString('{loc}');}}f.addEventListener('change',n);}})();</script>"#,
        timed = td.is_some(),
        loc = m.locale,
    );
    let Some(ad) = ad else {
        return page_for(lang, &meta.id, &b, q);
    };
    if td.is_some() && tids.is_empty() {
        let _ = write!(b, "<p>{}</p>", m.no_periods);
        return page_for(lang, &meta.id, &b, q);
    }
    // A row per area and period; per area where the table has no time dimension.
    let rows: Vec<Option<usize>> = match td {
        Some(_) => tids.iter().map(|&p| Some(p)).collect(),
        None => vec![None],
    };
    // Coordinates of a row's first cell (the column variable at its total).
    let base = |a: usize, p: Option<usize>| -> Vec<usize> {
        let mut c: Vec<usize> = sel.dims.iter().map(|d| d[0]).collect();
        c[ad] = a;
        if let (Some(td), Some(p)) = (td, p) {
            c[td] = p;
        }
        if let Some((cd, _)) = column {
            c[cd] = meta.dimensions[cd].total_index().unwrap_or(0);
        }
        c
    };
    let areas = &meta.dimensions[ad];
    let tid = td.map(|td| &meta.dimensions[td]);
    if let (Some(chart), Some(tid)) = (
        layout
            .chart
            .and_then(|c| meta.measures.iter().position(|x| x.code == c)),
        tid,
    ) {
        let series: Vec<(String, Vec<Option<f64>>)> = v
            .areas
            .iter()
            .take(8)
            .map(|&a| {
                let pts = tids
                    .iter()
                    .map(|&p| t.value(&base(a, Some(p)), chart).num())
                    .collect();
                (areas.categories[a].label(lang).to_string(), pts)
            })
            .collect();
        let labels: Vec<String> = tids
            .iter()
            .map(|&p| tid.categories[p].code.clone())
            .collect();
        let cm = &meta.measures[chart];
        let title = lang.pick(&cm.label_da, &cm.label_en);
        let _ = write!(b, "<h2>{}</h2>", text(title));
        b.push_str(&line_chart(title, &series, &labels, lang));
    }
    let _ = write!(
        b,
        "<table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th>",
        text(meta.title(lang)),
        m.area,
    );
    if tid.is_some() {
        let _ = write!(b, "<th scope=\"col\" class=\"l\">{}</th>", m.period);
    }
    // The columns: the categories of the column variable, then the extra measures; or every
    // measure.
    let mut columns: Vec<(Option<usize>, usize)> = Vec::new();
    match column {
        Some((cd, cm)) => {
            for (i, c) in meta.dimensions[cd].categories.iter().enumerate() {
                let _ = write!(b, "<th scope=\"col\">{}</th>", text(c.label(lang)));
                columns.push((Some(i), cm));
            }
            for &e in &extra {
                let me = &meta.measures[e];
                let _ = write!(
                    b,
                    "<th scope=\"col\">{} ({})</th>",
                    text(lang.pick(&me.label_da, &me.label_en)),
                    text(lang.pick(&me.unit_da, &me.unit_en))
                );
                columns.push((None, e));
            }
        }
        None => {
            for (i, me) in meta.measures.iter().enumerate() {
                let _ = write!(
                    b,
                    "<th scope=\"col\">{}</th>",
                    text(lang.pick(&me.label_da, &me.label_en))
                );
                columns.push((None, i));
            }
        }
    }
    b.push_str("</tr></thead><tbody>");
    for &a in &v.areas {
        for &p in &rows {
            let _ = write!(
                b,
                "<tr><th scope=\"row\">{}</th>",
                text(areas.categories[a].label(lang))
            );
            if let (Some(tid), Some(p)) = (tid, p) {
                let _ = write!(b, "<td class=\"l\">{}</td>", text(&tid.categories[p].code));
            }
            for &(cat, measure) in &columns {
                let mut c = base(a, p);
                if let (Some(cat), Some((cd, _))) = (cat, column) {
                    c[cd] = cat;
                }
                let _ = write!(
                    b,
                    "<td>{}</td>",
                    num(lang, t.value(&c, measure), meta.measures[measure].decimals)
                );
            }
            b.push_str("</tr>");
        }
    }
    b.push_str("</tbody></table>");
    b.push_str(&footer(meta, &sel, lang));
    page_for(lang, &meta.id, &b, q)
}
