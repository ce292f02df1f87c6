//! The citizen survey in the store (docs/store.md): the questionnaire as delivered and the
//! validated respondents, under `undersoegelse/`.
//!
//! ```text
//! undersoegelse/spoergeskema-<run>.toml      the questionnaire (one; a new one replaces the survey)
//! undersoegelse/respondenter-<run>.parquet   respondents: respondent (pseudonym), kommune, ydelse,
//!                                            vaegt, indhold_hash, then one text column per question
//! ```
//! A question's column holds the chosen answer codes separated by `|`, null when not asked or
//! not answered. The parts are committed with the manifest like the register parts.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rustc_hash::FxHashMap;
use samtalebank_survey::{Questionnaire, Respondent};

use crate::{fmt_err, id_key, io_err, Result, Store};

/// The survey's table name in the manifest.
pub const UNDERSOEGELSE: &str = "undersoegelse";

/// The survey as stored.
#[derive(Debug, Clone)]
pub struct Survey {
    pub questionnaire: Questionnaire,
    /// The questionnaire's text, as delivered.
    pub text: String,
    /// Respondent ids are pseudonyms.
    pub respondents: Vec<Respondent>,
}

/// A respondent's answers as stored: per question, the chosen codes joined by `|`.
pub fn answer_texts(q: &Questionnaire, r: &Respondent) -> Vec<Option<String>> {
    q.questions
        .iter()
        .zip(&r.answers)
        .map(|(qu, a)| {
            a.as_ref().map(|chosen| {
                chosen
                    .iter()
                    .map(|&i| qu.answers[i].code.as_str())
                    .collect::<Vec<_>>()
                    .join("|")
            })
        })
        .collect()
}

/// A content fingerprint of a respondent (for idempotent ingest and conflicts).
pub fn fingerprint(q: &Questionnaire, r: &Respondent) -> u64 {
    let mut s = format!("{}\u{1f}{}\u{1f}{}", r.kommune, r.ydelse, r.weight);
    for a in answer_texts(q, r) {
        s.push('\u{1f}');
        s.push_str(a.as_deref().unwrap_or("\u{0}"));
    }
    xxhash_rust::xxh3::xxh3_64(s.as_bytes())
}

pub(crate) fn respondents_batch(q: &Questionnaire, rs: &[Respondent]) -> Result<RecordBatch> {
    let mut fields = vec![
        Field::new("respondent", DataType::Utf8, false),
        Field::new("kommune", DataType::Utf8, false),
        Field::new("ydelse", DataType::Utf8, false),
        Field::new("vaegt", DataType::Float64, false),
        Field::new("indhold_hash", DataType::Int64, false),
    ];
    for qu in &q.questions {
        fields.push(Field::new(&qu.code, DataType::Utf8, true));
    }
    let texts: Vec<Vec<Option<String>>> = rs.iter().map(|r| answer_texts(q, r)).collect();
    let mut cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rs.iter().map(|r| &r.id))),
        Arc::new(StringArray::from_iter_values(rs.iter().map(|r| &r.kommune))),
        Arc::new(StringArray::from_iter_values(rs.iter().map(|r| &r.ydelse))),
        Arc::new(Float64Array::from_iter_values(rs.iter().map(|r| r.weight))),
        Arc::new(Int64Array::from_iter_values(
            rs.iter().map(|r| fingerprint(q, r) as i64),
        )),
    ];
    for qi in 0..q.questions.len() {
        cols.push(Arc::new(StringArray::from(
            texts.iter().map(|t| t[qi].clone()).collect::<Vec<_>>(),
        )));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), cols)
        .map_err(|e| fmt_err(Path::new(UNDERSOEGELSE), e))
}

fn read_batches(path: &Path) -> Result<Vec<RecordBatch>> {
    let file = File::open(path).map_err(io_err(path))?;
    ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| fmt_err(path, e))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| fmt_err(path, e))
}

fn text_col<'a>(
    b: &'a RecordBatch,
    name: &str,
    path: &Path,
) -> Result<&'a arrow_array::StringArray> {
    b.column_by_name(name)
        .and_then(|c| c.as_string_opt::<i32>())
        .ok_or_else(|| fmt_err(path, format!("column '{name}' is missing or not text")))
}

impl Store {
    /// The stored survey, if the store holds one.
    pub fn read_survey(&self) -> Result<Option<Survey>> {
        let Some(qpart) = self
            .parts(UNDERSOEGELSE)
            .find(|p| p.path.ends_with(".toml"))
        else {
            return Ok(None);
        };
        let qpath = self.root.join(&qpart.path);
        let text = std::fs::read_to_string(&qpath).map_err(io_err(&qpath))?;
        let questionnaire = Questionnaire::parse(&text, &qpath).map_err(|e| fmt_err(&qpath, e))?;
        let mut respondents = Vec::new();
        for part in self
            .parts(UNDERSOEGELSE)
            .filter(|p| p.path.ends_with(".parquet"))
        {
            let path = self.root.join(&part.path);
            for b in read_batches(&path)? {
                let ids = text_col(&b, "respondent", &path)?;
                let kommune = text_col(&b, "kommune", &path)?;
                let ydelse = text_col(&b, "ydelse", &path)?;
                let vaegt = b
                    .column_by_name("vaegt")
                    .and_then(|c| c.as_primitive_opt::<Float64Type>())
                    .ok_or_else(|| fmt_err(&path, "column 'vaegt' is missing"))?;
                let qcols: Vec<&StringArray> = questionnaire
                    .questions
                    .iter()
                    .map(|qu| text_col(&b, &qu.code, &path))
                    .collect::<Result<_>>()?;
                for i in 0..b.num_rows() {
                    let mut answers = Vec::with_capacity(qcols.len());
                    for (qu, c) in questionnaire.questions.iter().zip(&qcols) {
                        if c.is_null(i) {
                            answers.push(None);
                            continue;
                        }
                        let chosen = c
                            .value(i)
                            .split('|')
                            .map(|code| {
                                qu.answer(code).ok_or_else(|| {
                                    fmt_err(
                                        &path,
                                        format!(
                                            "row {}: '{code}' is not an answer to {}",
                                            i + 1,
                                            qu.code
                                        ),
                                    )
                                })
                            })
                            .collect::<Result<Vec<usize>>>()?;
                        answers.push(Some(chosen));
                    }
                    respondents.push(Respondent {
                        id: ids.value(i).to_string(),
                        kommune: kommune.value(i).to_string(),
                        ydelse: ydelse.value(i).to_string(),
                        weight: vaegt.value(i),
                        answers,
                    });
                }
            }
        }
        Ok(Some(Survey {
            questionnaire,
            text,
            respondents,
        }))
    }

    /// The stored respondents' fingerprints, keyed by [`id_key`] of their pseudonym.
    pub fn survey_ids(&self) -> Result<FxHashMap<u64, u64>> {
        let mut map = FxHashMap::default();
        for part in self
            .parts(UNDERSOEGELSE)
            .filter(|p| p.path.ends_with(".parquet"))
        {
            let path = self.root.join(&part.path);
            for b in read_batches(&path)? {
                let ids = text_col(&b, "respondent", &path)?;
                let h = b
                    .column_by_name("indhold_hash")
                    .and_then(|c| c.as_primitive_opt::<Int64Type>())
                    .ok_or_else(|| fmt_err(&path, "column 'indhold_hash' is missing"))?;
                for i in 0..b.num_rows() {
                    map.insert(id_key(ids.value(i)), h.value(i) as u64);
                }
            }
        }
        Ok(map)
    }
}
