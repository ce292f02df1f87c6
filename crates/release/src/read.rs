//! Reading a release back: the current one, or any listed one, as dense tables in memory.

use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int16Type, Int32Type, Int64Type, Int8Type};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::meta::TableMeta;
use crate::table::{Table, UNPUBLISHED};
use crate::{fmt_err, io_err, Manifest, ReleaseError, Result};

/// A release opened for serving.
pub struct Release {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub tables: Vec<Table>,
}

/// The directory of a release by id, or `current`. An id is never a path.
pub fn release_dir(releases: &Path, id: &str) -> Result<PathBuf> {
    let id = if id == "current" {
        current_id(releases)?.ok_or_else(|| ReleaseError::NoCurrent(releases.into()))?
    } else {
        id.to_string()
    };
    if id.is_empty() || id.starts_with('.') || id.contains('/') || id.contains('\\') {
        return Err(fmt_err(releases, format!("'{id}' is not a release id")));
    }
    Ok(releases.join(&id))
}

/// The id of the current release of a releases directory, if there is one.
pub fn current_id(releases: &Path) -> Result<Option<String>> {
    let cur = releases.join("CURRENT");
    match std::fs::read_to_string(&cur) {
        Ok(s) => Ok(Some(s.trim().to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(&cur)(e)),
    }
}

impl Release {
    /// The current release of a releases directory.
    pub fn open_current(releases: &Path) -> Result<Release> {
        let id = current_id(releases)?.ok_or_else(|| ReleaseError::NoCurrent(releases.into()))?;
        Release::open(&releases.join(id))
    }

    /// The current release with what the release calendar (`calendar.toml` beside the
    /// releases, if there is one) tells its readers: next update, frequency, contact.
    pub fn open_current_published(releases: &Path) -> Result<Release> {
        Release::open_published(releases, "current")
    }

    /// A release by id (or `current`) with what the release calendar tells its readers, as
    /// [`Release::open_current_published`] (for a preview of a candidate).
    pub fn open_published(releases: &Path, id: &str) -> Result<Release> {
        let mut r = Release::open_id(releases, id)?;
        if let Some(cal) = crate::Calendar::load(releases)? {
            let made = chrono::DateTime::parse_from_rfc3339(&r.manifest.created)
                .map(|d| d.with_timezone(&chrono::Utc))
                .unwrap_or_else(|_| chrono::Utc::now());
            let p = cal.publication(made);
            for t in &mut r.tables {
                t.meta.publication = p.clone();
            }
        }
        Ok(r)
    }

    /// A release of a releases directory by id, or `current`. An id is never a path.
    pub fn open_id(releases: &Path, id: &str) -> Result<Release> {
        Release::open(&release_dir(releases, id)?)
    }

    /// A release directory. Every file is checked against the checksum in the manifest as
    /// it is read: a damaged or incomplete release is refused, naming the file.
    pub fn open(dir: &Path) -> Result<Release> {
        let manifest: Manifest = read_json(&dir.join("manifest.json"))?;
        let files = Files::new(dir, &manifest)?;
        let mut tables = Vec::new();
        for t in &manifest.tables {
            let tdir = dir.join(&t.id);
            let meta_path = tdir.join("metadata.json");
            let meta: TableMeta =
                serde_json::from_slice(&files.read(&format!("{}/metadata.json", t.id))?)
                    .map_err(|e| fmt_err(&meta_path, e))?;
            check_meta(&meta).map_err(|m| fmt_err(&meta_path, m))?;
            let mut parts = Vec::new();
            for f in &t.files {
                parts.push((tdir.join(f), files.read(&format!("{}/{f}", t.id))?));
            }
            let mut meta = meta;
            meta.content_hash = content_hash(&manifest, &t.id, &t.files);
            // The bulk files are served from disk as they are: checked now, like the rest.
            for f in &t.bulk {
                files.check(&format!("{}/{f}", t.id))?;
            }
            meta.bulk = t.bulk.clone();
            tables.push(load_table(meta, parts, &tdir)?);
        }
        // What this release revised, in each table's notes.
        if let Some(rev) = crate::read_revisions(dir, &manifest)? {
            for tr in &rev.tables {
                let Some(t) = tables.iter_mut().find(|t| t.meta.id == tr.table) else {
                    continue;
                };
                if let Some(n) = tr.note(&rev.previous, samtalebank_model::Lang::Da) {
                    t.meta.notes_da.push(n);
                }
                if let Some(n) = tr.note(&rev.previous, samtalebank_model::Lang::En) {
                    t.meta.notes_en.push(n);
                }
            }
        }
        Ok(Release {
            dir: dir.to_path_buf(),
            manifest,
            tables,
        })
    }

    /// A table by id, in any case.
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|t| t.meta.id.eq_ignore_ascii_case(id))
    }
}

