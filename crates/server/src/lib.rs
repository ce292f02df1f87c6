//! The server: PxWeb API v2-compatible JSON-stat/CSV API and a server-rendered web site, over
//! the current release. Microdata is never served: only published tables.

mod api;
mod output;
mod problem;
mod selection;
mod web;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use axum::routing::get;
use axum::Router;
use samtalebank_release::Release;

pub use output::{format_value, Lang};
pub use problem::Problem;
pub use selection::Selection;
pub use web::kommune_report;

#[derive(Debug, Clone)]
pub struct Config {
    pub releases: PathBuf,
    pub addr: SocketAddr,
    /// Largest number of cells one data request may ask for.
    pub max_cells: usize,
}

pub struct AppState {
    pub config: Config,
    release: RwLock<Arc<Release>>,
}

impl AppState {
    /// The release a request works on: taken once per request, so a request never mixes two.
    pub fn release(&self) -> Arc<Release> {
        match self.release.read() {
            Ok(r) => r.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(web::home))
        .route("/tabel/{id}", get(web::table_page))
        .route("/kommune/{code}", get(web::kommune_page))
        .route("/benchmark", get(web::gap_page))
        .route("/api/v2/config", get(api::config))
        .route("/api/v2/tables", get(api::tables))
        .route("/api/v2/tables/{id}", get(api::table))
        .route("/api/v2/tables/{id}/metadata", get(api::metadata))
        .route(
            "/api/v2/tables/{id}/data",
            get(api::data).post(api::data_post),
        )
        .route("/api/v2/benchmark/gap", get(api::gap))
        .fallback(api::not_found)
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
    let state = Arc::new(AppState {
        config,
        release: RwLock::new(Arc::new(release)),
    });
    ready(addr);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| e.to_string())
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
