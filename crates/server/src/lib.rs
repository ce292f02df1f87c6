//! The server: the PxWeb API v2 and the web site over HTTP (axum), for the current release,
//! switched without a restart. Microdata is never served: only published tables. The API's
//! semantics and formats are `samtalebank_pxweb`'s; the pages are `samtalebank_web`'s.

mod api;
mod error;
mod gap;
mod limit;
mod listen;
mod pages;
mod saved;
mod savings;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use samtalebank_pxweb::Problem;
use samtalebank_release::Release;

pub use listen::Limits;

#[derive(Debug, Clone)]
pub struct Config {
    pub releases: PathBuf,
    pub addr: SocketAddr,
    /// Largest number of cells one data request may ask for.
    pub max_cells: usize,
    /// Bearer token for `POST /admin/reload`; `None` = no admin API.
    pub admin_token: Option<String>,
    /// API calls each client may make per `time_window` seconds.
    pub max_calls: u32,
    pub time_window: u32,
    /// Bytes of responses the cache keeps.
    pub cache_bytes: usize,
    /// Connections, timeouts, heavy answers and saved queries.
    pub limits: Limits,
}

impl Config {
    /// A server of `releases` on `addr` with the defaults of `model::defaults` and [`Limits`].
    pub fn new(releases: PathBuf, addr: SocketAddr) -> Config {
        use samtalebank_model::defaults as d;
        Config {
            releases,
            addr,
            max_cells: d::MAX_CELLS,
            admin_token: None,
            max_calls: d::MAX_CALLS,
            time_window: d::TIME_WINDOW,
            cache_bytes: d::CACHE_MB << 20,
            limits: Limits::default(),
        }
    }
}

pub struct AppState {
    pub config: Config,
    release: RwLock<Arc<Release>>,
    limiter: limit::RateLimiter,
    cache: limit::ResponseCache,
    /// Places for CPU-heavy answers rendered off the async workers.
    heavy: tokio::sync::Semaphore,
    saved: saved::Quota,
}

