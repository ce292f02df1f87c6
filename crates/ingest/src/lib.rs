//! Ingest: register extracts (CSV or Parquet) → validated, pseudonymised rows in the store;
//! the citizen survey (questionnaire and respondent files) likewise (see `survey`).
//!
//! Every row is validated. A bad row goes to a rejects file (file, line, column, reason, CPR
//! numbers masked) and never stops the good rows. Re-ingesting a file adds nothing; an id seen
//! again with other content is a conflict and is rejected (the stored row is kept).

mod chunks;
mod csvrows;
mod fast;
mod idset;
mod input;
mod parallel;
pub mod pseudonym;
mod survey;
mod validate;

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use samtalebank_model::cpr;
use samtalebank_store::{IngestedFile, Store, Wait, FORLOEB, SAMTALER};

use crate::idset::IdSet;
use crate::parallel::Outcome;

pub use csvrows::MAX_RECORD;
pub use input::{discover, InputFile, Table};
pub use pseudonym::{KeySource, Pseudonymiser};

#[derive(Debug, Clone)]
pub struct Options {
    pub store: PathBuf,
    pub inputs: Vec<PathBuf>,
    /// Fail (exit non-zero) if any row is rejected.
    pub strict: bool,
    /// Never draw a progress bar.
    pub quiet: bool,
    /// Wait for another ingest into the same store to finish, instead of failing at once.
    pub wait: bool,
}

/// One problem with one row.
#[derive(Debug, Clone)]
pub struct Reject {
    pub file: String,
    /// Line in the file (CSV, header = line 1) or row number (Parquet, first row = 1).
    pub line: u64,
    pub column: String,
    pub reason: String,
    /// The row as read, CPR numbers masked.
    pub row: String,
}

#[derive(Debug, Clone, Default)]
pub struct FileSummary {
    pub name: String,
    pub table: String,
    pub skipped_already_ingested: bool,
    pub rows_read: u64,
    pub accepted: u64,
    pub duplicates: u64,
    pub rejected: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub files: Vec<FileSummary>,
    pub rejected_by_reason: BTreeMap<String, u64>,
    pub rejects_file: Option<PathBuf>,
    pub key_source: String,
    pub parts_written: usize,
}

