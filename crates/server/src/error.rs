//! The one error type of the handlers: a [`Problem`], sent as `application/problem+json` with
//! its status, so that handlers can use `?`; and [`guard`], which makes every other error of the
//! API problem+json too and refuses over-long URIs and headers.
//!
//! A server error (5xx) never shows its cause to the client (it may name a file of the
//! server's): the cause goes to the server's log with a reference, and the client gets the
//! reference.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use samtalebank_pxweb::Problem;

/// The longest URI served (bytes); a longer one is answered 414.
pub const MAX_URI: usize = 16 << 10;
/// The most header bytes served; more are answered 431.
pub const MAX_HEADERS: usize = 64 << 10;

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

fn is_problem(r: &Response) -> bool {
    r.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"))
}

/// Refuse a URI over [`MAX_URI`] (414) or headers over [`MAX_HEADERS`] (431), and turn every
/// error answer of the API that is not yet problem+json (405 from the router, 413 from a body
/// limit, a rejected extractor) into problem+json with the same status.
pub async fn guard(req: Request, next: Next) -> Response {
    let uri_len = req.uri().to_string().len();
    if uri_len > MAX_URI {
        return ApiError(Problem::new(
            414,
            "URI too long",
            format!("the request's URI is {uri_len} bytes; at most {MAX_URI} are read. Send a large selection by POST"),
        ))
        .into_response();
    }
    let header_len: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if header_len > MAX_HEADERS {
        return ApiError(Problem::new(
            431,
            "Request header fields too large",
            format!("the request's headers are {header_len} bytes; at most {MAX_HEADERS} are read"),
        ))
        .into_response();
    }
    let api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let status = resp.status();
    if !api || !(status.is_client_error() || status.is_server_error()) || is_problem(&resp) {
        return resp;
    }
    let title = status.canonical_reason().unwrap_or("Error");
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let detail = if text.is_empty() {
        match status {
            StatusCode::METHOD_NOT_ALLOWED => "this method is not allowed on this resource".into(),
            _ => title.to_lowercase(),
        }
    } else {
        text
    };
    let mut r = ApiError(Problem::new(status.as_u16(), title, detail)).into_response();
    // Keep what the client needs from the original answer (Allow, Retry-After).
    for h in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&h) {
            r.headers_mut().insert(h, v.clone());
        }
    }
    r
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

/// What a handler returns.
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
