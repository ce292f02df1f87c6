//! PxWeb API v2 endpoints: config, tables (search, paging), table, metadata, data.

use std::sync::Arc;

use axum::extract::{Extension, Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use samtalebank_release::Table;
use serde_json::json;

use crate::output::{self, CsvOptions};
use samtalebank_model::Lang;
use crate::problem::Problem;
use crate::selection::{self, Selection};
use crate::AppState;

pub type Params = Vec<(String, String)>;

pub fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn json_response(v: serde_json::Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        v.to_string(),
    )
        .into_response()
}

pub async fn config(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<samtalebank_release::Release>>,
) -> Response {
    json_response(json!({
        "apiName": "Samtalebank PxWeb API",
        "apiVersion": "2.0.0",
        "appVersion": env!("CARGO_PKG_VERSION"),
        "languages": [{"id": "da", "label": "Dansk"}, {"id": "en", "label": "English"}],
        "defaultLanguage": "da",
        "maxDataCells": st.config.max_cells,
        "maxCallsPerTimeWindow": null,
        "timeWindow": null,
        "license": "CC BY 4.0",
        "sourceReferences": [{"language": "da", "text": "Kilde: Samtalebank"}, {"language": "en", "text": "Source: Samtalebank"}],
        "defaultDataFormat": "json-stat2",
        "dataFormats": ["json-stat2", "csv", "xlsx"],
        "release": rel.manifest.id,
    }))
}

fn table_json(t: &Table, lang: Lang) -> serde_json::Value {
    let m = &t.meta;
    let base = format!("/api/v2/tables/{}", m.id);
    json!({
        "type": "Table",
        "id": m.id,
        "label": lang.pick(&m.title_da, &m.title_en),
        "description": lang.pick(&m.description_da, &m.description_en),
        "updated": m.updated,
        "firstPeriod": m.first_period(),
        "lastPeriod": m.last_period(),
        "category": "public",
        "source": m.source,
        "variableNames": m.dimensions.iter().map(|d| lang.pick(&d.label_da, &d.label_en)).chain([lang.pick("mål", "measure")]).collect::<Vec<_>>(),
        "links": [
            {"rel": "self", "hreflang": lang.code(), "href": format!("{base}?lang={}", lang.code())},
            {"rel": "metadata", "hreflang": lang.code(), "href": format!("{base}/metadata?lang={}", lang.code())},
            {"rel": "data", "hreflang": lang.code(), "href": format!("{base}/data?lang={}", lang.code())},
        ],
    })
}

pub async fn tables(
    Extension(rel): Extension<Arc<samtalebank_release::Release>>,
    Query(q): Query<Params>,
) -> Response {
    let lang = Lang::parse(param(&q, "lang"));
    let search = param(&q, "query").unwrap_or("").to_lowercase();
    let page_size: usize = param(&q, "pageSize")
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(20);
    let page: usize = param(&q, "pageNumber")
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(1);
    let hits: Vec<&Table> = rel
        .tables
        .iter()
        .filter(|t| {
            search.is_empty()
                || [
                    &t.meta.id,
                    &t.meta.title_da,
                    &t.meta.title_en,
                    &t.meta.description_da,
                    &t.meta.description_en,
                ]
                .iter()
                .any(|s| s.to_lowercase().contains(&search))
        })
        .collect();
    let total = hits.len();
    let pages = total.div_ceil(page_size).max(1);
    let items: Vec<serde_json::Value> = hits
        .iter()
        .skip((page - 1) * page_size)
        .take(page_size)
        .map(|t| table_json(t, lang))
        .collect();
    json_response(json!({
        "language": lang.code(),
        "tables": items,
        "page": {"pageNumber": page, "pageSize": page_size, "totalElements": total, "totalPages": pages},
        "links": [],
    }))
}

fn find_table<'a>(rel: &'a samtalebank_release::Release, id: &str) -> Result<&'a Table, Problem> {
    rel.table(id)
        .ok_or_else(|| Problem::not_found(format!("no table '{id}'; see /api/v2/tables")))
}

pub async fn table(
    Extension(rel): Extension<Arc<samtalebank_release::Release>>,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Response {
    match find_table(&rel, &id) {
        Ok(t) => json_response(table_json(t, Lang::parse(param(&q, "lang")))),
        Err(p) => p.into_response(),
    }
}

pub async fn metadata(
    Extension(rel): Extension<Arc<samtalebank_release::Release>>,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Response {
    match find_table(&rel, &id) {
        Ok(t) => json_response(output::jsonstat_meta(
            &t.meta,
            None,
            Lang::parse(param(&q, "lang")),
            &rel.manifest.id,
        )),
        Err(p) => p.into_response(),
    }
}

/// Parse a selection and refuse it, before any work, if it asks for more cells than allowed.
pub fn checked_selection(t: &Table, q: &Params, max_cells: usize) -> Result<Selection, Problem> {
    let sel = selection::parse(&t.meta, q)?;
    let n = sel.cells();
    if n > max_cells as u128 {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "Too many cells selected",
            format!(
                "the selection asks for {n} cells; the limit is {max_cells}. Select fewer values."
            ),
        ));
    }
    Ok(sel)
}

