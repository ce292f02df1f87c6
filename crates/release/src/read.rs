//! Reading a release back: the current one, or any listed one, as dense tables in memory.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Int16Type, Int32Type, Int64Type, Int8Type};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::tables::TableMeta;
use crate::{fmt_err, io_err, Manifest, ReleaseError, Result};

/// Sentinel for a suppressed count in [`Table`]'s dense array.
const SUPPRESSED: u32 = u32::MAX;

/// A published value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Num(f64),
    /// Suppressed by disclosure control (`..`).
    Suppressed,
    /// Cannot be computed, e.g. a share of zero conversations (`-`).
    NotApplicable,
    /// Not yet available: the period's spells cannot yet be followed far enough (`.`).
    NotYet,
}

/// One table of a release, dense over its dimensions (measure excluded).
pub struct Table {
    pub meta: TableMeta,
    shape: Vec<usize>,
    counts: Vec<u32>,
    measures: Measures,
}

/// How measures are derived from counts, per table.
enum Measures {
    /// Dimensions: indikator, omraade, tid, ydelse; values: taeller, naevner.
    Bench01 {
        available: Vec<Vec<bool>>,
        /// Per area category: is it a municipality (ranked)?
        kommune: Vec<bool>,
        country: usize,
        /// Rank per cell (0 = no rank), filled after loading.
        ranks: Vec<u16>,
    },
    Samt03 {
        tid_dim: usize,
        /// Per tid category: is the reference day inside the data, 13 weeks back included?
        available: Vec<bool>,
    },
    Samt02 {
        tid_dim: usize,
        /// Per tid category: can its spells be followed 6 weeks, and 13 weeks?
        followed: Vec<(bool, bool)>,
    },
    Samt01 {
        form_dim: usize,
        form_total: usize,
        /// Categories of samtaleform that count as digital.
        digital: Vec<bool>,
    },
}

