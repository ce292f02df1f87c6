//! HTML output: a standalone page with one table, the stub's variables down, the heading's
//! combinations across, a status symbol where a value is not published, and the legend.

use maud::{html, DOCTYPE};
use samtalebank_model::Lang;
use samtalebank_release::Table;

use crate::cells::{for_each_combination, format_value, Grid, Names};
use crate::csv::column_name;
use crate::format::FormatOptions;
use crate::jsonstat::status_legend;
use crate::selection::Selection;

/// The data response as an HTML page (a compile-time template: every value escaped).
pub fn html_data(table: &Table, sel: &Selection, lang: Lang, o: FormatOptions) -> Vec<u8> {
    let meta = &table.meta;
    let names = Names { meta, lang };
    let mut grid = Grid::new(sel);
    let columns = grid.columns();
    let title = meta.title(lang);
    let l = crate::labels(lang);
    // The rows, in the order of the stub's combinations.
    let mut rows: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let row_lens = grid.row_lens.clone();
    for_each_combination(&row_lens, |r| {
        let heads = sel
            .stub
            .iter()
            .zip(r)
            .map(|(&v, &p)| names.value(v, grid.index(v, p), o.codes, o.texts))
            .collect();
        let cells = columns
            .iter()
            .map(|c| {
                let (coords, m) = grid.cell(r, c);
                format_value(
                    table.value(coords, m),
                    meta.measures[m].decimals,
                    lang == Lang::Da,
                )
            })
            .collect();
        rows.push((heads, cells));
    });
    let legend = status_legend(lang);
    let page = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                title { (title) }
                style { "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}td.n{text-align:right}" }
            }
            body {
                table {
                    @if o.title { caption { (title) } }
                    thead { tr {
                        @for &v in &sel.stub { th scope="col" { (names.variable(v, o.codes, o.texts)) } }
                        @for c in &columns { th scope="col" { (column_name(&names, &grid, c, &o)) } }
                    } }
                    tbody {
                        @for (heads, cells) in &rows {
                            tr {
                                @for h in heads { th scope="row" { (h) } }
                                @for v in cells { td.n { (v) } }
                            }
                        }
                    }
                }
                dl {
                    @if let Some(legend) = legend.as_object() {
                        @for (sym, text) in legend { dt { (sym) } dd { (text.as_str().unwrap_or_default()) } }
                    }
                }
                @for n in meta.notes(lang) { p { (n) } }
                p { (l.source) ": " (meta.source(lang)) ". " (l.updated) ": " (meta.updated) }
            }
        }
    };
    page.into_string().into_bytes()
}