pub async fn data(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<samtalebank_release::Release>>,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Response {
    let t = match find_table(&rel, &id) {
        Ok(t) => t,
        Err(p) => return p.into_response(),
    };
    let lang = Lang::parse(param(&q, "lang"));
    let format = param(&q, "outputFormat")
        .or(param(&q, "format"))
        .unwrap_or("json-stat2")
        .to_ascii_lowercase();
    if !matches!(format.as_str(), "json-stat2" | "jsonstat2" | "csv" | "xlsx") {
        return Problem::bad_request(format!(
            "unknown outputFormat '{format}'; use json-stat2, csv or xlsx"
        ))
        .into_response();
    }
    let sel = match checked_selection(t, &q, st.config.max_cells) {
        Ok(s) => s,
        Err(p) => return p.into_response(),
    };
    if format == "xlsx" {
        return match output::xlsx_data(t, &sel, lang) {
            Ok(body) => (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_string(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{}.xlsx\"", t.meta.id),
                    ),
                ],
                body,
            )
                .into_response(),
            Err(e) => Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "Excel output failed", e)
                .into_response(),
        };
    }
    if format == "csv" {
        let o = CsvOptions::parse(param(&q, "outputFormatParams"));
        let body = output::csv_data(t, &sel, lang, o);
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}.csv\"", t.meta.id),
                ),
            ],
            body,
        )
            .into_response()
    } else {
        // The release headers come from the `pin_release` middleware.
        json_response(output::jsonstat_data(t, &sel, lang, &rel.manifest.id))
    }
}

/// PxWeb API v2 POST body: `{"selection": [{"variableCode": "tid", "valueCodes": ["2023"]}]}`.
#[derive(serde::Deserialize)]
pub struct PostBody {
    #[serde(default)]
    selection: Vec<PostSelection>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostSelection {
    variable_code: String,
    #[serde(default)]
    value_codes: Vec<String>,
}

/// POST variant of [`data`]: the selection comes in the body, the output format in the query.
pub async fn data_post(
    st: State<Arc<AppState>>,
    rel: Extension<Arc<samtalebank_release::Release>>,
    id: Path<String>,
    Query(mut q): Query<Params>,
    body: axum::body::Bytes,
) -> Response {
    let parsed: PostBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return Problem::bad_request(format!("the request body is not a PxWeb selection: {e}"))
                .into_response()
        }
    };
    for s in parsed.selection {
        q.retain(|(k, _)| !k.eq_ignore_ascii_case(&format!("valuecodes[{}]", s.variable_code)));
        q.push((
            format!("valuecodes[{}]", s.variable_code),
            s.value_codes.join(","),
        ));
    }
    data(st, rel, id, Query(q)).await
}

/// `GET /api/v2/benchmark/gap?group=...&indicator=...[&ydelse=tot][&periode=maaned]`: the gap
/// between a group of municipalities and the rest of the country, as JSON-stat 2.0 (tid × maal)
/// or CSV.
pub async fn gap(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<samtalebank_release::Release>>,
    Query(q): Query<Params>,
) -> Response {
    use samtalebank_analysis::gap as g;
    let Some(bench) = rel.table("BENCH01") else {
        return Problem::not_found("the current release has no BENCH01 table").into_response();
    };
    let lang = Lang::parse(param(&q, "lang"));
    let (Some(group), Some(indicator)) = (param(&q, "group"), param(&q, "indicator")) else {
        return Problem::bad_request("give group (codes, lowest:15:pct13:2019M11 or @name) and indicator (digital_pct, pct6, pct13, intensitet)").into_response();
    };
    let kind = match samtalebank_model::PeriodKind::parse(param(&q, "periode").unwrap_or("maaned")) {
        Ok(k) => k,
        Err(e) => return Problem::bad_request(e).into_response(),
    };
    let saved = match g::load_groups(&st.config.releases) {
        Ok(s) => s,
        Err(e) => {
            return Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Saved groups unreadable",
                e,
            )
            .into_response()
        }
    };
    let points = match g::resolve(bench, group, &saved).and_then(|m| {
        g::series(
            bench,
            &m,
            indicator,
            param(&q, "ydelse").unwrap_or("tot"),
            kind,
        )
        .map(|p| (m, p))
    }) {
        Ok(x) => x,
        Err(e) => return Problem::bad_request(e).into_response(),
    };
    let (members, points) = points;
    let area = bench.meta.dimension("omraade").map(|d| d.1);
    let codes: Vec<String> = members
        .iter()
        .filter_map(|&i| area.map(|a| a.categories[i].code.clone()))
        .collect();
    let fmt = |v: samtalebank_release::Value| output::format_value(v, 1, false);
    if param(&q, "outputFormat").is_some_and(|f| f.eq_ignore_ascii_case("csv")) {
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
        return ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response();
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
                samtalebank_release::Value::Num(x) => values.push(json!(output::round(x, 1))),
                other => {
                    status.insert(values.len().to_string(), json!(fmt(other)));
                    values.push(serde_json::Value::Null);
                }
            }
        }
    }
    json_response(json!({
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
        "extension": {"group": codes, "definition": group, "indicator": indicator, "release": rel.manifest.id, "status": output::status_legend(lang)},
    }))
}

pub async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        Problem::not_found(format!("no such resource: {}", uri.path())).into_response()
    } else {
        crate::web::not_found_page(uri.path())
    }
}
