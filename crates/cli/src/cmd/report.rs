//! A municipality's page as a standalone HTML file.
//!
//! ```text
//! samtalebank report --releases DIR --kommune 730|Randers --out randers.html
//!                    [--lang da|en] [--base-url https://samtalebank.example.dk]
//! ```
//!
//! The same figures as the web page /kommune/730: the indicators against the region, the country
//! and the 5 most similar municipalities with their bases and ranks, the development over time
//! and the rank over the years, with inline CSS and SVG, so the file needs nothing else and
//! prints well. Its links point at the site at --base-url; without it the file has no links
//! (a link relative to a file on disk leads nowhere).

use std::path::PathBuf;

/// Write a municipality's page as a standalone HTML file.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The releases directory; the current release is read.
    #[arg(long)]
    releases: PathBuf,
    /// The municipality: its 3-digit code or its name (`730`, `Randers`).
    #[arg(long)]
    kommune: String,
    /// The HTML file to write.
    #[arg(long)]
    out: PathBuf,
    /// The report's language.
    #[arg(long, value_enum, default_value_t = samtalebank_model::Lang::Da)]
    lang: samtalebank_model::Lang,
    /// The site's address, for the report's links (downloads, the tables, other
    /// municipalities); without it the report has no links.
    #[arg(long)]
    base_url: Option<String>,
}

pub fn run(a: Args) -> super::Result {
    let rel = samtalebank_release::Release::open_current(&a.releases)?;
    let html = samtalebank_web::kommune_report(&rel, &a.kommune, a.lang, a.base_url.as_deref())?;
    std::fs::write(&a.out, html).map_err(|e| format!("{}: {e}", a.out.display()))?;
    eprintln!("wrote {}", a.out.display());
    Ok(())
}
