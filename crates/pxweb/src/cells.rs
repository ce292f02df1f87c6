//! Walking a selection's cells, and numbers as text.

use samtalebank_release::Value;

use crate::selection::Selection;

/// Call `f(coords, measure_index)` for every selected cell, in JSON-stat order (last varies
/// fastest).
pub fn for_each_cell(sel: &Selection, mut f: impl FnMut(&[usize], usize)) {
    let nd = sel.dims.len();
    let mut pos = vec![0usize; nd];
    let mut coords: Vec<usize> = sel.dims.iter().map(|d| d[0]).collect();
    loop {
        for &m in &sel.measures {
            f(&coords, m);
        }
        let mut d = nd;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            pos[d] += 1;
            if pos[d] < sel.dims[d].len() {
                coords[d] = sel.dims[d][pos[d]];
                break;
            }
            pos[d] = 0;
            coords[d] = sel.dims[d][0];
        }
    }
}

/// `x` rounded to `decimals` decimals.
pub fn round(x: f64, decimals: u8) -> f64 {
    let p = 10f64.powi(i32::from(decimals));
    (x * p).round() / p
}

/// A value as text: the number with `decimals` decimals (a decimal comma if asked), or its
/// status symbol.
pub fn format_value(v: Value, decimals: u8, decimal_comma: bool) -> String {
    match v {
        Value::Num(x) => {
            let s = format!("{:.*}", decimals as usize, round(x, decimals));
            if decimal_comma {
                s.replace('.', ",")
            } else {
                s
            }
        }
        other => other.symbol().unwrap_or_default().into(),
    }
}
