//! The web site's routes: each calls one page of `samtalebank_web`; and the static files the
//! pages load (their scripts).

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use samtalebank_pxweb::Params;
use samtalebank_release::Release;
use samtalebank_tables::registry;
use samtalebank_web::KommunerAnswer;

use crate::respond::{self, Q};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(home))
        .route("/tabel/{id}", get(table))
        .route("/kommune/{code}", get(kommune))
        .route("/kommuner", get(kommuner))
        .route("/rangering", get(ranking))
        .route("/kort", get(map))
        .route("/benchmark", get(gap))
        .route("/besparelse", get(savings))
        .route("/undersoegelse", get(survey))
        .route("/udgivelser.atom", get(feed))
        .route("/nyt", get(news))
        .route("/static/{file}", get(asset))
}

fn not_found(q: &Params, path: &str) -> Response {
    respond::html(
        StatusCode::NOT_FOUND,
        samtalebank_web::not_found(q.lang(), path),
    )
}

/// A page with its status (400 for a request it cannot take literally).
fn answer(p: samtalebank_web::Page) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::OK);
    let mut r = respond::html(status, p.html);
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// The published releases with what each added and revised, read off the async workers; or
/// the problem why not.
async fn history(st: &Arc<AppState>) -> Result<Vec<samtalebank_release::HistoryEntry>, Response> {
    let releases = st.config.releases.clone();
    match st
        .offload(move || samtalebank_release::history(&releases))
        .await
    {
        Ok(Ok(entries)) => Ok(entries),
        Ok(Err(e)) => Err(respond::ApiError(samtalebank_pxweb::Problem::internal(
            "The releases could not be listed",
            st.hide_paths(&e.to_string()),
        ))
        .into_response()),
        Err(p) => Err(respond::ApiError(p).into_response()),
    }
}

/// The Atom feed of the published releases.
pub async fn feed(State(st): State<Arc<AppState>>) -> Response {
    match history(&st).await {
        Ok(entries) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/atom+xml; charset=utf-8"),
            )],
            samtalebank_web::releases_feed(&entries),
        )
            .into_response(),
        Err(r) => r,
    }
}

/// The releases with what each added and revised (`/nyt`).
pub async fn news(State(st): State<Arc<AppState>>, Q(q): Q<Params>) -> Response {
    match history(&st).await {
        Ok(entries) => answer(samtalebank_web::Page::ok(samtalebank_web::news_page(
            &entries, &q,
        ))),
        Err(r) => r,
    }
}

pub async fn home(Extension(rel): Extension<Arc<Release>>, Q(q): Q<Params>) -> Response {
    Html(samtalebank_web::home(&rel, &q)).into_response()
}

pub async fn table(
    Extension(rel): Extension<Arc<Release>>,
    Path(id): Path<String>,
    Q(q): Q<Params>,
) -> Response {
    match rel.table(&id) {
        Some(t) => answer(samtalebank_web::table_page(t, &q)),
        None => not_found(&q, &format!("/tabel/{id}")),
    }
}

pub async fn kommune(
    Extension(rel): Extension<Arc<Release>>,
    Path(code): Path<String>,
    Q(q): Q<Params>,
) -> Response {
    match samtalebank_web::kommune_page(&rel, &code, &q) {
        Ok(html) => Html(html).into_response(),
        Err(_) => not_found(&q, &format!("/kommune/{code}")),
    }
}

/// `/kommuner`: the municipalities A–Z with a search; a search that names one goes to it.
pub async fn kommuner(Extension(rel): Extension<Arc<Release>>, Q(q): Q<Params>) -> Response {
    match samtalebank_web::kommuner_page(&rel, &q) {
        KommunerAnswer::Page(html) => Html(html).into_response(),
        KommunerAnswer::Go(code) => {
            Redirect::to(&format!("/kommune/{code}?lang={}", q.lang().code())).into_response()
        }
    }
}

/// `/rangering`: all 98 municipalities ranked on an indicator.
pub async fn ranking(Extension(rel): Extension<Arc<Release>>, Q(q): Q<Params>) -> Response {
    answer(samtalebank_web::ranking_page(&rel, &q))
}

/// `/kort`: the municipalities on a tile-grid map of Denmark.
pub async fn map(Extension(rel): Extension<Arc<Release>>, Q(q): Q<Params>) -> Response {
    answer(samtalebank_web::map_page(&rel, &q))
}

pub async fn gap(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    Q(q): Q<Params>,
) -> Response {
    match rel.table(registry::BENCH01.id) {
        Some(bench) => {
            let saved = samtalebank_analysis::gap::load_groups(&st.config.releases);
            answer(samtalebank_web::gap_page(bench, saved, &q))
        }
        None => not_found(&q, "/benchmark"),
    }
}

/// `/besparelse`: the savings calculator's page (the same parameters as `/api/v2/savings`;
/// without a year, the latest).
pub async fn savings(Extension(rel): Extension<Arc<Release>>, Q(q): Q<Params>) -> Response {
    let years = samtalebank_analysis::savings::years(&rel);
    let result = samtalebank_analysis::savings::Params::from_named(
        &|name| q.value(name).map(String::from),
        years.last().map(String::as_str),
    )
    .and_then(|p| samtalebank_analysis::savings::compute(&rel, &p));
    Html(samtalebank_web::savings_page(&rel, &q, result)).into_response()
}

/// `/undersoegelse`: the citizen survey, one question at a time (SURV01).
pub async fn survey(Extension(rel): Extension<Arc<Release>>, Q(q): Q<Params>) -> Response {
    match rel.table(registry::SURV01.id) {
        Some(t) => Html(samtalebank_web::survey_page(t, &q)).into_response(),
        None => not_found(&q, "/undersoegelse"),
    }
}

/// `/static/{file}`: the pages' scripts, from `samtalebank_web` (cached for a day).
pub async fn asset(Path(file): Path<String>, Q(q): Q<Params>) -> Response {
    match samtalebank_web::asset(&file) {
        Some((content_type, body)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            body,
        )
            .into_response(),
        None => not_found(&q, &format!("/static/{file}")),
    }
}
