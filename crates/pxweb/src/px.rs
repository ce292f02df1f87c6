//! PC-Axis (PX) output, the file format of PX-Win and the statistics-bank tools: keywords with
//! the table's texts, the stub's and heading's values with their codes, the measures as the
//! content variable (`CONTVARIABLE`) with their units and decimals, then `DATA` in stub-major
//! order. A value that is not published is its quoted status symbol (`".."`, `"."`, `"-"`), as
//! the format writes missing values. Text is UTF-8 (`CODEPAGE="utf-8"`).

use samtalebank_model::Lang;
use samtalebank_release::Table;

use crate::cells::{for_each_combination, format_value, Grid, Names};
use crate::jsonstat::status_legend;
use crate::selection::Selection;

/// A PX string: double quotes are not allowed inside, so they become single quotes.
fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "'").replace(['\r', '\n'], " "))
}

/// `KEY=item,item,…;` with line breaks between items, keeping lines short.
fn list(out: &mut String, key: &str, items: impl IntoIterator<Item = String>) {
    let mut line = format!("{key}=");
    let mut first = true;
    for item in items {
        if !first {
            line.push(',');
            if line.len() + item.len() > 200 {
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
        }
        line.push_str(&item);
        first = false;
    }
    out.push_str(&line);
    out.push_str(";\n");
}

/// The data response as a PX file.
pub fn px_data(table: &Table, sel: &Selection, lang: Lang) -> Vec<u8> {
    let meta = &table.meta;
    let names = Names { meta, lang };
    let nd = sel.dims.len();
    let mut grid = Grid::new(sel);
    let created = px_date(&meta.updated);
    let decimals = sel
        .measures
        .iter()
        .map(|&m| meta.measures[m].decimals)
        .max()
        .unwrap_or(0);
    let mut o = String::new();
    o.push_str("CHARSET=\"ANSI\";\nAXIS-VERSION=\"2013\";\nCODEPAGE=\"utf-8\";\n");
    o.push_str(&format!("LANGUAGE={};\n", q(lang.code())));
    o.push_str(&format!("CREATION-DATE={};\n", q(&created)));
    if let Some(next) = meta
        .publication
        .next_update
        .as_deref()
        .and_then(|n| chrono::DateTime::parse_from_rfc3339(n).ok())
    {
        // The PX format's date and time: CCYYMMDD hh:mm.
        let next = next.format("%Y%m%d %H:%M").to_string();
        o.push_str(&format!("NEXT-UPDATE={};\n", q(&next)));
    }
    if let Some(f) = &meta.publication.update_frequency {
        o.push_str(&format!("UPDATE-FREQUENCY={};\n", q(f)));
    }
    o.push_str(&format!("DECIMALS={decimals};\nSHOWDECIMALS={decimals};\n"));
    o.push_str(&format!("MATRIX={};\n", q(&meta.id)));
    o.push_str(&format!("TABLEID={};\n", q(&meta.id)));
    o.push_str(&format!("SUBJECT-CODE={};\n", q("SAMT")));
    o.push_str(&format!(
        "SUBJECT-AREA={};\n",
        q(crate::labels(lang).subject)
    ));
    let by: Vec<&str> = (0..nd).map(|v| names.var_text(v)).collect();
    o.push_str(&format!(
        "TITLE={};\n",
        q(&format!(
            "{} {} {}",
            meta.title(lang),
            crate::labels(lang).by,
            by.join(", ")
        ))
    ));
    o.push_str(&format!("CONTENTS={};\n", q(meta.title(lang))));
    let first = &meta.measures[sel.measures[0]];
    o.push_str(&format!("UNITS={};\n", q(first.unit(lang))));
    list(
        &mut o,
        "STUB",
        sel.stub.iter().map(|&v| q(names.var_text(v))),
    );
    list(
        &mut o,
        "HEADING",
        sel.heading.iter().map(|&v| q(names.var_text(v))),
    );
    let content = q(names.var_text(nd));
    o.push_str(&format!("CONTVARIABLE={content};\n"));
    for v in sel.stub.iter().chain(&sel.heading).copied() {
        let var = q(names.var_text(v));
        let idx: Vec<usize> = (0..sel.len_of(v)).map(|p| grid.index(v, p)).collect();
        list(
            &mut o,
            &format!("VALUES({var})"),
            idx.iter().map(|&i| q(names.text(v, i))),
        );
        list(
            &mut o,
            &format!("CODES({var})"),
            idx.iter().map(|&i| q(names.code(v, i))),
        );
        o.push_str(&format!("VARIABLECODE({var})={};\n", q(names.var_code(v))));
        if let Some(d) = meta.dimensions.get(v) {
            if let Some(t) = d.total_index() {
                o.push_str(&format!(
                    "ELIMINATION({var})={};\n",
                    q(d.categories[t].label(lang))
                ));
            }
        }
    }
    for &m in &sel.measures {
        let me = &meta.measures[m];
        let value = q(me.label(lang));
        o.push_str(&format!("PRECISION({content},{value})={};\n", me.decimals));
        o.push_str(&format!("UNITS({value})={};\n", q(me.unit(lang))));
        o.push_str(&format!("LAST-UPDATED({value})={};\n", q(&created)));
        let contact = meta
            .publication
            .contact
            .as_ref()
            .map(|c| c.raw())
            .unwrap_or_else(|| "Samtalebank".into());
        o.push_str(&format!("CONTACT({value})={};\n", q(&contact)));
    }
    o.push_str(&format!("SOURCE={};\n", q(meta.source(lang))));
    let mut notes: Vec<String> = meta.notes(lang).to_vec();
    if let Some(legend) = status_legend(lang).as_object() {
        for (sym, text) in legend {
            notes.push(format!("{sym} {}", text.as_str().unwrap_or_default()));
        }
    }
    o.push_str(&format!("NOTE={};\n", q(&notes.join(" "))));
    o.push_str("DATA=\n");
    let columns = grid.columns();
    let row_lens = grid.row_lens.clone();
    for_each_combination(&row_lens, |r| {
        let mut line = Vec::with_capacity(columns.len());
        for c in &columns {
            let (coords, m) = grid.cell(r, c);
            let v = table.value(coords, m);
            line.push(match v.symbol() {
                Some(sym) => q(sym),
                None => format_value(v, meta.measures[m].decimals, false),
            });
        }
        o.push_str(&line.join(" "));
        o.push('\n');
    });
    o.push_str(";\n");
    o.into_bytes()
}

/// `2026-12-03T07:30:00Z` → `20261203 07:30` (the PX date form, in UTC); unreadable text is
/// left out.
fn px_date(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|d| {
            d.with_timezone(&chrono::Utc)
                .format("%Y%m%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_written_in_the_px_form() {
        assert_eq!(super::px_date("2026-12-03T07:30:00Z"), "20261203 07:30");
        assert_eq!(
            super::px_date("2026-12-03T08:30:00+01:00"),
            "20261203 07:30"
        );
        assert_eq!(super::px_date("not a date"), "");
    }
}
