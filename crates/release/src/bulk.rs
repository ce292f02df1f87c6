//! The whole table in one file, for machines: `bulk.parquet` and `bulk.csv.gz` beside a table's
//! data, written when the release is built and checked like every file of the release.
//!
//! One row per cell the release stores (a cell whose counts are all 0 is left out: its counts
//! are 0 and its shares not applicable), in the cube's order. The columns, in both files:
//!
//! - per dimension its code (`omraade`) and its Danish label (`omraade_tekst`);
//! - per measure its published value (`antal`; integer for counts, with the measure's decimals
//!   otherwise; empty where not published) and `<measure>_status`: the symbol of a value that
//!   is not published (`..` confidential, `.` not yet available, `-` not applicable), else
//!   empty.
//!
//! The CSV is UTF-8 with a header, `,` between fields and a decimal point (for programs; the
//! API's CSV with `SeparatorSemicolon,DecimalComma,IncludeBom` is the one for Excel), compressed
//! with gzip at its fastest level (a table of millions of cells must not hold up the build).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow_array::types::Int16Type;
use arrow_array::StringArray;
use arrow_array::{ArrayRef, DictionaryArray, Float64Array, Int16Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use samtalebank_tables::{CountStatus, Published};

use crate::meta::TableMeta;
use crate::table::{Table, Value, UNPUBLISHED};
use crate::{fmt_err, io_err, Result};

/// The bulk files' names inside a table's directory.
pub const BULK_PARQUET: &str = "bulk.parquet";
pub const BULK_CSV_GZ: &str = "bulk.csv.gz";

/// Cells per record batch (and Parquet row group).
const BATCH: usize = 1 << 20;

/// The published table as readers see it (measures derived), from what is being published.
pub(crate) fn table_of(meta: &TableMeta, p: &Published) -> Result<Table> {
    let shape: Vec<usize> = p.dims.iter().map(|d| d.len()).collect();
    let counts = p
        .counts
        .iter()
        .zip(&p.status)
        .map(|(&c, &s)| {
            if s == CountStatus::Published {
                c
            } else {
                UNPUBLISHED
            }
        })
        .collect();
    Table::new(meta.clone(), shape, counts, p.numbers.clone())
}

/// The flat indices of the cells the release stores, in order.
fn stored_cells(t: &Table) -> Vec<usize> {
    let k = t.meta.values.len();
    let kn = t.meta.numbers.len();
    (0..t.cells())
        .filter(|&c| {
            t.counts[c * k..(c + 1) * k].iter().any(|&x| x != 0)
                || t.numbers[c * kn..(c + 1) * kn].iter().any(|x| !x.is_nan())
        })
        .collect()
}

fn coords_of(shape: &[usize], mut flat: usize, out: &mut [usize]) {
    for d in (0..shape.len()).rev() {
        out[d] = flat % shape[d];
        flat /= shape[d];
    }
}

const SYMBOLS: [&str; 3] = [
    crate::STATUS_CONFIDENTIAL,
    crate::STATUS_NOT_YET,
    crate::STATUS_NOT_APPLICABLE,
];

fn symbol_index(v: Value) -> Option<i16> {
    v.symbol()
        .and_then(|s| SYMBOLS.iter().position(|x| *x == s))
        .map(|i| i as i16)
}

/// A run of cells with their values (measure by measure within each cell), computed once for
/// both files.
struct Chunk {
    cells: Vec<usize>,
    values: Vec<Value>,
}

/// Write both bulk files of a table into `dir`; returns (file name, SHA-256) of each. The
/// values are derived once, on this thread, and both files are written meanwhile on their own.
pub(crate) fn write_bulk(dir: &Path, t: &Table) -> Result<Vec<(String, String)>> {
    let cells = stored_cells(t);
    let nm = t.meta.measures.len();
    let (pq_path, csv_path) = (dir.join(BULK_PARQUET), dir.join(BULK_CSV_GZ));
    std::thread::scope(|s| {
        let (pq_tx, pq_rx) = std::sync::mpsc::sync_channel::<Arc<Chunk>>(2);
        let (csv_tx, csv_rx) = std::sync::mpsc::sync_channel::<Arc<Chunk>>(2);
        let pq = s.spawn(|| write_parquet(&pq_path, t, pq_rx));
        let csv = s.spawn(|| write_csv_gz(&csv_path, t, csv_rx));
        let mut coords = vec![0usize; t.meta.dimensions.len()];
        for run in cells.chunks(BATCH) {
            let mut values = Vec::with_capacity(run.len() * nm);
            for &c in run {
                coords_of(t.shape(), c, &mut coords);
                values.extend((0..nm).map(|m| t.value(&coords, m)));
            }
            let chunk = Arc::new(Chunk {
                cells: run.to_vec(),
                values,
            });
            // A writer that stopped (an error) is heard of when it is joined.
            if pq_tx.send(chunk.clone()).is_err() || csv_tx.send(chunk).is_err() {
                break;
            }
        }
        drop((pq_tx, csv_tx));
        let join = |h: std::thread::ScopedJoinHandle<'_, Result<String>>| {
            h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
        };
        let (pq, csv) = (join(pq), join(csv));
        Ok(vec![
            (BULK_PARQUET.to_string(), pq?),
            (BULK_CSV_GZ.to_string(), csv?),
        ])
    })
}

