//! SURV01 — the citizen survey: per question × answer or grouping × benefit group (and all) ×
//! area (the country and each municipality present), the respondents asked who answered (`n`,
//! unweighted), the weighted share choosing the answer and its 95 % Wilson interval on Kish's
//! effective sample size. One pass over the respondents into dense sums (n, Σw, Σw², Σw of
//! those choosing); the shares follow per cell. Its SQL twin is `sql/SURV01.sql`; a weighted
//! fixture is also checked against an independent computation in Python (see `docs/survey.md`).

use samtalebank_model::dims::{self, Category, Dimension, COUNTRY};
use samtalebank_model::{vocab, Var};
use samtalebank_survey::stats::wilson;
use samtalebank_survey::{Questionnaire, Respondent};
use samtalebank_tables::{registry, Cube, Nesting, Text};

/// The table's cube, which answers apply to which question, and each question's base (the
/// table's notes).
pub struct Surv01 {
    pub cube: Cube,
    pub nesting: Nesting,
    pub notes: Vec<Text>,
}

/// The published benefit group of a benefit code (`kontanthjaelp_jobparat` → `kontanthjaelp`).
pub fn ydelse_group(code: &str) -> Option<&'static str> {
    let y = &vocab().ydelser;
    let p = y.published.iter().position(|p| p.code == code)?;
    Some(y.groups.code(y.published_parent[p].0))
}

fn dim(id: Var, da: &str, en: &str, categories: Vec<Category>) -> Dimension {
    Dimension {
        id: id.code().into(),
        label_da: da.into(),
        label_en: en.into(),
        categories,
        total: None,
        leaf_to_published: Vec::new(),
    }
}

