//! `metadata.json`: everything about a published table except its values, made from its
//! registry definition, its dimensions and the disclosure note of the release.

use samtalebank_model::{Lang, PeriodKind, Role, Var};
use samtalebank_tables::{Published, TableDef};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measure {
    pub code: String,
    pub label_da: String,
    pub label_en: String,
    pub unit_da: String,
    pub unit_en: String,
    pub decimals: u8,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DimensionMeta {
    pub id: String,
    pub label_da: String,
    pub label_en: String,
    /// `geo`, `time` or empty.
    pub role: String,
    pub categories: Vec<CategoryMeta>,
    /// The code used when a client does not select this variable ("i alt").
    pub total: Option<String>,
}

impl Measure {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.label_da,
            Lang::En => &self.label_en,
        }
    }
    pub fn unit(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.unit_da,
            Lang::En => &self.unit_en,
        }
    }
}

impl DimensionMeta {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.label_da,
            Lang::En => &self.label_en,
        }
    }
    /// The index of a code (any case).
    pub fn position(&self, code: &str) -> Option<usize> {
        self.categories
            .iter()
            .position(|c| c.code.eq_ignore_ascii_case(code))
    }
    /// The index of the total category.
    pub fn total_index(&self) -> Option<usize> {
        self.total.as_deref().and_then(|t| self.position(t))
    }
    pub fn is_time(&self) -> bool {
        self.role == "time"
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CategoryMeta {
    pub code: String,
    pub label_da: String,
    pub label_en: String,
}

impl CategoryMeta {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.label_da,
            Lang::En => &self.label_en,
        }
    }
}

/// Everything about a published table except its values.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableMeta {
    pub id: String,
    pub title_da: String,
    pub title_en: String,
    pub description_da: String,
    pub description_en: String,
    /// The source, in English (PxWeb's `source`).
    pub source: String,
    /// The source in Danish (empty in releases from before it was recorded).
    #[serde(default)]
    pub source_da: String,
    pub updated: String,
    pub dimensions: Vec<DimensionMeta>,
    /// The measure variable (`maal`, role metric), always the last variable.
    pub measures: Vec<Measure>,
    pub notes_da: Vec<String>,
    pub notes_en: Vec<String>,
    pub threshold: u32,
    /// The counts stored per cell in the data files (the measures derive from them).
    pub values: Vec<String>,
    /// Numbers stored per cell besides the counts.
    #[serde(default)]
    pub numbers: Vec<String>,
    /// The last day of data (`YYYY-MM-DD`): indicators that need to follow spells further are
    /// "not yet available".
    pub data_end: String,
    /// Next update, frequency and contact, from the release calendar when the release is
    /// served (never stored with it).
    #[serde(skip)]
    pub publication: crate::Publication,
    /// SHA-256 of the table's data (of its data files' SHA-256s, in order), set when the
    /// release is read: equal in two releases exactly when their cells are, so a client can
    /// tell whether anything changed without downloading the data.
    #[serde(skip)]
    pub content_hash: String,
    /// The table's bulk files (`bulk.parquet`, `bulk.csv.gz`) in its directory, from the
    /// manifest when the release is read (none if it was built with `--no-bulk`).
    #[serde(skip)]
    pub bulk: Vec<String>,
    /// The first day of data (`YYYY-MM-DD`): indicators that look back before it are not
    /// available.
    #[serde(default)]
    pub data_start: String,
    /// A share is published only if its denominator is at least this (the cell key method's
    /// minimum; 0: any non-zero denominator).
    #[serde(default)]
    pub min_denominator: u32,
    /// The categories of one variable that apply within each category of another (SURV01:
    /// each question's answers and groupings); other cells are not applicable (`-`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nesting: Option<NestingMeta>,
}

/// See [`TableMeta::nesting`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NestingMeta {
    /// The variable whose categories apply within another's (`svar`).
    pub inner: String,
    /// The variable they apply within (`spoergsmaal`).
    pub outer: String,
    /// Per code of `outer`, in its order: the codes of `inner` that apply.
    pub members: Vec<(String, Vec<String>)>,
}

impl NestingMeta {
    /// The codes of `inner` that apply within `outer` code `code` (any case).
    pub fn within(&self, code: &str) -> &[String] {
        self.members
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
            .map(|(_, m)| m.as_slice())
            .unwrap_or(&[])
    }
}

/// The source named in every table built from the register extracts.
pub const SOURCE: &str =
    "Samtalebank, built from the jobcentres' register of conversations and benefit spells";

/// The source named in a table built from a survey's respondents (SURV01).
pub const SURVEY_SOURCE: &str = "Samtalebank, built from the respondents of the citizen survey of the jobcentres' contact with unemployed people by phone and video during the lockdown";

/// [`SOURCE`] in Danish.
pub const SOURCE_DA: &str =
    "Samtalebank, på grundlag af jobcentrenes registrering af samtaler og ydelsesforløb";

/// [`SURVEY_SOURCE`] in Danish.
pub const SURVEY_SOURCE_DA: &str = "Samtalebank, på grundlag af besvarelserne i borgerundersøgelsen om jobcentrenes kontakt med ledige via telefon og video under nedlukningen";

