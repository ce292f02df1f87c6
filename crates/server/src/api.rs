//! The PxWeb API 2.0 operations (config, tables, table, metadata, default selection, data by GET
//! and POST, codelists) and the OpenAPI document; saved queries are in `saved`, the benchmark
//! gap in `gap`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use samtalebank_model::{Lang, PeriodKind};
use samtalebank_pxweb::selection::resolve;
use samtalebank_pxweb::{
    jsonstat, Codelist, FormatOptions, OutputFormat, Problem, Selection, VariablesSelection,
};
use samtalebank_release::{Release, Table};
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

/// Every value of a parameter that may be repeated.
pub(crate) fn params_all(params: &Params, name: &str) -> Vec<String> {
    params
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
        .collect()
}

fn lang_of(params: &Params) -> Lang {
    Lang::parse(param(params, "lang"))
}

/// `?lang=` alone.
#[derive(Deserialize, Default)]
pub struct LangQuery {
    #[serde(default)]
    pub lang: Option<String>,
}

impl LangQuery {
    pub fn lang(&self) -> Lang {
        Lang::parse(self.lang.as_deref())
    }
}

pub(crate) fn json_response(v: serde_json::Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        v.to_string(),
    )
        .into_response()
}

pub(crate) fn link(rel: &str, lang: Lang, href: String) -> serde_json::Value {
    json!({"rel": rel, "hreflang": lang.code(), "href": href})
}

pub async fn config(State(st): State<Arc<AppState>>) -> Response {
    json_response(json!({
        "apiName": "Samtalebank PxWeb API",
        "apiVersion": "2.0.0",
        "appVersion": env!("CARGO_PKG_VERSION"),
        "languages": [{"id": "da", "label": "Dansk"}, {"id": "en", "label": "English"}],
        "defaultLanguage": "da",
        "maxDataCells": st.config.max_cells,
        "maxCallsPerTimeWindow": st.limiter.max_calls,
        "timeWindow": st.limiter.window.as_secs(),
        "license": "CC BY 4.0",
        "sourceReferences": [{"language": "da", "text": "Kilde: Samtalebank"}, {"language": "en", "text": "Source: Samtalebank"}],
        "defaultDataFormat": "json-stat2",
        "dataFormats": OutputFormat::ALL.map(|f| f.code()),
        "features": [],
    }))
}

fn time_unit(t: &Table) -> &'static str {
    let has = |k: PeriodKind| {
        t.meta
            .time()
            .is_some_and(|(_, d)| d.categories.iter().any(|c| PeriodKind::of(&c.code) == k))
    };
    if has(PeriodKind::Month) {
        "Monthly"
    } else if has(PeriodKind::Quarter) {
        "Quarterly"
    } else if has(PeriodKind::Year) {
        "Annual"
    } else {
        "Other"
    }
}

fn table_json(t: &Table, lang: Lang) -> serde_json::Value {
    let m = &t.meta;
    let base = format!("/api/v2/tables/{}", m.id);
    let l = lang.code();
    json!({
        "type": "Table",
        "id": m.id,
        "label": m.title(lang),
        "description": m.description(lang),
        "updated": m.updated,
        "firstPeriod": m.first_period(),
        "lastPeriod": m.last_period(),
        "category": "public",
        "discontinued": false,
        "source": m.source,
        "subjectCode": "SAMT",
        "timeUnit": time_unit(t),
        "paths": [[{"id": "SAMT", "label": lang.pick("Samtaler i jobcentrene", "Jobcentre conversations"), "sortCode": "1"}]],
        "variableNames": m.dimensions.iter().map(|d| d.label(lang)).chain([lang.pick("mål", "measure")]).collect::<Vec<_>>(),
        "links": [
            link("self", lang, format!("{base}?lang={l}")),
            link("metadata", lang, format!("{base}/metadata?lang={l}")),
            link("data", lang, format!("{base}/data?lang={l}")),
        ],
    })
}

/// A whole number parameter: absent → `default`; not a whole number at least 1 → 400.
fn positive(params: &Params, name: &str, default: usize) -> Result<usize, Problem> {
    match param(params, name) {
        None => Ok(default),
        Some(s) => s
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(|| {
                Problem::bad_request(format!(
                    "{name} must be a whole number at least 1, not '{s}'"
                ))
            }),
    }
}

