//! Writing new rows: staged part files, committed together with the manifest.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::Int16Type;
use arrow_array::{
    ArrayRef, Date32Array, DictionaryArray, Int16Array, Int64Array, RecordBatch, StringArray,
    UInt32Array,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use samtalebank_model::{time, vocab};

use samtalebank_files::{sync_dir, Lock, Sha256Writer};

use crate::{
    fmt_err, io_err, IngestedFile, Part, Result, Store, FORLOEB, READ_LOCK, SAMTALER, STAGING,
    UNDERSOEGELSE,
};
use samtalebank_survey::{Questionnaire, Respondent};

/// A validated conversation, in dictionary codes of the model's vocabularies.
#[derive(Debug, Clone, PartialEq)]
pub struct SamtaleRecord {
    /// The conversation's id, pseudonymised (`samtale_id`, docs/store.md).
    pub id: i64,
    /// Pseudonymous person key (keyed hash of the CPR number).
    pub person: i64,
    pub dato: i32,
    /// Index in `vocab().kommuner.list`.
    pub kommune: u8,
    /// Index in `vocab().ydelser.leaves`.
    pub ydelse: u8,
    pub samtaletype: u8,
    pub samtaleform: u8,
    /// Record key of the cell key method (`rkey`, docs/store.md).
    pub rkey: u32,
    /// Person key of the cell key method (`pkey`).
    pub pkey: u32,
}

/// A validated benefit spell.
#[derive(Debug, Clone, PartialEq)]
pub struct ForloebRecord {
    /// The spell's id, pseudonymised (`forloeb_id`).
    pub id: i64,
    pub person: i64,
    pub kommune: u8,
    pub ydelse: u8,
    pub start: i32,
    /// Last day on the benefit; `None` while ongoing.
    pub slut: Option<i32>,
    /// Record key of the cell key method (`rkey`, docs/store.md).
    pub rkey: u32,
    /// Person key of the cell key method (`pkey`).
    pub pkey: u32,
}

/// Stable fingerprint of a row's content (not its id), stored as `indhold_hash`, so that a
/// re-delivered id with other content is recognised as a conflict: the XXH3-64 of the fields as
/// text (numbers in decimal, codes as in the code lists) joined by U+001F.
struct Fingerprint(Vec<u8>);

impl Fingerprint {
    fn new() -> Fingerprint {
        Fingerprint(Vec::with_capacity(128))
    }
    fn int(mut self, n: impl itoa::Integer) -> Fingerprint {
        self.sep();
        self.0
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        self
    }
    fn text(mut self, s: &str) -> Fingerprint {
        self.sep();
        self.0.extend_from_slice(s.as_bytes());
        self
    }
    fn sep(&mut self) {
        if !self.0.is_empty() {
            self.0.push(0x1f);
        }
    }
    fn hash(self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&self.0)
    }
}

impl SamtaleRecord {
    pub fn fingerprint(&self) -> u64 {
        let v = vocab();
        Fingerprint::new()
            .int(self.person)
            .int(self.dato)
            .int(v.kommuner.list[self.kommune as usize].code)
            .text(&v.ydelser.leaves[self.ydelse as usize].code)
            .text(v.samtaletyper.code(self.samtaletype))
            .text(v.samtaleformer.code(self.samtaleform))
            .hash()
    }
}

impl ForloebRecord {
    pub fn fingerprint(&self) -> u64 {
        let v = vocab();
        let f = Fingerprint::new()
            .int(self.person)
            .int(v.kommuner.list[self.kommune as usize].code)
            .text(&v.ydelser.leaves[self.ydelse as usize].code)
            .int(self.start);
        match self.slut {
            Some(s) => f.int(s),
            None => f.text(""),
        }
        .hash()
    }
}

/// Rows and their fingerprints by year, as buffered for part files.
type Buffers<R> = BTreeMap<i32, (Vec<R>, Vec<i64>)>;

/// Add a row to its year's buffer; the buffer's rows when it is full.
fn buffer<R>(
    bufs: &mut Buffers<R>,
    year: i32,
    r: R,
    fingerprint: u64,
) -> Option<(Vec<R>, Vec<i64>)> {
    let (rows, fps) = bufs.entry(year).or_default();
    rows.push(r);
    fps.push(fingerprint as i64);
    (rows.len() >= FLUSH_ROWS).then(|| std::mem::take(bufs.entry(year).or_default()))
}

