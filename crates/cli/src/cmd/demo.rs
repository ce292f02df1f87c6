//! Everything at once: generate a small sample, ingest, build and serve it.
//!
//! Usage: samtalebank demo [--port 8080] [--scale 0.02] [--seed 42] [--dir DIR] [--protection ckm]
//!
//! Works in a temporary directory (removed on exit) unless --dir is given, and prints the URL.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Generate, ingest, build and serve a synthetic sample; prints the URL.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Port on 127.0.0.1 to serve on.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Size of the synthetic sample as a share of the whole country (1.0).
    #[arg(long, default_value_t = 0.02)]
    scale: f64,
    /// Random seed of the synthetic data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Keep the data here instead of in a temporary directory.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Disclosure control (see `build --protection`).
    #[arg(long, value_enum, default_value_t = samtalebank_model::Protection::Ckm)]
    protection: samtalebank_model::Protection,
    /// With `--protection lp`: the LP audit's budget (see `build --lp-budget`).
    #[arg(long, default_value_t = 1500)]
    lp_budget: usize,
}

pub fn run(a: Args) -> super::Result {
    let tmp;
    let dir = match &a.dir {
        Some(d) => d.clone(),
        None => {
            tmp = tempfile::Builder::new()
                .prefix("samtalebank-demo-")
                .tempdir()
                .map_err(|e| e.to_string())?;
            tmp.path().to_path_buf()
        }
    };
    let (raw, store, releases) = (dir.join("raw"), dir.join("store"), dir.join("releases"));
    eprintln!("demo in {}", dir.display());
    let s = samtalebank_synth::generate(
        &samtalebank_synth::Options {
            scale: a.scale,
            seed: a.seed,
            first_year: 2019,
            last_year: 2024,
        },
        &raw,
    )
    .map_err(|e| format!("{}: {e}", raw.display()))?;
    eprintln!(
        "1/3 generated {} conversations, {} spells",
        s.conversations, s.spells
    );
    let sum = samtalebank_ingest::run(&samtalebank_ingest::Options {
        store: store.clone(),
        inputs: vec![raw],
        strict: false,
        quiet: true,
        wait: false,
    })
    .map_err(|e| e.to_string())?;
    eprintln!(
        "2/3 ingested {} rows ({} rejected)",
        sum.accepted(),
        sum.rejected()
    );
    eprintln!(
        "3/3 building the release (disclosure control: {})",
        a.protection.name()
    );
    let (m, _) = samtalebank_pipeline::build(&samtalebank_pipeline::BuildOptions {
        store,
        releases: releases.clone(),
        threshold: samtalebank_model::defaults::THRESHOLD,
        protection: a.protection,
        lp_budget: a.lp_budget,
        wait: false,
        memory_check: true,
        max_memory: None,
        candidate: false,
        bulk: true,
    })?;
    eprintln!("3/3 built release {}", m.id);
    let addr = SocketAddr::from(([127, 0, 0, 1], a.port));
    let config = samtalebank_server::Config::new(releases, addr);
    super::serve::serve(config, |addr| {
        println!("Samtalebank demo is running: http://{addr}/");
        println!("  table:  http://{addr}/tabel/SAMT01");
        println!("  survey: http://{addr}/undersoegelse");
        println!("  API:    http://{addr}/api/v2/tables");
        println!("Press Ctrl-C to stop.");
    })
}
