//! Which release is public, and since when: candidates, publishing an existing release (and
//! rolling back to an earlier one), the release log, and pruning old releases.
//!
//! A build writes a release that is current at once, or (`build --candidate`) a *candidate*:
//! complete and checked like any release, but not current and not served to the public until
//! `samtalebank releases publish ID` makes it current. Every change of the current release is
//! one line of `releases/releases.log` (JSON lines, appended under the build lock and synced):
//!
//! ```text
//! {"time":"2027-01-08T07:00:00Z","release":"20270107T…","previous":"20261207T…","by":"publish"}
//! ```
//!
//! A release is *published* once it has been current: built without `--candidate`, or named in
//! the log. A candidate is a release built with `--candidate` and never published.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::publish::PublishLock;
use crate::{fmt_err, io_err, Manifest, Result};

/// The release log's file name in a releases directory.
pub const LOG_FILE: &str = "releases.log";

/// One change of the current release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// When (RFC 3339, UTC).
    pub time: String,
    /// The release made current.
    pub release: String,
    /// The release current before, if any.
    #[serde(default)]
    pub previous: Option<String>,
    /// What made it current: `build`, `publish`, `rollback` (publishing a release that was
    /// current before) or `scheduled` (a publication at a set time, run by the server).
    pub by: String,
}

/// The release log, oldest first (empty when there is none). A line that cannot be read is
/// an error naming the file and line.
pub fn read_log(releases: &Path) -> Result<Vec<LogEntry>> {
    let path = releases.join(LOG_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(&path)(e)),
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| fmt_err(&path, format!("line {}: {e}", i + 1)))
        })
        .collect()
}

/// Append one entry to the log and sync it.
pub(crate) fn append(releases: &Path, e: &LogEntry) -> Result<()> {
    let path = releases.join(LOG_FILE);
    let mut line = serde_json::to_vec(e).map_err(|err| fmt_err(&path, err))?;
    line.push(b'\n');
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(io_err(&path))?;
    f.write_all(&line).map_err(io_err(&path))?;
    f.sync_all().map_err(io_err(&path))?;
    Ok(())
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A release's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The release the public sees.
    Current,
    /// Was current once.
    Published,
    /// Built with `--candidate`, never published.
    Candidate,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Current => "current",
            Status::Published => "published",
            Status::Candidate => "candidate",
        }
    }
}

/// The ids of every release that has been current (built as current, or named in the log).
pub fn published_ids(releases: &Path, manifests: &[Manifest]) -> Result<BTreeSet<String>> {
    let mut ids: BTreeSet<String> = manifests
        .iter()
        .filter(|m| !m.candidate)
        .map(|m| m.id.clone())
        .collect();
    ids.extend(read_log(releases)?.into_iter().map(|e| e.release));
    if let Some(c) = crate::current_id(releases)? {
        ids.insert(c);
    }
    Ok(ids)
}

/// Every complete release with its standing, oldest first.
pub fn statuses(releases: &Path) -> Result<Vec<(Manifest, Status)>> {
    let all = crate::list(releases)?;
    let published = published_ids(releases, &all)?;
    let current = crate::current_id(releases)?;
    Ok(all
        .into_iter()
        .map(|m| {
            let s = if current.as_deref() == Some(m.id.as_str()) {
                Status::Current
            } else if published.contains(&m.id) {
                Status::Published
            } else {
                Status::Candidate
            };
            (m, s)
        })
        .collect())
}

/// What [`publish_release`] did.
#[derive(Debug, Clone)]
pub struct Published {
    pub entry: LogEntry,
}

