//! Releases: immutable, versioned directories of published tables (their disclosure control
//! already applied), made current atomically, and read back for serving.
//!
//! ```text
//! releases/
//!   CURRENT                      the id of the current release (replaced by rename)
//!   releases.log                 every change of the current release (JSON lines)
//!   calendar.toml, check.toml    the release calendar and the thresholds of `releases check`
//!   20261123T101500Z-3f2a9c1b/   one release, never changed after it is published
//!     manifest.json              id, created, threshold, input checksums, per-table figures
//!     SAMT01/metadata.json       dimensions, labels (da/en), measures, units, notes, source
//!     SAMT01/data-<k>.parquet    every non-zero cell: codes, antal (null when suppressed), status
//!     SAMT01/bulk.parquet        the whole table for machines: codes, labels, every measure
//!     SAMT01/bulk.csv.gz         the same as CSV (gzip)
//!     revisions.json             what it changed in periods the release before it published
//!   .tmp-*/                      a build in progress (never listed or served; removed by the next build)
//! ```

mod bulk;
mod calendar;
mod check;
mod diff;
mod log;
pub mod meta;
mod publish;
mod read;
mod revisions;
mod table;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use samtalebank_model::Protection;
use samtalebank_tables::{AuditStats, LevelCost};
use serde::{Deserialize, Serialize};

pub use bulk::{BULK_CSV_GZ, BULK_PARQUET};
pub use calendar::{Calendar, Contact, Publication, CALENDAR_FILE};
pub use check::{check, CheckConfig, Finding, CHECK_FILE};
pub use diff::{diff, TableDiff};
pub use log::{
    history, pinned, prune, publish_due, publish_release, published_ids, read_log, schedule,
    scheduled, statuses, HistoryEntry, LogEntry, Pruned, Scheduled, Status, LOG_FILE, PINNED_FILE,
    SCHEDULE_FILE,
};
pub use meta::{CategoryMeta, DimensionMeta, NestingMeta, TableMeta};
pub use publish::{publish, PublishLock, PublishOptions};
pub use read::{current_id, list, release_dir, verify, Release, Verified};
pub use revisions::{
    read_revisions, revisions, table_revisions, PeriodRevision, Revisions, TableRevisions,
    REVISIONS_FILE,
};
pub use samtalebank_files::Wait;
pub use table::{Table, Value, STATUS_CONFIDENTIAL, STATUS_NOT_APPLICABLE, STATUS_NOT_YET};

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
    /// A file of the release does not match the checksum its manifest records.
    #[error("{path}: damaged release: {reason}")]
    Damaged { path: PathBuf, reason: String },
    #[error(transparent)]
    File(#[from] samtalebank_files::FileError),
    /// A table lacks a variable something needs of it.
    #[error("{table} has no variable '{variable}'")]
    MissingVariable { table: String, variable: String },
    /// A table's stored values do not fit its dimensions.
    #[error("{0}")]
    Shape(String),
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

fn recorded_before_protection() -> Protection {
    Protection::Primary
}

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
    /// The whole table in one file each (`bulk.parquet`, `bulk.csv.gz`), inside its directory;
    /// none when the release was built with `--no-bulk`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bulk: Vec<String>,
    /// What disclosure control costs, per area level.
    #[serde(default)]
    pub cost: Vec<LevelCost>,
    /// What the audits did (`intervals`: the interval and the LP audit), if they ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditStats>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub id: String,
    pub created: String,
    /// Counts below this (and above 0) are suppressed.
    pub threshold: u32,
    /// The disclosure control the release applied (a manifest without it is from before the
    /// field was recorded, when primary suppression was the only method).
    #[serde(default = "recorded_before_protection")]
    pub protection: Protection,
    /// With the cell key method: its parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ckm: Option<samtalebank_tables::CkmParams>,
    /// The last day of data the release covers.
    pub data_end: String,
    pub inputs: Vec<InputChecksum>,
    pub tables: Vec<TableSummary>,
    /// SHA-256 of every file of the release but this manifest, by path inside the release
    /// (`SAMT01/data-0.parquet`). Reading a release checks them.
    #[serde(default)]
    pub checksums: std::collections::BTreeMap<String, String>,
    /// Built as a candidate (`build --candidate`): not current until `releases publish`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub candidate: bool,
}
