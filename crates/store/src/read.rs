//! Reading the store as columns of small dictionary codes, parts in parallel.

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt32Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use rustc_hash::FxHashMap;

use crate::write::dicts;
use crate::{fmt_err, io_err, Part, Result, Store, StoreError, FORLOEB, SAMTALER};

/// `slut` of an ongoing spell, in [`ForloebColumns::slut`].
pub const OPEN_END: i32 = i32::MAX;

/// All conversations, one entry per row in every vector.
#[derive(Debug, Default, Clone)]
pub struct SamtaleColumns {
    pub person: Vec<i64>,
    pub dato: Vec<i32>,
    pub kommune: Vec<u8>,
    /// Ydelse leaf index.
    pub ydelse: Vec<u8>,
    pub samtaletype: Vec<u8>,
    pub samtaleform: Vec<u8>,
    /// Record keys (`rkey`).
    pub rkey: Vec<u32>,
    /// Person keys (`pkey`).
    pub pkey: Vec<u32>,
}

/// All spells.
#[derive(Debug, Default, Clone)]
pub struct ForloebColumns {
    pub person: Vec<i64>,
    pub kommune: Vec<u8>,
    pub ydelse: Vec<u8>,
    pub start: Vec<i32>,
    /// Last day on the benefit, [`OPEN_END`] while ongoing.
    pub slut: Vec<i32>,
    /// Record keys (`rkey`).
    pub rkey: Vec<u32>,
    /// Person keys (`pkey`).
    pub pkey: Vec<u32>,
}

impl SamtaleColumns {
    fn with_capacity(n: usize) -> SamtaleColumns {
        SamtaleColumns {
            person: Vec::with_capacity(n),
            dato: Vec::with_capacity(n),
            kommune: Vec::with_capacity(n),
            ydelse: Vec::with_capacity(n),
            samtaletype: Vec::with_capacity(n),
            samtaleform: Vec::with_capacity(n),
            rkey: Vec::with_capacity(n),
            pkey: Vec::with_capacity(n),
        }
    }

    pub fn len(&self) -> usize {
        self.person.len()
    }
    pub fn is_empty(&self) -> bool {
        self.person.is_empty()
    }
    fn append(&mut self, mut o: SamtaleColumns) {
        self.person.append(&mut o.person);
        self.dato.append(&mut o.dato);
        self.kommune.append(&mut o.kommune);
        self.ydelse.append(&mut o.ydelse);
        self.samtaletype.append(&mut o.samtaletype);
        self.samtaleform.append(&mut o.samtaleform);
        self.rkey.append(&mut o.rkey);
        self.pkey.append(&mut o.pkey);
    }
}

impl ForloebColumns {
    fn with_capacity(n: usize) -> ForloebColumns {
        ForloebColumns {
            person: Vec::with_capacity(n),
            kommune: Vec::with_capacity(n),
            ydelse: Vec::with_capacity(n),
            start: Vec::with_capacity(n),
            slut: Vec::with_capacity(n),
            rkey: Vec::with_capacity(n),
            pkey: Vec::with_capacity(n),
        }
    }

    pub fn len(&self) -> usize {
        self.person.len()
    }
    pub fn is_empty(&self) -> bool {
        self.person.is_empty()
    }
    fn append(&mut self, mut o: ForloebColumns) {
        self.person.append(&mut o.person);
        self.kommune.append(&mut o.kommune);
        self.ydelse.append(&mut o.ydelse);
        self.start.append(&mut o.start);
        self.slut.append(&mut o.slut);
        self.rkey.append(&mut o.rkey);
        self.pkey.append(&mut o.pkey);
    }
}

/// Read the named columns of every batch of a part file.
fn batches(path: &Path, columns: &[&str]) -> Result<Vec<RecordBatch>> {
    let file = File::open(path).map_err(io_err(path))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| fmt_err(path, e))?;
    let schema = builder.parquet_schema();
    let mut idx = Vec::new();
    for c in columns {
        let i = (0..schema.num_columns())
            .find(|&i| schema.column(i).name() == *c)
            .ok_or_else(|| fmt_err(path, missing(c)))?;
        idx.push(i);
    }
    let mask = ProjectionMask::leaves(schema, idx);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(64 * 1024)
        .build()
        .map_err(|e| fmt_err(path, e))?;
    reader.map(|b| b.map_err(|e| fmt_err(path, e))).collect()
}

