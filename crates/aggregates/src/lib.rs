//! Aggregates computed elsewhere: the outputs of the SQL twins (`sql/SAMT01.sql`, `SAMT02.sql`,
//! `SAMT03.sql` and `BOUNDS.sql`), run by any engine (`scripts/spark_twins.py` on Spark), read
//! back into the same cubes the engine makes, so that a release is published from them through
//! the same disclosure control as a native build.
//!
//! A directory holds one subdirectory per twin (`SAMT01/`, …, `BOUNDS/`) of Parquet files
//! (`*.parquet`) or CSV files with a header (`*.csv`); names starting with `_` or `.` (Spark's
//! `_SUCCESS`, checksums) are skipped. Everything is checked before anything is used: the
//! columns, every code, every count (0 ≤ n < 2^32), every key sum (0 ≤ k < 2^32), no cell twice,
//! and for every period the total over every other variable. An error names the file, the row
//! (1 = the first data row) and the reason.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type, Int16Type, Int32Type, Int64Type, Int8Type};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use samtalebank_model::{dims, time, Var};
use samtalebank_tables::registry::{TableDef, SAMT01, SAMT02, SAMT03};
use samtalebank_tables::Cube;

/// Why aggregates were refused.
#[derive(Debug, thiserror::Error)]
pub enum AggregatesError {
    /// A file or directory could not be read.
    #[error("{path}: {reason}")]
    Read { path: String, reason: String },
    /// A value is wrong: the file, its row (1 = the first data row) and why.
    #[error("{path}, row {row}: {reason}")]
    Row {
        path: String,
        row: usize,
        reason: String,
    },
    /// Something is missing from a whole table (a column, a total, a file).
    #[error("{path}: {reason}")]
    Table { path: String, reason: String },
}

type Result<T> = std::result::Result<T, AggregatesError>;

/// One input file, for the release's manifest.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Path inside the aggregates directory (`SAMT01/part-00000.parquet`).
    pub path: String,
    pub rows: u64,
    pub sha256: String,
}

/// The cubes of SAMT01–SAMT03 and the data's bounds, read and checked.
#[derive(Debug)]
pub struct Aggregates {
    pub cubes: Vec<Cube>,
    /// First day of data (days since 1970-01-01): the first conversation.
    pub data_start: i32,
    /// Last day of data: the latest date of a conversation or a spell.
    pub data_end: i32,
    pub inputs: Vec<InputFile>,
}

/// A column of one file.
enum Column {
    Text(Vec<Option<String>>),
    Int(Vec<Option<i128>>),
    Date(Vec<Option<i32>>),
}

/// One file's rows, by column name.
struct Frame {
    path: String,
    rows: usize,
    columns: HashMap<String, Column>,
}

impl Frame {
    fn column(&self, name: &str) -> Result<&Column> {
        self.columns
            .get(name)
            .ok_or_else(|| AggregatesError::Table {
                path: self.path.clone(),
                reason: format!("no column '{name}'"),
            })
    }

    fn err(&self, row: usize, reason: String) -> AggregatesError {
        AggregatesError::Row {
            path: self.path.clone(),
            row: row + 1,
            reason,
        }
    }

    fn text(&self, name: &str, row: usize) -> Result<String> {
        match self.column(name)? {
            Column::Text(v) => v[row]
                .clone()
                .ok_or_else(|| self.err(row, format!("{name} is empty"))),
            Column::Int(v) => v[row]
                .map(|x| x.to_string())
                .ok_or_else(|| self.err(row, format!("{name} is empty"))),
            Column::Date(_) => Err(self.err(row, format!("{name} is a date, not a code"))),
        }
    }

    fn int(&self, name: &str, row: usize) -> Result<i128> {
        match self.column(name)? {
            Column::Int(v) => v[row].ok_or_else(|| self.err(row, format!("{name} is empty"))),
            Column::Text(v) => {
                let s = v[row]
                    .as_deref()
                    .ok_or_else(|| self.err(row, format!("{name} is empty")))?;
                s.trim()
                    .parse::<i128>()
                    .map_err(|_| self.err(row, format!("{name} '{s}' is not a whole number")))
            }
            Column::Date(_) => Err(self.err(row, format!("{name} is a date, not a number"))),
        }
    }

