//! Respondent files (`undersoegelse*.csv`): `respondent_id`, `kommune`, `ydelse`, optional
//! `vaegt` (weight), then one column per question named by its code. A multi-select answer holds
//! its chosen codes separated by `|`; an empty cell is "not asked or no answer". A row with an
//! answer outside the question's categories, an answer to a question its filter did not ask, or
//! a weight that is not a positive number goes to the rejects with file, line, column and
//! reason; the good rows are kept.

use std::path::Path;

use crate::questionnaire::Questionnaire;

/// One respondent's answers, by question: the chosen answer indices, or `None` (not asked, or
/// no answer).
#[derive(Debug, Clone, PartialEq)]
pub struct Respondent {
    pub id: String,
    pub kommune: String,
    pub ydelse: String,
    pub weight: f64,
    pub answers: Vec<Option<Vec<usize>>>,
}

/// A row that was not kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub file: String,
    pub line: u64,
    pub column: String,
    pub reason: String,
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.column, self.reason
        )
    }
}

const FIXED: [&str; 4] = ["respondent_id", "kommune", "ydelse", "vaegt"];

/// Where a respondent file's columns are, checked against the questionnaire.
#[derive(Debug, Clone)]
pub struct Layout {
    fixed: (usize, usize, usize, Option<usize>),
    /// The number of columns, which every row must have.
    width: usize,
    /// Per question of the questionnaire: its column, if the file has one.
    questions: Vec<Option<usize>>,
}

impl Layout {
    /// The layout of a file with these column names (trimmed, BOM removed). A missing fixed
    /// column, or a column that is not a question, is an error (`line 1: ...`).
    pub fn new(header: &[String], q: &Questionnaire) -> Result<Layout, crate::SurveyError> {
        let bad = crate::SurveyError::Columns;
        let header: Vec<&str> = header
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}'))
            .collect();
        let col = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
        for need in &FIXED[..3] {
            if col(need).is_none() {
                return Err(bad(format!("no column '{need}'")));
            }
        }
        for h in &header {
            if !FIXED.iter().any(|f| f.eq_ignore_ascii_case(h))
                && !q.questions.iter().any(|x| x.code.eq_ignore_ascii_case(h))
            {
                return Err(bad(format!(
                    "column '{h}' is not a question of the questionnaire"
                )));
            }
        }
        Ok(Layout {
            fixed: (
                col("respondent_id").unwrap_or(0),
                col("kommune").unwrap_or(0),
                col("ydelse").unwrap_or(0),
                col("vaegt"),
            ),
            width: header.len(),
            questions: q.questions.iter().map(|x| col(&x.code)).collect(),
        })
    }
}

/// Read a CSV respondent file against a questionnaire. `known_kommune` and `known_ydelse` say
/// whether a code is valid. A file whose columns do not fit the questionnaire is an error; bad
/// rows are rejects.
pub fn read(
    path: &Path,
    q: &Questionnaire,
    known_kommune: &dyn Fn(&str) -> bool,
    known_ydelse: &dyn Fn(&str) -> bool,
) -> Result<(Vec<Respondent>, Vec<Reject>), crate::SurveyError> {
    use crate::SurveyError;
    let file = path.display().to_string();
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| SurveyError::Read(format!("{file}: {e}")))?;
    let header: Vec<String> = r
        .headers()
        .map_err(|e| SurveyError::Read(format!("{file}:1: {e}")))?
        .iter()
        .map(String::from)
        .collect();
    let layout =
        Layout::new(&header, q).map_err(|e| SurveyError::Columns(format!("{file}:1: {e}")))?;
    let mut good = Vec::new();
    let mut rejects = Vec::new();
    for rec in r.records() {
        let rec = match rec {
            Ok(rec) => rec,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                rejects.push(Reject {
                    file: file.clone(),
                    line,
                    column: String::new(),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        match parse(q, &layout, &rec, known_kommune, known_ydelse) {
            Ok(x) => good.push(x),
            Err((column, reason)) => rejects.push(Reject {
                file: file.clone(),
                line,
                column,
                reason,
            }),
        }
    }
    Ok((good, rejects))
}

/// One row as a respondent, or the column and reason it is rejected.
pub fn parse(
    q: &Questionnaire,
    layout: &Layout,
    rec: &csv::StringRecord,
    known_kommune: &dyn Fn(&str) -> bool,
    known_ydelse: &dyn Fn(&str) -> bool,
) -> Result<Respondent, (String, String)> {
    if rec.len() != layout.width {
        return Err((
            String::new(),
            format!(
                "wrong number of columns: expected {}, found {}",
                layout.width,
                rec.len()
            ),
        ));
    }
    let (ci, ck, cy, cw) = layout.fixed;
    let qcols = &layout.questions;
    let field = |i: usize| rec.get(i).unwrap_or("").trim();
    let id = field(ci);
    if id.is_empty() {
        return Err(("respondent_id".into(), "empty".into()));
    }
    let kommune = field(ck);
    if !known_kommune(kommune) {
        return Err((
            "kommune".into(),
            format!("'{kommune}' is not a municipality code"),
        ));
    }
    let ydelse = field(cy);
    if !known_ydelse(ydelse) {
        return Err(("ydelse".into(), format!("'{ydelse}' is not a benefit code")));
    }
    let weight = match cw.map(field).filter(|s| !s.is_empty()) {
        None => 1.0,
        Some(s) => s
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|w| w.is_finite() && *w > 0.0)
            .ok_or_else(|| {
                (
                    "vaegt".to_string(),
                    format!("'{s}' is not a positive weight"),
                )
            })?,
    };
    let mut answers = Vec::with_capacity(q.questions.len());
    for (qu, c) in q.questions.iter().zip(qcols) {
        let cell = c.map(field).unwrap_or("");
        if cell.is_empty() {
            answers.push(None);
            continue;
        }
        let parts: Vec<&str> = cell.split('|').map(str::trim).collect();
        if parts.len() > 1 && !qu.multi {
            return Err((qu.code.clone(), format!("'{cell}': one answer only")));
        }
        let mut chosen = Vec::new();
        for p in parts {
            let i = qu.answer(p).ok_or_else(|| {
                (
                    qu.code.clone(),
                    format!(
                        "'{p}' is not an answer ({})",
                        qu.answers
                            .iter()
                            .map(|a| a.code.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
            if chosen.contains(&i) {
                return Err((qu.code.clone(), format!("'{p}' given twice")));
            }
            chosen.push(i);
        }
        chosen.sort_unstable();
        answers.push(Some(chosen));
    }
    for (qi, qu) in q.questions.iter().enumerate() {
        let (Some(f), Some(_)) = (&qu.filter, &answers[qi]) else {
            continue;
        };
        let asked = answers[f.question]
            .as_ref()
            .is_some_and(|a| a.iter().any(|x| f.answers.contains(x)));
        if !asked {
            let fq = &q.questions[f.question];
            return Err((
                qu.code.clone(),
                format!(
                    "answered, but the question is asked only of those answering {} = {}",
                    fq.code,
                    f.answers
                        .iter()
                        .map(|&i| fq.answers[i].code.as_str())
                        .collect::<Vec<_>>()
                        .join("|")
                ),
            ));
        }
    }
    Ok(Respondent {
        id: id.to_string(),
        kommune: kommune.to_string(),
        ydelse: ydelse.to_string(),
        weight,
        answers,
    })
}