impl TableMeta {
    /// The metadata of a published table.
    pub fn new(p: &Published, updated: &str, threshold: u32, data: (&str, &str)) -> TableMeta {
        let def = p.def;
        let text = def.text();
        let measures = def
            .measures
            .iter()
            .map(|m| {
                let t = &text.measures[m.code];
                Measure {
                    code: m.code.into(),
                    label_da: t.label.da.clone(),
                    label_en: t.label.en.clone(),
                    unit_da: t.unit.da.clone(),
                    unit_en: t.unit.en.clone(),
                    decimals: m.decimals,
                }
            })
            .collect();
        let dimensions = p
            .dims
            .iter()
            .zip(def.vars)
            .map(|(d, v)| DimensionMeta {
                id: d.id.clone(),
                label_da: d.label_da.clone(),
                label_en: d.label_en.clone(),
                role: match v.role() {
                    Role::Geo => "geo",
                    Role::Time => "time",
                    Role::Other => "",
                }
                .into(),
                categories: d
                    .categories
                    .iter()
                    .map(|c| CategoryMeta {
                        code: c.code.clone(),
                        label_da: c.label_da.clone(),
                        label_en: c.label_en.clone(),
                    })
                    .collect(),
                total: d.total.map(|t| d.categories[t].code.clone()),
            })
            .collect();
        let notes = std::iter::once(&p.note).chain(&text.notes).chain(&p.notes);
        let nesting = p.nesting.as_ref().and_then(|n| {
            let outer = &p.dims[def.var(n.outer)?];
            let inner = &p.dims[def.var(n.inner)?];
            Some(NestingMeta {
                inner: n.inner.code().into(),
                outer: n.outer.code().into(),
                members: outer
                    .categories
                    .iter()
                    .zip(&n.members)
                    .map(|(o, m)| {
                        (
                            o.code.clone(),
                            m.iter()
                                .map(|&i| inner.categories[i].code.clone())
                                .collect(),
                        )
                    })
                    .collect(),
            })
        });
        TableMeta {
            id: def.id.into(),
            title_da: text.title.da.clone(),
            title_en: text.title.en.clone(),
            description_da: text.description.da.clone(),
            description_en: text.description.en.clone(),
            source: match def.source {
                samtalebank_tables::Source::Survey => SURVEY_SOURCE,
                _ => SOURCE,
            }
            .into(),
            source_da: match def.source {
                samtalebank_tables::Source::Survey => SURVEY_SOURCE_DA,
                _ => SOURCE_DA,
            }
            .into(),
            updated: updated.into(),
            dimensions,
            measures,
            notes_da: notes.clone().map(|n| n.da.clone()).collect(),
            notes_en: notes.map(|n| n.en.clone()).collect(),
            threshold,
            values: def.published_counts().map(|c| c.code.to_string()).collect(),
            numbers: def.numbers.iter().map(|n| n.to_string()).collect(),
            data_end: data.1.into(),
            data_start: data.0.into(),
            min_denominator: 0,
            nesting,
            publication: Default::default(),
            content_hash: String::new(),
            bulk: Vec::new(),
        }
    }

    /// The table's registry definition.
    pub fn def(&self) -> Option<&'static TableDef> {
        samtalebank_tables::table(&self.id)
    }

    pub fn title(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.title_da,
            Lang::En => &self.title_en,
        }
    }
    pub fn description(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.description_da,
            Lang::En => &self.description_en,
        }
    }
    /// The source in a language.
    pub fn source(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da if !self.source_da.is_empty() => &self.source_da,
            _ => &self.source,
        }
    }

    pub fn notes(&self, lang: Lang) -> &[String] {
        match lang {
            Lang::Da => &self.notes_da,
            Lang::En => &self.notes_en,
        }
    }

    /// A dimension by variable code (any case), with its index.
    pub fn dimension(&self, id: &str) -> Option<(usize, &DimensionMeta)> {
        self.dimensions
            .iter()
            .enumerate()
            .find(|(_, d)| d.id.eq_ignore_ascii_case(id))
    }

    /// A dimension by variable, with its index.
    pub fn var(&self, v: Var) -> Option<(usize, &DimensionMeta)> {
        self.dimension(v.code())
    }

    /// A dimension by variable, or an error naming the table (for lookups that must not fail).
    pub fn require(&self, v: Var) -> Result<(usize, &DimensionMeta), crate::ReleaseError> {
        self.var(v)
            .ok_or_else(|| crate::ReleaseError::MissingVariable {
                table: self.id.clone(),
                variable: v.code().to_string(),
            })
    }

    /// The time dimension, if the table has one.
    pub fn time(&self) -> Option<(usize, &DimensionMeta)> {
        self.dimensions
            .iter()
            .enumerate()
            .find(|(_, d)| d.is_time())
    }

    pub fn first_period(&self) -> Option<&str> {
        self.months().min()
    }
    pub fn last_period(&self) -> Option<&str> {
        self.months().max()
    }
    fn months(&self) -> impl Iterator<Item = &str> {
        self.time()
            .into_iter()
            .flat_map(|(_, d)| d.categories.iter())
            .filter(|c| PeriodKind::of(&c.code) == PeriodKind::Month)
            .map(|c| c.code.as_str())
    }
}
