//! The table page's query, read into a selection: which values of every variable, which
//! measures, which periods, and how the table is laid out. Every parameter is taken literally or
//! refused with a reason: an unknown code or parameter is never replaced by another table.
//!
//! | parameter | meaning |
//! |---|---|
//! | `<variable>=CODE` (repeated, or comma-separated; `*` = every value) | the values of a variable (`omraade=000&omraade=730`) |
//! | `periode=aar\|kvartal\|maaned` | the period type, when `tid` is not given (default: years) |
//! | `seneste=N` | only the latest N periods of that type (a link that follows new periods) |
//! | `aar=YYYY` (repeated) | only the periods of these years |
//! | `maal=CODE` (repeated) | the measures (default: the table's usual ones) |
//! | `raekker=VAR,…`, `kolonner=VAR,…` | the variables down the rows and across the columns (`maal` is the measures) |
//! | `sorter=N`, `orden=op\|ned` | sort the rows by data column N (0 = the first), ascending or descending |
//!
//! Variables not given take their total (or, for the table's usual column variable, every value).

use samtalebank_model::{Lang, PeriodKind, Var, MEASURE_VAR};
use samtalebank_pxweb::{Params, Selection};
use samtalebank_release::{Table, TableMeta};

use crate::messages::msgs;

/// The parameters the page reads besides the variables' own.
const KNOWN: [&str; 9] = [
    "lang", "periode", "seneste", "aar", "maal", "raekker", "kolonner", "sorter", "orden",
];

/// What the page shows.
#[derive(Debug, Clone)]
pub struct Choice {
    pub sel: Selection,
    pub kind: PeriodKind,
    /// `seneste`: the latest N periods.
    pub latest: Option<usize>,
    /// Data column to sort the rows by, and descending.
    pub sort: Option<(usize, bool)>,
}

/// The values a variable takes by default on the page.
fn default_values(t: &Table, d: usize) -> Vec<usize> {
    let dm = &t.meta.dimensions[d];
    let column = t
        .def
        .page
        .columns
        .and_then(|(v, _)| t.meta.var(v))
        .map(|x| x.0);
    if Some(d) == column {
        return (0..dm.categories.len()).collect();
    }
    if dm.id == Var::Omraade.code() {
        return vec![dm.total_index().unwrap_or(0)];
    }
    vec![dm.total_index().unwrap_or(0)]
}

/// The measures the page shows by default: the layout's column measure and its extras, else all.
fn default_measures(t: &Table) -> Vec<usize> {
    let pos = |c: &str| t.meta.measures.iter().position(|m| m.code == c);
    match t.def.page.columns.and_then(|(_, m)| pos(m)) {
        Some(m) => std::iter::once(m)
            .chain(t.def.page.extra.iter().filter_map(|c| pos(c)))
            .collect(),
        None => (0..t.meta.measures.len()).collect(),
    }
}