/// Tabulate the survey. Respondents whose benefit or municipality is unknown are not counted
/// (ingest has checked them).
///
/// Long: The table's four dimensions are built from what is present, then one pass fills the sums and a walk over the cells derives the shares.
pub fn surv01(q: &Questionnaire, rs: &[Respondent]) -> Surv01 {
    // spoergsmaal: the questions in order.
    let questions = dim(
        Var::Spoergsmaal,
        "spørgsmål",
        "question",
        q.questions
            .iter()
            .map(|qu| Category {
                code: qu.code.clone(),
                label_da: qu.text.da.clone(),
                label_en: qu.text.en.clone(),
            })
            .collect(),
    );
    // svar: every answer and grouping code, in order of first use; a code shared by questions
    // is one category (labelled as where it first appears).
    let mut svar: Vec<Category> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    // Per question, per svar category: which of its answers it covers.
    let mut covers: Vec<Vec<(usize, Vec<usize>)>> = Vec::new();
    for qu in &q.questions {
        let mut mine = Vec::new();
        let mut cov = Vec::new();
        let cats = qu
            .answers
            .iter()
            .enumerate()
            .map(|(i, a)| (&a.code, &a.text, vec![i]))
            .chain(
                qu.groupings
                    .iter()
                    .map(|g| (&g.code, &g.text, g.answers.clone())),
            );
        for (code, text, answers) in cats {
            let s = match svar.iter().position(|c| &c.code == code) {
                Some(s) => s,
                None => {
                    svar.push(Category {
                        code: code.clone(),
                        label_da: text.da.clone(),
                        label_en: text.en.clone(),
                    });
                    svar.len() - 1
                }
            };
            mine.push(s);
            cov.push((s, answers));
        }
        members.push(mine);
        covers.push(cov);
    }
    let answers = dim(Var::Svar, "svar", "answer", svar);
    // ydelse: all, then the groups present, in the published order.
    let ydim = dims::ydelse();
    let present_groups: Vec<&str> = rs.iter().filter_map(|r| ydelse_group(&r.ydelse)).collect();
    let mut ycats = vec![ydim.categories[ydim.total.unwrap_or(0)].clone()];
    ycats.extend(
        ydim.categories
            .iter()
            .filter(|c| present_groups.contains(&c.code.as_str()))
            .cloned(),
    );
    // omraade: the country, then the municipalities present, in code-list order.
    let adim = dims::area();
    let mut acats = vec![adim.categories[0].clone()];
    acats.extend(
        adim.categories
            .iter()
            .filter(|c| c.code != COUNTRY && rs.iter().any(|r| r.kommune == c.code))
            .cloned(),
    );
    let ydelser = Dimension {
        categories: ycats,
        total: Some(0),
        leaf_to_published: Vec::new(),
        ..ydim
    };
    let omraader = Dimension {
        categories: acats,
        total: Some(0),
        leaf_to_published: Vec::new(),
        ..adim
    };
    let (nq, ns, ny, na) = (
        questions.len(),
        answers.len(),
        ydelser.len(),
        omraader.len(),
    );
    // One pass: per question × benefit × area the base (n, Σw, Σw²), and per answer category
    // Σw of those choosing it.
    let base_at = |qi: usize, y: usize, a: usize| (qi * ny + y) * na + a;
    let mut n = vec![0u32; nq * ny * na];
    let mut w = vec![0f64; nq * ny * na];
    let mut w2 = vec![0f64; nq * ny * na];
    let mut chosen = vec![0f64; nq * ns * ny * na];
    let cell_at = |qi: usize, s: usize, y: usize, a: usize| ((qi * ns + s) * ny + y) * na + a;
    for r in rs {
        let (Some(g), Some(k)) = (
            ydelse_group(&r.ydelse).and_then(|g| ydelser.position(g)),
            omraader.position(&r.kommune),
        ) else {
            continue;
        };
        for (qi, ans) in r.answers.iter().enumerate() {
            let Some(ans) = ans else { continue };
            for y in [0, g] {
                for a in [0, k] {
                    let b = base_at(qi, y, a);
                    n[b] += 1;
                    w[b] += r.weight;
                    w2[b] += r.weight * r.weight;
                    for (s, covered) in &covers[qi] {
                        if ans.iter().any(|x| covered.contains(x)) {
                            chosen[cell_at(qi, *s, y, a)] += r.weight;
                        }
                    }
                }
            }
        }
    }
    // The cells: n for the question's own answers; shares where someone answered.
    let cells = nq * ns * ny * na;
    let mut counts = vec![0u32; cells];
    let mut numbers = vec![f64::NAN; cells * 3];
    for (qi, mine) in members.iter().enumerate() {
        for &s in mine {
            for y in 0..ny {
                for a in 0..na {
                    let b = base_at(qi, y, a);
                    let c = cell_at(qi, s, y, a);
                    counts[c] = n[b];
                    if n[b] == 0 || w[b] <= 0.0 {
                        continue;
                    }
                    let p = (chosen[c] / w[b]).clamp(0.0, 1.0);
                    let neff = w[b] * w[b] / w2[b];
                    numbers[c * 3] = 100.0 * p;
                    if let Some((lo, hi)) = wilson(p, neff) {
                        numbers[c * 3 + 1] = 100.0 * lo;
                        numbers[c * 3 + 2] = 100.0 * hi;
                    }
                }
            }
        }
    }
    let notes = (0..nq)
        .map(|qi| {
            let t = q.base(qi);
            Text { da: t.da, en: t.en }
        })
        .collect();
    Surv01 {
        cube: Cube {
            def: &registry::SURV01,
            dims: vec![questions, answers, ydelser, omraader],
            counts,
            keys: None,
            numbers,
        },
        nesting: Nesting {
            inner: Var::Svar,
            outer: Var::Spoergsmaal,
            members,
        },
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use samtalebank_survey::tabulate::tabulate;

    /// The engine's one pass gives the same cells as the survey crate's direct tabulation
    /// (a loop over the respondents per cell), on a small weighted survey with a filter, a
    /// multi-select question and a grouping.
    #[test]
    fn one_pass_matches_the_direct_tabulation() {
        let q = Questionnaire::parse(
            r#"
[[spoergsmaal]]
kode = "a"
tekst = { da = "A", en = "A" }
svar = [{ kode = "ja", tekst = { da = "Ja", en = "Yes" } }, { kode = "nej", tekst = { da = "Nej", en = "No" } }]
[[spoergsmaal]]
kode = "b"
tekst = { da = "B", en = "B" }
flere = true
filter = { spoergsmaal = "a", svar = ["ja"] }
svar = [{ kode = "x", tekst = { da = "X", en = "X" } }, { kode = "y", tekst = { da = "Y", en = "Y" } }, { kode = "z", tekst = { da = "Z", en = "Z" } }]
gruppe = [{ kode = "xy", tekst = { da = "X/Y", en = "X/Y" }, svar = ["x", "y"] }]
"#,
            std::path::Path::new("t.toml"),
        )
        .unwrap();
        let r =
            |id: &str, k: &str, y: &str, w: f64, a: Option<Vec<usize>>, b: Option<Vec<usize>>| {
                Respondent {
                    id: id.into(),
                    kommune: k.into(),
                    ydelse: y.into(),
                    weight: w,
                    answers: vec![a, b],
                }
            };
        let rs = vec![
            r("1", "101", "dagpenge", 1.0, Some(vec![0]), Some(vec![0, 1])),
            r(
                "2",
                "101",
                "sygedagpenge",
                2.0,
                Some(vec![0]),
                Some(vec![2]),
            ),
            r(
                "3",
                "147",
                "kontanthjaelp_jobparat",
                0.5,
                Some(vec![1]),
                None,
            ),
            r("4", "147", "dagpenge", 1.5, Some(vec![0]), Some(vec![1])),
            r("5", "101", "dagpenge", 1.0, None, None),
        ];
        let s = surv01(&q, &rs);
        let direct = tabulate(
            &q,
            &rs,
            &|y| ydelse_group(y).unwrap_or("").to_string(),
            "tot",
            COUNTRY,
        );
        let d = &s.cube.dims;
        assert_eq!(
            d[2].categories
                .iter()
                .map(|c| c.code.as_str())
                .collect::<Vec<_>>(),
            ["tot", "dagpenge", "kontanthjaelp", "sygedagpenge"]
        );
        assert_eq!(
            d[3].categories
                .iter()
                .map(|c| c.code.as_str())
                .collect::<Vec<_>>(),
            ["000", "101", "147"]
        );
        assert_eq!(s.nesting.members, [vec![0, 1], vec![2, 3, 4, 5]]);
        for c in &direct {
            let at = [
                d[0].position(&c.question).unwrap(),
                d[1].position(&c.svar).unwrap(),
                d[2].position(&c.ydelse).unwrap(),
                d[3].position(&c.omraade).unwrap(),
            ];
            let i = s.cube.index(&at);
            assert_eq!(s.cube.counts[i] as usize, c.n, "{c:?}");
            let close = |x: f64, y: Option<f64>| match y {
                Some(y) => (x - y).abs() < 1e-9,
                None => x.is_nan(),
            };
            assert!(close(s.cube.numbers[i * 3], c.pct), "{c:?}");
            assert!(close(s.cube.numbers[i * 3 + 1], c.ci_lo), "{c:?}");
            assert!(close(s.cube.numbers[i * 3 + 2], c.ci_hi), "{c:?}");
        }
        // By hand: b is asked of 1, 2 and 4 (a = ja); x|y chosen by 1 (w 1) and 4 (w 1.5) of
        // Σw 4.5 → 55.6 %.
        let i = s.cube.index(&[1, 5, 0, 0]);
        assert_eq!(s.cube.counts[i], 3);
        assert!((s.cube.numbers[i * 3] - 100.0 * 2.5 / 4.5).abs() < 1e-9);
        assert_eq!(
            s.notes[1].en,
            "“B”: asked of those who answered “Yes” to “A”; several answers allowed, \
             each answer's share is of those asked who answered."
        );
        assert_eq!(
            s.notes[1].da.matches("“Ja”").count(),
            1,
            "{}",
            s.notes[1].da
        );
    }
}
