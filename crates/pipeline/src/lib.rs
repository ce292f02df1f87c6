//! The build: store → engine → disclosure control → release.
//!
//! [`build`] reads the store as columns of dictionary codes, computes every table with the
//! engine, protects them, derives the tables computed from published ones (BENCH01), tabulates
//! the citizen survey if the store holds one (SURV01) and publishes an immutable release that becomes current atomically.

use std::path::PathBuf;

pub mod memory;
use std::time::{Duration, Instant};

use samtalebank_model::{time, Protection};
use samtalebank_release::{InputChecksum, Manifest, PublishOptions};
use samtalebank_store::{Store, OPEN_END};
use samtalebank_tables::registry;

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub store: PathBuf,
    pub releases: PathBuf,
    /// Counts from 1 up to (not including) this are not published.
    pub threshold: u32,
    pub protection: Protection,
    /// The LP audit's budget (with `Protection::Lp`).
    pub lp_budget: usize,
    /// Wait for another build publishing into the same releases directory, instead of
    /// failing at once.
    pub wait: bool,
    /// Refuse to start when the build's estimated peak memory ([`memory::estimated_peak`])
    /// exceeds the memory available.
    pub memory_check: bool,
    /// The memory the build may use, in bytes (default: what the machine has available).
    pub max_memory: Option<u64>,
    /// Write a candidate release: complete, but not current until `releases publish`.
    pub candidate: bool,
    /// Write each table whole in one file for machines (Parquet and CSV.gz).
    pub bulk: bool,
}

