//! `/`: the story of the release at a glance. The share of conversations held by phone or video
//! in the latest complete year and month, with their change; the national line since the first
//! year; the benefit groups side by side; the timely first conversation across the 98
//! municipalities on the map; a municipality finder; the tables with their periods and a table
//! finder. Every figure is read from the release.

use maud::{html, Markup};
use samtalebank_model::{is_kommune, Lang, PeriodKind, Var};
use samtalebank_pxweb::Params;
use samtalebank_release::{Release, Table, Value};
use samtalebank_tables::registry;

use crate::charts::{bar_chart, line_chart, Bar, Mark};
use crate::format::{collate, day_words, num, period_short, period_words, plain, signed};
use crate::indicators::{tile_map, Bench};
use crate::layout::{page, Here};
use crate::messages::msgs;

/// A cell of a table by codes; variables not named take their total.
pub fn cell(t: &Table, codes: &[(&str, &str)]) -> Option<Vec<usize>> {
    t.meta
        .dimensions
        .iter()
        .map(|d| match codes.iter().find(|(v, _)| *v == d.id) {
            Some((_, c)) => d.position(c),
            None => d.total_index(),
        })
        .collect()
}

/// The latest period of a kind that the data cover whole (it ends on or before the data's last
/// day), and the one before it of the same kind.
fn complete(t: &Table, kind: PeriodKind) -> Option<(String, Option<String>)> {
    let (_, tid) = t.meta.time()?;
    let end = samtalebank_model::time::parse_date(&t.meta.data_end).ok()?;
    let codes: Vec<&str> = tid
        .categories
        .iter()
        .map(|c| c.code.as_str())
        .filter(|c| PeriodKind::of(c) == kind)
        .filter(|c| samtalebank_model::time::period_last_day(c).is_some_and(|e| e <= end))
        .collect();
    let last = codes.last()?.to_string();
    let before = match kind {
        // A month is compared with the same month a year before.
        PeriodKind::Month => codes.iter().rev().nth(12).map(|s| s.to_string()),
        _ => codes.iter().rev().nth(1).map(|s| s.to_string()),
    };
    Some((last, before))
}

/// The national line in one sentence, from the yearly values: the first year, the highest year
/// (when it is neither the first nor the latest) and the latest complete year.
fn story_line(
    years: &[&str],
    v: impl Fn(&str) -> Option<f64>,
    latest: Option<&str>,
    lang: Lang,
) -> String {
    let m = msgs(lang);
    let (Some(&first), Some(latest)) = (years.first(), latest) else {
        return String::new();
    };
    let upto: Vec<(&str, f64)> = years
        .iter()
        .take_while(|y| **y <= latest)
        .filter_map(|y| v(y).map(|x| (*y, x)))
        .collect();
    let (Some(a), Some(z)) = (v(first), v(latest)) else {
        return String::new();
    };
    let pct = |x: f64| format!("{} %", num(lang, Value::Num(x), 1));
    let peak = upto.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1));
    let mut s = format!("{} {} {} {first}", m.story_share_was, pct(a), m.story_in);
    if let Some((py, pv)) = peak.filter(|(py, _)| *py != first && *py != latest) {
        s.push_str(&format!(
            ", {} {} {} {py}",
            m.story_highest,
            pct(pv),
            m.story_in
        ));
    }
    if latest != first {
        s.push_str(&format!(
            ", {} {} {} {latest}",
            m.story_and,
            pct(z),
            m.story_in
        ));
    }
    s.push('.');
    s
}

/// One key figure: the digital share in a period, and its change from another.
fn key_figure(
    t: &Table,
    m: usize,
    what: &str,
    period: &(String, Option<String>),
    lang: Lang,
) -> Markup {
    let ms = msgs(lang);
    let v = |p: &str| cell(t, &[("tid", p)]).map_or(Value::NotApplicable, |c| t.value(&c, m));
    let now = v(&period.0);
    let before = period.1.as_deref().map(v);
    html! {
        div.figure data-period=(period.0) data-value=(plain(now, 1)) {
            span.what { (what) ", " (period_words(lang, &period.0)) }
            span.big { (num(lang, now, 1)) " %" }
            @if let (Some(Value::Num(b)), Value::Num(n), Some(p)) = (before, now, &period.1) {
                span { (signed(lang, n - b, 1)) " " (ms.pp) " " (ms.since) " " (period_words(lang, p)) }
            }
        }
    }
}