/// Rows per part file: written while the rest is read, and a bound on the rows held.
const FLUSH_ROWS: usize = 1 << 18;

/// Buffers rows per partition and writes them to staged Parquet parts.
pub struct StoreWriter<'a> {
    store: &'a mut Store,
    run: String,
    /// Rows by year, with their content fingerprints.
    samtaler: Buffers<SamtaleRecord>,
    forloeb: Buffers<ForloebRecord>,
    staged: Vec<(PathBuf, Part)>,
    /// The parts being written on their own threads (at most one per core), staged in order
    /// when done.
    writing: std::collections::VecDeque<std::thread::JoinHandle<Result<(PathBuf, Part)>>>,
    /// Parts named so far (their numbers in this run).
    named: usize,
    files: Vec<IngestedFile>,
    /// A new questionnaire is staged: the stored survey is replaced at commit.
    survey_replaced: bool,
}

impl<'a> StoreWriter<'a> {
    pub(crate) fn new(store: &'a mut Store) -> Result<Self> {
        let now = chrono::Utc::now();
        let run = format!(
            "{}-{:08x}",
            now.format("%Y%m%dT%H%M%S"),
            now.timestamp_subsec_nanos() ^ std::process::id()
        );
        Ok(StoreWriter {
            store,
            run,
            samtaler: BTreeMap::new(),
            forloeb: BTreeMap::new(),
            staged: Vec::new(),
            writing: Default::default(),
            named: 0,
            files: Vec::new(),
            survey_replaced: false,
        })
    }

    /// Has a file with this sha256 been ingested before (committed)?
    pub fn ingested(&self, sha256: &str) -> bool {
        self.store.ingested(sha256).is_some()
    }

    /// See [`Store::existing_ids`].
    pub fn existing_ids(&self, table: &str) -> Result<Vec<(u64, u64)>> {
        self.store.existing_ids(table)
    }

    /// See [`Store::existing_ids_among`].
    pub fn existing_ids_among(
        &self,
        table: &str,
        wanted: &(dyn Fn(u64) -> bool + Sync),
    ) -> Result<Vec<(u64, u64)>> {
        self.store.existing_ids_among(table, wanted)
    }

    /// See [`Store::rows`].
    pub fn stored_rows(&self, table: &str) -> u64 {
        self.store.rows(table)
    }

    pub fn add_samtale(&mut self, r: SamtaleRecord) -> Result<()> {
        let f = r.fingerprint();
        self.add_samtale_with(r, f)
    }

    /// [`StoreWriter::add_samtale`] of a row whose [`SamtaleRecord::fingerprint`] the caller has
    /// computed already.
    pub fn add_samtale_with(&mut self, r: SamtaleRecord, fingerprint: u64) -> Result<()> {
        let year = time::month_of(r.dato).div_euclid(12);
        match buffer(&mut self.samtaler, year, r, fingerprint) {
            Some(full) => self.stage_samtaler(year, full),
            None => Ok(()),
        }
    }

    pub fn add_forloeb(&mut self, r: ForloebRecord) -> Result<()> {
        let f = r.fingerprint();
        self.add_forloeb_with(r, f)
    }

    /// [`StoreWriter::add_forloeb`] of a row whose [`ForloebRecord::fingerprint`] the caller has
    /// computed already.
    pub fn add_forloeb_with(&mut self, r: ForloebRecord, fingerprint: u64) -> Result<()> {
        let year = time::month_of(r.start).div_euclid(12);
        match buffer(&mut self.forloeb, year, r, fingerprint) {
            Some(full) => self.stage_forloeb(year, full),
            None => Ok(()),
        }
    }

    /// Record an ingested input file (committed with the rows).
    pub fn add_file(&mut self, f: IngestedFile) {
        self.files.push(f);
    }

    /// Stage a new questionnaire (its text as delivered): at commit it replaces the stored
    /// survey, respondents included.
    pub fn set_questionnaire(&mut self, text: &str) -> Result<()> {
        self.finish_writing()?;
        let rel = format!("{UNDERSOEGELSE}/spoergeskema-{}.toml", self.run);
        let path = self.staging().join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        let mut f = Sha256Writer::new(File::create(&path).map_err(io_err(&path))?);
        std::io::Write::write_all(&mut f, text.as_bytes()).map_err(io_err(&path))?;
        let (f, sha256) = f.finish();
        f.sync_all().map_err(io_err(&path))?;
        let part = Part {
            table: UNDERSOEGELSE.into(),
            path: rel,
            rows: 0,
            sha256,
        };
        self.staged.push((path, part));
        self.survey_replaced = true;
        Ok(())
    }