/// Where the build's time went.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub read: Duration,
    pub tables: Duration,
    pub protect: Duration,
    pub publish: Duration,
    pub conversations: usize,
    pub spells: usize,
}

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Store(#[from] samtalebank_store::StoreError),
    #[error(transparent)]
    Release(#[from] samtalebank_release::ReleaseError),
    #[error(transparent)]
    Disclosure(#[from] samtalebank_disclosure::DisclosureError),
    #[error(transparent)]
    Engine(#[from] samtalebank_engine::EngineError),
    #[error("aggregates: {0}")]
    Aggregates(#[from] samtalebank_aggregates::AggregatesError),
    #[error("the store holds no conversations")]
    Empty,
    #[error(
        "the build of {conversations} conversations and {spells} spells needs about {} of memory, \
         and {} is available to it: run the SQL twins on Spark and publish from their aggregates with \
         `samtalebank build --aggregates` (docs/scale-out.md), or try anyway with --no-memory-check",
        memory::gib(*.need),
        memory::gib(*.have)
    )]
    TooBig {
        conversations: u64,
        spells: u64,
        need: u64,
        have: u64,
    },
}

/// Build and publish a release; returns its manifest and where the time went.
///
/// Long: The pipeline's stages in order, each timed; reading it straight through is the point.
pub fn build(o: &BuildOptions) -> Result<(Manifest, Timings), BuildError> {
    samtalebank_disclosure::supported(o.protection)?;
    // One build publishes into a releases directory at a time: refused (or waiting) before
    // any work is done.
    let wait = if o.wait {
        samtalebank_store::Wait::Yes
    } else {
        samtalebank_store::Wait::No
    };
    let lock = samtalebank_release::PublishLock::acquire(&o.releases, wait)?;
    let mut timings = Timings::default();
    let t = Instant::now();
    let store = Store::open(&o.store)?;
    if o.memory_check {
        let rows = |table: &str| -> u64 {
            store
                .manifest()
                .parts
                .iter()
                .filter(|p| p.table == table)
                .map(|p| p.rows)
                .sum()
        };
        let (conversations, spells) = (
            rows(samtalebank_store::SAMTALER),
            rows(samtalebank_store::FORLOEB),
        );
        let need = memory::estimated_peak(conversations, spells);
        if let Some(have) = o
            .max_memory
            .or_else(memory::available)
            .filter(|&have| need > have)
        {
            return Err(BuildError::TooBig {
                conversations,
                spells,
                need,
                have,
            });
        }
    }
    // Spells are read and indexed on one thread while the conversations are read on another.
    let (s, f) = std::thread::scope(|sc| {
        let f = sc.spawn(|| {
            store.read_forloeb().map(|f| {
                let idx = samtalebank_engine::SpellIndex::new(&f);
                (f, idx)
            })
        });
        let s = store.read_samtaler();
        (s, f.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    });
    let (s, f) = (s?, f?);
    timings.read = t.elapsed();
    let (f, spells) = f;
    // The data's end: the latest date in the store.
    let data_end = s
        .dato
        .iter()
        .chain(&f.start)
        .chain(f.slut.iter().filter(|&&d| d != OPEN_END))
        .copied()
        .max()
        .ok_or(BuildError::Empty)?;
    timings.spells = f.len();
    // The spell index holds all the tables need; free the columns.
    drop(f);
    let data_start = s.dato.iter().copied().min().ok_or(BuildError::Empty)?;
    let first_day = time::month_start(time::month_of(data_start));
    // SAMT01 on this thread; the per-person tables (SAMT02, SAMT03) on another.
    let t = Instant::now();
    let (samt01, (samt02, samt03)) = std::thread::scope(|sc| {
        let per_person = sc.spawn(|| {
            let convs = samtalebank_engine::ConversationIndex::new(&s);
            (
                samtalebank_engine::samt02(&spells, &convs, first_day, data_end),
                samtalebank_engine::samt03(&spells, &convs, first_day, data_end),
            )
        });
        let samt01 = samtalebank_engine::samt01_indexed(&s, &spells);
        let pp = per_person
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (samt01, pp)
    });
    timings.tables = t.elapsed();
    timings.conversations = s.len();
    // Only the tables are needed from here on: free the columns and indexes.
    drop(s);
    drop(spells);
    let cubes: Vec<samtalebank_tables::Cube> =
        [samt01, samt02, samt03].into_iter().flatten().collect();
    if cubes.is_empty() {
        return Err(BuildError::Empty);
    }
    let survey = store.read_survey()?;
    let inputs = store
        .manifest()
        .parts
        .iter()
        .map(|p| InputChecksum {
            path: p.path.clone(),
            rows: p.rows,
            sha256: p.sha256.clone(),
        })
        .collect();
    let m = protect_and_publish(
        o,
        &lock,
        &cubes,
        survey,
        inputs,
        data_start,
        data_end,
        &mut timings,
    )?;
    Ok((m, timings))
}

/// Build and publish a release from aggregates computed elsewhere (the SQL twins' outputs,
/// [`samtalebank_aggregates`]): the same disclosure control, derived tables and publication as
/// [`build`]. The citizen survey (its questions and answers come with it) is tabulated from
/// `survey_store` when given.
/// The manifest's inputs are the aggregate files (`aggregates/SAMT01/part-….parquet`).
pub fn build_from_aggregates(
    o: &BuildOptions,
    aggregates: &std::path::Path,
    survey_store: Option<&std::path::Path>,
) -> Result<(Manifest, Timings), BuildError> {
    samtalebank_disclosure::supported(o.protection)?;
    let wait = if o.wait {
        samtalebank_store::Wait::Yes
    } else {
        samtalebank_store::Wait::No
    };
    // Everything is read and checked before the publishing lock is taken.
    let mut timings = Timings::default();
    let t = Instant::now();
    let a = samtalebank_aggregates::read(aggregates)?;
    let survey = match survey_store {
        Some(p) => Store::open(p)?.read_survey()?,
        None => None,
    };
    timings.read = t.elapsed();
    let lock = samtalebank_release::PublishLock::acquire(&o.releases, wait)?;
    let inputs = a
        .inputs
        .iter()
        .map(|f| InputChecksum {
            path: format!("aggregates/{}", f.path),
            rows: f.rows,
            sha256: f.sha256.clone(),
        })
        .collect();
    let m = protect_and_publish(
        o,
        &lock,
        &a.cubes,
        survey,
        inputs,
        a.data_start,
        a.data_end,
        &mut timings,
    )?;
    Ok((m, timings))
}

/// Disclosure control, the derived tables (BENCH01), the citizen survey and publication: the
/// part of a build after the tables are counted, whoever counted them.
#[allow(clippy::too_many_arguments)]
fn protect_and_publish(
    o: &BuildOptions,
    lock: &samtalebank_release::PublishLock,
    cubes: &[samtalebank_tables::Cube],
    survey: Option<samtalebank_store::Survey>,
    inputs: Vec<InputChecksum>,
    data_start: i32,
    data_end: i32,
    timings: &mut Timings,
) -> Result<Manifest, BuildError> {
    let t = Instant::now();
    let mut published = samtalebank_disclosure::protect(
        cubes,
        &samtalebank_disclosure::Options {
            threshold: o.threshold,
            protection: o.protection,
            lp_budget: o.lp_budget,
            data_start,
            data_end,
        },
    )?;
    let sources: Vec<&samtalebank_tables::Published> = published.iter().collect();
    let mut bench = samtalebank_engine::bench01(&registry::BENCH01, &sources)?;
    bench.report.cost = samtalebank_disclosure::derived_cost(&bench);
    bench.note = samtalebank_disclosure::note(&registry::BENCH01, o.threshold, o.protection);
    published.push(bench);
    // The citizen survey, when the store holds one.
    if let Some(survey) = survey {
        let s = samtalebank_engine::surv01(&survey.questionnaire, &survey.respondents);
        let mut p = samtalebank_disclosure::protect_survey(&s.cube, o.threshold);
        p.nesting = Some(s.nesting);
        p.notes = s.notes;
        published.push(p);
    }
    timings.protect = t.elapsed();
    let t = Instant::now();
    let m = samtalebank_release::publish(
        lock,
        &PublishOptions {
            releases: o.releases.clone(),
            threshold: o.threshold,
            protection: o.protection,
            ckm: if o.protection == Protection::Ckm {
                Some(samtalebank_disclosure::ckm_params(o.threshold)?)
            } else {
                None
            },
            inputs,
            data_end,
            data_start,
            candidate: o.candidate,
            bulk: o.bulk,
        },
        &published,
    )?;
    timings.publish = t.elapsed();
    Ok(m)
}
