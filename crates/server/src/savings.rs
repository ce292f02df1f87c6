//! `GET /api/v2/savings`: the savings calculator (docs/savings.md) over the current release, as
//! JSON (the same object as `samtalebank savings --format json`) or CSV.

use std::sync::Arc;

use axum::extract::Extension;
use axum::http::header;
use axum::response::IntoResponse;
use samtalebank_analysis::savings::{self, Params, Scenario, Scope};
use samtalebank_pxweb::Problem;
use samtalebank_release::Release;

use crate::api::{json_response, param, Params as Query};
use crate::error::{ApiResult, Q};

/// The calculation's parameters from a query: `year` (required), `area`, `scope`, `scenario`
/// (`agreement`, `all-digital`, `observed`, or `custom` with `shares=code:pct,…`), `minutes`,
/// `hourlyCost`.
pub fn params(q: &Query) -> Result<Params, Problem> {
    let bad = |s: String| Problem::bad_request(s);
    let year = param(q, "year")
        .ok_or_else(|| bad("give year, e.g. year=2023".into()))?
        .to_string();
    let scope = Scope::parse(param(q, "scope").unwrap_or("6m")).map_err(bad)?;
    let minutes = Params::parse_minutes(param(q, "minutes").unwrap_or("10-15")).map_err(bad)?;
    let scenario = match param(q, "scenario").unwrap_or("agreement") {
        s if s.eq_ignore_ascii_case("custom") => Scenario::parse_shares(
            param(q, "shares")
                .ok_or_else(|| bad("scenario=custom needs shares=code:pct,…".into()))?,
            "shares",
        )
        .map_err(bad)?,
        s => Scenario::parse_named(s).ok_or_else(|| {
            bad(format!(
                "scenario '{s}': use agreement, all-digital, observed or custom (with shares)"
            ))
        })?,
    };
    let hourly_cost = match param(q, "hourlyCost") {
        Some(s) => Params::parse_hourly_cost(s).map_err(bad)?,
        None => savings::DEFAULT_HOURLY_COST,
    };
    Ok(Params {
        year,
        area: param(q, "area").unwrap_or("000").to_string(),
        scope,
        scenario,
        minutes,
        hourly_cost,
    })
}

pub async fn savings(Extension(rel): Extension<Arc<Release>>, Q(q): Q<Query>) -> ApiResult {
    let p = params(&q)?;
    let s = savings::compute(&rel, &p).map_err(Problem::bad_request)?;
    if param(&q, "outputFormat").is_some_and(|f| f.eq_ignore_ascii_case("csv")) {
        return Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            s.to_csv(),
        )
            .into_response());
    }
    Ok(json_response(serde_json::to_value(&s).unwrap_or_default()))
}
