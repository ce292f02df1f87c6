//! CSV output: the stub's variables as columns of codes and/or texts, then one column per
//! combination of the heading's values (by default the measures).

use samtalebank_model::Lang;
use samtalebank_release::Table;

use crate::cells::{for_each_combination, format_value, Grid, Names};
use crate::format::FormatOptions;
use crate::selection::Selection;

/// The header of a heading column: its values' codes or texts, joined by a space.
pub(crate) fn column_name(names: &Names, grid: &Grid, col: &[usize], o: &FormatOptions) -> String {
    grid.sel
        .heading
        .iter()
        .zip(col)
        .map(|(&v, &p)| names.value(v, grid.index(v, p), o.codes && !o.texts, o.texts))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The data response as CSV.
pub fn csv_data(table: &Table, sel: &Selection, lang: Lang, o: FormatOptions) -> Vec<u8> {
    let meta = &table.meta;
    let names = Names { meta, lang };
    let mut w = csv::WriterBuilder::new()
        .delimiter(o.separator)
        .flexible(true)
        .from_writer(Vec::new());
    if o.title {
        let _ = w.write_record([meta.title(lang)]);
    }
    let mut grid = Grid::new(sel);
    let columns = grid.columns();
    let mut header: Vec<String> = Vec::new();
    for &v in &sel.stub {
        if o.codes {
            header.push(names.var_code(v).to_string());
        }
        if o.texts {
            header.push(names.var_text(v).to_string());
        }
    }
    for c in &columns {
        header.push(column_name(&names, &grid, c, &o));
    }
    let _ = w.write_record(&header);
    let mut row: Vec<String> = Vec::new();
    let row_lens = grid.row_lens.clone();
    for_each_combination(&row_lens, |r| {
        row.clear();
        for (&v, &p) in sel.stub.iter().zip(r) {
            let i = grid.index(v, p);
            if o.codes {
                row.push(names.code(v, i).to_string());
            }
            if o.texts {
                row.push(names.text(v, i).to_string());
            }
        }
        for c in &columns {
            let (coords, m) = grid.cell(r, c);
            row.push(format_value(
                table.value(coords, m),
                meta.measures[m].decimals,
                o.decimal_comma,
            ));
        }
        let _ = w.write_record(&row);
    });
    let mut out = if o.bom {
        b"\xEF\xBB\xBF".to_vec()
    } else {
        Vec::new()
    };
    out.extend(w.into_inner().unwrap_or_default());
    out
}
