//! Inspect releases: list them, show one, and tell what changed between two.
//!
//! Usage: samtalebank releases list --releases DIR
//!        samtalebank releases show --releases DIR [ID|current]
//!        samtalebank releases diff --releases DIR A B     (ids, or `current`)
//!        samtalebank releases verify --releases DIR [ID|current|all]
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
    /// Every complete release, oldest first; * marks the current one.
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
}

fn current(releases: &Path) -> Option<String> {
    samtalebank_release::current_id(releases).ok().flatten()
}

fn open(releases: &Path, id: &str) -> super::Result<Release> {
    Ok(Release::open_id(releases, id)?)
}

pub fn run(a: Args) -> super::Result {
    match a.command {
        Sub::List { releases } => {
            let cur = current(&releases);
            let all = samtalebank_release::list(&releases).map_err(|e| e.to_string())?;
            if all.is_empty() {
                return Err(format!("no releases in {}", releases.display()).into());
            }
            for m in all {
                let tables: Vec<&str> = m.tables.iter().map(|t| t.id.as_str()).collect();
                println!(
                    "{} {}  created {}  data to {}  {}",
                    if cur.as_deref() == Some(m.id.as_str()) {
                        "*"
                    } else {
                        " "
                    },
                    m.id,
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
    }
    Ok(())
}
