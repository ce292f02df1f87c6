//! What disclosure control did to a table: the figures `build` prints and the release's
//! manifest keeps.

use serde::{Deserialize, Serialize};

/// Disclosure control's figures for one table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DisclosureReport {
    /// Per area level (`land`, `region`, `kommune`).
    pub cost: Vec<LevelCost>,
    /// What the suppression audits did, if they ran.
    pub audit: Option<AuditStats>,
}

/// The cost of disclosure control at one area level of one table.
///
/// Suppression: the share of non-zero cells with a suppressed count, and the share of the
/// table's first count (conversations, spells started, persons) in suppressed cells. The cell key
/// method: the share of non-zero cells published, of counts changed, and the mean and largest
/// absolute change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LevelCost {
    /// `land`, `region` or `kommune`.
    pub level: String,
    /// Non-zero cells.
    pub cells: u64,
    /// Cells with a suppressed count, primary or secondary.
    pub suppressed_cells: u64,
    /// Of them, cells with a count below the threshold (primary suppression).
    #[serde(default)]
    pub primary_cells: u64,
    /// The first count, summed over the non-zero cells.
    pub total: u64,
    /// The first count in cells with a suppressed count.
    pub suppressed_total: u64,
    /// Cell key method: published counts that differ from the true count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_counts: Option<u64>,
    /// Cell key method: published counts of non-zero true counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<u64>,
    /// Cell key method: the mean absolute change of the published counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_abs_change: Option<f64>,
    /// Cell key method: the largest absolute change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_abs_change: Option<u32>,
}

impl LevelCost {
    fn pct(a: u64, b: u64) -> f64 {
        if b == 0 {
            0.0
        } else {
            100.0 * a as f64 / b as f64
        }
    }
    /// Per cent of the non-zero cells with a suppressed count.
    pub fn cell_pct(&self) -> f64 {
        Self::pct(self.suppressed_cells, self.cells)
    }
    /// Per cent of the non-zero cells with a count below the threshold.
    pub fn primary_pct(&self) -> f64 {
        Self::pct(self.primary_cells, self.cells)
    }
    /// Per cent of the first count in cells with a suppressed count.
    pub fn total_pct(&self) -> f64 {
        Self::pct(self.suppressed_total, self.total)
    }
}

/// What the secondary-suppression audits did for one table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditStats {
    /// Interval audit: repair rounds, counts it suppressed, leaks left (must be 0), pinned
    /// secondary counts published again.
    pub interval_rounds: usize,
    pub interval_added: usize,
    pub interval_left: usize,
    pub interval_published: usize,
    /// LP audit: sub-tables audited, linear programs solved, hypercubes added for small counts
    /// a program pinned down or showed to be small, pinned secondaries published again, leaks
    /// left (must be 0).
    pub lp_subtables: usize,
    pub lp_programs: usize,
    pub lp_cubes: usize,
    pub lp_published: usize,
    pub lp_left: usize,
    /// LP audit: programs the solver failed on (said "infeasible" though the true table is a
    /// solution); a count no other program certifies is then a leak, never published again.
    #[serde(default)]
    pub lp_failed: usize,
    /// LP audit: small counts a program pinned down or showed to be small, repaired by
    /// suppressing the cheapest published counts of the sub-table that let them move.
    #[serde(default)]
    pub lp_repairs: usize,
    /// LP audit: the largest sub-table it may solve, in published counts (cells times counts
    /// per cell; 0 if the LP audit did not run).
    #[serde(default)]
    pub lp_budget: usize,
}

/// The cell key method's parameters, as a release records them. The record keys, the store's
/// secret key and so the cell keys stay secret; the perturbation table's parameters are public.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CkmParams {
    /// The largest noise, either way.
    pub d: u32,
    /// The noise variance (of every count above js).
    pub v: f64,
    /// No published count in 1..=js.
    pub js: u32,
    /// The probability that a count above D + js is published unchanged.
    pub p_unchanged: f64,
    /// A share is published only if its perturbed denominator is at least this.
    pub min_denominator: u32,
}
