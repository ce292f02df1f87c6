//! `/benchmark`: a group of municipalities against the rest of the country over time, the group
//! chosen in plain words: municipalities picked from a list, or "the N with the lowest (highest)
//! value of an indicator in a year". (The API's rule syntax, `group=lowest:15:pct6:2019` or
//! `@name`, is read too.)

use std::collections::BTreeMap;

use maud::{html, Markup};
use samtalebank_analysis::{gap, AnalysisError};
use samtalebank_model::{is_kommune, Lang, PeriodKind, Var};
use samtalebank_pxweb::Params;
use samtalebank_release::Table;

use crate::charts::line_chart;
use crate::format::{collate, num, period_short};
use crate::layout::{notice, page, Here, Page};
use crate::messages::msgs;

/// The group as the analysis reads it, from the page's parameters.
fn group_definition(bench: &Table, q: &Params, lang: Lang) -> Result<String, String> {
    let m = msgs(lang);
    if let Some(g) = q.value("group") {
        return Ok(g.to_string());
    }
    let picked = q.list("kommune");
    if !picked.is_empty() {
        return Ok(picked.join(","));
    }
    let rule = q.value("regel").unwrap_or("laveste");
    let dir = match rule {
        "laveste" | "lowest" => "lowest",
        "hoejeste" | "højeste" | "highest" => "highest",
        r => return Err(format!("{} '{r}'", m.unknown_value)),
    };
    let n = q.value("antal").unwrap_or("15");
    let by = q.value("efter").unwrap_or("pct6");
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
    let year = q.value("aar").unwrap_or(&first_year);
    Ok(format!("{dir}:{n}:{by}:{year}"))
}

/// An analysis error in the reader's language where it is the reader's: what to change.
fn words(e: &AnalysisError, lang: Lang) -> String {
    let m = msgs(lang);
    match e {
        AnalysisError::Parameter(p) => format!("{}: {p}", m.group_problem),
        other => other.to_string(),
    }
}

fn form(bench: &Table, q: &Params, lang: Lang) -> Markup {
    let m = msgs(lang);
    let picked = q.list("kommune");
    let indicator = q
        .value("indikator")
        .or(q.value("indicator"))
        .unwrap_or("pct6");
    let kind = q
        .value("periode")
        .and_then(|p| PeriodKind::parse(p).ok())
        .unwrap_or(PeriodKind::Year);
    let indicators = bench
        .meta
        .var(Var::Indikator)
        .map(|(_, d)| d.categories.clone())
        .unwrap_or_default();
    let years: Vec<String> = bench
        .meta
        .var(Var::Tid)
        .map(|(_, d)| {
            d.categories
                .iter()
                .filter(|c| PeriodKind::of(&c.code) == PeriodKind::Year)
                .map(|c| c.code.clone())
                .collect()
        })
        .unwrap_or_default();
    let mut kommuner: Vec<(String, String)> = bench
        .meta
        .var(Var::Omraade)
        .map(|(_, d)| {
            d.categories
                .iter()
                .filter(|c| is_kommune(&c.code))
                .map(|c| (c.code.clone(), c.label(lang).to_string()))
                .collect()
        })
        .unwrap_or_default();
    kommuner.sort_by(|a, b| collate(&a.1, &b.1));
    html! {
        form method="get" action="/benchmark" id="builder" {
            input type="hidden" name="lang" value=(lang.code());
            div.controls {
                fieldset.variable data-var="kommune" {
                    legend { (m.pick_kommuner) }
                    label for="search-kommune" { (m.search_in) " " (m.kommune_list) }
                    input type="search" id="search-kommune" data-filter="kommune" autocomplete="off";
                    div.choices id="choices-kommune" {
                        @for (code, name) in &kommuner {
                            label { input type="checkbox" name="kommune" value=(code) checked[picked.contains(code)]; " " (name) }
                        }
                    }
                }
                fieldset {
                    legend { (m.or_by_rule) }
                    div.field {
                        label for="regel" { (m.the) }
                        select id="regel" name="regel" {
                            option value="laveste" selected[q.value("regel") != Some("hoejeste")] { (m.lowest) }
                            option value="hoejeste" selected[q.value("regel") == Some("hoejeste")] { (m.highest) }
                        }
                    }
                    div.field { label for="antal" { (m.how_many) } input type="number" id="antal" name="antal" min="1" max="98" value=(q.value("antal").unwrap_or("15")); }
                    div.field {
                        label for="efter" { (m.on_indicator) }
                        select id="efter" name="efter" { @for c in &indicators { option value=(c.code) selected[Some(c.code.as_str()) == q.value("efter").or(Some("pct6"))] { (c.label(lang)) } } }
                    }
                    div.field {
                        label for="aar" { (m.in_year) }
                        select id="aar" name="aar" { @for y in &years { option value=(y) selected[Some(y.as_str()) == q.value("aar")] { (y) } } }
                    }
                    p.notes { (m.rule_used_when_none_picked) }
                }
                fieldset {
                    legend { (m.follow) }
                    div.field {
                        label for="indikator" { (m.indicator) }
                        select id="indikator" name="indikator" { @for c in &indicators { option value=(c.code) selected[c.code == indicator] { (c.label(lang)) } } }
                    }
                    @for (k, label) in [(PeriodKind::Year, m.year), (PeriodKind::Quarter, m.quarter), (PeriodKind::Month, m.month)] {
                        label.check { input type="radio" name="periode" value=(k.name()) checked[kind == k]; " " (label) }
                    }
                }
            }
            p { button type="submit" { (m.show_gap) } }
        }
    }
}