/// Make an existing, complete release current (atomically: `CURRENT` replaced by rename) and
/// log it. Every file of the release is checked against its manifest first: a damaged release
/// is refused and the current one stays. Publishing a release that was current before is a
/// rollback. `by` overrides what the log says made it current (`scheduled`).
pub fn publish_release(
    lock: &PublishLock,
    releases: &Path,
    id: &str,
    by: Option<&str>,
) -> Result<Published> {
    lock.check(releases)?;
    let dir = crate::release_dir(releases, id)?;
    if !dir.join("manifest.json").is_file() {
        return Err(fmt_err(
            releases,
            format!("there is no release '{id}' (see `samtalebank releases list`)"),
        ));
    }
    crate::verify(&dir)?;
    let id = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let previous = crate::current_id(releases)?;
    let all = crate::list(releases)?;
    let was_published = published_ids(releases, &all)?.contains(&id);
    let by = by
        .unwrap_or(if was_published { "rollback" } else { "publish" })
        .to_string();
    samtalebank_files::write_atomic(
        &releases.join("CURRENT"),
        format!("{id}\n").as_bytes(),
        0o644,
    )?;
    let entry = LogEntry {
        time: now(),
        release: id,
        previous,
        by,
    };
    append(releases, &entry)?;
    Ok(Published { entry })
}

/// What [`prune`] removed and kept.
#[derive(Debug, Clone, Default)]
pub struct Pruned {
    pub removed: Vec<String>,
    pub kept: Vec<String>,
}

/// The file of release ids an operator keeps whatever `prune` is told (one per line; `#`
/// starts a comment).
pub const PINNED_FILE: &str = "PINNED";

/// Remove published releases beyond the `keep` newest, never the current release, a candidate
/// or a release named in `releases/PINNED`. Each is first renamed to a hidden name (so it is
/// never listed or opened again), then deleted; a prune that is killed leaves a hidden
/// directory that the next prune or build removes. A running server is not disturbed: it
/// serves the current release from memory and opens no other but a candidate.
pub fn prune(lock: &PublishLock, releases: &Path, keep: usize) -> Result<Pruned> {
    lock.check(releases)?;
    remove_pruned(releases)?;
    let pinned = pinned(releases)?;
    let mut out = Pruned::default();
    let published: Vec<(Manifest, Status)> = statuses(releases)?;
    // Newest first among the published ones (the current one counts among the kept).
    let mut seen_published = 0usize;
    for (m, s) in published.into_iter().rev() {
        let keep_it = match s {
            Status::Current | Status::Candidate => true,
            Status::Published => {
                seen_published += 1;
                seen_published <= keep.saturating_sub(1) || pinned.contains(&m.id)
            }
        };
        if keep_it {
            out.kept.push(m.id);
            continue;
        }
        let from = releases.join(&m.id);
        let hidden = releases.join(format!(".pruned-{}", m.id));
        std::fs::rename(&from, &hidden).map_err(io_err(&from))?;
        samtalebank_files::sync_dir(releases)?;
        std::fs::remove_dir_all(&hidden).map_err(io_err(&hidden))?;
        out.removed.push(m.id);
    }
    out.kept.reverse();
    out.removed.reverse();
    Ok(out)
}

/// Release ids in `releases/PINNED`.
pub fn pinned(releases: &Path) -> Result<BTreeSet<String>> {
    let path = releases.join(PINNED_FILE);
    match std::fs::read_to_string(&path) {
        Ok(t) => Ok(t
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(e) => Err(io_err(&path)(e)),
    }
}

/// Remove what a killed prune left (`.pruned-*`).
pub(crate) fn remove_pruned(releases: &Path) -> Result<()> {
    let rd = match std::fs::read_dir(releases) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err(releases)(e)),
    };
    for e in rd.flatten() {
        if e.file_name().to_string_lossy().starts_with(".pruned-") {
            let p: PathBuf = e.path();
            std::fs::remove_dir_all(&p).map_err(io_err(&p))?;
        }
    }
    Ok(())
}

/// The file of a publication at a set time, in a releases directory.
pub const SCHEDULE_FILE: &str = "SCHEDULED";

/// A publication at a set time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scheduled {
    pub release: String,
    /// RFC 3339 as given.
    pub at: String,
}

