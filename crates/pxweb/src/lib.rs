//! PxWeb API 2.0 over a release: selections as the API expresses them, codelists, problems
//! (errors), and the output formats (JSON-stat 2.0, CSV, Excel, HTML, Parquet, PC-Axis and
//! json-px). The HTTP server and the command line (`query`) share it, so a selection means the
//! same everywhere.

mod cells;
pub mod codelist;
pub mod csv;
pub mod format;
pub mod html;
pub mod jsonpx;
pub mod jsonstat;
pub mod labels;
pub mod params;
pub mod parquet;
mod problem;
pub mod px;
pub mod sdmx;
pub mod selection;
pub mod text;
pub mod xlsx;

pub use cells::{for_each_cell, for_each_combination, format_value, round};
pub use codelist::Codelist;
pub use format::{FormatOptions, OutputFormat};
pub use labels::{labels, Labels};
pub use params::{DataLink, Params};
pub use problem::Problem;
pub use selection::{Selection, VariablesSelection};

use samtalebank_model::Lang;
use samtalebank_release::Table;

/// A table's title with its selection: the title, then the value of every variable (and the
/// measure) with one value chosen, `Samtaler efter samtaleform: Hele landet, Dagpenge`.
pub fn selection_title(
    meta: &samtalebank_release::TableMeta,
    sel: &Selection,
    lang: Lang,
) -> String {
    let mut parts: Vec<&str> = meta
        .dimensions
        .iter()
        .zip(&sel.dims)
        .filter(|(_, s)| s.len() == 1)
        .map(|(d, s)| d.categories[s[0]].label(lang))
        .collect();
    if sel.measures.len() == 1 {
        parts.push(meta.measures[sel.measures[0]].label(lang));
    }
    if parts.is_empty() {
        meta.title(lang).to_string()
    } else {
        format!("{}: {}", meta.title(lang), parts.join(", "))
    }
}

/// The body of a data response in `format`.
pub fn render(
    table: &Table,
    sel: &Selection,
    lang: Lang,
    format: OutputFormat,
    o: FormatOptions,
    release: &str,
) -> Result<Vec<u8>, Problem> {
    Ok(match format {
        OutputFormat::JsonStat2 => jsonstat::jsonstat_data(table, sel, lang, release)
            .to_string()
            .into_bytes(),
        OutputFormat::JsonPx => jsonpx::json_px_data(table, sel, lang)
            .to_string()
            .into_bytes(),
        OutputFormat::Csv => csv::csv_data(table, sel, lang, o),
        OutputFormat::Html => html::html_data(table, sel, lang, o),
        OutputFormat::Px => px::px_data(table, sel, lang),
        OutputFormat::Xlsx => xlsx::xlsx_data(table, sel, lang, o)?,
        OutputFormat::Parquet => parquet::parquet_data(table, sel)?,
        OutputFormat::SdmxCsv => sdmx::sdmx_csv_data(table, sel),
    })
}

/// `samtalebank query`: a table of a release, a selection written as the API's (`VAR=EXPR`
/// pairs: `omraade=730`, `tid=TOP(24)`, `codelist[omraade]=vs_kommune`), in a format (or
/// `None` for the terminal's text table), refused beyond `max_cells` cells.
pub fn query(
    release: &samtalebank_release::Release,
    table: &str,
    pairs: &[(String, String)],
    format: Option<OutputFormat>,
    lang: Lang,
    max_cells: usize,
) -> Result<Vec<u8>, Problem> {
    let t = release.table(table).ok_or_else(|| {
        Problem::not_found(format!(
            "no table '{table}' in release {}; it has {}",
            release.manifest.id,
            release
                .tables
                .iter()
                .map(|t| t.meta.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let params: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| {
            let is_param = k.contains('[')
                || ["heading", "stub"]
                    .iter()
                    .any(|p| k.eq_ignore_ascii_case(p));
            let key = if is_param {
                k.clone()
            } else {
                format!("valuecodes[{k}]")
            };
            (key, v.clone())
        })
        .collect();
    let req = VariablesSelection::from_query(&params);
    let sel = selection::resolve(&t.meta, &req, &codelist::for_table(&t.meta, &[]))?;
    sel.check_cells(max_cells)?;
    match format {
        None => Ok(text::text_table(t, &sel, lang).into_bytes()),
        Some(f) => render(
            t,
            &sel,
            lang,
            f,
            FormatOptions::defaults(f),
            &release.manifest.id,
        ),
    }
}
