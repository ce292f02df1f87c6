//! Rendering a selection: JSON-stat 2.0 (with `status` for suppressed cells) and CSV.

use samtalebank_model::Lang;
use samtalebank_release::{DimensionMeta, TableMeta};
use samtalebank_release::{
    Table, Value, STATUS_CONFIDENTIAL, STATUS_NOT_APPLICABLE, STATUS_NOT_YET,
};
use serde_json::{json, Map, Value as J};

use crate::selection::{Selection, MEASURE_VAR};

pub fn status_legend(lang: Lang) -> J {
    json!({
        STATUS_CONFIDENTIAL: lang.pick("Diskretioneret: færre end grænseværdien, beregnet af et sådant tal, eller skjult for at beskytte et sådant tal", "Confidential: below the threshold, computed from such a count, or hidden to protect one"),
        STATUS_NOT_APPLICABLE: lang.pick("Kan ikke beregnes (nævneren er 0)", "Not applicable (the denominator is 0)"),
        STATUS_NOT_YET: lang.pick("Ikke tilgængelig endnu: periodens forløb kan endnu ikke følges længe nok", "Not yet available: the period's spells cannot yet be followed long enough"),
    })
}

fn dim_json(d: &DimensionMeta, sel: Option<&[usize]>, lang: Lang) -> J {
    let idx: Vec<usize> = match sel {
        Some(s) => s.to_vec(),
        None => (0..d.categories.len()).collect(),
    };
    let mut index = Map::new();
    let mut label = Map::new();
    for (pos, &i) in idx.iter().enumerate() {
        let c = &d.categories[i];
        index.insert(c.code.clone(), json!(pos));
        label.insert(c.code.clone(), json!(lang.pick(&c.label_da, &c.label_en)));
    }
    let mut dim = json!({
        "label": lang.pick(&d.label_da, &d.label_en),
        "category": {"index": index, "label": label},
    });
    if let Some(t) = &d.total {
        dim["extension"] = json!({"elimination": true, "eliminationValueCode": t});
    }
    dim
}

fn measure_json(meta: &TableMeta, sel: Option<&[usize]>, lang: Lang) -> J {
    let idx: Vec<usize> = match sel {
        Some(s) => s.to_vec(),
        None => (0..meta.measures.len()).collect(),
    };
    let mut index = Map::new();
    let mut label = Map::new();
    let mut unit = Map::new();
    for (pos, &i) in idx.iter().enumerate() {
        let m = &meta.measures[i];
        index.insert(m.code.clone(), json!(pos));
        label.insert(m.code.clone(), json!(lang.pick(&m.label_da, &m.label_en)));
        unit.insert(
            m.code.clone(),
            json!({"label": lang.pick(&m.unit_da, &m.unit_en), "decimals": m.decimals}),
        );
    }
    json!({
        "label": lang.pick("mål", "measure"),
        "category": {"index": index, "label": label, "unit": unit},
    })
}

/// The JSON-stat 2.0 dataset skeleton (no values): the metadata response, and the base of data.
pub fn jsonstat_meta(meta: &TableMeta, sel: Option<&Selection>, lang: Lang, release: &str) -> J {
    let mut ids: Vec<String> = meta.dimensions.iter().map(|d| d.id.clone()).collect();
    ids.push(MEASURE_VAR.into());
    let mut size: Vec<usize> = match sel {
        Some(s) => s.dims.iter().map(Vec::len).collect(),
        None => meta.dimensions.iter().map(|d| d.categories.len()).collect(),
    };
    size.push(sel.map(|s| s.measures.len()).unwrap_or(meta.measures.len()));
    let mut dimension = Map::new();
    for (i, d) in meta.dimensions.iter().enumerate() {
        dimension.insert(
            d.id.clone(),
            dim_json(d, sel.map(|s| s.dims[i].as_slice()), lang),
        );
    }
    dimension.insert(
        MEASURE_VAR.into(),
        measure_json(meta, sel.map(|s| s.measures.as_slice()), lang),
    );
    let geo: Vec<&str> = meta
        .dimensions
        .iter()
        .filter(|d| d.role == "geo")
        .map(|d| d.id.as_str())
        .collect();
    let time: Vec<&str> = meta
        .dimensions
        .iter()
        .filter(|d| d.role == "time")
        .map(|d| d.id.as_str())
        .collect();
    json!({
        "version": "2.0",
        "class": "dataset",
        "label": lang.pick(&meta.title_da, &meta.title_en),
        "source": meta.source,
        "updated": meta.updated,
        "id": ids,
        "size": size,
        "role": {"geo": geo, "time": time, "metric": [MEASURE_VAR]},
        "dimension": dimension,
        "note": match lang { Lang::Da => &meta.notes_da, Lang::En => &meta.notes_en },
        "extension": {
            "px": {"tableid": meta.id, "language": lang.code()},
            "release": release,
            "status": status_legend(lang),
        },
    })
}