impl Scheduled {
    fn time(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::parse_from_rfc3339(&self.at)
            .ok()
            .map(|d| d.with_timezone(&chrono::Utc))
    }
}

/// Plan the publication of a release at time `at` (RFC 3339 with its offset): written to
/// `releases/SCHEDULED` (replacing an earlier plan); the server publishes it when the time has
/// come ([`publish_due`]). The release is checked now, and again when it is published.
pub fn schedule(lock: &PublishLock, releases: &Path, id: &str, at: &str) -> Result<Scheduled> {
    lock.check(releases)?;
    let when = chrono::DateTime::parse_from_rfc3339(at.trim()).map_err(|e| {
        fmt_err(
            releases,
            format!(
                "--at '{at}': {e}; write a time with its offset, e.g. 2027-01-08T08:00:00+01:00"
            ),
        )
    })?;
    let dir = crate::release_dir(releases, id)?;
    crate::verify(&dir)?;
    let s = Scheduled {
        release: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        at: when.to_rfc3339(),
    };
    let bytes = serde_json::to_vec_pretty(&s).map_err(|e| fmt_err(releases, e))?;
    samtalebank_files::write_atomic(&releases.join(SCHEDULE_FILE), &bytes, 0o644)?;
    Ok(s)
}

/// The planned publication, if there is one.
pub fn scheduled(releases: &Path) -> Result<Option<Scheduled>> {
    let path = releases.join(SCHEDULE_FILE);
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| fmt_err(&path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(&path)(e)),
    }
}

/// Publish the planned release if its time has come (and nobody else holds the releases
/// directory: then at the next call). Returns what was published. The plan is removed once
/// published, or when it cannot be (the release is damaged or gone: the error says so).
pub fn publish_due(releases: &Path) -> Result<Option<Published>> {
    let Some(s) = scheduled(releases)? else {
        return Ok(None);
    };
    if s.time().is_some_and(|t| t > chrono::Utc::now()) {
        return Ok(None);
    }
    let lock = match PublishLock::acquire(releases, samtalebank_files::Wait::No) {
        Ok(l) => l,
        Err(_) => return Ok(None),
    };
    // Read again under the lock: the plan may have changed meanwhile.
    let Some(s2) = scheduled(releases)? else {
        return Ok(None);
    };
    if s2 != s {
        return Ok(None);
    }
    let path = releases.join(SCHEDULE_FILE);
    let done = if s.time().is_none() {
        Err(fmt_err(&path, format!("'{}' is not a time", s.at)))
    } else {
        publish_release(&lock, releases, &s.release, Some("scheduled"))
    };
    std::fs::remove_file(&path).map_err(io_err(&path))?;
    done.map(Some)
}

/// One release as the page of releases (`/nyt`) tells it.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub manifest: Manifest,
    pub status: Status,
    /// When it first became current (from the log; its creation when it was built current
    /// before the log was kept).
    pub published: String,
    /// What it revised, if it was built over an earlier release.
    pub revisions: Option<crate::Revisions>,
}

/// Every published release, newest publication first, with what it revised. A release whose
/// revisions cannot be read is listed without them.
pub fn history(releases: &Path) -> Result<Vec<HistoryEntry>> {
    let log = read_log(releases)?;
    let mut out: Vec<HistoryEntry> = statuses(releases)?
        .into_iter()
        .filter(|(_, s)| *s != Status::Candidate)
        .map(|(m, status)| {
            let published = log
                .iter()
                .find(|e| e.release == m.id)
                .map_or_else(|| m.created.clone(), |e| e.time.clone());
            let revisions = crate::read_revisions(&releases.join(&m.id), &m)
                .ok()
                .flatten();
            HistoryEntry {
                manifest: m,
                status,
                published,
                revisions,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.published
            .cmp(&a.published)
            .then(b.manifest.id.cmp(&a.manifest.id))
    });
    Ok(out)
}