/// The files of a release, read and checked against the manifest's checksums.
pub(crate) struct Files<'a> {
    dir: &'a Path,
    manifest: &'a Manifest,
}

impl<'a> Files<'a> {
    pub(crate) fn new(dir: &'a Path, manifest: &'a Manifest) -> Result<Files<'a>> {
        if manifest.checksums.is_empty() {
            return Err(ReleaseError::Damaged {
                path: dir.join("manifest.json"),
                reason: "the manifest records no checksums, so the release cannot be checked; build it again".into(),
            });
        }
        Ok(Files { dir, manifest })
    }

    /// A file's path and the checksum the manifest records for it.
    fn wanted(&self, rel: &str) -> Result<(PathBuf, &'a str)> {
        let path = self.dir.join(rel);
        match self.manifest.checksums.get(rel) {
            Some(want) => Ok((path, want.as_str())),
            None => Err(ReleaseError::Damaged {
                path,
                reason: "the manifest records no checksum for this file".into(),
            }),
        }
    }

    /// Is `got` the checksum wanted?
    fn compare(path: PathBuf, got: &str, want: &str) -> Result<()> {
        if got == want {
            return Ok(());
        }
        Err(ReleaseError::Damaged {
            path,
            reason: format!("SHA-256 {got} where the manifest records {want}"),
        })
    }

    /// Check a file against its checksum without keeping it (read in pieces).
    fn check(&self, rel: &str) -> Result<()> {
        let (path, want) = self.wanted(rel)?;
        let got = samtalebank_files::sha256_file(&path).map_err(|e| ReleaseError::Damaged {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        Self::compare(path, &got, want)
    }

    /// A file's bytes, if they match its checksum.
    pub(crate) fn read(&self, rel: &str) -> Result<bytes::Bytes> {
        let (path, want) = self.wanted(rel)?;
        let data = std::fs::read(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ReleaseError::Damaged {
                    path: path.clone(),
                    reason: "the file is missing".into(),
                }
            } else {
                io_err(&path)(e)
            }
        })?;
        let got = samtalebank_files::sha256_hex(&data);
        Self::compare(path, &got, want)?;
        Ok(bytes::Bytes::from(data))
    }
}

/// What [`verify`] checked.
#[derive(Debug, Clone)]
pub struct Verified {
    pub id: String,
    pub files: usize,
    pub bytes: u64,
}

/// Check every file of a release directory against its manifest's checksums, and that every
/// file the tables name is there.
pub fn verify(dir: &Path) -> Result<Verified> {
    let manifest: Manifest = read_json(&dir.join("manifest.json"))?;
    let files = Files::new(dir, &manifest)?;
    let mut bytes = 0u64;
    for rel in manifest.checksums.keys() {
        bytes += files.read(rel)?.len() as u64;
    }
    for t in &manifest.tables {
        for f in std::iter::once("metadata.json").chain(t.files.iter().map(String::as_str)) {
            let rel = format!("{}/{f}", t.id);
            if !manifest.checksums.contains_key(&rel) {
                return Err(ReleaseError::Damaged {
                    path: dir.join(rel),
                    reason: "the manifest records no checksum for this file".into(),
                });
            }
        }
    }
    Ok(Verified {
        id: manifest.id.clone(),
        files: manifest.checksums.len(),
        bytes,
    })
}

/// What reading back relies on: every declared total is one of its dimension's categories, and
/// the area dimension holds the country.
fn check_meta(meta: &TableMeta) -> std::result::Result<(), String> {
    for d in &meta.dimensions {
        if let Some(t) = &d.total {
            if d.total_index().is_none() {
                return Err(format!(
                    "dimension '{}': total '{t}' is not one of its categories",
                    d.id
                ));
            }
        }
    }
    if let Some((_, d)) = meta.var(samtalebank_model::Var::Omraade) {
        if d.position(samtalebank_model::dims::COUNTRY).is_none() {
            return Err(format!(
                "dimension '{}' has no country ({})",
                d.id,
                samtalebank_model::dims::COUNTRY
            ));
        }
    }
    Ok(())
}

/// A table's content hash: SHA-256 of its data files' SHA-256s (hex, one per line, in order).
fn content_hash(manifest: &Manifest, table: &str, files: &[String]) -> String {
    let mut text = String::new();
    for f in files {
        // A release from before the checksums were recorded has none.
        let Some(sum) = manifest.checksums.get(&format!("{table}/{f}")) else {
            return String::new();
        };
        text.push_str(sum);
        text.push('\n');
    }
    samtalebank_files::sha256_hex(text.as_bytes())
}