/// The codes of a variable as the query gives them: `*` is every one; an unknown code is an
/// error naming it and the variable.
fn codes(meta: &TableMeta, d: usize, given: &[String], lang: Lang) -> Result<Vec<usize>, String> {
    let m = msgs(lang);
    let dm = &meta.dimensions[d];
    let mut out = Vec::new();
    for g in given {
        if g == "*" {
            out.extend(0..dm.categories.len());
            continue;
        }
        match dm.position(g) {
            Some(i) => out.push(i),
            None => return Err(format!("{} '{g}' {}", dm.label(lang), m.choose_from_list)),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Read the page's query for table `t`.
///
/// Long: Every parameter in turn, each checked, then the placement and the sort.
pub fn read(t: &Table, q: &Params) -> Result<Choice, String> {
    let lang = q.lang();
    let m = msgs(lang);
    let meta = &t.meta;
    // Unknown parameters: said, not ignored.
    for (k, _) in q.pairs() {
        let known = KNOWN.iter().any(|n| k.eq_ignore_ascii_case(n))
            || meta
                .dimensions
                .iter()
                .any(|d| k.eq_ignore_ascii_case(&d.id));
        if !known {
            return Err(format!("{} '{k}'", m.unknown_parameter));
        }
    }
    let kind = match q.value("periode") {
        Some(p) => PeriodKind::parse(p).map_err(|_| format!("{} '{p}'", m.unknown_period_type))?,
        None => PeriodKind::Year,
    };
    let latest = match q.value("seneste") {
        Some(n) => Some(
            n.parse::<usize>()
                .ok()
                .filter(|&n| (1..=1000).contains(&n))
                .ok_or_else(|| format!("{} '{n}'", m.bad_latest))?,
        ),
        None => None,
    };
    let years = q.list("aar");
    let mut dims = Vec::with_capacity(meta.dimensions.len());
    for (d, dm) in meta.dimensions.iter().enumerate() {
        let given = q.list(&dm.id);
        let mut values = if given.is_empty() {
            if dm.is_time() {
                // Every period of the type, in the years asked for.
                let of_kind: Vec<usize> = (0..dm.categories.len())
                    .filter(|&i| PeriodKind::of(&dm.categories[i].code) == kind)
                    .collect();
                for y in &years {
                    if !dm.categories.iter().any(|c| c.code.starts_with(y.as_str())) {
                        return Err(format!("{} '{y}'", m.unknown_year));
                    }
                }
                of_kind
                    .into_iter()
                    .filter(|&i| {
                        years.is_empty()
                            || years
                                .iter()
                                .any(|y| dm.categories[i].code.starts_with(y.as_str()))
                    })
                    .collect()
            } else {
                default_values(t, d)
            }
        } else {
            codes(meta, d, &given, lang)?
        };
        if dm.is_time() {
            if let Some(n) = latest {
                let skip = values.len().saturating_sub(n);
                values.drain(..skip);
            }
        }
        if values.is_empty() {
            return Err(format!("{}: {}", dm.label(lang), m.nothing_chosen));
        }
        dims.push(values);
    }
    let measures = match q.list("maal") {
        given if given.is_empty() => default_measures(t),
        given => {
            let mut out = Vec::new();
            for g in &given {
                match meta
                    .measures
                    .iter()
                    .position(|x| x.code.eq_ignore_ascii_case(g))
                {
                    Some(i) => out.push(i),
                    None => return Err(format!("{} '{g}'", m.unknown_measure)),
                }
            }
            out.sort_unstable();
            out.dedup();
            out
        }
    };
    let mut sel = Selection::new(dims, measures);
    place(meta, &mut sel, q, lang)?;
    let sort = match q.value("sorter") {
        Some(s) => {
            let col = s
                .parse::<usize>()
                .map_err(|_| format!("{} '{s}'", m.bad_sort))?;
            let down = match q.value("orden") {
                None | Some("ned") => true,
                Some("op") => false,
                Some(o) => return Err(format!("{} '{o}'", m.bad_sort)),
            };
            Some((col, down))
        }
        None => None,
    };
    Ok(Choice {
        sel,
        kind,
        latest,
        sort,
    })
}

/// The variable index of a name in `raekker`/`kolonner` (`maal` = the measures).
fn var_index(meta: &TableMeta, name: &str) -> Option<usize> {
    if name.eq_ignore_ascii_case(MEASURE_VAR) {
        return Some(meta.dimensions.len());
    }
    meta.dimensions
        .iter()
        .position(|d| d.id.eq_ignore_ascii_case(name))
}

/// Rows and columns: as asked, else the table's usual column variable and the measures across,
/// every other variable with more than one value down. A variable with one value is in the
/// caption (a single row is the area's); one asked for in both places is an error.
fn place(meta: &TableMeta, sel: &mut Selection, q: &Params, lang: Lang) -> Result<(), String> {
    let m = msgs(lang);
    let n = meta.dimensions.len();
    let len = |v: usize| {
        if v < n {
            sel.dims[v].len()
        } else {
            sel.measures.len()
        }
    };
    let parse = |name: &str| -> Result<Vec<usize>, String> {
        q.list(name)
            .iter()
            .map(|v| var_index(meta, v).ok_or_else(|| format!("{} '{v}'", m.unknown_variable)))
            .collect()
    };
    let (rows, cols) = (parse("raekker")?, parse("kolonner")?);
    if rows.iter().any(|r| cols.contains(r)) {
        return Err(m.row_and_column.to_string());
    }
    let mut heading = cols;
    let mut stub = rows;
    if heading.is_empty() {
        let usual = meta
            .dimensions
            .iter()
            .position(|d| Some(d.id.as_str()) == usual_column(meta));
        if let Some(u) = usual.filter(|u| len(*u) > 1 && !stub.contains(u)) {
            heading.push(u);
        }
        if len(n) > 1 && !stub.contains(&n) {
            heading.push(n);
        }
        if heading.is_empty() {
            // One measure and no usual column: time across if it fits, else the measure.
            match meta.dimensions.iter().position(|d| d.is_time()) {
                Some(t) if len(t) > 1 && len(t) <= 12 && !stub.contains(&t) => heading.push(t),
                _ => heading.push(n),
            }
        }
    }
    for v in 0..=n {
        if !heading.contains(&v) && !stub.contains(&v) && len(v) > 1 {
            stub.push(v);
        }
    }
    if stub.is_empty() {
        // A single row: the area with its one value (else the first variable).
        let free = |v: &usize| !heading.contains(v);
        let area = (0..n).find(|&v| meta.dimensions[v].id == Var::Omraade.code());
        stub.push(area.filter(free).or((0..n).find(free)).unwrap_or(0));
    }
    sel.stub = stub;
    sel.heading = heading;
    Ok(())
}

/// The variable the table's page usually has across (its registry layout), by id.
fn usual_column(meta: &TableMeta) -> Option<&'static str> {
    meta.def()
        .and_then(|def| def.page.columns)
        .map(|(v, _)| v.code())
}
