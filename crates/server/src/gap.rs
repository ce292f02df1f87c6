//! `GET /api/v2/benchmark/gap`: our own endpoint, a group of municipalities against the rest
//! of the country from BENCH01.

use std::sync::Arc;

use axum::extract::{Extension, State};
use axum::http::header;
use axum::response::IntoResponse;
use samtalebank_model::{Lang, PeriodKind, Var};
use samtalebank_pxweb::{jsonstat, Problem};
use samtalebank_release::{Release, Value};
use serde::Deserialize;
use serde_json::json;

use crate::api::json_response;
use crate::error::{ApiResult, Q};
use crate::AppState;

/// `GET /api/v2/benchmark/gap`'s query.
#[derive(Deserialize)]
pub struct GapQuery {
    #[serde(default)]
    lang: Option<String>,
    group: Option<String>,
    indicator: Option<String>,
    #[serde(default)]
    ydelse: Option<String>,
    #[serde(default)]
    periode: Option<String>,
    #[serde(default, rename = "outputFormat")]
    output_format: Option<String>,
}

/// `GET /api/v2/benchmark/gap?group=...&indicator=...[&ydelse=tot][&periode=maaned]`: the gap
/// between a group of municipalities and the rest of the country, as JSON-stat 2.0 (tid × maal)
/// or CSV.
///
/// Long: The gap series in both formats, each with its labels, units and statuses.
pub async fn gap(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    Q(q): Q<GapQuery>,
) -> ApiResult {
    use samtalebank_analysis::gap as g;
    let bench = rel
        .table("BENCH01")
        .ok_or_else(|| Problem::not_found("the current release has no BENCH01 table"))?;
    let lang = Lang::parse(q.lang.as_deref());
    let (Some(group), Some(indicator)) = (q.group.as_deref(), q.indicator.as_deref()) else {
        return Err(Problem::bad_request("give group (codes, lowest:15:pct13:2019M11 or @name) and indicator (digital_pct, pct6, pct13, intensitet)").into());
    };
    let kind = PeriodKind::parse(q.periode.as_deref().unwrap_or("maaned"))
        .map_err(Problem::bad_request)?;
    let saved = g::load_groups(&st.config.releases)
        .map_err(|e| Problem::internal("Saved groups unreadable", e))?;
    let all_benefits = bench
        .meta
        .var(Var::Ydelse)
        .and_then(|(_, d)| d.total.clone())
        .unwrap_or_default();
    let ydelse = q.ydelse.as_deref().unwrap_or(&all_benefits);
    let members = g::resolve(bench, group, &saved).map_err(Problem::bad_request)?;
    let points =
        g::series(bench, &members, indicator, ydelse, kind).map_err(Problem::bad_request)?;
    let area = bench.meta.var(Var::Omraade).map(|d| d.1);
    let codes: Vec<String> = members
        .iter()
        .filter_map(|&i| area.map(|a| a.categories[i].code.clone()))
        .collect();
    let fmt = |v: Value| samtalebank_pxweb::format_value(v, 1, false);
    if q.output_format
        .as_deref()
        .is_some_and(|f| f.eq_ignore_ascii_case("csv"))
    {
        let mut body = String::from("tid,gruppe,resten,forskel_pp\n");
        for p in &points {
            body.push_str(&format!(
                "{},{},{},{}\n",
                p.tid,
                fmt(p.group),
                fmt(p.rest),
                fmt(p.gap)
            ));
        }
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response());
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
    Ok(json_response(json!({
        "version": "2.0",
        "class": "dataset",
        "label": lang.pick("Forskel mellem gruppe og resten af landet", "Gap between the group and the rest of the country"),
        "id": ["tid", "maal"],
        "size": [points.len(), 3],
        "role": {"time": ["tid"], "metric": ["maal"]},
        "dimension": {
            "tid": {"label": "tid", "category": {"index": index}},
            "maal": {"label": lang.pick("mål", "measure"), "category": {
                "index": {"gruppe": 0, "resten": 1, "forskel": 2},
                "label": {"gruppe": lang.pick("Gruppen", "The group"), "resten": lang.pick("Resten af landet", "Rest of the country"), "forskel": lang.pick("Forskel (procentpoint)", "Gap (percentage points)")},
                "unit": {"gruppe": {"label": "pct.", "decimals": 1}, "resten": {"label": "pct.", "decimals": 1}, "forskel": {"label": "procentpoint", "decimals": 1}}
            }}
        },
        "value": values,
        "status": status,
        "extension": {"group": codes, "definition": group, "indicator": indicator, "release": rel.manifest.id, "status": jsonstat::status_legend(lang)},
    })))
}
