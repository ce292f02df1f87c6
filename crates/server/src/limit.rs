//! The API's rate limit and response cache, as middleware.
//!
//! Rate limit: each client (by IP address) may make `max_calls` API calls per window of
//! `window` seconds, counted from its first call in the window (what `/config` announces as
//! `maxCallsPerTimeWindow` and `timeWindow`); one call more is answered `429 Too Many Requests`
//! with `Retry-After` (seconds until the window ends). A client that keeps to the announced
//! limit over any sliding window is never refused.
//!
//! Cache: successful answers of the table endpoints (metadata, default selection, data by GET
//! and POST, codelists), keyed by the normalised request (method, path, query pairs sorted by
//! name, body) and the current release, up to a number of bytes; emptied when another release
//! becomes current or when saved municipality groups change.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use samtalebank_pxweb::Problem;
use samtalebank_release::Release;

use crate::error::ApiError;
use crate::AppState;

/// The largest selection a data request may send in its body.
pub const MAX_SELECTION_BODY: usize = 1 << 20;

/// Calls per client and window.
pub struct RateLimiter {
    pub max_calls: u32,
    pub window: Duration,
    clients: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(max_calls: u32, window_secs: u32) -> RateLimiter {
        RateLimiter {
            max_calls: max_calls.max(1),
            window: Duration::from_secs(u64::from(window_secs.max(1))),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Count a call; `Err(seconds to wait)` if it is over the limit.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let mut c = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if c.len() > 100_000 {
            let w = self.window;
            c.retain(|_, (start, _)| now.duration_since(*start) < w);
        }
        let e = c.entry(ip).or_insert((now, 0));
        if now.duration_since(e.0) >= self.window {
            *e = (now, 0);
        }
        if e.1 >= self.max_calls {
            let left = self.window.saturating_sub(now.duration_since(e.0));
            return Err(left.as_secs_f64().ceil().max(1.0) as u64);
        }
        e.1 += 1;
        Ok(())
    }
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

struct Entry {
    headers: HeaderMap,
    body: Bytes,
}

/// Responses by normalised request, up to `capacity` bytes, oldest evicted first.
pub struct ResponseCache {
    capacity: usize,
    inner: Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    generation: String,
    bytes: usize,
    map: HashMap<String, Arc<Entry>>,
    order: VecDeque<String>,
}

impl ResponseCache {
    pub fn new(capacity: usize) -> ResponseCache {
        ResponseCache {
            capacity,
            inner: Mutex::new(CacheInner::default()),
        }
    }

    fn get(&self, generation: &str, key: &str) -> Option<Arc<Entry>> {
        let mut c = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if c.generation != generation {
            *c = CacheInner {
                generation: generation.to_string(),
                ..CacheInner::default()
            };
            return None;
        }
        c.map.get(key).cloned()
    }

    fn put(&self, generation: &str, key: String, e: Entry) {
        let size = e.body.len() + key.len();
        if size > self.capacity / 8 {
            return;
        }
        let mut c = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if c.generation != generation || c.map.contains_key(&key) {
            return;
        }
        while c.bytes + size > self.capacity {
            let Some(old) = c.order.pop_front() else {
                break;
            };
            if let Some(o) = c.map.remove(&old) {
                c.bytes -= o.body.len() + old.len();
            }
        }
        c.bytes += size;
        c.order.push_back(key.clone());
        c.map.insert(key, Arc::new(e));
    }
}

/// The normalised request: method, path, query pairs sorted by lower-case name.
fn key(method: &Method, uri: &axum::http::Uri, body: &[u8]) -> String {
    let mut pairs: Vec<(String, String)> =
        form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
            .collect();
    pairs.sort();
    let mut k = format!("{method} {}?", uri.path().to_ascii_lowercase());
    for (a, b) in pairs {
        k.push_str(&a);
        k.push('=');
        k.push_str(&b);
        k.push('&');
    }
    k.push(' ');
    k.push_str(&String::from_utf8_lossy(body));
    k
}

fn cacheable(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p.starts_with("/api/v2/tables/") || p.starts_with("/api/v2/codelists/")
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
    let body = match crate::error::read_body(body, MAX_SELECTION_BODY).await {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_calls_per_window_and_then_a_wait() {
        let l = RateLimiter::new(3, 10);
        let (a, b) = (IpAddr::from([127, 0, 0, 1]), IpAddr::from([127, 0, 0, 2]));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check(a, t0).is_ok());
        }
        assert_eq!(l.check(a, t0 + Duration::from_secs(4)), Err(6));
        // Another client has its own count.
        assert!(l.check(b, t0).is_ok());
        // A new window.
        assert!(l.check(a, t0 + Duration::from_secs(10)).is_ok());
    }

    #[test]
    fn the_cache_key_ignores_parameter_order_and_case() {
        let u1: axum::http::Uri = "/api/v2/tables/SAMT01/data?b=2&A=1".parse().unwrap();
        let u2: axum::http::Uri = "/api/v2/tables/samt01/data?a=1&b=2".parse().unwrap();
        assert_eq!(key(&Method::GET, &u1, b""), key(&Method::GET, &u2, b""));
        assert_ne!(key(&Method::GET, &u1, b""), key(&Method::POST, &u1, b""));
    }
}
