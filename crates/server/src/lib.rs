//! The server: the PxWeb API v2 and the web site over HTTP (axum), for the current release,
//! switched without a restart. Microdata is never served: only published tables. The API's
//! semantics and formats are `samtalebank_pxweb`'s; the pages are `samtalebank_web`'s.
//!
//! Modules, each importing only those listed before it:
//!
//! - `config`: [`Config`] and [`Limits`];
//! - `respond`: errors as problem+json, the query extractor, JSON, HTML and data answers;
//! - `listen`: accepting connections within the limits (timeouts, caps, eviction);
//! - `ratelimit`, `cache`: the rate limiter's and the response cache's state;
//! - `saved_store`: saved queries on disk and their quota;
//! - `state`: the application state (the current release, its reload, heavy work);
//! - `select`: from a selection to an answer (shared by data and saved queries);
//! - `middleware`: rate limit, release pinning, cache, the error guard;
//! - `routes/*`: a router per resource, merged in [`router`].

mod cache;
mod config;
mod listen;
mod middleware;
mod ratelimit;
mod respond;
mod routes;
mod saved_store;
mod select;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::response::IntoResponse;
use axum::Router;
use samtalebank_pxweb::Problem;
use samtalebank_release::Release;

pub use config::{Config, Limits};
pub use state::AppState;

/// Every route, and the middleware around them.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .merge(routes::pages::router())
        .merge(routes::api::router())
        .merge(routes::saved::router())
        .merge(routes::ext::router())
        .merge(routes::admin::router())
        .fallback(routes::api::not_found)
        // Innermost first: the cache needs the pinned release; the rate limit counts every
        // API call, cached or not.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::cache,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::pin_release,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::rate_limit,
        ))
        // A bug must not drop the connection: a panic in a handler is a 500 problem.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                respond::ApiError(Problem::internal(
                    "Internal error",
                    "the server could not answer this request",
                ))
                .into_response()
            },
        ))
        // Every error of the API as problem+json, whoever made it (a method not allowed, a body
        // too large); requests whose URI or headers are too long are refused here.
        .layer(axum::middleware::from_fn(middleware::guard))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.config.limits.body_timeout,
        ))
        .layer(tower_http::cors::CorsLayer::permissive())
        // Files that are compressed already are sent as they are.
        .layer(
            tower_http::compression::CompressionLayer::new().compress_when({
                use tower_http::compression::predicate::{NotForContentType, Predicate};
                tower_http::compression::DefaultPredicate::new()
                    .and(NotForContentType::const_new("application/gzip"))
                    .and(NotForContentType::const_new(
                        "application/vnd.apache.parquet",
                    ))
            }),
        )
        .with_state(state)
}

/// Load the current release and serve until Ctrl-C / SIGTERM. `ready` is called once listening.
pub async fn serve(
    config: Config,
    ready: impl FnOnce(SocketAddr) + Send + 'static,
) -> Result<(), ServeError> {
    let release = Release::open_current_published(&config.releases)?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| ServeError::Listen(config.addr, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| ServeError::Listen(config.addr, e))?;
    let limits = config.limits.clone();
    let state = Arc::new(AppState::new(config, release));
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
    // A publication at a set time (`releases publish ID --at TIME`): made current and served
    // within a second of it.
    let st = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let dir = st.config.releases.clone();
            let Ok(done) =
                tokio::task::spawn_blocking(move || samtalebank_release::publish_due(&dir)).await
            else {
                continue;
            };
            use std::io::Write;
            let _ = match done {
                Ok(None) => continue,
                Ok(Some(p)) => match st.reload() {
                    Ok(id) => writeln!(
                        std::io::stderr(),
                        "published release {} as planned; now serving release {id}",
                        p.entry.release
                    ),
                    Err(e) => writeln!(
                        std::io::stderr(),
                        "published release {} as planned, but it cannot be served: {e}",
                        p.entry.release
                    ),
                },
                Err(e) => writeln!(
                    std::io::stderr(),
                    "the planned publication failed: {}",
                    st.hide_paths(&e.to_string())
                ),
            };
        }
    });
    listen::run(listener, router(state), &limits, shutdown()).await;
    Ok(())
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Release(#[from] samtalebank_release::ReleaseError),
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    /// The current release cannot be loaded (the previous one stays current); the message
    /// names the releases directory `releases`, never its path.
    #[error("{0}")]
    Reload(String),
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
