//! Build a release from the store, or from aggregates computed elsewhere.
//!
//! ```text
//! samtalebank build --store DIR --releases DIR [--threshold 5]
//!                   [--protection ckm|primary|lines|intervals|lp|full] [--lp-budget 4500]
//! samtalebank build --aggregates DIR [--store DIR] --releases DIR [...]
//! samtalebank build ... --candidate
//! ```
//!
//! Computes every table with the built-in engine, applies disclosure control, and publishes an
//! immutable release that becomes current atomically (the previous one stays current if the
//! build fails or is killed); with --candidate it is written but not made current
//! (`samtalebank releases publish` does that, docs/publishing.md). Each table is also written
//! whole for machines (bulk files; --no-bulk leaves them out), and what the release revises in
//! the current one's periods is kept with it. One build publishes into a releases directory at
//! a time: a second fails at once, or with --wait waits. The store may be ingested into
//! meanwhile: the build reads the parts committed when it started.
//!
//! With --aggregates, the tables' counts and key sums are the SQL twins' outputs from another
//! engine (`scripts/spark_twins.py`), checked and published through the same disclosure control;
//! --store then only supplies the citizen survey, tabulated as in a native build (its
//! questionnaire comes with it).

use std::path::PathBuf;

use samtalebank_model::{defaults, Protection};
use samtalebank_pipeline::BuildOptions;

/// Compute the tables and publish a new release.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The store to build from (made by `samtalebank ingest`); with `--aggregates`, only its
    /// citizen survey is read.
    #[arg(long, required_unless_present = "aggregates")]
    store: Option<PathBuf>,
    /// Publish from the SQL twins' outputs computed elsewhere (a directory with BOUNDS/,
    /// SAMT01/, SAMT02/ and SAMT03/ of Parquet or CSV files, as `scripts/spark_twins.py` writes
    /// them) instead of computing the tables from the store. See docs/scale-out.md.
    #[arg(long)]
    aggregates: Option<PathBuf>,
    /// The releases directory; the new release becomes its current one.
    #[arg(long)]
    releases: PathBuf,
    /// Counts from 1 up to (not including) this are not published.
    #[arg(long, default_value_t = defaults::THRESHOLD)]
    threshold: u32,
    /// Disclosure control: `ckm` (the default: the cell key method, every count slightly and
    /// deterministically perturbed, none from 1 to threshold − 1 shown, nothing hidden);
    /// suppression for additive tables: `primary` (counts below the threshold only), `lines`
    /// (then no total with exactly one hidden part), `intervals` (then nothing pinned or shown
    /// below the threshold by chaining relations), `lp` (then nothing pinned or shown small by a
    /// linear programme over any sub-table up to `--lp-budget` published counts; needs a binary
    /// built with `--features lp`), `full` (the hypercube method). See docs/disclosure.md.
    #[arg(long, value_enum, default_value_t = Protection::Ckm)]
    protection: Protection,
    /// With `--protection lp`: the largest sub-table the LP audit solves, in published counts
    /// (cells times counts per cell). Larger sub-tables protect against attackers who take
    /// more of a table at once, and take much longer (see docs/disclosure.md).
    #[arg(long, default_value_t = samtalebank_disclosure::LP_BUDGET)]
    lp_budget: usize,
    /// If another build is publishing into the releases directory, wait for it (default: fail
    /// at once).
    #[arg(long)]
    wait: bool,
    /// Start even when the build's estimated peak memory (from the store's size) exceeds the
    /// memory available (default: refuse with a message pointing to the Spark route).
    #[arg(long)]
    no_memory_check: bool,
    /// The memory the build may use, in GiB (default: what the machine has available); a store
    /// whose build is estimated to need more is refused before any work is done.
    #[arg(long, value_name = "GIB")]
    max_memory: Option<f64>,
    /// Write a candidate: a complete release that is not current. The public keeps seeing the
    /// current release; holders of the admin token preview the candidate; `releases check ID`
    /// compares it with the current one and `releases publish ID` makes it current.
    #[arg(long)]
    candidate: bool,
    /// Do not write the tables whole for machines (`bulk.parquet`, `bulk.csv.gz` per table,
    /// served at /api/v2/bulk); they take a few seconds of a large build.
    #[arg(long)]
    no_bulk: bool,
}

pub fn run(a: Args) -> super::Result {
    let t = std::time::Instant::now();
    let o = BuildOptions {
        store: a.store.clone().unwrap_or_default(),
        releases: a.releases.clone(),
        threshold: a.threshold,
        protection: a.protection,
        lp_budget: a.lp_budget,
        wait: a.wait,
        memory_check: !a.no_memory_check,
        max_memory: a.max_memory.map(|g| (g * (1u64 << 30) as f64) as u64),
        candidate: a.candidate,
        bulk: !a.no_bulk,
    };
    let (m, timings) = match &a.aggregates {
        Some(dir) => samtalebank_pipeline::build_from_aggregates(&o, dir, a.store.as_deref())?,
        None => samtalebank_pipeline::build(&o)?,
    };
    eprintln!(
        "  read store and index spells {:.2} s ({} conversations, {} spells), tables {:.2} s, disclosure control {:.2} s, publish {:.2} s",
        timings.read.as_secs_f64(),
        timings.conversations,
        timings.spells,
        timings.tables.as_secs_f64(),
        timings.protect.as_secs_f64(),
        timings.publish.as_secs_f64()
    );
    eprintln!(
        "release {} {} in {} ({:.2} s, protection {})",
        m.id,
        if m.candidate {
            "written as a candidate (not current; `samtalebank releases publish` makes it current)"
        } else {
            "published"
        },
        a.releases.display(),
        t.elapsed().as_secs_f64(),
        m.protection.name()
    );
    for tb in &m.tables {
        eprintln!(
            "  {}: {} cells, {} non-zero, {} suppressed",
            tb.id, tb.cells, tb.nonzero_cells, tb.suppressed_cells
        );
        if let Some(a) = &tb.audit {
            eprintln!(
                "      audits: interval {} rounds, {} counts added, {} published again, {} leaks left; \
                 LP {} sub-tables, {} programs ({} failed), {} repairs, {} hypercubes, {} published again, {} leaks left",
                a.interval_rounds,
                a.interval_added,
                a.interval_published,
                a.interval_left,
                a.lp_subtables,
                a.lp_programs,
                a.lp_failed,
                a.lp_repairs,
                a.lp_cubes,
                a.lp_published,
                a.lp_left
            );
        }
        for c in tb.cost.iter().filter(|c| c.changed_counts.is_some()) {
            eprintln!(
                "      {:<8} {} non-zero cells, all published; {} of {} counts changed, mean |change| {:.2}, largest {}",
                c.level,
                c.cells,
                c.changed_counts.unwrap_or(0),
                c.counts.unwrap_or(0),
                c.mean_abs_change.unwrap_or(0.0),
                c.max_abs_change.unwrap_or(0)
            );
        }
        for c in tb.cost.iter().filter(|c| c.changed_counts.is_none()) {
            eprintln!(
                "      {:<8} {:>5.1} % of non-zero cells suppressed ({:.1} % primary), {:>5.2} % of the count",
                c.level,
                c.cell_pct(),
                c.primary_pct(),
                c.total_pct()
            );
        }
    }
    Ok(())
}
