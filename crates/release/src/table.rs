//! One table of a release in memory, and its measures derived from the stored counts by the
//! table's registry definition.

use samtalebank_model::{is_kommune, time, Var};
use samtalebank_tables::{Availability, Derive, TableDef};

use crate::meta::TableMeta;

/// Sentinel for a count that is not published, in [`Table`]'s dense array.
pub(crate) const UNPUBLISHED: u32 = u32::MAX;

/// A published value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Num(f64),
    /// Not published, to protect individuals (`..`).
    Suppressed,
    /// Cannot be computed, e.g. a share of zero conversations (`-`).
    NotApplicable,
    /// Not yet available: the period's spells cannot yet be followed far enough (`.`).
    NotYet,
}

impl Value {
    /// The status symbol of a value that is not a number (JSON-stat `status`, CSV text).
    pub fn symbol(self) -> Option<&'static str> {
        match self {
            Value::Num(_) => None,
            Value::Suppressed => Some(STATUS_CONFIDENTIAL),
            Value::NotApplicable => Some(STATUS_NOT_APPLICABLE),
            Value::NotYet => Some(STATUS_NOT_YET),
        }
    }
    pub fn num(self) -> Option<f64> {
        match self {
            Value::Num(x) => Some(x),
            _ => None,
        }
    }
}

/// Status code of a value that is not published (JSON-stat `status`, CSV text).
pub const STATUS_CONFIDENTIAL: &str = "..";
/// Status code of a value that cannot be computed (zero denominator).
pub const STATUS_NOT_APPLICABLE: &str = "-";
/// Status code of an indicator that is not yet available (spells not yet followed far enough).
pub const STATUS_NOT_YET: &str = ".";

/// One table of a release, dense over its dimensions (measure excluded).
pub struct Table {
    pub meta: TableMeta,
    pub def: &'static TableDef,
    pub(crate) shape: Vec<usize>,
    /// `cells × meta.values.len()` stored counts, [`UNPUBLISHED`] where not published.
    pub(crate) counts: Vec<u32>,
    /// `cells × meta.numbers.len()`.
    pub(crate) numbers: Vec<f64>,
    derived: Derived,
}

/// What is worked out once per table when it is loaded.
struct Derived {
    /// The time dimension and, per period category, its code's (last day): availability.
    tid: Option<usize>,
    data_start: i32,
    data_end: i32,
    /// BENCH01: per area category, is it a municipality (ranked); the country's index.
    kommune: Vec<bool>,
    country: usize,
    /// BENCH01: the rank per cell (0 = none).
    ranks: Vec<u16>,
    /// SURV01: (outer dimension, inner dimension, per outer category: which inner apply).
    applies: Option<(usize, usize, Vec<Vec<bool>>)>,
    /// Per availability rule the table's counts use: does it hold, per period category (the
    /// period codes are parsed once, not per cell).
    avail: Vec<(Availability, Vec<bool>)>,
    /// Per measure of the metadata, its registry definition.
    measures: Vec<Option<&'static samtalebank_tables::Measure>>,
    /// Per measure, how it is derived with every name resolved to an index.
    plans: Vec<Plan>,
}

/// A stored count resolved: its index in `meta.values` (`None`: the release does not store it)
/// and its availability rule's index in `Derived::avail` (`None`: always available).
#[derive(Debug, Clone, Copy)]
struct Slot {
    v: Option<usize>,
    avail: Option<usize>,
}

/// A measure's derivation with its names resolved (counts and shares; BENCH01's and SURV01's
/// measures are derived in `value` itself).
#[derive(Debug, Clone, Copy)]
enum Plan {
    Count(Slot),
    Share(Slot, Slot),
    /// The count, and the dimension and its total category (`None`: the table has neither).
    ShareOfTotal(Slot, Option<(usize, usize)>),
    Other,
}

