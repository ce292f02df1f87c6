//! BENCH01 — benchmark of municipalities, from the *published* counts of SAMT01–03 (after their
//! disclosure control), so that one figure is the same in every table. Twin: `sql/BENCH01.sql`
//! (over the other twins).
//!
//! For each indicator of the registry (a share of one of the other tables), area, period and
//! benefit: the published numerator and denominator with their status. The release derives the
//! value, the national value, the rank among the 98 municipalities and the differences to the
//! country and to the rest of the country from these two counts.

use crate::EngineError;
use samtalebank_model::dims::{Category, Dimension};
use samtalebank_model::Var;
use samtalebank_tables::{CountStatus, Published, TableDef};

/// The indicator dimension, from the registry and its text.
fn indicator_dim(def: &TableDef) -> Dimension {
    let text = def.text();
    Dimension {
        id: Var::Indikator.code().into(),
        label_da: "indikator".into(),
        label_en: "indicator".into(),
        categories: def
            .indicators()
            .iter()
            .map(|i| {
                let t = &text.indicators[i.code];
                Category {
                    code: i.code.to_string(),
                    label_da: t.da.clone(),
                    label_en: t.en.clone(),
                }
            })
            .collect(),
        total: None,
        leaf_to_published: Vec::new(),
    }
}

/// BENCH01 from the published source tables. Areas, periods and benefits are the first
/// source's (SAMT01's); a period a source lacks gets zeros there. `None` without SAMT01.
pub fn bench01(def: &'static TableDef, sources: &[&Published]) -> Result<Published, EngineError> {
    let missing = EngineError::MissingSource;
    let source = |id: &str| sources.iter().find(|p| p.def.id == id).copied();
    let first = def
        .indicators()
        .first()
        .and_then(|i| source(i.table))
        .ok_or_else(|| missing("BENCH01 needs its first indicator's table".into()))?;
    let dim = |p: &Published, v: Var| -> Result<usize, EngineError> {
        p.def
            .var(v)
            .ok_or_else(|| missing(format!("{} has no variable {}", p.def.id, v.code())))
    };
    let area = first.dims[dim(first, Var::Omraade)?].clone();
    let tid = first.dims[dim(first, Var::Tid)?].clone();
    let ydelse = first.dims[dim(first, Var::Ydelse)?].clone();
    let (ni, na, nt, ny) = (def.indicators().len(), area.len(), tid.len(), ydelse.len());
    let cells = ni * na * nt * ny;
    let mut counts = vec![0u32; cells * 2];
    let mut status = vec![CountStatus::Published; cells * 2];
    for (i, ind) in def.indicators().iter().enumerate() {
        let Some(src) = source(ind.table) else {
            continue;
        };
        let (num, den) = (
            src.count(ind.num)
                .ok_or_else(|| missing(format!("{} has no count {}", ind.table, ind.num)))?,
            src.count(ind.den)
                .ok_or_else(|| missing(format!("{} has no count {}", ind.table, ind.den)))?,
        );
        let (sa, st, sy) = (
            dim(src, Var::Omraade)?,
            dim(src, Var::Tid)?,
            dim(src, Var::Ydelse)?,
        );
        // Every other variable of the source at its total (or the indicator's fixed code).
        let mut base: Vec<usize> = Vec::with_capacity(src.dims.len());
        for (d, dm) in src.dims.iter().enumerate() {
            let fixed = ind
                .fixed
                .iter()
                .find(|(v, _)| src.def.vars[d] == *v)
                .map(|(_, c)| *c);
            base.push(match fixed {
                Some(code) => dm
                    .position(code)
                    .ok_or_else(|| missing(format!("{}: no {} '{code}'", src.def.id, dm.id)))?,
                None => dm.total.unwrap_or(0),
            });
        }
        let k = src.stride();
        for (t, cat) in tid.categories.iter().enumerate() {
            let Some(t2) = src.dims[st].position(&cat.code) else {
                continue;
            };
            for a in 0..na {
                for y in 0..ny {
                    let mut coords = base.clone();
                    coords[sa] = a;
                    coords[st] = t2;
                    coords[sy] = y;
                    let from = src.index(&coords) * k;
                    let to = (((i * na + a) * nt + t) * ny + y) * 2;
                    for (j, c) in [num, den].into_iter().enumerate() {
                        counts[to + j] = src.counts[from + c];
                        status[to + j] = src.status[from + c];
                    }
                }
            }
        }
    }
    Ok(Published {
        def,
        dims: vec![indicator_dim(def), area, tid, ydelse],
        counts,
        status,
        numbers: Vec::new(),
        report: Default::default(),
        note: Default::default(),
        notes: Vec::new(),
        nesting: None,
    })
}
