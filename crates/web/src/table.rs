//! `/tabel/{id}`: the table builder. Several values of every variable (with search and
//! select-all), the measures, the period type and the latest N periods; rows and columns chosen
//! by the reader; sorting by a column; the cell count against the page's and the API's limits;
//! the table with its selection stated in the caption; a chart (a line over time, or bars by
//! area); the downloads as a Danish or English reader opens them; the API's URL (GET and POST);
//! saving the query; an information panel. Every parameter is read by `builder`: an unknown one
//! is a notice and a 400, never another table.

use maud::{html, Markup};
use samtalebank_model::{Lang, PeriodKind, Var};
use samtalebank_pxweb::{DataLink, Params, Selection};
use samtalebank_release::{Table, TableMeta, Value};

use crate::builder::{self, Choice};
use crate::charts::{bar_chart, line_chart, Bar, Mark};
use crate::components::{downloads, info_panel, selection_words, symbols};
use crate::format::{cap, num, period_short};
use crate::layout::{notice, page, Here, Page};
use crate::messages::msgs;

/// The most cells a page shows as a table; a larger selection is offered as a download.
pub const PAGE_CELLS: u128 = 5_000;
/// The most cells a download may have (the API's limit).
pub const API_CELLS: u128 = samtalebank_model::defaults::MAX_CELLS as u128;
/// The most lines a chart draws; the table has them all.
const CHART_LINES: usize = 8;

/// One variable's choices: a fieldset of checkboxes with a search box and select-all.
fn variable_choices(
    meta: &TableMeta,
    d: usize,
    chosen: &[usize],
    lang: Lang,
    kind: PeriodKind,
) -> Markup {
    let m = msgs(lang);
    let dm = &meta.dimensions[d];
    let id = &dm.id;
    let many = dm.categories.len() > 8;
    // Of time, the periods of the chosen type.
    let shown = dm
        .categories
        .iter()
        .filter(|c| !dm.is_time() || PeriodKind::of(&c.code) == kind)
        .count();
    // In a long list (not of periods) the chosen values come first, so that none is hidden
    // below the fold.
    let order: Vec<usize> = if many && !dm.is_time() {
        let (mut first, rest): (Vec<usize>, Vec<usize>) =
            (0..dm.categories.len()).partition(|i| chosen.contains(i));
        first.extend(rest);
        first
    } else {
        (0..dm.categories.len()).collect()
    };
    html! {
        fieldset.variable data-var=(id) {
            legend { (cap(dm.label(lang))) " " span.muted { "(" span.count { (chosen.len()) } " " (m.of) " " (shown) ")" } }
            @if many {
                label for={ "search-" (id) } { (m.search_in) " " (dm.label(lang)) }
                input type="search" id={ "search-" (id) } data-filter=(id) autocomplete="off";
            }
            div.tools {
                button.small type="button" data-all=(id) { (m.select_all) }
                button.small type="button" data-none=(id) { (m.select_none) }
            }
            div.choices id={ "choices-" (id) } {
                @for &i in &order {
                    @let c = &dm.categories[i];
                    @let hidden = dm.is_time() && PeriodKind::of(&c.code) != kind;
                    @if !hidden {
                        label {
                            input type="checkbox" name=(id) value=(c.code) checked[chosen.contains(&i)];
                            " " (if dm.is_time() { period_short(lang, &c.code) } else { c.label(lang).to_string() })
                            @if dm.id == Var::Omraade.code() && c.code.len() == 3 && c.code != "000" { " " span.muted { "(" (c.code) ")" } }
                        }
                    }
                }
            }
        }
    }
}

