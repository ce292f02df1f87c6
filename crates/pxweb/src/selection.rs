//! Selections as PxWeb API 2.0 expresses them, read as its reference server reads them.
//!
//! A variable's value codes are codes or expressions, case-insensitive: `*` (every value), `?`
//! (one character) and `*` as wildcards (`2023M*`, `*01`), `TOP(n[,offset])` and
//! `BOTTOM(n[,offset])`, `FROM(code)`, `TO(code)`, `RANGE(code,code)`, and `[code]` for a code
//! taken literally (so that a code may contain a comma: `[a,b]`). `TOP` takes the first `n`
//! values in the table's order; on the time variable it takes the latest `n` periods and
//! `BOTTOM` the earliest (of the finest period type: months where there are months). `FROM`,
//! `TO` and `RANGE` on time keep the period type of their code.
//!
//! A variable that is not selected takes its total ("i alt"); time takes every year; the
//! measure variable `maal` takes every measure. That is also the table's default selection.
//! A codelist (`codelist[VAR]`) narrows a variable to the codelist's values before the
//! expressions apply.

use samtalebank_model::{PeriodKind, MEASURE_VAR};
use samtalebank_release::{DimensionMeta, TableMeta};
use serde::{Deserialize, Serialize};

use crate::codelist::Codelist;
use crate::problem::Problem;

/// One variable's selection as a client writes it (PxWeb `VariableSelection`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VariableSelection {
    pub variable_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codelist: Option<String>,
    #[serde(default)]
    pub value_codes: Vec<String>,
}

/// Which variables go in the heading (across) and the stub (down) of a tabular output.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    #[serde(default)]
    pub heading: Vec<String>,
    #[serde(default)]
    pub stub: Vec<String>,
}

/// A request's selection: the body of `POST …/data`, and the selection of a saved query
/// (PxWeb `VariablesSelection`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VariablesSelection {
    #[serde(default)]
    pub selection: Vec<VariableSelection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
}

/// `valuecodes[omraade]` → `omraade`.
fn bracketed<'a>(key: &'a str, name: &str) -> Option<&'a str> {
    let head = key.get(..name.len() + 1)?;
    if !head.eq_ignore_ascii_case(&format!("{name}[")) {
        return None;
    }
    key[name.len() + 1..].strip_suffix(']')
}