    fn date(&self, name: &str, row: usize) -> Result<i32> {
        match self.column(name)? {
            Column::Date(v) => v[row].ok_or_else(|| self.err(row, format!("{name} is empty"))),
            Column::Text(v) => {
                let s = v[row]
                    .as_deref()
                    .ok_or_else(|| self.err(row, format!("{name} is empty")))?;
                time::parse_date(s.trim())
                    .map_err(|_| self.err(row, format!("{name} '{s}' is not a date")))
            }
            Column::Int(_) => Err(self.err(row, format!("{name} is a number, not a date"))),
        }
    }
}

fn read_err(path: &Path, e: impl std::fmt::Display) -> AggregatesError {
    AggregatesError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// The data files of one twin's directory, in name order.
fn data_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| read_err(dir, e))?;
    let mut files = Vec::new();
    for e in entries {
        let e = e.map_err(|e| read_err(dir, e))?;
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('_') || name.starts_with('.') {
            continue;
        }
        if name.ends_with(".parquet") || name.ends_with(".csv") {
            files.push(e.path());
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(AggregatesError::Table {
            path: dir.display().to_string(),
            reason: "no .parquet or .csv file".into(),
        });
    }
    Ok(files)
}

fn push_array(col: &mut Column, a: &ArrayRef, path: &Path, name: &str) -> Result<()> {
    let n = a.len();
    let get = |i: usize| a.is_valid(i);
    match (col, a.data_type()) {
        (Column::Text(v), DataType::Utf8) => {
            let s = a.as_string::<i32>();
            v.extend((0..n).map(|i| get(i).then(|| s.value(i).to_string())));
        }
        (Column::Text(v), DataType::LargeUtf8) => {
            let s = a.as_string::<i64>();
            v.extend((0..n).map(|i| get(i).then(|| s.value(i).to_string())));
        }
        (Column::Text(v), DataType::Utf8View) => {
            let s = a.as_string_view();
            v.extend((0..n).map(|i| get(i).then(|| s.value(i).to_string())));
        }
        (Column::Int(v), DataType::Int8) => {
            let s = a.as_primitive::<Int8Type>();
            v.extend((0..n).map(|i| get(i).then(|| i128::from(s.value(i)))));
        }
        (Column::Int(v), DataType::Int16) => {
            let s = a.as_primitive::<Int16Type>();
            v.extend((0..n).map(|i| get(i).then(|| i128::from(s.value(i)))));
        }
        (Column::Int(v), DataType::Int32) => {
            let s = a.as_primitive::<Int32Type>();
            v.extend((0..n).map(|i| get(i).then(|| i128::from(s.value(i)))));
        }
        (Column::Int(v), DataType::Int64) => {
            let s = a.as_primitive::<Int64Type>();
            v.extend((0..n).map(|i| get(i).then(|| i128::from(s.value(i)))));
        }
        (Column::Int(v), DataType::Decimal128(_, 0)) => {
            let s = a.as_primitive::<Decimal128Type>();
            v.extend((0..n).map(|i| get(i).then(|| s.value(i))));
        }
        (Column::Date(v), DataType::Date32) => {
            let s = a.as_primitive::<Date32Type>();
            v.extend((0..n).map(|i| get(i).then(|| s.value(i))));
        }
        (_, t) => {
            return Err(read_err(
                path,
                format!(
                "column '{name}' has the type {t}, which is not a code, a whole number or a date"
            ),
            ))
        }
    }
    Ok(())
}

fn empty_column(t: &DataType) -> Column {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Column::Text(Vec::new()),
        DataType::Date32 => Column::Date(Vec::new()),
        _ => Column::Int(Vec::new()),
    }
}

