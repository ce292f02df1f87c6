//! Saved queries (PxWeb `/savedqueries`): a table, a selection (codes or expressions), a language
//! and an output format, stored as one JSON file each in `savedqueries/` beside the releases,
//! written atomically (a temporary file, fsync, rename, fsync of the directory), so that they
//! survive restarts and a crash never leaves half a query. The id is a hash of the query's
//! content: saving the same query twice gives the same id. Their data always comes from the
//! current release.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use samtalebank_model::Lang;
use samtalebank_pxweb::{FormatOptions, OutputFormat, Problem, VariablesSelection};
use samtalebank_release::Release;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::{
    checked_selection, find_table, json_response, link, param, params_all, render,
    selection_response, LangQuery, Params,
};
use crate::error::{ApiResult, Q};
use crate::AppState;

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

/// Store a query; returns it with its id.
pub fn save(releases: &Path, mut q: SavedQuery) -> Result<SavedQuery, String> {
    q.id = None;
    let body = serde_json::to_vec(&q).map_err(|e| e.to_string())?;
    let id = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&body));
    q.id = Some(id.clone());
    let d = dir(releases);
    std::fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
    let path = d.join(format!("{id}.json"));
    if path.exists() {
        return Ok(q);
    }
    let tmp = d.join(format!(".tmp-{id}-{}", std::process::id()));
    let bytes = serde_json::to_vec_pretty(&q).map_err(|e| e.to_string())?;
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        std::fs::File::open(&d)?.sync_all()
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{}: {e}", path.display())
    })?;
    Ok(q)
}

/// A stored query by id: `Ok(None)` if there is none.
pub fn load(releases: &Path, id: &str) -> Result<Option<SavedQuery>, String> {
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

pub(crate) fn load_saved(st: &AppState, id: &str) -> Result<SavedQuery, Problem> {
    load(&st.config.releases, id)
        .map_err(|e| Problem::internal("Saved query unreadable", e))?
        .ok_or_else(|| Problem::not_found(format!("no saved query '{id}'")))
}

fn saved_response(q: &SavedQuery, lang: Lang) -> serde_json::Value {
    let id = q.id.clone().unwrap_or_default();
    let base = format!("/api/v2/savedqueries/{id}");
    json!({
        "language": lang.code(),
        "id": id,
        "savedQuery": q,
        "links": [
            link("self", lang, base.clone()),
            link("data", lang, format!("{base}/data?lang={}", lang.code())),
            link("selection", lang, format!("{base}/selection?lang={}", lang.code())),
        ],
    })
}

/// `POST /savedqueries`: check the query against the current release, store it, 201.
pub async fn save_query(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    body: Bytes,
) -> ApiResult {
    let q: SavedQuery = serde_json::from_slice(&body)
        .map_err(|e| Problem::bad_request(format!("the request body is not a saved query: {e}")))?;
    let t = rel
        .table(&q.table_id)
        .ok_or_else(|| Problem::bad_request(format!("no table '{}'", q.table_id)))?;
    let format = q.format()?;
    FormatOptions::parse(format, &q.output_format_params)?;
    checked_selection(&st, &rel, t, &q.selection)?;
    let lang = Lang::parse(Some(&q.language));
    let stored = save(&st.config.releases, q)
        .map_err(|e| Problem::internal("Saving the query failed", e))?;
    Ok((
        StatusCode::CREATED,
        json_response(saved_response(&stored, lang)),
    )
        .into_response())
}

/// `GET /savedqueries/{id}`.
pub async fn get_saved(State(st): State<Arc<AppState>>, UrlPath(id): UrlPath<String>) -> ApiResult {
    let q = load_saved(&st, &id)?;
    let lang = Lang::parse(Some(&q.language));
    Ok(json_response(saved_response(&q, lang)))
}

/// `GET /savedqueries/{id}/data`: the saved selection on the current release; `outputFormat`,
/// `outputFormatParams` and `lang` in the query override the saved ones.
pub async fn saved_data(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    UrlPath(id): UrlPath<String>,
    Q(p): Q<Params>,
) -> ApiResult {
    let q = load_saved(&st, &id)?;
    let t = find_table(&rel, &q.table_id)?;
    let sel = checked_selection(&st, &rel, t, &q.selection)?;
    let lang = Lang::parse(param(&p, "lang").or(Some(&q.language)));
    let (format, opts) = match param(&p, "outputFormat").filter(|s| !s.is_empty()) {
        Some(f) => (
            OutputFormat::parse(f)?,
            params_all(&p, "outputFormatParams"),
        ),
        None => (q.format()?, q.output_format_params.clone()),
    };
    render(t, &sel, lang, format, &opts, &rel.manifest.id)
}

/// `GET /savedqueries/{id}/selection`: the saved selection with its expressions resolved to codes.
pub async fn saved_selection(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    UrlPath(id): UrlPath<String>,
    Q(p): Q<LangQuery>,
) -> ApiResult {
    let q = load_saved(&st, &id)?;
    let t = find_table(&rel, &q.table_id)?;
    let sel = checked_selection(&st, &rel, t, &q.selection)?;
    let lang = p
        .lang
        .as_deref()
        .map_or(Lang::parse(Some(&q.language)), |l| Lang::parse(Some(l)));
    Ok(selection_response(
        t,
        &sel,
        lang,
        format!("/api/v2/savedqueries/{id}/selection?lang={}", lang.code()),
    ))
}
