//! Selections as PxWeb API v2 expresses them: `valuecodes[VAR]=a,b` with codes, `*`, wildcards
//! (`2023*`, `?` for one character), `TOP(n)`, `BOTTOM(n)`, `FROM(x)`, `TO(x)`, `RANGE(x,y)`.
//! A variable that is not selected takes its total ("i alt"); time takes every year; the
//! measure variable `maal` takes every measure.

use samtalebank_model::{PeriodKind, MEASURE_VAR};
use samtalebank_release::{DimensionMeta, TableMeta};

use crate::problem::Problem;

/// Selected category indices per dimension, and selected measures.
#[derive(Debug, Clone)]
pub struct Selection {
    pub dims: Vec<Vec<usize>>,
    pub measures: Vec<usize>,
}

impl Selection {
    /// Number of cells the selection asks for (all dimensions and measures).
    pub fn cells(&self) -> u128 {
        self.dims.iter().map(|d| d.len() as u128).product::<u128>() * self.measures.len() as u128
    }
}

/// Parse `valuecodes[VAR]` parameters (any case) into a selection.
pub fn parse(meta: &TableMeta, params: &[(String, String)]) -> Result<Selection, Problem> {
    let mut given: Vec<Option<&str>> = vec![None; meta.dimensions.len()];
    let mut measures: Option<&str> = None;
    for (k, v) in params {
        let kl = k.to_ascii_lowercase();
        let Some(var) = kl
            .strip_prefix("valuecodes[")
            .and_then(|r| r.strip_suffix(']'))
        else {
            continue;
        };
        if var == MEASURE_VAR {
            measures = Some(v);
            continue;
        }
        match meta.dimension(var) {
            Some((i, _)) => given[i] = Some(v),
            None => {
                return Err(Problem::bad_request(format!(
                    "unknown variable '{var}' in {k}; {} has {}, {MEASURE_VAR}",
                    meta.id,
                    meta.dimensions
                        .iter()
                        .map(|d| d.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        }
    }
    let mut dims = Vec::new();
    for (d, g) in meta.dimensions.iter().zip(given) {
        let codes: Vec<&str> = d.categories.iter().map(|c| c.code.as_str()).collect();
        let sel = match g {
            Some(expr) => select(&d.id, &codes, d.is_time(), expr)?,
            None => default_for(d),
        };
        dims.push(sel);
    }
    let mcodes: Vec<&str> = meta.measures.iter().map(|m| m.code.as_str()).collect();
    let measures = match measures {
        Some(expr) => select(MEASURE_VAR, &mcodes, false, expr)?,
        None => (0..mcodes.len()).collect(),
    };
    Ok(Selection { dims, measures })
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

/// Split on commas that are not inside parentheses.
fn split_top(expr: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, ch) in expr.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&expr[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&expr[start..]);
    out
}

fn select(var: &str, codes: &[&str], is_time: bool, expr: &str) -> Result<Vec<usize>, Problem> {
    let mut out: Vec<usize> = Vec::new();
    let find = |c: &str| {
        codes
            .iter()
            .position(|x| x.eq_ignore_ascii_case(c.trim()))
            .ok_or_else(|| {
                Problem::bad_request(format!("unknown code '{}' for variable '{var}'", c.trim()))
            })
    };
    // Indices of the same kind as `code` (for time: the same period type).
    let same_kind =
        |i: usize, like: usize| !is_time || PeriodKind::of(codes[i]) == PeriodKind::of(codes[like]);
    for part in split_top(expr) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let upper = part.to_ascii_uppercase();
        let arg = |name: &str| -> Option<&str> {
            upper
                .starts_with(name)
                .then(|| part[name.len()..].trim())
                .and_then(|r| r.strip_prefix('('))
                .and_then(|r| r.strip_suffix(')'))
        };
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
        let count = |a: &str| -> Result<usize, Problem> {
            a.split(',')
                .next()
                .unwrap_or("")
                .trim()
                .parse::<usize>()
                .map_err(|_| {
                    Problem::bad_request(format!(
                        "'{part}': expected a whole number for variable '{var}'"
                    ))
                })
        };
        if part == "*" {
            out.extend(0..codes.len());
        } else if let Some(a) = arg("TOP") {
            let n = count(a)?;
            out.extend(finest.iter().rev().take(n).rev());
        } else if let Some(a) = arg("BOTTOM") {
            let n = count(a)?;
            out.extend(finest.iter().take(n));
        } else if let Some(a) = arg("FROM") {
            let f = find(a)?;
            out.extend((f..codes.len()).filter(|&i| same_kind(i, f)));
        } else if let Some(a) = arg("TO") {
            let t = find(a)?;
            out.extend((0..=t).filter(|&i| same_kind(i, t)));
        } else if let Some(a) = arg("RANGE") {
            let (x, y) = a.split_once(',').ok_or_else(|| {
                Problem::bad_request(format!(
                    "'{part}': RANGE needs two codes for variable '{var}'"
                ))
            })?;
            let (f, t) = (find(x)?, find(y)?);
            let (f, t) = (f.min(t), f.max(t));
            out.extend((f..=t).filter(|&i| same_kind(i, f)));
        } else if part.contains('*') || part.contains('?') {
            let before = out.len();
            out.extend((0..codes.len()).filter(|&i| glob(part, codes[i])));
            if out.len() == before {
                return Err(Problem::bad_request(format!(
                    "'{part}' matches no code of variable '{var}'"
                )));
            }
        } else {
            out.push(find(part)?);
        }
    }
    // Keep the table's order and drop repeats.
    out.sort_unstable();
    out.dedup();
    if out.is_empty() {
        return Err(Problem::bad_request(format!(
            "empty selection for variable '{var}'"
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions() {
        let codes = [
            "2023", "2024", "2023K1", "2023K2", "2023M01", "2023M02", "2024M01",
        ];
        assert_eq!(select("tid", &codes, true, "*").unwrap().len(), 7);
        assert_eq!(select("tid", &codes, true, "2023M*").unwrap(), vec![4, 5]);
        assert_eq!(select("tid", &codes, true, "TOP(2)").unwrap(), vec![5, 6]);
        assert_eq!(
            select("tid", &codes, true, "FROM(2023M02)").unwrap(),
            vec![5, 6]
        );
        assert_eq!(
            select("tid", &codes, true, "RANGE(2023,2024)").unwrap(),
            vec![0, 1]
        );
        assert_eq!(
            select("tid", &codes, true, "2024,2023").unwrap(),
            vec![0, 1]
        );
        assert!(select("tid", &codes, true, "1999").is_err());
        assert!(glob("20?3*", "2023M01"));
        assert!(!glob("2024*", "2023M01"));
    }
}