impl Table {
    pub(crate) fn new(
        meta: TableMeta,
        shape: Vec<usize>,
        counts: Vec<u32>,
        numbers: Vec<f64>,
    ) -> Result<Table, crate::ReleaseError> {
        let def = meta
            .def()
            .ok_or_else(|| crate::ReleaseError::Shape(format!("unknown table {}", meta.id)))?;
        let date = |s: &str, dflt: i32| {
            if s.is_empty() {
                Ok(dflt)
            } else {
                time::parse_date(s).map_err(|e| crate::ReleaseError::Shape(e.0))
            }
        };
        let data_end = date(&meta.data_end, i32::MAX / 2)?;
        let data_start = date(&meta.data_start, i32::MIN / 2)?;
        let (kommune, country) = match meta.var(Var::Omraade) {
            Some((_, d)) => (
                d.categories.iter().map(|c| is_kommune(&c.code)).collect(),
                d.position(samtalebank_model::dims::COUNTRY)
                    .expect("checked when the release is opened"),
            ),
            None => (Vec::new(), 0),
        };
        let applies = meta.nesting.as_ref().and_then(|n| {
            let (o, od) = meta.dimension(&n.outer)?;
            let (i, id) = meta.dimension(&n.inner)?;
            let grid = od
                .categories
                .iter()
                .map(|oc| {
                    let within = n.within(&oc.code);
                    id.categories
                        .iter()
                        .map(|ic| within.contains(&ic.code))
                        .collect()
                })
                .collect();
            Some((o, i, grid))
        });
        let mut rules: Vec<Availability> = def.counts.iter().map(|c| c.available).collect();
        for ind in def.indicators() {
            if let Some(src) = samtalebank_tables::table(ind.table) {
                rules.extend(src.count(ind.num).map(|c| src.counts[c].available));
            }
        }
        rules.sort_by_key(|a| format!("{a:?}"));
        rules.dedup();
        let avail = match meta.time() {
            Some((_, td)) => rules
                .into_iter()
                .map(|a| {
                    let holds = td
                        .categories
                        .iter()
                        .map(|c| a.holds(&c.code, data_start, data_end))
                        .collect();
                    (a, holds)
                })
                .collect(),
            None => Vec::new(),
        };
        let measures: Vec<Option<&'static samtalebank_tables::Measure>> = meta
            .measures
            .iter()
            .map(|m| def.measures.iter().find(|d| d.code == m.code))
            .collect();
        let slot = |code: &str| Slot {
            v: meta.values.iter().position(|x| x == code),
            avail: meta.time().and(def.count(code)).and_then(|c| {
                avail
                    .iter()
                    .position(|(r, _)| *r == def.counts[c].available)
            }),
        };
        let plans = measures
            .iter()
            .map(|m| match m.map(|m| m.derive) {
                Some(Derive::Count(c)) => Plan::Count(slot(c)),
                Some(Derive::Share { num, den }) => Plan::Share(slot(num), slot(den)),
                Some(Derive::ShareOfTotal { count, var }) => Plan::ShareOfTotal(
                    slot(count),
                    meta.var(var)
                        .and_then(|(d, dm)| dm.total_index().map(|t| (d, t))),
                ),
                _ => Plan::Other,
            })
            .collect();
        let derived = Derived {
            plans,
            measures,
            avail,
            applies,
            tid: meta.time().map(|t| t.0),
            data_start,
            data_end,
            kommune,
            country,
            ranks: Vec::new(),
        };
        let mut t = Table {
            meta,
            def,
            shape,
            counts,
            numbers,
            derived,
        };
        if !def.indicators().is_empty() {
            t.rank();
        }
        Ok(t)
    }

