//! JSON-stat 2.0: the metadata of a table (no values) and the data of a selection, with
//! `status` for every value that is not a number.

use samtalebank_model::{Lang, MEASURE_VAR};
use samtalebank_release::{
    DimensionMeta, Table, TableMeta, Value, STATUS_CONFIDENTIAL, STATUS_NOT_APPLICABLE,
    STATUS_NOT_YET,
};
use serde_json::{json, Map, Value as J};

use crate::cells::{for_each_cell, round};
use crate::codelist::Codelist;
use crate::selection::Selection;

/// What the status symbols mean.
pub fn status_legend(lang: Lang) -> J {
    json!({
        STATUS_CONFIDENTIAL: crate::labels(lang).status_confidential,
        STATUS_NOT_APPLICABLE: crate::labels(lang).status_not_applicable,
        STATUS_NOT_YET: crate::labels(lang).status_not_yet,
    })
}

fn dim_json(d: &DimensionMeta, sel: Option<&[usize]>, lang: Lang, lists: &[Codelist]) -> J {
    let idx: Vec<usize> = match sel {
        Some(s) => s.to_vec(),
        None => (0..d.categories.len()).collect(),
    };
    let mut index = Map::new();
    let mut label = Map::new();
    for (pos, &i) in idx.iter().enumerate() {
        let c = &d.categories[i];
        index.insert(c.code.clone(), json!(pos));
        label.insert(c.code.clone(), json!(c.label(lang)));
    }
    let mut dim = json!({
        "label": d.label(lang),
        "category": {"index": index, "label": label},
    });
    let mut ext = json!({
        "elimination": d.total.is_some(),
        "show": if d.role == "geo" { "code_value" } else { "value" },
    });
    if let Some(t) = &d.total {
        ext["eliminationValueCode"] = json!(t);
    }
    let mine: Vec<J> = lists
        .iter()
        .filter(|c| c.variable == d.id)
        .map(|c| c.info_json(lang))
        .collect();
    if !mine.is_empty() {
        ext["codelists"] = J::Array(mine);
    }
    dim["extension"] = ext;
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
        label.insert(m.code.clone(), json!(m.label(lang)));
        unit.insert(
            m.code.clone(),
            json!({"label": m.unit(lang), "decimals": m.decimals}),
        );
    }
    json!({
        "label": crate::labels(lang).measure_var,
        "category": {"index": index, "label": label, "unit": unit},
    })
}

/// The JSON-stat 2.0 dataset skeleton (`value` empty): the metadata response, and the base of
/// data. `lists` are the codelists of the table's variables, listed in their `extension`.
pub fn jsonstat_meta(
    meta: &TableMeta,
    sel: Option<&Selection>,
    lang: Lang,
    release: &str,
    lists: &[Codelist],
) -> J {
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
            dim_json(d, sel.map(|s| s.dims[i].as_slice()), lang, lists),
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
    let stub: Vec<&str> = meta.dimensions.iter().map(|d| d.id.as_str()).collect();
    let publication = &meta.publication;
    let mut px = json!({
        "tableid": meta.id,
        "language": lang.code(),
        "contents": meta.title(lang),
        "decimals": meta.measures.iter().map(|m| m.decimals).max().unwrap_or(0),
        "matrix": meta.id,
        "subject-code": "SAMT",
        "stub": stub,
        "heading": [MEASURE_VAR],
        "official-statistics": false,
    });
    publication_px(publication, &mut px);
    let mut extension = json!({
        "px": px,
        "release": release,
        "status": status_legend(lang),
    });
    if !meta.content_hash.is_empty() {
        extension["contentHash"] = json!(meta.content_hash);
    }
    if let Some(c) = &publication.contact {
        extension["contact"] = contact_json(c);
    }
    json!({
        "version": "2.0",
        "class": "dataset",
        "label": meta.title(lang),
        "source": meta.source(lang),
        "updated": meta.updated,
        "id": ids,
        "size": size,
        "role": {"geo": geo, "time": time, "metric": [MEASURE_VAR]},
        "dimension": dimension,
        "note": meta.notes(lang),
        "value": [],
        "extension": extension,
    })
}

/// The data response as JSON-stat 2.0.
pub fn jsonstat_data(table: &Table, sel: &Selection, lang: Lang, release: &str) -> J {
    let mut ds = jsonstat_meta(&table.meta, Some(sel), lang, release, &[]);
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

/// The release calendar's next update and frequency, as `px.nextUpdate` and
/// `px.updateFrequency` (absent where the calendar says nothing).
pub fn publication_px(p: &samtalebank_release::Publication, px: &mut J) {
    if let Some(next) = &p.next_update {
        px["nextUpdate"] = json!(next);
    }
    if let Some(f) = &p.update_frequency {
        px["updateFrequency"] = json!(f);
    }
}

/// The calendar's contact as PxWeb's contact list: `name`, `organization`, `mail`, `phone`
/// (each when given) and `raw`, all of them in one line.
pub fn contact_json(c: &samtalebank_release::Contact) -> J {
    let mut contact = json!({"raw": c.raw()});
    for (key, v) in [
        ("name", &c.name),
        ("organization", &c.organisation),
        ("mail", &c.email),
        ("phone", &c.phone),
    ] {
        if !v.trim().is_empty() {
            contact[key] = json!(v.trim());
        }
    }
    json!([contact])
}
