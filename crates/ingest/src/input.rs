//! Finding input files and reading them row by row: CSV (comma or semicolon; UTF-8 with or
//! without BOM, or Windows-1252) and Parquet with the same column names.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::csvrows::{Item, Records, MAX_RECORD};
use crate::IngestError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Samtaler,
    Forloeb,
    /// The citizen survey's questionnaire (`undersoegelse*.toml`).
    Spoergeskema,
    /// The citizen survey's respondents (`undersoegelse*.csv|parquet`).
    Undersoegelse,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Samtaler => "samtaler",
            Table::Forloeb => "forloeb",
            Table::Spoergeskema => "spoergeskema",
            Table::Undersoegelse => "undersoegelse",
        }
    }
    pub fn id_column(self) -> &'static str {
        match self {
            Table::Samtaler => "samtale_id",
            Table::Forloeb => "forloeb_id",
            Table::Spoergeskema => "",
            Table::Undersoegelse => "respondent_id",
        }
    }
    /// Part of the citizen survey (ingested by `survey`).
    pub fn survey(self) -> bool {
        matches!(self, Table::Spoergeskema | Table::Undersoegelse)
    }
}

#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: PathBuf,
    /// File name without directories, as reported in summaries and rejects.
    pub name: String,
    pub table: Table,
    pub parquet: bool,
    pub size: u64,
}

fn classify(path: &Path) -> Option<(Table, bool)> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    let parquet = name.ends_with(".parquet");
    if name.starts_with("undersoegelse") || name.starts_with("undersøgelse") {
        if name.ends_with(".toml") {
            return Some((Table::Spoergeskema, false));
        }
        if parquet || name.ends_with(".csv") {
            return Some((Table::Undersoegelse, parquet));
        }
        return None;
    }
    if !parquet && !name.ends_with(".csv") {
        return None;
    }
    if name.starts_with("samtaler") {
        Some((Table::Samtaler, parquet))
    } else if name.starts_with("forloeb") || name.starts_with("forløb") {
        Some((Table::Forloeb, parquet))
    } else {
        None
    }
}

/// Files to ingest: given files, and in given directories `samtaler*.csv|parquet`,
/// `forloeb*.csv|parquet`, and the survey's `undersoegelse*.toml` and
/// `undersoegelse*.csv|parquet` (sorted by name). Spells come first, the survey last, so that a
/// run is in a fixed order.
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<InputFile>, IngestError> {
    discover_files(inputs).map_err(IngestError::Input)
}

fn discover_files(inputs: &[PathBuf]) -> Result<Vec<InputFile>, String> {
    let mut out = Vec::new();
    for p in inputs {
        let meta = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("{}: {e}", p.display()))?
                .flatten()
                .map(|e| e.path())
                // Symbolic links are kept here, to be refused by name below.
                .filter(|p| p.is_file() || p.is_symlink())
                .collect();
            entries.sort();
            for e in entries {
                if let Some((table, parquet)) = classify(&e) {
                    out.push(file(e, table, parquet)?);
                }
            }
        } else {
            let (table, parquet) = classify(p).ok_or_else(|| {
                format!(
                    "{}: cannot tell what this file holds; name it samtaler*.csv|parquet, forloeb*.csv|parquet, undersoegelse*.toml or undersoegelse*.csv|parquet",
                    p.display()
                )
            })?;
            out.push(file(p.clone(), table, parquet)?);
        }
    }
    let order = |t: Table| match t {
        Table::Forloeb => 0,
        Table::Samtaler => 1,
        Table::Spoergeskema => 2,
        Table::Undersoegelse => 3,
    };
    out.sort_by_key(|f| (order(f.table), f.path.clone()));
    Ok(out)
}

/// An input file: a regular file, never a symbolic link (which could point the rejects at any
/// file the operator may read).
fn file(path: PathBuf, table: Table, parquet: bool) -> Result<InputFile, String> {
    let size = samtalebank_files::open_regular(&path)
        .and_then(|f| f.metadata().map_err(samtalebank_files::io_err(&path)))
        .map_err(|e| e.to_string())?
        .len();
    Ok(InputFile {
        // A file name may hold a CPR number too.
        name: samtalebank_model::cpr::mask(
            &path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        ),
        path,
        table,
        parquet,
        size,
    })
}

/// Column names of a file, lower-cased, with their positions.
pub struct Header {
    pub names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Header {
    pub(crate) fn new(names: Vec<String>) -> Header {
        let names: Vec<String> = names.into_iter().map(|n| n.trim().to_lowercase()).collect();
        let index = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        Header { names, index }
    }
    pub fn has(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }
    /// The position of a column.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }
}

/// The bytes of an input file, read without following a symbolic link.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, IngestError> {
    let mut f =
        samtalebank_files::open_regular(path).map_err(|e| IngestError::Input(e.to_string()))?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut f, &mut bytes)
        .map_err(|e| IngestError::Input(format!("{}: {e}", path.display())))?;
    Ok(bytes)
}

/// One row as read: values by column name.
pub struct Fields<'a> {
    pub header: &'a Header,
    pub record: &'a csv::StringRecord,
    /// The row could not be read (too long): the reason, and `record` holds what is shown.
    pub problem: Option<&'a str>,
}

