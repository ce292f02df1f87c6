//! `/rangering` and `/kort`: all 98 municipalities on one indicator in one period, ranked (bars,
//! sorted, the reader's municipality and the country marked, the base beside each share) or on
//! a tile-grid map of Denmark; with the figures as a table and the downloads.

use maud::{html, Markup};
use samtalebank_model::{Lang, PeriodKind};
use samtalebank_pxweb::{DataLink, OutputFormat, Params, Selection};
use samtalebank_release::{Release, Value};
use samtalebank_tables::registry;

use crate::charts::{bar_chart, Bar, Mark};
use crate::components::{csv_params, symbols};
use crate::format::{num, period_short};
use crate::indicators::{choices, describe, tile_map, Bench, Choices, Point};
use crate::layout::{notice, page, Here, Page};
use crate::messages::msgs;

/// The choices: indicator, period, benefit, the reader's municipality.
fn form(b: &Bench<'_>, c: &Choices, action: &str, lang: Lang) -> Markup {
    let m = msgs(lang);
    html! {
        form method="get" action=(action) {
            input type="hidden" name="lang" value=(lang.code());
            div.controls {
                div.field {
                    label for="indikator" { (m.indicator) }
                    select id="indikator" name="indikator" {
                        @for (i, cat) in b.indicators().iter().enumerate() { option value=(cat.code) selected[i == c.ind] { (cat.label(lang)) } }
                    }
                }
                div.field {
                    label for="tid" { (m.period) }
                    select id="tid" name="tid" {
                        @for kind in [PeriodKind::Year, PeriodKind::Quarter, PeriodKind::Month] {
                            optgroup label=(match kind { PeriodKind::Year => m.years, PeriodKind::Quarter => m.quarters, PeriodKind::Month => m.months }) {
                                @for (i, p) in b.periods().iter().enumerate().rev().filter(|(_, p)| PeriodKind::of(&p.code) == kind) {
                                    option value=(p.code) selected[i == c.tid] { (period_short(lang, &p.code)) }
                                }
                            }
                        }
                    }
                }
                div.field {
                    label for="ydelse" { (m.benefit) }
                    select id="ydelse" name="ydelse" {
                        @for (i, cat) in b.benefits().iter().enumerate() { option value=(cat.code) selected[i == c.yd] { (cat.label(lang)) } }
                    }
                }
                div.field {
                    label for="kommune" { (m.your_kommune) }
                    select id="kommune" name="kommune" {
                        option value="" selected[c.mine.is_none()] { (m.none_chosen) }
                        @for (i, a) in sorted_kommuner(b, lang) { option value=(a.code) selected[Some(i) == c.mine] { (a.label(lang)) } }
                    }
                }
            }
            p { button type="submit" { (m.show) } }
        }
    }
}

/// The municipalities in alphabetical order, with their area indices.
pub fn sorted_kommuner<'a>(
    b: &'a Bench<'_>,
    lang: Lang,
) -> Vec<(usize, &'a samtalebank_release::CategoryMeta)> {
    let mut v: Vec<_> = b
        .areas()
        .iter()
        .enumerate()
        .filter(|(_, a)| samtalebank_model::is_kommune(&a.code))
        .collect();
    v.sort_by(|x, y| crate::format::collate(x.1.label(lang), y.1.label(lang)));
    v
}

