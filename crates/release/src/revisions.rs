//! Revisions in the open: what a release changed in periods the release before it published,
//! worked out when it is built and kept with it (`revisions.json`, checked like its other
//! files). The reader sees it in each table's notes (metadata, pages, PX) and on the page of
//! releases (`/nyt`).
//!
//! A release is compared with the release that was current when it was built (the one it
//! replaces). Per table: the periods it adds, the periods it no longer has, and per period both
//! publish, how many published counts changed (a value, or published ↔ not) with the national
//! total of the table's first count before and after.

use std::path::Path;

use samtalebank_model::Lang;
use serde::{Deserialize, Serialize};

use crate::{fmt_err, Release, Result, Table};

/// The file's name in a release directory.
pub const REVISIONS_FILE: &str = "revisions.json";

/// What a release changed, per table, against the release before it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Revisions {
    /// The release compared with.
    pub previous: String,
    pub tables: Vec<TableRevisions>,
}

/// One table's changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TableRevisions {
    pub table: String,
    /// Periods new in this release.
    pub added_periods: Vec<String>,
    /// Periods the previous release published and this one does not.
    pub removed_periods: Vec<String>,
    /// Periods both publish in which counts changed.
    pub revised: Vec<PeriodRevision>,
}

/// One revised period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodRevision {
    pub period: String,
    /// Published counts that changed (every count of every cell of the period).
    pub counts: u64,
    /// The count the totals are of (the table's first: `antal`, `startet`, …).
    pub measure: String,
    /// The national total of `measure` (every other variable at its total) before and after
    /// (`None`: not published, or the table has no such cell).
    pub total_before: Option<u32>,
    pub total_after: Option<u32>,
}

/// Category of `b`'s dimension `d` → the same code's index in `a`, per dimension.
fn category_map(a: &Table, b: &Table) -> Option<Vec<Vec<Option<usize>>>> {
    b.meta
        .dimensions
        .iter()
        .map(|bd| {
            let (_, ad) = a.meta.dimension(&bd.id)?;
            Some(bd.categories.iter().map(|c| ad.position(&c.code)).collect())
        })
        .collect()
}

/// The national total cell (every dimension at its total, time at `t`), if the table has one.
pub(crate) fn total_cell(t: &Table, ti: usize, period: usize) -> Option<Vec<usize>> {
    t.meta
        .dimensions
        .iter()
        .enumerate()
        .map(|(i, d)| {
            if i == ti {
                Some(period)
            } else {
                d.total_index()
            }
        })
        .collect()
}

/// Compare table `b` (the new release's) with `a` (the previous one's).
///
/// Long: One walk over the new table's cells, mapping each to the old one's and counting changes per period.
pub fn table_revisions(a: &Table, b: &Table) -> TableRevisions {
    let mut out = TableRevisions {
        table: b.meta.id.clone(),
        ..TableRevisions::default()
    };
    let (Some((ati, atd)), Some((bti, btd))) = (a.meta.time(), b.meta.time()) else {
        return out;
    };
    out.added_periods = btd
        .categories
        .iter()
        .filter(|c| atd.position(&c.code).is_none())
        .map(|c| c.code.clone())
        .collect();
    out.removed_periods = atd
        .categories
        .iter()
        .filter(|c| btd.position(&c.code).is_none())
        .map(|c| c.code.clone())
        .collect();
    let Some(map) = category_map(a, b) else {
        return out;
    };
    // The counts both releases store: (index in b, index in a).
    let values: Vec<(usize, usize)> = b
        .meta
        .values
        .iter()
        .enumerate()
        .filter_map(|(j, v)| a.meta.values.iter().position(|x| x == v).map(|i| (j, i)))
        .collect();
    let mut changed = vec![0u64; btd.categories.len()];
    let shape = b.shape().to_vec();
    let mut coords = vec![0usize; shape.len()];
    let mut old = vec![0usize; shape.len()];
    'cells: for _ in 0..b.cells() {
        let mut mapped = true;
        for (d, &c) in coords.iter().enumerate() {
            match map[d][c] {
                Some(x) => old[d] = x,
                None => {
                    mapped = false;
                    break;
                }
            }
        }
        if mapped {
            for &(j, i) in &values {
                if b.stored(&coords, j) != a.stored(&old, i) {
                    changed[coords[bti]] += 1;
                }
            }
        }
        // Advance the odometer.
        for d in (0..shape.len()).rev() {
            coords[d] += 1;
            if coords[d] < shape[d] {
                continue 'cells;
            }
            coords[d] = 0;
        }
    }
    let measure = b.meta.values.first().cloned().unwrap_or_default();
    let first = values.first().copied();
    for (p, &n) in changed.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let code = &btd.categories[p].code;
        let (before, after) = match (first, atd.position(code)) {
            (Some((j, i)), Some(ap)) => (
                total_cell(a, ati, ap).and_then(|c| a.stored(&c, i)),
                total_cell(b, bti, p).and_then(|c| b.stored(&c, j)),
            ),
            _ => (None, None),
        };
        out.revised.push(PeriodRevision {
            period: code.clone(),
            counts: n,
            measure: measure.clone(),
            total_before: before,
            total_after: after,
        });
    }
    out
}