impl Fields<'_> {
    /// The trimmed value of a column; `None` if the file has no such column or the row is short.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.header
            .index
            .get(name)
            .and_then(|&i| self.record.get(i))
            .map(str::trim)
    }
    /// The row as text (the caller masks CPR numbers before it goes anywhere).
    pub fn raw(&self) -> String {
        self.record.iter().collect::<Vec<_>>().join(",")
    }
}

pub(crate) enum ReadError {
    /// The file as a whole cannot be read (reported as a reject at line 0).
    File(String),
    Ingest(IngestError),
}

impl From<IngestError> for ReadError {
    fn from(e: IngestError) -> Self {
        ReadError::Ingest(e)
    }
}

type RowFn<'a> = dyn FnMut(u64, &Fields<'_>) -> Result<(), IngestError> + 'a;
/// Checks a file's header before its rows are read.
pub(crate) type HeaderFn<'a> = dyn FnMut(&Header) -> Result<(), ReadError> + 'a;

/// Read a register file and call `row` with the line number and fields of each data row.
pub(crate) fn read_file(
    file: &InputFile,
    bytes: &[u8],
    row: &mut RowFn<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<(), ReadError> {
    let required = required_columns(file.table);
    read_rows(
        file,
        bytes,
        &mut |h| check_header(h, required),
        row,
        progress,
    )
}

/// Read a file (CSV or Parquet), check its header with `header`, and call `row` with the line
/// number and fields of each data row.
pub(crate) fn read_rows(
    file: &InputFile,
    bytes: &[u8],
    header: &mut HeaderFn<'_>,
    row: &mut RowFn<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<(), ReadError> {
    if file.parquet {
        read_parquet(file, header, row, progress)
    } else {
        read_csv(bytes, header, row, progress)
    }
}

/// The header check of a register file (samtaler or forloeb).
pub(crate) fn register_header(table: Table) -> impl FnMut(&Header) -> Result<(), ReadError> {
    let required = required_columns(table);
    move |h| check_header(h, required)
}

fn required_columns(t: Table) -> &'static [&'static str] {
    match t {
        Table::Samtaler => &[
            "samtale_id",
            "dato",
            "kommune",
            "ydelse",
            "samtaletype",
            "samtaleform",
        ],
        Table::Forloeb => &["forloeb_id", "kommune", "ydelse", "start", "slut"],
        Table::Spoergeskema | Table::Undersoegelse => &[],
    }
}

fn check_header(h: &Header, required: &[&str]) -> Result<(), ReadError> {
    let mut missing: Vec<&str> = required.iter().copied().filter(|c| !h.has(c)).collect();
    if !h.has("cpr") && !h.has("person_id") {
        missing.push("cpr or person_id");
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ReadError::File(format!(
            "missing column(s) {} in the header ({})",
            missing.join(", "),
            h.names.join(",")
        )))
    }
}

/// The delimiter of a CSV text, from its first line (the header): `;` if it has more of them
/// than `,`. A missing or too long header line is an error.
pub(crate) fn delimiter(text: &str) -> Result<u8, ReadError> {
    let first = text.split(['\n', '\r']).next().unwrap_or("");
    if first.trim().is_empty() {
        return Err(ReadError::File("empty file: no header row".into()));
    }
    if first.len() > MAX_RECORD {
        return Err(ReadError::File(format!(
            "the header line is longer than {MAX_RECORD} bytes"
        )));
    }
    Ok(if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    })
}

/// UTF-8 (BOM stripped) if it is valid UTF-8, else Windows-1252.
pub(crate) fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

