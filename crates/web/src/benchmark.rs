//! `/benchmark`: a group of municipalities against the rest of the country over time.

use std::collections::BTreeMap;
use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use samtalebank_analysis::gap;
use samtalebank_model::{Lang, PeriodKind, Var};
use samtalebank_release::Table;

use crate::charts::line_chart;
use crate::format::num;
use crate::layout::page_for;
use crate::messages::msgs;

/// The gap page for a group (`group`, `indicator`, `periode` from the query string; by default
/// the 15 municipalities with the lowest 6-week share in the first year). `saved` are the saved
/// groups, or why they could not be read.
///
/// Long: One page written top to bottom in the order it shows (form, chart, table, notes): split up, the HTML's order would be scattered over helpers.
pub fn gap_page(
    bench: &Table,
    saved: Result<BTreeMap<String, String>, String>,
    q: &[(String, String)],
    lang: Lang,
) -> String {
    let m = msgs(lang);
    let param = |name: &str| {
        q.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
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
    let group = param("group").unwrap_or(&default_group).to_string();
    let indicator = param("indicator").unwrap_or("pct6").to_string();
    let kind = param("periode")
        .and_then(|p| PeriodKind::parse(p).ok())
        .unwrap_or(PeriodKind::Year);
    let (saved, groups_error) = match saved {
        Ok(s) => (s, None),
        Err(e) => (BTreeMap::new(), Some(e)),
    };
    let mut b = String::new();
    let _ = write!(b, "<h1>{}</h1><p>{}</p>", m.gap_title, text(m.gap_intro));
    let _ = write!(
        b,
        r#"<form method="get" action="/benchmark"><input type="hidden" name="lang" value="{l}"><div class="controls"><div><label for="group">{gl}</label><input id="group" name="group" value="{gv}" style="width:100%;padding:.3rem;font-size:1rem"></div><div><label for="indicator">{il}</label><select id="indicator" name="indicator">"#,
        l = lang.code(),
        gl = m.group,
        gv = attr(&group),
        il = m.indicator,
    );
    if let Some((_, d)) = bench.meta.var(Var::Indikator) {
        for c in &d.categories {
            let _ = write!(
                b,
                r#"<option value="{}"{}>{}</option>"#,
                attr(&c.code),
                if c.code == indicator { " selected" } else { "" },
                text(c.label(lang))
            );
        }
    }
    let _ = write!(
        b,
        "</select></div><div><fieldset><legend>{}</legend>",
        m.period
    );
    for (k, label) in [
        (PeriodKind::Year, m.year),
        (PeriodKind::Quarter, m.quarter),
        (PeriodKind::Month, m.month),
    ] {
        let _ = write!(
            b,
            r#"<label class="check"><input type="radio" name="periode" value="{}"{}> {}</label>"#,
            k.name(),
            if kind == k { " checked" } else { "" },
            label
        );
    }
    let _ = write!(
        b,
        r#"</fieldset></div></div><p><button type="submit">{}</button></p></form>"#,
        m.show_gap
    );
    if let Some(e) = &groups_error {
        let _ = write!(b, r#"<p role="alert">{}</p>"#, text(e));
    }
    if !saved.is_empty() {
        let names: Vec<String> = saved
            .iter()
            .map(|(n, d)| format!("<code>@{}</code> = {}", text(n), text(d)))
            .collect();
        let _ = write!(
            b,
            "<p class=\"muted\">{}: {}</p>",
            m.saved_groups,
            names.join("; ")
        );
    }
    let all_benefits = bench
        .meta
        .var(Var::Ydelse)
        .and_then(|(_, d)| d.total.clone())
        .unwrap_or_default();
    let result = gap::resolve(bench, &group, &saved).and_then(|members| {
        gap::series(bench, &members, &indicator, &all_benefits, kind).map(|p| (members, p))
    });
    match result {
        Err(e) => {
            let _ = write!(
                b,
                r#"<p role="alert"><strong>{}</strong> {}</p>"#,
                m.error,
                text(&e)
            );
        }
        Ok((members, points)) => {
            let names: Vec<String> = match bench.meta.var(Var::Omraade) {
                Some((_, a)) => members
                    .iter()
                    .map(|&i| a.categories[i].label_da.clone())
                    .collect(),
                None => Vec::new(),
            };
            let _ = write!(
                b,
                "<p>{} ({}): {}</p>",
                m.the_group,
                members.len(),
                text(&names.join(", "))
            );
            let labels: Vec<String> = points.iter().map(|p| p.tid.clone()).collect();
            let series = vec![
                (
                    m.the_group.to_string(),
                    points.iter().map(|p| p.group.num()).collect(),
                ),
                (
                    m.rest_of_country.to_string(),
                    points.iter().map(|p| p.rest.num()).collect(),
                ),
            ];
            b.push_str(&line_chart(m.gap_title, &series, &labels, lang));
            let _ = write!(
                b,
                "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
                m.period, m.group_pct, m.rest_pct, m.gap_pp
            );
            for p in &points {
                let _ = write!(
                    b,
                    "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
                    text(&p.tid),
                    num(lang, p.group, 1),
                    num(lang, p.rest, 1),
                    num(lang, p.gap, 1)
                );
            }
            b.push_str("</tbody></table>");
            let api = format!(
                "/api/v2/benchmark/gap?group={}&indicator={}&periode={}",
                form_urlencoded::byte_serialize(group.as_bytes()).collect::<String>(),
                form_urlencoded::byte_serialize(indicator.as_bytes()).collect::<String>(),
                kind.name()
            );
            let _ = write!(
                b,
                r#"<div class="links"><p><a href="{c}&amp;outputFormat=csv">{dl}</a> · <a href="{j}">{api}</a></p></div>"#,
                c = attr(&api),
                dl = m.download_csv,
                j = attr(&api),
                api = m.api_jsonstat
            );
            let _ = write!(
                b,
                r#"<p class="notes"><strong>..</strong> = {}. <strong>.</strong> = {}.</p>"#,
                m.gap_confidential, m.not_yet
            );
        }
    }
    page_for(lang, m.gap_short_title, &b, q)
}
