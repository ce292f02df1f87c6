//! Ingesting the citizen survey (docs/spec.md §1.3): the questionnaire (`undersoegelse*.toml`)
//! and respondent files (`undersoegelse*.csv|parquet`) checked against it.
//!
//! A new questionnaire replaces the stored survey, respondents included; respondent files
//! delivered without one are checked against the stored questionnaire and added. A bad
//! definition stops the ingest before anything is written (the error names file, line and
//! key); a bad respondent row goes to the rejects (file, line, column, reason) and the good
//! rows are kept. Respondent ids are pseudonymised like person ids; a file ingested before
//! adds nothing, and an id seen again with other answers is a conflict (the stored row kept).

use rustc_hash::FxHashMap;
use samtalebank_model::{cpr, vocab};
use samtalebank_store::{id_key, respondent_fingerprint, IngestedFile, Store, StoreWriter};
use samtalebank_survey::respondents::{parse, Layout};
use samtalebank_survey::{Questionnaire, Respondent};

use crate::input::{read_rows, InputFile, ReadError, Table};
use crate::{sha256_hex, FileSummary, IngestError, Pseudonymiser, Reject};

/// What the run's survey files are checked against.
pub(crate) struct Plan {
    questionnaire: Questionnaire,
    /// The run's questionnaire, when it is new: (file, sha256, text).
    new: Option<(InputFile, String, String)>,
    /// Respondents already stored (none when the survey is replaced): fingerprint by id key.
    stored: FxHashMap<u64, u64>,
}

