//! `/besparelse`: the savings calculator (docs/savings.md) as a page: a plain form, the result per
//! benefit as a table and a bar chart, what the minister's figure implies, the sensitivity
//! table, every assumption in the reader's language, and the API URL of the same calculation.

use maud::{html, Markup};
use samtalebank_analysis::savings::{defaults, Savings, Scope};
use samtalebank_analysis::AnalysisError;
use samtalebank_model::{Lang, Var};
use samtalebank_pxweb::Params;
use samtalebank_release::Release;
use samtalebank_tables::registry;

use crate::layout::{page, Here};
use crate::messages::{assumptions, msgs};

fn millions(lang: Lang, x: f64) -> String {
    let s = format!("{:.1}", x / 1e6);
    if lang == Lang::Da {
        s.replace('.', ",")
    } else {
        s
    }
}

fn whole(lang: Lang, x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let sep = if lang == Lang::Da { '.' } else { ',' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

fn pct(lang: Lang, x: f64) -> String {
    let s = format!("{x:.1}");
    if lang == Lang::Da {
        s.replace('.', ",")
    } else {
        s
    }
}

/// `label` cut to 40 characters, with an ellipsis where it is cut.
fn short(label: String) -> String {
    if label.chars().count() > 40 {
        format!("{}…", label.chars().take(39).collect::<String>())
    } else {
        label
    }
}

/// Horizontal bars per benefit: the low end solid, the range to the high end lighter.
fn bars(s: &Savings, lang: Lang, title: &str, label: &dyn Fn(&str) -> String) -> Markup {
    let max = s
        .groups
        .iter()
        .map(|g| g.saving_dkk.high)
        .fold(0.0, f64::max)
        .max(1.0);
    let (w, label_w, row) = (720.0, 300.0, 22.0);
    let h = row * s.groups.len() as f64 + 30.0;
    let scale = (w - label_w - 70.0) / max;
    let f = |x: f64| format!("{x:.1}");
    html! {
        svg viewBox={ "0 0 " (w) " " (h) } width="100%" role="img" aria-label=(title) {
            title { (title) }
            @for (i, g) in s.groups.iter().enumerate() {
                @let y = 10.0 + row * i as f64;
                @let lo = g.saving_dkk.low * scale;
                @let hi = g.saving_dkk.high * scale;
                text x=(label_w - 6.0) y=(y + 11.0) font-size="12" text-anchor="end" { (short(label(&g.ydelse))) }
                rect x=(label_w) y=(y) width=(f(lo)) height="14" fill="#1f5f8b" {}
                rect x=(f(label_w + lo)) y=(y) width=(f((hi - lo).max(0.0))) height="14" fill="#9cc3dd" {}
                text x=(f(label_w + hi + 4.0)) y=(y + 11.0) font-size="11" { (millions(lang, g.saving_dkk.low)) "–" (millions(lang, g.saving_dkk.high)) }
            }
        }
    }
}

/// The page: `q` is the query string (for the form and the API link); `result` the calculation
/// or why it could not be made.
///
/// Long: One page written top to bottom in the order it shows (form, result table, chart,
/// implied figures, sensitivity, assumptions, API link).
pub fn savings_page(rel: &Release, q: &Params, result: Result<Savings, AnalysisError>) -> String {
    let lang = q.lang();
    let m = msgs(lang);
    let param = |name: &str, default: &str| q.value(name).unwrap_or(default).to_string();
    let years = samtalebank_analysis::savings::years(rel);
    let year = param("year", years.last().map_or("", String::as_str));
    let ydelse = rel
        .table(registry::SAMT01.id)
        .and_then(|t| t.meta.var(Var::Ydelse).map(|(_, d)| d.clone()));
    let label = |code: &str| -> String {
        ydelse
            .as_ref()
            .and_then(|d| {
                d.position(code)
                    .map(|i| d.categories[i].label(lang).to_string())
            })
            .unwrap_or_else(|| code.to_string())
    };
    let scope = param("scope", defaults::SCOPE);
    let scenario = param("scenario", defaults::SCENARIO);
    let form = html! {
        h1 { (m.sv_title) }
        p { (m.sv_intro) }
        form method="get" action="/besparelse" {
            input type="hidden" name="lang" value=(lang.code());
            div.controls {
                div {
                    label for="year" { (m.year) }
                    select id="year" name="year" { @for y in &years { option value=(y) selected[*y == year] { (y) } } }
                }
                div { label for="area" { (m.area) } input id="area" name="area" value=(param("area", defaults::AREA)) size="6"; }
                div {
                    label for="scope" { (m.sv_scope) }
                    select id="scope" name="scope" {
                        option value="6m" selected[scope == "6m"] { (m.sv_scope_6m) }
                        option value="all" selected[scope == "all"] { (m.sv_scope_all) }
                    }
                }
                div {
                    label for="scenario" { (m.sv_scenario) }
                    select id="scenario" name="scenario" {
                        @for (v, l) in [("agreement", m.sv_agreement), ("all-digital", m.sv_all_digital), ("observed", m.sv_observed)] {
                            option value=(v) selected[scenario == v] { (l) }
                        }
                    }
                }
                div { label for="minutes" { (m.sv_minutes) } input id="minutes" name="minutes" value=(param("minutes", defaults::MINUTES)) size="6"; }
                div { label for="hourlyCost" { (m.sv_hourly) } input id="hourlyCost" name="hourlyCost" value=(param("hourlyCost", defaults::HOURLY_COST)) size="6"; }
            }
            p { button type="submit" { (m.sv_compute) } }
        }
    };
    let s = match result {
        Ok(s) => s,
        Err(e) => {
            return page(
                Here {
                    path: "/besparelse",
                    query: q,
                },
                m.sv_title,
                html! { (form) div.notice role="alert" { (e) } },
            );
        }
    };
    let api = {
        let mut p = Params::new(vec![
            ("year".into(), s.year.clone()),
            ("area".into(), s.area.clone()),
            ("scope".into(), s.scope.code().into()),
            ("scenario".into(), s.scenario.clone()),
            ("minutes".into(), param("minutes", defaults::MINUTES)),
            ("hourlyCost".into(), s.hourly_cost_dkk.to_string()),
        ]);
        if let Some(shares) = q.get("shares") {
            p = p.with("shares", shares);
        }
        format!("/api/v2/savings?{}", p.to_query())
    };
    let t = &s.total;
    let i = &s.implied;
    let shares = [25.0, 35.0, 45.0, 100.0];
    let body = html! {
        (form)
        table {
            caption {
                (s.area_label) " " (s.year) " (" (s.area) "), "
                (match s.scope { Scope::SixMonths => m.sv_scope_6m, Scope::All => m.sv_scope_all })
            }
            thead { tr {
                th scope="col" { (m.sv_benefit) } th scope="col" { (m.sv_conversations) } th scope="col" { (m.sv_observed_pct) }
                th scope="col" { (m.sv_assumed_pct) } th scope="col" { (m.sv_saving) } th scope="col" { (m.sv_incremental) }
            } }
            tbody {
                @for g in &s.groups {
                    tr {
                        th scope="row" { (label(&g.ydelse)) }
                        td.n { (whole(lang, g.conversations)) }
                        td.n { (g.observed_digital_pct.map_or("-".into(), |v| pct(lang, v))) }
                        td.n { (pct(lang, g.assumed_digital_pct)) }
                        td.n { (millions(lang, g.saving_dkk.low)) "–" (millions(lang, g.saving_dkk.high)) }
                        td.n { (millions(lang, g.incremental_dkk.low)) "–" (millions(lang, g.incremental_dkk.high)) }
                    }
                }
                tr {
                    th scope="row" { (m.sv_total) }
                    td.n { (whole(lang, t.conversations)) }
                    td {}
                    td {}
                    td.n { strong { (millions(lang, t.saving_dkk.low)) "–" (millions(lang, t.saving_dkk.high)) } }
                    td.n { (millions(lang, t.incremental_dkk.low)) "–" (millions(lang, t.incremental_dkk.high)) }
                }
            }
        }
        h2 { (m.sv_chart) }
        (bars(&s, lang, m.sv_chart, &label))
        p.card {
            (m.sv_all_digital_line) ": " strong { (millions(lang, i.all_digital_dkk.low)) "–" (millions(lang, i.all_digital_dkk.high)) }
            " " (m.sv_million) " (" (m.sv_minister) ": 85–130)."
            @if let (Some(a), Some(c)) = (i.hourly_cost_for_85m, i.hourly_cost_for_130m) {
                " " (m.sv_implied) " " (whole(lang, a)) " / " (whole(lang, c)) " " (m.sv_dkk)
                @if !m.sv_dkk.ends_with('.') { "." }
            }
        }
        h2 { (m.sv_sensitivity) }
        table {
            thead { tr { th scope="col" { (m.sv_min) } @for sh in shares { th scope="col" { (pct(lang, sh)) " %" } } } }
            tbody {
                @for minutes in [5.0, 10.0, 15.0, 20.0] {
                    tr {
                        th scope="row" { (minutes) }
                        @for sh in shares {
                            @let v = s.sensitivity.iter().find(|x| x.minutes == minutes && x.share_pct == sh).map_or(0.0, |x| x.saving_dkk);
                            td.n { (millions(lang, v)) }
                        }
                    }
                }
            }
        }
        h2 { (m.sv_assumptions) }
        ul.notes { @for a in assumptions(lang, &s, &rel.manifest.id, &label) { li { (a) } } }
        div.links { p { (m.sv_api) ": " a href=(api) { code { (api) } } " · " a href={ (api) "&outputFormat=csv" } { "CSV" } } }
    };
    page(
        Here {
            path: "/besparelse",
            query: q,
        },
        m.sv_title,
        body,
    )
}
