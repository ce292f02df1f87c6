//! `/kommune/{code}` and `samtalebank report`: a municipality's page. Each indicator in its
//! latest period against its region, the country and its five most similar municipalities, with
//! the base of every share and its rank among 98; the development over time in charts with the
//! same areas; its rank over the years; the downloads of all of it; a link to every table preset
//! to it; and the benchmark of a group of municipalities in plain words.

use maud::{html, Markup, PreEscaped};
use samtalebank_model::{is_kommune, vocab, Lang, PeriodKind, Var};
use samtalebank_pxweb::{DataLink, OutputFormat, Params, Selection};
use samtalebank_release::{Release, Value};
use samtalebank_tables::registry;

use crate::charts::line_chart;
use crate::components::{csv_params, symbols};
use crate::format::{num, period_short, period_words, signed};
use crate::indicators::{kommune_by_code_or_name, Bench};
use crate::layout::{document, Here};
use crate::messages::msgs;
use crate::PageError;

/// How many similar municipalities the page compares with.
const SIMILAR: usize = 5;

/// Where the page's links point: the site itself (`None`), or for a file read from disk the
/// site at this address (its links absolute), or nowhere (`Some("")`: no links).
#[derive(Debug, Clone, Copy)]
pub struct Links<'a>(pub Option<&'a str>);

impl Links<'_> {
    fn href(&self, path: &str) -> Option<String> {
        match self.0 {
            None => Some(path.to_string()),
            Some("") => None,
            Some(base) => Some(format!("{}{path}", base.trim_end_matches('/'))),
        }
    }
}

/// A link, or its text alone where the page has no links.
fn link(links: Links<'_>, path: &str, text: Markup) -> Markup {
    match links.href(path) {
        Some(h) => html! { a href=(h) { (text) } },
        None => text,
    }
}

/// The municipality's page, for the site.
pub fn kommune_page(rel: &Release, code: &str, q: &Params) -> Result<String, PageError> {
    kommune_document(rel, code, q, Links(None))
}

/// The municipality's page as a file read from disk (`samtalebank report`): its links point at
/// the site at `base` (e.g. `https://samtalebank.example.dk`), or are left out when `base` is
/// `None`.
pub fn kommune_report(
    rel: &Release,
    code: &str,
    lang: Lang,
    base: Option<&str>,
) -> Result<String, PageError> {
    let q = Params::new(vec![("lang".into(), lang.code().into())]);
    kommune_document(rel, code, &q, Links(Some(base.unwrap_or(""))))
}