/// The front page.
///
/// Long: The page in reading order: the key figures, the national line, the benefits, the map, the finders and the tables.
pub fn home(rel: &Release, q: &Params) -> String {
    let lang = q.lang();
    let m = msgs(lang);
    let l = lang.code();
    let here = Here {
        path: "/",
        query: q,
    };
    let samt01 = rel.table(registry::SAMT01.id);
    let digital = samt01.and_then(|t| {
        t.meta
            .measures
            .iter()
            .position(|x| x.code == "digital_pct")
            .map(|i| (t, i))
    });
    let story = digital.map(|(t, dm)| {
        let (_, tid) = t.meta.time().expect("SAMT01 has time"); // ok: its registry definition has tid
        let years: Vec<&str> = tid.categories.iter().map(|c| c.code.as_str()).filter(|c| PeriodKind::of(c) == PeriodKind::Year).collect();
        let quarters: Vec<&str> = tid.categories.iter().map(|c| c.code.as_str()).filter(|c| PeriodKind::of(c) == PeriodKind::Quarter).collect();
        let val = |codes: &[(&str, &str)]| cell(t, codes).map_or(Value::NotApplicable, |c| t.value(&c, dm));
        let year = complete(t, PeriodKind::Year);
        let month = complete(t, PeriodKind::Month);
        let first = years.first().copied().unwrap_or_default();
        let line = vec![(
            m.country.to_string(),
            quarters.iter().map(|q| val(&[("tid", q)]).num()).collect::<Vec<_>>(),
        )];
        let labels: Vec<String> = quarters.iter().map(|q| period_short(lang, q)).collect();
        let groups: Vec<(String, String)> = t
            .meta
            .var(Var::Ydelse)
            .map(|(_, d)| {
                d.categories
                    .iter()
                    .filter(|c| samtalebank_model::vocab().ydelser.groups.lookup(&c.code).is_some())
                    .map(|c| (c.code.clone(), c.label(lang).to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let latest_year = year.as_ref().map_or(first.to_string(), |y| y.0.clone());
        let mut bars: Vec<Bar> = groups
            .iter()
            .map(|(code, label)| Bar {
                label: label.clone(),
                value: val(&[("tid", &latest_year), ("ydelse", code)]),
                extra: format!("({first}: {} %)", num(lang, val(&[("tid", first), ("ydelse", code)]), 1)),
                mark: Mark::Plain,
                href: Some(format!("/tabel/SAMT01?lang={l}&ydelse={code}&periode=aar")),
            })
            .collect();
        bars.sort_by(|a, b| b.value.num().unwrap_or(-1.0).total_cmp(&a.value.num().unwrap_or(-1.0)));
        bars.push(Bar {
            label: m.all_benefits_cap.to_string(),
            value: val(&[("tid", &latest_year)]),
            extra: format!("({first}: {} %)", num(lang, val(&[("tid", first)]), 1)),
            mark: Mark::Reference,
            href: None,
        });
        html! {
            div.figures {
                @if let Some(y) = &year { (key_figure(t, dm, m.by_phone_or_video, y, lang)) }
                @if let Some(mo) = &month { (key_figure(t, dm, m.by_phone_or_video, mo, lang)) }
                @if let Some(y) = &year {
                    @let c = cell(t, &[("tid", &y.0)]);
                    @let antal = t.meta.measures.iter().position(|x| x.code == "antal");
                    @if let (Some(c), Some(a)) = (c, antal) {
                        div.figure { span.what { (m.conversations_in) " " (period_words(lang, &y.0)) } span.big { (num(lang, t.value(&c, a), 0)) } span { (m.all_forms_all_benefits) } }
                    }
                }
            }
            (line_chart("chart-national", &format!("{}: {}, {} {} – {}", m.digital_share_title, m.country, m.by_quarter_lower, period_words(lang, quarters.first().copied().unwrap_or_default()), period_words(lang, quarters.last().copied().unwrap_or_default())), &line, &labels, lang, None))
            p { (story_line(&years, |y| val(&[("tid", y)]).num(), year.as_ref().map(|y| y.0.as_str()), lang)) " " a href={ "/tabel/SAMT01?lang=" (l) "&periode=kvartal&maal=digital_pct" } { (m.see_table) } }
            (bar_chart("chart-benefits", &format!("{}: {} {}", m.digital_share_title, m.by_benefit_in, period_words(lang, &latest_year)), &bars, lang, None))
        }
    });
    let bench = rel.table(registry::BENCH01.id).and_then(Bench::new);
    let map = bench.as_ref().and_then(|b| {
        let ind = b.indicators().iter().position(|c| c.code == "pct6")?;
        let tot = b.t.meta.dimensions[b.t.meta.var(Var::Ydelse)?.0].total_index()?;
        let y = b.latest(ind, PeriodKind::Year, tot)?;
        let points = b.kommuner(ind, y, tot, lang);
        let title = format!("{}, {}", b.indicators()[ind].label(lang), period_words(lang, &b.periods()[y].code));
        let country = b.point(ind, b.country(), y, tot, lang);
        Some(html! {
            h2 { (m.timely_across_kommuner) }
            p { (m.country) ": " strong { (num(lang, country.value, 1)) " %" } ". " (m.map_home_intro) " "
                a href={ "/rangering?lang=" (l) "&indikator=pct6&tid=" (b.periods()[y].code) } { (m.see_ranking) } " · "
                a href={ "/kort?lang=" (l) "&indikator=pct6&tid=" (b.periods()[y].code) } { (m.see_map) } }
            (tile_map("map-home", &title, &points, None, lang))
        })
    });
    let mut kommuner: Vec<(String, String)> = bench
        .as_ref()
        .map(|b| {
            b.areas()
                .iter()
                .filter(|a| is_kommune(&a.code))
                .map(|a| (a.code.clone(), a.label(lang).to_string()))
                .collect()
        })
        .unwrap_or_default();
    kommuner.sort_by(|a, b| collate(&a.1, &b.1));
    let find = q.value("find").unwrap_or("").to_lowercase();
    let body = html! {
        h1 { (m.site_title) }
        p { (m.site_intro) }
        @if let Some(s) = story { (s) }
        @if let Some(mp) = map { (mp) }
        section.card {
            h2 { (m.find_kommune) }
            form method="get" action="/kommuner" {
                input type="hidden" name="lang" value=(l);
                div.field {
                    label for="kommune-find" { (m.kommune_name_or_code) }
                    input type="search" id="kommune-find" name="q" list="kommune-names" autocomplete="off";
                    datalist id="kommune-names" { @for (_, name) in &kommuner { option value=(name) {} } }
                }
                p { button type="submit" { (m.go_to_kommune) } " " a href={ "/kommuner?lang=" (l) } { (m.all_kommuner_az) } }
            }
        }
        section {
            h2 { (m.tables) }
            form method="get" action="/" {
                input type="hidden" name="lang" value=(l);
                div.field {
                    label for="table-find" { (m.find_table) }
                    input type="search" id="table-find" name="find" value=(find) data-filter-cards="tables" autocomplete="off";
                }
                noscript { button type="submit" { (m.find) } }
            }
            div id="tables" {
                @for t in &rel.tables {
                    @let meta = &t.meta;
                    @let text = format!("{} {} {}", meta.id, meta.title(lang), meta.description(lang)).to_lowercase();
                    @if find.is_empty() || find.split_whitespace().all(|w| text.contains(w)) {
                        div.card data-text=(text) {
                            h3 { a href={ "/tabel/" (meta.id) "?lang=" (l) } { (meta.id) ": " (meta.title(lang)) } }
                            p { (meta.description(lang)) }
                            p.muted {
                                // A table without a time dimension (the survey) has no period to show.
                                @if let (Some(first), Some(last)) = (meta.first_period(), meta.last_period()) {
                                    (m.period) ": " (period_words(lang, first)) " – " (period_words(lang, last)) ". "
                                }
                                @if !meta.data_end.is_empty() { (m.data_to) " " (day_words(lang, &meta.data_end)) ". " }
                            }
                        }
                    }
                }
            }
            div.card { h3 { a href={ "/besparelse?lang=" (l) } { (m.sv_title) } } p { (m.sv_intro) } }
            div.card { h3 { a href={ "/undersoegelse?lang=" (l) } { (m.su_title) } } p { (m.su_intro) } }
        }
        p.muted { (m.release) " " (rel.manifest.id) ". " a href="/api/v2/config" { (m.the_api) } }
        @if let Some(t) = rel.tables.first() { (crate::components::publication(&t.meta.publication, lang)) }
        script src="/static/home.js" defer {}
        script src="/static/charts.js" defer {}
    };
    page(here, "Samtalebank", body)
}

/// What `/kommuner` answers: the list, or the municipality a search names.
#[derive(Debug)]
pub enum KommunerAnswer {
    /// The page of the municipalities.
    Page(String),
    /// The code of the one municipality the search names: go to its page.
    Go(String),
}

/// `/kommuner`: the 98 municipalities in alphabetical order by region, with a search; a search
/// that names one municipality exactly goes to its page.
pub fn kommuner_page(rel: &Release, q: &Params) -> KommunerAnswer {
    let lang = q.lang();
    let m = msgs(lang);
    let l = lang.code();
    let Some(b) = rel.table(registry::BENCH01.id).and_then(Bench::new) else {
        return KommunerAnswer::Page(crate::layout::not_found(lang, "/kommuner"));
    };
    let wanted = q.value("q").unwrap_or("").trim().to_lowercase();
    if !wanted.is_empty() {
        if let Some(i) = crate::indicators::kommune_by_code_or_name(b.areas(), &wanted) {
            return KommunerAnswer::Go(b.areas()[i].code.clone());
        }
    }
    let v = samtalebank_model::vocab();
    let mut list: Vec<(String, String, String)> = b
        .areas()
        .iter()
        .filter(|a| is_kommune(&a.code))
        .map(|a| {
            let region = v
                .kommuner
                .lookup(&a.code)
                .map(|k| {
                    v.kommuner.regions[v.kommuner.list[k as usize].region as usize]
                        .name
                        .clone()
                })
                .unwrap_or_default();
            (a.code.clone(), a.label(lang).to_string(), region)
        })
        .filter(|(c, n, _)| {
            wanted.is_empty() || n.to_lowercase().contains(&wanted) || c.contains(&wanted)
        })
        .collect();
    list.sort_by(|a, b| collate(&a.1, &b.1));
    let here = Here {
        path: "/kommuner",
        query: q,
    };
    let body = html! {
        h1 { (m.nav_kommuner) }
        p { (m.kommuner_intro) }
        form method="get" action="/kommuner" {
            input type="hidden" name="lang" value=(l);
            div.field {
                label for="kommune-q" { (m.kommune_name_or_code) }
                input type="search" id="kommune-q" name="q" value=(wanted) data-filter-list="kommune-list" autocomplete="off";
            }
            p { button type="submit" { (m.find) } }
        }
        @if list.is_empty() { p role="status" { (m.no_kommune_found) " '" (wanted) "'." } }
        ul.kommuner id="kommune-list" {
            @for (code, name, region) in &list {
                li data-text=(name.to_lowercase()) { a href={ "/kommune/" (code) "?lang=" (l) } { (name) } " " span.muted { "(" (region) ")" } }
            }
        }
        script src="/static/home.js" defer {}
    };
    KommunerAnswer::Page(page(here, m.nav_kommuner, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_story_names_the_first_the_highest_and_the_latest_year() {
        let values = [
            ("2019", 22.1),
            ("2020", 55.0),
            ("2021", 67.7),
            ("2022", 50.1),
            ("2023", 80.0),
        ];
        let val = |y: &str| values.iter().find(|(c, _)| *c == y).map(|(_, v)| *v);
        let years = ["2019", "2020", "2021", "2022", "2023"];
        // 2023 is not complete: neither the latest nor the highest.
        assert_eq!(
            story_line(&years, val, Some("2022"), Lang::Da),
            "Andelen var 22,1 % i 2019, højest 67,7 % i 2021, og 50,1 % i 2022."
        );
        assert_eq!(
            story_line(&years[..3], val, Some("2021"), Lang::En),
            "The share was 22.1 % in 2019, and 67.7 % in 2021."
        );
        assert_eq!(story_line(&years, val, None, Lang::En), "");
    }
}
