//! `json-px`: the JSON format of the PxWeb API version 1, which older clients read: `columns`
//! (each dimension `d`, time `t`, each measure `c` with its unit), `data` rows of a `key` (the
//! dimension codes) and `values` (the measures, as text; a status symbol where a value is not
//! published), `comments` and `metadata`.

use samtalebank_model::Lang;
use samtalebank_release::Table;
use serde_json::{json, Value as J};

use crate::cells::{for_each_combination, format_value, Names};
use crate::selection::Selection;

/// The data response as json-px.
pub fn json_px_data(table: &Table, sel: &Selection, lang: Lang) -> J {
    let meta = &table.meta;
    let names = Names { meta, lang };
    let nd = sel.dims.len();
    let mut columns: Vec<J> = meta
        .dimensions
        .iter()
        .map(|d| {
            json!({"code": d.id, "text": d.label(lang), "type": if d.is_time() { "t" } else { "d" }})
        })
        .collect();
    for &m in &sel.measures {
        let me = &meta.measures[m];
        columns.push(json!({
            "code": me.code,
            "text": names.text(nd, m),
            "type": "c",
            "unit": me.unit(lang),
        }));
    }
    let lens: Vec<usize> = sel.dims.iter().map(Vec::len).collect();
    let mut data = Vec::new();
    let mut coords = vec![0usize; nd];
    for_each_combination(&lens, |p| {
        for (d, &i) in p.iter().enumerate() {
            coords[d] = sel.dims[d][i];
        }
        let key: Vec<&str> = coords
            .iter()
            .enumerate()
            .map(|(d, &i)| names.code(d, i))
            .collect();
        let values: Vec<String> = sel
            .measures
            .iter()
            .map(|&m| format_value(table.value(&coords, m), meta.measures[m].decimals, false))
            .collect();
        data.push(json!({"key": key, "values": values}));
    });
    json!({
        "columns": columns,
        "comments": [],
        "data": data,
        "metadata": [{
            "infofile": "None",
            "updated": meta.updated,
            "label": meta.title(lang),
            "source": meta.source(lang),
        }],
    })
}