fn read_csv(
    bytes: &[u8],
    check: &mut HeaderFn<'_>,
    row: &mut RowFn<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<(), ReadError> {
    let text = decode(bytes);
    let delim = delimiter(&text)?;
    let mut records = Records::new(text.as_bytes(), delim);
    let header = match records.next_item() {
        Some(Item::Record { record, .. }) => Header::new(record.iter().map(String::from).collect()),
        _ => return Err(ReadError::File("empty file: no header row".into())),
    };
    check(&header)?;
    let mut last_byte = 0usize;
    let mut n = 0u64;
    loop {
        match records.next_item() {
            None => break,
            Some(Item::Record { line, record }) => row(
                line,
                &Fields {
                    header: &header,
                    record,
                    problem: None,
                },
            )?,
            Some(Item::TooLong { line, bytes, head }) => {
                let reason = too_long(bytes);
                let shown = csv::StringRecord::from(vec![format!("{head}…")]);
                row(
                    line,
                    &Fields {
                        header: &header,
                        record: &shown,
                        problem: Some(&reason),
                    },
                )?;
            }
        }
        n += 1;
        if n.is_multiple_of(65_536) {
            let b = records.position();
            progress((b - last_byte) as u64);
            last_byte = b;
        }
    }
    progress(bytes.len().saturating_sub(last_byte) as u64);
    Ok(())
}

/// The reason a too-long line is not read.
pub(crate) fn too_long(bytes: usize) -> String {
    format!(
        "line too long: {} bytes, over the limit of {} bytes; not read",
        thousands(bytes),
        thousands(MAX_RECORD)
    )
}

/// A count with commas between thousands (`200,000,055`): readable, and never mistaken for a
/// CPR number by the masking of the rejects.
pub(crate) fn thousands(n: usize) -> String {
    let d = n.to_string();
    let mut out = String::new();
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn read_parquet(
    file: &InputFile,
    check: &mut HeaderFn<'_>,
    row: &mut RowFn<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<(), ReadError> {
    let f = samtalebank_files::open_regular(&file.path)
        .map_err(|e| ReadError::Ingest(IngestError::Input(e.to_string())))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(f)
        .map_err(|e| ReadError::File(format!("not a readable Parquet file: {e}")))?;
    let header = Header::new(
        builder
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect(),
    );
    check(&header)?;
    let reader = builder
        .build()
        .map_err(|e| ReadError::File(format!("not a readable Parquet file: {e}")))?;
    let mut line = 0u64;
    let mut rec = csv::StringRecord::new();
    for batch in reader {
        let batch = batch.map_err(|e| ReadError::File(format!("row {}: {e}", line + 1)))?;
        let cols: Vec<Vec<String>> = batch
            .columns()
            .iter()
            .zip(&header.names)
            .map(|(c, name)| {
                let mut col = strings(c).map_err(|t| {
                    ReadError::File(format!("column '{name}' has unsupported type {t}"))
                })?;
                // A CPR number in an integer column has lost its leading zero: 9 digits.
                if name == "cpr" && c.data_type().is_integer() {
                    for v in col.iter_mut().filter(|v| v.len() == 9) {
                        v.insert(0, '0');
                    }
                }
                Ok(col)
            })
            .collect::<Result<_, ReadError>>()?;
        for i in 0..batch.num_rows() {
            line += 1;
            rec.clear();
            for c in &cols {
                rec.push_field(&c[i]);
            }
            row(
                line,
                &Fields {
                    header: &header,
                    record: &rec,
                    problem: None,
                },
            )?;
        }
    }
    progress(file.size);
    Ok(())
}

/// A Parquet column as strings (null = empty), for the same validation as CSV.
fn strings(a: &ArrayRef) -> Result<Vec<String>, DataType> {
    let n = a.len();
    let mut out = Vec::with_capacity(n);
    macro_rules! prim {
        ($t:ty) => {{
            let p = a.as_primitive::<$t>();
            for i in 0..n {
                out.push(if p.is_null(i) {
                    String::new()
                } else {
                    p.value(i).to_string()
                });
            }
        }};
    }
    match a.data_type() {
        DataType::Utf8 => {
            let s = a.as_string::<i32>();
            for i in 0..n {
                out.push(if s.is_null(i) {
                    String::new()
                } else {
                    s.value(i).to_string()
                });
            }
        }
        DataType::LargeUtf8 => {
            let s = a.as_string::<i64>();
            for i in 0..n {
                out.push(if s.is_null(i) {
                    String::new()
                } else {
                    s.value(i).to_string()
                });
            }
        }
        DataType::Utf8View => {
            let s = a.as_string_view();
            for i in 0..n {
                out.push(if s.is_null(i) {
                    String::new()
                } else {
                    s.value(i).to_string()
                });
            }
        }
        DataType::Dictionary(k, v) if v.as_ref() == &DataType::Utf8 => {
            macro_rules! dict {
                ($t:ty) => {{
                    let d = a.as_dictionary::<$t>();
                    let vals = d.values().as_string::<i32>();
                    for i in 0..n {
                        out.push(if d.is_null(i) {
                            String::new()
                        } else {
                            vals.value(d.keys().value(i) as usize).to_string()
                        });
                    }
                }};
            }
            match k.as_ref() {
                DataType::Int8 => dict!(Int8Type),
                DataType::Int16 => dict!(Int16Type),
                DataType::Int32 => dict!(Int32Type),
                DataType::Int64 => dict!(Int64Type),
                DataType::UInt8 => dict!(UInt8Type),
                DataType::UInt16 => dict!(UInt16Type),
                DataType::UInt32 => dict!(UInt32Type),
                t => return Err(t.clone()),
            }
        }
        DataType::Int8 => prim!(Int8Type),
        DataType::Int16 => prim!(Int16Type),
        DataType::Int32 => prim!(Int32Type),
        DataType::Int64 => prim!(Int64Type),
        DataType::UInt8 => prim!(UInt8Type),
        DataType::UInt16 => prim!(UInt16Type),
        DataType::UInt32 => prim!(UInt32Type),
        DataType::UInt64 => prim!(UInt64Type),
        DataType::Date32 => {
            let p = a.as_primitive::<Date32Type>();
            for i in 0..n {
                out.push(if p.is_null(i) {
                    String::new()
                } else {
                    samtalebank_model::time::from_days(p.value(i))
                        .format("%Y-%m-%d")
                        .to_string()
                });
            }
        }
        DataType::Null => out.resize(n, String::new()),
        t => return Err(t.clone()),
    }
    Ok(out)
}