/// Compare the new release's tables with the previous release.
pub fn revisions(previous: &Release, tables: &[Table]) -> Revisions {
    Revisions {
        previous: previous.manifest.id.clone(),
        tables: tables
            .iter()
            .filter_map(|b| previous.table(&b.meta.id).map(|a| table_revisions(a, b)))
            .collect(),
    }
}

/// A release's revisions, if it has them (checked against the manifest's checksum).
pub fn read_revisions(dir: &Path, manifest: &crate::Manifest) -> Result<Option<Revisions>> {
    if !manifest.checksums.contains_key(REVISIONS_FILE) {
        return Ok(None);
    }
    let bytes = crate::read::Files::new(dir, manifest)?.read(REVISIONS_FILE)?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| fmt_err(&dir.join(REVISIONS_FILE), e))
}

/// A whole number with thousands separated as the language writes them (`1.234` / `1,234`).
fn thousands(x: impl ToString, lang: Lang) -> String {
    let sep = match lang {
        Lang::Da => '.',
        Lang::En => ',',
    };
    let s = x.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

impl TableRevisions {
    /// The note readers see with the table, in `lang` (none if nothing published was revised).
    pub fn note(&self, previous: &str, lang: Lang) -> Option<String> {
        if self.revised.is_empty() {
            return None;
        }
        // The first dozen periods in words; the rest counted.
        const SHOWN: usize = 12;
        let mut periods: Vec<String> = self
            .revised
            .iter()
            .take(SHOWN)
            .map(|r| {
                let total = match (r.total_before, r.total_after) {
                    (Some(a), Some(b)) if a != b => match lang {
                        Lang::Da => format!(
                            "; hele landet, {}: {} → {} ({:+})",
                            r.measure,
                            thousands(a, lang),
                            thousands(b, lang),
                            i64::from(b) - i64::from(a)
                        ),
                        Lang::En => format!(
                            "; national total, {}: {} → {} ({:+})",
                            r.measure,
                            thousands(a, lang),
                            thousands(b, lang),
                            i64::from(b) - i64::from(a)
                        ),
                    },
                    _ => String::new(),
                };
                match lang {
                    Lang::Da => format!(
                        "{} ({} tal ændret{total})",
                        r.period,
                        thousands(r.counts, lang)
                    ),
                    Lang::En => format!(
                        "{} ({} figures changed{total})",
                        r.period,
                        thousands(r.counts, lang)
                    ),
                }
            })
            .collect();
        if self.revised.len() > SHOWN {
            let more = self.revised.len() - SHOWN;
            periods.push(match lang {
                Lang::Da => format!("og {more} perioder mere"),
                Lang::En => format!("and {more} more periods"),
            });
        }
        let total = thousands(self.revised.iter().map(|r| r.counts).sum::<u64>(), lang);
        Some(match lang {
            Lang::Da => format!(
                "Revideret i denne udgivelse (mod udgivelse {previous}): {total} tal i allerede offentliggjorte perioder: {}.",
                periods.join(", ")
            ),
            Lang::En => format!(
                "Revised in this release (against release {previous}): {total} figures in periods already published: {}.",
                periods.join(", ")
            ),
        })
    }
}
