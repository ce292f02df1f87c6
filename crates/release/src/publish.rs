//! Publishing a release: write everything into `.tmp-<id>/`, fsync, rename into place, then
//! replace `CURRENT` by rename. A crash at any point leaves the previous release current and
//! intact; the next build removes the half-written directory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::Int16Type;
use arrow_array::{
    ArrayRef, DictionaryArray, Float64Array, Int16Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use samtalebank_model::Protection;
use samtalebank_tables::{CountStatus, Published};

use crate::meta::TableMeta;
use crate::{fmt_err, io_err, InputChecksum, Manifest, Result, TableSummary, STATUS_CONFIDENTIAL};

pub struct PublishOptions {
    pub releases: PathBuf,
    /// Counts in 1..threshold are suppressed.
    pub threshold: u32,
    /// The disclosure control the tables went through.
    pub protection: Protection,
    /// With the cell key method: its parameters.
    pub ckm: Option<samtalebank_tables::CkmParams>,
    pub inputs: Vec<InputChecksum>,
    /// Last day of data (days since 1970-01-01).
    pub data_end: i32,
    /// First day of data (days since 1970-01-01).
    pub data_start: i32,
    /// Write a candidate: complete, but not made current (`releases publish` does that).
    pub candidate: bool,
    /// Write each table whole in one file for machines (`bulk.parquet`, `bulk.csv.gz`).
    pub bulk: bool,
}

/// A short, stable id from the input checksums and the creation time.
fn short_id(parts: &[String]) -> String {
    format!(
        "{:08x}",
        xxhash_rust::xxh3::xxh3_64(parts.join("\n").as_bytes()) as u32
    )
}

/// The right to publish into a releases directory: one build at a time (an advisory lock on
/// `releases/.build.lock`, released when dropped or when the process ends).
pub struct PublishLock {
    root: PathBuf,
    _lock: samtalebank_files::Lock,
}

impl PublishLock {
    /// Take the lock of `releases` (created if missing). With `Wait::No` another build makes
    /// this fail at once, naming it.
    pub fn acquire(releases: &Path, wait: samtalebank_files::Wait) -> Result<PublishLock> {
        std::fs::create_dir_all(releases).map_err(io_err(releases))?;
        let lock = samtalebank_files::Lock::exclusive(
            &releases.join(".build.lock"),
            wait,
            &format!("the releases directory {}", releases.display()),
            "another build is publishing into it; run again when it is done, or with --wait to wait for it",
        )?;
        Ok(PublishLock {
            root: releases.to_path_buf(),
            _lock: lock,
        })
    }

    /// Is this the lock of `releases`?
    pub(crate) fn check(&self, releases: &Path) -> Result<()> {
        if self.root != releases {
            return Err(fmt_err(
                releases,
                "publishing without this directory's lock",
            ));
        }
        Ok(())
    }
}

/// Publish the tables as a new release and make it current (a candidate: not current). Returns
/// its manifest.
pub fn publish(
    lock: &PublishLock,
    opts: &PublishOptions,
    tables: &[Published],
) -> Result<Manifest> {
    let root = &opts.releases;
    lock.check(root)?;
    // Only the holder of the lock gets here: a `.tmp-` directory is a killed build's.
    remove_half_written(root)?;
    crate::log::remove_pruned(root)?;
    let now = chrono::Utc::now();
    let created = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut id_parts: Vec<String> = opts.inputs.iter().map(|i| i.sha256.clone()).collect();
    id_parts.push(created.clone());
    let mut id = format!("{}-{}", now.format("%Y%m%dT%H%M%SZ"), short_id(&id_parts));
    let mut n = 1;
    while root.join(&id).exists() {
        n += 1;
        id = format!(
            "{}-{}-{n}",
            now.format("%Y%m%dT%H%M%SZ"),
            short_id(&id_parts)
        );
    }
    let tmp = root.join(format!(".tmp-{id}"));
    std::fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
    let data_end = samtalebank_model::time::from_days(opts.data_end)
        .format("%Y-%m-%d")
        .to_string();
    let data_start = samtalebank_model::time::from_days(opts.data_start)
        .format("%Y-%m-%d")
        .to_string();
    let mut summaries = Vec::new();
    let mut checksums = std::collections::BTreeMap::new();
    // The release this one replaces, to tell readers what it revises.
    let previous = match crate::current_id(root)? {
        Some(cur) => match crate::Release::open(&root.join(&cur)) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!(
                    "warning: the current release {cur} cannot be read ({e}); this release is written without its revisions"
                );
                None
            }
        },
        None => None,
    };
    let mut revised = Vec::new();
    for table in tables {
        let dir = tmp.join(table.def.id);
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let mut meta = TableMeta::new(table, &created, opts.threshold, (&data_start, &data_end));
        meta.min_denominator = opts.ckm.as_ref().map_or(0, |c| c.min_denominator);
        let sum = write_json(&dir.join("metadata.json"), &meta)?;
        checksums.insert(format!("{}/metadata.json", meta.id), sum);
        let (mut summary, sums) = write_data(&dir, &meta, table)?;
        for (name, sum) in summary.files.iter().zip(sums) {
            checksums.insert(format!("{}/{name}", meta.id), sum);
        }
        let before = previous.as_ref().and_then(|p| p.table(&meta.id));
        if opts.bulk || before.is_some() {
            let readable = crate::bulk::table_of(&meta, table)?;
            if opts.bulk {
                for (name, sum) in crate::bulk::write_bulk(&dir, &readable)? {
                    checksums.insert(format!("{}/{name}", meta.id), sum);
                    summary.bulk.push(name);
                }
            }
            if let Some(a) = before {
                revised.push(crate::revisions::table_revisions(a, &readable));
            }
        }
        summary.cost = table.report.cost.clone();
        summary.audit = table.report.audit.clone();
        summaries.push(summary);
        sync_dir(&dir)?;
    }
    if let Some(p) = &previous {
        let r = crate::Revisions {
            previous: p.manifest.id.clone(),
            tables: revised,
        };
        let sum = write_json(&tmp.join(crate::REVISIONS_FILE), &r)?;
        checksums.insert(crate::REVISIONS_FILE.to_string(), sum);
    }
    drop(previous);
    let manifest = Manifest {
        id: id.clone(),
        created,
        threshold: opts.threshold,
        protection: opts.protection,
        ckm: opts.ckm.clone(),
        data_end,
        inputs: opts.inputs.clone(),
        tables: summaries,
        checksums,
        candidate: opts.candidate,
    };
    write_json(&tmp.join("manifest.json"), &manifest)?;
    sync_dir(&tmp)?;
    let dest = root.join(&id);
    std::fs::rename(&tmp, &dest).map_err(io_err(&dest))?;
    sync_dir(root)?;
    if opts.candidate {
        return Ok(manifest);
    }
    // Make it current: CURRENT is replaced atomically.
    let previous = crate::current_id(root)?;
    samtalebank_files::write_atomic(&root.join("CURRENT"), format!("{id}\n").as_bytes(), 0o644)?;
    crate::log::append(
        root,
        &crate::log::LogEntry {
            time: crate::log::now(),
            release: id,
            previous,
            by: "build".into(),
        },
    )?;
    Ok(manifest)
}

