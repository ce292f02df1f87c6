//! A table's cells in memory: dense arrays over its dimensions (the last varies fastest), with
//! every count of the registry definition per cell.
//!
//! [`Cube`] is what the engine computes (true counts, and the cell keys of the cell key method);
//! [`Published`] is what disclosure control lets out (published counts and their status).

use samtalebank_model::dims::Dimension;
use samtalebank_model::Var;
use serde::{Deserialize, Serialize};

use crate::registry::TableDef;

/// Flat index of a cell given one category index per dimension.
pub fn flat_index(dims: &[Dimension], coords: &[usize]) -> usize {
    coords
        .iter()
        .zip(dims)
        .fold(0, |acc, (c, d)| acc * d.len() + c)
}

/// A table's true counts, as the engine computes them.
#[derive(Debug, Clone)]
pub struct Cube {
    pub def: &'static TableDef,
    pub dims: Vec<Dimension>,
    /// `cells × def.counts.len()` counts; the count index varies fastest.
    pub counts: Vec<u32>,
    /// Per count: the sum of its records' keys, mod 2^32 (the cell key of the cell key
    /// method), in the layout of `counts`; `None` when the store has no record keys.
    pub keys: Option<Vec<u32>>,
    /// `cells × def.numbers.len()` numbers.
    pub numbers: Vec<f64>,
}

impl Cube {
    pub fn shape(&self) -> Vec<usize> {
        self.dims.iter().map(Dimension::len).collect()
    }

    pub fn cells(&self) -> usize {
        self.dims.iter().map(Dimension::len).product()
    }

    /// Flat index of a cell given one category index per dimension.
    pub fn index(&self, coords: &[usize]) -> usize {
        flat_index(&self.dims, coords)
    }

    /// The dimension of a variable.
    pub fn dim(&self, v: Var) -> Option<(usize, &Dimension)> {
        let i = self.def.var(v)?;
        Some((i, &self.dims[i]))
    }

    /// The named count of the cell given by category codes, one per dimension (for tests and
    /// tools). `None` for an unknown code or count.
    pub fn get(&self, codes: &[&str], count: &str) -> Option<u32> {
        let coords: Option<Vec<usize>> = codes
            .iter()
            .zip(&self.dims)
            .map(|(c, d)| d.position(c))
            .collect();
        let k = self.def.count(count)?;
        coords.map(|c| self.counts[self.index(&c) * self.def.counts.len() + k])
    }

    /// The cell key of the named count of the cell given by category codes (for tests and
    /// tools). `None` for an unknown code or count, or without keys.
    pub fn key(&self, codes: &[&str], count: &str) -> Option<u32> {
        let coords: Option<Vec<usize>> = codes
            .iter()
            .zip(&self.dims)
            .map(|(c, d)| d.position(c))
            .collect();
        let k = self.def.count(count)?;
        let keys = self.keys.as_ref()?;
        coords.map(|c| keys[self.index(&c) * self.def.counts.len() + k])
    }
}

/// The status of a stored count after disclosure control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CountStatus {
    /// Published (its value may be perturbed, under the cell key method).
    Published,
    /// Not published: a count below the threshold (primary suppression), or a share's count.
    Primary,
    /// Not published, to protect another count (secondary suppression).
    Secondary,
    /// Not written: a small count in a period that is not yet available (shown as not yet
    /// available, not as confidential).
    Withheld,
}

impl CountStatus {
    /// Suppressed by disclosure control (primary or secondary).
    pub fn suppressed(self) -> bool {
        matches!(self, CountStatus::Primary | CountStatus::Secondary)
    }
}

/// What disclosure control lets out of a table: the published counts (cells × the
/// definition's published counts, in their order) with their status, and what it cost.
#[derive(Debug, Clone)]
pub struct Published {
    pub def: &'static TableDef,
    pub dims: Vec<Dimension>,
    /// `cells × k` published values, `k` = the definition's published counts.
    pub counts: Vec<u32>,
    pub status: Vec<CountStatus>,
    /// `cells × def.numbers.len()` numbers.
    pub numbers: Vec<f64>,
    pub report: crate::report::DisclosureReport,
    /// What disclosure control did, for the readers (the first note of the table).
    pub note: crate::registry::Text,
    /// Notes of this release's table after the registry's (SURV01: each question's base).
    pub notes: Vec<crate::registry::Text>,
    /// Categories of one variable that apply only within categories of another.
    pub nesting: Option<Nesting>,
}

/// The categories of variable `inner` that apply within each category of `outer` (SURV01: a
/// question's answers and groupings); the other cells are not applicable.
#[derive(Debug, Clone, PartialEq)]
pub struct Nesting {
    pub inner: Var,
    pub outer: Var,
    /// Per category of `outer`: the indices of the categories of `inner` that apply.
    pub members: Vec<Vec<usize>>,
}

impl Published {
    /// Counts per cell.
    pub fn stride(&self) -> usize {
        self.def.published_counts().count()
    }

    pub fn cells(&self) -> usize {
        self.dims.iter().map(Dimension::len).product()
    }

    pub fn index(&self, coords: &[usize]) -> usize {
        flat_index(&self.dims, coords)
    }

    /// The published value of count `k` (among the published counts) at a flat cell, `None`
    /// when not published.
    pub fn value(&self, cell: usize, k: usize) -> Option<u32> {
        let i = cell * self.stride() + k;
        (self.status[i] == CountStatus::Published).then_some(self.counts[i])
    }

    /// The index of a published count by code.
    pub fn count(&self, code: &str) -> Option<usize> {
        self.def.published_counts().position(|c| c.code == code)
    }
}