/// The form: every variable, the measures, the period type and latest N, rows and columns.
fn form(t: &Table, ch: &Choice, q: &Params, lang: Lang) -> Markup {
    let m = msgs(lang);
    let meta = &t.meta;
    let n = meta.dimensions.len();
    let var_name = |v: usize| {
        if v < n {
            cap(meta.dimensions[v].label(lang))
        } else {
            m.measures.to_string()
        }
    };
    let var_id = |v: usize| {
        if v < n {
            meta.dimensions[v].id.clone()
        } else {
            "maal".to_string()
        }
    };
    html! {
        form method="get" action={ "/tabel/" (meta.id) } id="builder" data-cells-limit=(PAGE_CELLS) data-locale=(m.locale) {
            input type="hidden" name="lang" value=(lang.code());
            div.controls {
                @for d in 0..n {
                    (variable_choices(meta, d, &ch.sel.dims[d], lang, ch.kind))
                }
                fieldset.variable data-var="maal" {
                    legend { (m.measures) }
                    div.tools {
                        button.small type="button" data-all="maal" { (m.select_all) }
                        button.small type="button" data-none="maal" { (m.select_none) }
                    }
                    div.choices id="choices-maal" {
                        @for (i, me) in meta.measures.iter().enumerate() {
                            label { input type="checkbox" name="maal" value=(me.code) checked[ch.sel.measures.contains(&i)]; " " (me.label(lang)) " (" (me.unit(lang)) ")" }
                        }
                    }
                }
                @if meta.time().is_some() {
                    fieldset {
                        legend { (m.period) }
                        @for (k, label) in [(PeriodKind::Year, m.year), (PeriodKind::Quarter, m.quarter), (PeriodKind::Month, m.month)] {
                            label.check { input type="radio" name="periode" value=(k.name()) checked[ch.kind == k]; " " (label) }
                        }
                        div.field {
                            label for="seneste" { (m.latest_n) }
                            input type="number" id="seneste" name="seneste" min="1" max="1000" value=[ch.latest];
                        }
                        p.notes { (m.latest_n_help) }
                    }
                }
                fieldset {
                    legend { (m.layout) }
                    div.field {
                        label for="raekker" { (m.rows) }
                        input type="text" id="raekker" name="raekker" value=(ch.sel.stub.iter().map(|&v| var_id(v)).collect::<Vec<_>>().join(","));
                    }
                    div.field {
                        label for="kolonner" { (m.columns) }
                        input type="text" id="kolonner" name="kolonner" value=(ch.sel.heading.iter().map(|&v| var_id(v)).collect::<Vec<_>>().join(","));
                    }
                    p.notes { (m.layout_help) " " @for v in 0..=n { code { (var_id(v)) } " = " (var_name(v)) "; " } }
                    button.small type="button" id="swap" { (m.swap_rows_columns) }
                }
            }
            p {
                button type="submit" { (m.show_table) } " "
                span.muted { (m.cells_in_selection) ": " output id="cells" aria-live="polite" { (num(lang, Value::Num(ch.sel.cells() as f64), 0)) } " " (m.of_at_most) " " (num(lang, Value::Num(PAGE_CELLS as f64), 0)) " " (m.on_the_page) }
            }
            @if let Some(s) = q.value("sorter") { input type="hidden" name="sorter" value=(s); }
            @if let Some(s) = q.value("orden") { input type="hidden" name="orden" value=(s); }
        }
    }
}

/// The rows of the table: per combination of the stub's values, the cells of every column.
struct Rows {
    /// Per row: the category (or measure) index of every stub variable.
    heads: Vec<Vec<usize>>,
    /// Per row: the values of every column.
    cells: Vec<Vec<Value>>,
    /// Per column: the category (or measure) index of every heading variable.
    columns: Vec<Vec<usize>>,
}