    /// Stage validated respondents (ids already pseudonymised) of questionnaire `q`.
    pub fn add_respondents(&mut self, q: &Questionnaire, rs: &[Respondent]) -> Result<()> {
        if rs.is_empty() {
            return Ok(());
        }
        self.finish_writing()?;
        let n = self.next_number();
        let rel = format!("{UNDERSOEGELSE}/respondenter-{}-{n:04}.parquet", self.run);
        let path = self.staging().join(&rel);
        let batch = crate::survey::respondents_batch(q, rs)?;
        let part = write_part(&path, rel, UNDERSOEGELSE, batch)?;
        self.staged.push((path, part));
        Ok(())
    }

    /// This run's staging directory: no other run writes or removes in it.
    fn staging(&self) -> PathBuf {
        self.store.root.join(STAGING).join(&self.run)
    }

    fn next_number(&mut self) -> usize {
        self.named += 1;
        self.named - 1
    }

    fn staged_path(&mut self, table: &str, partition: &str) -> (PathBuf, String) {
        let n = self.next_number();
        let rel = format!("{table}/{partition}/part-{}-{n:04}.parquet", self.run);
        (self.staging().join(&rel), rel)
    }

    /// Write a part on its own thread (encoding Parquet while the rows after it are read), at
    /// most one per core at a time.
    fn write_in_background(
        &mut self,
        path: PathBuf,
        rel: String,
        table: &'static str,
        batch: impl FnOnce() -> std::result::Result<RecordBatch, String> + Send + 'static,
    ) -> Result<()> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        while self.writing.len() >= cores {
            self.finish_one()?;
        }
        self.writing.push_back(std::thread::spawn(move || {
            let batch = batch().map_err(|e| fmt_err(&path, e))?;
            let part = write_part(&path, rel, table, batch)?;
            Ok((path, part))
        }));
        Ok(())
    }

    /// Wait for the oldest part being written and stage it.
    fn finish_one(&mut self) -> Result<()> {
        if let Some(h) = self.writing.pop_front() {
            let staged = h
                .join()
                .map_err(|_| fmt_err(&self.staging(), "the thread writing a part failed"))??;
            self.staged.push(staged);
        }
        Ok(())
    }

    /// Wait for every part being written.
    fn finish_writing(&mut self) -> Result<()> {
        while !self.writing.is_empty() {
            self.finish_one()?;
        }
        Ok(())
    }

    fn stage_samtaler(&mut self, year: i32, rows: (Vec<SamtaleRecord>, Vec<i64>)) -> Result<()> {
        let (path, rel) = self.staged_path(SAMTALER, &format!("aar={year}"));
        self.write_in_background(path, rel, SAMTALER, move || samtaler_batch(&rows.0, rows.1))
    }

    fn stage_forloeb(&mut self, year: i32, rows: (Vec<ForloebRecord>, Vec<i64>)) -> Result<()> {
        let (path, rel) = self.staged_path(FORLOEB, &format!("start_aar={year}"));
        self.write_in_background(path, rel, FORLOEB, move || forloeb_batch(&rows.0, rows.1))
    }

    /// Write what is buffered, move the staged parts into place and commit the manifest.
    /// Returns the number of part files committed.
    pub fn commit(mut self) -> Result<usize> {
        for (year, rows) in std::mem::take(&mut self.samtaler) {
            self.stage_samtaler(year, rows)?;
        }
        for (year, rows) in std::mem::take(&mut self.forloeb) {
            self.stage_forloeb(year, rows)?;
        }
        self.finish_writing()?;
        let root = self.store.root.clone();
        let mut dirs = Vec::new();
        for (staged, part) in &self.staged {
            let dest = root.join(&part.path);
            let dir = dest.parent().unwrap_or(&root).to_path_buf();
            std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
            std::fs::rename(staged, &dest).map_err(io_err(&dest))?;
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        for d in &dirs {
            sync_dir(d)?;
        }
        let n = self.staged.len();
        let m = &mut self.store.manifest;
        let mut replaced = Vec::new();
        if self.survey_replaced {
            let (old, keep): (Vec<Part>, Vec<Part>) = std::mem::take(&mut m.parts)
                .into_iter()
                .partition(|p| p.table == UNDERSOEGELSE);
            m.parts = keep;
            replaced = old;
        }
        m.parts.extend(self.staged.drain(..).map(|(_, p)| p));
        m.files.append(&mut self.files);
        m.save(&root)?;
        // The replaced survey's files are no longer named by the manifest. A reader that opened
        // the store before may still read them: remove them only when no reader holds the store
        // (else the next writer does).
        if !replaced.is_empty() {
            if let Some(_no_readers) = Lock::try_exclusive(&root.join(READ_LOCK))? {
                for p in replaced {
                    let path = root.join(&p.path);
                    std::fs::remove_file(&path).map_err(io_err(&path))?;
                }
            }
        }
        let staging = self.staging();
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
        }
        Ok(n)
    }
}

