//! The questionnaire definition (`undersoegelse*.toml`):
//!
//! ```toml
//! [[spoergsmaal]]
//! kode = "interesse"
//! tekst = { da = "Hvor interesseret …?", en = "How interested …?" }
//! flere = false                      # true: multi-select (answers separated by `|`)
//! filter = { spoergsmaal = "yderligere_kontakt", svar = ["ja"] }   # asked only of these
//! svar = [
//!   { kode = "meget_interesseret", tekst = { da = "Meget interesseret", en = "Very interested" } },
//!   …
//! ]
//! gruppe = [
//!   { kode = "interesseret", tekst = { da = "…", en = "…" }, svar = ["meget_interesseret", "noget_interesseret"] },
//! ]
//! ```
//!
//! A filter's `svar` are answer or grouping codes of the question it names. Bad definitions (an
//! unknown code in a grouping, a filter on an unknown question, a cycle of filters, a duplicate
//! code) are errors naming the file, line and key.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

/// A text in Danish and English.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Text {
    pub da: String,
    pub en: String,
}

#[derive(Deserialize)]
struct RawFile {
    #[serde(default)]
    spoergsmaal: Vec<RawQuestion>,
}

#[derive(Deserialize)]
struct RawQuestion {
    kode: Spanned<String>,
    tekst: Text,
    #[serde(default)]
    flere: bool,
    #[serde(default)]
    filter: Option<RawFilter>,
    #[serde(default)]
    svar: Vec<RawAnswer>,
    #[serde(default)]
    gruppe: Vec<RawGroup>,
}

#[derive(Deserialize)]
struct RawFilter {
    spoergsmaal: Spanned<String>,
    svar: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
struct RawAnswer {
    kode: Spanned<String>,
    tekst: Text,
}

#[derive(Deserialize)]
struct RawGroup {
    kode: Spanned<String>,
    tekst: Text,
    svar: Vec<Spanned<String>>,
}

/// Who is asked a question: those whose answer to `question` is among `answers` (answer codes;
/// groupings are expanded to their answers).
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub question: usize,
    pub answers: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    pub code: String,
    pub text: Text,
}

/// A grouping of answers (`interesseret` = very + rather interested).
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    pub code: String,
    pub text: Text,
    /// Indices into the question's answers.
    pub answers: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub code: String,
    pub text: Text,
    pub multi: bool,
    pub filter: Option<Filter>,
    pub answers: Vec<Category>,
    pub groupings: Vec<Grouping>,
}

