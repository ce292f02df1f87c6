//! Walking a selection's cells, and numbers as text.

use samtalebank_model::{Lang, MEASURE_VAR};
use samtalebank_release::{TableMeta, Value};

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

/// Call `f` with every combination of positions `0..lens[i]`, the last varying fastest.
pub fn for_each_combination(lens: &[usize], mut f: impl FnMut(&[usize])) {
    if lens.contains(&0) {
        return;
    }
    let mut pos = vec![0usize; lens.len()];
    loop {
        f(&pos);
        let mut d = lens.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            pos[d] += 1;
            if pos[d] < lens[d] {
                break;
            }
            pos[d] = 0;
        }
    }
}

/// A selection laid out as a grid: the stub's variables down the rows, the heading's across
/// the columns, the last variable of each varying fastest.
pub struct Grid<'a> {
    pub sel: &'a Selection,
    /// Lengths of the stub's variables.
    pub row_lens: Vec<usize>,
    /// Lengths of the heading's variables.
    pub col_lens: Vec<usize>,
    coords: Vec<usize>,
}

impl<'a> Grid<'a> {
    pub fn new(sel: &'a Selection) -> Grid<'a> {
        Grid {
            row_lens: sel.stub.iter().map(|&v| sel.len_of(v)).collect(),
            col_lens: sel.heading.iter().map(|&v| sel.len_of(v)).collect(),
            coords: vec![0; sel.dims.len()],
            sel,
        }
    }

    /// Every column, as positions of the heading's variables.
    pub fn columns(&self) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        for_each_combination(&self.col_lens, |c| out.push(c.to_vec()));
        out
    }

    /// The category index (or measure index) of variable `v` at selection position `pos`.
    pub fn index(&self, v: usize, pos: usize) -> usize {
        if v < self.sel.dims.len() {
            self.sel.dims[v][pos]
        } else {
            self.sel.measures[pos]
        }
    }

    /// The table coordinates and measure of the cell at `row` (stub positions) and `col`
    /// (heading positions).
    pub fn cell(&mut self, row: &[usize], col: &[usize]) -> (&[usize], usize) {
        let mut measure = 0;
        let vars = self
            .sel
            .stub
            .iter()
            .zip(row)
            .chain(self.sel.heading.iter().zip(col));
        for (&v, &p) in vars {
            if v < self.sel.dims.len() {
                self.coords[v] = self.sel.dims[v][p];
            } else {
                measure = self.sel.measures[p];
            }
        }
        (&self.coords, measure)
    }
}

/// Codes and texts of variables and values by variable index (`dimensions.len()` = the
/// measure variable `maal`).
pub struct Names<'a> {
    pub meta: &'a TableMeta,
    pub lang: Lang,
}

impl Names<'_> {
    pub fn var_code(&self, v: usize) -> &str {
        self.meta
            .dimensions
            .get(v)
            .map_or(MEASURE_VAR, |d| d.id.as_str())
    }
    pub fn var_text(&self, v: usize) -> &str {
        self.meta
            .dimensions
            .get(v)
            .map_or(crate::labels(self.lang).measure_var, |d| d.label(self.lang))
    }
    /// The code of category (or measure) `i` of variable `v`.
    pub fn code(&self, v: usize, i: usize) -> &str {
        match self.meta.dimensions.get(v) {
            Some(d) => &d.categories[i].code,
            None => &self.meta.measures[i].code,
        }
    }
    pub fn text(&self, v: usize, i: usize) -> &str {
        match self.meta.dimensions.get(v) {
            Some(d) => d.categories[i].label(self.lang),
            None => {
                let m = &self.meta.measures[i];
                m.label(self.lang)
            }
        }
    }
    /// A value as the options ask: its code, its text, or both (`code text`).
    pub fn value(&self, v: usize, i: usize, codes: bool, texts: bool) -> String {
        match (codes, texts) {
            (true, true) => format!("{} {}", self.code(v, i), self.text(v, i)),
            (false, true) => self.text(v, i).to_string(),
            _ => self.code(v, i).to_string(),
        }
    }
    /// A variable as the options ask.
    pub fn variable(&self, v: usize, codes: bool, texts: bool) -> String {
        match (codes, texts) {
            (false, true) => self.var_text(v).to_string(),
            _ => self.var_code(v).to_string(),
        }
    }
}