fn dict(codes: impl Iterator<Item = u8>, values: Vec<String>) -> ArrayRef {
    let keys = Int16Array::from_iter_values(codes.map(i16::from));
    Arc::new(DictionaryArray::<Int16Type>::new(
        keys,
        Arc::new(StringArray::from(values)),
    ))
}

fn opt_dict(codes: impl Iterator<Item = Option<u8>>, values: Vec<String>) -> ArrayRef {
    let keys: Int16Array = codes.map(|c| c.map(i16::from)).collect();
    Arc::new(DictionaryArray::<Int16Type>::new(
        keys,
        Arc::new(StringArray::from(values)),
    ))
}

fn dict_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int16), Box::new(DataType::Utf8))
}

pub(crate) fn samtaler_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("samtale_id", DataType::Int64, false),
        Field::new("person", DataType::Int64, false),
        Field::new("dato", DataType::Date32, false),
        Field::new("kommune", dict_type(), false),
        Field::new("ydelse", dict_type(), false),
        Field::new("maalgruppe", dict_type(), true),
        Field::new("ydelse_detalje", dict_type(), false),
        Field::new("samtaletype", dict_type(), false),
        Field::new("samtaleform", dict_type(), false),
        Field::new("indhold_hash", DataType::Int64, false),
        Field::new("rkey", DataType::UInt32, false),
        Field::new("pkey", DataType::UInt32, false),
    ]))
}

pub(crate) fn forloeb_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("forloeb_id", DataType::Int64, false),
        Field::new("person", DataType::Int64, false),
        Field::new("kommune", dict_type(), false),
        Field::new("ydelse", dict_type(), false),
        Field::new("maalgruppe", dict_type(), true),
        Field::new("ydelse_detalje", dict_type(), false),
        Field::new("start", DataType::Date32, false),
        Field::new("slut", DataType::Date32, true),
        Field::new("indhold_hash", DataType::Int64, false),
        Field::new("rkey", DataType::UInt32, false),
        Field::new("pkey", DataType::UInt32, false),
    ]))
}

/// Dictionary value lists, in the model's code order.
pub(crate) struct Dicts {
    pub kommune: Vec<String>,
    pub group: Vec<String>,
    pub maalgruppe: Vec<String>,
    pub leaf: Vec<String>,
    pub samtaletype: Vec<String>,
    pub samtaleform: Vec<String>,
}

pub(crate) fn dicts() -> Dicts {
    let v = vocab();
    let codes = |voc: &samtalebank_model::vocab::Vocab| {
        voc.entries.iter().map(|e| e.code.clone()).collect()
    };
    Dicts {
        kommune: v.kommuner.list.iter().map(|k| k.code.to_string()).collect(),
        group: codes(&v.ydelser.groups),
        maalgruppe: codes(&v.maalgrupper),
        leaf: v.ydelser.leaves.iter().map(|l| l.code.clone()).collect(),
        samtaletype: codes(&v.samtaletyper),
        samtaleform: codes(&v.samtaleformer),
    }
}

fn samtaler_batch(
    rows: &[SamtaleRecord],
    fingerprints: Vec<i64>,
) -> std::result::Result<RecordBatch, String> {
    let d = dicts();
    let leaves = &vocab().ydelser.leaves;
    let cols: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.id))),
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.person))),
        Arc::new(Date32Array::from_iter_values(rows.iter().map(|r| r.dato))),
        dict(rows.iter().map(|r| r.kommune), d.kommune),
        dict(
            rows.iter().map(|r| leaves[r.ydelse as usize].group),
            d.group,
        ),
        opt_dict(
            rows.iter().map(|r| leaves[r.ydelse as usize].maalgruppe),
            d.maalgruppe,
        ),
        dict(rows.iter().map(|r| r.ydelse), d.leaf),
        dict(rows.iter().map(|r| r.samtaletype), d.samtaletype),
        dict(rows.iter().map(|r| r.samtaleform), d.samtaleform),
        Arc::new(Int64Array::from(fingerprints)),
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.rkey))),
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.pkey))),
    ];
    RecordBatch::try_new(samtaler_schema(), cols).map_err(|e| e.to_string())
}

