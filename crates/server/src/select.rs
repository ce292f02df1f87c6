//! From a request's selection to an answer, shared by the data and saved-query handlers: the
//! table asked for, its codelists, the selection resolved and checked against the cell limit,
//! and the data rendered in a format (heavy answers off the async workers).

use std::sync::Arc;

use samtalebank_model::Lang;
use samtalebank_pxweb::{
    Codelist, FormatOptions, OutputFormat, Problem, Selection, VariablesSelection,
};
use samtalebank_release::{Release, Table};
use serde_json::json;

use crate::respond::{self, link, ApiResult};
use crate::state::AppState;

/// A table of the release by id (any case), or 404.
pub fn find_table<'a>(rel: &'a Release, id: &str) -> Result<&'a Table, Problem> {
    rel.table(id)
        .ok_or_else(|| Problem::not_found(format!("no table '{id}'; see /api/v2/tables")))
}

/// The codelists of a table's variables (with the saved municipality groups).
pub fn codelists(st: &AppState, rel: &Release, t: &Table) -> Vec<Codelist> {
    samtalebank_pxweb::codelist::for_table(&t.meta, &st.groups(rel))
}

/// Resolve a selection and refuse it, before any work, if it asks for more cells than allowed.
pub fn checked_selection(
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
    let sel = samtalebank_pxweb::selection::resolve(&t.meta, req, &lists)?;
    sel.check_cells(st.config.max_cells)?;
    Ok(sel)
}

/// A selection in value codes, with its `self` link (`defaultselection`, a saved query's
/// selection).
pub fn selection_answer(t: &Table, sel: &Selection, lang: Lang, self_href: String) -> ApiResult {
    let mut v = serde_json::to_value(sel.to_codes(&t.meta)).unwrap_or_default();
    v["language"] = json!(lang.code());
    v["links"] = json!([link("self", lang, self_href)]);
    Ok(respond::json(v))
}

/// Selections of more cells than this, and every Excel and Parquet answer, are rendered off
/// the async workers ([`AppState::offload`]).
const HEAVY_CELLS: u128 = 5_000;

/// Render a selection in a format as the response: small answers at once, heavy ones
/// (Excel, Parquet, large selections) off the async workers, a few at a time, so that a client
/// fetching them waits, not every other client.
pub async fn render(
    st: &AppState,
    rel: &Arc<Release>,
    t: &Table,
    sel: Selection,
    lang: Lang,
    format: OutputFormat,
    opts: &[impl AsRef<str>],
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
    Ok(respond::data(format, &t.meta.id, body))
}