fn schema(meta: &TableMeta) -> Arc<Schema> {
    let dict = DataType::Dictionary(Box::new(DataType::Int16), Box::new(DataType::Utf8));
    let mut fields = Vec::new();
    for d in &meta.dimensions {
        fields.push(Field::new(&d.id, dict.clone(), false));
        fields.push(Field::new(format!("{}_tekst", d.id), dict.clone(), false));
    }
    for m in &meta.measures {
        let ty = if m.decimals == 0 {
            DataType::Int64
        } else {
            DataType::Float64
        };
        fields.push(Field::new(&m.code, ty, true));
        fields.push(Field::new(format!("{}_status", m.code), dict.clone(), true));
    }
    Arc::new(Schema::new(fields))
}

/// Long: One batch per chunk of cells: the columns are filled in one walk and written together.
fn write_parquet(
    path: &Path,
    t: &Table,
    chunks: std::sync::mpsc::Receiver<Arc<Chunk>>,
) -> Result<String> {
    let meta = &t.meta;
    let schema = schema(meta);
    let file = std::fs::File::create(path).map_err(io_err(path))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(BATCH))
        .build();
    let mut w = ArrowWriter::try_new(
        samtalebank_files::Sha256Writer::new(std::io::BufWriter::new(file)),
        schema.clone(),
        Some(props),
    )
    .map_err(|e| fmt_err(path, e))?;
    let nd = meta.dimensions.len();
    let mut coords = vec![0usize; nd];
    let symbols = Arc::new(StringArray::from_iter_values(SYMBOLS));
    let nm = meta.measures.len();
    for chunk in chunks {
        let mut keys: Vec<Vec<i16>> = (0..nd)
            .map(|_| Vec::with_capacity(chunk.cells.len()))
            .collect();
        let mut ints: Vec<Vec<Option<i64>>> = meta.measures.iter().map(|_| Vec::new()).collect();
        let mut floats: Vec<Vec<Option<f64>>> = meta.measures.iter().map(|_| Vec::new()).collect();
        let mut status: Vec<Vec<Option<i16>>> = meta
            .measures
            .iter()
            .map(|_| Vec::with_capacity(chunk.cells.len()))
            .collect();
        for (i, &c) in chunk.cells.iter().enumerate() {
            coords_of(t.shape(), c, &mut coords);
            for (k, &x) in keys.iter_mut().zip(&coords) {
                k.push(x as i16);
            }
            for (m, mm) in meta.measures.iter().enumerate() {
                let v = chunk.values[i * nm + m];
                let x = v.num().map(|x| round(x, mm.decimals));
                if mm.decimals == 0 {
                    ints[m].push(x.map(|x| x as i64));
                } else {
                    floats[m].push(x);
                }
                status[m].push(symbol_index(v));
            }
        }
        let mut cols: Vec<ArrayRef> = Vec::new();
        for (d, k) in meta.dimensions.iter().zip(keys) {
            let k = Int16Array::from(k);
            let codes = StringArray::from_iter_values(d.categories.iter().map(|c| c.code.as_str()));
            let labels =
                StringArray::from_iter_values(d.categories.iter().map(|c| c.label_da.as_str()));
            cols.push(Arc::new(DictionaryArray::<Int16Type>::new(
                k.clone(),
                Arc::new(codes),
            )));
            cols.push(Arc::new(DictionaryArray::<Int16Type>::new(
                k,
                Arc::new(labels),
            )));
        }
        for (m, mm) in meta.measures.iter().enumerate() {
            if mm.decimals == 0 {
                cols.push(Arc::new(Int64Array::from(std::mem::take(&mut ints[m]))));
            } else {
                cols.push(Arc::new(Float64Array::from(std::mem::take(&mut floats[m]))));
            }
            cols.push(Arc::new(DictionaryArray::<Int16Type>::new(
                Int16Array::from(std::mem::take(&mut status[m])),
                symbols.clone(),
            )));
        }
        let batch = RecordBatch::try_new(schema.clone(), cols).map_err(|e| fmt_err(path, e))?;
        w.write(&batch).map_err(|e| fmt_err(path, e))?;
    }
    let inner = w.into_inner().map_err(|e| fmt_err(path, e))?;
    let (buf, sum) = inner.finish();
    let file = buf.into_inner().map_err(|e| fmt_err(path, e.error()))?;
    file.sync_all().map_err(io_err(path))?;
    Ok(sum)
}