/// The gap page. `saved` are the saved groups, or why they could not be read.
///
/// Long: One page written top to bottom in the order it shows (form, chart, table, notes).
pub fn gap_page(
    bench: &Table,
    saved: Result<BTreeMap<String, String>, AnalysisError>,
    q: &Params,
) -> Page {
    let lang = q.lang();
    let m = msgs(lang);
    let here = Here {
        path: "/benchmark",
        query: q,
    };
    let known = [
        "lang",
        "group",
        "kommune",
        "regel",
        "antal",
        "efter",
        "aar",
        "indikator",
        "indicator",
        "periode",
    ];
    let unknown = q
        .pairs()
        .iter()
        .find(|(k, _)| !known.iter().any(|n| k.eq_ignore_ascii_case(n)))
        .map(|(k, _)| k.clone());
    let indicator = q
        .value("indikator")
        .or(q.value("indicator"))
        .unwrap_or("pct6")
        .to_string();
    let kind = match q.value("periode").map(PeriodKind::parse) {
        None => Ok(PeriodKind::Year),
        Some(Ok(k)) => Ok(k),
        Some(Err(e)) => Err(e.0),
    };
    let (saved, groups_error) = match saved {
        Ok(s) => (s, None),
        Err(e) => (BTreeMap::new(), Some(e.to_string())),
    };
    let all_benefits = bench
        .meta
        .var(Var::Ydelse)
        .and_then(|(_, d)| d.total.clone())
        .unwrap_or_default();
    let result = match (unknown, kind, group_definition(bench, q, lang)) {
        (Some(k), _, _) => Err(format!("{} '{k}'", m.unknown_parameter)),
        (_, Err(e), _) | (_, _, Err(e)) => Err(e),
        (None, Ok(kind), Ok(def)) => gap::resolve(bench, &def, &saved)
            .and_then(|members| {
                gap::series(bench, &members, &indicator, &all_benefits, kind)
                    .map(|p| (def, members, p, kind))
            })
            .map_err(|e| words(&e, lang)),
    };
    let status = if result.is_ok() { 200 } else { 400 };
    let body = html! {
        h1 { (m.gap_title) }
        p { (m.gap_intro_plain) }
        @if let Err(e) = &result { (notice(&format!("{} {e}.", m.cannot_show))) }
        (form(bench, q, lang))
        @if let Some(e) = &groups_error { p role="alert" { (e) } }
        @if !saved.is_empty() {
            p.muted { (m.saved_groups) ": " @for (i, (n, d)) in saved.iter().enumerate() { @if i > 0 { "; " } code { "@" (n) } " = " (d) } }
        }
        @if let Ok((def, members, points, kind)) = &result {
            @let names: Vec<String> = match bench.meta.var(Var::Omraade) {
                Some((_, a)) => members.iter().map(|&i| a.categories[i].label(lang).to_string()).collect(),
                None => Vec::new(),
            };
            p { strong { (m.the_group) " (" (members.len()) "):" } " " (names.join(", ")) }
            @let ind_label = bench.meta.var(Var::Indikator).and_then(|(_, d)| d.position(&indicator).map(|i| d.categories[i].label(lang).to_string())).unwrap_or_default();
            @let labels: Vec<String> = points.iter().map(|p| period_short(lang, &p.tid)).collect();
            @let series = vec![
                (m.the_group.to_string(), points.iter().map(|p| p.group.num()).collect()),
                (m.rest_of_country.to_string(), points.iter().map(|p| p.rest.num()).collect()),
            ];
            (line_chart("chart-gap", &format!("{}: {} {}", ind_label, m.the_group.to_lowercase(), m.against_rest), &series, &labels, lang, None))
            div.scroll {
                table {
                    caption { (ind_label) ": " (m.the_group.to_lowercase()) " " (m.against_rest) }
                    thead { tr { th scope="col" { (m.period) } th scope="col" { (m.group_pct) } th scope="col" { (m.rest_pct) } th scope="col" { (m.gap_pp) } } }
                    tbody { @for p in points { tr { th scope="row" { (period_short(lang, &p.tid)) } td { (num(lang, p.group, 1)) } td { (num(lang, p.rest, 1)) } td { (num(lang, p.gap, 1)) } } } }
                }
            }
            @let api = Params::new(vec![("group".into(), def.clone()), ("indicator".into(), indicator.clone()), ("periode".into(), kind.name().into())]);
            div.links { p {
                a href={ "/api/v2/benchmark/gap?" (api.with("outputFormat", "csv").to_query()) } { (m.download_csv) } " · "
                a href={ "/api/v2/benchmark/gap?" (api.to_query()) } { (m.api_jsonstat) }
            } }
            p.notes { strong { ".." } " = " (m.gap_confidential) ". " strong { "." } " = " (m.not_yet) ". " (m.gap_method) }
        }
        script src="/static/table.js" defer {}
        script src="/static/charts.js" defer {}
    };
    Page {
        status,
        html: page(here, m.gap_short_title, body),
    }
}
