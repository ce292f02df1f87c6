//! The middleware every request passes, outermost first: [`rate_limit`] (API calls per client),
//! [`pin_release`] (the release the request works on, conditional requests, the release
//! headers), [`cache`] (answers of the table endpoints per release); and around all of them
//! [`guard`] (over-long URIs and headers refused, every API error as problem+json).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use samtalebank_pxweb::Problem;
use samtalebank_release::Release;

use crate::cache::{cacheable, key, Entry};
use crate::respond::ApiError;
use crate::state::{AppState, PREVIEW_COOKIE};

/// The largest selection a data request may send in its body.
pub const MAX_SELECTION_BODY: usize = 1 << 20;
/// The longest URI served (bytes); a longer one is answered 414.
pub const MAX_URI: usize = 16 << 10;
/// The most header bytes served; more are answered 431.
pub const MAX_HEADERS: usize = 64 << 10;

/// Pin the current release for the request, answer conditional requests, and label the
/// response with the release: `ETag` (weak, the release id), `Last-Modified` (its creation
/// time) and `X-Samtalebank-Release`.
///
/// An admin previews another release (a candidate) with `X-Samtalebank-Preview: ID` (or the
/// preview cookie) and the admin token: the request works on that release, and the answer is
/// marked `X-Samtalebank-Status: not-published`, never stored by a shared cache, and a page
/// says so at its top.
pub async fn pin_release(
    State(st): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    // The admin's own pages always work on the current release (a preview of a release that
    // is gone can always be stopped).
    let admin_page = req.uri().path().starts_with("/admin/");
    let wanted = req
        .headers()
        .get("x-samtalebank-preview")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .or_else(|| crate::state::cookie(req.headers(), PREVIEW_COOKIE))
        .filter(|_| !admin_page)
        .map(str::to_string);
    let (rel, preview) = match wanted {
        None => (st.release(), false),
        Some(id) => {
            if let Err(p) = st.authorise(req.headers()) {
                return ApiError(p).into_response();
            }
            let st2 = st.clone();
            match st.offload(move || st2.preview(&id)).await {
                Ok(Ok(r)) => {
                    let current = st.release().manifest.id == r.manifest.id;
                    (r, !current)
                }
                Ok(Err(p)) | Err(p) => return ApiError(p).into_response(),
            }
        }
    };
    let etag = format!("W/\"{}\"", rel.manifest.id);
    let modified = chrono::DateTime::parse_from_rfc3339(&rel.manifest.created)
        .map(|d| {
            d.with_timezone(&chrono::Utc)
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string()
        })
        .ok();
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let id = rel.manifest.id.clone();
    req.extensions_mut().insert(rel);
    let mut resp = next.run(req).await;
    if resp.status() == StatusCode::OK && not_modified {
        resp = StatusCode::NOT_MODIFIED.into_response();
    }
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(v) = modified.and_then(|m| HeaderValue::from_str(&m).ok()) {
        h.insert(header::LAST_MODIFIED, v);
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert("x-samtalebank-release", v);
    }
    if preview {
        h.insert(
            "x-samtalebank-status",
            HeaderValue::from_static("not-published"),
        );
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        return mark_page(resp, &id).await;
    }
    resp
}

/// Put the "not published" notice at the top of a page (an HTML answer).
async fn mark_page(resp: Response, id: &str) -> Response {
    let html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let page = String::from_utf8_lossy(&bytes);
    let marked = samtalebank_web::mark_preview(&page, id);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(marked))
}

/// Refuse API calls over the limit.
pub async fn rate_limit(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    match st.limiter.check(ip, Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let l = &st.limiter;
            let mut r = ApiError(Problem::new(
                429,
                "Too many requests",
                format!(
                    "at most {} calls per {} seconds; try again in {wait} s",
                    l.max_calls,
                    l.window.as_secs()
                ),
            ))
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
    }
}

/// Answer from the cache, or run the request and keep a successful answer.
pub async fn cache(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    if !(method == Method::GET || method == Method::POST) || !cacheable(req.uri().path()) {
        return next.run(req).await;
    }
    let generation = match req.extensions().get::<Arc<Release>>() {
        Some(r) => format!("{}|{}", r.manifest.id, st.groups_stamp()),
        None => return next.run(req).await,
    };
    let (parts, body) = req.into_parts();
    let body = match crate::respond::read_body(body, MAX_SELECTION_BODY).await {
        Ok(b) => b,
        Err(p) => return ApiError(p).into_response(),
    };
    let k = key(&parts.method, &parts.uri, &body);
    if let Some(e) = st.cache.get(&generation, &k) {
        let mut r = (StatusCode::OK, e.body.clone()).into_response();
        *r.headers_mut() = e.headers.clone();
        return r;
    }
    let resp = next
        .run(Request::from_parts(parts, axum::body::Body::from(body)))
        .await;
    if resp.status() != StatusCode::OK {
        return resp;
    }
    let (rparts, rbody) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(rbody, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    st.cache.put(
        &generation,
        k,
        Entry {
            headers: rparts.headers.clone(),
            body: bytes.clone(),
        },
    );
    Response::from_parts(rparts, axum::body::Body::from(bytes))
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