impl Question {
    /// The index of an answer code.
    pub fn answer(&self, code: &str) -> Option<usize> {
        self.answers.iter().position(|a| a.code == code)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Questionnaire {
    pub questions: Vec<Question>,
}

/// A definition that cannot be used: where and why.
#[derive(Debug, Clone, PartialEq)]
pub struct DefinitionError {
    pub file: PathBuf,
    pub line: usize,
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: ", self.file.display(), self.line)?;
        // A syntax error has a line but no key.
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for DefinitionError {}

/// The key written just before byte `at` on its line (`tekst` in `tekst = 3`, `da` in
/// `tekst = { da = 3 }`), or "" where the error is not at a key's value (a syntax error).
fn key_before(text: &str, at: usize) -> &str {
    let Some(before) = text.get(..at) else {
        return "";
    };
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let Some(eq) = line
        .rfind('=')
        .filter(|&eq| line[eq + 1..].trim().is_empty())
    else {
        return "";
    };
    line[..eq]
        .trim_end()
        .rsplit(|c: char| c.is_whitespace() || c == '{' || c == ',')
        .next()
        .unwrap_or("")
        .trim_matches('"')
}

impl Questionnaire {
    /// Read and check a definition file.
    pub fn read(path: &Path) -> Result<Questionnaire, DefinitionError> {
        let text = std::fs::read_to_string(path).map_err(|e| DefinitionError {
            file: path.into(),
            line: 0,
            key: String::new(),
            message: e.to_string(),
        })?;
        Questionnaire::parse(&text, path)
    }

    /// Parse and check a definition; `path` names it in errors.
    ///
    /// Long: Every check of a definition in the order a reader meets them (codes, groupings,
    /// filters, then the filters' cycles), each naming its line.
    pub fn parse(text: &str, path: &Path) -> Result<Questionnaire, DefinitionError> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let err = |offset: usize, key: &str, message: String| DefinitionError {
            file: path.into(),
            line: line_of(offset),
            key: key.into(),
            message,
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            err(at, key_before(text, at), e.message().to_string())
        })?;
        if raw.spoergsmaal.is_empty() {
            return Err(err(0, "spoergsmaal", "no questions".into()));
        }
        let mut questions: Vec<Question> = Vec::new();
        for q in &raw.spoergsmaal {
            let code = q.kode.get_ref();
            let at = q.kode.span().start;
            if !valid_code(code) {
                return Err(err(
                    at,
                    "kode",
                    format!("'{code}' is not a code (letters, digits, _, -, +)"),
                ));
            }
            if questions.iter().any(|x| &x.code == code) {
                return Err(err(
                    at,
                    "kode",
                    format!("question '{code}' is defined twice"),
                ));
            }
            if q.svar.is_empty() {
                return Err(err(at, "svar", format!("question '{code}' has no answers")));
            }
            let mut answers: Vec<Category> = Vec::new();
            for a in &q.svar {
                let c = a.kode.get_ref();
                if !valid_code(c) || answers.iter().any(|x| &x.code == c) {
                    return Err(err(
                        a.kode.span().start,
                        "svar.kode",
                        format!(
                            "answer '{c}' of question '{code}' is not a code or is defined twice"
                        ),
                    ));
                }
                answers.push(Category {
                    code: c.clone(),
                    text: a.tekst.clone(),
                });
            }
            let mut groupings: Vec<Grouping> = Vec::new();
            for g in &q.gruppe {
                let c = g.kode.get_ref();
                if !valid_code(c)
                    || answers.iter().any(|x| &x.code == c)
                    || groupings.iter().any(|x| &x.code == c)
                {
                    return Err(err(
                        g.kode.span().start,
                        "gruppe.kode",
                        format!("grouping '{c}' of question '{code}' is not a code or repeats an answer or grouping code"),
                    ));
                }
                let mut members = Vec::new();
                for m in &g.svar {
                    let i = answers.iter().position(|x| &x.code == m.get_ref()).ok_or_else(|| {
                        err(
                            m.span().start,
                            "gruppe.svar",
                            format!(
                                "grouping '{c}' of question '{code}' names '{}', which is not one of its answers ({})",
                                m.get_ref(),
                                answers.iter().map(|a| a.code.as_str()).collect::<Vec<_>>().join(", ")
                            ),
                        )
                    })?;
                    members.push(i);
                }
                groupings.push(Grouping {
                    code: c.clone(),
                    text: g.tekst.clone(),
                    answers: members,
                });
            }
            questions.push(Question {
                code: code.clone(),
                text: q.tekst.clone(),
                multi: q.flere,
                filter: None,
                answers,
                groupings,
            });
        }
        // Filters, now that every question is known.
        for (qi, q) in raw.spoergsmaal.iter().enumerate() {
            let Some(f) = &q.filter else { continue };
            let target = f.spoergsmaal.get_ref();
            let fq = questions
                .iter()
                .position(|x| &x.code == target)
                .ok_or_else(|| {
                    err(
                        f.spoergsmaal.span().start,
                        "filter.spoergsmaal",
                        format!(
                            "question '{}' is filtered on '{target}', which is not a question",
                            q.kode.get_ref()
                        ),
                    )
                })?;
            let mut answers = Vec::new();
            for a in &f.svar {
                let tq = &questions[fq];
                if let Some(i) = tq.answer(a.get_ref()) {
                    answers.push(i);
                } else if let Some(g) = tq.groupings.iter().find(|g| &g.code == a.get_ref()) {
                    answers.extend(&g.answers);
                } else {
                    return Err(err(
                        a.span().start,
                        "filter.svar",
                        format!(
                            "'{}' is not an answer or grouping of question '{target}'",
                            a.get_ref()
                        ),
                    ));
                }
            }
            answers.sort_unstable();
            answers.dedup();
            questions[qi].filter = Some(Filter {
                question: fq,
                answers,
            });
        }
        // A cycle of filters would ask nobody anything.
        for (qi, q) in raw.spoergsmaal.iter().enumerate() {
            let mut seen = vec![qi];
            let mut cur = qi;
            while let Some(f) = &questions[cur].filter {
                if seen.contains(&f.question) {
                    let at = q.filter.as_ref().map_or(0, |f| f.spoergsmaal.span().start);
                    return Err(err(
                        at,
                        "filter.spoergsmaal",
                        format!(
                            "the filters form a cycle: {} → {}",
                            seen.iter()
                                .map(|&i| questions[i].code.as_str())
                                .collect::<Vec<_>>()
                                .join(" → "),
                            questions[f.question].code
                        ),
                    ));
                }
                seen.push(f.question);
                cur = f.question;
            }
        }
        Ok(Questionnaire { questions })
    }

    /// Who question `qi` is asked of, in words (the base of its shares).
    pub fn base(&self, qi: usize) -> Text {
        let qu = &self.questions[qi];
        let (da, en) = match &qu.filter {
            None => (
                "stillet til alle respondenter".to_string(),
                "asked of every respondent".to_string(),
            ),
            Some(f) => {
                let fq = &self.questions[f.question];
                let quoted = |pick: fn(&Text) -> &str| {
                    f.answers
                        .iter()
                        .map(|&i| format!("“{}”", pick(&fq.answers[i].text)))
                        .collect::<Vec<_>>()
                };
                (
                    format!(
                        "stillet til dem, der svarede {} på “{}”",
                        quoted(|t| &t.da).join(" eller "),
                        fq.text.da
                    ),
                    format!(
                        "asked of those who answered {} to “{}”",
                        quoted(|t| &t.en).join(" or "),
                        fq.text.en
                    ),
                )
            }
        };
        let (mda, men) = if qu.multi {
            (
                "; flere svar mulige, hvert svars andel er af dem, der blev spurgt og svarede",
                "; several answers allowed, each answer's share is of those asked who answered",
            )
        } else {
            ("", "")
        };
        Text {
            da: format!("“{}”: {da}{mda}.", qu.text.da),
            en: format!("“{}”: {en}{men}.", qu.text.en),
        }
    }

    /// A question by code.
    pub fn question(&self, code: &str) -> Option<(usize, &Question)> {
        self.questions
            .iter()
            .enumerate()
            .find(|(_, q)| q.code == code)
    }
}

fn valid_code(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const GOOD: &str = r#"
[[spoergsmaal]]
kode = "yderligere_kontakt"
tekst = { da = "Ønsker du mere kontakt?", en = "Do you want more contact?" }
svar = [
  { kode = "ja", tekst = { da = "Ja", en = "Yes" } },
  { kode = "nej", tekst = { da = "Nej", en = "No" } },
]

[[spoergsmaal]]
kode = "interesse"
tekst = { da = "Hvor interesseret?", en = "How interested?" }
filter = { spoergsmaal = "yderligere_kontakt", svar = ["ja"] }
svar = [
  { kode = "meget_interesseret", tekst = { da = "Meget", en = "Very" } },
  { kode = "noget_interesseret", tekst = { da = "Noget", en = "Rather" } },
  { kode = "imod", tekst = { da = "Imod", en = "Against" } },
]
gruppe = [
  { kode = "interesseret", tekst = { da = "Interesseret", en = "Interested" }, svar = ["meget_interesseret", "noget_interesseret"] },
]

[[spoergsmaal]]
kode = "fordele"
tekst = { da = "Fordele", en = "Advantages" }
flere = true
filter = { spoergsmaal = "interesse", svar = ["interesseret"] }
svar = [
  { kode = "transport", tekst = { da = "Transport", en = "Transport" } },
  { kode = "planlaegning", tekst = { da = "Planlægning", en = "Planning" } },
]
"#;

    fn parse(s: &str) -> Result<Questionnaire, DefinitionError> {
        Questionnaire::parse(s, Path::new("u.toml"))
    }

    #[test]
    fn a_good_definition() {
        let q = parse(GOOD).unwrap();
        assert_eq!(q.questions.len(), 3);
        let (_, f) = q.question("fordele").unwrap();
        assert!(f.multi);
        // The grouping `interesseret` expands to its two answers.
        assert_eq!(
            f.filter,
            Some(Filter {
                question: 1,
                answers: vec![0, 1]
            })
        );
        assert_eq!(q.questions[1].groupings[0].answers, vec![0, 1]);
    }

    /// Each bad definition names the file, the line and the key.
    #[test]
    fn bad_definitions_name_file_line_and_key() {
        let cases = [
            (GOOD.replace(r#"svar = ["meget_interesseret", "noget_interesseret"]"#, r#"svar = ["meget_interesseret", "lidt"]"#), "gruppe.svar", "'lidt'"),
            (GOOD.replace(r#"spoergsmaal = "yderligere_kontakt""#, r#"spoergsmaal = "kontakt""#), "filter.spoergsmaal", "not a question"),
            (GOOD.replace(r#"svar = ["ja"]"#, r#"svar = ["maaske"]"#), "filter.svar", "'maaske'"),
            (GOOD.replace(r#"kode = "fordele""#, r#"kode = "interesse""#), "kode", "defined twice"),
            (GOOD.replace(r#"{ kode = "nej","#, r#"{ kode = "ja","#), "svar.kode", "defined twice"),
            (format!("{GOOD}\n[[spoergsmaal]]\nkode = \"a\"\ntekst = {{ da = \"a\", en = \"a\" }}\nfilter = {{ spoergsmaal = \"b\", svar = [\"x\"] }}\nsvar = [{{ kode = \"x\", tekst = {{ da = \"x\", en = \"x\" }} }}]\n[[spoergsmaal]]\nkode = \"b\"\ntekst = {{ da = \"b\", en = \"b\" }}\nfilter = {{ spoergsmaal = \"a\", svar = [\"x\"] }}\nsvar = [{{ kode = \"x\", tekst = {{ da = \"x\", en = \"x\" }} }}]\n"), "filter.spoergsmaal", "cycle"),
            ("[[spoergsmaal]]\nkode = \"x\"\ntekst = 3\n".to_string(), "tekst", "invalid type"),
            ("[[spoergsmaal]]\nkode = \"x\"\ntekst = { da = 3, en = \"x\" }\n".to_string(), "da", "invalid type"),
        ];
        for (text, key, says) in cases {
            let e = parse(&text).unwrap_err();
            assert_eq!(e.key, key, "{e}");
            assert!(e.message.contains(says), "{e}");
            assert!(e.line > 0, "{e}");
            assert!(e.to_string().starts_with("u.toml:"), "{e}");
        }
        // The line is the line of the bad key.
        let e = parse(&cases_line()).unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        // A syntax error names its line and has no key.
        let e = parse("[[spoergsmaal]]\nkode = \"x\"\ntekst = { da = \"X\"\n").unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (3, ""), "{e}");
        assert!(
            e.to_string().starts_with("u.toml:3: ") && !e.to_string().contains(": :"),
            "{e}"
        );
    }

    fn cases_line() -> String {
        "[[spoergsmaal]]\nkode = \"x\"\ntekst = { da = \"x\", en = \"x\" }\nfilter = { spoergsmaal = \"nope\", svar = [] }\nsvar = [{ kode = \"a\", tekst = { da = \"a\", en = \"a\" } }]\n".to_string()
    }
}
