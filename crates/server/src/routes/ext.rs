//! Samtalebank's own endpoints beside the PxWeb API: `GET /api/v2/benchmark/gap` (a group of
//! municipalities against the rest of the country, from BENCH01) and `GET /api/v2/savings` (the
//! savings calculator, docs/savings.md).

use std::sync::Arc;

use axum::extract::{Extension, State};
use axum::routing::get;
use axum::Router;
use samtalebank_analysis::{gap as g, savings, AnalysisError};
use samtalebank_model::{PeriodKind, Var};
use samtalebank_pxweb::{jsonstat, Params, Problem};
use samtalebank_release::{Release, Value};
use samtalebank_tables::registry;
use serde_json::json;

use crate::respond::{self, ApiResult, Q};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v2/benchmark/gap", get(gap))
        .route("/api/v2/savings", get(savings_answer))
}

/// An analysis error as a problem: the user's parameter is a 400, a missing part of the
/// release a 404, unreadable saved groups a server error.
pub fn problem(e: AnalysisError) -> Problem {
    match e {
        AnalysisError::Parameter(m) => Problem::bad_request(m),
        AnalysisError::Release(m) => Problem::not_found(m),
        AnalysisError::Groups(m) => Problem::internal("Saved groups unreadable", m),
    }
}

/// Is `outputFormat` CSV?
fn csv_asked(q: &Params) -> bool {
    q.get("outputFormat")
        .is_some_and(|f| f.eq_ignore_ascii_case("csv"))
}

/// `GET /api/v2/benchmark/gap?group=...&indicator=...[&ydelse=tot][&periode=maaned]`: the gap
/// between a group of municipalities and the rest of the country, as JSON-stat 2.0 (tid × maal)
/// or CSV.
///
/// Long: The gap series in both formats, each with its labels, units and statuses.
pub async fn gap(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    Q(q): Q<Params>,
) -> ApiResult {
    let bench = rel
        .table(registry::BENCH01.id)
        .ok_or_else(|| Problem::not_found("the current release has no BENCH01 table"))?;
    let lang = q.lang();
    let l = samtalebank_pxweb::labels(lang);
    let (Some(group), Some(indicator)) = (q.value("group"), q.value("indicator")) else {
        return Err(Problem::bad_request("give group (codes, lowest:15:pct13:2019M11 or @name) and indicator (digital_pct, pct6, pct13, intensitet)").into());
    };
    let kind = PeriodKind::parse(q.value("periode").unwrap_or("maaned"))
        .map_err(|e| Problem::bad_request(e.0))?;
    let saved = g::load_groups(&st.config.releases).map_err(problem)?;
    let all_benefits = bench
        .meta
        .var(Var::Ydelse)
        .and_then(|(_, d)| d.total.clone())
        .unwrap_or_default();
    let ydelse = q.value("ydelse").unwrap_or(&all_benefits);
    let members = g::resolve(bench, group, &saved).map_err(problem)?;
    let points = g::series(bench, &members, indicator, ydelse, kind).map_err(problem)?;
    let area = bench.meta.var(Var::Omraade).map(|d| d.1);
    let codes: Vec<String> = members
        .iter()
        .filter_map(|&i| area.map(|a| a.categories[i].code.clone()))
        .collect();
    let fmt = |v: Value| samtalebank_pxweb::format_value(v, 1, false);
    if csv_asked(&q) {
        let mut w = csv::Writer::from_writer(Vec::new());
        let rows = std::iter::once([
            "tid".to_string(),
            "gruppe".into(),
            "resten".into(),
            "forskel_pp".into(),
        ])
        .chain(
            points
                .iter()
                .map(|p| [p.tid.clone(), fmt(p.group), fmt(p.rest), fmt(p.gap)]),
        );
        for r in rows {
            w.write_record(&r)
                .map_err(|e| Problem::internal("CSV output failed", e.to_string()))?;
        }
        let body = w
            .into_inner()
            .map_err(|e| Problem::internal("CSV output failed", e.to_string()))?;
        return Ok(respond::csv(String::from_utf8_lossy(&body).into_owned()));
    }
    let mut index = serde_json::Map::new();
    for (i, p) in points.iter().enumerate() {
        index.insert(p.tid.clone(), json!(i));
    }
    let mut values = Vec::new();
    let mut status = serde_json::Map::new();
    for p in &points {
        for v in [p.group, p.rest, p.gap] {
            match v {
                Value::Num(x) => values.push(json!(samtalebank_pxweb::round(x, 1))),
                other => {
                    status.insert(values.len().to_string(), json!(fmt(other)));
                    values.push(serde_json::Value::Null);
                }
            }
        }
    }
    Ok(respond::json(json!({
        "version": "2.0",
        "class": "dataset",
        "label": l.gap_title,
        "id": ["tid", "maal"],
        "size": [points.len(), 3],
        "role": {"time": ["tid"], "metric": ["maal"]},
        "dimension": {
            "tid": {"label": "tid", "category": {"index": index}},
            "maal": {"label": l.measure_var, "category": {
                "index": {"gruppe": 0, "resten": 1, "forskel": 2},
                "label": {"gruppe": l.gap_group, "resten": l.gap_rest, "forskel": l.gap_difference},
                "unit": {"gruppe": {"label": l.unit_pct, "decimals": 1}, "resten": {"label": l.unit_pct, "decimals": 1}, "forskel": {"label": l.unit_pp, "decimals": 1}}
            }}
        },
        "value": values,
        "status": status,
        "extension": {"group": codes, "definition": group, "indicator": indicator, "release": rel.manifest.id, "status": jsonstat::status_legend(lang)},
    })))
}

/// A calculation's parameters from a query ([`savings::Params::from_named`]).
pub fn savings_params(q: &Params, default_year: Option<&str>) -> Result<savings::Params, Problem> {
    savings::Params::from_named(&|name| q.value(name).map(String::from), default_year)
        .map_err(problem)
}

/// `GET /api/v2/savings`: the calculation as JSON (the same object as `samtalebank savings
/// --format json`) or CSV.
pub async fn savings_answer(Extension(rel): Extension<Arc<Release>>, Q(q): Q<Params>) -> ApiResult {
    let p = savings_params(&q, None)?;
    let s = savings::compute(&rel, &p).map_err(problem)?;
    if csv_asked(&q) {
        return Ok(respond::csv(s.to_csv()));
    }
    Ok(respond::json(serde_json::to_value(&s).unwrap_or_default()))
}
