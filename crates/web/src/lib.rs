//! The web site: server-rendered HTML and SVG, written with compile-time templates (`maud`) that
//! escape every value they insert; Danish by default, English with `?lang=en`; printable;
//! usable from the keyboard and on a phone. Each page is a function from a release (and the
//! query's [`Params`]) to a whole HTML document; the server sends them, and `samtalebank report`
//! writes the municipality's page to a file. The pages' scripts are static files ([`asset`]),
//! never inline, and every page works without them.
//!
//! The user-visible strings are in `messages.rs`, one table per language.

mod benchmark;
mod builder;
mod charts;
mod components;
mod feed;
mod format;
mod home;
mod indicators;
mod kommune;
mod layout;
mod messages;
mod ranking;
mod savings;
mod survey;
mod table;
#[cfg(test)]
mod tests;

pub use benchmark::gap_page;
pub use feed::{news_page, releases_feed};
pub use home::{home, kommuner_page, KommunerAnswer};
pub use kommune::{kommune_page, kommune_report};
pub use layout::{mark_preview, not_found, preview_page, Page};
pub use ranking::{map_page, ranking_page};
pub use samtalebank_pxweb::Params;
pub use savings::savings_page;
pub use survey::survey_page;
pub use table::{table_page, API_CELLS, PAGE_CELLS};

/// Why a page could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// What was asked for is not in the release (a code that is no municipality).
    #[error("{0}")]
    NotFound(String),
    /// The release lacks what the page shows.
    #[error("{0}")]
    Release(String),
}

impl From<samtalebank_release::ReleaseError> for PageError {
    fn from(e: samtalebank_release::ReleaseError) -> PageError {
        PageError::Release(e.to_string())
    }
}

/// A static file the pages load, by name: its content type and bytes.
pub fn asset(name: &str) -> Option<(&'static str, &'static [u8])> {
    let js = "text/javascript; charset=utf-8";
    match name {
        "table.js" => Some((js, include_bytes!("static/table.js"))),
        "charts.js" => Some((js, include_bytes!("static/charts.js"))),
        "home.js" => Some((js, include_bytes!("static/home.js"))),
        "site.css" => Some(("text/css; charset=utf-8", layout::CSS.as_bytes())),
        _ => None,
    }
}