/// Split a GET value list on the commas that are inside neither `(…)` nor `[…]`.
pub fn split_items(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut paren, mut bracket, mut start) = (0i32, false, 0);
    for (i, ch) in list.char_indices() {
        match ch {
            '(' if !bracket => paren += 1,
            ')' if !bracket => paren -= 1,
            '[' if paren == 0 => bracket = true,
            ']' => bracket = false,
            ',' if paren == 0 && !bracket => {
                out.push(list[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(list[start..].trim().to_string());
    out.retain(|s| !s.is_empty());
    out
}

impl VariablesSelection {
    /// From a GET query: `valuecodes[VAR]`, `codelist[VAR]`, `heading`, `stub` (any case).
    pub fn from_query(params: &[(String, String)]) -> VariablesSelection {
        let mut out = VariablesSelection::default();
        let mut placement = Placement::default();
        let mut placed = false;
        for (k, v) in params {
            if let Some(var) = bracketed(k, "valuecodes") {
                out.entry(var).value_codes.extend(split_items(v));
            } else if let Some(var) = bracketed(k, "codelist") {
                out.entry(var).codelist = Some(v.trim().to_string());
            } else if k.eq_ignore_ascii_case("heading") {
                placement.heading.extend(split_items(v));
                placed = true;
            } else if k.eq_ignore_ascii_case("stub") {
                placement.stub.extend(split_items(v));
                placed = true;
            }
        }
        if placed {
            out.placement = Some(placement);
        }
        out
    }

    fn entry(&mut self, var: &str) -> &mut VariableSelection {
        let i = match self
            .selection
            .iter()
            .position(|s| s.variable_code.eq_ignore_ascii_case(var))
        {
            Some(i) => i,
            None => {
                self.selection.push(VariableSelection {
                    variable_code: var.to_string(),
                    codelist: None,
                    value_codes: Vec::new(),
                });
                self.selection.len() - 1
            }
        };
        &mut self.selection[i]
    }
}

/// Selected category indices per dimension, selected measures, and where each variable goes in
/// a tabular output.
#[derive(Debug, Clone)]
pub struct Selection {
    pub dims: Vec<Vec<usize>>,
    pub measures: Vec<usize>,
    /// Variable indices down the rows; `dims.len()` is the measure variable.
    pub stub: Vec<usize>,
    /// Variable indices across the columns.
    pub heading: Vec<usize>,
}

impl Selection {
    /// A selection with the default placement: the dimensions down, the measures across.
    pub fn new(dims: Vec<Vec<usize>>, measures: Vec<usize>) -> Selection {
        let n = dims.len();
        Selection {
            dims,
            measures,
            stub: (0..n).collect(),
            heading: vec![n],
        }
    }

    /// Number of cells the selection asks for (all dimensions and measures).
    pub fn cells(&self) -> u128 {
        self.dims.iter().map(|d| d.len() as u128).product::<u128>() * self.measures.len() as u128
    }

    /// Refuse, before any work, a selection of more than `max` cells (403, naming both).
    pub fn check_cells(&self, max: usize) -> Result<(), Problem> {
        let n = self.cells();
        if n > max as u128 {
            return Err(Problem::new(
                403,
                "Too many cells selected",
                format!(
                    "the selection asks for {n} cells; the limit is {max}. Select fewer values."
                ),
            ));
        }
        Ok(())
    }

    /// How many values variable `v` has selected (`dims.len()` = the measures).
    pub fn len_of(&self, v: usize) -> usize {
        if v < self.dims.len() {
            self.dims[v].len()
        } else {
            self.measures.len()
        }
    }

    /// The selection as query parameters: `valuecodes[VAR]` with the codes of every dimension
    /// and of the measures (a code holding a comma in brackets), then `heading` and `stub` when
    /// the placement is not the default. Read back by [`VariablesSelection::from_query`], it
    /// selects the same cells.
    pub fn to_query(&self, meta: &TableMeta) -> Vec<(String, String)> {
        let code = |c: &str| {
            if c.contains(',') {
                format!("[{c}]")
            } else {
                c.to_string()
            }
        };
        let mut out: Vec<(String, String)> = meta
            .dimensions
            .iter()
            .zip(&self.dims)
            .map(|(d, s)| {
                let codes: Vec<String> = s.iter().map(|&i| code(&d.categories[i].code)).collect();
                (format!("valuecodes[{}]", d.id), codes.join(","))
            })
            .collect();
        let ms: Vec<String> = self
            .measures
            .iter()
            .map(|&m| code(&meta.measures[m].code))
            .collect();
        out.push((format!("valuecodes[{MEASURE_VAR}]"), ms.join(",")));
        let default = Selection::new(self.dims.clone(), self.measures.clone());
        if self.heading != default.heading || self.stub != default.stub {
            let name = |v: &usize| {
                meta.dimensions
                    .get(*v)
                    .map_or(MEASURE_VAR.to_string(), |d| d.id.clone())
            };
            out.push((
                "heading".into(),
                self.heading.iter().map(name).collect::<Vec<_>>().join(","),
            ));
            out.push((
                "stub".into(),
                self.stub.iter().map(name).collect::<Vec<_>>().join(","),
            ));
        }
        out
    }

    /// The selection in value codes, as `defaultselection` and a saved query's `selection`
    /// return it.
    pub fn to_codes(&self, meta: &TableMeta) -> VariablesSelection {
        let mut selection: Vec<VariableSelection> = meta
            .dimensions
            .iter()
            .zip(&self.dims)
            .map(|(d, s)| VariableSelection {
                variable_code: d.id.clone(),
                codelist: None,
                value_codes: s.iter().map(|&i| d.categories[i].code.clone()).collect(),
            })
            .collect();
        selection.push(VariableSelection {
            variable_code: MEASURE_VAR.into(),
            codelist: None,
            value_codes: self
                .measures
                .iter()
                .map(|&m| meta.measures[m].code.clone())
                .collect(),
        });
        let name = |v: usize| {
            meta.dimensions
                .get(v)
                .map_or(MEASURE_VAR.to_string(), |d| d.id.clone())
        };
        VariablesSelection {
            selection,
            placement: Some(Placement {
                heading: self.heading.iter().map(|&v| name(v)).collect(),
                stub: self.stub.iter().map(|&v| name(v)).collect(),
            }),
        }
    }
}

/// Resolve a request's selection against a table. `codelists` are the codelists that apply to
/// the table's variables.
pub fn resolve(
    meta: &TableMeta,
    req: &VariablesSelection,
    codelists: &[Codelist],
) -> Result<Selection, Problem> {
    let nd = meta.dimensions.len();
    let mut given: Vec<Option<&VariableSelection>> = vec![None; nd + 1];
    for s in &req.selection {
        let v = variable_index(meta, &s.variable_code)?;
        if given[v].is_some() {
            return Err(Problem::bad_request(format!(
                "variable '{}' is selected twice",
                s.variable_code
            )));
        }
        given[v] = Some(s);
    }
    let mut dims = Vec::with_capacity(nd);
    for (d, g) in meta.dimensions.iter().zip(&given) {
        let domain: Vec<usize> = match g.and_then(|s| s.codelist.as_deref()) {
            Some(id) => codelist_members(d, id, codelists)?,
            None => (0..d.categories.len()).collect(),
        };
        let sel = match g {
            Some(s) if !s.value_codes.is_empty() => {
                let codes: Vec<&str> = domain
                    .iter()
                    .map(|&i| d.categories[i].code.as_str())
                    .collect();
                select(&d.id, &codes, d.is_time(), &s.value_codes)?
                    .into_iter()
                    .map(|i| domain[i])
                    .collect()
            }
            Some(s) if s.codelist.is_some() => domain,
            _ => default_for(d),
        };
        dims.push(sel);
    }
    let mcodes: Vec<&str> = meta.measures.iter().map(|m| m.code.as_str()).collect();
    let measures = match given[nd] {
        Some(s) if !s.value_codes.is_empty() => {
            select(MEASURE_VAR, &mcodes, false, &s.value_codes)?
        }
        _ => (0..mcodes.len()).collect(),
    };
    let mut sel = Selection::new(dims, measures);
    if let Some(p) = &req.placement {
        place(meta, &mut sel, p)?;
    }
    Ok(sel)
}

/// The index of a variable (any case); `dimensions.len()` for the measure variable.
pub fn variable_index(meta: &TableMeta, code: &str) -> Result<usize, Problem> {
    if code.eq_ignore_ascii_case(MEASURE_VAR) {
        return Ok(meta.dimensions.len());
    }
    meta.dimension(code).map(|(i, _)| i).ok_or_else(|| {
        Problem::bad_request(format!(
            "unknown variable '{code}'; {} has {}, {MEASURE_VAR}",
            meta.id,
            meta.dimensions
                .iter()
                .map(|d| d.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

fn codelist_members(
    d: &DimensionMeta,
    id: &str,
    lists: &[Codelist],
) -> Result<Vec<usize>, Problem> {
    let applies: Vec<&Codelist> = lists.iter().filter(|c| c.variable == d.id).collect();
    applies
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(id))
        .map(|c| c.members.clone())
        .ok_or_else(|| {
            Problem::bad_request(format!(
                "codelist '{id}' does not apply to variable '{}'; it has: {}",
                d.id,
                if applies.is_empty() {
                    "no codelists".to_string()
                } else {
                    applies
                        .iter()
                        .map(|c| c.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ))
        })
}

/// Apply `heading`/`stub`: the variables named go there; the others go to the stub (when only a
/// heading is given or both are) or to the heading (when only a stub is given).
fn place(meta: &TableMeta, sel: &mut Selection, p: &Placement) -> Result<(), Problem> {
    let nd = meta.dimensions.len();
    let names = |list: &[String]| -> Result<Vec<usize>, Problem> {
        let mut out = Vec::new();
        for n in list {
            let v = variable_index(meta, n)?;
            if !out.contains(&v) {
                out.push(v);
            }
        }
        Ok(out)
    };
    let (heading, stub) = (names(&p.heading)?, names(&p.stub)?);
    if let Some(v) = heading.iter().find(|v| stub.contains(v)) {
        let name = meta
            .dimensions
            .get(*v)
            .map_or(MEASURE_VAR, |d| d.id.as_str());
        return Err(Problem::bad_request(format!(
            "variable '{name}' is in both heading and stub"
        )));
    }
    let rest: Vec<usize> = (0..=nd)
        .filter(|v| !heading.contains(v) && !stub.contains(v))
        .collect();
    match (heading.is_empty(), stub.is_empty()) {
        (true, true) => {}
        (false, _) => {
            sel.heading = heading;
            sel.stub = stub.into_iter().chain(rest).collect();
        }
        (true, false) => {
            sel.stub = stub;
            sel.heading = rest;
        }
    }
    Ok(())
}

/// The selection for a variable the client did not name.
pub fn default_for(d: &DimensionMeta) -> Vec<usize> {
    if let Some(t) = &d.total {
        return vec![d.categories.iter().position(|c| &c.code == t).unwrap_or(0)];
    }
    if d.is_time() {
        return d
            .categories
            .iter()
            .enumerate()
            .filter(|(_, c)| PeriodKind::of(&c.code) == PeriodKind::Year)
            .map(|(i, _)| i)
            .collect();
    }
    (0..d.categories.len()).collect()
}

fn glob(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = s.to_lowercase().chars().collect();
    // Iterative matcher with backtracking over the last '*'.
    let (mut i, mut j, mut star, mut mark) = (0usize, 0usize, None, 0usize);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == '*' {
        i += 1;
    }
    i == p.len()
}

/// `NAME(args)` → `args`, case-insensitive.
fn call<'a>(item: &'a str, name: &str) -> Option<&'a str> {
    let head = item.get(..name.len())?;
    if !head.eq_ignore_ascii_case(name) {
        return None;
    }
    item[name.len()..]
        .trim_start()
        .strip_prefix('(')?
        .strip_suffix(')')
}

/// The largest `n` and offset of TOP/BOTTOM: far more values than any variable has; a larger
/// number is a mistake, answered 400, never silently read as "all".
pub const MAX_TOP: usize = 10_000;

/// `n` or `n,offset` of TOP/BOTTOM: 1 ≤ n ≤ [`MAX_TOP`], 0 ≤ offset ≤ [`MAX_TOP`].
fn count_offset(var: &str, item: &str, args: &str) -> Result<(usize, usize), Problem> {
    let bad = || {
        Problem::bad_request(format!(
            "'{item}' for variable '{var}': expected TOP(n) or TOP(n,offset) with whole numbers, n from 1 to {MAX_TOP}, offset from 0 to {MAX_TOP}"
        ))
    };
    let mut parts = args.split(',').map(str::trim);
    let n: usize = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    let offset: usize = match parts.next() {
        Some(s) => s.parse().map_err(|_| bad())?,
        None => 0,
    };
    if n == 0 || n > MAX_TOP || offset > MAX_TOP || parts.next().is_some() {
        return Err(bad());
    }
    Ok((n, offset))
}

/// The indices into `codes` that `items` select, in the order of `codes`, without repeats.
pub fn select(
    var: &str,
    codes: &[&str],
    is_time: bool,
    items: &[String],
) -> Result<Vec<usize>, Problem> {
    let mut out: Vec<usize> = Vec::new();
    let find = |c: &str| {
        codes
            .iter()
            .position(|x| x.eq_ignore_ascii_case(c.trim()))
            .ok_or_else(|| {
                Problem::bad_request(format!("unknown code '{}' for variable '{var}'", c.trim()))
            })
    };
    // Indices of the same kind as `like` (for time: the same period type).
    let same_kind =
        |i: usize, like: usize| !is_time || PeriodKind::of(codes[i]) == PeriodKind::of(codes[like]);
    // TOP/BOTTOM on time work on the finest period type present.
    let finest: Vec<usize> = if is_time {
        let kind = [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year]
            .into_iter()
            .find(|k| codes.iter().any(|c| PeriodKind::of(c) == *k))
            .unwrap_or(PeriodKind::Year);
        (0..codes.len())
            .filter(|&i| PeriodKind::of(codes[i]) == kind)
            .collect()
    } else {
        (0..codes.len()).collect()
    };
    for item in items {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        if let Some(lit) = item.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            out.push(find(lit)?);
        } else if item == "*" {
            out.extend(0..codes.len());
        } else if let Some(a) = call(item, "TOP") {
            let (n, off) = count_offset(var, item, a)?;
            if is_time {
                out.extend(finest.iter().rev().skip(off).take(n));
            } else {
                out.extend(finest.iter().skip(off).take(n));
            }
        } else if let Some(a) = call(item, "BOTTOM") {
            let (n, off) = count_offset(var, item, a)?;
            if is_time {
                out.extend(finest.iter().skip(off).take(n));
            } else {
                out.extend(finest.iter().rev().skip(off).take(n));
            }
        } else if let Some(a) = call(item, "FROM") {
            let f = find(a)?;
            out.extend((f..codes.len()).filter(|&i| same_kind(i, f)));
        } else if let Some(a) = call(item, "TO") {
            let t = find(a)?;
            out.extend((0..=t).filter(|&i| same_kind(i, t)));
        } else if let Some(a) = call(item, "RANGE") {
            let (x, y) = a.split_once(',').ok_or_else(|| {
                Problem::bad_request(format!(
                    "'{item}': RANGE needs two codes for variable '{var}'"
                ))
            })?;
            let (f, t) = (find(x)?, find(y)?);
            if is_time && PeriodKind::of(codes[f]) != PeriodKind::of(codes[t]) {
                return Err(Problem::bad_request(format!(
                    "'{item}' for variable '{var}': RANGE's two periods must be of one type ({} is not like {})",
                    x.trim(),
                    y.trim()
                )));
            }
            if f > t {
                return Err(Problem::bad_request(format!(
                    "'{item}' for variable '{var}': RANGE goes from the first code to the second; {} comes after {}",
                    x.trim(),
                    y.trim()
                )));
            }
            out.extend((f..=t).filter(|&i| same_kind(i, f)));
        } else if item.contains('*') || item.contains('?') {
            out.extend((0..codes.len()).filter(|&i| glob(item, codes[i])));
        } else {
            out.push(find(item)?);
        }
    }
    // Keep the table's order and drop repeats.
    out.sort_unstable();
    out.dedup();
    if out.is_empty() {
        return Err(Problem::bad_request(format!(
            "the selection for variable '{var}' ({}) selects no value",
            items.join(",")
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(var_is_time: bool, codes: &[&str], expr: &str) -> Result<Vec<usize>, Problem> {
        select("v", codes, var_is_time, &split_items(expr))
    }

    #[test]
    fn time_expressions() {
        let codes = [
            "2023", "2024", "2023K1", "2023K2", "2023M01", "2023M02", "2024M01",
        ];
        assert_eq!(s(true, &codes, "*").unwrap().len(), 7);
        assert_eq!(s(true, &codes, "2023M*").unwrap(), vec![4, 5]);
        assert_eq!(s(true, &codes, "TOP(2)").unwrap(), vec![5, 6]);
        assert_eq!(s(true, &codes, "top(1,1)").unwrap(), vec![5]);
        assert_eq!(s(true, &codes, "BOTTOM(1)").unwrap(), vec![4]);
        assert_eq!(s(true, &codes, "bottom(2, 1)").unwrap(), vec![5, 6]);
        assert_eq!(s(true, &codes, "FROM(2023M02)").unwrap(), vec![5, 6]);
        assert_eq!(s(true, &codes, "RANGE(2023,2024)").unwrap(), vec![0, 1]);
        assert_eq!(s(true, &codes, "2024,2023").unwrap(), vec![0, 1]);
        assert!(s(true, &codes, "1999").is_err());
        // No silent repair: a reversed range, periods of two types, an absurd TOP.
        let e = s(true, &codes, "RANGE(2024,2023)").unwrap_err();
        assert!(e.detail.contains("2024 comes after 2023"), "{}", e.detail);
        let e = s(true, &codes, "RANGE(2023,2023M02)").unwrap_err();
        assert!(e.detail.contains("of one type"), "{}", e.detail);
        assert!(s(true, &codes, "TOP(18446744073709551615)").is_err());
        assert!(s(true, &codes, "TOP(10001)").is_err());
        assert!(s(true, &codes, "TOP(1,10001)").is_err());
        assert_eq!(s(true, &codes, "TOP(10000)").unwrap().len(), 3);
        assert!(glob("20?3*", "2023M01"));
        assert!(!glob("2024*", "2023M01"));
    }

    /// As the reference server: TOP takes the first values in order on a variable that is not
    /// time, BOTTOM the last; the offset skips from that end; an offset past the end selects
    /// nothing (and an empty selection is an error).
    #[test]
    fn top_and_bottom_on_other_variables() {
        let codes = ["a", "b", "c", "d", "e"];
        assert_eq!(s(false, &codes, "TOP(2)").unwrap(), vec![0, 1]);
        assert_eq!(s(false, &codes, "TOP(10,2)").unwrap(), vec![2, 3, 4]);
        assert_eq!(s(false, &codes, "BOTTOM(2)").unwrap(), vec![3, 4]);
        assert_eq!(s(false, &codes, "BOTTOM(2,1)").unwrap(), vec![2, 3]);
        assert!(s(false, &codes, "TOP(10,20)").is_err());
        for bad in [
            "TOP()",
            "TOP(0)",
            "TOP(-1)",
            "TOP(tio)",
            "TOP(1,x)",
            "TOP(1,2,3)",
        ] {
            assert!(s(false, &codes, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bracketed_codes_may_hold_commas() {
        let codes = ["a,b", "c", "TOP(1)"];
        assert_eq!(split_items("[a,b],c"), vec!["[a,b]", "c"]);
        assert_eq!(s(false, &codes, "[a,b],c").unwrap(), vec![0, 1]);
        // A literal code that looks like an expression.
        assert_eq!(s(false, &codes, "[TOP(1)]").unwrap(), vec![2]);
        assert_eq!(split_items("TOP(2,1),x"), vec!["TOP(2,1)", "x"]);
    }

    #[test]
    fn query_parameters_become_a_selection() {
        let q: Vec<(String, String)> = [
            ("valueCodes[Tid]", "TOP(3)"),
            ("CODELIST[omraade]", "vs_kommune"),
            ("valuecodes[omraade]", "101,[x,y]"),
            ("heading", "tid,maal"),
            ("lang", "en"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let v = VariablesSelection::from_query(&q);
        assert_eq!(v.selection.len(), 2);
        assert_eq!(v.selection[0].variable_code, "Tid");
        assert_eq!(v.selection[1].codelist.as_deref(), Some("vs_kommune"));
        assert_eq!(v.selection[1].value_codes, vec!["101", "[x,y]"]);
        assert_eq!(v.placement.unwrap().heading, vec!["tid", "maal"]);
    }
}

#[cfg(test)]
mod to_query_tests {
    use super::*;

    #[test]
    fn a_selection_written_as_a_query_reads_back_as_itself() {
        let sel = Selection {
            dims: vec![vec![0, 2], vec![1]],
            measures: vec![0],
            stub: vec![1],
            heading: vec![0, 2],
        };
        let meta: TableMeta = serde_json::from_value(serde_json::json!({
            "id": "T", "title_da": "", "title_en": "", "description_da": "", "description_en": "",
            "updated": "", "source": "", "threshold": 5, "notes_da": [], "notes_en": [],
            "dimensions": [
                {"id": "a", "label_da": "", "label_en": "", "role": "", "total": null, "categories": [
                    {"code": "x", "label_da": "", "label_en": ""},
                    {"code": "y", "label_da": "", "label_en": ""},
                    {"code": "p,q", "label_da": "", "label_en": ""}]},
                {"id": "b", "label_da": "", "label_en": "", "role": "", "total": null, "categories": [
                    {"code": "u", "label_da": "", "label_en": ""},
                    {"code": "v", "label_da": "", "label_en": ""}]}],
            "measures": [{"code": "m", "label_da": "", "label_en": "", "unit_da": "", "unit_en": "", "decimals": 0}],
            "values": [], "numbers": [], "data_end": ""
        }))
        .unwrap();
        let q = sel.to_query(&meta);
        assert_eq!(q[0], ("valuecodes[a]".into(), "x,[p,q]".into()));
        let back = resolve(&meta, &VariablesSelection::from_query(&q), &[]).unwrap();
        assert_eq!(back.dims, sel.dims);
        assert_eq!(back.measures, sel.measures);
        assert_eq!((back.stub, back.heading), (sel.stub, sel.heading));
    }
}