/// Call `f(coords, measure_index)` for every selected cell, in JSON-stat order (last varies fastest).
pub fn for_each_cell(sel: &Selection, mut f: impl FnMut(&[usize], usize)) {
    let nd = sel.dims.len();
    let mut pos = vec![0usize; nd];
    let mut coords: Vec<usize> = sel.dims.iter().map(|d| d[0]).collect();
    loop {
        for &m in &sel.measures {
            f(&coords, m);
        }
        let mut d = nd;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            pos[d] += 1;
            if pos[d] < sel.dims[d].len() {
                coords[d] = sel.dims[d][pos[d]];
                break;
            }
            pos[d] = 0;
            coords[d] = sel.dims[d][0];
        }
    }
}

pub fn round(x: f64, decimals: u8) -> f64 {
    let p = 10f64.powi(i32::from(decimals));
    (x * p).round() / p
}

/// The data response as JSON-stat 2.0.
pub fn jsonstat_data(table: &Table, sel: &Selection, lang: Lang, release: &str) -> J {
    let mut ds = jsonstat_meta(&table.meta, Some(sel), lang, release);
    let mut values = Vec::with_capacity(sel.cells() as usize);
    let mut status = Map::new();
    let mut i = 0usize;
    for_each_cell(sel, |coords, m| {
        let dec = table.meta.measures[m].decimals;
        match table.value(coords, m) {
            Value::Num(x) if dec == 0 => values.push(json!(x.round() as i64)),
            Value::Num(x) => values.push(json!(round(x, dec))),
            Value::Suppressed => {
                values.push(J::Null);
                status.insert(i.to_string(), json!(STATUS_CONFIDENTIAL));
            }
            Value::NotApplicable => {
                values.push(J::Null);
                status.insert(i.to_string(), json!(STATUS_NOT_APPLICABLE));
            }
            Value::NotYet => {
                values.push(J::Null);
                status.insert(i.to_string(), json!(STATUS_NOT_YET));
            }
        }
        i += 1;
    });
    ds["value"] = J::Array(values);
    if !status.is_empty() {
        ds["status"] = J::Object(status);
    }
    ds
}

/// CSV options (PxWeb `outputFormatParams`).
#[derive(Debug, Clone, Copy)]
pub struct CsvOptions {
    pub codes: bool,
    pub texts: bool,
    pub separator: u8,
    pub decimal_comma: bool,
    pub bom: bool,
}

impl CsvOptions {
    pub fn parse(params: Option<&str>) -> CsvOptions {
        let mut o = CsvOptions {
            codes: true,
            texts: false,
            separator: b',',
            decimal_comma: false,
            bom: false,
        };
        for p in params
            .unwrap_or("")
            .split(',')
            .map(|p| p.trim().to_ascii_lowercase())
        {
            match p.as_str() {
                "usecodes" => (o.codes, o.texts) = (true, false),
                "usetexts" => (o.codes, o.texts) = (false, true),
                "usecodesandtexts" => (o.codes, o.texts) = (true, true),
                "separatortab" => o.separator = b'\t',
                "separatorsemicolon" => o.separator = b';',
                "separatorcomma" => o.separator = b',',
                "decimalcomma" => o.decimal_comma = true,
                "includebom" | "bom" => o.bom = true,
                _ => {}
            }
        }
        o
    }
}

pub fn format_value(v: Value, decimals: u8, decimal_comma: bool) -> String {
    match v {
        Value::Num(x) => {
            let s = format!("{:.*}", decimals as usize, round(x, decimals));
            if decimal_comma {
                s.replace('.', ",")
            } else {
                s
            }
        }
        Value::Suppressed => STATUS_CONFIDENTIAL.into(),
        Value::NotApplicable => STATUS_NOT_APPLICABLE.into(),
        Value::NotYet => STATUS_NOT_YET.into(),
    }
}

/// The data response as CSV: one row per combination of the dimensions, one column per measure.
pub fn csv_data(table: &Table, sel: &Selection, lang: Lang, o: CsvOptions) -> Vec<u8> {
    let meta = &table.meta;
    let mut w = csv::WriterBuilder::new()
        .delimiter(o.separator)
        .from_writer(Vec::new());
    let mut header: Vec<String> = Vec::new();
    for d in &meta.dimensions {
        if o.codes {
            header.push(d.id.clone());
        }
        if o.texts {
            header.push(lang.pick(&d.label_da, &d.label_en).to_string());
        }
    }
    for &m in &sel.measures {
        let me = &meta.measures[m];
        header.push(if o.texts && !o.codes {
            lang.pick(&me.label_da, &me.label_en).to_string()
        } else {
            me.code.clone()
        });
    }
    let _ = w.write_record(&header);
    let dims_only = Selection {
        dims: sel.dims.clone(),
        measures: vec![0],
    };
    let mut row: Vec<String> = Vec::new();
    for_each_cell(&dims_only, |coords, _| {
        row.clear();
        for (d, &c) in meta.dimensions.iter().zip(coords) {
            let cat = &d.categories[c];
            if o.codes {
                row.push(cat.code.clone());
            }
            if o.texts {
                row.push(lang.pick(&cat.label_da, &cat.label_en).to_string());
            }
        }
        for &m in &sel.measures {
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

/// The data response as an Excel workbook: one row per combination of the dimensions (codes and
/// labels), one column per measure; a value that is not published is an empty cell with a note
/// saying why; a second sheet holds the table's notes.
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
