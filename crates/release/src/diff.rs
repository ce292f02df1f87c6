//! What changed between two releases, cell by cell, for the revision notes of a publication.

use crate::{Release, Table};

/// Changes in one table from release A to release B (counted per stored count).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableDiff {
    pub id: String,
    /// Counts compared (present in both releases).
    pub compared: u64,
    /// Published in both, with another value (a count, or a number stored per cell).
    pub revised: u64,
    /// Non-zero (or suppressed) in B where A had no such cell, or zero.
    pub added: u64,
    /// Non-zero in A where B has no such cell.
    pub removed: u64,
    /// Published in A (or zero), suppressed in B.
    pub newly_suppressed: u64,
    /// Suppressed in A, published in B.
    pub unsuppressed: u64,
    /// A few examples, as `codes: a → b`.
    pub examples: Vec<String>,
    /// Only in A or only in B.
    pub only_in: Option<char>,
    /// Counts stored in only one of the releases (not compared), as `code (A)` / `code (B)`.
    pub only_counts: Vec<String>,
}

fn cells(shape: &[usize]) -> impl Iterator<Item = Vec<usize>> + '_ {
    let n: usize = shape.iter().product();
    (0..n).map(move |mut flat| {
        let mut c = vec![0usize; shape.len()];
        for d in (0..shape.len()).rev() {
            c[d] = flat % shape[d];
            flat /= shape[d];
        }
        c
    })
}

fn show(v: Option<Option<u32>>) -> String {
    match v {
        None => "(none)".into(),
        Some(None) => "..".into(),
        Some(Some(x)) => x.to_string(),
    }
}

/// Long: One walk over both releases' cells, classifying each as it goes; the counters are shared by every case.
fn table_diff(a: &Table, b: &Table) -> TableDiff {
    let mut d = TableDiff {
        id: b.meta.id.clone(),
        ..TableDiff::default()
    };
    // B's category → A's category, per dimension (None = new in B).
    let map: Vec<Vec<Option<usize>>> = b
        .meta
        .dimensions
        .iter()
        .map(|bd| {
            let ad = a.meta.dimension(&bd.id).map(|x| x.1);
            bd.categories
                .iter()
                .map(|c| ad.and_then(|ad| ad.categories.iter().position(|x| x.code == c.code)))
                .collect()
        })
        .collect();
    // Counts stored in both releases (a count only one of them has is named in `only_counts`).
    let values: Vec<(usize, Option<usize>)> = b
        .meta
        .values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            a.meta
                .values
                .iter()
                .position(|x| x == v)
                .map(|j| (i, Some(j)))
        })
        .collect();
    d.only_counts = b
        .meta
        .values
        .iter()
        .filter(|v| !a.meta.values.contains(v))
        .map(|v| format!("{v} (B)"))
        .chain(
            a.meta
                .values
                .iter()
                .filter(|v| !b.meta.values.contains(v))
                .map(|v| format!("{v} (A)")),
        )
        .collect();
    for bc in cells(b.shape()) {
        let ac: Option<Vec<usize>> = bc.iter().enumerate().map(|(dim, &c)| map[dim][c]).collect();
        for &(vb, va) in &values {
            let new = b.stored(&bc, vb);
            let old = match (&ac, va) {
                (Some(ac), Some(va)) => Some(a.stored(ac, va)),
                _ => None,
            };
            let change = match (old, new) {
                (None, Some(x)) if x > 0 => Some(&mut d.added),
                (None, None) => Some(&mut d.added),
                (None, _) => None,
                (Some(o), n) => {
                    d.compared += 1;
                    match (o, n) {
                        (Some(0), Some(x)) if x > 0 => Some(&mut d.added),
                        (Some(x), Some(y)) if x != y => Some(&mut d.revised),
                        (Some(_), None) => Some(&mut d.newly_suppressed),
                        (None, Some(_)) => Some(&mut d.unsuppressed),
                        _ => None,
                    }
                }
            };
            if let Some(counter) = change {
                *counter += 1;
                if d.examples.len() < 5 {
                    let codes: Vec<&str> = bc
                        .iter()
                        .zip(&b.meta.dimensions)
                        .map(|(&c, dm)| dm.categories[c].code.as_str())
                        .collect();
                    d.examples.push(format!(
                        "{} {}: {} → {}",
                        codes.join(" "),
                        b.meta.values[vb],
                        show(old),
                        show(Some(new))
                    ));
                }
            }
        }
    }
    // Numbers stored in both (SURV01's shares and intervals): a changed number is revised.
    let numbers: Vec<(usize, usize)> = b
        .meta
        .numbers
        .iter()
        .enumerate()
        .filter_map(|(i, n)| a.meta.numbers.iter().position(|x| x == n).map(|j| (i, j)))
        .collect();
    if !numbers.is_empty() {
        let (kb, ka) = (b.meta.numbers.len(), a.meta.numbers.len());
        for bc in cells(b.shape()) {
            let Some(ac) = bc
                .iter()
                .enumerate()
                .map(|(dim, &c)| map[dim][c])
                .collect::<Option<Vec<usize>>>()
            else {
                continue;
            };
            let (fb, fa) = (b.flat_index(&bc), a.flat_index(&ac));
            for &(nb, na) in &numbers {
                let (x, y) = (a.numbers[fa * ka + na], b.numbers[fb * kb + nb]);
                // Published in both (a share hidden or shown follows its count, counted above).
                if !x.is_nan() && !y.is_nan() && (x - y).abs() > 1e-9 {
                    d.revised += 1;
                    if d.examples.len() < 5 {
                        let codes: Vec<&str> = bc
                            .iter()
                            .zip(&b.meta.dimensions)
                            .map(|(&c, dm)| dm.categories[c].code.as_str())
                            .collect();
                        d.examples.push(format!(
                            "{} {}: {x} → {y}",
                            codes.join(" "),
                            b.meta.numbers[nb]
                        ));
                    }
                }
            }
        }
    }
    // Non-zero cells of A whose categories B no longer has.
    let back: Vec<Vec<bool>> = a
        .meta
        .dimensions
        .iter()
        .map(|ad| {
            let bd = b.meta.dimension(&ad.id).map(|x| x.1);
            ad.categories
                .iter()
                .map(|c| bd.is_some_and(|bd| bd.categories.iter().any(|x| x.code == c.code)))
                .collect()
        })
        .collect();
    for ac in cells(a.shape()) {
        if ac.iter().enumerate().all(|(dim, &c)| back[dim][c]) {
            continue;
        }
        for v in (0..a.meta.values.len()).filter(|&v| b.meta.values.contains(&a.meta.values[v])) {
            if a.stored(&ac, v) != Some(0) {
                d.removed += 1;
            }
        }
    }
    d
}

/// Per table: what changed from release `a` to release `b`.
pub fn diff(a: &Release, b: &Release) -> Vec<TableDiff> {
    let mut out = Vec::new();
    for tb in &b.tables {
        match a.table(&tb.meta.id) {
            Some(ta) => out.push(table_diff(ta, tb)),
            None => out.push(TableDiff {
                id: tb.meta.id.clone(),
                only_in: Some('B'),
                ..TableDiff::default()
            }),
        }
    }
    for ta in &a.tables {
        if b.table(&ta.meta.id).is_none() {
            out.push(TableDiff {
                id: ta.meta.id.clone(),
                only_in: Some('A'),
                ..TableDiff::default()
            });
        }
    }
    out
}
