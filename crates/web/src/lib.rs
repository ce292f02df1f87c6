//! The web site: server-rendered HTML and SVG (no JavaScript build step; one small inline script
//! updates a table page's cell count), Danish by default, English with `?lang=en`, printable.
//! Each page is a function from a release (and the query string) to a whole HTML document; the
//! server sends them, and `samtalebank report` writes the municipality report to a file.
//!
//! The user-visible strings are in `messages.rs`, one table per language.

mod benchmark;
mod charts;
mod format;
mod home;
mod kommune;
mod layout;
mod messages;
mod savings;
mod survey;
mod table;

pub use benchmark::gap_page;
pub use home::home;
pub use kommune::kommune_report;
pub use layout::not_found;
pub use savings::savings_page;
pub use survey::survey_page;
pub use table::{api_url, table_page};
