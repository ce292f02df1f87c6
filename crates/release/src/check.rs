//! Checks before publishing (`samtalebank releases check ID`): what a careful analyst looks at
//! when a candidate is to replace the current release.
//!
//! - every table of the current release is there, with its national totals published for
//!   every month;
//! - no period the current release publishes has become unavailable;
//! - per table and municipality, the count of the candidate's newest month against the month
//!   before (all other variables at their totals): a move of more than `max_change` from a
//!   base of at least `min_base` is flagged with both figures (an incomplete delivery halves a
//!   municipality's count);
//! - revisions: the cells of already published periods whose values changed, flagged when more
//!   than `max_revised_share` of the compared counts of a table changed.
//!
//! The thresholds are in `check.toml` beside the releases (or `--config FILE`); every key is
//! optional, with the defaults of [`CheckConfig::default`].

use std::path::Path;

use samtalebank_model::{is_kommune, PeriodKind, Var};
use serde::Deserialize;

use crate::{fmt_err, io_err, Release, Result, Table};

/// The thresholds file's name in a releases directory.
pub const CHECK_FILE: &str = "check.toml";

/// The thresholds of the checks.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// A municipality's monthly count that moves by more than this share from the month before
    /// is flagged (0.3 = 30 %).
    pub max_change: f64,
    /// Months whose earlier count is below this are not compared (small counts move a lot).
    pub min_base: u32,
    /// A table whose compared counts changed in more than this share is flagged (revisions of
    /// already published periods).
    pub max_revised_share: f64,
}

impl Default for CheckConfig {
    fn default() -> CheckConfig {
        CheckConfig {
            max_change: 0.3,
            min_base: 100,
            max_revised_share: 0.01,
        }
    }
}

impl CheckConfig {
    /// The thresholds in `path`; a missing key takes its default, an unknown one is an error
    /// naming the file.
    pub fn load(path: &Path) -> Result<CheckConfig> {
        let text = std::fs::read_to_string(path).map_err(io_err(path))?;
        let c: CheckConfig = toml::from_str(&text).map_err(|e| fmt_err(path, e))?;
        if !(c.max_change > 0.0 && c.max_revised_share >= 0.0) {
            return Err(fmt_err(
                path,
                "max_change must be above 0 and max_revised_share at least 0",
            ));
        }
        Ok(c)
    }

    /// `check.toml` of a releases directory if there is one, else the defaults.
    pub fn for_releases(releases: &Path) -> Result<CheckConfig> {
        let path = releases.join(CHECK_FILE);
        if path.is_file() {
            CheckConfig::load(&path)
        } else {
            Ok(CheckConfig::default())
        }
    }
}

/// One thing the checks found.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// `table`, `total`, `period`, `change` or `revisions`.
    pub kind: &'static str,
    pub table: String,
    /// What was found, with the figures.
    pub text: String,
    /// Over a threshold (or something missing): the check fails.
    pub crossed: bool,
}

fn finding(kind: &'static str, table: &str, text: String, crossed: bool) -> Finding {
    Finding {
        kind,
        table: table.to_string(),
        text,
        crossed,
    }
}

/// Compare `candidate` with `current` (the release it would replace).
pub fn check(current: &Release, candidate: &Release, cfg: &CheckConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in &current.tables {
        if candidate.table(&t.meta.id).is_none() {
            out.push(finding(
                "table",
                &t.meta.id,
                format!(
                    "{} is in the current release and missing from the candidate",
                    t.meta.id
                ),
                true,
            ));
        }
    }
    for b in &candidate.tables {
        let a = current.table(&b.meta.id);
        totals(b, &mut out);
        if let Some(a) = a {
            periods(a, b, &mut out);
        }
        changes(b, cfg, &mut out);
    }
    for d in crate::diff(current, candidate) {
        if d.only_in.is_some() || d.compared == 0 {
            continue;
        }
        let changed = d.revised + d.newly_suppressed + d.removed;
        let share = changed as f64 / d.compared as f64;
        out.push(finding(
            "revisions",
            &d.id,
            format!(
                "{}: {changed} of {} counts in periods both releases publish changed ({:.2} %): {} revised, {} newly suppressed, {} removed{}",
                d.id,
                d.compared,
                100.0 * share,
                d.revised,
                d.newly_suppressed,
                d.removed,
                if d.examples.is_empty() {
                    String::new()
                } else {
                    format!("; e.g. {}", d.examples.join("; "))
                }
            ),
            share > cfg.max_revised_share,
        ));
    }
    out
}

