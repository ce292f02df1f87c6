//! Releases: immutable, versioned directories of published tables with disclosure control
//! applied, made current atomically.
//!
//! ```text
//! releases/
//!   CURRENT                      the id of the current release (replaced by rename)
//!   20261123T101500Z-3f2a9c1b/   one release, never changed after it is published
//!     manifest.json              id, created, threshold, input checksums, per-table figures
//!     SAMT01/metadata.json       dimensions, labels (da/en), measures, units, notes, source
//!     SAMT01/data-<k>.parquet    every non-zero cell: codes, antal (null when suppressed), status
//!   .tmp-*/                      a build in progress (never listed or served; removed by the next build)
//! ```

mod diff;
pub mod gap;
mod publish;
mod read;
pub mod suppress;
pub mod tables;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use diff::{diff, TableDiff};
pub use publish::{publish, suppression_cost, PublishOptions};
pub use read::{list, Release, Table, Value};
pub use suppress::LP_BUDGET;

#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
    #[error("no current release in {0}; run `samtalebank build` first")]
    NoCurrent(PathBuf),
}

pub type Result<T> = std::result::Result<T, ReleaseError>;

pub(crate) fn io_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> ReleaseError + '_ {
    move |source| ReleaseError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn fmt_err(path: &std::path::Path, e: impl std::fmt::Display) -> ReleaseError {
    ReleaseError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Status code of a suppressed value (JSON-stat `status`, CSV text).
pub const STATUS_CONFIDENTIAL: &str = "..";
/// Status code of a value that cannot be computed (zero denominator).
pub const STATUS_NOT_APPLICABLE: &str = "-";
/// Status code of an indicator that is not yet available (spells not yet followed far enough).
pub const STATUS_NOT_YET: &str = ".";

/// Checksum of one input the release was built from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputChecksum {
    pub path: String,
    pub rows: u64,
    pub sha256: String,
}

/// Per-table figures in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableSummary {
    pub id: String,
    /// All cells of the cube (every combination of categories).
    pub cells: u64,
    pub nonzero_cells: u64,
    /// Cells with at least one suppressed count.
    pub suppressed_cells: u64,
    /// The table's data files, inside its directory.
    pub files: Vec<String>,
    /// What disclosure control costs, per area level.
    #[serde(default)]
    pub cost: Vec<SuppressionCost>,
    /// What the audits did (`intervals`: the interval and the LP audit), if they ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditStats>,
}

/// What the secondary-suppression audits did for one table (manifest, `build`'s report).
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
    /// LP audit: the largest sub-table it solved, in published counts (cells times counts per
    /// cell; 0 if none; until stop 14, in unknowns: cells times atoms).
    #[serde(default)]
    pub lp_budget: usize,
}

/// The cost of disclosure control at one area level of one table: the share of non-zero cells
/// with a suppressed count, and the share of the table's first count (conversations, spells
/// started, persons, numerators) in suppressed cells.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SuppressionCost {
    /// `land`, `region` or `kommune`.
    pub level: String,
    pub cells: u64,
    /// Cells with a suppressed count, primary or secondary.
    pub suppressed_cells: u64,
    /// Of them, cells with a count below the threshold (primary suppression).
    #[serde(default)]
    pub primary_cells: u64,
    pub total: u64,
    pub suppressed_total: u64,
}

impl SuppressionCost {
    pub fn cell_pct(&self) -> f64 {
        if self.cells == 0 {
            0.0
        } else {
            100.0 * self.suppressed_cells as f64 / self.cells as f64
        }
    }
    pub fn primary_pct(&self) -> f64 {
        if self.cells == 0 {
            0.0
        } else {
            100.0 * self.primary_cells as f64 / self.cells as f64
        }
    }
    pub fn total_pct(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            100.0 * self.suppressed_total as f64 / self.total as f64
        }
    }
}

/// How far disclosure control goes (`build --protection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protection {
    /// Counts from 1 up to the threshold are suppressed, and shares computed from them.
    #[default]
    Primary,
    /// Primary, then the line audit: no relation (a total and its parts, along any variable or
    /// level) has exactly one suppressed cell, so nothing can be recovered by subtraction.
    Lines,
    /// Lines, then the interval audit: no suppressed count is pinned to one value, or shown to
    /// be below the threshold, by chaining relations (bound propagation over every relation,
    /// including the counts' own: SAMT02's nested measures); small differences of nested
    /// counts are suppressed too.
    Intervals,
    /// Intervals, then the LP audit: on every sub-table of up to `LP_BUDGET` counts (a group
    /// of the area and of the time variable, the other variables in full or at their total),
    /// no suppressed count is pinned or shown to be small by linear programming over all of the
    /// sub-table's relations at once; a leak is repaired with the cheapest published counts of
    /// the sub-table. The default: a little less information than `Intervals` on generated
    /// data, slower (scale 1.0: about 8 minutes against 49 s).
    Lp,
    /// Primary, then the hypercube method: no suppressed count can be recovered, or shown to be
    /// below the threshold, by linear programming over every published relation.
    Full,
}

impl Protection {
    pub fn name(self) -> &'static str {
        match self {
            Protection::Primary => "primary",
            Protection::Lines => "lines",
            Protection::Intervals => "intervals",
            Protection::Lp => "lp",
            Protection::Full => "full",
        }
    }
}

impl std::str::FromStr for Protection {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        [
            Protection::Primary,
            Protection::Lines,
            Protection::Intervals,
            Protection::Lp,
            Protection::Full,
        ]
        .into_iter()
        .find(|p| p.name() == s)
        .ok_or_else(|| {
            format!("unknown protection '{s}' (expected primary, lines, intervals, lp or full)")
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub id: String,
    pub created: String,
    /// Counts below this (and above 0) are suppressed.
    pub threshold: u32,
    /// The disclosure control the release applied.
    #[serde(default)]
    pub protection: Protection,
    /// The last day of data the release covers.
    pub data_end: String,
    pub inputs: Vec<InputChecksum>,
    pub tables: Vec<TableSummary>,
}
