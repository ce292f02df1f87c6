//! HTML output: a standalone page with one table, the stub's variables down, the heading's
//! combinations across, a status symbol where a value is not published, and the legend.

use samtalebank_model::Lang;
use samtalebank_release::Table;

use crate::cells::{for_each_combination, format_value, Grid, Names};
use crate::csv::column_name;
use crate::format::FormatOptions;
use crate::jsonstat::status_legend;
use crate::selection::Selection;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The data response as an HTML page.
pub fn html_data(table: &Table, sel: &Selection, lang: Lang, o: FormatOptions) -> Vec<u8> {
    let meta = &table.meta;
    let names = Names { meta, lang };
    let mut grid = Grid::new(sel);
    let columns = grid.columns();
    let title = esc(meta.title(lang));
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 6px}}td.n{{text-align:right}}</style></head><body>\n<table>\n",
        lang.code()
    );
    if o.title {
        h.push_str(&format!("<caption>{title}</caption>\n"));
    }
    h.push_str("<thead><tr>");
    for &v in &sel.stub {
        h.push_str(&format!(
            "<th scope=\"col\">{}</th>",
            esc(&names.variable(v, o.codes, o.texts))
        ));
    }
    for c in &columns {
        h.push_str(&format!(
            "<th scope=\"col\">{}</th>",
            esc(&column_name(&names, &grid, c, &o))
        ));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let row_lens = grid.row_lens.clone();
    for_each_combination(&row_lens, |r| {
        h.push_str("<tr>");
        for (&v, &p) in sel.stub.iter().zip(r) {
            let i = grid.index(v, p);
            h.push_str(&format!(
                "<th scope=\"row\">{}</th>",
                esc(&names.value(v, i, o.codes, o.texts))
            ));
        }
        for c in &columns {
            let (coords, m) = grid.cell(r, c);
            let text = format_value(
                table.value(coords, m),
                meta.measures[m].decimals,
                lang == Lang::Da,
            );
            h.push_str(&format!("<td class=\"n\">{}</td>", esc(&text)));
        }
        h.push_str("</tr>\n");
    });
    h.push_str("</tbody>\n</table>\n<dl>");
    if let Some(legend) = status_legend(lang).as_object() {
        for (sym, text) in legend {
            h.push_str(&format!(
                "<dt>{}</dt><dd>{}</dd>",
                esc(sym),
                esc(text.as_str().unwrap_or_default())
            ));
        }
    }
    h.push_str("</dl>\n");
    for n in meta.notes(lang) {
        h.push_str(&format!("<p>{}</p>\n", esc(n)));
    }
    h.push_str(&format!(
        "<p>{}: {}. {}: {}</p>\n</body></html>\n",
        lang.pick("Kilde", "Source"),
        esc(&meta.source),
        lang.pick("Opdateret", "Updated"),
        esc(&meta.updated)
    ));
    h.into_bytes()
}
