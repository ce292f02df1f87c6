//! Excel output (xlsx): codes and labels, one column per measure, a note on every value that is
//! not published, and a sheet of the table's notes.

use samtalebank_model::Lang;
use samtalebank_release::{Table, Value};

use crate::cells::{for_each_combination, round, Grid, Names};
use crate::csv::column_name;
use crate::format::FormatOptions;
use crate::jsonstat::status_legend;
use crate::selection::Selection;

/// The data response as an Excel workbook: the stub's variables as columns (codes and labels,
/// unless the options ask for one of them), one column per combination of the heading's values
/// (by default the measures, with their units); a value that is not published is an empty cell
/// with a note saying why; a second sheet holds the table's notes.
///
/// Long: The workbook's sheets in order (data, then notes), sharing formats and the cell walk.
pub fn xlsx_data(
    table: &Table,
    sel: &Selection,
    lang: Lang,
    o: FormatOptions,
) -> Result<Vec<u8>, crate::Problem> {
    use rust_xlsxwriter::{Format, Note, Workbook};
    let meta = &table.meta;
    let names = Names { meta, lang };
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let e = |x: rust_xlsxwriter::XlsxError| {
        crate::Problem::internal("Excel output failed", x.to_string())
    };
    let ws = wb.add_worksheet();
    ws.set_name(&meta.id).map_err(e)?;
    let mut grid = Grid::new(sel);
    let columns = grid.columns();
    let mut head_row: u32 = 0;
    if o.title {
        // The title with the selection: the values of every variable with one value.
        ws.write_string_with_format(0, 0, crate::selection_title(meta, sel, lang), &bold)
            .map_err(e)?;
        head_row = 2;
    }
    let mut col: u16 = 0;
    for &v in &sel.stub {
        if o.codes {
            ws.write_string_with_format(head_row, col, names.var_code(v), &bold)
                .map_err(e)?;
            col += 1;
        }
        if o.texts {
            ws.write_string_with_format(head_row, col, names.var_text(v), &bold)
                .map_err(e)?;
            col += 1;
        }
    }
    let measures_only = sel.heading == [sel.dims.len()];
    for c in &columns {
        let mut head = column_name(&names, &grid, c, &o);
        if measures_only {
            let me = &meta.measures[grid.index(sel.dims.len(), c[0])];
            head = format!("{head} ({})", me.unit(lang));
        }
        ws.write_string_with_format(head_row, col, &head, &bold)
            .map_err(e)?;
        col += 1;
    }
    let legend = status_legend(lang);
    let why = |code: &str| legend[code].as_str().unwrap_or(code).to_string();
    let mut row: u32 = head_row + 1;
    let mut err: Option<String> = None;
    let row_lens = grid.row_lens.clone();
    for_each_combination(&row_lens, |r| {
        if err.is_some() {
            return;
        }
        let mut write = || -> Result<(), rust_xlsxwriter::XlsxError> {
            let mut c: u16 = 0;
            for (&v, &p) in sel.stub.iter().zip(r) {
                let i = grid.index(v, p);
                if o.codes {
                    ws.write_string(row, c, names.code(v, i))?;
                    c += 1;
                }
                if o.texts {
                    ws.write_string(row, c, names.text(v, i))?;
                    c += 1;
                }
            }
            for col in &columns {
                let (coords, m) = grid.cell(r, col);
                let v = table.value(coords, m);
                match v {
                    Value::Num(x) => {
                        ws.write_number(row, c, round(x, meta.measures[m].decimals))?;
                    }
                    other => {
                        let sym = other.symbol().unwrap_or_default();
                        ws.insert_note(row, c, &Note::new(format!("{sym} {}", why(sym))))?;
                    }
                }
                c += 1;
            }
            Ok(())
        };
        if let Err(x) = write() {
            err = Some(x.to_string());
        }
        row += 1;
    });
    if let Some(x) = err {
        return Err(crate::Problem::internal("Excel output failed", x));
    }
    let notes = wb.add_worksheet();
    notes.set_name(crate::labels(lang).notes).map_err(e)?;
    notes
        .write_string_with_format(0, 0, meta.title(lang), &bold)
        .map_err(e)?;
    let mut r = 2;
    for n in match lang {
        Lang::Da => &meta.notes_da,
        Lang::En => &meta.notes_en,
    } {
        notes.write_string(r, 0, n).map_err(e)?;
        r += 1;
    }
    notes
        .write_string(
            r + 1,
            0,
            format!(
                "{}: {}. {}: {}",
                crate::labels(lang).source,
                meta.source(lang),
                crate::labels(lang).updated,
                meta.updated
            ),
        )
        .map_err(e)?;
    wb.save_to_buffer().map_err(e)
}
