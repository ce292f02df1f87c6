//! `/kommune/{code}` and `samtalebank report`: a municipality's benchmark report.

use maud::html;
use samtalebank_model::{dims::COUNTRY, is_kommune, vocab, Lang, PeriodKind, Var};
use samtalebank_pxweb::Params;
use samtalebank_release::{Release, Value};
use samtalebank_tables::registry;

use crate::charts::line_chart;
use crate::format::num;
use crate::layout::page;
use crate::messages::msgs;
use crate::PageError;

/// How many similar municipalities the report compares with.
const SIMILAR: usize = 5;

/// A municipality's benchmark report as a standalone HTML document: each indicator against the
/// country, its region and the most similar municipalities, its rank among 98, and the
/// development over time (quarters) as SVG charts. Prints well. An error if `code` is not a
/// municipality of the release.
///
/// Long: One report written top to bottom in the order it reads; split up, the HTML's order would be scattered over helpers.
pub fn kommune_report(rel: &Release, code: &str, lang: Lang) -> Result<String, PageError> {
    let m = msgs(lang);
    let missing = |what: &str| PageError::Release(what.to_string());
    let bench = rel
        .table(registry::BENCH01.id)
        .ok_or_else(|| missing("the release has no BENCH01 table"))?;
    let samt01 = rel
        .table(registry::SAMT01.id)
        .ok_or_else(|| missing("the release has no SAMT01 table"))?;
    let meta = &bench.meta;
    let (ind, ind_dim) = meta.require(Var::Indikator)?;
    let (area, area_dim) = meta.require(Var::Omraade)?;
    let (tid, tid_dim) = meta.require(Var::Tid)?;
    let (yd, yd_dim) = meta.require(Var::Ydelse)?;
    let areas = &area_dim.categories;
    let k = area_dim
        .position(code.trim_start_matches('0'))
        .or_else(|| area_dim.position(code))
        .filter(|&i| is_kommune(&areas[i].code))
        .ok_or_else(|| PageError::NotFound(format!("'{code}' is not a municipality code")))?;
    let v = vocab();
    let kom = v
        .kommuner
        .lookup(&areas[k].code)
        .ok_or_else(|| missing("unknown municipality"))?;
    let region_code = v.kommuner.regions[v.kommuner.list[kom as usize].region as usize]
        .code
        .to_string();
    let r = area_dim
        .position(&region_code)
        .ok_or_else(|| missing("the region is not in BENCH01"))?;
    let country = area_dim
        .position(COUNTRY)
        .ok_or_else(|| missing("no whole country"))?;
    let tot = yd_dim
        .total_index()
        .ok_or_else(|| missing("ydelse has no total"))?;
    let tids = &tid_dim.categories;
    let of_kind = |k: PeriodKind| -> Vec<usize> {
        (0..tids.len())
            .filter(|&t| PeriodKind::of(&tids[t].code) == k)
            .collect()
    };
    let (years, quarters) = (of_kind(PeriodKind::Year), of_kind(PeriodKind::Quarter));
    let measure = |code: &str| {
        meta.measures
            .iter()
            .position(|x| x.code == code)
            .ok_or_else(|| missing(&format!("BENCH01 has no measure {code}")))
    };
    let (vaerdi, rang, diff_rest) = (measure("vaerdi")?, measure("rang")?, measure("diff_rest")?);
    let at = |i: usize, a: usize, t: usize, msr: usize| {
        let mut c = vec![0usize; 4];
        c[ind] = i;
        c[area] = a;
        c[tid] = t;
        c[yd] = tot;
        bench.value(&c, msr)
    };
    let name = |a: usize| areas[a].label(lang).to_string();
    // The latest year with a national value for the first indicator sets the similarity year.
    let latest_year = years
        .iter()
        .rev()
        .find(|&&t| matches!(at(0, country, t, vaerdi), Value::Num(_)))
        .copied();
    let samt01_area = samt01.meta.require(Var::Omraade)?.1;
    let sim: Vec<usize> = match latest_year {
        Some(t) => {
            let me = samt01_area
                .position(&areas[k].code)
                .ok_or_else(|| missing("the municipality is not in SAMT01"))?;
            samtalebank_analysis::similar::similar(samt01, me, &tids[t].code, SIMILAR)
                .map_err(|e| PageError::Release(e.to_string()))?
                .into_iter()
                .filter_map(|i| area_dim.position(&samt01_area.categories[i].code))
                .collect()
        }
        None => Vec::new(),
    };
    let labels: Vec<String> = quarters.iter().map(|&t| tids[t].code.clone()).collect();
    let body = html! {
        h1 { (name(k)) " – " (m.benchmark_report) }
        p { (m.region) " " (name(r)) ". " (m.report_intro) }
        p.muted { (m.similar_kommuner) ": " (sim.iter().map(|&i| name(i)).collect::<Vec<_>>().join(", ")) }
        @for (i, cat) in ind_dim.categories.iter().enumerate() {
            @if let Some(y) = years.iter().rev().find(|&&t| matches!(at(i, country, t, vaerdi), Value::Num(_))).copied() {
                section.card {
                    h2 { (cat.label(lang)) }
                    table {
                        caption { (m.year) " " (tids[y].code) }
                        thead { tr { th scope="col" { (m.area) } th scope="col" { (m.share_pct) } th scope="col" { (m.rank) } th scope="col" { (m.diff_rest_pp) } } }
                        tbody {
                            @for a in [k, r, country].into_iter().chain(sim.iter().copied()) {
                                tr {
                                    th scope="row" { (name(a)) }
                                    td { (num(lang, at(i, a, y, vaerdi), 1)) }
                                    td { (num(lang, at(i, a, y, rang), 0)) }
                                    td { (num(lang, at(i, a, y, diff_rest), 1)) }
                                }
                            }
                        }
                    }
                    @let series: Vec<(String, Vec<Option<f64>>)> = [k, r, country].iter().map(|&a| (name(a), quarters.iter().map(|&t| at(i, a, t, vaerdi).num()).collect())).collect();
                    (line_chart(cat.label(lang), &series, &labels, lang))
                }
            }
        }
        p.notes {
            strong { ".." } " = " (m.confidential) ". "
            strong { "." } " = " (m.not_yet) ". "
            (m.source) ": " (meta.source) ". " (m.release) " " (rel.manifest.id) "."
        }
    };
    let q = Params::new(vec![("lang".into(), lang.code().into())]);
    Ok(page(lang, &name(k), &q, body))
}
