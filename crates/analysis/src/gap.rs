//! Groups of municipalities and the gap between a group and the rest of the country over time,
//! from BENCH01's published numerators and denominators.
//!
//! A group is a list of municipality codes, or a rule `lowest:N:INDICATOR:PERIOD` /
//! `highest:N:INDICATOR:PERIOD` (e.g. `lowest:15:pct13:2019M11`: the 15 municipalities with the
//! lowest 13-week timeliness in November 2019, among those with a published value, all benefits).
//! Only published counts are summed: if any member's count is suppressed in a period, the
//! group's value for that period is suppressed too, so nothing hidden can be recovered.

use std::collections::BTreeMap;
use std::path::Path;

use samtalebank_model::{dims::COUNTRY, is_kommune, PeriodKind, Var};
use samtalebank_release::{Table, Value};

use crate::{bad, AnalysisError, Result};

/// One point of a gap series.
#[derive(Debug, Clone, PartialEq)]
pub struct GapPoint {
    pub tid: String,
    pub group: Value,
    pub rest: Value,
    /// group − rest, percentage points.
    pub gap: Value,
}

/// Saved groups: `groups.json` beside the releases (name → definition). A missing file is no
/// groups; a file that cannot be read is an error (so that saving never overwrites it).
pub fn load_groups(releases: &Path) -> Result<BTreeMap<String, String>> {
    let path = releases.join("groups.json");
    let err = |e: String| AnalysisError::Groups(format!("{}: {e}", path.display()));
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b).map_err(|e| err(e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(err(e.to_string())),
    }
}

/// Save a group under `name` (written atomically with the others).
pub fn save_group(releases: &Path, name: &str, definition: &str) -> Result<()> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return Err(bad(format!(
            "group name '{name}': use letters, digits, - and _"
        )));
    }
    let mut g = load_groups(releases)?;
    g.insert(name.to_string(), definition.to_string());
    let bytes = serde_json::to_vec_pretty(&g).map_err(|e| AnalysisError::Groups(e.to_string()))?;
    samtalebank_files::write_atomic(&releases.join("groups.json"), &bytes, 0o644)
        .map_err(|e| AnalysisError::Groups(e.to_string()))
}

fn dim(t: &Table, v: Var) -> Result<usize> {
    Ok(t.meta.require(v)?.0)
}

fn code_index(t: &Table, d: usize, code: &str) -> Result<usize> {
    let dm = &t.meta.dimensions[d];
    dm.categories
        .iter()
        .position(|c| c.code.eq_ignore_ascii_case(code))
        .ok_or_else(|| bad(format!("unknown {} '{code}'", dm.id)))
}

/// Resolve a group definition (codes, a rule, or `@name` of a saved group) to area indices.
pub fn resolve(
    bench: &Table,
    definition: &str,
    saved: &BTreeMap<String, String>,
) -> Result<Vec<usize>> {
    let def = match definition.strip_prefix('@') {
        Some(name) => saved
            .get(name)
            .ok_or_else(|| bad(format!("no saved group '{name}'")))?
            .as_str(),
        None => definition,
    };
    let area = dim(bench, Var::Omraade)?;
    let is_kommune = |i: usize| is_kommune(&bench.meta.dimensions[area].categories[i].code);
    let parts: Vec<&str> = def.split(':').collect();
    if parts.len() == 4 && (parts[0] == "lowest" || parts[0] == "highest") {
        let n: usize = parts[1].parse().ok().filter(|&n| n >= 1).ok_or_else(|| {
            bad(format!(
                "'{def}': expected a number of municipalities, at least 1"
            ))
        })?;
        let (ind, tid, yd) = (
            dim(bench, Var::Indikator)?,
            dim(bench, Var::Tid)?,
            dim(bench, Var::Ydelse)?,
        );
        let mut coords = vec![0usize; 4];
        coords[ind] = code_index(bench, ind, parts[2])?;
        coords[tid] = code_index(bench, tid, parts[3])?;
        coords[yd] = bench.meta.dimensions[yd]
            .total_index()
            .ok_or_else(|| AnalysisError::Release("BENCH01's ydelse has no total".into()))?;
        let mut vals: Vec<(f64, usize)> = (0..bench.shape()[area])
            .filter(|&a| is_kommune(a))
            .filter_map(|a| {
                coords[area] = a;
                match bench.value(&coords, 0) {
                    Value::Num(v) => Some((v, a)),
                    _ => None,
                }
            })
            .collect();
        // Deterministic: by value, then by code order.
        vals.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        if parts[0] == "highest" {
            vals.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        }
        if vals.len() < n {
            return Err(bad(format!(
                "'{def}': only {} municipalities have a published value",
                vals.len()
            )));
        }
        return Ok(vals.into_iter().take(n).map(|v| v.1).collect());
    }
    let mut out = Vec::new();
    for code in def.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let i = code_index(bench, area, code)?;
        if !is_kommune(i) {
            return Err(bad(format!("'{code}' is not a municipality code")));
        }
        if !out.contains(&i) {
            out.push(i);
        }
    }
    if out.is_empty() {
        return Err(bad(format!(
            "empty group '{def}': give municipality codes (101,147) or a rule such as lowest:15:pct13:2019M11"
        )));
    }
    Ok(out)
}

