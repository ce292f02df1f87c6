//! The PxWeb API 2.0's table operations: config, tables (search, paging), table, metadata
//! (JSON-stat 2.0), default selection, data by GET and POST, codelists; the OpenAPI document;
//! and the API's 404.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use samtalebank_model::{Lang, PeriodKind};
use samtalebank_pxweb::selection::resolve;
use samtalebank_pxweb::{jsonstat, OutputFormat, Params, Problem, VariablesSelection};
use samtalebank_release::{Release, Table};
use serde_json::json;

use crate::respond::{self, json, link, ApiResult, Q};
use crate::saved_store;
use crate::select::{checked_selection, codelists, find_table, render, selection_answer};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v2/config", get(config))
        .route("/api/v2/tables", get(tables))
        .route("/api/v2/tables/{id}", get(table))
        .route("/api/v2/tables/{id}/metadata", get(metadata))
        .route(
            "/api/v2/tables/{id}/defaultselection",
            get(default_selection),
        )
        .route("/api/v2/tables/{id}/data", get(data).post(data_post))
        .route("/api/v2/codelists/{id}", get(codelist))
        .route("/api/v2/openapi.json", get(openapi))
}

pub async fn config(State(st): State<Arc<AppState>>) -> Response {
    json(json!({
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
    // The release calendar, as in the metadata's extension (the table object of the
    // specification has no field of its own for it).
    let mut px = json!({});
    samtalebank_pxweb::jsonstat::publication_px(&m.publication, &mut px);
    let mut extension = json!({"px": px});
    if let Some(c) = &m.publication.contact {
        extension["contact"] = samtalebank_pxweb::jsonstat::contact_json(c);
    }
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
        "paths": [[{"id": "SAMT", "label": samtalebank_pxweb::labels(lang).subject, "sortCode": "1"}]],
        "variableNames": m.dimensions.iter().map(|d| d.label(lang)).chain([samtalebank_pxweb::labels(lang).measure_var]).collect::<Vec<_>>(),
        "links": [
            link("self", lang, format!("{base}?lang={l}")),
            link("metadata", lang, format!("{base}/metadata?lang={l}")),
            link("data", lang, format!("{base}/data?lang={l}")),
        ],
        "extension": extension,
    })
}

/// A whole number parameter: absent → `default`; not a whole number at least 1 → 400.
fn positive(params: &Params, name: &str, default: usize) -> Result<usize, Problem> {
    match params.get(name) {
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
    let lang = q.lang();
    let search = q.get("query").unwrap_or_default().to_lowercase();
    let page_size = positive(&q, "pageSize", 20)?.min(1000);
    let page = positive(&q, "pageNumber", 1)?;
    let past_days = match q.get("pastDays") {
        Some(_) => Some(positive(&q, "pastDays", 1)?),
        None => None,
    };
    if let Some(s) = q.get("includeDiscontinued") {
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
    Ok(json(json!({
        "language": lang.code(),
        "tables": items,
        "page": {"pageNumber": page, "pageSize": page_size, "totalElements": total, "totalPages": pages, "links": links},
        "links": [link("self", lang, page_href(page))],
    })))
}

pub async fn table(
    Extension(rel): Extension<Arc<Release>>,
    Path(id): Path<String>,
    Q(q): Q<Params>,
) -> ApiResult {
    let lang = q.lang();
    let mut t = table_json(find_table(&rel, &id)?, lang);
    t["language"] = json!(lang.code());
    Ok(json(t))
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
    let lang = q.lang();
    let lists = codelists(&st, &rel, t);
    let req = VariablesSelection::from_query(&q);
    let saved_sel = match q.get("savedQuery").filter(|s| !s.is_empty()) {
        Some(sid) => {
            Some(saved_store::load_saved_for(&st.config.releases, sid, &t.meta.id)?.selection)
        }
        None => None,
    };
    let default = q
        .get("defaultSelection")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
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
    Ok(json(jsonstat::jsonstat_meta(
        &t.meta,
        sel.as_ref(),
        lang,
        &rel.manifest.id,
        &lists,
    )))
}

/// `GET /tables/{id}/defaultselection`: what `…/data` gives without a selection, in codes.
pub async fn default_selection(
    State(st): State<Arc<AppState>>,
    Extension(rel): Extension<Arc<Release>>,
    Path(id): Path<String>,
    Q(q): Q<Params>,
) -> ApiResult {
    let t = find_table(&rel, &id)?;
    let lang = q.lang();
    let sel = resolve(
        &t.meta,
        &VariablesSelection::default(),
        &codelists(&st, &rel, t),
    )?;
    selection_answer(
        t,
        &sel,
        lang,
        format!(
            "/api/v2/tables/{}/defaultselection?lang={}",
            t.meta.id,
            lang.code()
        ),
    )
}

fn format_of(q: &Params) -> Result<OutputFormat, Problem> {
    q.get("outputFormat")
        .or(q.get("format"))
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
        q.lang(),
        format,
        &q.all("outputFormatParams"),
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
    Q(q): Q<Params>,
) -> ApiResult {
    let groups = st.groups(&rel);
    for t in &rel.tables {
        if let Some(c) = samtalebank_pxweb::codelist::for_table(&t.meta, &groups)
            .into_iter()
            .find(|c| c.id.eq_ignore_ascii_case(&id))
        {
            return Ok(json(c.response_json(&t.meta, q.lang())));
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
    json(serde_json::from_str(include_str!("../../data/openapi.json")).unwrap_or_default())
}

/// Anything else: problem+json under `/api/`, a web page elsewhere.
pub async fn not_found(uri: Uri, Q(q): Q<Params>) -> Response {
    if uri.path().starts_with("/api/") {
        respond::ApiError(Problem::not_found(format!(
            "no such resource: {}",
            uri.path()
        )))
        .into_response()
    } else {
        respond::html(
            axum::http::StatusCode::NOT_FOUND,
            samtalebank_web::not_found(q.lang(), uri.path()),
        )
    }
}