/// Manifests of every complete release, oldest first (half-written ones are never listed).
pub fn list(releases: &Path) -> Result<Vec<Manifest>> {
    let mut out = Vec::new();
    let rd = match std::fs::read_dir(releases) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io_err(releases)(e)),
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !e.path().is_dir() {
            continue;
        }
        if let Ok(m) = read_json::<Manifest>(&e.path().join("manifest.json")) {
            out.push(m);
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let bytes = std::fs::read(path).map_err(io_err(path))?;
    serde_json::from_slice(&bytes).map_err(|e| fmt_err(path, e))
}

/// Codes of a dictionary (or plain string) column as category indices of `categories`.
fn category_indices(a: &ArrayRef, categories: &[String], path: &Path) -> Result<Vec<usize>> {
    let find = |s: &str| {
        categories
            .iter()
            .position(|c| c == s)
            .ok_or_else(|| fmt_err(path, format!("unknown code '{s}'")))
    };
    macro_rules! dict {
        ($t:ty) => {{
            let d = a.as_dictionary::<$t>();
            let v = d.values().as_string::<i32>();
            let map: Vec<usize> = (0..v.len())
                .map(|i| find(v.value(i)))
                .collect::<Result<_>>()?;
            Ok(d.keys().values().iter().map(|&k| map[k as usize]).collect())
        }};
    }
    match a.data_type() {
        DataType::Dictionary(k, _) => match k.as_ref() {
            DataType::Int8 => dict!(Int8Type),
            DataType::Int16 => dict!(Int16Type),
            DataType::Int32 => dict!(Int32Type),
            t => Err(fmt_err(path, format!("unexpected key type {t}"))),
        },
        DataType::Utf8 => {
            let s = a.as_string::<i32>();
            (0..s.len()).map(|i| find(s.value(i))).collect()
        }
        t => Err(fmt_err(path, format!("unexpected column type {t}"))),
    }
}

fn load_table(meta: TableMeta, parts: Vec<(PathBuf, bytes::Bytes)>, dir: &Path) -> Result<Table> {
    let shape: Vec<usize> = meta.dimensions.iter().map(|d| d.categories.len()).collect();
    let cells: usize = shape.iter().product();
    let mut counts = vec![0u32; cells * meta.values.len()];
    let mut numbers = vec![f64::NAN; cells * meta.numbers.len()];
    for (path, data) in parts {
        load_part(&meta, &shape, &mut counts, &mut numbers, &path, data)?;
    }
    Table::new(meta, shape, counts, numbers).map_err(|e| fmt_err(dir, e))
}

fn load_part(
    meta: &TableMeta,
    shape: &[usize],
    counts: &mut [u32],
    numbers: &mut [f64],
    path: &Path,
    data: bytes::Bytes,
) -> Result<()> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(data)
        .and_then(|b| b.with_batch_size(1 << 16).build())
        .map_err(|e| fmt_err(path, e))?;
    let column = |batch: &arrow_array::RecordBatch, name: &str| -> Result<ArrayRef> {
        batch
            .column_by_name(name)
            .cloned()
            .ok_or_else(|| fmt_err(path, format!("column '{name}' is missing")))
    };
    for batch in reader {
        let batch = batch.map_err(|e| fmt_err(path, e))?;
        let mut flat = vec![0usize; batch.num_rows()];
        for (d, n) in meta.dimensions.iter().zip(shape) {
            let codes: Vec<String> = d.categories.iter().map(|c| c.code.clone()).collect();
            let idx = category_indices(&column(&batch, &d.id)?, &codes, path)?;
            for (f, i) in flat.iter_mut().zip(idx) {
                *f = *f * n + i;
            }
        }
        let k = meta.values.len();
        for (v, name) in meta.values.iter().enumerate() {
            let col = column(&batch, name)?;
            let col = col
                .as_primitive_opt::<Int64Type>()
                .ok_or_else(|| fmt_err(path, format!("column '{name}' is not Int64")))?;
            for (i, f) in flat.iter().enumerate() {
                counts[f * k + v] = if col.is_null(i) {
                    UNPUBLISHED
                } else {
                    u32::try_from(col.value(i)).map_err(|_| fmt_err(path, "count out of range"))?
                };
            }
        }
        let kn = meta.numbers.len();
        for (v, name) in meta.numbers.iter().enumerate() {
            let col = column(&batch, name)?;
            let col = col
                .as_primitive_opt::<Float64Type>()
                .ok_or_else(|| fmt_err(path, format!("column '{name}' is not Float64")))?;
            for (i, f) in flat.iter().enumerate() {
                numbers[f * kn + v] = if col.is_null(i) {
                    f64::NAN
                } else {
                    col.value(i)
                };
            }
        }
    }
    Ok(())
}
