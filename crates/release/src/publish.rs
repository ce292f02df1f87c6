//! Publishing a release: write everything into `.tmp-<id>/`, fsync, rename into place, then
//! replace `CURRENT` by rename. A crash at any point leaves the previous release current and
//! intact; the next build removes the half-written directory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::Int16Type;
use arrow_array::{ArrayRef, DictionaryArray, Int16Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use samtalebank_engine::Cube;

use crate::suppress::{HIDDEN, PRIMARY, SECONDARY};
use crate::tables::{
    bench01_meta, samt01_meta, samt02_meta, samt03_meta, CategoryMeta, DimensionMeta, TableMeta,
};
use crate::{
    fmt_err, io_err, InputChecksum, Manifest, Protection, Result, TableSummary, STATUS_CONFIDENTIAL,
};

pub struct PublishOptions {
    pub releases: PathBuf,
    /// Counts in 1..threshold are suppressed.
    pub threshold: u32,
    /// How far disclosure control goes.
    pub protection: Protection,
    /// With `Protection::Lp`: the largest sub-table the LP audit solves, in published counts
    /// (cells times counts per cell).
    pub lp_budget: usize,
    pub inputs: Vec<InputChecksum>,
    /// Last day of data (days since 1970-01-01).
    pub data_end: i32,
    /// First day of data (days since 1970-01-01).
    pub data_start: i32,
}

/// A short, stable id from the input checksums and the creation time.
fn short_id(parts: &[String]) -> String {
    format!(
        "{:08x}",
        xxhash_rust::xxh3::xxh3_64(parts.join("\n").as_bytes()) as u32
    )
}

fn dim_meta(d: &samtalebank_model::dims::Dimension) -> DimensionMeta {
    DimensionMeta {
        id: d.id.clone(),
        label_da: d.label_da.clone(),
        label_en: d.label_en.clone(),
        role: match d.id.as_str() {
            "omraade" => "geo",
            "tid" => "time",
            _ => "",
        }
        .into(),
        categories: d
            .categories
            .iter()
            .map(|c| CategoryMeta {
                code: c.code.clone(),
                label_da: c.label_da.clone(),
                label_en: c.label_en.clone(),
            })
            .collect(),
        total: d.total.map(|t| d.categories[t].code.clone()),
    }
}

/// Publish the tables as a new release and make it current. Returns its manifest.
pub fn publish(opts: &PublishOptions, tables: Vec<(&str, Cube)>) -> Result<Manifest> {
    let root = &opts.releases;
    std::fs::create_dir_all(root).map_err(io_err(root))?;
    remove_half_written(root)?;
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
    let statuses = crate::suppress::protect_release(
        &tables,
        opts.threshold,
        opts.protection,
        opts.lp_budget,
        opts.data_start,
        opts.data_end,
    );
    let mut summaries = Vec::new();
    for ((tid, cube), (status, audit)) in tables.iter().zip(&statuses) {
        let dir = tmp.join(tid);
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let dims: Vec<DimensionMeta> = cube.dims.iter().map(dim_meta).collect();
        let mut meta = match *tid {
            "SAMT01" => samt01_meta(
                dims,
                created.clone(),
                opts.threshold,
                opts.protection,
                data_end.clone(),
            ),
            "SAMT02" => samt02_meta(
                dims,
                created.clone(),
                opts.threshold,
                opts.protection,
                data_end.clone(),
            ),
            "BENCH01" => bench01_meta(
                dims,
                created.clone(),
                opts.threshold,
                opts.protection,
                data_end.clone(),
                data_start.clone(),
            ),
            "SAMT03" => samt03_meta(
                dims,
                created.clone(),
                opts.threshold,
                opts.protection,
                data_end.clone(),
                data_start.clone(),
            ),
            other => return Err(fmt_err(&dir, format!("unknown table {other}"))),
        };
        meta.values = cube.published_values().to_vec();
        write_json(&dir.join("metadata.json"), &meta)?;
        let mut summary = write_data(&dir, &meta, cube, status, opts.threshold)?;
        summary.audit = audit.clone();
        summaries.push(summary);
        sync_dir(&dir)?;
    }
    let manifest = Manifest {
        id: id.clone(),
        created,
        threshold: opts.threshold,
        protection: opts.protection,
        data_end,
        inputs: opts.inputs.clone(),
        tables: summaries,
    };
    write_json(&tmp.join("manifest.json"), &manifest)?;
    sync_dir(&tmp)?;
    let dest = root.join(&id);
    std::fs::rename(&tmp, &dest).map_err(io_err(&dest))?;
    sync_dir(root)?;
    // Make it current: write CURRENT.tmp, fsync, rename over CURRENT, fsync the directory.
    let cur_tmp = root.join("CURRENT.tmp");
    let mut f = std::fs::File::create(&cur_tmp).map_err(io_err(&cur_tmp))?;
    f.write_all(format!("{id}\n").as_bytes())
        .map_err(io_err(&cur_tmp))?;
    f.sync_all().map_err(io_err(&cur_tmp))?;
    let cur = root.join("CURRENT");
    std::fs::rename(&cur_tmp, &cur).map_err(io_err(&cur))?;
    sync_dir(root)?;
    Ok(manifest)
}

fn remove_half_written(root: &Path) -> Result<()> {
    for e in std::fs::read_dir(root).map_err(io_err(root))?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".tmp-") {
            std::fs::remove_dir_all(e.path()).map_err(io_err(&e.path()))?;
        } else if name == "CURRENT.tmp" {
            std::fs::remove_file(e.path()).map_err(io_err(&e.path()))?;
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir))
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|e| fmt_err(path, e))?;
    let mut f = std::fs::File::create(path).map_err(io_err(path))?;
    f.write_all(&bytes).map_err(io_err(path))?;
    f.sync_all().map_err(io_err(path))
}

