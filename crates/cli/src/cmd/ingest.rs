//! Ingest register extracts into the store.
//!
//! Usage: samtalebank ingest INPUT... --store DIR [--strict] [--quiet]
//!
//! INPUT is a file or a directory (in a directory: samtaler*.csv|parquet and
//! forloeb*.csv|parquet). Bad rows go to DIR/_rejects/rejects-*.csv with file, line, column
//! and reason; good rows are always kept. CPR numbers are pseudonymised with HMAC-SHA-256 using
//! $SAMTALEBANK_KEY or the key file DIR.key beside the store (created with mode 0600).
//! Exits 1 only if nothing usable was read, or with --strict if any row was rejected.
//!
//! One ingest writes to a store at a time: a second one fails at once, naming the one that
//! writes, or with --wait waits for it to finish.

use std::path::PathBuf;

/// Validate, pseudonymise and store register extracts (CSV or Parquet).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files or directories to ingest.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// The store directory (created if missing).
    #[arg(long)]
    store: PathBuf,
    /// Fail if any row is rejected.
    #[arg(long)]
    strict: bool,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// If another ingest is writing to the store, wait for it to finish (default: fail at once).
    #[arg(long)]
    wait: bool,
}

pub fn run(a: Args) -> super::Result {
    let t = std::time::Instant::now();
    let s = samtalebank_ingest::run(&samtalebank_ingest::Options {
        store: a.store.clone(),
        inputs: a.inputs,
        strict: a.strict,
        quiet: a.quiet,
        wait: a.wait,
    })
    .map_err(|e| e.to_string())?;
    eprintln!(
        "ingest into {} ({:.1} s):\n{s}",
        a.store.display(),
        t.elapsed().as_secs_f64()
    );
    if !s.usable() {
        return Err("nothing usable was read".into());
    }
    if a.strict && s.rejected() > 0 {
        return Err(format!("{} rows rejected (--strict)", s.rejected()).into());
    }
    Ok(())
}
