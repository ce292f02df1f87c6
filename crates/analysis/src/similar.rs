//! The municipalities most like a given one, by benefit-group mix and size.

use samtalebank_model::{is_kommune, vocab, Var};
use samtalebank_release::{Table, Value};

/// The `n` municipalities most like `kommune` (an area index of SAMT01): the distance over the
/// shares of conversations per benefit group plus a quarter of the difference in
/// log(conversations), from SAMT01 for `year` (published counts; a count that is not published
/// counts as 0). Ties by area order.
pub fn similar(samt01: &Table, kommune: usize, year: &str, n: usize) -> crate::Result<Vec<usize>> {
    let meta = &samt01.meta;
    let (area_dim, area) = meta.require(Var::Omraade)?;
    let (tid, tid_meta) = meta.require(Var::Tid)?;
    let (yd, ydelse) = meta.require(Var::Ydelse)?;
    let antal = meta
        .measures
        .iter()
        .position(|m| m.code == "antal")
        .ok_or_else(|| crate::AnalysisError::Release("SAMT01 has no antal".into()))?;
    let Some(t) = tid_meta.position(year) else {
        return Ok(Vec::new());
    };
    let groups: Vec<usize> = ydelse
        .categories
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            vocab().ydelser.groups.lookup(&c.code).is_some()
                && Some(c.code.as_str()) != ydelse.total.as_deref()
        })
        .map(|(i, _)| i)
        .collect();
    let totals: Vec<usize> = meta
        .dimensions
        .iter()
        .map(|d| d.total_index().unwrap_or(0))
        .collect();
    let features = |a: usize| -> Vec<f64> {
        let mut coords = totals.clone();
        coords[area_dim] = a;
        coords[tid] = t;
        let n = |c: &[usize]| match samt01.value(c, antal) {
            Value::Num(x) => x,
            _ => 0.0,
        };
        let total = n(&coords).max(1.0);
        let mut f: Vec<f64> = groups
            .iter()
            .map(|&g| {
                coords[yd] = g;
                n(&coords) / total
            })
            .collect();
        f.push(0.25 * total.ln());
        f
    };
    let me = features(kommune);
    let mut d: Vec<(f64, usize)> = area
        .categories
        .iter()
        .enumerate()
        .filter(|(i, c)| *i != kommune && is_kommune(&c.code))
        .map(|(i, _)| {
            let dist = features(i)
                .iter()
                .zip(&me)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>();
            (dist, i)
        })
        .collect();
    d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    Ok(d.into_iter().take(n).map(|x| x.1).collect())
}