fn rows(t: &Table, sel: &Selection) -> Rows {
    let n = sel.dims.len();
    let len = |v: usize| {
        if v < n {
            sel.dims[v].len()
        } else {
            sel.measures.len()
        }
    };
    let index = |v: usize, p: usize| {
        if v < n {
            sel.dims[v][p]
        } else {
            sel.measures[p]
        }
    };
    let mut columns = Vec::new();
    samtalebank_pxweb::for_each_combination(
        &sel.heading.iter().map(|&v| len(v)).collect::<Vec<_>>(),
        |c| {
            columns.push(
                c.iter()
                    .zip(&sel.heading)
                    .map(|(&p, &v)| index(v, p))
                    .collect::<Vec<_>>(),
            )
        },
    );
    let mut heads = Vec::new();
    let mut cells = Vec::new();
    let base: Vec<usize> = sel.dims.iter().map(|d| d[0]).collect();
    let default_measure = sel.measures[0];
    samtalebank_pxweb::for_each_combination(
        &sel.stub.iter().map(|&v| len(v)).collect::<Vec<_>>(),
        |r| {
            let head: Vec<usize> = r
                .iter()
                .zip(&sel.stub)
                .map(|(&p, &v)| index(v, p))
                .collect();
            let mut coords = base.clone();
            let mut measure = default_measure;
            for (&v, &i) in sel.stub.iter().zip(&head) {
                if v < n {
                    coords[v] = i;
                } else {
                    measure = i;
                }
            }
            let row: Vec<Value> = columns
                .iter()
                .map(|col| {
                    let mut c = coords.clone();
                    let mut me = measure;
                    for (&v, &i) in sel.heading.iter().zip(col) {
                        if v < n {
                            c[v] = i;
                        } else {
                            me = i;
                        }
                    }
                    t.value(&c, me)
                })
                .collect();
            heads.push(head);
            cells.push(row);
        },
    );
    Rows {
        heads,
        cells,
        columns,
    }
}

/// The name of category (or measure) `i` of variable `v` on the page.
fn value_name(meta: &TableMeta, v: usize, i: usize, lang: Lang) -> String {
    match meta.dimensions.get(v) {
        Some(d) if d.is_time() => period_short(lang, &d.categories[i].code),
        Some(d) => d.categories[i].label(lang).to_string(),
        None => {
            let m = &meta.measures[i];
            format!("{} ({})", m.label(lang), m.unit(lang))
        }
    }
}

