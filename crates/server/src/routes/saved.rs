//! `/savedqueries`: store a query, read it back, its data and its selection on the current
//! release (the storage and its limits are in `saved_store`).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Extension, Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use samtalebank_model::Lang;
use samtalebank_pxweb::{FormatOptions, OutputFormat, Params, Problem};
use samtalebank_release::Release;
use serde_json::json;

use crate::respond::{self, link, ApiResult, Q};
use crate::saved_store::{load_saved, SavedQuery, MAX_BODY};
use crate::select::{checked_selection, find_table, render, selection_answer};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v2/savedqueries", post(save_query))
        .route("/api/v2/savedqueries/{id}", get(get_saved))
        .route("/api/v2/savedqueries/{id}/data", get(saved_data))
        .route("/api/v2/savedqueries/{id}/selection", get(saved_selection))
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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: axum::body::Body,
) -> ApiResult {
    let body = respond::read_body(body, MAX_BODY).await?;
    let q: SavedQuery = serde_json::from_slice(&body)
        .map_err(|e| Problem::bad_request(format!("the request body is not a saved query: {e}")))?;
    let t = rel
        .table(&q.table_id)
        .ok_or_else(|| Problem::bad_request(format!("no table '{}'", q.table_id)))?;
    let format = q.format()?;
    FormatOptions::parse(format, &q.output_format_params)?;
    checked_selection(&st, &rel, t, &q.selection)?;
    let lang = Lang::parse(Some(&q.language));
    let st2 = st.clone();
    let stored =
        tokio::task::spawn_blocking(move || st2.saved.save(&st2.config.releases, peer.ip(), q))
            .await
            .map_err(|e| Problem::internal("Saving the query failed", e.to_string()))??;
    Ok((
        StatusCode::CREATED,
        respond::json(saved_response(&stored, lang)),
    )
        .into_response())
}

/// `GET /savedqueries/{id}`.
pub async fn get_saved(State(st): State<Arc<AppState>>, UrlPath(id): UrlPath<String>) -> ApiResult {
    let q = load_saved(&st.config.releases, &id)?;
    let lang = Lang::parse(Some(&q.language));
    Ok(respond::json(saved_response(&q, lang)))
}

/// `GET /savedqueries/{id}/data`: the saved selection on the current release; `outputFormat`,
/// `outputFormatParams` and `lang` in the query override the saved ones.
pub async fn saved_data(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    UrlPath(id): UrlPath<String>,
    Q(p): Q<Params>,
) -> ApiResult {
    let q = load_saved(&st.config.releases, &id)?;
    let t = find_table(&rel, &q.table_id)?;
    let sel = checked_selection(&st, &rel, t, &q.selection)?;
    let lang = Lang::parse(p.get("lang").or(Some(&q.language)));
    let (format, opts) = match p.value("outputFormat") {
        Some(f) => (
            OutputFormat::parse(f)?,
            p.all("outputFormatParams")
                .into_iter()
                .map(String::from)
                .collect(),
        ),
        None => (q.format()?, q.output_format_params.clone()),
    };
    render(&st, &rel, t, sel, lang, format, &opts).await
}

/// `GET /savedqueries/{id}/selection`: the saved selection with its expressions resolved to codes.
pub async fn saved_selection(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    UrlPath(id): UrlPath<String>,
    Q(p): Q<Params>,
) -> ApiResult {
    let q = load_saved(&st.config.releases, &id)?;
    let t = find_table(&rel, &q.table_id)?;
    let sel = checked_selection(&st, &rel, t, &q.selection)?;
    let lang = p
        .get("lang")
        .map_or(Lang::parse(Some(&q.language)), |l| Lang::parse(Some(l)));
    selection_answer(
        t,
        &sel,
        lang,
        format!("/api/v2/savedqueries/{id}/selection?lang={}", lang.code()),
    )
}
