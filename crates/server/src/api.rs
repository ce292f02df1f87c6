//! PxWeb API v2 endpoints (config, tables, table, metadata, data) and our own (benchmark gap).

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use samtalebank_model::{Lang, PeriodKind, Var};
use samtalebank_pxweb::{csv::CsvOptions, jsonstat, Problem, Selection};
use samtalebank_release::{Release, Table, Value};
use serde::Deserialize;
use serde_json::json;

use crate::error::{ApiResult, Q};
use crate::AppState;

/// A query string as pairs, for parameters whose names are not fixed (`valuecodes[VAR]`).
pub type Params = Vec<(String, String)>;

/// The value of a parameter, whatever its case.
pub fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `?lang=` alone.
#[derive(Deserialize, Default)]
pub struct LangQuery {
    #[serde(default)]
    lang: Option<String>,
}

impl LangQuery {
    pub fn lang(&self) -> Lang {
        Lang::parse(self.lang.as_deref())
    }
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
    Extension(rel): Extension<Arc<Release>>,
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
        "label": m.title(lang),
        "description": m.description(lang),
        "updated": m.updated,
        "firstPeriod": m.first_period(),
        "lastPeriod": m.last_period(),
        "category": "public",
        "source": m.source,
        "variableNames": m.dimensions.iter().map(|d| d.label(lang)).chain([lang.pick("mål", "measure")]).collect::<Vec<_>>(),
        "links": [
            {"rel": "self", "hreflang": lang.code(), "href": format!("{base}?lang={}", lang.code())},
            {"rel": "metadata", "hreflang": lang.code(), "href": format!("{base}/metadata?lang={}", lang.code())},
            {"rel": "data", "hreflang": lang.code(), "href": format!("{base}/data?lang={}", lang.code())},
        ],
    })
}

/// `GET /api/v2/tables`'s query.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TablesQuery {
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    page_number: Option<String>,
    #[serde(default)]
    page_size: Option<String>,
}

pub async fn tables(Extension(rel): Extension<Arc<Release>>, Q(q): Q<TablesQuery>) -> ApiResult {
    let lang = Lang::parse(q.lang.as_deref());
    let search = q.query.unwrap_or_default().to_lowercase();
    let number = |s: Option<String>, default: usize| {
        s.and_then(|s| s.parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or(default)
    };
    let page_size = number(q.page_size, 20);
    let page = number(q.page_number, 1);
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
    Ok(json_response(json!({
        "language": lang.code(),
        "tables": items,
        "page": {"pageNumber": page, "pageSize": page_size, "totalElements": total, "totalPages": pages},
        "links": [],
    })))
}

fn find_table<'a>(rel: &'a Release, id: &str) -> Result<&'a Table, Problem> {
    rel.table(id)
        .ok_or_else(|| Problem::not_found(format!("no table '{id}'; see /api/v2/tables")))
}

pub async fn table(
    Extension(rel): Extension<Arc<Release>>,
    Path(id): Path<String>,
    Q(q): Q<LangQuery>,
) -> ApiResult {
    Ok(json_response(table_json(find_table(&rel, &id)?, q.lang())))
}

pub async fn metadata(
    Extension(rel): Extension<Arc<Release>>,
    Path(id): Path<String>,
    Q(q): Q<LangQuery>,
) -> ApiResult {
    let t = find_table(&rel, &id)?;
    Ok(json_response(jsonstat::jsonstat_meta(
        &t.meta,
        None,
        q.lang(),
        &rel.manifest.id,
    )))
}

/// Parse a selection and refuse it, before any work, if it asks for more cells than allowed.
pub fn checked_selection(t: &Table, q: &Params, max_cells: usize) -> Result<Selection, Problem> {
    let sel = samtalebank_pxweb::selection::parse(&t.meta, q)?;
    let n = sel.cells();
    if n > max_cells as u128 {
        return Err(Problem::new(
            403,
            "Too many cells selected",
            format!(
                "the selection asks for {n} cells; the limit is {max_cells}. Select fewer values."
            ),
        ));
    }
    Ok(sel)
}

fn attachment(content_type: &str, name: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn data(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    Path(id): Path<String>,
    Q(q): Q<Params>,
) -> ApiResult {
    let t = find_table(&rel, &id)?;
    let lang = Lang::parse(param(&q, "lang"));
    let format = param(&q, "outputFormat")
        .or(param(&q, "format"))
        .unwrap_or("json-stat2")
        .to_ascii_lowercase();
    if !matches!(format.as_str(), "json-stat2" | "jsonstat2" | "csv" | "xlsx") {
        return Err(Problem::bad_request(format!(
            "unknown outputFormat '{format}'; use json-stat2, csv or xlsx"
        ))
        .into());
    }
    let sel = checked_selection(t, &q, st.config.max_cells)?;
    Ok(match format.as_str() {
        "xlsx" => {
            let body = samtalebank_pxweb::xlsx::xlsx_data(t, &sel, lang)
                .map_err(|e| Problem::internal("Excel output failed", e))?;
            attachment(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                format!("{}.xlsx", t.meta.id),
                body,
            )
        }
        "csv" => {
            let o = CsvOptions::parse(param(&q, "outputFormatParams"));
            attachment(
                "text/csv; charset=utf-8",
                format!("{}.csv", t.meta.id),
                samtalebank_pxweb::csv::csv_data(t, &sel, lang, o),
            )
        }
        // The release headers come from the `pin_release` middleware.
        _ => json_response(jsonstat::jsonstat_data(t, &sel, lang, &rel.manifest.id)),
    })
}

/// PxWeb API v2 POST body: `{"selection": [{"variableCode": "tid", "valueCodes": ["2023"]}]}`.
#[derive(Deserialize)]
pub struct PostBody {
    #[serde(default)]
    selection: Vec<PostSelection>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostSelection {
    variable_code: String,
    #[serde(default)]
    value_codes: Vec<String>,
}

/// POST variant of [`data`]: the selection comes in the body, the output format in the query.
pub async fn data_post(
    st: State<Arc<AppState>>,
    rel: Extension<Arc<Release>>,
    id: Path<String>,
    Q(mut q): Q<Params>,
    body: axum::body::Bytes,
) -> ApiResult {
    let parsed: PostBody = serde_json::from_slice(&body).map_err(|e| {
        Problem::bad_request(format!("the request body is not a PxWeb selection: {e}"))
    })?;
    for s in parsed.selection {
        let key = format!("valuecodes[{}]", s.variable_code);
        q.retain(|(k, _)| !k.eq_ignore_ascii_case(&key));
        q.push((key, s.value_codes.join(",")));
    }
    data(st, rel, id, Q(q)).await
}

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

/// Anything else: problem+json under `/api/`, a web page elsewhere.
pub async fn not_found(uri: Uri, Q(q): Q<LangQuery>) -> Response {
    if uri.path().starts_with("/api/") {
        crate::error::ApiError(Problem::not_found(format!(
            "no such resource: {}",
            uri.path()
        )))
        .into_response()
    } else {
        crate::pages::html_status(
            axum::http::StatusCode::NOT_FOUND,
            samtalebank_web::not_found(q.lang(), uri.path()),
        )
    }
}
