//! Samtalebank's own endpoints beside the PxWeb API: `GET /api/v2/benchmark/gap` (a group of
//! municipalities against the rest of the country, from BENCH01) and `GET /api/v2/savings` (the
//! savings calculator, docs/savings.md); `GET /api/v2/bulk` (the release's tables whole, one
//! file each, for machines) and `GET /api/v2/bulk/{file}` (`SAMT01.parquet`, `SAMT01.csv.gz`).

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
        .route("/api/v2/bulk", get(bulk_list))
        .route("/api/v2/bulk/{file}", get(bulk_file))
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

/// A bulk file's name in the API (`SAMT01.parquet`) → its table, its name in the table's
/// directory, and its media type.
fn bulk_name(file: &str) -> Option<(&str, &'static str, &'static str)> {
    if let Some(t) = file.strip_suffix(".parquet") {
        Some((
            t,
            samtalebank_release::BULK_PARQUET,
            "application/vnd.apache.parquet",
        ))
    } else {
        file.strip_suffix(".csv.gz")
            .map(|t| (t, samtalebank_release::BULK_CSV_GZ, "application/gzip"))
    }
}

/// `GET /api/v2/bulk`: every table's bulk files in the release: format, path, size, SHA-256.
pub async fn bulk_list(Extension(rel): Extension<Arc<Release>>) -> ApiResult {
    let tables: Vec<_> = rel
        .tables
        .iter()
        .map(|t| {
            let files: Vec<_> = t
                .meta
                .bulk
                .iter()
                .filter_map(|f| {
                    let (ext, format) = match f.as_str() {
                        samtalebank_release::BULK_PARQUET => ("parquet", "parquet"),
                        samtalebank_release::BULK_CSV_GZ => ("csv.gz", "csv.gz"),
                        _ => return None,
                    };
                    let path = rel.dir.join(&t.meta.id).join(f);
                    Some(json!({
                        "format": format,
                        "href": format!("/api/v2/bulk/{}.{ext}", t.meta.id),
                        "bytes": std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
                        "sha256": rel.manifest.checksums.get(&format!("{}/{f}", t.meta.id)),
                    }))
                })
                .collect();
            json!({
                "id": t.meta.id,
                "label": t.meta.title_da,
                "contentHash": t.meta.content_hash,
                "files": files,
            })
        })
        .collect();
    Ok(respond::json(json!({
        "release": rel.manifest.id,
        "updated": rel.manifest.created,
        "tables": tables,
    })))
}

/// `GET /api/v2/bulk/{file}`: the file from the release directory (checked against its
/// checksum when the release was loaded), with ranges for resumed downloads.
pub async fn bulk_file(
    Extension(rel): Extension<Arc<Release>>,
    axum::extract::Path(file): axum::extract::Path<String>,
    req: axum::extract::Request,
) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
    use tower::ServiceExt;
    let found = bulk_name(&file).and_then(|(id, name, mime)| {
        let t = rel.table(id)?;
        t.meta
            .bulk
            .iter()
            .any(|b| b == name)
            .then(|| (t.meta.id.clone(), name, mime))
    });
    let Some((id, name, mime)) = found else {
        return respond::ApiError(Problem::not_found(format!(
            "no bulk file '{file}' in release {}; see /api/v2/bulk",
            rel.manifest.id
        )))
        .into_response();
    };
    let path = rel.dir.join(&id).join(name);
    let served = tower_http::services::ServeFile::new(path)
        .oneshot(req)
        .await;
    let mut r = match served {
        Ok(r) => r.map(axum::body::Body::new),
        Err(e) => {
            return respond::ApiError(Problem::internal(
                "The file could not be read",
                e.to_string(),
            ))
            .into_response()
        }
    };
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    let ext = if name == samtalebank_release::BULK_PARQUET {
        "parquet"
    } else {
        "csv.gz"
    };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{id}-{}.{ext}\"",
        rel.manifest.id
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}