/// Write every non-zero or suppressed cell, in `data-<k>.parquet` parts written in parallel
/// (one per core); suppressed counts are written as null with status `..` (and so are small
/// counts that are not published for another reason).
fn write_data(
    dir: &Path,
    meta: &TableMeta,
    cube: &Cube,
    status: &[u8],
    threshold: u32,
) -> Result<TableSummary> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8);
    let n = cube.counts.len() / cube.values.len().max(1);
    debug_assert_eq!(status.len(), n * meta.values.len());
    let chunk = n.div_ceil(threads).max(1);
    let results: Vec<Result<(String, u64, u64)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                s.spawn(move || {
                    let name = format!("data-{k}.parquet");
                    let range = (k * chunk).min(n)..((k + 1) * chunk).min(n);
                    write_part(&dir.join(&name), meta, cube, status, threshold, range)
                        .map(|(nz, sup)| (name, nz, sup))
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
        cost: suppression_cost(cube, status),
        audit: None,
    };
    for r in results {
        let (name, nz, sup) = r?;
        summary.files.push(name);
        summary.nonzero_cells += nz;
        summary.suppressed_cells += sup;
    }
    Ok(summary)
}

/// Write the non-zero cells of the flat range `range` of the cube to one Parquet file.
fn write_part(
    path: &Path,
    meta: &TableMeta,
    cube: &Cube,
    status: &[u8],
    threshold: u32,
    range: std::ops::Range<usize>,
) -> Result<(u64, u64)> {
    let shape = cube.shape();
    let nd = shape.len();
    // Counts per cell in the cube (hidden ones included), and published.
    let stride = cube.values.len();
    let k = meta.values.len();
    let counts = &cube.counts[range.start * stride..range.end * stride];
    let status_of = &status[range.start * k..range.end * k];
    let suppressed_at = |s: u8| s == PRIMARY || s == SECONDARY;
    let written = |cell: usize| {
        counts[cell * stride..cell * stride + k]
            .iter()
            .any(|&x| x > 0)
            || status_of[cell * k..(cell + 1) * k]
                .iter()
                .any(|&s| suppressed_at(s))
    };
    let nonzero = (0..counts.len() / stride.max(1))
        .filter(|&c| written(c))
        .count();
    let mut keys: Vec<Vec<i16>> = (0..nd).map(|_| Vec::with_capacity(nonzero)).collect();
    let mut values: Vec<Vec<Option<i64>>> = (0..k).map(|_| Vec::with_capacity(nonzero)).collect();
    let mut status: Vec<Option<i16>> = Vec::with_capacity(nonzero);
    let mut suppressed = 0u64;
    let mut nz = 0u64;
    // Coordinates of the first cell of the range (last dimension fastest).
    let mut coords = vec![0usize; nd];
    let mut rest = range.start;
    for d in (0..nd).rev() {
        coords[d] = rest % shape[d];
        rest /= shape[d];
    }
    for (i, cell) in counts.chunks(stride).enumerate() {
        let cell = &cell[..k];
        if written(i) {
            nz += u64::from(cell.iter().any(|&x| x > 0));
            for (key, &x) in keys.iter_mut().zip(&coords) {
                key.push(x as i16);
            }
            let mut any = false;
            for ((col, &c), &s) in values.iter_mut().zip(cell).zip(&status_of[i * k..]) {
                if suppressed_at(s) {
                    col.push(None);
                    any = true;
                } else if s == HIDDEN && c > 0 && c < threshold {
                    col.push(None);
                } else {
                    col.push(Some(i64::from(c)));
                }
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
    cols.push(Arc::new(DictionaryArray::<Int16Type>::new(
        Int16Array::from(status),
        Arc::new(StringArray::from(vec![STATUS_CONFIDENTIAL])),
    )));
    let batch =
        RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).map_err(|e| fmt_err(path, e))?;
    let file = std::fs::File::create(path).map_err(io_err(path))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::UNCOMPRESSED)
        .build();
    let mut w =
        ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(|e| fmt_err(path, e))?;
    w.write(&batch).map_err(|e| fmt_err(path, e))?;
    let file = w.into_inner().map_err(|e| fmt_err(path, e))?;
    file.sync_all().map_err(io_err(path))?;
    Ok((nz, suppressed))
}

/// Per area level: non-zero cells, cells with a suppressed count (and of them, cells with a
/// primary one), and the first count's total and suppressed part.
pub fn suppression_cost(cube: &Cube, status: &[u8]) -> Vec<crate::SuppressionCost> {
    let Some(ad) = cube.dims.iter().position(|d| d.id == "omraade") else {
        return Vec::new();
    };
    let level = |code: &str| match code.len() {
        4 => 1,
        3 if code != "000" => 2,
        _ => 0,
    };
    let levels: Vec<usize> = cube.dims[ad]
        .categories
        .iter()
        .map(|c| level(&c.code))
        .collect();
    let inner: usize = cube.dims[ad + 1..].iter().map(|d| d.len()).product();
    let n_area = cube.dims[ad].len();
    let stride = cube.values.len().max(1);
    let k = cube.published_values().len();
    let mut acc: [crate::SuppressionCost; 3] = Default::default();
    for (cell, counts) in cube.counts.chunks(stride).enumerate() {
        let counts = &counts[..k];
        if counts.iter().all(|&c| c == 0) {
            continue;
        }
        let st = &status[cell * k..(cell + 1) * k];
        let a = (cell / inner) % n_area;
        let e = &mut acc[levels[a]];
        let sup = st.iter().any(|&s| s == PRIMARY || s == SECONDARY);
        e.cells += 1;
        e.suppressed_cells += u64::from(sup);
        e.primary_cells += u64::from(st.contains(&PRIMARY));
        e.total += u64::from(counts[0]);
        if sup {
            e.suppressed_total += u64::from(counts[0]);
        }
    }
    ["land", "region", "kommune"]
        .iter()
        .zip(acc)
        .map(|(l, c)| crate::SuppressionCost {
            level: l.to_string(),
            ..c
        })
        .collect()
}
