//! Serve the current release: web site and PxWeb-compatible API.
//!
//! Usage: samtalebank serve --releases DIR [--addr 127.0.0.1:8080] [--max-cells 100000]
//!            [--max-calls 600] [--time-window 10] [--cache-mb 64] [--admin-token-file FILE]
//!            [--max-connections 10000] [--max-connections-per-client 256] [--timeout 10]
//!            [--max-saved-queries 10000] [--max-saved-per-client 100]
//!
//! The release's files are checked against their checksums when it is loaded (at start and on
//! every reload): a damaged release is refused, naming the file, and on a reload the previous
//! one stays current.
//!
//! Serves exactly one release at a time. To switch to a newly built release without a restart,
//! send SIGHUP, or POST /admin/reload with `Authorization: Bearer TOKEN`; the admin API exists only
//! when a token is given ($SAMTALEBANK_ADMIN_TOKEN, or a file readable by its owner only).

use std::net::SocketAddr;
use std::path::PathBuf;

/// Serve the web site and the API on HTTP.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The releases directory written by `build`; the current release is served.
    #[arg(long)]
    releases: PathBuf,
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Largest number of cells one data request may ask for.
    #[arg(long, default_value_t = samtalebank_model::defaults::MAX_CELLS)]
    max_cells: usize,
    /// API calls one client (IP address) may make per time window; one more is answered 429.
    #[arg(long, default_value_t = samtalebank_model::defaults::MAX_CALLS)]
    max_calls: u32,
    /// The rate limit's time window, in seconds.
    #[arg(long, default_value_t = samtalebank_model::defaults::TIME_WINDOW)]
    time_window: u32,
    /// Megabytes of API responses to keep in the cache (emptied when the release changes).
    #[arg(long, default_value_t = samtalebank_model::defaults::CACHE_MB)]
    cache_mb: usize,
    /// File holding the admin token (mode 0600); else $SAMTALEBANK_ADMIN_TOKEN; else no admin API.
    #[arg(long)]
    admin_token_file: Option<PathBuf>,
    /// Open connections in all; one more is answered 503 and closed.
    #[arg(long, default_value_t = samtalebank_server::Limits::default().max_connections)]
    max_connections: usize,
    /// Open connections from one IP address; one more is answered 503 and closed.
    #[arg(long, default_value_t = samtalebank_server::Limits::default().max_connections_per_client)]
    max_connections_per_client: usize,
    /// Seconds a client has to send a request's headers (from connecting or its previous
    /// answer) and its body; a connection that takes longer is closed.
    #[arg(long, default_value_t = samtalebank_server::Limits::default().header_timeout.as_secs())]
    timeout: u64,
    /// Saved queries kept in all (more are refused with 503).
    #[arg(long, default_value_t = samtalebank_server::Limits::default().max_saved_queries)]
    max_saved_queries: usize,
    /// New saved queries one client (IP address) may store per day (more are refused with 429).
    #[arg(long, default_value_t = samtalebank_server::Limits::default().max_saved_per_client)]
    max_saved_per_client: u32,
}

pub fn run(a: Args) -> super::Result {
    let token = admin_token(a.admin_token_file.as_deref())?;
    let config = samtalebank_server::Config {
        releases: a.releases,
        addr: a.addr,
        max_cells: a.max_cells,
        admin_token: token,
        max_calls: a.max_calls,
        time_window: a.time_window,
        cache_bytes: a.cache_mb << 20,
        limits: samtalebank_server::Limits {
            max_connections: a.max_connections,
            max_connections_per_client: a.max_connections_per_client,
            header_timeout: std::time::Duration::from_secs(a.timeout),
            body_timeout: std::time::Duration::from_secs(a.timeout),
            max_saved_queries: a.max_saved_queries,
            max_saved_per_client: a.max_saved_per_client,
            ..samtalebank_server::Limits::default()
        },
    };
    serve(config, |addr| {
        eprintln!("serving on http://{addr}/  (Ctrl-C to stop)");
    })
}

fn admin_token(file: Option<&std::path::Path>) -> super::Result<Option<String>> {
    use std::os::unix::fs::PermissionsExt;
    if let Some(f) = file {
        let meta = std::fs::metadata(f).map_err(|e| format!("{}: {e}", f.display()))?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "{}: the admin token file must be readable by its owner only (chmod 600)",
                f.display()
            )
            .into());
        }
        let t = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let t = t.trim().to_string();
        if t.len() < 16 {
            return Err(format!(
                "{}: the admin token must be at least 16 characters",
                f.display()
            )
            .into());
        }
        return Ok(Some(t));
    }
    match std::env::var("SAMTALEBANK_ADMIN_TOKEN") {
        Ok(t) if t.len() >= 16 => Ok(Some(t)),
        Ok(_) => Err("SAMTALEBANK_ADMIN_TOKEN must be at least 16 characters".into()),
        Err(_) => Ok(None),
    }
}

pub fn serve(
    config: samtalebank_server::Config,
    ready: impl FnOnce(SocketAddr) + Send + 'static,
) -> super::Result {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    Ok(rt.block_on(samtalebank_server::serve(config, ready))?)
}