fn col<'a>(b: &'a RecordBatch, name: &str, path: &Path) -> Result<&'a ArrayRef> {
    b.column_by_name(name)
        .ok_or_else(|| fmt_err(path, missing(name)))
}

fn missing(name: &str) -> String {
    if name == "rkey" || name == "pkey" {
        format!("column '{name}' is missing: this store was written without the record keys of the cell key method; ingest the extracts again into a new store (docs/store.md)")
    } else {
        format!("column '{name}' is missing")
    }
}

fn u32s(a: &ArrayRef, name: &str, path: &Path) -> Result<Vec<u32>> {
    match a.data_type() {
        DataType::UInt32 => Ok(a.as_primitive::<UInt32Type>().values().to_vec()),
        t => Err(fmt_err(
            path,
            format!("column '{name}': unexpected type {t}"),
        )),
    }
}

/// Map a string column (plain or dictionary-encoded) to indices into `values`.
fn codes(a: &ArrayRef, values: &[String], name: &str, path: &Path) -> Result<Vec<u8>> {
    let index_of = |s: &str| -> Result<u8> {
        values
            .iter()
            .position(|v| v == s)
            .map(|i| i as u8)
            .ok_or_else(|| fmt_err(path, format!("column '{name}': unknown code '{s}'")))
    };
    let null_err = || fmt_err(path, format!("column '{name}' has a null"));
    macro_rules! from_dict {
        ($t:ty) => {{
            let d = a.as_dictionary::<$t>();
            let dv = d.values().as_string::<i32>();
            let map: Vec<u8> = (0..dv.len())
                .map(|i| index_of(dv.value(i)))
                .collect::<Result<_>>()?;
            if d.null_count() > 0 {
                return Err(null_err());
            }
            Ok(d.keys().values().iter().map(|&k| map[k as usize]).collect())
        }};
    }
    match a.data_type() {
        DataType::Dictionary(k, _) => match k.as_ref() {
            DataType::Int8 => from_dict!(Int8Type),
            DataType::Int16 => from_dict!(Int16Type),
            DataType::Int32 => from_dict!(Int32Type),
            t => Err(fmt_err(
                path,
                format!("column '{name}': unexpected key type {t}"),
            )),
        },
        DataType::Utf8 => {
            let s = a.as_string::<i32>();
            let mut cache: FxHashMap<&str, u8> = FxHashMap::default();
            let mut out = Vec::with_capacity(s.len());
            for i in 0..s.len() {
                if s.is_null(i) {
                    return Err(null_err());
                }
                let v = s.value(i);
                let c = match cache.get(v) {
                    Some(c) => *c,
                    None => {
                        let c = index_of(v)?;
                        cache.insert(v, c);
                        c
                    }
                };
                out.push(c);
            }
            Ok(out)
        }
        t => Err(fmt_err(
            path,
            format!("column '{name}': unexpected type {t}"),
        )),
    }
}

fn i64s(a: &ArrayRef, name: &str, path: &Path) -> Result<Vec<i64>> {
    match a.data_type() {
        DataType::Int64 => Ok(a.as_primitive::<Int64Type>().values().to_vec()),
        t => Err(fmt_err(
            path,
            format!("column '{name}': unexpected type {t}"),
        )),
    }
}

fn dates(a: &ArrayRef, name: &str, path: &Path, null_as: Option<i32>) -> Result<Vec<i32>> {
    let d = match a.data_type() {
        DataType::Date32 => a.as_primitive::<Date32Type>(),
        t => {
            return Err(fmt_err(
                path,
                format!("column '{name}': unexpected type {t}"),
            ))
        }
    };
    if d.null_count() == 0 {
        return Ok(d.values().to_vec());
    }
    let Some(n) = null_as else {
        return Err(fmt_err(path, format!("column '{name}' has a null")));
    };
    Ok((0..d.len())
        .map(|i| if d.is_null(i) { n } else { d.value(i) })
        .collect())
}

/// Run `f` over the parts in parallel (two or more threads), results in part order.
fn par_parts<T: Send>(
    store: &Store,
    table: &str,
    f: impl Fn(&Path) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let parts: Vec<&Part> = store.parts(table).collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(parts.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<Result<T>>> = (0..parts.len()).map(|_| None).collect();
    let collected = std::sync::Mutex::new(&mut results);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= parts.len() {
                    break;
                }
                let r = f(&store.root.join(&parts[i].path));
                if let Ok(mut c) = collected.lock() {
                    c[i] = Some(r);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(StoreError::NotAStore(store.root.clone()))))
        .collect()
}