/// Was the table updated within the last `days` days?
fn updated_within(t: &Table, days: usize) -> bool {
    // More days than a duration holds: every table.
    let Some(window) = i64::try_from(days)
        .ok()
        .and_then(chrono::Duration::try_days)
    else {
        return true;
    };
    chrono::DateTime::parse_from_rfc3339(&t.meta.updated)
        .is_ok_and(|u| chrono::Utc::now().signed_duration_since(u) <= window)
}

/// Long: The list's filters (query, pastDays, includeDiscontinued), paging and its links.
pub async fn tables(Extension(rel): Extension<Arc<Release>>, Q(q): Q<Params>) -> ApiResult {
    let lang = lang_of(&q);
    let search = param(&q, "query").unwrap_or_default().to_lowercase();
    let page_size = positive(&q, "pageSize", 20)?.min(1000);
    let page = positive(&q, "pageNumber", 1)?;
    let past_days = match param(&q, "pastDays") {
        Some(_) => Some(positive(&q, "pastDays", 1)?),
        None => None,
    };
    if let Some(s) = param(&q, "includeDiscontinued") {
        // No table of this bank is discontinued: either value lists them all.
        if !s.eq_ignore_ascii_case("true") && !s.eq_ignore_ascii_case("false") {
            return Err(Problem::bad_request(format!(
                "includeDiscontinued must be true or false, not '{s}'"
            ))
            .into());
        }
    }
    let hits: Vec<&Table> = rel
        .tables
        .iter()
        .filter(|t| {
            search.is_empty()
                || search.split_whitespace().all(|word| {
                    [
                        &t.meta.id,
                        &t.meta.title_da,
                        &t.meta.title_en,
                        &t.meta.description_da,
                        &t.meta.description_en,
                    ]
                    .iter()
                    .any(|s| s.to_lowercase().contains(word))
                })
        })
        .filter(|t| past_days.is_none_or(|d| updated_within(t, d)))
        .collect();
    let total = hits.len();
    let pages = total.div_ceil(page_size).max(1);
    if page > pages {
        return Err(Problem::not_found(format!(
            "page {page} is past the last page ({pages}) of {total} tables"
        ))
        .into());
    }
    let items: Vec<serde_json::Value> = hits
        .iter()
        .skip((page - 1) * page_size)
        .take(page_size)
        .map(|t| table_json(t, lang))
        .collect();
    let page_href = |n: usize| {
        let mut h = format!(
            "/api/v2/tables?lang={}&pageNumber={n}&pageSize={page_size}",
            lang.code()
        );
        if !search.is_empty() {
            h.push_str("&query=");
            h.extend(form_urlencoded::byte_serialize(search.as_bytes()));
        }
        if let Some(d) = past_days {
            h.push_str(&format!("&pastDays={d}"));
        }
        h
    };
    let mut links = vec![link("self", lang, page_href(page))];
    if page > 1 {
        links.push(link("previous", lang, page_href(page - 1)));
    }
    if page < pages {
        links.push(link("next", lang, page_href(page + 1)));
    }
    links.push(link("first", lang, page_href(1)));
    links.push(link("last", lang, page_href(pages)));
    Ok(json_response(json!({
        "language": lang.code(),
        "tables": items,
        "page": {"pageNumber": page, "pageSize": page_size, "totalElements": total, "totalPages": pages, "links": links},
        "links": [link("self", lang, page_href(page))],
    })))
}

pub(crate) fn find_table<'a>(rel: &'a Release, id: &str) -> Result<&'a Table, Problem> {
    rel.table(id)
        .ok_or_else(|| Problem::not_found(format!("no table '{id}'; see /api/v2/tables")))
}

pub async fn table(
    Extension(rel): Extension<Arc<Release>>,
    Path(id): Path<String>,
    Q(q): Q<LangQuery>,
) -> ApiResult {
    let lang = q.lang();
    let mut t = table_json(find_table(&rel, &id)?, lang);
    t["language"] = json!(lang.code());
    Ok(json_response(t))
}