impl Table {
    /// Number of cells per measure (product of the dimension sizes).
    pub fn cells(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    fn flat(&self, coords: &[usize]) -> usize {
        coords
            .iter()
            .zip(&self.shape)
            .fold(0, |acc, (c, n)| acc * n + c)
    }

    fn count(&self, coords: &[usize]) -> Option<u32> {
        self.value_count(coords, 0)
    }

    /// BENCH01: the share (pct) of a cell from its numerator and denominator.
    fn bench_share(&self, coords: &[usize]) -> Value {
        if let Measures::Bench01 { available, .. } = &self.measures {
            if !available[coords[0]][coords[2]] {
                return Value::NotYet;
            }
        }
        match (self.value_count(coords, 0), self.value_count(coords, 1)) {
            (Some(t), den) => share(t, den),
            _ => Value::Suppressed,
        }
    }

    /// BENCH01: the share of the rest of the country (country minus the cell's area).
    fn bench_rest(&self, coords: &[usize]) -> Value {
        let Measures::Bench01 { country, .. } = &self.measures else {
            return Value::NotApplicable;
        };
        let mut nat = coords.to_vec();
        nat[1] = *country;
        match (
            self.value_count(&nat, 0),
            self.value_count(&nat, 1),
            self.value_count(coords, 0),
            self.value_count(coords, 1),
        ) {
            (Some(tn), Some(nn), Some(t), Some(n)) if nn > n => {
                Value::Num(f64::from(tn - t.min(tn)) * 100.0 / f64::from(nn - n))
            }
            (Some(_), Some(_), Some(_), Some(_)) => Value::NotApplicable,
            _ => Value::Suppressed,
        }
    }

    /// BENCH01: rank the municipalities per indicator, period and benefit (1 = highest share;
    /// equal shares share the best rank, the next rank skips: 1, 2, 2, 4).
    fn rank(&mut self) {
        let Measures::Bench01 { kommune, .. } = &self.measures else {
            return;
        };
        let kommune = kommune.clone();
        let (ni, na, nt, ny) = (self.shape[0], self.shape[1], self.shape[2], self.shape[3]);
        let mut ranks = vec![0u16; self.cells()];
        let mut vals: Vec<(f64, usize)> = Vec::with_capacity(na);
        for i in 0..ni {
            for t in 0..nt {
                for y in 0..ny {
                    vals.clear();
                    for (a, _) in kommune.iter().enumerate().filter(|(_, k)| **k) {
                        if let Value::Num(v) = self.bench_share(&[i, a, t, y]) {
                            vals.push((v, a));
                        }
                    }
                    vals.sort_by(|x, y| y.0.total_cmp(&x.0));
                    let mut rank = 0;
                    for (pos, &(v, a)) in vals.iter().enumerate() {
                        if pos == 0 || v != vals[pos - 1].0 {
                            rank = pos + 1;
                        }
                        ranks[self.flat(&[i, a, t, y])] = rank as u16;
                    }
                }
            }
        }
        if let Measures::Bench01 { ranks: r, .. } = &mut self.measures {
            *r = ranks;
        }
    }

    /// Stored count number `v` of a cell; `None` when suppressed.
    pub fn stored(&self, coords: &[usize], v: usize) -> Option<u32> {
        self.value_count(coords, v)
    }

    /// Stored count number `v` of a cell; `None` when suppressed.
    fn value_count(&self, coords: &[usize], v: usize) -> Option<u32> {
        let c = self.counts[self.flat(coords) * self.meta.values.len() + v];
        (c != SUPPRESSED).then_some(c)
    }

    /// The value of measure `measure` (index into `meta.measures`) at `coords`.
    pub fn value(&self, coords: &[usize], measure: usize) -> Value {
        if let Measures::Bench01 {
            kommune,
            country,
            ranks,
            ..
        } = &self.measures
        {
            let own = self.bench_share(coords);
            let mut nat = coords.to_vec();
            nat[1] = *country;
            let land = self.bench_share(&nat);
            let diff = |a: Value, b: Value| match (a, b) {
                (Value::Num(x), Value::Num(y)) => Value::Num(x - y),
                (Value::Num(_), other) | (other, _) => other,
            };
            return match measure {
                0 => own,
                1 => land,
                2 if !kommune[coords[1]] => Value::NotApplicable,
                2 => match own {
                    Value::Num(_) => Value::Num(f64::from(ranks[self.flat(coords)])),
                    other => other,
                },
                3 => diff(own, land),
                _ if coords[1] == *country => Value::NotApplicable,
                _ => diff(own, self.bench_rest(coords)),
            };
        }
        if let Measures::Samt03 { tid_dim, available } = &self.measures {
            if !available[coords[*tid_dim]] {
                return Value::NotYet;
            }
            return match (
                measure,
                self.value_count(coords, 0),
                self.value_count(coords, 1),
            ) {
                (0, Some(x), _) | (1, _, Some(x)) => Value::Num(f64::from(x)),
                (2, den, Some(x)) => share(x, den),
                _ => Value::Suppressed,
            };
        }
        if let Measures::Samt02 { tid_dim, followed } = &self.measures {
            let (f6, f13) = followed[coords[*tid_dim]];
            let num = |v: usize| match self.value_count(coords, v) {
                Some(x) => Value::Num(f64::from(x)),
                None => Value::Suppressed,
            };
            return match measure {
                0 => num(0),
                1..=3 if !f6 => Value::NotYet,
                4..=6 if !f13 => Value::NotYet,
                1 => num(1),
                2 => num(2),
                3 => match self.value_count(coords, 2) {
                    Some(x) => share(x, self.value_count(coords, 1)),
                    None => Value::Suppressed,
                },
                4 => num(3),
                5 => num(4),
                _ => match self.value_count(coords, 4) {
                    Some(x) => share(x, self.value_count(coords, 3)),
                    None => Value::Suppressed,
                },
            };
        }
        let Some(n) = self.count(coords) else {
            return Value::Suppressed;
        };
        match &self.measures {
            Measures::Samt02 { .. } | Measures::Samt03 { .. } | Measures::Bench01 { .. } => {
                Value::NotApplicable
            }
            Measures::Samt01 {
                form_dim,
                form_total,
                digital,
            } => match measure {
                0 => Value::Num(f64::from(n)),
                1 => {
                    let mut c = coords.to_vec();
                    c[*form_dim] = *form_total;
                    share(n, self.count(&c))
                }
                _ => {
                    let form = coords[*form_dim];
                    if form != *form_total {
                        return if n == 0 {
                            Value::NotApplicable
                        } else if digital[form] {
                            Value::Num(100.0)
                        } else {
                            Value::Num(0.0)
                        };
                    }
                    let mut c = coords.to_vec();
                    let mut dig = 0u32;
                    for (f, &is_digital) in digital.iter().enumerate() {
                        if is_digital {
                            c[*form_dim] = f;
                            match self.count(&c) {
                                Some(x) => dig += x,
                                None => return Value::Suppressed,
                            }
                        }
                    }
                    share(dig, Some(n))
                }
            },
        }
    }
}

fn share(num: u32, den: Option<u32>) -> Value {
    match den {
        None => Value::Suppressed,
        Some(0) => Value::NotApplicable,
        Some(d) => Value::Num(f64::from(num) * 100.0 / f64::from(d)),
    }
}

/// A release opened for serving.
pub struct Release {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub tables: Vec<Table>,
}

impl Release {
    /// The current release of a releases directory.
    pub fn open_current(releases: &Path) -> Result<Release> {
        let cur = releases.join("CURRENT");
        let id = match std::fs::read_to_string(&cur) {
            Ok(s) => s.trim().to_string(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ReleaseError::NoCurrent(releases.to_path_buf()))
            }
            Err(e) => return Err(io_err(&cur)(e)),
        };
        Release::open(&releases.join(id))
    }

