//! Excel output (xlsx): codes and labels, one column per measure, a note on every value that is
//! not published, and a sheet of the table's notes.

use samtalebank_model::Lang;
use samtalebank_release::{
    Table, Value, STATUS_CONFIDENTIAL, STATUS_NOT_APPLICABLE, STATUS_NOT_YET,
};

use crate::cells::{for_each_cell, round};
use crate::jsonstat::status_legend;
use crate::selection::Selection;

/// The data response as an Excel workbook: one row per combination of the dimensions (codes and
/// labels), one column per measure; a value that is not published is an empty cell with a note
/// saying why; a second sheet holds the table's notes.
///
/// Long: The workbook's sheets in order (data, then notes), sharing formats and the cell walk.
pub fn xlsx_data(table: &Table, sel: &Selection, lang: Lang) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Note, Workbook};
    let meta = &table.meta;
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let e = |x: rust_xlsxwriter::XlsxError| x.to_string();
    let ws = wb.add_worksheet();
    ws.set_name(&meta.id).map_err(e)?;
    let mut col: u16 = 0;
    for d in &meta.dimensions {
        ws.write_string_with_format(0, col, &d.id, &bold)
            .map_err(e)?;
        ws.write_string_with_format(0, col + 1, lang.pick(&d.label_da, &d.label_en), &bold)
            .map_err(e)?;
        col += 2;
    }
    for &m in &sel.measures {
        let me = &meta.measures[m];
        let head = format!(
            "{} ({})",
            lang.pick(&me.label_da, &me.label_en),
            lang.pick(&me.unit_da, &me.unit_en)
        );
        ws.write_string_with_format(0, col, &head, &bold)
            .map_err(e)?;
        col += 1;
    }
    let legend = status_legend(lang);
    let why = |code: &str| legend[code].as_str().unwrap_or(code).to_string();
    let dims_only = Selection {
        dims: sel.dims.clone(),
        measures: vec![0],
    };
    let mut row: u32 = 1;
    let mut err: Option<String> = None;
    for_each_cell(&dims_only, |coords, _| {
        if err.is_some() {
            return;
        }
        let mut write = || -> Result<(), rust_xlsxwriter::XlsxError> {
            let mut c: u16 = 0;
            for (d, &i) in meta.dimensions.iter().zip(coords) {
                let cat = &d.categories[i];
                ws.write_string(row, c, &cat.code)?;
                ws.write_string(row, c + 1, lang.pick(&cat.label_da, &cat.label_en))?;
                c += 2;
            }
            for &m in &sel.measures {
                match table.value(coords, m) {
                    Value::Num(x) => {
                        ws.write_number(row, c, round(x, meta.measures[m].decimals))?;
                    }
                    Value::Suppressed => {
                        ws.insert_note(
                            row,
                            c,
                            &Note::new(format!(
                                "{STATUS_CONFIDENTIAL} {}",
                                why(STATUS_CONFIDENTIAL)
                            )),
                        )?;
                    }
                    Value::NotApplicable => {
                        ws.insert_note(
                            row,
                            c,
                            &Note::new(format!(
                                "{STATUS_NOT_APPLICABLE} {}",
                                why(STATUS_NOT_APPLICABLE)
                            )),
                        )?;
                    }
                    Value::NotYet => {
                        ws.insert_note(
                            row,
                            c,
                            &Note::new(format!("{STATUS_NOT_YET} {}", why(STATUS_NOT_YET))),
                        )?;
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
        return Err(x);
    }
    let notes = wb.add_worksheet();
    notes.set_name(lang.pick("Noter", "Notes")).map_err(e)?;
    notes
        .write_string_with_format(0, 0, lang.pick(&meta.title_da, &meta.title_en), &bold)
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
                lang.pick("Kilde", "Source"),
                meta.source,
                lang.pick("Opdateret", "Updated"),
                meta.updated
            ),
        )
        .map_err(e)?;
    wb.save_to_buffer().map_err(e)
}