fn read_parquet(path: &Path, shown: String) -> Result<Frame> {
    let f = File::open(path).map_err(|e| read_err(path, e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(f)
        .and_then(|b| b.build())
        .map_err(|e| read_err(path, e))?;
    let mut columns: HashMap<String, Column> = HashMap::new();
    let mut rows = 0;
    for batch in reader {
        let batch = batch.map_err(|e| read_err(path, e))?;
        let schema = batch.schema();
        for (i, field) in schema.fields().iter().enumerate() {
            let name = field.name().to_ascii_lowercase();
            let col = columns
                .entry(name.clone())
                .or_insert_with(|| empty_column(field.data_type()));
            push_array(col, batch.column(i), path, &name)?;
        }
        rows += batch.num_rows();
    }
    Ok(Frame {
        path: shown,
        rows,
        columns,
    })
}

fn read_csv(path: &Path, shown: String) -> Result<Frame> {
    let mut r = csv::Reader::from_path(path).map_err(|e| read_err(path, e))?;
    let names: Vec<String> = r
        .headers()
        .map_err(|e| read_err(path, e))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let mut cols: Vec<Vec<Option<String>>> = vec![Vec::new(); names.len()];
    let mut rows = 0;
    for rec in r.records() {
        let rec = rec.map_err(|e| AggregatesError::Row {
            path: shown.clone(),
            row: rows + 1,
            reason: e.to_string(),
        })?;
        for (i, c) in cols.iter_mut().enumerate() {
            c.push(rec.get(i).filter(|v| !v.is_empty()).map(str::to_string));
        }
        rows += 1;
    }
    let columns = names
        .into_iter()
        .zip(cols)
        .map(|(n, v)| (n, Column::Text(v)))
        .collect();
    Ok(Frame {
        path: shown,
        rows,
        columns,
    })
}

/// Every file of one twin's directory, each with its checksum for the manifest.
fn read_table(dir: &Path, name: &str, inputs: &mut Vec<InputFile>) -> Result<Vec<Frame>> {
    let sub = dir.join(name);
    let mut frames = Vec::new();
    for path in data_files(&sub)? {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default();
        let shown = format!("{name}/{file}");
        let frame = if file.ends_with(".csv") {
            read_csv(&path, shown.clone())?
        } else {
            read_parquet(&path, shown.clone())?
        };
        inputs.push(InputFile {
            path: shown,
            rows: frame.rows as u64,
            sha256: samtalebank_files::sha256_file(&path).map_err(|e| read_err(&path, e))?,
        });
        frames.push(frame);
    }
    Ok(frames)
}

/// The bounds: one row with `data_start`, `last_dato` and `data_end`.
fn bounds(frames: &[Frame]) -> Result<(i32, i32, i32)> {
    let rows: Vec<(&Frame, usize)> = frames
        .iter()
        .flat_map(|f| (0..f.rows).map(move |r| (f, r)))
        .collect();
    let [(f, r)] = rows.as_slice() else {
        return Err(AggregatesError::Table {
            path: "BOUNDS".into(),
            reason: format!("{} rows, not one", rows.len()),
        });
    };
    let (start, last, end) = (
        f.date("data_start", *r)?,
        f.date("last_dato", *r)?,
        f.date("data_end", *r)?,
    );
    if !(start <= last && last <= end) {
        return Err(f.err(*r, "data_start ≤ last_dato ≤ data_end does not hold".into()));
    }
    Ok((start, last, end))
}

/// One table's rows into its cube: every code known, every count and key in range, no cell
/// twice, and for every period with data the total over every other variable.
fn cube(
    def: &'static TableDef,
    dims: Vec<samtalebank_model::dims::Dimension>,
    frames: &[Frame],
) -> Result<Cube> {
    let k = def.counts.len();
    let mut c = Cube {
        def,
        dims,
        counts: Vec::new(),
        keys: None,
        numbers: Vec::new(),
    };
    let cells = c.cells();
    let mut counts = vec![0u32; cells * k];
    let mut keys = vec![0u32; cells * k];
    let mut seen = vec![false; cells];
    let names: Vec<&str> = def.vars.iter().map(|v| v.code()).collect();
    let tid = def.vars.iter().position(|v| *v == Var::Tid).unwrap_or(0);
    let mut coords = vec![0usize; names.len()];
    for f in frames {
        for name in &names {
            f.column(name)?;
        }
        for cnt in def.counts {
            f.column(cnt.code)?;
            f.column(&format!("{}_key", cnt.code))?;
        }
        for row in 0..f.rows {
            for (d, name) in names.iter().enumerate() {
                let code = f.text(name, row)?;
                coords[d] = c.dims[d].position(&code).ok_or_else(|| {
                    f.err(
                        row,
                        format!("{name} '{code}' is not a code of {} here", def.id),
                    )
                })?;
            }
            let cell = c.index(&coords);
            if std::mem::replace(&mut seen[cell], true) {
                return Err(f.err(row, "the same cell again".into()));
            }
            for (j, cnt) in def.counts.iter().enumerate() {
                let n = f.int(cnt.code, row)?;
                let n = u32::try_from(n).map_err(|_| {
                    f.err(
                        row,
                        format!("{} = {n} is not a count (0 to 4294967295)", cnt.code),
                    )
                })?;
                let key_col = format!("{}_key", cnt.code);
                let key = f.int(&key_col, row)?;
                let key = u32::try_from(key).map_err(|_| {
                    f.err(row, format!("{key_col} = {key} is outside 0 to 4294967295"))
                })?;
                counts[cell * k + j] = n;
                keys[cell * k + j] = key;
            }
        }
    }
    // The totals: for every period with any row, the cell with every other variable at its
    // total must be there.
    let shape = c.shape();
    let mut period_seen = vec![false; shape[tid]];
    let mut stride = 1;
    for s in &shape[tid + 1..] {
        stride *= s;
    }
    for (cell, s) in seen.iter().enumerate() {
        if *s {
            period_seen[(cell / stride) % shape[tid]] = true;
        }
    }
    for (t, s) in period_seen.iter().enumerate() {
        if !s {
            continue;
        }
        let mut at = Vec::with_capacity(shape.len());
        for (d, dim) in c.dims.iter().enumerate() {
            at.push(if d == tid { t } else { dim.total.unwrap_or(0) });
        }
        if !seen[c.index(&at)] {
            return Err(AggregatesError::Table {
                path: def.id.to_string(),
                reason: format!(
                    "no total row for {}: the cell with every other variable at its total is missing",
                    c.dims[tid].categories[t].code
                ),
            });
        }
    }
    if !seen.iter().any(|s| *s) {
        return Err(AggregatesError::Table {
            path: def.id.to_string(),
            reason: "no rows".into(),
        });
    }
    c.counts = counts;
    c.keys = Some(keys);
    Ok(c)
}

/// Read and check the aggregates in `dir`.
pub fn read(dir: &Path) -> Result<Aggregates> {
    let mut inputs = Vec::new();
    let (data_start, last_dato, data_end) = bounds(&read_table(dir, "BOUNDS", &mut inputs)?)?;
    let first_month = time::month_of(data_start);
    // SAMT01 spans the months with conversations; SAMT02 and SAMT03 from the first month with
    // conversations to the data's end (as the engine makes them).
    let samt01 = cube(
        &SAMT01,
        vec![
            dims::area(),
            dims::period(first_month, time::month_of(last_dato)),
            dims::ydelse(),
            dims::samtaletype(),
            dims::samtaleform(),
            dims::varighed(),
        ],
        &read_table(dir, "SAMT01", &mut inputs)?,
    )?;
    let frames02 = read_table(dir, "SAMT02", &mut inputs)?;
    let frames03 = read_table(dir, "SAMT03", &mut inputs)?;
    let per_person = || {
        vec![
            dims::area(),
            dims::period(first_month, time::month_of(data_end)),
            dims::ydelse(),
        ]
    };
    let samt02 = cube(&SAMT02, per_person(), &frames02)?;
    let samt03 = cube(&SAMT03, per_person(), &frames03)?;
    Ok(Aggregates {
        cubes: vec![samt01, samt02, samt03],
        data_start,
        data_end,
        inputs,
    })
}

#[cfg(test)]
mod tests;
