//! `/udgivelser.atom`: an Atom feed (RFC 4287) of the releases, newest first, for readers and
//! machines that follow the statistics: each release with when it was made, how far its data
//! go and its tables.

use maud::html;
use samtalebank_release::{HistoryEntry, Status};

use crate::format::day_words;
use samtalebank_model::Lang;

/// The feed's XML: every published release, newest publication first (`history`), each with
/// when it was published, how far its data go, its new months and what it revised.
pub fn releases_feed(history: &[HistoryEntry]) -> String {
    let updated = history
        .first()
        .map(|e| e.published.as_str())
        .unwrap_or("1970-01-01T00:00:00Z");
    let xml = html! {
        feed xmlns="http://www.w3.org/2005/Atom" {
            id { "urn:samtalebank:releases" }
            title { "Samtalebank: udgivelser" }
            subtitle { "Samtaler i jobcentrene: nye tal og revisioner" }
            updated { (updated) }
            link rel="self" href="/udgivelser.atom" {}
            link rel="alternate" href="/nyt" {}
            author { name { "Samtalebank" } }
            @for e in history {
                @let m = &e.manifest;
                entry {
                    id { "urn:samtalebank:release:" (m.id) }
                    title {
                        "Udgivelse " (m.id)
                        @if e.status == Status::Current { " (gældende)" }
                    }
                    updated { (e.published) }
                    published { (e.published) }
                    link rel="alternate" href="/nyt" {}
                    summary {
                        "Data til og med " (day_words(Lang::Da, &m.data_end)) ". "
                        @if let Some(r) = &e.revisions {
                            @let added = new_months(r);
                            @if !added.is_empty() { "Nye måneder: " (added.join(", ")) ". " }
                            @let revised: u64 = r.tables.iter().flat_map(|t| &t.revised).map(|p| p.counts).sum();
                            "Revisioner af offentliggjorte perioder: " (revised) " tal. "
                        }
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

/// The months a release added, over all its tables, in order.
fn new_months(r: &samtalebank_release::Revisions) -> Vec<&str> {
    let set: std::collections::BTreeSet<&str> = r
        .tables
        .iter()
        .flat_map(|t| t.added_periods.iter().map(String::as_str))
        .filter(|p| samtalebank_model::PeriodKind::of(p) == samtalebank_model::PeriodKind::Month)
        .collect();
    set.into_iter().collect()
}

/// `/nyt`: the releases, newest publication first: when each was published, how far its data
/// go, the periods it added and what it revised in periods already published, table by table.
pub fn news_page(entries: &[HistoryEntry], q: &crate::Params) -> String {
    use crate::format::date_words;
    use crate::layout::{page, Here};
    use crate::messages::msgs;
    let lang = q.lang();
    let m = msgs(lang);
    let here = Here {
        path: "/nyt",
        query: q,
    };
    let body = html! {
        h1 { (m.news_title) }
        p { (m.news_intro) " " a href="/udgivelser.atom" { (m.news_feed) } "." }
        @for e in entries {
            section.release {
                h2 {
                    (m.news_published) " " (date_words(lang, &e.published))
                    @if e.status == Status::Current { " (" (m.news_current) ")" }
                }
                p.muted {
                    (m.news_data_to) " " (day_words(lang, &e.manifest.data_end)) ". "
                    (m.news_release) " " code { (e.manifest.id) }
                }
                @match &e.revisions {
                    None => p { (m.news_first) },
                    Some(r) => {
                        @let added = new_months(r);
                        @if !added.is_empty() {
                            p { (m.news_added) ": " (added.join(", ")) "." }
                        }
                        @let revised: Vec<_> = r.tables.iter().filter(|t| !t.revised.is_empty()).collect();
                        @if revised.is_empty() {
                            p { (m.news_no_revisions) }
                        } @else {
                            ul {
                                @for t in revised {
                                    li {
                                        a href={ "/tabel/" (t.table) "?lang=" (lang.code()) } { (t.table) } ": "
                                        (crate::format::num(lang, samtalebank_release::Value::Num(t.revised.iter().map(|p| p.counts).sum::<u64>() as f64), 0))
                                        " " (m.news_revised) " "
                                        (t.revised.iter().take(8).map(|p| p.period.as_str()).collect::<Vec<_>>().join(", "))
                                        @if t.revised.len() > 8 { " " (m.news_more(t.revised.len() - 8)) }
                                        "."
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(here, m.news_title, body)
}
