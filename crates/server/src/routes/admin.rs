//! `POST /admin/reload` with `Authorization: Bearer <token>`: switch to the current release of
//! the releases directory (every file checked first; a damaged release is refused and the
//! previous one stays current).

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use samtalebank_pxweb::Problem;
use serde_json::json;

use crate::respond::{self, ApiError};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/admin/reload", post(reload))
}

/// Does the request carry the admin token? Compared in constant time with respect to the
/// token's content.
fn authorised(st: &AppState, headers: &HeaderMap) -> Result<(), Problem> {
    let Some(token) = &st.config.admin_token else {
        return Err(Problem::not_found(
            "no admin API (no admin token configured)",
        ));
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let ok = given.is_some_and(|g| {
        g.len() == token.len()
            && g.bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if ok {
        Ok(())
    } else {
        Err(Problem::new(
            401,
            "Unauthorized",
            "a valid admin token is required",
        ))
    }
}

pub async fn reload(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Err(p) = authorised(&st, &headers) {
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
