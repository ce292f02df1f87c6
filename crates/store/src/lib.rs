//! The store: plain, partitioned Parquet that DuckDB, Polars or Spark can read directly
//! (schema in `docs/store.md`). Ingest appends to it; build reads it as columns.
//!
//! ```text
//! store/
//!   _store.json                        manifest: committed parts (with sha256) and ingested files
//!   samtaler/aar=2023/part-*.parquet   one row per conversation
//!   forloeb/start_aar=2023/part-*.parquet  one row per benefit spell
//!   ref/kommuner.parquet               municipalities and regions
//!   undersoegelse/                     the citizen survey: questionnaire and respondents
//! ```
//! A part file is visible only once the manifest names it: parts are written to `_staging/`,
//! fsynced, renamed into place, and the manifest is replaced atomically. Files that a crashed
//! ingest left behind are removed the next time the store is opened for writing.

mod manifest;
mod read;
mod survey;
mod write;

use std::path::{Path, PathBuf};

pub use manifest::{IngestedFile, Manifest, Part};
pub use read::{ForloebColumns, SamtaleColumns, OPEN_END};
pub use survey::{fingerprint as respondent_fingerprint, Survey, UNDERSOEGELSE};
pub use write::{ForloebRecord, SamtaleRecord, StoreWriter};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
    #[error("{0} is not a Samtalebank store (no _store.json); run `samtalebank ingest` first")]
    NotAStore(PathBuf),
}

pub type Result<T> = std::result::Result<T, StoreError>;

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn fmt_err(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Table names inside the store.
pub const SAMTALER: &str = "samtaler";
pub const FORLOEB: &str = "forloeb";

/// An opened store.
pub struct Store {
    root: PathBuf,
    manifest: Manifest,
}

impl Store {
    /// Open an existing store for reading.
    pub fn open(root: &Path) -> Result<Store> {
        let manifest = Manifest::load(root)?.ok_or_else(|| StoreError::NotAStore(root.into()))?;
        Ok(Store {
            root: root.to_path_buf(),
            manifest,
        })
    }

    /// Open a store for ingest, creating it if needed, and remove what a crashed ingest left.
    pub fn open_or_create(root: &Path) -> Result<Store> {
        std::fs::create_dir_all(root).map_err(io_err(root))?;
        let manifest = match Manifest::load(root)? {
            Some(m) => m,
            None => {
                let m = Manifest::default();
                m.save(root)?;
                write::write_reference(root)?;
                m
            }
        };
        let store = Store {
            root: root.to_path_buf(),
            manifest,
        };
        store.remove_uncommitted()?;
        Ok(store)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Parts of one table, as committed.
    pub fn parts<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a Part> + 'a {
        self.manifest.parts.iter().filter(move |p| p.table == table)
    }

    /// Has a file with this sha256 been ingested before?
    pub fn ingested(&self, sha256: &str) -> Option<&IngestedFile> {
        self.manifest.files.iter().find(|f| f.sha256 == sha256)
    }

    /// Start writing new rows; nothing is visible until [`StoreWriter::commit`].
    pub fn writer(&mut self) -> Result<StoreWriter<'_>> {
        StoreWriter::new(self)
    }

    fn remove_uncommitted(&self) -> Result<()> {
        let staging = self.root.join("_staging");
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
        }
        for table in [SAMTALER, FORLOEB] {
            let dir = self.root.join(table);
            let Ok(parts) = std::fs::read_dir(&dir) else {
                continue;
            };
            for partition in parts.flatten() {
                let Ok(files) = std::fs::read_dir(partition.path()) else {
                    continue;
                };
                for f in files.flatten() {
                    if !f.path().is_file() {
                        continue;
                    }
                    let rel = f
                        .path()
                        .strip_prefix(&self.root)
                        .map(|p| p.to_string_lossy().replace('\\', "/"))
                        .unwrap_or_default();
                    if !self.manifest.parts.iter().any(|p| p.path == rel) {
                        std::fs::remove_file(f.path()).map_err(io_err(&f.path()))?;
                    }
                }
            }
        }
        if let Ok(files) = std::fs::read_dir(self.root.join(UNDERSOEGELSE)) {
            for f in files.flatten() {
                let rel = format!("{UNDERSOEGELSE}/{}", f.file_name().to_string_lossy());
                if !self.manifest.parts.iter().any(|p| p.path == rel) {
                    std::fs::remove_file(f.path()).map_err(io_err(&f.path()))?;
                }
            }
        }
        Ok(())
    }

    /// Read every committed conversation as columns of dictionary codes.
    pub fn read_samtaler(&self) -> Result<SamtaleColumns> {
        read::read_samtaler(self)
    }

    /// Read every committed spell as columns of dictionary codes.
    pub fn read_forloeb(&self) -> Result<ForloebColumns> {
        read::read_forloeb(self)
    }

    /// Content fingerprints of the rows already stored, keyed by a hash of the row's id, for
    /// idempotent ingest and conflict detection.
    pub fn existing_ids(&self, table: &str) -> Result<rustc_hash::FxHashMap<u64, u64>> {
        read::existing_ids(self, table)
    }
}

/// Fingerprint of an id, used as the in-memory key for duplicate and conflict checks.
pub fn id_key(id: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(id.as_bytes())
}
