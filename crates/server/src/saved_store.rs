//! Saved queries on disk (PxWeb `/savedqueries`): a table, a selection (codes or expressions), a
//! language and an output format, stored as one compact JSON file each in `savedqueries/` beside
//! the releases, written atomically, so that they survive restarts and a crash never leaves half
//! a query. The id is a hash of the query's content: saving the same query twice, or from many
//! clients at once, gives one id and one file. A saved query is only ever used with its own
//! table.
//!
//! Limits ([`crate::Limits`]): a body of at most [`MAX_BODY`] bytes (413), at most
//! `max_saved_per_client` new queries per client per day (429) and `max_saved_queries` in all
//! (503); saving a query that is already stored is always allowed.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use samtalebank_pxweb::{OutputFormat, Problem, VariablesSelection};
use serde::{Deserialize, Serialize};

use crate::config::Limits;

/// A saved query as the API sends and receives it (PxWeb `SavedQuery`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SavedQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub selection: VariablesSelection,
    pub language: String,
    pub table_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_format: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_format_params: Vec<String>,
}

impl SavedQuery {
    /// The output format it was saved with (JSON-stat 2.0 if none).
    pub fn format(&self) -> Result<OutputFormat, samtalebank_pxweb::Problem> {
        self.output_format
            .as_deref()
            .map_or(Ok(OutputFormat::JsonStat2), OutputFormat::parse)
    }
}

fn dir(releases: &Path) -> PathBuf {
    releases.join("savedqueries")
}

/// Is `id` one that [`save`] makes (16 lowercase hex digits)? Anything else is never a path.
fn valid_id(id: &str) -> bool {
    id.len() == 16
        && id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// The largest saved query accepted, in bytes of its JSON.
pub const MAX_BODY: usize = 64 << 10;

/// How many saved queries there are, and how many each client stored today.
pub struct Quota {
    total: AtomicUsize,
    max_total: usize,
    max_per_client: u32,
    clients: Mutex<HashMap<IpAddr, (Instant, u32)>>,
    /// Held while a query is checked and saved, so that a query saved by many clients at
    /// once is counted once.
    saving: Mutex<()>,
}

const DAY: Duration = Duration::from_secs(86_400);

impl Quota {
    /// The quota of a releases directory: the queries already stored count.
    pub fn new(releases: &Path, limits: &Limits) -> Quota {
        let stored = std::fs::read_dir(dir(releases))
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                    .count()
            })
            .unwrap_or(0);
        Quota {
            total: AtomicUsize::new(stored),
            max_total: limits.max_saved_queries,
            max_per_client: limits.max_saved_per_client,
            clients: Mutex::new(HashMap::new()),
            saving: Mutex::new(()),
        }
    }

    /// Save `q` for the client `ip`: a query already stored costs nothing; a new one counts
    /// against the client's and the total quota.
    pub fn save(&self, releases: &Path, ip: IpAddr, q: SavedQuery) -> Result<SavedQuery, Problem> {
        let _one_at_a_time = self.saving.lock().unwrap_or_else(|p| p.into_inner());
        let new = !stored(releases, &q);
        if new {
            self.take(ip, Instant::now())?;
        }
        let saved =
            save(releases, q).map_err(|e| Problem::internal("Saving the query failed", e))?;
        if new {
            self.total.fetch_add(1, Ordering::Relaxed);
        }
        Ok(saved)
    }

    /// May `ip` store one more new query now? Counts it if so.
    fn take(&self, ip: IpAddr, now: Instant) -> Result<(), Problem> {
        if self.total.load(Ordering::Relaxed) >= self.max_total {
            return Err(Problem::new(
                503,
                "Saved queries full",
                format!(
                    "the server keeps at most {} saved queries, and has them; ask its operator",
                    self.max_total
                ),
            ));
        }
        let mut c = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if c.len() > 100_000 {
            c.retain(|_, (start, _)| now.duration_since(*start) < DAY);
        }
        let e = c.entry(ip).or_insert((now, 0));
        if now.duration_since(e.0) >= DAY {
            *e = (now, 0);
        }
        if e.1 >= self.max_per_client {
            return Err(Problem::new(
                429,
                "Too many saved queries",
                format!(
                    "one client may save at most {} new queries a day",
                    self.max_per_client
                ),
            ));
        }
        e.1 += 1;
        Ok(())
    }
}

/// A query's id: a hash of its compact JSON without the id.
fn id_of(q: &SavedQuery) -> Result<(String, Vec<u8>), String> {
    let mut q = q.clone();
    q.id = None;
    let body = serde_json::to_vec(&q).map_err(|e| e.to_string())?;
    Ok((format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&body)), body))
}

/// Is a query with this content stored already?
fn stored(releases: &Path, q: &SavedQuery) -> bool {
    id_of(q).is_ok_and(|(id, _)| dir(releases).join(format!("{id}.json")).exists())
}

/// Store a query (compact JSON, atomically); returns it with its id. Saving the same query
/// again, at once from many threads or later, writes one file.
pub(crate) fn save(releases: &Path, mut q: SavedQuery) -> Result<SavedQuery, String> {
    let (id, _) = id_of(&q)?;
    q.id = Some(id.clone());
    let d = dir(releases);
    std::fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
    let path = d.join(format!("{id}.json"));
    if path.exists() {
        return Ok(q);
    }
    let bytes = serde_json::to_vec(&q).map_err(|e| e.to_string())?;
    samtalebank_files::write_atomic(&path, &bytes, 0o644).map_err(|e| e.to_string())?;
    Ok(q)
}

/// A stored query by id: `Ok(None)` if there is none.
pub(crate) fn load(releases: &Path, id: &str) -> Result<Option<SavedQuery>, String> {
    if !valid_id(id) {
        return Ok(None);
    }
    let path = dir(releases).join(format!("{id}.json"));
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

pub fn load_saved(releases: &Path, id: &str) -> Result<SavedQuery, Problem> {
    load(releases, id)
        .map_err(|e| Problem::internal("Saved query unreadable", e))?
        .ok_or_else(|| Problem::not_found(format!("no saved query '{id}'")))
}

/// A saved query for use with table `table` (from the URL): a query saved for another table
/// is refused, never applied to this one.
pub fn load_saved_for(releases: &Path, id: &str, table: &str) -> Result<SavedQuery, Problem> {
    let q = load_saved(releases, id)?;
    if !q.table_id.eq_ignore_ascii_case(table) {
        return Err(Problem::bad_request(format!(
            "saved query '{id}' is a query of table {}, not of {table}",
            q.table_id
        )));
    }
    Ok(q)
}
