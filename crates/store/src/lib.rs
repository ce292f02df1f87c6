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
//! A part file is visible only once the manifest names it: parts are written to
//! `_staging/<run>/`, fsynced, renamed into place, and the manifest is replaced atomically.
//! Files that a crashed ingest left behind are removed the next time the store is opened for
//! writing.
//!
//! One writer at a time: [`Store::open_for_ingest`] holds the exclusive lock `_store.lock`
//! for as long as the store is open (a second writer waits or is refused, see [`Wait`]).
//! Readers ([`Store::open`]) hold a shared lock on `_readers.lock` while they read; a writer
//! deletes a file that a manifest once named (a replaced survey) only when no reader holds
//! it, else it leaves the file for the next writer to remove. So a build reads one consistent
//! set of committed parts whatever an ingest does meanwhile.

mod manifest;
mod read;
mod survey;
#[cfg(test)]
mod tests;
mod write;

use std::path::{Path, PathBuf};

use samtalebank_files::Lock;
pub use samtalebank_files::Wait;

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
    #[error(transparent)]
    File(#[from] samtalebank_files::FileError),
    #[error("{0}: this store keeps ids as delivered (store format 1); ids are now pseudonymised before they are stored: ingest the extracts again into a new store")]
    OldFormat(PathBuf),
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

/// The writers' lock file: held exclusively by the one ingest that writes.
pub const WRITE_LOCK: &str = "_store.lock";
/// The readers' lock file: held shared by every reader while it reads.
pub const READ_LOCK: &str = "_readers.lock";

/// An opened store.
pub struct Store {
    root: PathBuf,
    manifest: Manifest,
    /// The exclusive writer's lock (ingest) or a reader's shared lock (build), held while open.
    _lock: Option<Lock>,
}

impl Store {
    /// Open an existing store for reading: the committed parts as the manifest names them now.
    /// Files named by this manifest stay in place while the store is open.
    pub fn open(root: &Path) -> Result<Store> {
        if !root.join(manifest::NAME).exists() {
            return Err(StoreError::NotAStore(root.into()));
        }
        // The shared lock first, then the manifest: no writer deletes what it names meanwhile.
        let lock = Lock::shared(&root.join(READ_LOCK))?;
        let manifest = Manifest::load(root)?.ok_or_else(|| StoreError::NotAStore(root.into()))?;
        Ok(Store {
            root: root.to_path_buf(),
            manifest,
            _lock: lock,
        })
    }

    /// Open a store for ingest as its one writer, creating it if needed, and remove what a
    /// crashed ingest left. With [`Wait::No`] another writer makes this fail at once, naming
    /// it; with [`Wait::Yes`] this waits until the other writer is done.
    pub fn open_for_ingest(root: &Path, wait: Wait) -> Result<Store> {
        std::fs::create_dir_all(root).map_err(io_err(root))?;
        let lock = Lock::exclusive(
            &root.join(WRITE_LOCK),
            wait,
            &format!("the store {}", root.display()),
            "another ingest is writing to it; run again when it is done, or with --wait to wait for it",
        )?;
        let manifest = match Manifest::load(root)? {
            Some(m) if m.format < manifest::FORMAT => {
                return Err(StoreError::OldFormat(root.into()))
            }
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
            _lock: Some(lock),
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

    /// Remove what no manifest names: the staging area and parts a crashed ingest moved into
    /// place (only this writer can have made them), and files of a replaced survey (a reader may
    /// still read those: only when no reader holds the store).
    fn remove_uncommitted(&self) -> Result<()> {
        let staging = self.root.join(STAGING);
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
        let Some(_no_readers) = Lock::try_exclusive(&self.root.join(READ_LOCK))? else {
            return Ok(());
        };
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

    /// The rows already stored as (pseudonymised id, content fingerprint), for idempotent
    /// ingest and conflict detection.
    pub fn existing_ids(&self, table: &str) -> Result<Vec<(u64, u64)>> {
        read::existing_ids(self, table, &|_| true)
    }

    /// [`Store::existing_ids`] of the ids `wanted` picks (a delivery's, when the store is much
    /// larger than the delivery).
    pub fn existing_ids_among(
        &self,
        table: &str,
        wanted: &(dyn Fn(u64) -> bool + Sync),
    ) -> Result<Vec<(u64, u64)>> {
        read::existing_ids(self, table, wanted)
    }

    /// The rows stored in a table, from the manifest.
    pub fn rows(&self, table: &str) -> u64 {
        self.parts(table).map(|p| p.rows).sum()
    }
}

/// Where a writer stages its parts before commit (one directory per run inside).
pub(crate) const STAGING: &str = "_staging";

/// Fingerprint of an id, used as the in-memory key for duplicate and conflict checks.
pub fn id_key(id: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(id.as_bytes())
}