/// The municipalities ranked: by value (highest first), those without a value last, by name.
fn ranked(mut points: Vec<Point>) -> Vec<Point> {
    points.sort_by(|a, b| match (a.value.num(), b.value.num()) {
        (Some(x), Some(y)) => y.total_cmp(&x).then(a.code.cmp(&b.code)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.code.cmp(&b.code),
    });
    points
}

/// The downloads: BENCH01 for the 98 municipalities and the country in the chosen period.
fn downloads(b: &Bench<'_>, c: &Choices, lang: Lang) -> Markup {
    let m = msgs(lang);
    let meta = &b.t.meta;
    let mut dims: Vec<Vec<usize>> = vec![Vec::new(); 4];
    for (d, dm) in meta.dimensions.iter().enumerate() {
        dims[d] = match dm.id.as_str() {
            "indikator" => vec![c.ind],
            "tid" => vec![c.tid],
            "ydelse" => vec![c.yd],
            _ => (0..dm.categories.len())
                .filter(|&a| {
                    a == b.country() || samtalebank_model::is_kommune(&dm.categories[a].code)
                })
                .collect(),
        };
    }
    let measures = (0..meta.measures.len()).collect();
    let sel = Selection::new(dims, measures);
    let csv = csv_params(lang);
    html! {
        div.links {
            h2 { (m.downloads) }
            p {
                a href=(DataLink::new(meta, &sel, lang).format(OutputFormat::Csv).format_params(csv).url()) download { (m.download_csv_excel) } " · "
                a href=(DataLink::new(meta, &sel, lang).format(OutputFormat::Xlsx).format_params(&["UseTexts", "IncludeTitle"]).url()) download { (m.download_xlsx) } " · "
                a href=(DataLink::new(meta, &sel, lang).url()) { "JSON-stat" }
            }
        }
    }
}

fn base_text(p: &Point, lang: Lang) -> String {
    match p.base {
        Some(n) => format!("n = {}", num(lang, Value::Num(f64::from(n)), 0)),
        None => "n = ..".into(),
    }
}

/// The page of one of the two views.
fn view(rel: &Release, q: &Params, map: bool) -> Page {
    let lang = q.lang();
    let m = msgs(lang);
    let path = if map { "/kort" } else { "/rangering" };
    let here = Here { path, query: q };
    let title = if map { m.map_title } else { m.ranking_title };
    let Some(b) = rel.table(registry::BENCH01.id).and_then(Bench::new) else {
        return Page {
            status: 404,
            html: crate::layout::not_found(lang, path),
        };
    };
    let (c, problem) = match choices(&b, q) {
        Ok(c) => (c, None),
        Err(e) => match choices(&b, &Params::new(vec![("lang".into(), lang.code().into())])) {
            Ok(c) => (c, Some(e)),
            // Not even the default choices (the release publishes no year): the reason alone.
            Err(none) => {
                let body = html! { h1 { (title) } (notice(&format!("{} {none}.", m.cannot_show))) };
                return Page {
                    status: 404,
                    html: page(here, title, body),
                };
            }
        },
    };
    if let Some(e) = problem {
        let body = html! {
            h1 { (title) }
            (notice(&format!("{} {e}. {}", m.cannot_show, m.showing_form_only)))
            (form(&b, &c, path, lang))
        };
        return Page {
            status: 400,
            html: page(here, title, body),
        };
    }
    let what = describe(&b, &c, lang);
    let points = ranked(b.kommuner(c.ind, c.tid, c.yd, lang));
    let country = b.point(c.ind, b.country(), c.tid, c.yd, lang);
    let with_value = points.iter().filter(|p| p.value.num().is_some()).count();
    let other_view = {
        let mut p = Params::new(vec![
            ("lang".into(), lang.code().into()),
            ("indikator".into(), b.indicators()[c.ind].code.clone()),
            ("tid".into(), b.periods()[c.tid].code.clone()),
            ("ydelse".into(), b.benefits()[c.yd].code.clone()),
        ]);
        if let Some(k) = c.mine {
            p = p.with("kommune", &b.areas()[k].code);
        }
        format!(
            "{}?{}",
            if map { "/rangering" } else { "/kort" },
            p.to_query()
        )
    };
    let figure = if map {
        tile_map("map-1", &format!("{title}: {what}"), &points, c.mine, lang)
    } else {
        // The country's bar where its value falls, marked as the reference.
        let mut bars: Vec<Bar> = Vec::new();
        let mut country_done = false;
        for p in &points {
            if !country_done
                && p.value
                    .num()
                    .is_none_or(|v| country.value.num().is_some_and(|cv| cv >= v))
            {
                bars.push(Bar {
                    label: country.name.clone(),
                    value: country.value,
                    extra: base_text(&country, lang),
                    mark: Mark::Reference,
                    href: None,
                });
                country_done = true;
            }
            bars.push(Bar {
                label: format!("{}. {}", num(lang, p.rank, 0), p.name),
                value: p.value,
                extra: base_text(p, lang),
                mark: if Some(p.area) == c.mine {
                    Mark::Mine
                } else {
                    Mark::Plain
                },
                href: Some(format!("/kommune/{}?lang={}", p.code, lang.code())),
            });
        }
        if !country_done {
            bars.push(Bar {
                label: country.name.clone(),
                value: country.value,
                extra: base_text(&country, lang),
                mark: Mark::Reference,
                href: None,
            });
        }
        bar_chart("ranking-1", &format!("{title}: {what}"), &bars, lang, None)
    };
    let body = html! {
        h1 { (title) }
        p { (if map { m.map_intro } else { m.ranking_intro }) }
        (form(&b, &c, path, lang))
        p { (m.all_98) " " (with_value) " " (m.have_a_value) ". " (country.name) ": " strong { (num(lang, country.value, 1)) " %" } ". " a href=(other_view) { (if map { m.see_ranking } else { m.see_map }) } }
        (figure)
        div.scroll {
            table id="ranking" {
                caption { (title) ": " (what) }
                thead { tr { th scope="col" { (m.rank) } th scope="col" { (m.kommune) } th scope="col" { (m.share_pct) } th scope="col" { (m.base_n) } th scope="col" { (m.diff_country_pp) } } }
                tbody {
                    @for p in &points {
                        tr class=[(Some(p.area) == c.mine).then_some("mine")] {
                            td { (num(lang, p.rank, 0)) }
                            th.l scope="row" { a href={ "/kommune/" (p.code) "?lang=" (lang.code()) } { (p.name) } }
                            td { (num(lang, p.value, 1)) }
                            td { (p.base.map_or("..".to_string(), |n| num(lang, Value::Num(f64::from(n)), 0))) }
                            td { (match (p.value.num(), country.value.num()) { (Some(x), Some(y)) => crate::format::signed(lang, x - y, 1), _ => num(lang, p.value, 1) }) }
                        }
                    }
                    tr.land { td {} th.l scope="row" { (country.name) } td { (num(lang, country.value, 1)) } td { (country.base.map_or("..".to_string(), |n| num(lang, Value::Num(f64::from(n)), 0))) } td {} }
                }
            }
        }
        (symbols(lang))
        p.notes { (m.rank_note) }
        (downloads(&b, &c, lang))
        script src="/static/charts.js" defer {}
    };
    Page::ok(page(here, title, body))
}

/// `/rangering`.
pub fn ranking_page(rel: &Release, q: &Params) -> Page {
    view(rel, q, false)
}

/// `/kort`.
pub fn map_page(rel: &Release, q: &Params) -> Page {
    view(rel, q, true)
}