/// The table, its rows sorted as asked.
fn table_markup(t: &Table, ch: &Choice, here: Here<'_>, lang: Lang) -> Markup {
    let m = msgs(lang);
    let meta = &t.meta;
    let sel = &ch.sel;
    let mut r = rows(t, sel);
    let mut order: Vec<usize> = (0..r.heads.len()).collect();
    if let Some((col, down)) = ch.sort.filter(|(c, _)| *c < r.columns.len()) {
        order.sort_by(|&a, &b| {
            let (x, y) = (r.cells[a][col].num(), r.cells[b][col].num());
            match (x, y) {
                (Some(x), Some(y)) if down => y.total_cmp(&x),
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => a.cmp(&b),
            }
        });
    }
    let decimals = |col: &[usize], head: &[usize]| {
        let n = sel.dims.len();
        sel.heading
            .iter()
            .zip(col)
            .chain(sel.stub.iter().zip(head))
            .find(|(&v, _)| v == n)
            .map_or(meta.measures[sel.measures[0]].decimals, |(_, &i)| {
                meta.measures[i].decimals
            })
    };
    let sort_link = |col: usize, down: bool| {
        let q = here
            .query
            .with("sorter", &col.to_string())
            .with("orden", if down { "ned" } else { "op" });
        format!("{}?{}", here.path, q.to_query())
    };
    let caption = format!("{}: {}", meta.title(lang), selection_words(meta, sel, lang));
    r.cells = order
        .iter()
        .map(|&i| std::mem::take(&mut r.cells[i]))
        .collect();
    r.heads = order
        .iter()
        .map(|&i| std::mem::take(&mut r.heads[i]))
        .collect();
    html! {
        div.scroll {
            table id="data" {
                caption { (caption) }
                thead {
                    // One header row per heading variable.
                    @for (h, &v) in sel.heading.iter().enumerate() {
                        tr {
                            @for (k, &sv) in sel.stub.iter().enumerate() {
                                @if h + 1 == sel.heading.len() {
                                    th scope="col" { (if sv < meta.dimensions.len() { cap(meta.dimensions[sv].label(lang)) } else { m.measures.to_string() }) }
                                } @else if k == 0 {
                                    td colspan=(sel.stub.len()) {}
                                }
                            }
                            @if h + 1 == sel.heading.len() {
                                @for (ci, col) in r.columns.iter().enumerate() {
                                    @let names = col.iter().zip(&sel.heading).map(|(&i, &hv)| value_name(meta, hv, i, lang)).collect::<Vec<_>>().join(", ");
                                    th scope="col" {
                                        (value_name(meta, v, col[h], lang))
                                        " "
                                        a.noprint href=(sort_link(ci, true)) aria-label={ (m.sort_down) ": " (names) } { "▼" }
                                        a.noprint href=(sort_link(ci, false)) aria-label={ (m.sort_up) ": " (names) } { "▲" }
                                    }
                                }
                            } @else {
                                // An upper heading spans the columns below it.
                                @for (first, span) in spans(&r.columns, h) {
                                    th scope="colgroup" colspan=(span) { (value_name(meta, v, r.columns[first][h], lang)) }
                                }
                            }
                        }
                    }
                }
                tbody {
                    @for (head, row) in r.heads.iter().zip(&r.cells) {
                        tr {
                            @for (k, (&v, &i)) in sel.stub.iter().zip(head).enumerate() {
                                @if k == 0 { th scope="row" { (value_name(meta, v, i, lang)) } }
                                @else { td.l { (value_name(meta, v, i, lang)) } }
                            }
                            @for (col, v) in r.columns.iter().zip(row) {
                                td { (num(lang, *v, decimals(col, head))) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A chart of the selection: a line over time of the first share measure, a line per
/// combination of the other varying variables; or, with one period, bars by area.
fn chart(t: &Table, sel: &Selection, lang: Lang) -> Option<Markup> {
    let m = msgs(lang);
    let meta = &t.meta;
    let share = *sel.measures.iter().find(|&&i| {
        meta.measures[i].unit_da.contains("pct") || meta.measures[i].code.contains("pct")
    })?;
    let (td, tdim) = meta.time()?;
    let periods = &sel.dims[td];
    let measure = &meta.measures[share];
    let varying: Vec<usize> = (0..sel.dims.len())
        .filter(|&d| d != td && sel.dims[d].len() > 1)
        .collect();
    let base: Vec<usize> = sel.dims.iter().map(|d| d[0]).collect();
    if periods.len() > 1 {
        let mut series = Vec::new();
        let lens: Vec<usize> = varying.iter().map(|&d| sel.dims[d].len()).collect();
        samtalebank_pxweb::for_each_combination(&lens, |p| {
            let mut c = base.clone();
            let mut names = Vec::new();
            for (&d, &pos) in varying.iter().zip(p) {
                c[d] = sel.dims[d][pos];
                names.push(meta.dimensions[d].categories[c[d]].label(lang).to_string());
            }
            let pts = periods
                .iter()
                .map(|&pi| {
                    c[td] = pi;
                    t.value(&c, share).num()
                })
                .collect();
            series.push((
                if names.is_empty() {
                    measure.label(lang).to_string()
                } else {
                    names.join(", ")
                },
                pts,
            ));
        });
        let total = series.len();
        series.truncate(CHART_LINES);
        let note = (total > CHART_LINES).then(|| {
            format!(
                "{} {CHART_LINES} {} {total}; {}",
                m.chart_shows_first, m.of, m.all_in_table
            )
        });
        let labels: Vec<String> = periods
            .iter()
            .map(|&p| period_short(lang, &tdim.categories[p].code))
            .collect();
        let title = format!(
            "{}: {}",
            measure.label(lang),
            selection_words(meta, sel, lang)
        );
        return Some(line_chart(
            "chart-1",
            &title,
            &series,
            &labels,
            lang,
            note.as_deref(),
        ));
    }
    // One period: bars by area, if several.
    let (ad, adim) = meta.var(Var::Omraade)?;
    if sel.dims[ad].len() < 2 || varying.iter().any(|&d| d != ad) {
        return None;
    }
    let bars: Vec<Bar> = sel.dims[ad]
        .iter()
        .map(|&a| {
            let mut c = base.clone();
            c[ad] = a;
            Bar {
                label: adim.categories[a].label(lang).to_string(),
                value: t.value(&c, share),
                extra: String::new(),
                mark: if a == 0 { Mark::Reference } else { Mark::Plain },
                href: None,
            }
        })
        .collect();
    let title = format!(
        "{}: {}",
        measure.label(lang),
        selection_words(meta, sel, lang)
    );
    Some(bar_chart("chart-1", &title, &bars, lang, None))
}

/// The API's URL of the selection, and its POST body.
fn api_block(meta: &TableMeta, sel: &Selection, lang: Lang) -> Markup {
    let m = msgs(lang);
    let get = DataLink::new(meta, sel, lang).url();
    let body = serde_json::to_string_pretty(&sel.to_codes(meta)).unwrap_or_default();
    html! {
        details.info.links {
            summary { (m.api_for_selection) }
            p { "GET " a href=(get) { code { (get) } } }
            p { "POST /api/v2/tables/" (meta.id) "/data?lang=" (lang.code()) }
            pre.api { (body) }
            p {
                button.small type="button" id="save-query" data-table=(meta.id) data-lang=(lang.code()) { (m.save_query) } " "
                output id="saved-query" aria-live="polite" {}
            }
            p.notes { (m.save_query_help) }
        }
    }
}

/// The table page.
pub fn table_page(t: &Table, q: &Params) -> Page {
    let lang = q.lang();
    let m = msgs(lang);
    let meta = &t.meta;
    let path = format!("/tabel/{}", meta.id);
    let here = Here {
        path: &path,
        query: q,
    };
    let head = html! {
        h1 { (meta.id) ": " (meta.title(lang)) }
        p { (meta.description(lang)) }
    };
    let (ch, problem) = match builder::read(t, q) {
        Ok(ch) => (ch, None),
        Err(e) => (
            builder::read(t, &Params::new(vec![("lang".into(), lang.code().into())]))
                .expect("the default selection reads"),
            Some(e),
        ),
    };
    if let Some(p) = problem {
        let body = html! {
            (head)
            (notice(&format!("{} {p}. {}", m.cannot_show, m.showing_form_only)))
            (form(t, &ch, q, lang))
            script src="/static/table.js" defer {}
        };
        return Page {
            status: 400,
            html: page(here, &meta.id, body),
        };
    }
    let cells = ch.sel.cells();
    let too_big = cells > PAGE_CELLS;
    let body = html! {
        (head)
        (form(t, &ch, q, lang))
        @if too_big {
            (notice(&format!(
                "{} {} {}. {}",
                m.selection_has, num(lang, Value::Num(cells as f64), 0), m.cells_page_shows_at_most,
                if cells > API_CELLS { m.narrow_it } else { m.download_it }
            )))
        } @else {
            @if let Some(c) = chart(t, &ch.sel, lang) { (c) }
            (table_markup(t, &ch, here, lang))
            (symbols(lang))
        }
        @if cells <= API_CELLS { (downloads(meta, &ch.sel, lang)) }
        (crate::components::bulk_files(meta, lang))
        (api_block(meta, &ch.sel, lang))
        (info_panel(meta, lang))
        script src="/static/table.js" defer {}
        script src="/static/charts.js" defer {}
    };
    Page::ok(page(here, &meta.id, body))
}

/// The runs of columns that share their first `level + 1` heading values: (first column,
/// number of columns).
fn spans(columns: &[Vec<usize>], level: usize) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, col) in columns.iter().enumerate() {
        match out.last_mut() {
            Some((first, n)) if columns[*first][..=level] == col[..=level] => *n += 1,
            _ => out.push((i, 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_upper_heading_spans_the_columns_that_share_it() {
        let cols = vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1], vec![0, 0]];
        assert_eq!(super::spans(&cols, 0), vec![(0, 2), (2, 2), (4, 1)]);
        assert_eq!(super::spans(&cols, 1).len(), 5);
    }
}
