//! `/udgivelser.atom`: an Atom feed (RFC 4287) of the releases, newest first, for readers and
//! machines that follow the statistics: each release with when it was made, how far its data
//! go and its tables.

use maud::html;
use samtalebank_release::Manifest;

use crate::format::day_words;
use samtalebank_model::Lang;

/// The feed's XML. `current` is the id of the release being served.
pub fn releases_feed(manifests: &[Manifest], current: &str) -> String {
    let mut ms: Vec<&Manifest> = manifests.iter().collect();
    ms.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    let updated = ms
        .first()
        .map(|m| m.created.as_str())
        .unwrap_or("1970-01-01T00:00:00Z");
    let xml = html! {
        feed xmlns="http://www.w3.org/2005/Atom" {
            id { "urn:samtalebank:releases" }
            title { "Samtalebank: udgivelser" }
            subtitle { "Samtaler i jobcentrene: nye tal og revisioner" }
            updated { (updated) }
            link rel="self" href="/udgivelser.atom" {}
            link rel="alternate" href="/" {}
            author { name { "Samtalebank" } }
            @for m in &ms {
                entry {
                    id { "urn:samtalebank:release:" (m.id) }
                    title {
                        "Udgivelse " (m.id)
                        @if m.id == current { " (gældende)" }
                    }
                    updated { (m.created) }
                    published { (m.created) }
                    link rel="alternate" href="/api/v2/tables" {}
                    summary {
                        "Data til og med " (day_words(Lang::Da, &m.data_end)) ". "
                        @for (i, t) in m.tables.iter().enumerate() {
                            @if i > 0 { ", " }
                            (t.id) ": " (t.nonzero_cells) " celler med tal"
                        }
                        "."
                    }
                }
            }
        }
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{}",
        xml.into_string()
    )
}
