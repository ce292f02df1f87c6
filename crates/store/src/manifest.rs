//! `_store.json`: which part files are committed, and which input files were ingested.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{fmt_err, io_err, Result};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Part {
    /// `samtaler` or `forloeb`.
    pub table: String,
    /// Path relative to the store root, with `/`.
    pub path: String,
    pub rows: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IngestedFile {
    /// The file name as given (no directories: they may be personal).
    pub name: String,
    pub sha256: String,
    pub ingested_at: String,
    pub rows_read: u64,
    pub rows_accepted: u64,
    pub rows_rejected: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub parts: Vec<Part>,
    pub files: Vec<IngestedFile>,
}

pub(crate) const NAME: &str = "_store.json";
/// The manifest's format: 2 = ids pseudonymised before they are stored.
pub(crate) const FORMAT: u32 = 2;

impl Manifest {
    pub(crate) fn load(root: &Path) -> Result<Option<Manifest>> {
        let path = root.join(NAME);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| fmt_err(&path, e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(&path)(e)),
        }
    }

    /// Replace the manifest atomically (a temporary file, fsync, rename, fsync of the store).
    pub(crate) fn save(&self, root: &Path) -> Result<()> {
        let path = root.join(NAME);
        let mut m = self.clone();
        m.format = FORMAT;
        let bytes = serde_json::to_vec_pretty(&m).map_err(|e| fmt_err(&path, e))?;
        samtalebank_files::write_atomic(&path, &bytes, 0o644)?;
        Ok(())
    }
}
