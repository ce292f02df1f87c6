//! Building responses, below every handler: the one error type ([`ApiError`], a [`Problem`] sent
//! as `application/problem+json`), the query extractor [`Q`], JSON and HTML answers, links, and
//! reading a request body within limits.
//!
//! A server error (5xx) never shows its cause to the client (it may name a file of the
//! server's): the cause goes to the server's log with a reference, and the client gets the
//! reference.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use samtalebank_model::Lang;
use samtalebank_pxweb::{OutputFormat, Problem};
use serde_json::json;

static REFERENCE: AtomicU64 = AtomicU64::new(1);

/// A problem as the client may see it: a 5xx's cause is logged, not sent.
fn public(p: Problem) -> Problem {
    if p.status < 500 || p.status == 503 {
        return p;
    }
    let n = REFERENCE.fetch_add(1, Ordering::Relaxed);
    let at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
    {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "error {n} at {at}: {} ({}): {}",
            p.title,
            p.status,
            samtalebank_model::cpr::mask(&p.detail)
        );
    }
    Problem::new(
        p.status,
        &p.title,
        format!("the server could not answer this request (error {n} at {at} in the server's log)"),
    )
}

/// A request that cannot be answered.
#[derive(Debug)]
pub struct ApiError(pub Problem);

impl From<Problem> for ApiError {
    fn from(p: Problem) -> ApiError {
        ApiError(p)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let p = public(self.0);
        let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            p.body(),
        )
            .into_response()
    }
}

/// What an API handler returns.
pub type ApiResult = Result<Response, ApiError>;

/// A query string parsed into `T`; a malformed one is a problem+json 400, like every other
/// error of the API.
pub struct Q<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Q<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Q(q.0))
            .map_err(|e| ApiError(Problem::bad_request(e.body_text())))
    }
}

/// A JSON answer.
pub fn json(v: serde_json::Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        v.to_string(),
    )
        .into_response()
}

/// A PxWeb link object.
pub fn link(rel: &str, lang: Lang, href: String) -> serde_json::Value {
    json!({"rel": rel, "hreflang": lang.code(), "href": href})
}

/// A web page with a status.
pub fn html(status: StatusCode, page: String) -> Response {
    (status, Html(page)).into_response()
}

/// A data answer in `format`: its content type, and as a download (`attachment`) unless the
/// format is read in place.
pub fn data(format: OutputFormat, table_id: &str, body: Vec<u8>) -> Response {
    let mut r = ([(header::CONTENT_TYPE, format.content_type())], body).into_response();
    if let Some(disposition) = format.disposition() {
        if let Ok(v) = header::HeaderValue::from_str(&format!(
            "{disposition}; filename=\"{table_id}.{}\"",
            format.extension()
        )) {
            r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
    }
    r
}

/// A CSV answer (`text/csv`).
pub fn csv(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response()
}

/// Read a request body of at most `limit` bytes: a larger one is 413, one that does not
/// arrive in time (the body timeout) or breaks off is 408.
pub async fn read_body(body: axum::body::Body, limit: usize) -> Result<axum::body::Bytes, Problem> {
    use http_body_util::BodyExt;
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(Problem::new(
            413,
            "Request body too large",
            format!("a request body is at most {} KiB here", limit >> 10),
        )),
        Err(_) => Err(Problem::new(
            408,
            "Request timeout",
            "the request body did not arrive in time",
        )),
    }
}
