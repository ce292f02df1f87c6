//! Parts several pages share: what the status symbols mean, the selection in words, the
//! downloads of a selection as readers open them, and the information panel of a table.

use maud::{html, Markup};
use samtalebank_model::Lang;
use samtalebank_pxweb::{DataLink, OutputFormat, Selection};
use samtalebank_release::TableMeta;

use crate::format::{date_words, day_words, period_words};
use crate::messages::msgs;

/// What the status symbols mean.
pub fn symbols(lang: Lang) -> Markup {
    let m = msgs(lang);
    html! {
        p.notes {
            strong { ".." } " = " (m.symbol_confidential) ". "
            strong { "." } " = " (m.symbol_not_yet) ". "
            strong { "-" } " = " (m.symbol_not_applicable) "."
        }
    }
}

/// The values of the selection's variables that have one value, and the measure if one, in
/// words: `Hele landet, Dagpenge, alle samtaletyper`. The variables with several values are
/// in the table's rows and columns.
pub fn selection_words(meta: &TableMeta, sel: &Selection, lang: Lang) -> String {
    let mut parts: Vec<String> = meta
        .dimensions
        .iter()
        .zip(&sel.dims)
        .filter(|(_, s)| s.len() == 1)
        .map(|(d, s)| {
            let c = &d.categories[s[0]];
            if d.is_time() {
                period_words(lang, &c.code)
            } else {
                c.label(lang).to_string()
            }
        })
        .collect();
    if sel.measures.len() == 1 {
        parts.push(meta.measures[sel.measures[0]].label(lang).to_string());
    }
    parts.join(", ")
}

/// The CSV a reader opens from a page: labels and a BOM; from a Danish page also semicolons and
/// decimal commas, as Danish Excel reads them.
pub fn csv_params(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::Da => &[
            "UseTexts",
            "SeparatorSemicolon",
            "DecimalComma",
            "IncludeBom",
        ],
        Lang::En => &["UseTexts", "IncludeBom"],
    }
}

/// The downloads of a selection, laid out as on the page: from a Danish page CSV with
/// semicolons, decimal commas, texts and a byte order mark (as Danish Excel opens it), from an
/// English one with commas and points; Excel with a title and the selection, notes and source;
/// PC-Axis; Parquet; JSON-stat.
pub fn downloads(meta: &TableMeta, sel: &Selection, lang: Lang) -> Markup {
    let m = msgs(lang);
    let link = |f: OutputFormat, p: &[&'static str]| {
        DataLink::new(meta, sel, lang)
            .format(f)
            .format_params(p)
            .url()
    };
    let csv = csv_params(lang);
    html! {
        div.links {
            h2 { (m.downloads) }
            p {
                a href=(link(OutputFormat::Csv, csv)) download { (m.download_csv_excel) } " · "
                a href=(link(OutputFormat::Xlsx, &["UseTexts", "IncludeTitle"])) download { (m.download_xlsx) } " · "
                a href=(link(OutputFormat::Px, &[])) download { (m.download_px) } " · "
                a href=(link(OutputFormat::Parquet, &[])) download { (m.download_parquet) } " · "
                a href=(link(OutputFormat::JsonStat2, &[])) { "JSON-stat" }
            }
        }
    }
}

/// The whole table for programs (the release's bulk files, served at `/api/v2/bulk/…`), when
/// the release has them.
pub fn bulk_files(meta: &TableMeta, lang: Lang) -> Markup {
    let m = msgs(lang);
    let has = |f: &str| meta.bulk.iter().any(|b| b == f);
    html! {
        @if has(samtalebank_release::BULK_PARQUET) || has(samtalebank_release::BULK_CSV_GZ) {
            p.bulk {
                (m.bulk_title) ": "
                @if has(samtalebank_release::BULK_PARQUET) {
                    a href={ "/api/v2/bulk/" (meta.id) ".parquet" } download { (m.download_parquet) }
                }
                @if has(samtalebank_release::BULK_PARQUET) && has(samtalebank_release::BULK_CSV_GZ) { " · " }
                @if has(samtalebank_release::BULK_CSV_GZ) {
                    a href={ "/api/v2/bulk/" (meta.id) ".csv.gz" } download { (m.bulk_csv) }
                }
            }
        }
    }
}

/// When the figures are next updated, how often, and whom to ask (from the release calendar;
/// nothing where it says nothing).
pub fn publication(p: &samtalebank_release::Publication, lang: Lang) -> Markup {
    let m = msgs(lang);
    html! {
        @if p.next_update.is_some() || p.update_frequency.is_some() {
            p.next-update {
                @if let Some(n) = &p.next_update { (m.next_update) ": " (date_words(lang, n)) ". " }
                @if let Some(f) = &p.update_frequency { (m.update_frequency) ": " (f) "." }
            }
        }
        @if let Some(c) = &p.contact {
            p.contact {
                (m.contact) ": "
                @for (i, part) in [&c.name, &c.organisation].into_iter().filter(|s| !s.trim().is_empty()).enumerate() {
                    @if i > 0 { ", " }
                    (part.trim())
                }
                @if !c.email.trim().is_empty() {
                    @if !c.name.trim().is_empty() || !c.organisation.trim().is_empty() { ", " }
                    a href={ "mailto:" (c.email.trim()) } { (c.email.trim()) }
                }
                @if !c.phone.trim().is_empty() { ", " (m.phone_prefix) (c.phone.trim()) }
                "."
            }
        }
    }
}

/// A table's information panel: the definitions of its measures, its notes, the symbols, when
/// it was updated and how far its data go, and its source.
pub fn info_panel(meta: &TableMeta, lang: Lang) -> Markup {
    let m = msgs(lang);
    html! {
        details.info open {
            summary { (m.information) }
            h2 { (m.definitions) }
            dl {
                @for me in &meta.measures {
                    dt { (me.label(lang)) }
                    dd { (m.unit) ": " (me.unit(lang)) ", " (me.decimals) " " (m.decimals) }
                }
            }
            h2 { (m.notes) }
            ul.notes { @for n in meta.notes(lang) { li { (n) } } }
            (symbols(lang))
            p {
                (m.updated) ": " (date_words(lang, &meta.updated)) ". "
                @if !meta.data_end.is_empty() { (m.data_to) " " (day_words(lang, &meta.data_end)) ". " }
                (m.source) ": " (meta.source(lang)) "."
            }
            (publication(&meta.publication, lang))
        }
    }
}
