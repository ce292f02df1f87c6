//! A table of a release on the terminal or in a file, selected as with the API.
//!
//! Usage: samtalebank query TABLE [VAR=EXPR ...] [--releases DIR] [--release ID]
//!            [--format table|csv|xlsx|parquet|px|html|json-stat2|json-px|sdmx-csv] [--out FILE] [--lang da|en]
//!
//! Example: samtalebank query SAMT01 omraade=730 tid='TOP(24)' samtaleform='*' --format csv
//!
//! The expressions are the API's (`*`, `2023M*`, `TOP(n[,offset])`, `BOTTOM`, `FROM`, `TO`,
//! `RANGE`, `[a,b]`); `codelist[VAR]=ID`, `heading=VARS` and `stub=VARS` too. A variable not
//! named takes its total (time: every year).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use samtalebank_pxweb::OutputFormat;

/// Print or write a selection of a table, selected as with the API.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The table's id (SAMT01, SAMT02, SAMT03, BENCH01, SURV01).
    table: String,
    /// Selections as `VAR=EXPR` (`omraade=730`, `tid=TOP(24)`, `samtaleform=*`), `codelist[VAR]=ID`,
    /// `heading=VARS` or `stub=VARS`.
    selection: Vec<String>,
    /// The releases directory.
    #[arg(long, default_value = "releases")]
    releases: PathBuf,
    /// The release's id; the current release if not given.
    #[arg(long, default_value = "current")]
    release: String,
    /// Output format; `table` is aligned text for the terminal.
    #[arg(long, default_value = "table")]
    format: String,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Language of texts.
    #[arg(long, value_enum, default_value_t = samtalebank_model::Lang::Da)]
    lang: samtalebank_model::Lang,
    /// Largest number of cells to output.
    #[arg(long, default_value_t = 10 * samtalebank_model::defaults::MAX_CELLS)]
    max_cells: usize,
}

pub fn run(a: Args) -> super::Result {
    let format = match a.format.to_ascii_lowercase().as_str() {
        "table" | "text" => None,
        f => Some(OutputFormat::parse(f).map_err(|p| format!("--format: {p}, or table"))?),
    };
    let pairs = a
        .selection
        .iter()
        .map(|s| {
            s.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .ok_or_else(|| format!("'{s}': expected VAR=EXPR, like omraade=730 or tid=TOP(24)"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let rel = samtalebank_release::Release::open_id(&a.releases, &a.release)
        .map_err(|e| e.to_string())?;
    let body = samtalebank_pxweb::query(&rel, &a.table, &pairs, format, a.lang, a.max_cells)
        .map_err(|p| p.detail)?;
    let binary = matches!(format, Some(OutputFormat::Xlsx | OutputFormat::Parquet));
    match &a.out {
        Some(path) => {
            std::fs::write(path, &body).map_err(|e| format!("{}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None if binary && std::io::stdout().is_terminal() => {
            return Err(format!(
                "{} is binary: give --out FILE, or redirect standard output",
                a.format
            )
            .into())
        }
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (| head) is not an error.
            let _ = out.write_all(&body).and_then(|()| out.flush());
        }
    }
    Ok(())
}