/// Read and check the run's questionnaire before anything is written. `None` when the run has
/// no survey files.
pub(crate) fn prepare(files: &[InputFile], store: &Store) -> Result<Option<Plan>, IngestError> {
    if !files.iter().any(|f| f.table.survey()) {
        return Ok(None);
    }
    let defs: Vec<&InputFile> = files
        .iter()
        .filter(|f| f.table == Table::Spoergeskema)
        .collect();
    if defs.len() > 1 {
        return Err(IngestError::Input(format!(
            "{} questionnaires in one delivery ({}); deliver one undersoegelse*.toml",
            defs.len(),
            defs.iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let stored = store.read_survey()?;
    if let Some(f) = defs.first() {
        let bytes = crate::input::read_bytes(&f.path)?;
        let sha = sha256_hex(&bytes);
        let text = String::from_utf8(bytes)
            .map_err(|_| IngestError::Input(format!("{}: not UTF-8 text", f.path.display())))?;
        let q =
            Questionnaire::parse(&text, &f.path).map_err(|e| IngestError::Input(e.to_string()))?;
        let same = stored.as_ref().is_some_and(|s| s.text == text);
        if !same {
            return Ok(Some(Plan {
                questionnaire: q,
                new: Some(((*f).clone(), sha, text)),
                stored: FxHashMap::default(),
            }));
        }
    }
    let Some(s) = stored else {
        return Err(IngestError::Input(
            "respondent files (undersoegelse*.csv|parquet) need their questionnaire: deliver undersoegelse*.toml with them".into(),
        ));
    };
    Ok(Some(Plan {
        stored: store.survey_ids()?,
        questionnaire: s.questionnaire,
        new: None,
    }))
}

/// A benefit code a respondent may have: a published group or target-group code.
fn known_ydelse(code: &str) -> bool {
    vocab().ydelser.published.iter().any(|p| p.code == code)
}

fn known_kommune(code: &str) -> bool {
    vocab().kommuner.lookup(code).is_some()
}

/// Ingest the run's survey files into `writer`.
pub(crate) fn ingest(
    plan: Plan,
    files: &[InputFile],
    writer: &mut StoreWriter<'_>,
    pseudo: &Pseudonymiser,
    summaries: &mut Vec<FileSummary>,
    rejects: &mut Vec<Reject>,
) -> Result<(), IngestError> {
    let q = &plan.questionnaire;
    let replacing = plan.new.is_some();
    let now = || chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    if let Some((f, sha, text)) = &plan.new {
        writer.set_questionnaire(text)?;
        writer.add_file(IngestedFile {
            name: f.name.clone(),
            sha256: sha.clone(),
            ingested_at: now(),
            rows_read: q.questions.len() as u64,
            rows_accepted: q.questions.len() as u64,
            rows_rejected: 0,
        });
        summaries.push(FileSummary {
            name: f.name.clone(),
            table: Table::Spoergeskema.name().into(),
            rows_read: q.questions.len() as u64,
            accepted: q.questions.len() as u64,
            ..FileSummary::default()
        });
    } else if let Some(f) = files.iter().find(|f| f.table == Table::Spoergeskema) {
        summaries.push(FileSummary {
            name: f.name.clone(),
            table: Table::Spoergeskema.name().into(),
            skipped_already_ingested: true,
            ..FileSummary::default()
        });
    }
    let mut ids = plan.stored;
    for file in files.iter().filter(|f| f.table == Table::Undersoegelse) {
        let bytes = crate::input::read_bytes(&file.path)?;
        let sha = sha256_hex(&bytes);
        let mut fs = FileSummary {
            name: file.name.clone(),
            table: file.table.name().into(),
            ..FileSummary::default()
        };
        if !replacing && writer.ingested(&sha) {
            fs.skipped_already_ingested = true;
            summaries.push(fs);
            continue;
        }
        let layout: std::cell::OnceCell<Layout> = std::cell::OnceCell::new();
        let mut good: Vec<Respondent> = Vec::new();
        let r = read_rows(
            file,
            &bytes,
            &mut |h| {
                let _ = layout
                    .set(Layout::new(&h.names, q).map_err(|e| ReadError::File(e.to_string()))?);
                Ok(())
            },
            &mut |line, fields| {
                fs.rows_read += 1;
                let Some(layout) = layout.get() else {
                    return Ok(());
                };
                let reject = |column: String, reason: String| Reject {
                    file: file.name.clone(),
                    line,
                    column,
                    reason: cpr::mask(&reason),
                    row: cpr::mask(&fields.raw()),
                };
                let parsed = match fields.problem {
                    Some(p) => Err((String::new(), p.to_string())),
                    None => parse(q, layout, fields.record, &known_kommune, &known_ydelse),
                };
                match parsed {
                    Ok(mut r) => {
                        r.id = format!("{:016x}", pseudo.person_id(&r.id));
                        r.kommune = vocab()
                            .kommuner
                            .lookup(&r.kommune)
                            .map(|i| vocab().kommuner.list[i as usize].code.to_string())
                            .unwrap_or(r.kommune);
                        let fp = respondent_fingerprint(q, &r);
                        match ids.get(&id_key(&r.id)) {
                            Some(old) if *old == fp => fs.duplicates += 1,
                            Some(_) => {
                                fs.rejected += 1;
                                rejects.push(reject(
                                    "respondent_id".into(),
                                    "conflict: respondent_id is already stored with other answers (the stored row is kept)".into(),
                                ));
                            }
                            None => {
                                ids.insert(id_key(&r.id), fp);
                                fs.accepted += 1;
                                good.push(r);
                            }
                        }
                    }
                    Err((column, reason)) => {
                        fs.rejected += 1;
                        rejects.push(reject(column, reason));
                    }
                }
                Ok(())
            },
            &mut |_| {},
        );
        match r {
            Ok(()) => {}
            Err(ReadError::File(reason)) => {
                fs.rejected += 1;
                rejects.push(Reject {
                    file: file.name.clone(),
                    line: if layout.get().is_none() { 1 } else { 0 },
                    column: String::new(),
                    reason: cpr::mask(&reason),
                    row: String::new(),
                });
            }
            Err(ReadError::Ingest(e)) => return Err(e),
        }
        writer.add_respondents(q, &good)?;
        writer.add_file(IngestedFile {
            name: file.name.clone(),
            sha256: sha,
            ingested_at: now(),
            rows_read: fs.rows_read,
            rows_accepted: fs.accepted,
            rows_rejected: fs.rejected,
        });
        summaries.push(fs);
    }
    Ok(())
}
