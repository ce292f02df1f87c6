//! What a server is told at start: where the releases are, where to listen, and its limits.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

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

/// What one server allows its clients.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Open connections in all.
    pub max_connections: usize,
    /// Open connections from one IP address.
    pub max_connections_per_client: usize,
    /// Time to send a request's headers (from connecting, or from the previous answer).
    pub header_timeout: Duration,
    /// Time to send a request's body.
    pub body_timeout: Duration,
    /// Answers rendered at once off the async workers (Excel, Parquet, large selections);
    /// more wait their turn.
    pub heavy_workers: usize,
    /// Saved queries stored in all.
    pub max_saved_queries: usize,
    /// New saved queries one client may store per day.
    pub max_saved_per_client: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 10_000,
            max_connections_per_client: 256,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            heavy_workers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            max_saved_queries: 10_000,
            max_saved_per_client: 100,
        }
    }
}
