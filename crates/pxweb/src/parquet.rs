//! Parquet output, for DuckDB, pandas, polars and Spark: one row per combination of the
//! dimensions, a string column of codes per dimension, then per measure its value (integer for
//! counts, double for shares; null where not published) and `<measure>_status` (the status
//! symbol of a value that is not published, else null).

use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use samtalebank_release::{Table, Value};

use crate::cells::for_each_combination;
use crate::selection::Selection;

/// The data response as a Parquet file.
pub fn parquet_data(table: &Table, sel: &Selection) -> Result<Vec<u8>, crate::Problem> {
    let e = |x: String| crate::Problem::internal("Parquet output failed", x);
    let meta = &table.meta;
    let nd = sel.dims.len();
    let mut dims: Vec<StringBuilder> = (0..nd).map(|_| StringBuilder::new()).collect();
    let ints: Vec<bool> = sel
        .measures
        .iter()
        .map(|&m| meta.measures[m].decimals == 0)
        .collect();
    let mut int_cols: Vec<Int64Builder> =
        sel.measures.iter().map(|_| Int64Builder::new()).collect();
    let mut float_cols: Vec<Float64Builder> =
        sel.measures.iter().map(|_| Float64Builder::new()).collect();
    let mut status: Vec<StringBuilder> =
        sel.measures.iter().map(|_| StringBuilder::new()).collect();
    let lens: Vec<usize> = sel.dims.iter().map(Vec::len).collect();
    let mut coords = vec![0usize; nd];
    for_each_combination(&lens, |p| {
        for (d, &i) in p.iter().enumerate() {
            coords[d] = sel.dims[d][i];
            dims[d].append_value(&meta.dimensions[d].categories[coords[d]].code);
        }
        for (k, &m) in sel.measures.iter().enumerate() {
            let v = table.value(&coords, m);
            let x = match v {
                Value::Num(x) => Some(crate::round(x, meta.measures[m].decimals)),
                _ => None,
            };
            if ints[k] {
                int_cols[k].append_option(x.map(|x| x as i64));
            } else {
                float_cols[k].append_option(x);
            }
            status[k].append_option(v.symbol());
        }
    });
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (d, b) in meta.dimensions.iter().zip(dims.iter_mut()) {
        fields.push(Field::new(&d.id, DataType::Utf8, false));
        arrays.push(Arc::new(b.finish()));
    }
    for (k, &m) in sel.measures.iter().enumerate() {
        let code = &meta.measures[m].code;
        if ints[k] {
            fields.push(Field::new(code, DataType::Int64, true));
            arrays.push(Arc::new(int_cols[k].finish()));
        } else {
            fields.push(Field::new(code, DataType::Float64, true));
            arrays.push(Arc::new(float_cols[k].finish()));
        }
        fields.push(Field::new(format!("{code}_status"), DataType::Utf8, true));
        arrays.push(Arc::new(status[k].finish()));
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|x| e(x.to_string()))?;
    let mut out = Vec::new();
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, schema, None)
        .map_err(|x| e(x.to_string()))?;
    w.write(&batch).map_err(|x| e(x.to_string()))?;
    w.close().map_err(|x| e(x.to_string()))?;
    Ok(out)
}