/// Coordinates with every dimension at its total, if every dimension but area and time has one.
fn totals_coords(t: &Table) -> Option<(Vec<usize>, usize, usize)> {
    let (ai, _) = t.meta.var(Var::Omraade)?;
    let (ti, _) = t.meta.var(Var::Tid)?;
    Some((crate::revisions::total_cell(t, ti, 0)?, ai, ti))
}

/// The months of a table's time dimension (category indices, in order).
fn months(t: &Table, ti: usize) -> Vec<usize> {
    t.meta.dimensions[ti]
        .categories
        .iter()
        .enumerate()
        .filter(|(_, c)| PeriodKind::of(&c.code) == PeriodKind::Month)
        .map(|(i, _)| i)
        .collect()
}

fn totals(t: &Table, out: &mut Vec<Finding>) {
    let Some((mut c, _, ti)) = totals_coords(t) else {
        return;
    };
    let missing: Vec<&str> = months(t, ti)
        .into_iter()
        .filter(|&m| {
            c[ti] = m;
            t.stored(&c, 0).is_none()
        })
        .map(|m| t.meta.dimensions[ti].categories[m].code.as_str())
        .collect();
    if !missing.is_empty() {
        out.push(finding(
            "total",
            &t.meta.id,
            format!(
                "{}: the national total ({}) is not published for {}",
                t.meta.id,
                t.meta.values[0],
                missing.join(", ")
            ),
            true,
        ));
    }
}

fn periods(a: &Table, b: &Table, out: &mut Vec<Finding>) {
    let (Some((_, ad)), Some((_, bd))) = (a.meta.var(Var::Tid), b.meta.var(Var::Tid)) else {
        return;
    };
    let gone: Vec<&str> = ad
        .categories
        .iter()
        .filter(|c| bd.position(&c.code).is_none())
        .map(|c| c.code.as_str())
        .collect();
    if !gone.is_empty() {
        out.push(finding(
            "period",
            &b.meta.id,
            format!(
                "{}: periods published now and missing from the candidate: {}",
                b.meta.id,
                gone.join(", ")
            ),
            true,
        ));
    }
}

fn pct(from: u32, to: u32) -> f64 {
    100.0 * (f64::from(to) - f64::from(from)) / f64::from(from)
}

/// Each municipality's (and the country's) count in the newest month against the month
/// before.
fn changes(t: &Table, cfg: &CheckConfig, out: &mut Vec<Finding>) {
    let Some((mut c, ai, ti)) = totals_coords(t) else {
        return;
    };
    let ms = months(t, ti);
    let [.., prev, last] = ms[..] else {
        return;
    };
    let tid = &t.meta.dimensions[ti].categories;
    let area = &t.meta.dimensions[ai];
    let value = &t.meta.values[0];
    for (k, cat) in area.categories.iter().enumerate() {
        let national = Some(k) == area.total_index();
        if !national && !is_kommune(&cat.code) {
            continue;
        }
        c[ai] = k;
        c[ti] = prev;
        let before = t.stored(&c, 0);
        c[ti] = last;
        let after = t.stored(&c, 0);
        let (Some(before), Some(after)) = (before, after) else {
            continue;
        };
        if before < cfg.min_base.max(1) {
            continue;
        }
        let p = pct(before, after);
        let crossed = p.abs() > 100.0 * cfg.max_change;
        if crossed || national {
            out.push(finding(
                "change",
                &t.meta.id,
                format!(
                    "{} {} {}: {value} {} {before} → {} {after} ({p:+.1} %)",
                    t.meta.id, cat.code, cat.label_da, tid[prev].code, tid[last].code
                ),
                crossed,
            ));
        }
    }
}
