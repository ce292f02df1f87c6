//! The web pages' routes: each calls one page of `samtalebank_web`.

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use samtalebank_model::Lang;
use samtalebank_release::Release;

use crate::api::{param, Params};
use crate::error::Q;
use crate::AppState;

/// An HTML page with a status.
pub fn html_status(status: StatusCode, html: String) -> Response {
    (status, Html(html)).into_response()
}

fn lang(q: &Params) -> Lang {
    Lang::parse(param(q, "lang"))
}

pub async fn home(Extension(rel): Extension<Arc<Release>>, Q(q): Q<Params>) -> Response {
    Html(samtalebank_web::home(&rel, lang(&q))).into_response()
}

pub async fn table(
    Extension(rel): Extension<Arc<Release>>,
    Path(id): Path<String>,
    Q(q): Q<Params>,
) -> Response {
    let lang = lang(&q);
    match rel.table(&id) {
        Some(t) => {
            let mut r = Html(samtalebank_web::table_page(t, &q, lang)).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
        None => html_status(
            StatusCode::NOT_FOUND,
            samtalebank_web::not_found(lang, &format!("/tabel/{id}")),
        ),
    }
}

pub async fn kommune(
    Extension(rel): Extension<Arc<Release>>,
    Path(code): Path<String>,
    Q(q): Q<Params>,
) -> Response {
    let lang = lang(&q);
    match samtalebank_web::kommune_report(&rel, &code, lang) {
        Ok(html) => Html(html).into_response(),
        Err(_) => html_status(
            StatusCode::NOT_FOUND,
            samtalebank_web::not_found(lang, &format!("/kommune/{code}")),
        ),
    }
}

pub async fn gap(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    Q(q): Q<Params>,
) -> Response {
    let lang = lang(&q);
    match rel.table("BENCH01") {
        Some(bench) => {
            let saved = samtalebank_analysis::gap::load_groups(&st.config.releases);
            Html(samtalebank_web::gap_page(bench, saved, &q, lang)).into_response()
        }
        None => html_status(
            StatusCode::NOT_FOUND,
            samtalebank_web::not_found(lang, "/benchmark"),
        ),
    }
}

/// `/besparelse`: the savings calculator's page (the same parameters as `/api/v2/savings`).
pub async fn savings(Extension(rel): Extension<Arc<Release>>, Q(q): Q<Params>) -> Response {
    let lang = lang(&q);
    // Without parameters: the latest year, the defaults.
    let mut q2 = q.clone();
    if param(&q2, "year").is_none() {
        let last = samtalebank_analysis::savings::years(&rel).pop();
        q2.push(("year".into(), last.unwrap_or_default()));
    }
    let result = crate::savings::params(&q2)
        .map_err(|p| p.detail)
        .and_then(|p| samtalebank_analysis::savings::compute(&rel, &p));
    Html(samtalebank_web::savings_page(&rel, &q2, result, lang)).into_response()
}

/// `/undersoegelse`: the citizen survey, one question at a time (SURV01).
pub async fn survey(Extension(rel): Extension<Arc<Release>>, Q(q): Q<Params>) -> Response {
    let lang = lang(&q);
    match rel.table("SURV01") {
        Some(t) => Html(samtalebank_web::survey_page(t, &q, lang)).into_response(),
        None => html_status(
            StatusCode::NOT_FOUND,
            samtalebank_web::not_found(lang, "/undersoegelse"),
        ),
    }
}
