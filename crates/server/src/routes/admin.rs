//! `POST /admin/reload` with `Authorization: Bearer <token>`: switch to the current release of
//! the releases directory (every file checked first; a damaged release is refused and the
//! previous one stays current).
//!
//! `/admin/forhaandsvisning`: a form that starts (or stops) an admin's preview of a release in
//! the browser: with the right token it sets two cookies (`HttpOnly`, `SameSite=Strict`), the
//! admin token and the release to show, which the release pinning reads as it reads the
//! `Authorization` and `X-Samtalebank-Preview` headers.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use samtalebank_pxweb::Problem;
use serde_json::json;

use samtalebank_pxweb::Params;

use crate::respond::{self, ApiError, Q};
use crate::state::{AppState, ADMIN_COOKIE, PREVIEW_COOKIE};

/// The routes of this module.
pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/admin/reload", post(reload)).route(
        "/admin/forhaandsvisning",
        axum::routing::get(preview_form).post(preview_start),
    )
}

pub async fn reload(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Err(p) = st.authorise(&headers) {
        return ApiError(p).into_response();
    }
    match st.reload() {
        Ok(id) => respond::json(json!({"release": id})),
        // The admin is told why (the damaged file named, inside the releases directory).
        Err(e) => ApiError(Problem::new(
            409,
            "Reload refused",
            format!("still serving the previous release: {e}"),
        ))
        .into_response(),
    }
}

#[derive(serde::Deserialize)]
pub struct PreviewForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    release: String,
    #[serde(default)]
    stop: String,
}

pub async fn preview_form(Q(q): Q<Params>) -> Response {
    respond::html(
        StatusCode::OK,
        samtalebank_web::preview_page(q.lang(), false),
    )
}

/// Start a preview (token and release checked: the release must be one to preview), or stop it.
pub async fn preview_start(
    State(st): State<Arc<AppState>>,
    Q(q): Q<Params>,
    axum::Form(f): axum::Form<PreviewForm>,
) -> Response {
    let home = format!("/?lang={}", q.lang().code());
    if !f.stop.is_empty() {
        let mut r = Redirect::to(&home).into_response();
        for name in [ADMIN_COOKIE, PREVIEW_COOKIE] {
            if let Ok(v) = HeaderValue::from_str(&format!(
                "{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
            )) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        return r;
    }
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("Bearer {}", f.token)) {
        headers.insert(header::AUTHORIZATION, v);
    }
    let release = f.release.trim().to_string();
    let ok = st.authorise(&headers).is_ok() && {
        let st2 = st.clone();
        let id = release.clone();
        matches!(st.offload(move || st2.preview(&id)).await, Ok(Ok(_)))
    };
    if !ok {
        return respond::html(
            StatusCode::UNAUTHORIZED,
            samtalebank_web::preview_page(q.lang(), true),
        );
    }
    let mut r = Redirect::to(&home).into_response();
    for (name, value) in [
        (ADMIN_COOKIE, f.token.as_str()),
        (PREVIEW_COOKIE, release.as_str()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{name}={value}; Path=/; HttpOnly; SameSite=Strict"
        )) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}