impl AppState {
    /// The release a request works on: taken once per request (by `pin_release`), so a
    /// request never mixes two.
    pub fn release(&self) -> Arc<Release> {
        match self.release.read() {
            Ok(r) => r.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// The saved municipality groups (`groups.json` beside the releases) with their members'
    /// codes, for the codelists. A group that does not resolve on this release is left out.
    pub fn groups(&self, rel: &Release) -> Vec<samtalebank_pxweb::codelist::Group> {
        use samtalebank_analysis::gap;
        let (Some(bench), Ok(saved)) = (
            rel.table("BENCH01"),
            gap::load_groups(&self.config.releases),
        ) else {
            return Vec::new();
        };
        let Some((_, area)) = bench.meta.var(samtalebank_model::Var::Omraade) else {
            return Vec::new();
        };
        saved
            .iter()
            .filter_map(|(name, def)| {
                let members = gap::resolve(bench, def, &saved).ok()?;
                let codes = members
                    .iter()
                    .map(|&i| area.categories[i].code.clone())
                    .collect();
                Some((name.clone(), codes))
            })
            .collect()
    }

    /// A message without the server's file-system paths: the releases directory is called
    /// `releases`.
    pub fn hide_paths(&self, msg: &str) -> String {
        let dir = self.config.releases.display().to_string();
        let abs = std::path::absolute(&self.config.releases)
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let mut m = msg.to_string();
        for d in [abs, dir] {
            if !d.is_empty() {
                m = m.replace(&d, "releases");
            }
        }
        m
    }

    /// Run CPU-heavy work off the async workers, at most `limits.heavy_workers` at a time;
    /// more wait their turn, while every other request is answered meanwhile.
    pub(crate) async fn offload<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Problem> {
        let _place = self
            .heavy
            .acquire()
            .await
            .map_err(|_| Problem::new(503, "Shutting down", "the server is stopping"))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| Problem::internal("Internal error", e.to_string()))
    }

    /// Changes when the saved groups change (their file's modification time).
    pub fn groups_stamp(&self) -> String {
        std::fs::metadata(self.config.releases.join("groups.json"))
            .and_then(|m| m.modified())
            .map(|t| format!("{t:?}"))
            .unwrap_or_default()
    }

    /// Load the current release from disk and serve it from the next request on. Requests in
    /// flight finish on the release they started with. Returns the new release id.
    pub fn reload(&self) -> Result<String, String> {
        let new = Release::open_current(&self.config.releases)
            .map_err(|e| self.hide_paths(&e.to_string()))?;
        let id = new.manifest.id.clone();
        match self.release.write() {
            Ok(mut r) => *r = Arc::new(new),
            Err(p) => *p.into_inner() = Arc::new(new),
        }
        Ok(id)
    }
}

/// Pin the current release for the request, answer conditional requests, and label the
/// response with the release: `ETag` (weak, the release id), `Last-Modified` (its creation
/// time) and `X-Samtalebank-Release`.
async fn pin_release(
    axum::extract::State(st): axum::extract::State<Arc<AppState>>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{header, HeaderValue, StatusCode};
    let rel = st.release();
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
    resp
}

/// `POST /admin/reload` with `Authorization: Bearer <token>`: switch to the current release.
async fn admin_reload(
    axum::extract::State(st): axum::extract::State<Arc<AppState>>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::http::StatusCode;
    let Some(token) = &st.config.admin_token else {
        return error::ApiError(Problem::not_found(
            "no admin API (no admin token configured)",
        ))
        .into_response();
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    // Compare in constant time with respect to the token's content.
    let ok = given.is_some_and(|g| {
        g.len() == token.len()
            && g.bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if !ok {
        return error::ApiError(Problem::new(
            401,
            "Unauthorized",
            "a valid admin token is required",
        ))
        .into_response();
    }
    match st.reload() {
        Ok(id) => (
            StatusCode::OK,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            serde_json::json!({"release": id}).to_string(),
        )
            .into_response(),
        // The previous release stays current; the admin is told why (the damaged file named,
        // inside the releases directory).
        Err(e) => error::ApiError(Problem::new(
            409,
            "Reload refused",
            format!("still serving the previous release: {e}"),
        ))
        .into_response(),
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/tabel/{id}", get(pages::table))
        .route("/kommune/{code}", get(pages::kommune))
        .route("/benchmark", get(pages::gap))
        .route("/api/v2/config", get(api::config))
        .route("/api/v2/tables", get(api::tables))
        .route("/api/v2/tables/{id}", get(api::table))
        .route("/api/v2/tables/{id}/metadata", get(api::metadata))
        .route(
            "/api/v2/tables/{id}/defaultselection",
            get(api::default_selection),
        )
        .route(
            "/api/v2/tables/{id}/data",
            get(api::data).post(api::data_post),
        )
        .route("/api/v2/codelists/{id}", get(api::codelist))
        .route(
            "/api/v2/savedqueries",
            axum::routing::post(saved::save_query),
        )
        .route("/api/v2/savedqueries/{id}", get(saved::get_saved))
        .route("/api/v2/savedqueries/{id}/data", get(saved::saved_data))
        .route(
            "/api/v2/savedqueries/{id}/selection",
            get(saved::saved_selection),
        )
        .route("/api/v2/openapi.json", get(api::openapi))
        .route("/api/v2/benchmark/gap", get(gap::gap))
        .route("/api/v2/savings", get(savings::savings))
        .route("/besparelse", get(pages::savings))
        .route("/undersoegelse", get(pages::survey))
        .route("/admin/reload", axum::routing::post(admin_reload))
        .fallback(api::not_found)
        // Innermost first: the cache needs the pinned release; the rate limit counts every
        // API call, cached or not.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit::cache,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            pin_release,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit::rate_limit,
        ))
        // A bug must not drop the connection: a panic in a handler is a 500 problem.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                error::ApiError(Problem::internal(
                    "Internal error",
                    "the server could not answer this request",
                ))
                .into_response()
            },
        ))
        // Every error of the API as problem+json, whoever made it (a method not allowed, a body
        // too large); requests whose URI or headers are too long are refused here.
        .layer(axum::middleware::from_fn(error::guard))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.config.limits.body_timeout,
        ))
        .layer(tower_http::cors::CorsLayer::permissive())
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// Load the current release and serve until Ctrl-C / SIGTERM. `ready` is called once listening.
pub async fn serve(
    config: Config,
    ready: impl FnOnce(SocketAddr) + Send + 'static,
) -> Result<(), String> {
    let release = Release::open_current(&config.releases).map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let limits = config.limits.clone();
    let state = Arc::new(AppState {
        limiter: limit::RateLimiter::new(config.max_calls, config.time_window),
        cache: limit::ResponseCache::new(config.cache_bytes),
        heavy: tokio::sync::Semaphore::new(limits.heavy_workers.max(1)),
        saved: saved::Quota::new(&config.releases, &limits),
        config,
        release: RwLock::new(Arc::new(release)),
    });
    ready(addr);
    // SIGHUP: switch to the current release without a restart.
    let st = state.clone();
    tokio::spawn(async move {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        while hup.recv().await.is_some() {
            use std::io::Write;
            // Never panic on a closed stderr.
            let _ = match st.reload() {
                Ok(id) => writeln!(std::io::stderr(), "now serving release {id}"),
                Err(e) => writeln!(
                    std::io::stderr(),
                    "reload failed, still serving the previous release: {e}"
                ),
            };
        }
    });
    listen::run(listener, router(state), &limits, shutdown()).await;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
