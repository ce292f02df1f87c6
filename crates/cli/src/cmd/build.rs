//! Build a release from the store.
//!
//! Usage: samtalebank build --store DIR --releases DIR [--threshold 5]
//!                          [--protection lp|intervals|lines|full|primary]
//!                          [--lp-budget 4500]
//!
//! Computes every table with the built-in engine, applies disclosure control, and publishes an
//! immutable release that becomes current atomically (the previous one stays current if the
//! build fails or is killed).

use std::path::{Path, PathBuf};

use samtalebank_model::time;
use samtalebank_release::{InputChecksum, Protection, PublishOptions};

/// Compute the tables and publish a new release.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long)]
    store: PathBuf,
    #[arg(long)]
    releases: PathBuf,
    /// Counts from 1 up to (not including) this are suppressed.
    #[arg(long, default_value_t = 5)]
    threshold: u32,
    /// Disclosure control: `primary` (counts below the threshold only), `lines` (then no total
    /// with exactly one hidden part: nothing recoverable by subtraction), `intervals` (then
    /// nothing pinned or shown below the threshold by chaining relations), `lp` (then nothing
    /// pinned or shown small by a linear programme over any sub-table up to `--lp-budget`
    /// published counts; the default), `full` (the hypercube method instead: nothing recoverable by
    /// linear programming; hides most of today's detailed tables, see the README).
    #[arg(long, default_value = "lp")]
    protection: Protection,
    /// With `--protection lp`: the largest sub-table the LP audit solves, in published counts
    /// (cells times counts per cell). Larger sub-tables protect against attackers who take
    /// more of a table at once, and take much longer (see the README).
    #[arg(long, default_value_t = samtalebank_release::LP_BUDGET)]
    lp_budget: usize,
}

pub fn run(a: Args) -> Result<(), String> {
    let t = std::time::Instant::now();
    let m = build(
        &a.store,
        &a.releases,
        a.threshold,
        a.protection,
        a.lp_budget,
    )?;
    eprintln!(
        "release {} published in {} ({:.2} s, protection {})",
        m.id,
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
        for c in &tb.cost {
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

pub fn build(
    store: &Path,
    releases: &Path,
    threshold: u32,
    protection: Protection,
    lp_budget: usize,
) -> Result<samtalebank_release::Manifest, String> {
    let t = std::time::Instant::now();
    let store = samtalebank_store::Store::open(store).map_err(|e| e.to_string())?;
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
    let (s, f) = (s.map_err(|e| e.to_string())?, f.map_err(|e| e.to_string())?);
    let t_read = t.elapsed();
    let (f, spells) = f;
    // The data's end: the latest date in the store.
    let data_end = s
        .dato
        .iter()
        .chain(&f.start)
        .chain(f.slut.iter().filter(|&&d| d != samtalebank_store::OPEN_END))
        .copied()
        .max()
        .ok_or("the store holds no conversations")?;
    // The spell index holds all the tables need; free the columns.
    let n_spells = f.len();
    drop(f);
    let first = s
        .dato
        .iter()
        .copied()
        .min()
        .ok_or("the store holds no conversations")?;
    // SAMT02 counts spells that start from the first month with conversations.
    let first_day = time::month_start(time::month_of(first));
    // SAMT01 on this thread; the per-person tables (SAMT02, SAMT03) on another.
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
    let samt01 = samt01.ok_or("the store holds no conversations")?;
    let bench01 = samtalebank_engine::bench01(&samt01, samt02.as_ref(), samt03.as_ref());
    let t_engine = t.elapsed();
    // Only the tables are needed from here on: free the columns and indexes before publishing.
    let n_conversations = s.len();
    drop(s);
    drop(spells);
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
    let m = samtalebank_release::publish(
        &PublishOptions {
            releases: releases.to_path_buf(),
            threshold,
            protection,
            lp_budget,
            inputs,
            data_end,
            data_start: first,
        },
        std::iter::once(("SAMT01", samt01))
            .chain(samt02.map(|c| ("SAMT02", c)))
            .chain(samt03.map(|c| ("SAMT03", c)))
            .chain(std::iter::once(("BENCH01", bench01)))
            .collect(),
    )
    .map_err(|e| e.to_string())?;
    eprintln!(
        "  read store and index spells {:.2} s ({} conversations, {} spells), tables {:.2} s, publish {:.2} s",
        t_read.as_secs_f64(),
        n_conversations,
        n_spells,
        (t_engine - t_read).as_secs_f64(),
        (t.elapsed() - t_engine).as_secs_f64()
    );
    Ok(m)
}
