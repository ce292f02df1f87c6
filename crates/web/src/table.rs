//! `/tabel/{id}`: a table with selections (areas, period type and years, one category of every
//! other variable), a live cell count, a chart, the table, the downloads and the API URL of the
//! selection. Laid out from the table's registry definition (`PageLayout`).

use maud::{html, Markup};
use samtalebank_model::{Lang, PeriodKind, Var};
use samtalebank_pxweb::{DataLink, OutputFormat, Params, Selection};
use samtalebank_release::{Table, TableMeta, Value};

use crate::charts::line_chart;
use crate::format::num;
use crate::layout::page;
use crate::messages::msgs;

/// What the page shows, from its query string.
struct View {
    areas: Vec<usize>,
    kind: PeriodKind,
    years: Vec<String>,
}

fn view(meta: &TableMeta, q: &Params) -> View {
    let mut areas: Vec<usize> = match meta.var(Var::Omraade) {
        Some((_, d)) => q
            .list(Var::Omraade.code())
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
        kind: q
            .get("periode")
            .and_then(|p| PeriodKind::parse(p).ok())
            .unwrap_or(PeriodKind::Year),
        years: q.list("aar"),
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

/// A drop-down for one category of a dimension.
fn select_one(meta: &TableMeta, d: usize, chosen: usize, lang: Lang) -> Markup {
    let dm = &meta.dimensions[d];
    html! {
        div {
            label for=(dm.id) { (dm.label(lang)) }
            select id=(dm.id) name=(dm.id) {
                @for (i, c) in dm.categories.iter().enumerate() {
                    option value=(c.code) selected[i == chosen] { (c.label(lang)) }
                }
            }
        }
    }
}

/// The start of the form: areas (several), period type and years.
fn form_fields(meta: &TableMeta, v: &View, lang: Lang) -> Markup {
    let m = msgs(lang);
    html! {
        @if let Some((_, d)) = meta.var(Var::Omraade) {
            div {
                label for="omraade" { (m.areas_choose) }
                select id="omraade" name="omraade" multiple size="8" {
                    @for (i, c) in d.categories.iter().enumerate() {
                        option value=(c.code) selected[v.areas.contains(&i)] { (c.code) " " (c.label(lang)) }
                    }
                }
            }
        }
        // A table without a time dimension (the survey) has no periods to choose.
        @if let Some((_, tid)) = meta.var(Var::Tid) {
            div {
                fieldset {
                    legend { (m.period) }
                    @for (k, label) in [(PeriodKind::Year, m.year), (PeriodKind::Quarter, m.quarter), (PeriodKind::Month, m.month)] {
                        label.check { input type="radio" name="periode" value=(k.name()) checked[v.kind == k]; " " (label) }
                    }
                }
                fieldset {
                    legend { (m.years) }
                    @for c in tid.categories.iter().filter(|c| PeriodKind::of(&c.code) == PeriodKind::Year) {
                        label.check { input type="checkbox" name="aar" value=(c.code) checked[v.years.is_empty() || v.years.contains(&c.code)]; " " (c.code) }
                    }
                }
            }
        }
    }
}

/// What the status symbols mean.
pub(crate) fn symbols(lang: Lang) -> Markup {
    let m = msgs(lang);
    html! {
        p.notes {
            strong { ".." } " = " (m.symbol_confidential) ". "
            strong { "." } " = " (m.symbol_not_yet) ". "
            strong { "-" } " = " (m.symbol_not_applicable) "."
        }
    }
}

/// Below a table: what the symbols mean, the downloads and API URL of the selection, the
/// table's notes and source.
fn footer(meta: &TableMeta, sel: &Selection, lang: Lang) -> Markup {
    let m = msgs(lang);
    let link = |f: OutputFormat| DataLink::new(meta, sel, lang).format(f).url();
    let json = link(OutputFormat::JsonStat2);
    html! {
        (symbols(lang))
        div.links {
            p {
                a href=(link(OutputFormat::Csv)) download { (m.download_csv_selection) } " · "
                a href=(link(OutputFormat::Xlsx)) download { (m.download_xlsx) } " · "
                a href=(link(OutputFormat::Px)) download { (m.download_px) } " · "
                a href=(link(OutputFormat::Parquet)) download { (m.download_parquet) }
            }
            p { (m.api_url_selection) ": " a href=(json) { code { (json) } } }
        }
        h2 { (m.notes) }
        ul.notes { @for n in meta.notes(lang) { li { (n) } } }
        p.notes { (m.source) ": " (meta.source) ". " (m.updated) ": " (meta.updated) }
    }
}

/// The table page.
///
/// Long: One page written top to bottom in the order it shows (form, chart, table, links); split up, the HTML's order would be scattered over helpers.
pub fn table_page(t: &Table, q: &Params) -> String {
    let lang = q.lang();
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
            let chosen = q.get(&d.id).and_then(|c| d.position(c));
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
    // The live cell count: areas × periods × the other cells per row (static/table.js).
    let per_row = sel.cells()
        / (sel
            .dims
            .iter()
            .enumerate()
            .filter(|(d, _)| Some(*d) == ad || Some(*d) == td)
            .map(|(_, x)| x.len().max(1) as u128)
            .product::<u128>()
            .max(1));
    let form = html! {
        h1 { (meta.id) ": " (meta.title(lang)) }
        p { (meta.description(lang)) }
        form method="get" action={ "/tabel/" (meta.id) } data-per-row=(per_row) data-timed=(td.is_some()) data-locale=(m.locale) {
            input type="hidden" name="lang" value=(lang.code());
            div.controls {
                (form_fields(meta, &v, lang))
                div {
                    @for d in 0..meta.dimensions.len() {
                        @if Some(d) != ad && Some(d) != td && column.map(|c| c.0) != Some(d) {
                            (select_one(meta, d, sel.dims[d][0], lang))
                        }
                    }
                }
            }
            p {
                button type="submit" { (m.show_table) } " "
                span.muted { (m.cells_in_selection) ": " output id="cells" aria-live="polite" { (num(lang, Value::Num(sel.cells() as f64), 0)) } }
            }
        }
        script src="/static/table.js" defer {}
    };
    let Some(ad) = ad else {
        return page(lang, &meta.id, q, form);
    };
    if td.is_some() && tids.is_empty() {
        return page(lang, &meta.id, q, html! { (form) p { (m.no_periods) } });
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
    let chart = match (
        layout
            .chart
            .and_then(|c| meta.measures.iter().position(|x| x.code == c)),
        tid,
    ) {
        (Some(chart), Some(tid)) => {
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
            let title = meta.measures[chart].label(lang);
            Some(html! { h2 { (title) } (line_chart(title, &series, &labels, lang)) })
        }
        _ => None,
    };
    // The columns: the categories of the column variable, then the extra measures; or every
    // measure.
    let mut columns: Vec<(Option<usize>, usize, String)> = Vec::new();
    match column {
        Some((cd, cm)) => {
            for (i, c) in meta.dimensions[cd].categories.iter().enumerate() {
                columns.push((Some(i), cm, c.label(lang).to_string()));
            }
            for &e in &extra {
                let me = &meta.measures[e];
                columns.push((None, e, format!("{} ({})", me.label(lang), me.unit(lang))));
            }
        }
        None => {
            for (i, me) in meta.measures.iter().enumerate() {
                columns.push((None, i, me.label(lang).to_string()));
            }
        }
    }
    let body = html! {
        (form)
        @if let Some(c) = chart { (c) }
        table {
            caption { (meta.title(lang)) }
            thead {
                tr {
                    th scope="col" { (m.area) }
                    @if tid.is_some() { th.l scope="col" { (m.period) } }
                    @for (_, _, label) in &columns { th scope="col" { (label) } }
                }
            }
            tbody {
                @for &a in &v.areas {
                    @for &p in &rows {
                        tr {
                            th scope="row" { (areas.categories[a].label(lang)) }
                            @if let (Some(tid), Some(p)) = (tid, p) { td.l { (tid.categories[p].code) } }
                            @for &(cat, measure, _) in &columns {
                                @let c = {
                                    let mut c = base(a, p);
                                    if let (Some(cat), Some((cd, _))) = (cat, column) {
                                        c[cd] = cat;
                                    }
                                    c
                                };
                                td { (num(lang, t.value(&c, measure), meta.measures[measure].decimals)) }
                            }
                        }
                    }
                }
            }
        }
        (footer(meta, &sel, lang))
    };
    page(lang, &meta.id, q, body)
}
