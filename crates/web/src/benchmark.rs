//! `/benchmark`: a group of municipalities against the rest of the country over time.

use std::collections::BTreeMap;

use maud::html;
use samtalebank_analysis::{gap, AnalysisError};
use samtalebank_model::{PeriodKind, Var};
use samtalebank_pxweb::Params;
use samtalebank_release::Table;

use crate::charts::line_chart;
use crate::format::num;
use crate::layout::page;
use crate::messages::msgs;

/// The gap page for a group (`group`, `indicator`, `periode` from the query string; by default
/// the 15 municipalities with the lowest 6-week share in the first year). `saved` are the saved
/// groups, or why they could not be read.
///
/// Long: One page written top to bottom in the order it shows (form, chart, table, notes): split up, the HTML's order would be scattered over helpers.
pub fn gap_page(
    bench: &Table,
    saved: Result<BTreeMap<String, String>, AnalysisError>,
    q: &Params,
) -> String {
    let lang = q.lang();
    let m = msgs(lang);
    let first_year = bench
        .meta
        .var(Var::Tid)
        .and_then(|(_, d)| {
            d.categories
                .iter()
                .find(|c| PeriodKind::of(&c.code) == PeriodKind::Year)
        })
        .map(|c| c.code.clone())
        .unwrap_or_default();
    let default_group = format!("lowest:15:pct6:{first_year}");
    let group = q.value("group").unwrap_or(&default_group).to_string();
    let indicator = q.value("indicator").unwrap_or("pct6").to_string();
    let kind = q
        .value("periode")
        .and_then(|p| PeriodKind::parse(p).ok())
        .unwrap_or(PeriodKind::Year);
    let (saved, groups_error) = match saved {
        Ok(s) => (s, None),
        Err(e) => (BTreeMap::new(), Some(e.to_string())),
    };
    let all_benefits = bench
        .meta
        .var(Var::Ydelse)
        .and_then(|(_, d)| d.total.clone())
        .unwrap_or_default();
    let result = gap::resolve(bench, &group, &saved).and_then(|members| {
        gap::series(bench, &members, &indicator, &all_benefits, kind).map(|p| (members, p))
    });
    let api = Params::new(vec![
        ("group".into(), group.clone()),
        ("indicator".into(), indicator.clone()),
        ("periode".into(), kind.name().into()),
    ]);
    let body = html! {
        h1 { (m.gap_title) }
        p { (m.gap_intro) }
        form method="get" action="/benchmark" {
            input type="hidden" name="lang" value=(lang.code());
            div.controls {
                div {
                    label for="group" { (m.group) }
                    input id="group" name="group" value=(group) style="width:100%;padding:.3rem;font-size:1rem";
                }
                div {
                    label for="indicator" { (m.indicator) }
                    select id="indicator" name="indicator" {
                        @if let Some((_, d)) = bench.meta.var(Var::Indikator) {
                            @for c in &d.categories {
                                option value=(c.code) selected[c.code == indicator] { (c.label(lang)) }
                            }
                        }
                    }
                }
                div {
                    fieldset {
                        legend { (m.period) }
                        @for (k, label) in [(PeriodKind::Year, m.year), (PeriodKind::Quarter, m.quarter), (PeriodKind::Month, m.month)] {
                            label.check { input type="radio" name="periode" value=(k.name()) checked[kind == k]; " " (label) }
                        }
                    }
                }
            }
            p { button type="submit" { (m.show_gap) } }
        }
        @if let Some(e) = &groups_error { p role="alert" { (e) } }
        @if !saved.is_empty() {
            p.muted {
                (m.saved_groups) ": "
                @for (i, (n, d)) in saved.iter().enumerate() {
                    @if i > 0 { "; " }
                    code { "@" (n) } " = " (d)
                }
            }
        }
        @match &result {
            Err(e) => p role="alert" { strong { (m.error) } " " (e) },
            Ok((members, points)) => {
                @let names: Vec<String> = match bench.meta.var(Var::Omraade) {
                    Some((_, a)) => members.iter().map(|&i| a.categories[i].label_da.clone()).collect(),
                    None => Vec::new(),
                };
                p { (m.the_group) " (" (members.len()) "): " (names.join(", ")) }
                @let labels: Vec<String> = points.iter().map(|p| p.tid.clone()).collect();
                @let series = vec![
                    (m.the_group.to_string(), points.iter().map(|p| p.group.num()).collect()),
                    (m.rest_of_country.to_string(), points.iter().map(|p| p.rest.num()).collect()),
                ];
                (line_chart(m.gap_title, &series, &labels, lang))
                table {
                    thead { tr { th scope="col" { (m.period) } th scope="col" { (m.group_pct) } th scope="col" { (m.rest_pct) } th scope="col" { (m.gap_pp) } } }
                    tbody {
                        @for p in points {
                            tr { th scope="row" { (p.tid) } td { (num(lang, p.group, 1)) } td { (num(lang, p.rest, 1)) } td { (num(lang, p.gap, 1)) } }
                        }
                    }
                }
                div.links {
                    p {
                        a href={ "/api/v2/benchmark/gap?" (api.with("outputFormat", "csv").to_query()) } { (m.download_csv) } " · "
                        a href={ "/api/v2/benchmark/gap?" (api.to_query()) } { (m.api_jsonstat) }
                    }
                }
                p.notes { strong { ".." } " = " (m.gap_confidential) ". " strong { "." } " = " (m.not_yet) "." }
            }
        }
    };
    page(lang, m.gap_short_title, q, body)
}
