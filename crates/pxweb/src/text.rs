//! A table for the terminal (`samtalebank query --format table`): the CSV layout with texts,
//! columns aligned, numbers right-aligned.

use samtalebank_model::Lang;
use samtalebank_release::Table;

use crate::format::{FormatOptions, OutputFormat};
use crate::selection::Selection;

/// The selection as aligned text.
pub fn text_table(table: &Table, sel: &Selection, lang: Lang) -> String {
    let o = FormatOptions {
        texts: true,
        ..FormatOptions::defaults(OutputFormat::Csv)
    };
    let csv = crate::csv::csv_data(table, sel, lang, o);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.as_slice());
    let rows: Vec<Vec<String>> = r
        .records()
        .filter_map(Result::ok)
        .map(|rec| rec.iter().map(str::to_string).collect())
        .collect();
    let ncol = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut width = vec![0usize; ncol];
    for row in &rows {
        for (i, c) in row.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let stub_cols = sel.stub.len() * 2;
    let mut out = format!("{} ({})\n", table.meta.title(lang), table.meta.id);
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i < stub_cols {
                    format!("{c:<w$}", w = width[i])
                } else {
                    format!("{c:>w$}", w = width[i])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