/// The codelists of a table's variables (with the saved municipality groups).
fn codelists(st: &AppState, rel: &Release, t: &Table) -> Vec<Codelist> {
    samtalebank_pxweb::codelist::for_table(&t.meta, &st.groups(rel))
}

/// `GET /tables/{id}/metadata`: JSON-stat 2.0 without values; with `codelist[VAR]`,
/// `defaultSelection=true` or `savedQuery=ID` the variables list only the values those select.
pub async fn metadata(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    Path(id): Path<String>,
    Q(q): Q<Params>,
) -> ApiResult {
    let t = find_table(&rel, &id)?;
    let lang = lang_of(&q);
    let lists = codelists(&st, &rel, t);
    let req = VariablesSelection::from_query(&q);
    let saved_sel = match param(&q, "savedQuery").filter(|s| !s.is_empty()) {
        Some(sid) => Some(crate::saved::load_saved_for(&st, sid, &t.meta.id)?.selection),
        None => None,
    };
    let default = param(&q, "defaultSelection").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let sel = if let Some(s) = saved_sel {
        Some(resolve(&t.meta, &s, &lists)?)
    } else if default {
        Some(resolve(&t.meta, &VariablesSelection::default(), &lists)?)
    } else if req.selection.iter().any(|s| s.codelist.is_some()) {
        // Only the codelists narrow the metadata: value codes are not a metadata parameter.
        let mut only_lists = req.clone();
        only_lists.selection.retain(|s| s.codelist.is_some());
        for s in &mut only_lists.selection {
            s.value_codes.clear();
        }
        let mut sel = resolve(&t.meta, &only_lists, &lists)?;
        for (i, s) in sel.dims.iter_mut().enumerate() {
            let d = &t.meta.dimensions[i];
            if !only_lists
                .selection
                .iter()
                .any(|v| v.variable_code.eq_ignore_ascii_case(&d.id))
            {
                *s = (0..d.categories.len()).collect();
            }
        }
        Some(sel)
    } else {
        None
    };
    Ok(json_response(jsonstat::jsonstat_meta(
        &t.meta,
        sel.as_ref(),
        lang,
        &rel.manifest.id,
        &lists,
    )))
}

pub(crate) fn selection_response(
    t: &Table,
    sel: &Selection,
    lang: Lang,
    self_href: String,
) -> Response {
    let mut v = serde_json::to_value(sel.to_codes(&t.meta)).unwrap_or_default();
    v["language"] = json!(lang.code());
    v["links"] = json!([link("self", lang, self_href)]);
    json_response(v)
}

/// `GET /tables/{id}/defaultselection`: what `…/data` gives without a selection, in codes.
pub async fn default_selection(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    Path(id): Path<String>,
    Q(q): Q<LangQuery>,
) -> ApiResult {
    let t = find_table(&rel, &id)?;
    let lang = q.lang();
    let sel = resolve(
        &t.meta,
        &VariablesSelection::default(),
        &codelists(&st, &rel, t),
    )?;
    Ok(selection_response(
        t,
        &sel,
        lang,
        format!(
            "/api/v2/tables/{}/defaultselection?lang={}",
            t.meta.id,
            lang.code()
        ),
    ))
}

/// Resolve a selection and refuse it, before any work, if it asks for more cells than allowed.
pub(crate) fn checked_selection(
    st: &AppState,
    rel: &Release,
    t: &Table,
    req: &VariablesSelection,
) -> Result<Selection, Problem> {
    // The codelists (with the saved groups) only when the request names one.
    let lists = if req.selection.iter().any(|s| s.codelist.is_some()) {
        codelists(st, rel, t)
    } else {
        Vec::new()
    };
    let sel = resolve(&t.meta, req, &lists)?;
    sel.check_cells(st.config.max_cells)?;
    Ok(sel)
}

/// Selections of more cells than this, and every Excel and Parquet answer, are rendered off
/// the async workers ([`AppState::offload`]).
const HEAVY_CELLS: u128 = 5_000;

