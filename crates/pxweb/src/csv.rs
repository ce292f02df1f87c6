//! CSV output: one row per combination of the dimensions, one column per measure.

use samtalebank_model::Lang;
use samtalebank_release::Table;

use crate::cells::{for_each_cell, format_value};
use crate::selection::Selection;

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