/// The gap series for a group: per period of the chosen kind, the group's share,
/// the rest of the country's share and the difference in percentage points.
pub fn series(
    bench: &Table,
    group: &[usize],
    indicator: &str,
    ydelse: &str,
    kind: PeriodKind,
) -> Result<Vec<GapPoint>> {
    let (ind, area, tid, yd) = (
        dim(bench, Var::Indikator)?,
        dim(bench, Var::Omraade)?,
        dim(bench, Var::Tid)?,
        dim(bench, Var::Ydelse)?,
    );
    let mut coords = vec![0usize; 4];
    coords[ind] = code_index(bench, ind, indicator)?;
    coords[yd] = code_index(bench, yd, ydelse)?;
    let country = code_index(bench, area, COUNTRY)?;
    let mut out = Vec::new();
    for (t, cat) in bench.meta.dimensions[tid].categories.iter().enumerate() {
        if PeriodKind::of(&cat.code) != kind {
            continue;
        }
        coords[tid] = t;
        coords[area] = country;
        // Availability and suppression follow the national value's status.
        if let v @ (Value::NotYet | Value::Suppressed) = bench.value(&coords, 0) {
            out.push(GapPoint {
                tid: cat.code.clone(),
                group: v,
                rest: v,
                gap: v,
            });
            continue;
        }
        let nat = (bench.stored(&coords, 0), bench.stored(&coords, 1));
        let mut sum = Some((0u64, 0u64));
        for &a in group {
            coords[area] = a;
            sum = match (sum, (bench.stored(&coords, 0), bench.stored(&coords, 1))) {
                (Some((t0, n0)), (Some(t1), Some(n1))) => {
                    Some((t0 + u64::from(t1), n0 + u64::from(n1)))
                }
                _ => None,
            };
        }
        let share = |t: u64, n: u64| {
            if n == 0 {
                Value::NotApplicable
            } else {
                Value::Num(t as f64 * 100.0 / n as f64)
            }
        };
        let (g, r) = match (sum, nat) {
            (Some((gt, gn)), (Some(tn), Some(nn))) => {
                let (tn, nn) = (u64::from(tn), u64::from(nn));
                (
                    share(gt, gn),
                    share(tn.saturating_sub(gt), nn.saturating_sub(gn)),
                )
            }
            _ => (Value::Suppressed, Value::Suppressed),
        };
        let gap = match (g, r) {
            (Value::Num(x), Value::Num(y)) => Value::Num(x - y),
            (Value::Num(_), o) | (o, _) => o,
        };
        out.push(GapPoint {
            tid: cat.code.clone(),
            group: g,
            rest: r,
            gap,
        });
    }
    Ok(out)
}