/// Render a selection in a format as the response: small answers at once, heavy ones
/// (Excel, Parquet, large selections) off the async workers, a few at a time, so that a client
/// fetching them waits, not every other client.
pub(crate) async fn render(
    st: &AppState,
    rel: &Arc<Release>,
    t: &Table,
    sel: Selection,
    lang: Lang,
    format: OutputFormat,
    opts: &[String],
) -> ApiResult {
    let o = FormatOptions::parse(format, opts)?;
    let heavy =
        matches!(format, OutputFormat::Xlsx | OutputFormat::Parquet) || sel.cells() > HEAVY_CELLS;
    let body = match rel.tables.iter().position(|x| std::ptr::eq(x, t)) {
        Some(ti) if heavy => {
            let rel = rel.clone();
            st.offload(move || {
                samtalebank_pxweb::render(&rel.tables[ti], &sel, lang, format, o, &rel.manifest.id)
            })
            .await??
        }
        _ => samtalebank_pxweb::render(t, &sel, lang, format, o, &rel.manifest.id)?,
    };
    let mut r = ([(header::CONTENT_TYPE, format.content_type())], body).into_response();
    if !matches!(format, OutputFormat::JsonStat2 | OutputFormat::JsonPx) {
        let disposition = if format == OutputFormat::Html {
            "inline"
        } else {
            "attachment"
        };
        if let Ok(v) = header::HeaderValue::from_str(&format!(
            "{disposition}; filename=\"{}.{}\"",
            t.meta.id,
            format.extension()
        )) {
            r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(r)
}

fn format_of(q: &Params) -> Result<OutputFormat, Problem> {
    param(q, "outputFormat")
        .or(param(q, "format"))
        .filter(|s| !s.is_empty())
        .map_or(Ok(OutputFormat::JsonStat2), OutputFormat::parse)
}

/// `GET /tables/{id}/data`: `valuecodes[VAR]`, `codelist[VAR]`, `heading`, `stub`,
/// `outputFormat`, `outputFormatParams`; no selection is the default selection.
pub async fn data(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    Path(id): Path<String>,
    Q(q): Q<Params>,
) -> ApiResult {
    let req = VariablesSelection::from_query(&q);
    answer_data(&st, &rel, &id, &q, &req).await
}

/// The data of a table for a selection, in the format and language the query asks for.
async fn answer_data(
    st: &AppState,
    rel: &Arc<Release>,
    id: &str,
    q: &Params,
    req: &VariablesSelection,
) -> ApiResult {
    let t = find_table(rel, id)?;
    let format = format_of(q)?;
    let sel = checked_selection(st, rel, t, req)?;
    render(
        st,
        rel,
        t,
        sel,
        lang_of(q),
        format,
        &params_all(q, "outputFormatParams"),
    )
    .await
}

/// `POST /tables/{id}/data`: the selection (and placement) in the body, the output format in
/// the query; an empty body is the default selection.
pub async fn data_post(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    Path(id): Path<String>,
    Q(q): Q<Params>,
    body: Bytes,
) -> ApiResult {
    let req: VariablesSelection = if body.iter().all(u8::is_ascii_whitespace) {
        VariablesSelection::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            Problem::bad_request(format!("the request body is not a PxWeb selection: {e}"))
        })?
    };
    answer_data(&st, &rel, &id, &q, &req).await
}

/// `GET /codelists/{id}`.
pub async fn codelist(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    Path(id): Path<String>,
    Q(q): Q<LangQuery>,
) -> ApiResult {
    let groups = st.groups(&rel);
    for t in &rel.tables {
        if let Some(c) = samtalebank_pxweb::codelist::for_table(&t.meta, &groups)
            .into_iter()
            .find(|c| c.id.eq_ignore_ascii_case(&id))
        {
            return Ok(json_response(c.response_json(&t.meta, q.lang())));
        }
    }
    Err(Problem::not_found(format!(
        "no codelist '{id}'; a variable's codelists are in its table's metadata (extension.codelists)"
    ))
    .into())
}

/// `GET /api/v2/openapi.json`: the PxWeb API 2.0 specification with this server's own
/// endpoints added.
pub async fn openapi() -> Response {
    json_response(serde_json::from_str(include_str!("../data/openapi.json")).unwrap_or_default())
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