fn forloeb_batch(
    rows: &[ForloebRecord],
    fingerprints: Vec<i64>,
) -> std::result::Result<RecordBatch, String> {
    let d = dicts();
    let leaves = &vocab().ydelser.leaves;
    let cols: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.id))),
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.person))),
        dict(rows.iter().map(|r| r.kommune), d.kommune),
        dict(
            rows.iter().map(|r| leaves[r.ydelse as usize].group),
            d.group,
        ),
        opt_dict(
            rows.iter().map(|r| leaves[r.ydelse as usize].maalgruppe),
            d.maalgruppe,
        ),
        dict(rows.iter().map(|r| r.ydelse), d.leaf),
        Arc::new(Date32Array::from_iter_values(rows.iter().map(|r| r.start))),
        Arc::new(rows.iter().map(|r| r.slut).collect::<Date32Array>()),
        Arc::new(Int64Array::from(fingerprints)),
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.rkey))),
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.pkey))),
    ];
    RecordBatch::try_new(forloeb_schema(), cols).map_err(|e| e.to_string())
}

/// Write one batch as an uncompressed Parquet file (dictionary and RLE encodings still apply),
/// fsync it and return its manifest entry.
pub(crate) fn write_part(
    path: &Path,
    rel: String,
    table: &str,
    batch: RecordBatch,
) -> Result<Part> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    let rows = batch.num_rows() as u64;
    let sha256 = write_parquet(path, batch)?;
    Ok(Part {
        table: table.to_string(),
        path: rel,
        rows,
        sha256,
    })
}

/// Write one batch as an uncompressed Parquet file, fsync it; returns its SHA-256.
pub(crate) fn write_parquet(path: &Path, batch: RecordBatch) -> Result<String> {
    let file = Sha256Writer::new(File::create(path).map_err(io_err(path))?);
    let mut props = WriterProperties::builder()
        .set_compression(Compression::UNCOMPRESSED)
        .set_max_row_group_row_count(Some(256 * 1024));
    // Keys and hashes are (nearly) all distinct: a dictionary only costs time.
    for c in batch.schema().fields() {
        if matches!(
            c.name().as_str(),
            "samtale_id" | "forloeb_id" | "person" | "indhold_hash" | "rkey" | "pkey"
        ) {
            props = props.set_column_dictionary_enabled(c.name().as_str().into(), false);
        }
    }
    let props = props.build();
    let mut w =
        ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(|e| fmt_err(path, e))?;
    w.write(&batch).map_err(|e| fmt_err(path, e))?;
    let (file, sha256) = w.into_inner().map_err(|e| fmt_err(path, e))?.finish();
    file.sync_all().map_err(io_err(path))?;
    Ok(sha256)
}

/// `ref/kommuner.parquet`: municipalities with their regions, for SQL over the store.
pub(crate) fn write_reference(root: &Path) -> Result<()> {
    let k = &vocab().kommuner;
    let schema = Arc::new(Schema::new(vec![
        Field::new("kode", DataType::Utf8, false),
        Field::new("navn", DataType::Utf8, false),
        Field::new("regionskode", DataType::Utf8, false),
        Field::new("region", DataType::Utf8, false),
    ]));
    let region = |m: &samtalebank_model::vocab::Kommune| &k.regions[m.region as usize];
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            k.list.iter().map(|m| m.code.to_string()),
        )),
        Arc::new(StringArray::from_iter_values(
            k.list.iter().map(|m| m.name.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            k.list.iter().map(|m| region(m).code.to_string()),
        )),
        Arc::new(StringArray::from_iter_values(
            k.list.iter().map(|m| region(m).name.as_str()),
        )),
    ];
    let dir = root.join("ref");
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let path = dir.join("kommuner.parquet");
    let batch = RecordBatch::try_new(schema, cols).map_err(|e| fmt_err(&path, e))?;
    write_parquet(&path, batch).map(|_| ())
}
