//! SURV01's cells: per question × answer category or grouping × benefit group (and their total)
//! × area (the country and each municipality present): `n`, the respondents asked who answered
//! (unweighted, the base); the weighted share choosing the category (for a multi-select question,
//! each option's share of those asked); and its 95 % Wilson interval on Kish's effective size.

use crate::questionnaire::Questionnaire;
use crate::respondents::Respondent;
use crate::stats::{kish, wilson};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub question: String,
    /// An answer or grouping code.
    pub svar: String,
    pub ydelse: String,
    pub omraade: String,
    /// Respondents asked who answered.
    pub n: usize,
    /// Per cent; `None` when `n` is 0.
    pub pct: Option<f64>,
    pub ci_lo: Option<f64>,
    pub ci_hi: Option<f64>,
}

/// Tabulate respondents. `group` maps a respondent's benefit to its published group code;
/// `total` and `country` are the codes of all benefits and the whole country.
pub fn tabulate(
    q: &Questionnaire,
    rs: &[Respondent],
    group: &dyn Fn(&str) -> String,
    total: &str,
    country: &str,
) -> Vec<Cell> {
    let mut groups: Vec<String> = rs.iter().map(|r| group(&r.ydelse)).collect();
    groups.sort();
    groups.dedup();
    let mut areas: Vec<String> = rs.iter().map(|r| r.kommune.clone()).collect();
    areas.sort();
    areas.dedup();
    let ydelser: Vec<String> = std::iter::once(total.to_string()).chain(groups).collect();
    let omraader: Vec<String> = std::iter::once(country.to_string()).chain(areas).collect();
    let mut out = Vec::new();
    for (qi, qu) in q.questions.iter().enumerate() {
        let categories: Vec<(String, Vec<usize>)> = qu
            .answers
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.clone(), vec![i]))
            .chain(
                qu.groupings
                    .iter()
                    .map(|g| (g.code.clone(), g.answers.clone())),
            )
            .collect();
        for y in &ydelser {
            for a in &omraader {
                let base: Vec<&Respondent> = rs
                    .iter()
                    .filter(|r| r.answers[qi].is_some())
                    .filter(|r| y == total || group(&r.ydelse) == *y)
                    .filter(|r| a == country || r.kommune == *a)
                    .collect();
                let weights: Vec<f64> = base.iter().map(|r| r.weight).collect();
                let wsum: f64 = weights.iter().sum();
                let neff = kish(&weights);
                for (code, members) in &categories {
                    let chosen: f64 = base
                        .iter()
                        .filter(|r| {
                            r.answers[qi]
                                .as_ref()
                                .is_some_and(|c| c.iter().any(|x| members.contains(x)))
                        })
                        .map(|r| r.weight)
                        .sum();
                    let p = (wsum > 0.0).then(|| chosen / wsum);
                    let ci = p.and_then(|p| wilson(p, neff));
                    out.push(Cell {
                        question: qu.code.clone(),
                        svar: code.clone(),
                        ydelse: y.clone(),
                        omraade: a.clone(),
                        n: base.len(),
                        pct: p.map(|p| 100.0 * p),
                        ci_lo: ci.map(|c| 100.0 * c.0),
                        ci_hi: ci.map(|c| 100.0 * c.1),
                    });
                }
            }
        }
    }
    out
}
