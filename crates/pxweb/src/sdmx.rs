//! SDMX-CSV 2.0 output (`outputFormat=sdmx-csv`, media type
//! `application/vnd.sdmx.data+csv; version=2.0.0`), for the tools of other statistics offices
//! and the EU's data portals: one row per observation, with the columns the SDMX-CSV 2.0 field
//! guide prescribes.
//!
//! ```text
//! STRUCTURE,STRUCTURE_ID,ACTION,OMRAADE,TIME_PERIOD,YDELSE,…,MAAL,OBS_VALUE,OBS_STATUS,CONF_STATUS
//! dataflow,SAMTALEBANK:SAMT01(1.0.0),I,101,2024-11,tot,…,antal,52,A,F
//! ```
//!
//! - `STRUCTURE` is `dataflow`, `STRUCTURE_ID` the table as `SAMTALEBANK:ID(1.0.0)`, `ACTION`
//!   `I` (information);
//! - one column per dimension, its id in capitals, with the category codes; the time dimension
//!   is `TIME_PERIOD`, in SDMX's time formats (`2024`, `2024-Q1`, `2024-11`);
//! - the measures are the dimension `MAAL` (as in the PxWeb API, where they are the variable
//!   `maal`), so each row has one `OBS_VALUE`, a plain number with a decimal point;
//! - `OBS_STATUS` from SDMX's code list CL_OBS_STATUS: `A` a normal value, `M` cannot exist (a
//!   share of nothing, `-`), `O` not yet available (`.`); `CONF_STATUS` (CL_CONF_STATUS): `F`
//!   free, `C` confidential (not published to protect individuals, `..`; `OBS_VALUE` empty).

use samtalebank_model::{PeriodKind, MEASURE_VAR};
use samtalebank_release::{Table, Value};

use crate::cells::{for_each_combination, round};
use crate::selection::Selection;

/// The agency in `STRUCTURE_ID`.
pub const AGENCY: &str = "SAMTALEBANK";
/// The structures' version in `STRUCTURE_ID`.
pub const VERSION: &str = "1.0.0";

/// A period code in SDMX's time format: `2024` stays, `2024K1` → `2024-Q1`, `2024M11` →
/// `2024-11`.
pub fn time_period(code: &str) -> String {
    match PeriodKind::of(code) {
        PeriodKind::Year => code.to_string(),
        PeriodKind::Quarter => code.replacen('K', "-Q", 1),
        PeriodKind::Month => code.replacen('M', "-", 1),
    }
}

fn status(v: Value) -> (&'static str, &'static str) {
    match v {
        Value::Num(_) => ("A", "F"),
        Value::Suppressed => ("", "C"),
        Value::NotApplicable => ("M", "F"),
        Value::NotYet => ("O", "F"),
    }
}

/// The data response as SDMX-CSV 2.0.
pub fn sdmx_csv_data(table: &Table, sel: &Selection) -> Vec<u8> {
    let meta = &table.meta;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["STRUCTURE", "STRUCTURE_ID", "ACTION"]
        .map(String::from)
        .to_vec();
    for d in &meta.dimensions {
        header.push(if d.is_time() {
            "TIME_PERIOD".into()
        } else {
            d.id.to_uppercase()
        });
    }
    header.push(MEASURE_VAR.to_uppercase());
    header.extend(["OBS_VALUE", "OBS_STATUS", "CONF_STATUS"].map(String::from));
    let _ = w.write_record(&header);
    let structure = format!("{AGENCY}:{}({VERSION})", meta.id);
    let nd = sel.dims.len();
    let lens: Vec<usize> = sel.dims.iter().map(Vec::len).collect();
    let mut coords = vec![0usize; nd];
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for_each_combination(&lens, |p| {
        for (d, &i) in p.iter().enumerate() {
            coords[d] = sel.dims[d][i];
        }
        for &m in &sel.measures {
            row.clear();
            row.extend(["dataflow".to_string(), structure.clone(), "I".to_string()]);
            for (d, &c) in coords.iter().enumerate() {
                let dim = &meta.dimensions[d];
                let code = &dim.categories[c].code;
                row.push(if dim.is_time() {
                    time_period(code)
                } else {
                    code.clone()
                });
            }
            let measure = &meta.measures[m];
            row.push(measure.code.clone());
            let v = table.value(&coords, m);
            row.push(match v {
                Value::Num(x) => format!("{}", round(x, measure.decimals)),
                _ => String::new(),
            });
            let (obs, conf) = status(v);
            row.push(obs.into());
            row.push(conf.into());
            let _ = w.write_record(&row);
        }
    });
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::time_period;

    #[test]
    fn periods_are_written_in_sdmx_time_formats() {
        assert_eq!(time_period("2024"), "2024");
        assert_eq!(time_period("2024K3"), "2024-Q3");
        assert_eq!(time_period("2024M01"), "2024-01");
    }
}
