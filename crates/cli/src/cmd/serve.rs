//! Serve the current release: web site and PxWeb-compatible API.
//!
//! Usage: samtalebank serve --releases DIR [--addr 127.0.0.1:8080] [--max-cells 100000]

use std::net::SocketAddr;
use std::path::PathBuf;

/// Serve the web site and the API on HTTP.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long)]
    releases: PathBuf,
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Largest number of cells one data request may ask for.
    #[arg(long, default_value_t = 100_000)]
    max_cells: usize,
}

pub fn run(a: Args) -> Result<(), String> {
    serve(a.releases, a.addr, a.max_cells, |addr| {
        eprintln!("serving on http://{addr}/  (Ctrl-C to stop)");
    })
}

pub fn serve(
    releases: PathBuf,
    addr: SocketAddr,
    max_cells: usize,
    ready: impl FnOnce(SocketAddr) + Send + 'static,
) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(samtalebank_server::serve(
        samtalebank_server::Config {
            releases,
            addr,
            max_cells,
        },
        ready,
    ))
}