/// Long: The page in reading order: the municipality's figures, each indicator's table and chart, the ranks over time, the downloads, the tables, the group tool.
fn kommune_document(
    rel: &Release,
    code: &str,
    q: &Params,
    links: Links<'_>,
) -> Result<String, PageError> {
    let lang = q.lang();
    let m = msgs(lang);
    let l = lang.code();
    let missing = |what: &str| PageError::Release(what.to_string());
    let bench = rel
        .table(registry::BENCH01.id)
        .ok_or_else(|| missing("the release has no BENCH01 table"))?;
    let samt01 = rel
        .table(registry::SAMT01.id)
        .ok_or_else(|| missing("the release has no SAMT01 table"))?;
    let b = Bench::new(bench).ok_or_else(|| missing("BENCH01 lacks a variable"))?;
    let k = kommune_by_code_or_name(b.areas(), code)
        .ok_or_else(|| PageError::NotFound(format!("'{code}' is not a municipality")))?;
    let kcode = b.areas()[k].code.clone();
    let v = vocab();
    let kom = v
        .kommuner
        .lookup(&kcode)
        .ok_or_else(|| missing("unknown municipality"))?;
    let region_code = v.kommuner.regions[v.kommuner.list[kom as usize].region as usize]
        .code
        .to_string();
    let r = b
        .area_index(&region_code)
        .ok_or_else(|| missing("the region is not in BENCH01"))?;
    let country = b.country();
    let tot = bench.meta.dimensions[bench.meta.require(Var::Ydelse)?.0]
        .total_index()
        .unwrap_or(0);
    let periods = b.periods();
    let of_kind = |kind: PeriodKind| -> Vec<usize> {
        (0..periods.len())
            .filter(|&t| PeriodKind::of(&periods[t].code) == kind)
            .collect()
    };
    let (years, quarters) = (of_kind(PeriodKind::Year), of_kind(PeriodKind::Quarter));
    let name = |a: usize| b.areas()[a].label(lang).to_string();
    // The latest year with a national value for the first indicator sets the similarity year.
    let sim: Vec<usize> = match b.latest(0, PeriodKind::Year, tot) {
        Some(t) => {
            let samt01_area = samt01.meta.require(Var::Omraade)?.1;
            let me = samt01_area
                .position(&kcode)
                .ok_or_else(|| missing("the municipality is not in SAMT01"))?;
            samtalebank_analysis::similar::similar(samt01, me, &periods[t].code, SIMILAR)
                .map_err(|e| PageError::Release(e.to_string()))?
                .into_iter()
                .filter_map(|i| b.area_index(&samt01_area.categories[i].code))
                .collect()
        }
        None => Vec::new(),
    };
    let mut areas = vec![k, r, country];
    areas.extend(&sim);
    let title = format!("{} – {}", name(k), m.kommune_page);
    let labels: Vec<String> = quarters
        .iter()
        .map(|&t| period_short(lang, &periods[t].code))
        .collect();
    let indicators: Vec<(usize, usize)> = (0..b.indicators().len())
        .filter_map(|i| b.latest(i, PeriodKind::Year, tot).map(|y| (i, y)))
        .collect();
    // Everything on the page in one download: BENCH01 for these areas, every period.
    let meta = &bench.meta;
    let mut dims: Vec<Vec<usize>> = vec![Vec::new(); meta.dimensions.len()];
    for (d, dm) in meta.dimensions.iter().enumerate() {
        dims[d] = match dm.id.as_str() {
            "omraade" => {
                let mut a = areas.clone();
                a.sort_unstable();
                a
            }
            "ydelse" => vec![tot],
            _ => (0..dm.categories.len()).collect(),
        };
    }
    let sel = Selection::new(dims, (0..meta.measures.len()).collect());
    let csv = csv_params(lang);
    let here_path = format!("/kommune/{kcode}");
    let tables_preset: Vec<(&str, String)> = rel
        .tables
        .iter()
        .filter(|t| {
            t.meta
                .var(Var::Omraade)
                .is_some_and(|(_, d)| d.position(&kcode).is_some())
        })
        .map(|t| {
            (
                t.meta.id.as_str(),
                format!(
                    "/tabel/{}?lang={l}&omraade={kcode}&omraade={}&omraade=000",
                    t.meta.id, region_code
                ),
            )
        })
        .collect();
    let body = html! {
        h1 { (title) }
        p { (m.region_colon) " " (name(r)) ". " (m.kommune_intro) }
        p.muted { (m.similar_kommuner) ": "
            @for (i, &s) in sim.iter().enumerate() { @if i > 0 { ", " } (link(links, &format!("/kommune/{}?lang={l}", b.areas()[s].code), html! { (name(s)) })) }
            ". " (m.similar_how)
        }
        div.figures {
            @for &(i, y) in &indicators {
                @let p = b.point(i, k, y, tot, lang);
                @let c = b.point(i, country, y, tot, lang);
                div.figure {
                    span.what { (b.indicators()[i].label(lang)) ", " (period_words(lang, &periods[y].code)) }
                    span.big { (num(lang, p.value, 1)) " %" }
                    span { (m.rank) " " (num(lang, p.rank, 0)) " " (m.of_98) " · n = " (p.base.map_or("..".into(), |n| num(lang, Value::Num(f64::from(n)), 0))) }
                    br;
                    span.muted { (m.country) ": " (num(lang, c.value, 1)) " %"
                        @if let (Some(x), Some(yv)) = (p.value.num(), c.value.num()) { " (" (signed(lang, x - yv, 1)) " " (m.pp) ")" }
                    }
                }
            }
        }
        @for (n, &(i, y)) in indicators.iter().enumerate() {
            section.card {
                h2 { (b.indicators()[i].label(lang)) }
                div.scroll {
                    table {
                        caption { (b.indicators()[i].label(lang)) ", " (period_words(lang, &periods[y].code)) ", " (m.all_benefits) }
                        thead { tr { th scope="col" { (m.area) } th scope="col" { (m.share_pct) } th scope="col" { (m.base_n) } th scope="col" { (m.rank) } th scope="col" { (m.diff_rest_pp) } } }
                        tbody {
                            @for &a in &areas {
                                @let p = b.point(i, a, y, tot, lang);
                                tr class=[(a == k).then_some("mine").or((a == country).then_some("land"))] {
                                    th scope="row" { (name(a)) }
                                    td { (num(lang, p.value, 1)) }
                                    td { (p.base.map_or("..".to_string(), |n| num(lang, Value::Num(f64::from(n)), 0))) }
                                    td { (if is_kommune(&b.areas()[a].code) { num(lang, p.rank, 0) } else { "-".to_string() }) }
                                    td { (num(lang, bench.value(&coords(bench, i, a, y, tot), diff_rest(bench)), 1)) }
                                }
                            }
                        }
                    }
                }
                @let series: Vec<(String, Vec<Option<f64>>)> = areas.iter().map(|&a| (name(a), quarters.iter().map(|&t| b.point(i, a, t, tot, lang).value.num()).collect())).collect();
                (line_chart(&format!("chart-{}", n + 1), &format!("{}: {}", b.indicators()[i].label(lang), m.by_quarter), &series, &labels, lang, None))
            }
        }
        section.card {
            h2 { (m.rank_over_time) }
            div.scroll {
                table {
                    caption { (m.rank_over_time) ": " (name(k)) " (" (m.rank_note_short) ")" }
                    thead { tr { th scope="col" { (m.indicator) } @for &y in &years { th scope="col" { (periods[y].code) } } } }
                    tbody {
                        @for (i, cat) in b.indicators().iter().enumerate() {
                            tr { th scope="row" { (cat.label(lang)) } @for &y in &years { td { (num(lang, b.point(i, k, y, tot, lang).rank, 0)) } } }
                        }
                    }
                }
            }
        }
        (symbols(lang))
        @if links.0 != Some("") {
            div.links {
                h2 { (m.downloads) }
                p {
                    (link(links, &DataLink::new(meta, &sel, lang).format(OutputFormat::Xlsx).format_params(&["UseTexts", "IncludeTitle"]).url(), html! { (m.download_xlsx) })) " · "
                    (link(links, &DataLink::new(meta, &sel, lang).format(OutputFormat::Csv).format_params(csv).url(), html! { (m.download_csv_excel) })) " · "
                    (link(links, &DataLink::new(meta, &sel, lang).url(), html! { "JSON-stat" }))
                }
                h2 { (m.tables_for_kommune) }
                ul { @for (id, path) in &tables_preset { li { (link(links, path, html! { (id) ": " (rel.table(id).map_or("", |t| t.meta.title(lang))) })) } } }
                h2 { (m.compare_group) }
                p { (m.compare_group_intro) }
                p {
                    (link(links, &format!("/benchmark?lang={l}&kommune={kcode}{}", sim.iter().map(|&s| format!("&kommune={}", b.areas()[s].code)).collect::<String>()), html! { (name(k)) " " (m.and_similar) }))
                    " · "
                    (link(links, &format!("/rangering?lang={l}&kommune={kcode}"), html! { (m.nav_ranking) }))
                    " · "
                    (link(links, &format!("/kort?lang={l}&kommune={kcode}"), html! { (m.nav_map) }))
                }
            }
        }
        p.notes { (m.source) ": " (meta.source(lang)) ". " (m.release) " " (rel.manifest.id) "." }
        @if links.0.is_none() {
            script src="/static/charts.js" defer {}
        } @else {
            // A file on disk has no site to load the script from: it travels inside.
            script { (PreEscaped(include_str!("static/charts.js"))) }
        }
    };
    Ok(document(
        Here {
            path: &here_path,
            query: q,
        },
        &title,
        body,
        links.0.is_none(),
    ))
}

/// The coordinates of a BENCH01 cell.
fn coords(
    bench: &samtalebank_release::Table,
    ind: usize,
    area: usize,
    tid: usize,
    yd: usize,
) -> Vec<usize> {
    let meta = &bench.meta;
    let mut c = vec![0; meta.dimensions.len()];
    for (d, dm) in meta.dimensions.iter().enumerate() {
        c[d] = match dm.id.as_str() {
            "indikator" => ind,
            "omraade" => area,
            "tid" => tid,
            _ => yd,
        };
    }
    c
}

/// BENCH01's measure `diff_rest`.
fn diff_rest(bench: &samtalebank_release::Table) -> usize {
    bench
        .meta
        .measures
        .iter()
        .position(|m| m.code == "diff_rest")
        .unwrap_or(0)
}