pub(crate) fn read_samtaler(store: &Store) -> Result<SamtaleColumns> {
    let d = dicts();
    let names = [
        "person",
        "dato",
        "kommune",
        "ydelse_detalje",
        "samtaletype",
        "samtaleform",
        "rkey",
        "pkey",
    ];
    let chunks = par_parts(store, SAMTALER, |path| {
        let mut out = SamtaleColumns::default();
        for b in batches(path, &names)? {
            out.append(SamtaleColumns {
                person: i64s(col(&b, "person", path)?, "person", path)?,
                dato: dates(col(&b, "dato", path)?, "dato", path, None)?,
                kommune: codes(col(&b, "kommune", path)?, &d.kommune, "kommune", path)?,
                ydelse: codes(
                    col(&b, "ydelse_detalje", path)?,
                    &d.leaf,
                    "ydelse_detalje",
                    path,
                )?,
                samtaletype: codes(
                    col(&b, "samtaletype", path)?,
                    &d.samtaletype,
                    "samtaletype",
                    path,
                )?,
                samtaleform: codes(
                    col(&b, "samtaleform", path)?,
                    &d.samtaleform,
                    "samtaleform",
                    path,
                )?,
                rkey: u32s(col(&b, "rkey", path)?, "rkey", path)?,
                pkey: u32s(col(&b, "pkey", path)?, "pkey", path)?,
            });
        }
        Ok(out)
    })?;
    // Exact capacity from the manifest: no growth copies; each part is freed once appended.
    let rows: u64 = store.parts(SAMTALER).map(|p| p.rows).sum();
    let mut all = SamtaleColumns::with_capacity(rows as usize);
    for c in chunks {
        all.append(c);
    }
    Ok(all)
}

pub(crate) fn read_forloeb(store: &Store) -> Result<ForloebColumns> {
    let d = dicts();
    let names = [
        "person",
        "kommune",
        "ydelse_detalje",
        "start",
        "slut",
        "rkey",
        "pkey",
    ];
    let chunks = par_parts(store, FORLOEB, |path| {
        let mut out = ForloebColumns::default();
        for b in batches(path, &names)? {
            out.append(ForloebColumns {
                person: i64s(col(&b, "person", path)?, "person", path)?,
                kommune: codes(col(&b, "kommune", path)?, &d.kommune, "kommune", path)?,
                ydelse: codes(
                    col(&b, "ydelse_detalje", path)?,
                    &d.leaf,
                    "ydelse_detalje",
                    path,
                )?,
                start: dates(col(&b, "start", path)?, "start", path, None)?,
                slut: dates(col(&b, "slut", path)?, "slut", path, Some(OPEN_END))?,
                rkey: u32s(col(&b, "rkey", path)?, "rkey", path)?,
                pkey: u32s(col(&b, "pkey", path)?, "pkey", path)?,
            });
        }
        Ok(out)
    })?;
    let rows: u64 = store.parts(FORLOEB).map(|p| p.rows).sum();
    let mut all = ForloebColumns::with_capacity(rows as usize);
    for c in chunks {
        all.append(c);
    }
    Ok(all)
}

pub(crate) fn existing_ids(
    store: &Store,
    table: &str,
    wanted: &(dyn Fn(u64) -> bool + Sync),
) -> Result<Vec<(u64, u64)>> {
    let id_col = if table == SAMTALER {
        "samtale_id"
    } else {
        "forloeb_id"
    };
    let chunks = par_parts(store, table, |path| {
        let mut out = Vec::new();
        for b in batches(path, &[id_col, "indhold_hash"])? {
            let ids = i64s(col(&b, id_col, path)?, id_col, path)?;
            let h = i64s(col(&b, "indhold_hash", path)?, "indhold_hash", path)?;
            out.extend(
                ids.into_iter()
                    .zip(h)
                    .map(|(i, h)| (i as u64, h as u64))
                    .filter(|(i, _)| wanted(*i)),
            );
        }
        Ok(out)
    })?;
    Ok(chunks.concat())
}
