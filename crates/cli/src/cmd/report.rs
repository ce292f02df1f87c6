//! A municipality's benchmark report as a standalone HTML file.
//!
//! Usage: samtalebank report --releases DIR --kommune 730 --out randers.html [--lang da|en]
//!
//! The same report as the web page /kommune/730: the indicators against the country, the region
//! and the 5 most similar municipalities, the rank among 98 and the development over time, with
//! inline CSS and SVG, so the file needs nothing else and prints well.

use std::path::PathBuf;

/// Write a municipality's benchmark report as a standalone HTML file.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The releases directory; the current release is read.
    #[arg(long)]
    releases: PathBuf,
    /// The municipality's 3-digit code.
    #[arg(long)]
    kommune: String,
    /// The HTML file to write.
    #[arg(long)]
    out: PathBuf,
    /// The report's language.
    #[arg(long, value_enum, default_value_t = samtalebank_model::Lang::Da)]
    lang: samtalebank_model::Lang,
}

pub fn run(a: Args) -> super::Result {
    let rel = samtalebank_release::Release::open_current(&a.releases).map_err(|e| e.to_string())?;
    let html = samtalebank_web::kommune_report(&rel, &a.kommune, a.lang)?;
    std::fs::write(&a.out, html).map_err(|e| format!("{}: {e}", a.out.display()))?;
    eprintln!("wrote {}", a.out.display());
    Ok(())
}
