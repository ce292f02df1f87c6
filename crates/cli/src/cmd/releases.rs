//! Inspect and publish releases: list them, show one, tell what changed between two, check a
//! candidate, make a release current (or an earlier one again), and remove old ones.
//!
//! Usage: samtalebank releases list --releases DIR
//!        samtalebank releases show --releases DIR [ID|current]
//!        samtalebank releases diff --releases DIR A B     (ids, or `current`)
//!        samtalebank releases verify --releases DIR [ID|current|all]
//!        samtalebank releases check --releases DIR ID [--against current] [--config FILE]
//!        samtalebank releases publish --releases DIR ID [--at TIME]
//!        samtalebank releases log --releases DIR
//!        samtalebank releases prune --releases DIR --keep N
//!
//! A half-written release (a build that crashed or was killed) is never listed; the next build
//! removes it.

use std::path::{Path, PathBuf};

use samtalebank_release::Release;

/// List releases, show one, or tell what changed between two.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand, Debug)]
enum Sub {
    /// Every complete release, oldest first, with its standing (current, published or
    /// candidate); * marks the current one.
    List {
        /// The releases directory written by `build`.
        #[arg(long)]
        releases: PathBuf,
    },
    /// A release's manifest: inputs, tables, cells and suppression.
    Show {
        /// The releases directory written by `build`.
        #[arg(long)]
        releases: PathBuf,
        /// Release id, or `current`.
        #[arg(default_value = "current")]
        id: String,
    },
    /// Check every file of a release against the SHA-256 its manifest records (exit 1 and the
    /// damaged file named if one does not match or is missing).
    Verify {
        /// The releases directory written by `build`.
        #[arg(long)]
        releases: PathBuf,
        /// Release id, `current`, or `all`.
        #[arg(default_value = "current")]
        id: String,
    },
    /// Cells revised, added, removed, newly suppressed and unsuppressed from A to B.
    Diff {
        /// The releases directory written by `build`.
        #[arg(long)]
        releases: PathBuf,
        /// The earlier release (id or `current`).
        a: String,
        /// The later release (id or `current`).
        b: String,
    },
    /// Compare a candidate with the current release before publishing it: tables and totals
    /// missing, periods gone, each municipality's newest month against the month before,
    /// revisions of published periods. Exit 1 when anything crosses a threshold
    /// (`check.toml` beside the releases, or --config; see docs/publishing.md).
    Check {
        /// The releases directory written by `build`.
        #[arg(long)]
        releases: PathBuf,
        /// The release to check (usually a candidate).
        id: String,
        /// The release it would replace.
        #[arg(long, default_value = "current")]
        against: String,
        /// The thresholds (default: `check.toml` in the releases directory, else the defaults).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Make a release current: a candidate, or an earlier release again (a rollback). Every
    /// file is checked first; the change is written to the release log. A running server
    /// switches on SIGHUP or `POST /admin/reload`; with --at, the server itself publishes at
    /// that time.
    Publish {
        /// The releases directory written by `build`.
        #[arg(long)]
        releases: PathBuf,
        /// The release to make current.
        id: String,
        /// Publish at this time (RFC 3339, e.g. 2027-01-08T08:00:00+01:00) instead of now: the
        /// running server makes the release current then and switches to it.
        #[arg(long)]
        at: Option<String>,
        /// If another build or publication holds the releases directory, wait for it.
        #[arg(long)]
        wait: bool,
    },
    /// Every change of the current release, oldest first (the release log).
    Log {
        /// The releases directory written by `build`.
        #[arg(long)]
        releases: PathBuf,
    },
    /// Remove old releases: keep the current one and the KEEP − 1 newest other published
    /// releases; never a candidate or a release named in `PINNED` beside the releases. Safe
    /// while the server runs.
    Prune {
        /// The releases directory written by `build`.
        #[arg(long)]
        releases: PathBuf,
        /// How many published releases to keep (the current one included).
        #[arg(long)]
        keep: usize,
        /// If another build or publication holds the releases directory, wait for it.
        #[arg(long)]
        wait: bool,
    },
}

fn lock(releases: &Path, wait: bool) -> super::Result<samtalebank_release::PublishLock> {
    let w = if wait {
        samtalebank_release::Wait::Yes
    } else {
        samtalebank_release::Wait::No
    };
    Ok(samtalebank_release::PublishLock::acquire(releases, w)?)
}

fn open(releases: &Path, id: &str) -> super::Result<Release> {
    Ok(Release::open_id(releases, id)?)
}

pub fn run(a: Args) -> super::Result {
    match a.command {
        Sub::List { releases } => {
            let all = samtalebank_release::statuses(&releases).map_err(|e| e.to_string())?;
            if all.is_empty() {
                return Err(format!("no releases in {}", releases.display()).into());
            }
            for (m, status) in all {
                let tables: Vec<&str> = m.tables.iter().map(|t| t.id.as_str()).collect();
                println!(
                    "{} {}  {:<9}  created {}  data to {}  {}",
                    if status == samtalebank_release::Status::Current {
                        "*"
                    } else {
                        " "
                    },
                    m.id,
                    status.name(),
                    m.created,
                    m.data_end,
                    tables.join(",")
                );
            }
        }
        Sub::Show { releases, id } => {
            let r = open(&releases, &id)?;
            let m = &r.manifest;
            println!(
                "release {}\ncreated {}\ndata to {}\nthreshold {}\nprotection {}",
                m.id,
                m.created,
                m.data_end,
                m.threshold,
                m.protection.name()
            );
            if let Some(c) = &m.ckm {
                println!(
                    "cell key method: largest change ±{}, variance {}, no count in 1..{}, unchanged with probability {:.2} (counts above {}), shares need a denominator of at least {}",
                    c.d, c.v, c.js, c.p_unchanged, c.d + c.js, c.min_denominator
                );
            }
            println!(
                "inputs: {} files, {} rows",
                m.inputs.len(),
                m.inputs.iter().map(|i| i.rows).sum::<u64>()
            );
            for t in &m.tables {
                let primary: u64 = t.cost.iter().map(|c| c.primary_cells).sum();
                println!(
                    "  {}: {} cells, {} non-zero, {} with a suppressed count ({} primary)",
                    t.id, t.cells, t.nonzero_cells, t.suppressed_cells, primary
                );
                for c in t.cost.iter().filter(|c| c.changed_counts.is_some()) {
                    println!(
                        "      {:<8} {} of {} counts changed, mean |change| {:.2}, largest {}",
                        c.level,
                        c.changed_counts.unwrap_or(0),
                        c.counts.unwrap_or(0),
                        c.mean_abs_change.unwrap_or(0.0),
                        c.max_abs_change.unwrap_or(0)
                    );
                }
            }
        }
        Sub::Verify { releases, id } => {
            let dirs: Vec<PathBuf> = if id == "all" {
                samtalebank_release::list(&releases)
                    .map_err(|e| e.to_string())?
                    .iter()
                    .map(|m| releases.join(&m.id))
                    .collect()
            } else {
                vec![samtalebank_release::release_dir(&releases, &id).map_err(|e| e.to_string())?]
            };
            if dirs.is_empty() {
                return Err(format!("no releases in {}", releases.display()).into());
            }
            let mut damaged = 0;
            for d in dirs {
                match samtalebank_release::verify(&d) {
                    Ok(v) => println!(
                        "{}: {} files, {:.1} MB, every checksum matches",
                        v.id,
                        v.files,
                        v.bytes as f64 / 1e6
                    ),
                    Err(e) => {
                        damaged += 1;
                        println!("{e}");
                    }
                }
            }
            if damaged > 0 {
                return Err(format!("{damaged} damaged release(s)").into());
            }
        }
        Sub::Diff { releases, a, b } => {
            let (ra, rb) = (open(&releases, &a)?, open(&releases, &b)?);
            println!("from {} to {}", ra.manifest.id, rb.manifest.id);
            for d in samtalebank_release::diff(&ra, &rb) {
                match d.only_in {
                    Some(side) => println!(
                        "  {}: only in {}",
                        d.id,
                        if side == 'A' {
                            &ra.manifest.id
                        } else {
                            &rb.manifest.id
                        }
                    ),
                    None => {
                        println!(
                            "  {}: {} compared, {} revised, {} added, {} removed, {} newly suppressed, {} no longer suppressed",
                            d.id, d.compared, d.revised, d.added, d.removed, d.newly_suppressed, d.unsuppressed
                        );
                        if !d.only_counts.is_empty() {
                            println!(
                                "      counts stored in one release only (not compared): {}",
                                d.only_counts.join(", ")
                            );
                        }
                        for e in &d.examples {
                            println!("      {e}");
                        }
                    }
                }
            }
        }
        Sub::Check {
            releases,
            id,
            against,
            config,
        } => {
            let cfg = match &config {
                Some(p) => samtalebank_release::CheckConfig::load(p)?,
                None => samtalebank_release::CheckConfig::for_releases(&releases)?,
            };
            let (cur, cand) = (open(&releases, &against)?, open(&releases, &id)?);
            println!(
                "checking {} against {} (changes over {:.0} % from a base of {}; revisions over {:.2} %)",
                cand.manifest.id,
                cur.manifest.id,
                100.0 * cfg.max_change,
                cfg.min_base,
                100.0 * cfg.max_revised_share
            );
            let findings = samtalebank_release::check(&cur, &cand, &cfg);
            let crossed = findings.iter().filter(|f| f.crossed).count();
            for f in &findings {
                println!("{} {}", if f.crossed { "!" } else { " " }, f.text);
            }
            if crossed > 0 {
                return Err(format!(
                    "{crossed} finding(s) over a threshold (marked !); look at them before `samtalebank releases publish {}`",
                    cand.manifest.id
                )
                .into());
            }
            println!("nothing over a threshold");
        }
        Sub::Publish {
            releases,
            id,
            at,
            wait,
        } => match at {
            Some(at) => {
                let s =
                    samtalebank_release::schedule(&lock(&releases, wait)?, &releases, &id, &at)?;
                println!(
                    "release {} is to be published at {}: the running server (`samtalebank serve`) makes it current then",
                    s.release, s.at
                );
            }
            None => {
                let p = samtalebank_release::publish_release(
                    &lock(&releases, wait)?,
                    &releases,
                    &id,
                    None,
                )?;
                println!(
                    "release {} is current ({}; before: {}). A running server switches on SIGHUP or POST /admin/reload",
                    p.entry.release,
                    p.entry.by,
                    p.entry.previous.as_deref().unwrap_or("none")
                );
            }
        },
        Sub::Log { releases } => {
            let log = samtalebank_release::read_log(&releases)?;
            if log.is_empty() {
                println!(
                    "no changes of the current release are logged in {}",
                    releases.display()
                );
            }
            for e in log {
                println!(
                    "{}  {:<9}  {}  (before: {})",
                    e.time,
                    e.by,
                    e.release,
                    e.previous.as_deref().unwrap_or("none")
                );
            }
        }
        Sub::Prune {
            releases,
            keep,
            wait,
        } => {
            if keep == 0 {
                return Err(
                    "--keep must be at least 1 (the current release is always kept)".into(),
                );
            }
            let p = samtalebank_release::prune(&lock(&releases, wait)?, &releases, keep)?;
            for id in &p.removed {
                println!("removed {id}");
            }
            println!("{} removed, {} kept", p.removed.len(), p.kept.len());
        }
    }
    Ok(())
}
