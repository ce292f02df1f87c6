//! `/`: the tables of the release, the savings calculator, the citizen survey and the
//! municipalities' benchmark reports.

use maud::html;
use samtalebank_model::{is_kommune, Var};
use samtalebank_pxweb::Params;
use samtalebank_release::Release;
use samtalebank_tables::registry;

use crate::layout::page;
use crate::messages::msgs;

/// The front page.
pub fn home(rel: &Release, q: &Params) -> String {
    let lang = q.lang();
    let m = msgs(lang);
    let l = lang.code();
    let kommuner = rel
        .table(registry::BENCH01.id)
        .and_then(|t| t.meta.var(Var::Omraade))
        .map(|(_, area)| {
            area.categories
                .iter()
                .filter(|c| is_kommune(&c.code))
                .collect::<Vec<_>>()
        });
    let body = html! {
        h1 { "Samtalebank" }
        p { (m.site_intro) }
        h2 { (m.tables) }
        @for t in &rel.tables {
            @let meta = &t.meta;
            div.card {
                h3 { a href={ "/tabel/" (meta.id) "?lang=" (l) } { (meta.id) ": " (meta.title(lang)) } }
                p { (meta.description(lang)) }
                p.muted {
                    // A table without a time dimension (the survey) has no period to show.
                    @if let (Some(first), Some(last)) = (meta.first_period(), meta.last_period()) {
                        (m.period) ": " (first) " – " (last) ". "
                    }
                    (m.updated) ": " (meta.updated)
                }
            }
        }
        @if rel.table(registry::SAMT01.id).is_some() {
            div.card {
                h3 { a href={ "/besparelse?lang=" (l) } { (m.sv_title) } }
                p { (m.sv_intro) }
            }
        }
        @if rel.table(registry::SURV01.id).is_some() {
            div.card {
                h3 { a href={ "/undersoegelse?lang=" (l) } { (m.su_title) } }
                p { (m.su_intro) }
            }
        }
        @if let Some(ks) = &kommuner {
            h2 { (m.kommune_reports) }
            p {
                @for (i, c) in ks.iter().enumerate() {
                    @if i > 0 { " · " }
                    a href={ "/kommune/" (c.code) "?lang=" (l) } { (c.label_da) }
                }
            }
        }
        p.muted { (m.release) " " code { (rel.manifest.id) } ". " a href="/api/v2/config" { "/api/v2/config" } }
    };
    page(lang, "Samtalebank", q, body)
}