fn remove_half_written(root: &Path) -> Result<()> {
    for e in std::fs::read_dir(root).map_err(io_err(root))?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".tmp-") {
            std::fs::remove_dir_all(e.path()).map_err(io_err(&e.path()))?;
        } else if name == "CURRENT.tmp" || samtalebank_files::is_temporary(&name) {
            std::fs::remove_file(e.path()).map_err(io_err(&e.path()))?;
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<()> {
    Ok(samtalebank_files::sync_dir(dir)?)
}

/// Write a JSON file and fsync it; returns its SHA-256.
fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<String> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|e| fmt_err(path, e))?;
    let mut f = std::fs::File::create(path).map_err(io_err(path))?;
    f.write_all(&bytes).map_err(io_err(path))?;
    f.sync_all().map_err(io_err(path))?;
    Ok(samtalebank_files::sha256_hex(&bytes))
}

/// Write every cell with a published non-zero count or an unpublished one, in
/// `data-<k>.parquet` parts written in parallel (one per core); an unpublished count is null,
/// with status `..` when disclosure control suppressed it. (A cell whose published counts are
/// all zero is not written: under the cell key method it may hold a small true count.)
/// Returns the summary and the SHA-256 of each file, in the order of `summary.files`.
fn write_data(
    dir: &Path,
    meta: &TableMeta,
    table: &Published,
) -> Result<(TableSummary, Vec<String>)> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8);
    let n = table.cells();
    let chunk = n.div_ceil(threads).max(1);
    let results: Vec<Result<(String, u64, u64, String)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                s.spawn(move || {
                    let name = format!("data-{k}.parquet");
                    let range = (k * chunk).min(n)..((k + 1) * chunk).min(n);
                    write_part(&dir.join(&name), meta, table, range)
                        .map(|(nz, sup, sum)| (name, nz, sup, sum))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut summary = TableSummary {
        id: meta.id.clone(),
        cells: n as u64,
        nonzero_cells: 0,
        suppressed_cells: 0,
        files: Vec::new(),
        bulk: Vec::new(),
        cost: Vec::new(),
        audit: None,
    };
    let mut sums = Vec::new();
    for r in results {
        let (name, nz, sup, sum) = r?;
        summary.files.push(name);
        sums.push(sum);
        summary.nonzero_cells += nz;
        summary.suppressed_cells += sup;
    }
    Ok((summary, sums))
}

/// Write the cells of the flat range `range` of a table to one Parquet file.
///
/// Long: One Parquet part: the column builders are filled in one walk over the cells and written together.
fn write_part(
    path: &Path,
    meta: &TableMeta,
    table: &Published,
    range: std::ops::Range<usize>,
) -> Result<(u64, u64, String)> {
    let shape: Vec<usize> = table.dims.iter().map(|d| d.len()).collect();
    let nd = shape.len();
    let k = table.stride();
    let kn = meta.numbers.len();
    let counts = &table.counts[range.start * k..range.end * k];
    let status_of = &table.status[range.start * k..range.end * k];
    let numbers = &table.numbers[range.start * kn..range.end * kn];
    let written = |cell: usize| {
        (0..k).any(|j| {
            let s = status_of[cell * k + j];
            s != CountStatus::Published || counts[cell * k + j] > 0
        }) || numbers[cell * kn..(cell + 1) * kn]
            .iter()
            .any(|x| !x.is_nan())
    };
    let cells = range.len();
    let rows = (0..cells).filter(|&c| written(c)).count();
    let mut keys: Vec<Vec<i16>> = (0..nd).map(|_| Vec::with_capacity(rows)).collect();
    let mut values: Vec<Vec<Option<i64>>> = (0..k).map(|_| Vec::with_capacity(rows)).collect();
    let mut nums: Vec<Vec<Option<f64>>> = (0..kn).map(|_| Vec::with_capacity(rows)).collect();
    let mut status: Vec<Option<i16>> = Vec::with_capacity(rows);
    let mut suppressed = 0u64;
    let mut nz = 0u64;
    // Coordinates of the first cell of the range (last dimension fastest).
    let mut coords = vec![0usize; nd];
    let mut rest = range.start;
    for d in (0..nd).rev() {
        coords[d] = rest % shape[d];
        rest /= shape[d];
    }
    for i in 0..cells {
        if written(i) {
            nz += u64::from(counts[i * k..(i + 1) * k].iter().any(|&x| x > 0));
            for (key, &x) in keys.iter_mut().zip(&coords) {
                key.push(x as i16);
            }
            let mut any = false;
            for (j, col) in values.iter_mut().enumerate() {
                let s = status_of[i * k + j];
                any |= s.suppressed();
                col.push((s == CountStatus::Published).then(|| i64::from(counts[i * k + j])));
            }
            for (j, col) in nums.iter_mut().enumerate() {
                let x = numbers[i * kn + j];
                col.push((!x.is_nan()).then_some(x));
            }
            status.push(any.then_some(0));
            suppressed += u64::from(any);
        }
        // Advance the odometer.
        for d in (0..nd).rev() {
            coords[d] += 1;
            if coords[d] < shape[d] {
                break;
            }
            coords[d] = 0;
        }
    }
    let dict_t = DataType::Dictionary(Box::new(DataType::Int16), Box::new(DataType::Utf8));
    let mut fields: Vec<Field> = meta
        .dimensions
        .iter()
        .map(|d| Field::new(&d.id, dict_t.clone(), false))
        .collect();
    for name in &meta.values {
        fields.push(Field::new(name, DataType::Int64, true));
    }
    for name in &meta.numbers {
        fields.push(Field::new(name, DataType::Float64, true));
    }
    fields.push(Field::new("status", dict_t, true));
    let mut cols: Vec<ArrayRef> = meta
        .dimensions
        .iter()
        .zip(keys)
        .map(|(d, k)| {
            let values =
                StringArray::from_iter_values(d.categories.iter().map(|c| c.code.as_str()));
            Arc::new(DictionaryArray::<Int16Type>::new(
                Int16Array::from(k),
                Arc::new(values),
            )) as ArrayRef
        })
        .collect();
    for col in values {
        cols.push(Arc::new(Int64Array::from(col)));
    }
    for col in nums {
        cols.push(Arc::new(Float64Array::from(col)));
    }
    cols.push(Arc::new(DictionaryArray::<Int16Type>::new(
        Int16Array::from(status),
        Arc::new(StringArray::from(vec![STATUS_CONFIDENTIAL])),
    )));
    let batch =
        RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).map_err(|e| fmt_err(path, e))?;
    let file =
        samtalebank_files::Sha256Writer::new(std::fs::File::create(path).map_err(io_err(path))?);
    let props = WriterProperties::builder()
        .set_compression(Compression::UNCOMPRESSED)
        .build();
    let mut w =
        ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(|e| fmt_err(path, e))?;
    w.write(&batch).map_err(|e| fmt_err(path, e))?;
    let (file, sum) = w.into_inner().map_err(|e| fmt_err(path, e))?.finish();
    file.sync_all().map_err(io_err(path))?;
    Ok((nz, suppressed, sum))
}