fn round(x: f64, decimals: u8) -> f64 {
    let p = 10f64.powi(i32::from(decimals));
    (x * p).round() / p
}

/// A number with `decimals` decimals and a decimal point, as `format!("{:.d$}", round(x, d))`
/// writes it (without a sign on a zero), appended to `out`.
fn push_fixed(out: &mut Vec<u8>, x: f64, decimals: u8) {
    let p = 10i64.pow(u32::from(decimals));
    let scaled = (x * p as f64).round() as i64;
    let mut b = itoa::Buffer::new();
    if decimals == 0 {
        out.extend_from_slice(b.format(scaled).as_bytes());
        return;
    }
    if scaled < 0 {
        out.push(b'-');
    }
    let a = scaled.unsigned_abs();
    let p = p.unsigned_abs();
    out.extend_from_slice(b.format(a / p).as_bytes());
    out.push(b'.');
    let frac = b.format(a % p);
    out.extend(std::iter::repeat_n(
        b'0',
        usize::from(decimals) - frac.len(),
    ));
    out.extend_from_slice(frac.as_bytes());
}

/// Long: The CSV written by hand from pieces escaped once: a row is its dimensions' code and label fields (the same few hundred strings over millions of rows) and its numbers.
fn write_csv_gz(
    path: &Path,
    t: &Table,
    chunks: std::sync::mpsc::Receiver<Arc<Chunk>>,
) -> Result<String> {
    let meta = &t.meta;
    let file = std::fs::File::create(path).map_err(io_err(path))?;
    let hashing = samtalebank_files::Sha256Writer::new(std::io::BufWriter::new(file));
    let mut gz = flate2::write::GzEncoder::new(hashing, flate2::Compression::fast());
    // Each field escaped by the csv crate once: the header, and per dimension and category
    // `code,label,`.
    let escaped = |fields: &[&str]| -> Result<Vec<u8>> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b','))
            .from_writer(Vec::new());
        for f in fields {
            w.write_field(f).map_err(|e| fmt_err(path, e))?;
        }
        w.write_record(None::<&[u8]>)
            .map_err(|e| fmt_err(path, e))?;
        w.into_inner().map_err(|e| fmt_err(path, e.error()))
    };
    let names: Vec<String> = schema(meta)
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut header = escaped(&names)?;
    // `a,b,c,` → `a,b,c\n`.
    header.pop();
    header.push(b'\n');
    let prefix: Vec<Vec<Vec<u8>>> = meta
        .dimensions
        .iter()
        .map(|d| {
            d.categories
                .iter()
                .map(|c| escaped(&[&c.code, &c.label_da]))
                .collect()
        })
        .collect::<Result<_>>()?;
    gz.write_all(&header).map_err(io_err(path))?;
    let mut coords = vec![0usize; meta.dimensions.len()];
    let nm = meta.measures.len();
    let mut out: Vec<u8> = Vec::with_capacity(1 << 21);
    for chunk in chunks {
        for (i, &c) in chunk.cells.iter().enumerate() {
            coords_of(t.shape(), c, &mut coords);
            for (d, &k) in coords.iter().enumerate() {
                out.extend_from_slice(&prefix[d][k]);
            }
            for (m, mm) in meta.measures.iter().enumerate() {
                let v = chunk.values[i * nm + m];
                if let Some(x) = v.num() {
                    push_fixed(&mut out, x, mm.decimals);
                }
                out.push(b',');
                out.extend_from_slice(v.symbol().unwrap_or("").as_bytes());
                out.push(if m + 1 == nm { b'\n' } else { b',' });
            }
            if out.len() >= 1 << 20 {
                gz.write_all(&out).map_err(io_err(path))?;
                out.clear();
            }
        }
    }
    gz.write_all(&out).map_err(io_err(path))?;
    let hashing = gz.finish().map_err(io_err(path))?;
    let (buf, sum) = hashing.finish();
    let file = buf.into_inner().map_err(|x| fmt_err(path, x.error()))?;
    file.sync_all().map_err(io_err(path))?;
    Ok(sum)
}

#[cfg(test)]
mod tests {
    use super::push_fixed;

    #[test]
    fn numbers_are_written_as_the_api_writes_them() {
        for (x, d) in [
            (12.0, 0),
            (2.71, 1),
            (-2.25, 1),
            (0.04, 1),
            (99.96, 1),
            (7.5, 0),
            (1234567.0, 0),
            (0.005, 2),
        ] {
            let mut out = Vec::new();
            push_fixed(&mut out, x, d);
            let p = 10f64.powi(i32::from(d));
            let want = format!("{:.*}", usize::from(d), (x * p).round() / p);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                want,
                "{x} with {d} decimals"
            );
        }
    }
}