    /// A release directory.
    pub fn open(dir: &Path) -> Result<Release> {
        let manifest: Manifest = read_json(&dir.join("manifest.json"))?;
        let mut tables = Vec::new();
        for t in &manifest.tables {
            let tdir = dir.join(&t.id);
            let meta: TableMeta = read_json(&tdir.join("metadata.json"))?;
            let files: Vec<std::path::PathBuf> = t.files.iter().map(|f| tdir.join(f)).collect();
            tables.push(load_table(meta, &files)?);
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

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
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

fn load_table(meta: TableMeta, files: &[std::path::PathBuf]) -> Result<Table> {
    let shape: Vec<usize> = meta.dimensions.iter().map(|d| d.categories.len()).collect();
    let mut counts = vec![0u32; shape.iter().product::<usize>() * meta.values.len()];
    for path in files {
        load_counts(&meta, &shape, &mut counts, path)?;
    }
    let path = files.first().map(|p| p.as_path()).unwrap_or(Path::new("."));
    let measures = measures_for(&meta, path)?;
    let mut table = Table {
        meta,
        shape,
        counts,
        measures,
    };
    table.rank();
    Ok(table)
}

fn load_counts(meta: &TableMeta, shape: &[usize], counts: &mut [u32], path: &Path) -> Result<()> {
    let file = File::open(path).map_err(io_err(path))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.with_batch_size(1 << 16).build())
        .map_err(|e| fmt_err(path, e))?;
    for batch in reader {
        let batch = batch.map_err(|e| fmt_err(path, e))?;
        let mut flat = vec![0usize; batch.num_rows()];
        for (d, n) in meta.dimensions.iter().zip(shape) {
            let col = batch
                .column_by_name(&d.id)
                .ok_or_else(|| fmt_err(path, format!("column '{}' is missing", d.id)))?;
            let codes: Vec<String> = d.categories.iter().map(|c| c.code.clone()).collect();
            let idx = category_indices(col, &codes, path)?;
            for (f, i) in flat.iter_mut().zip(idx) {
                *f = *f * n + i;
            }
        }
        let k = meta.values.len();
        for (v, name) in meta.values.iter().enumerate() {
            let col = batch
                .column_by_name(name)
                .ok_or_else(|| fmt_err(path, format!("column '{name}' is missing")))?;
            let col = col
                .as_primitive_opt::<Int64Type>()
                .ok_or_else(|| fmt_err(path, format!("column '{name}' is not Int64")))?;
            for (i, f) in flat.iter().enumerate() {
                counts[f * k + v] = if col.is_null(i) {
                    SUPPRESSED
                } else {
                    u32::try_from(col.value(i)).map_err(|_| fmt_err(path, "count out of range"))?
                };
            }
        }
    }
    Ok(())
}

/// Can the spells started in period `code` be followed 6 and 13 weeks up to `end`?
pub(crate) fn followed(code: &str, end: i32) -> (bool, bool) {
    use samtalebank_model::time;
    let last = time::period_last_day(code).unwrap_or(i32::MAX - 1000);
    (
        last + time::DAYS_6W - 1 <= end,
        last + time::DAYS_13W - 1 <= end,
    )
}

/// Is SAMT03 available for period `code`: its reference day and the 13 weeks before it inside
/// the data?
pub(crate) fn intensity_available(code: &str, start: i32, end: i32) -> bool {
    use samtalebank_model::time;
    time::period_last_day(code).is_some_and(|r| r <= end && r - (time::DAYS_13W - 1) >= start)
}

fn dates(meta: &TableMeta, path: &Path) -> Result<(i32, i32)> {
    use samtalebank_model::time;
    let end = time::parse_date(&meta.data_end).map_err(|e| fmt_err(path, e))?;
    let start = if meta.data_start.is_empty() {
        i32::MIN / 2
    } else {
        time::parse_date(&meta.data_start).map_err(|e| fmt_err(path, e))?
    };
    Ok((start, end))
}

fn measures_for(meta: &TableMeta, path: &Path) -> Result<Measures> {
    Ok(match meta.id.as_str() {
        "SAMT03" => {
            let (tid_dim, d) = meta
                .dimension("tid")
                .ok_or_else(|| fmt_err(path, "no tid dimension"))?;
            let (start, end) = dates(meta, path)?;
            let available = d
                .categories
                .iter()
                .map(|c| intensity_available(&c.code, start, end))
                .collect();
            Measures::Samt03 { tid_dim, available }
        }
        "SAMT02" => {
            let (tid_dim, d) = meta
                .dimension("tid")
                .ok_or_else(|| fmt_err(path, "no tid dimension"))?;
            let (_, end) = dates(meta, path)?;
            let followed = d
                .categories
                .iter()
                .map(|c| followed(&c.code, end))
                .collect();
            Measures::Samt02 { tid_dim, followed }
        }
        "BENCH01" => {
            let (start, end) = dates(meta, path)?;
            let tid = meta
                .dimension("tid")
                .ok_or_else(|| fmt_err(path, "no tid dimension"))?
                .1;
            let ind = meta
                .dimension("indikator")
                .ok_or_else(|| fmt_err(path, "no indikator dimension"))?
                .1;
            // available[indicator][tid]
            let available = ind
                .categories
                .iter()
                .map(|i| {
                    tid.categories
                        .iter()
                        .map(|c| match i.code.as_str() {
                            "pct6" => followed(&c.code, end).0,
                            "pct13" => followed(&c.code, end).1,
                            "intensitet" => intensity_available(&c.code, start, end),
                            _ => true,
                        })
                        .collect()
                })
                .collect();
            let area = meta
                .dimension("omraade")
                .ok_or_else(|| fmt_err(path, "no omraade dimension"))?
                .1;
            let kommune = area
                .categories
                .iter()
                .map(|c| c.code.len() == 3 && c.code != "000")
                .collect();
            let country = area
                .categories
                .iter()
                .position(|c| c.code == "000")
                .ok_or_else(|| fmt_err(path, "no 000 area"))?;
            Measures::Bench01 {
                available,
                kommune,
                country,
                ranks: Vec::new(),
            }
        }
        "SAMT01" => {
            let (form_dim, d) = meta
                .dimension("samtaleform")
                .ok_or_else(|| fmt_err(path, "no samtaleform dimension"))?;
            let v = samtalebank_model::vocab();
            let digital = d
                .categories
                .iter()
                .map(|c| {
                    v.samtaleformer
                        .lookup(&c.code)
                        .filter(|_| c.code != "tot")
                        .map(|i| v.digital[i as usize])
                        .unwrap_or(false)
                })
                .collect();
            let form_total = d
                .categories
                .iter()
                .position(|c| c.code == "tot")
                .ok_or_else(|| fmt_err(path, "samtaleform has no total"))?;
            Measures::Samt01 {
                form_dim,
                form_total,
                digital,
            }
        }
        other => return Err(fmt_err(path, format!("unknown table {other}"))),
    })
}