    /// Number of cells per measure (product of the dimension sizes).
    pub fn cells(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub(crate) fn flat_index(&self, coords: &[usize]) -> usize {
        self.flat(coords)
    }

    fn flat(&self, coords: &[usize]) -> usize {
        coords
            .iter()
            .zip(&self.shape)
            .fold(0, |acc, (c, n)| acc * n + c)
    }

    /// Stored count number `v` (of `meta.values`) of a cell; `None` when not published.
    pub fn stored(&self, coords: &[usize], v: usize) -> Option<u32> {
        let c = self.counts[self.flat(coords) * self.meta.values.len() + v];
        (c != UNPUBLISHED).then_some(c)
    }

    fn available_as(&self, coords: &[usize], a: Availability) -> bool {
        let Some(t) = self.derived.tid else {
            return true;
        };
        match self.derived.avail.iter().find(|(r, _)| *r == a) {
            Some((_, holds)) => holds[coords[t]],
            None => {
                let code = &self.meta.dimensions[t].categories[coords[t]].code;
                a.holds(code, self.derived.data_start, self.derived.data_end)
            }
        }
    }

    /// Is a resolved count available at the cell's period?
    fn slot_available(&self, coords: &[usize], s: Slot) -> bool {
        match (s.avail, self.derived.tid) {
            (Some(a), Some(t)) => self.derived.avail[a].1[coords[t]],
            _ => true,
        }
    }

    /// A resolved count: `Err` if the release does not store it, `Ok(None)` when not published.
    fn slot_count(&self, coords: &[usize], s: Slot) -> Result<Option<u32>, Value> {
        s.v.map(|v| self.stored(coords, v))
            .ok_or(Value::NotApplicable)
    }

    /// [`Table::count_value`] of a resolved count.
    fn slot_value(&self, coords: &[usize], s: Slot) -> Value {
        if !self.slot_available(coords, s) {
            return Value::NotYet;
        }
        match self.slot_count(coords, s) {
            Ok(Some(x)) => Value::Num(f64::from(x)),
            Ok(None) => Value::Suppressed,
            Err(v) => v,
        }
    }

    /// [`Table::share_of`] of resolved counts.
    fn slot_share(&self, num: (&[usize], Slot), den: (&[usize], Slot)) -> Value {
        if !self.slot_available(num.0, num.1) || !self.slot_available(den.0, den.1) {
            return Value::NotYet;
        }
        match (self.slot_count(num.0, num.1), self.slot_count(den.0, den.1)) {
            (Err(v), _) | (_, Err(v)) => v,
            (Ok(Some(_)), Ok(Some(d))) if d > 0 && d < self.meta.min_denominator => {
                Value::Suppressed
            }
            (Ok(Some(n)), Ok(d)) => share(n, d),
            (Ok(None), _) => Value::Suppressed,
        }
    }

    /// The value of measure `measure` (index into `meta.measures`) at `coords`.
    pub fn value(&self, coords: &[usize], measure: usize) -> Value {
        let Some(m) = self.derived.measures.get(measure).copied().flatten() else {
            return Value::NotApplicable;
        };
        if let Some((o, i, grid)) = &self.derived.applies {
            if !grid[coords[*o]][coords[*i]] {
                return Value::NotApplicable;
            }
        }
        match self.derived.plans[measure] {
            Plan::Count(s) => return self.slot_value(coords, s),
            Plan::Share(n, d) => return self.slot_share((coords, n), (coords, d)),
            Plan::ShareOfTotal(s, total) => {
                let Some((d, t)) = total else {
                    return Value::NotApplicable;
                };
                // The total cell without an allocation (tables have at most a few variables).
                let mut buf = [0usize; 16];
                let Some(tot) = buf.get_mut(..coords.len()) else {
                    return Value::NotApplicable;
                };
                tot.copy_from_slice(coords);
                tot[d] = t;
                return self.slot_share((coords, s), (tot, s));
            }
            Plan::Other => {}
        }
        match m.derive {
            // Resolved in `plans`.
            Derive::Count(_) | Derive::Share { .. } | Derive::ShareOfTotal { .. } => {
                Value::NotApplicable
            }
            Derive::Stored(n) => match self.meta.numbers.iter().position(|x| x == n) {
                Some(i) => {
                    let x = self.numbers[self.flat(coords) * self.meta.numbers.len() + i];
                    if !x.is_nan() {
                        Value::Num(x)
                    } else if self.meta.values.is_empty() || self.stored(coords, 0).is_none() {
                        Value::Suppressed
                    } else {
                        Value::NotApplicable
                    }
                }
                None => Value::NotApplicable,
            },
            Derive::BenchValue => self.bench_share(coords),
            Derive::BenchNational => self.bench_share(&self.national(coords)),
            Derive::BenchRank => {
                if !self.derived.kommune[coords[1]] {
                    return Value::NotApplicable;
                }
                match self.bench_share(coords) {
                    Value::Num(_) => Value::Num(f64::from(self.derived.ranks[self.flat(coords)])),
                    other => other,
                }
            }
            Derive::BenchDiffNational => diff(
                self.bench_share(coords),
                self.bench_share(&self.national(coords)),
            ),
            Derive::BenchDiffRest => {
                if coords[1] == self.derived.country {
                    return Value::NotApplicable;
                }
                diff(self.bench_share(coords), self.bench_rest(coords))
            }
        }
    }

    /// BENCH01: the same cell for the whole country.
    fn national(&self, coords: &[usize]) -> Vec<usize> {
        let mut nat = coords.to_vec();
        nat[1] = self.derived.country;
        nat
    }

    /// BENCH01: is the indicator available in the cell's period?
    fn bench_available(&self, coords: &[usize]) -> bool {
        let Some(ind) = self.def.indicators().get(coords[0]) else {
            return true;
        };
        let avail = samtalebank_tables::table(ind.table)
            .and_then(|src| src.count(ind.num).map(|c| src.counts[c].available))
            .unwrap_or(Availability::Always);
        self.available_as(coords, avail)
    }

    /// BENCH01: the share (pct) of a cell from its numerator and denominator.
    fn bench_share(&self, coords: &[usize]) -> Value {
        if !self.bench_available(coords) {
            return Value::NotYet;
        }
        match (self.stored(coords, 0), self.stored(coords, 1)) {
            (Some(t), den) => share(t, den),
            _ => Value::Suppressed,
        }
    }

    /// BENCH01: the share of the rest of the country (country minus the cell's area).
    fn bench_rest(&self, coords: &[usize]) -> Value {
        let nat = self.national(coords);
        match (
            self.stored(&nat, 0),
            self.stored(&nat, 1),
            self.stored(coords, 0),
            self.stored(coords, 1),
        ) {
            (Some(tn), Some(nn), Some(t), Some(n)) if nn > n => {
                Value::Num(f64::from(tn - t.min(tn)) * 100.0 / f64::from(nn - n))
            }
            (Some(_), Some(_), Some(_), Some(_)) => Value::NotApplicable,
            _ => Value::Suppressed,
        }
    }

    /// BENCH01: rank the municipalities per indicator, period and benefit (1 = highest share;
    /// equal shares share the best rank, the next rank skips: 1, 2, 2, 4).
    fn rank(&mut self) {
        let (ni, nt, ny) = (self.shape[0], self.shape[2], self.shape[3]);
        let mut ranks = vec![0u16; self.cells()];
        let mut vals: Vec<(f64, usize)> = Vec::new();
        let kommuner: Vec<usize> = (0..self.shape[1])
            .filter(|&a| self.derived.kommune[a])
            .collect();
        for i in 0..ni {
            for t in 0..nt {
                for y in 0..ny {
                    vals.clear();
                    for &a in &kommuner {
                        if let Value::Num(v) = self.bench_share(&[i, a, t, y]) {
                            vals.push((v, a));
                        }
                    }
                    vals.sort_by(|x, y| y.0.total_cmp(&x.0));
                    let mut rank = 0;
                    for (pos, &(v, a)) in vals.iter().enumerate() {
                        if pos == 0 || v != vals[pos - 1].0 {
                            rank = pos + 1;
                        }
                        ranks[self.flat(&[i, a, t, y])] = rank as u16;
                    }
                }
            }
        }
        self.derived.ranks = ranks;
    }
}

fn diff(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => Value::Num(x - y),
        (Value::Num(_), other) | (other, _) => other,
    }
}

fn share(num: u32, den: Option<u32>) -> Value {
    match den {
        None => Value::Suppressed,
        Some(0) => Value::NotApplicable,
        Some(d) => Value::Num(f64::from(num.min(d)) * 100.0 / f64::from(d)),
    }
}
