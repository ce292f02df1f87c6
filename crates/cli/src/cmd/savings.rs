//! What digital conversations save: the minister's technical calculation (docs/seeds/003),
//! rerun on a release's published SAMT01 counts, every assumption printed with the result.
//!
//! Usage: samtalebank savings --releases DIR --year 2023 [--area 000] [--scope 6m|all]
//!            [--scenario agreement|all-digital|observed|FILE] [--minutes 10-15]
//!            [--hourly-cost 430] [--format table|csv|json]
//!
//! FILE holds custom shares, one `ydelse;per cent` per line. The method is in docs/savings.md.

use std::path::PathBuf;

use samtalebank_analysis::savings::{self, Params, Scenario, Scope};

/// Compute the savings from digital conversations for a year and an area.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The releases directory; the current release is read.
    #[arg(long, default_value = "releases")]
    releases: PathBuf,
    /// The year (a year of the release).
    #[arg(long)]
    year: String,
    /// The area: 000 (the country), a region (1081–1085) or a municipality code.
    #[arg(long, default_value = savings::defaults::AREA)]
    area: String,
    /// Which conversations: 6m (spell at least 26 weeks old at the conversation) or all.
    #[arg(long, default_value = savings::defaults::SCOPE)]
    scope: String,
    /// Assumed digital shares: agreement, all-digital, observed, or a file of `ydelse;per cent`.
    #[arg(long, default_value = savings::defaults::SCENARIO)]
    scenario: String,
    /// Minutes saved per digital conversation, LOW-HIGH.
    #[arg(long, default_value = savings::defaults::MINUTES)]
    minutes: String,
    /// Cost of an hour of caseworker time, DKK.
    #[arg(long, default_value = savings::defaults::HOURLY_COST)]
    hourly_cost: String,
    /// Output: table (text), csv or json.
    #[arg(long, default_value = "table")]
    format: String,
}

/// A bad parameter: a usage error (exit 2).
fn usage(msg: String) -> ! {
    clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{msg}\n")).exit()
}

pub fn run(a: Args) -> super::Result {
    let scope = Scope::parse(&a.scope).unwrap_or_else(|e| usage(e.to_string()));
    let minutes = Params::parse_minutes(&a.minutes).unwrap_or_else(|e| usage(e.to_string()));
    let hourly_cost =
        Params::parse_hourly_cost(&a.hourly_cost).unwrap_or_else(|e| usage(e.to_string()));
    let scenario = match Scenario::parse_named(&a.scenario) {
        Some(s) => s,
        None => {
            let text = std::fs::read_to_string(&a.scenario).unwrap_or_else(|e| {
                usage(format!(
                    "--scenario '{}': not agreement, all-digital or observed, and not a readable file ({e})",
                    a.scenario
                ))
            });
            Scenario::parse_shares(&text, &a.scenario).unwrap_or_else(|e| usage(e.to_string()))
        }
    };
    if !matches!(a.format.as_str(), "table" | "csv" | "json") {
        usage(format!("--format '{}': use table, csv or json", a.format));
    }
    let rel = samtalebank_release::Release::open_current(&a.releases).map_err(|e| e.to_string())?;
    let p = Params {
        year: a.year,
        area: a.area,
        scope,
        scenario,
        minutes,
        hourly_cost,
    };
    let s = savings::compute(&rel, &p).unwrap_or_else(|e| usage(e.to_string()));
    match a.format.as_str() {
        "json" => println!(
            "{}",
            serde_json::to_string_pretty(&s).map_err(|e| e.to_string())?
        ),
        "csv" => print!("{}", s.to_csv()),
        _ => print!("{}", s.to_text()),
    }
    Ok(())
}
