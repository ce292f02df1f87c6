//! The cell key method: every published count is its true count plus a small noise that the
//! perturbation table ([`PTable`]) gives for the count and its cell key (the sum of its records'
//! keys, mod 2^32, which the engine accumulates with the count).
//!
//! - Every count, at every area level, period type and total, is perturbed from its own true
//!   count and cell key: a total is never a sum of perturbed parts. The same records give the
//!   same cell key and so the same published value, in every table and every release.
//! - No count in 1..=js is published, zeros stay zero, no count is negative, and the noise is at
//!   most D either way (the ptable's properties).
//! - Nested counts keep their order: a count whose records are among another's (SAMT02's
//!   `samtale6` among `varet6`, SAMT03's `med2` among `personer`, SAMT01's `digital` among
//!   `antal`) is published as the smaller of its own perturbed value and that of the count it
//!   is nested in, parents first. The result stays within D of the truth and outside 1..=js.

pub mod ptable;

use samtalebank_model::{AreaLevel, Var};
use samtalebank_tables::{CkmParams, CountKind, CountStatus, Cube, LevelCost, Published};

pub use ptable::{PTable, Params};

/// The smallest perturbed denominator a published share may have (below it: `..`).
pub const MIN_DENOMINATOR: u32 = 5;

/// The parameters a release records (`CkmParams`) of a perturbation table.
pub fn params(t: &PTable) -> CkmParams {
    CkmParams {
        d: t.params.d,
        v: t.params.v,
        js: t.params.js,
        p_unchanged: t.p_unchanged(),
        min_denominator: MIN_DENOMINATOR.max(t.params.js + 1),
    }
}

/// Perturb a table's published counts.
pub fn perturb(cube: &Cube, table: &PTable) -> Result<Published, crate::DisclosureError> {
    let def = cube.def;
    let keys = cube.keys.as_ref().ok_or_else(|| {
        crate::DisclosureError::CellKey(format!(
            "{}: the store has no record keys, which the cell key method needs; ingest the extracts into a new store (docs/store.md)",
            def.id
        ))
    })?;
    let stride = def.counts.len();
    let published: Vec<usize> = (0..stride).filter(|&c| def.counts[c].published).collect();
    let kp = published.len();
    // Parents first: a count's parents have more atoms; a `SumOver` count comes after its `of`.
    let mut order: Vec<usize> = (0..kp).collect();
    let weight = |c: usize| match def.counts[c].kind {
        CountKind::Atoms(a) => a.len(),
        CountKind::SumOver { .. } => 0,
    };
    order.sort_by_key(|&j| std::cmp::Reverse(weight(published[j])));
    let parents: Vec<Vec<usize>> = published
        .iter()
        .map(|&c| {
            def.nested_in(c)
                .into_iter()
                .filter_map(|p| published.iter().position(|&q| q == p))
                .collect()
        })
        .collect();
    let cells = cube.cells();
    let mut counts = vec![0u32; cells * kp];
    for cell in 0..cells {
        let out = &mut counts[cell * kp..(cell + 1) * kp];
        for &j in &order {
            let c = published[j];
            let mut v = table.perturb(cube.counts[cell * stride + c], keys[cell * stride + c]);
            for &p in &parents[j] {
                v = v.min(out[p]);
            }
            out[j] = v;
        }
    }
    let mut p = Published {
        def,
        dims: cube.dims.clone(),
        counts,
        status: vec![CountStatus::Published; cells * kp],
        numbers: cube.numbers.clone(),
        report: Default::default(),
        note: Default::default(),
        notes: Vec::new(),
        nesting: None,
    };
    p.report.cost = cost(cube, &p, &published);
    Ok(p)
}

/// Per area level: non-zero cells (by the first count), the published counts of non-zero true
/// counts, how many changed, and the mean and largest absolute change.
fn cost(cube: &Cube, p: &Published, published: &[usize]) -> Vec<LevelCost> {
    let Some((ad, area)) = cube.dim(Var::Omraade) else {
        return Vec::new();
    };
    let levels: Vec<Option<AreaLevel>> = area
        .categories
        .iter()
        .map(|c| AreaLevel::of(&c.code))
        .collect();
    let inner: usize = cube.dims[ad + 1..].iter().map(|d| d.len()).product();
    let (stride, kp) = (cube.def.counts.len(), published.len());
    let mut acc: Vec<(LevelCost, u64, u64, u32)> = AreaLevel::ALL
        .iter()
        .map(|l| {
            (
                LevelCost {
                    level: l.name().to_string(),
                    ..LevelCost::default()
                },
                0,
                0,
                0,
            )
        })
        .collect();
    for cell in 0..cube.cells() {
        let truth = &cube.counts[cell * stride..(cell + 1) * stride];
        if published.iter().all(|&c| truth[c] == 0) {
            continue;
        }
        let Some(level) = levels[(cell / inner) % area.len()] else {
            continue;
        };
        let (e, n, changed, max) = &mut acc[level as usize];
        e.cells += 1;
        e.total += u64::from(truth[published[0]]);
        let sum = e.mean_abs_change.get_or_insert(0.0);
        for (j, &c) in published.iter().enumerate() {
            if truth[c] == 0 {
                continue;
            }
            let d = p.counts[cell * kp + j].abs_diff(truth[c]);
            *n += 1;
            *changed += u64::from(d > 0);
            *max = (*max).max(d);
            *sum += f64::from(d);
        }
    }
    acc.into_iter()
        .map(|(mut e, n, changed, max)| {
            e.counts = Some(n);
            e.changed_counts = Some(changed);
            e.max_abs_change = Some(max);
            e.mean_abs_change = Some(e.mean_abs_change.unwrap_or(0.0) / (n.max(1) as f64));
            e
        })
        .collect()
}