impl Summary {
    /// The files of rows (the questionnaire's "rows" are its questions).
    fn row_files(&self) -> impl Iterator<Item = &FileSummary> {
        self.files.iter().filter(|f| f.table != "spoergeskema")
    }
    pub fn rows_read(&self) -> u64 {
        self.row_files().map(|f| f.rows_read).sum()
    }
    pub fn accepted(&self) -> u64 {
        self.row_files().map(|f| f.accepted).sum()
    }
    pub fn duplicates(&self) -> u64 {
        self.files.iter().map(|f| f.duplicates).sum()
    }
    pub fn rejected(&self) -> u64 {
        self.files.iter().map(|f| f.rejected).sum()
    }
    /// Something usable was read: rows accepted, rows already in the store, or files skipped
    /// because they were ingested before.
    pub fn usable(&self) -> bool {
        self.accepted() + self.duplicates() > 0
            || self.files.iter().any(|f| f.skipped_already_ingested)
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for s in &self.files {
            if s.table == "spoergeskema" && !s.skipped_already_ingested {
                writeln!(f, "  {} ({}): {} questions", s.name, s.table, s.accepted)?;
                continue;
            }
            if s.skipped_already_ingested {
                writeln!(
                    f,
                    "  {} ({}): already ingested, nothing added",
                    s.name, s.table
                )?;
            } else {
                writeln!(
                    f,
                    "  {} ({}): {} rows read, {} accepted, {} already stored, {} rejected",
                    s.name, s.table, s.rows_read, s.accepted, s.duplicates, s.rejected
                )?;
            }
        }
        writeln!(
            f,
            "total: {} rows read, {} accepted, {} already stored, {} rejected",
            self.rows_read(),
            self.accepted(),
            self.duplicates(),
            self.rejected()
        )?;
        for (reason, n) in &self.rejected_by_reason {
            writeln!(f, "  rejected: {n} × {reason}")?;
        }
        if let Some(p) = &self.rejects_file {
            writeln!(f, "rejected rows are listed in {}", p.display())?;
        }
        write!(f, "CPR numbers pseudonymised with {}", self.key_source)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Store(#[from] samtalebank_store::StoreError),
    #[error("{0}")]
    Input(String),
    /// The pseudonymisation key cannot be read or made.
    #[error("{0}")]
    Key(String),
}

/// Ingest the given files or directories into the store.
///
/// Long: The ingest of one delivery in order (read, validate, key, stage, commit, report), sharing the summary and the rejects writer.
pub fn run(opts: &Options) -> Result<Summary, IngestError> {
    let files = discover(&opts.inputs)?;
    if files.is_empty() {
        return Err(IngestError::Input(format!(
            "no input files found in {} (expected samtaler*.csv|parquet, forloeb*.csv|parquet or undersoegelse*.toml|csv|parquet)",
            opts.inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    // The store's one writer from here on (the key file too is created under the lock).
    let wait = if opts.wait { Wait::Yes } else { Wait::No };
    let mut store = Store::open_for_ingest(&opts.store, wait)?;
    let (mut pseudo, key_source) = Pseudonymiser::for_store(&opts.store)?;
    // A bad questionnaire stops the run before anything is written.
    let survey_plan = survey::prepare(&files, &store)?;
    let mut seen: FxHashMap<Table, IdSet> = FxHashMap::default();
    let mut summary = Summary {
        key_source: key_source.to_string(),
        ..Summary::default()
    };
    let mut rejects: Vec<Reject> = Vec::new();
    let total_bytes: u64 = files.iter().map(|f| f.size).sum();
    let bar = progress_bar(total_bytes, opts.quiet);
    let mut in_run: Vec<String> = Vec::new();
    {
        let mut writer = store.writer()?;
        for (k, file) in files.iter().enumerate() {
            if file.table.survey() {
                continue;
            }
            // The ids of a table no file after this one holds are not needed any more.
            seen.retain(|t, _| files[k..].iter().any(|f| f.table == *t));
            bar.set_message(file.name.clone());
            let sha = sha256_of(&file.path)?;
            let mut fs = FileSummary {
                name: file.name.clone(),
                table: file.table.name().to_string(),
                ..FileSummary::default()
            };
            if writer.ingested(&sha) || in_run.contains(&sha) {
                fs.skipped_already_ingested = true;
                summary.files.push(fs);
                bar.inc(file.size);
                continue;
            }
            in_run.push(sha.clone());
            let ids = match seen.entry(file.table) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let table = match file.table {
                        Table::Forloeb => FORLOEB,
                        _ => SAMTALER,
                    };
                    let todo: Vec<&InputFile> = files[k..]
                        .iter()
                        .filter(|f| f.table == file.table)
                        .collect();
                    let expected: usize = todo.iter().map(|f| expected_rows(f)).sum();
                    let stored = writer.stored_rows(table);
                    let pairs = if stored > 4 * expected as u64 {
                        // A delivery much smaller than the store (a month into years): its
                        // ids first, then only those of the store's, so that the time goes
                        // with the delivery, not with the store.
                        let wanted = delivery_ids(&todo, &pseudo)?;
                        writer.existing_ids_among(table, &|id| wanted.contains(&id))?
                    } else {
                        writer.existing_ids(table)?
                    };
                    e.insert(pairs.into_iter().collect())
                }
            };
            ids.reserve(expected_rows(file));
            let before = rejects.len();
            let mut on_progress = |n: u64| bar.inc(n);
            let mut take = |o: Outcome<'_>| -> Result<(), IngestError> {
                fs.rows_read += 1;
                match o {
                    Outcome::Row {
                        line,
                        row,
                        fingerprint,
                        shown,
                        ahead,
                    } => match ids.get_prefetching(row.stored_id(), ahead) {
                        Some(old) if old == fingerprint => fs.duplicates += 1,
                        Some(_) => {
                            fs.rejected += 1;
                            let (id, raw) = shown();
                            rejects.push(Reject {
                                file: file.name.clone(),
                                line,
                                column: file.table.id_column().into(),
                                reason: format!(
                                    "conflict: {} '{}' is already stored with other content (the stored row is kept)",
                                    file.table.id_column(),
                                    cpr::mask(&id)
                                ),
                                row: cpr::mask(&raw),
                            });
                        }
                        None => {
                            ids.insert_new(row.stored_id(), fingerprint);
                            fs.accepted += 1;
                            match row {
                                validate::Row::Samtale(r) => {
                                    writer.add_samtale_with(r, fingerprint)?
                                }
                                validate::Row::Forloeb(r) => {
                                    writer.add_forloeb_with(r, fingerprint)?
                                }
                            }
                        }
                    },
                    Outcome::Rejected {
                        line,
                        problems,
                        raw,
                    } => {
                        fs.rejected += 1;
                        let raw = cpr::mask(&raw);
                        for (column, reason) in problems {
                            rejects.push(Reject {
                                file: file.name.clone(),
                                line,
                                column,
                                reason: cpr::mask(&reason),
                                row: raw.clone(),
                            });
                        }
                    }
                }
                Ok(())
            };
            let r = if file.parquet {
                input::read_file(
                    file,
                    &[],
                    &mut |line, fields| match validate::row(file.table, fields, &mut pseudo) {
                        Ok((id, row)) => take(Outcome::Row {
                            line,
                            fingerprint: row.fingerprint(),
                            row,
                            shown: &|| (id.clone(), fields.raw()),
                            ahead: None,
                        }),
                        Err(problems) => take(Outcome::Rejected {
                            line,
                            problems,
                            raw: fields.raw(),
                        }),
                    },
                    &mut on_progress,
                )
            } else {
                parallel::read_csv(
                    file,
                    &pseudo,
                    &mut input::register_header(file.table),
                    &mut take,
                    &mut on_progress,
                )
            };
            if let Err(e) = r {
                match e {
                    input::ReadError::File(reason) => {
                        fs.rejected += 1;
                        rejects.push(Reject {
                            file: file.name.clone(),
                            line: 0,
                            column: String::new(),
                            reason: cpr::mask(&reason),
                            row: String::new(),
                        });
                    }
                    input::ReadError::Ingest(e) => return Err(e),
                }
            }
            // Count each rejected row once, by the reason of its first problem.
            let mut last_line = None;
            for r in &rejects[before..] {
                if last_line != Some(r.line) {
                    *summary
                        .rejected_by_reason
                        .entry(reason_kind(&r.reason))
                        .or_default() += 1;
                    last_line = Some(r.line);
                }
            }
            writer.add_file(IngestedFile {
                name: file.name.clone(),
                sha256: sha,
                ingested_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                rows_read: fs.rows_read,
                rows_accepted: fs.accepted,
                rows_rejected: fs.rejected,
            });
            summary.files.push(fs);
        }
        bar.finish_and_clear();
        if let Some(plan) = survey_plan {
            let before = rejects.len();
            survey::ingest(
                plan,
                &files,
                &mut writer,
                &pseudo,
                &mut summary.files,
                &mut rejects,
            )?;
            let mut last = None;
            for r in &rejects[before..] {
                if last != Some((&r.file, r.line)) {
                    *summary
                        .rejected_by_reason
                        .entry(reason_kind(&r.reason))
                        .or_default() += 1;
                    last = Some((&r.file, r.line));
                }
            }
        }
        // The rejects are on disk before the rows are committed: a full disk never leaves rows
        // stored (and their file marked as ingested) with their rejects lost.
        if !rejects.is_empty() {
            summary.rejects_file = Some(write_rejects(&opts.store, &rejects)?);
        }
        match writer.commit() {
            Ok(n) => summary.parts_written = n,
            Err(e) => {
                // Nothing was committed: the rows will be read again, rejects with them.
                if let Some(p) = &summary.rejects_file {
                    let _ = std::fs::remove_file(p);
                }
                return Err(e.into());
            }
        }
    }
    Ok(summary)
}

/// The stored ids of the valid rows of some register files of one table (a first, quick read of
/// a delivery).
fn delivery_ids(
    files: &[&InputFile],
    pseudo: &Pseudonymiser,
) -> Result<rustc_hash::FxHashSet<u64>, IngestError> {
    let mut ids = rustc_hash::FxHashSet::default();
    let mut p = pseudo.clone();
    for file in files {
        let r = if file.parquet {
            input::read_file(
                file,
                &[],
                &mut |_, fields| {
                    if let Ok((_, row)) = validate::row(file.table, fields, &mut p) {
                        ids.insert(row.stored_id());
                    }
                    Ok(())
                },
                &mut |_| {},
            )
        } else {
            parallel::read_csv(
                file,
                pseudo,
                &mut input::register_header(file.table),
                &mut |o| {
                    if let Outcome::Row { row, .. } = o {
                        ids.insert(row.stored_id());
                    }
                    Ok(())
                },
                &mut |_| {},
            )
        };
        // A file that cannot be read is reported by the reading proper.
        if let Err(input::ReadError::Ingest(e)) = r {
            return Err(e);
        }
    }
    Ok(ids)
}

/// About how many rows a register file holds: for CSV its size over the length of its first
/// lines, for Parquet its metadata's count (nothing if it cannot be read: the caller's room is a
/// hint).
fn expected_rows(file: &InputFile) -> usize {
    use std::io::Read;
    let Ok(f) = samtalebank_files::open_regular(&file.path) else {
        return 0;
    };
    if file.parquet {
        return parquet::file::reader::SerializedFileReader::new(f)
            .map(|r| {
                use parquet::file::reader::FileReader;
                r.metadata().file_metadata().num_rows().max(0) as usize
            })
            .unwrap_or(0);
    }
    let mut head = Vec::with_capacity(1 << 18);
    if f.take(1 << 18).read_to_end(&mut head).is_err() {
        return 0;
    }
    let lines = head.iter().filter(|&&b| b == b'\n').count().max(1);
    (file.size as f64 * lines as f64 / head.len().max(1) as f64 * 1.02) as usize
}

/// A short category of a reason, for the summary.
fn reason_kind(reason: &str) -> String {
    let r = reason.split(':').next().unwrap_or(reason);
    let r = r.split('\'').next().unwrap_or(r).trim();
    if r.is_empty() {
        reason.chars().take(60).collect()
    } else {
        r.to_string()
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    samtalebank_files::sha256_hex(bytes)
}

/// SHA-256 of an input file, read without following a symbolic link.
fn sha256_of(path: &Path) -> Result<String, IngestError> {
    let err = |e: String| IngestError::Input(e);
    let mut f = samtalebank_files::open_regular(path).map_err(|e| err(e.to_string()))?;
    let mut h = samtalebank_files::Sha256Writer::new(std::io::sink());
    std::io::copy(&mut f, &mut h).map_err(|e| err(format!("{}: {e}", path.display())))?;
    Ok(h.finish().1)
}

fn progress_bar(total: u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg:20} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}

/// Write the rejects file (mode 0600: it holds rows of microdata, CPR numbers masked), fsync
/// it and its directory. Never follows or overwrites a file that is already there.
fn write_rejects(store: &Path, rejects: &[Reject]) -> Result<PathBuf, IngestError> {
    let dir = store.join("_rejects");
    let path = dir.join(format!(
        "rejects-{}-{}.csv",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f"),
        std::process::id()
    ));
    let write = || -> Result<(), String> {
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        w.write_record(["fil", "linje", "kolonne", "aarsag", "raekke"])
            .map_err(|e| e.to_string())?;
        for r in rejects {
            w.write_record([
                &cpr::mask(&r.file),
                &r.line.to_string(),
                &r.column,
                &cpr::mask(&r.reason),
                &cpr::mask(&r.row),
            ])
            .map_err(|e| e.to_string())?;
        }
        let bytes = w.into_inner().map_err(|e| e.to_string())?;
        let mut f = samtalebank_files::create_new(&path, 0o600).map_err(|e| e.to_string())?;
        f.write_all(&bytes)
            .and_then(|_| f.sync_all())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        samtalebank_files::sync_dir(&dir).map_err(|e| e.to_string())
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&path);
        IngestError::Input(format!(
            "{e}; nothing was stored (the rejects could not be written)"
        ))
    })?;
    Ok(path)
}
