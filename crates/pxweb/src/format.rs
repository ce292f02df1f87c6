//! The output formats of the data endpoints and their `outputFormatParams`, checked as the
//! specification gives them: `UseCodes`, `UseTexts`, `UseCodesAndTexts` and `IncludeTitle` for
//! csv, html and xlsx; `SeparatorTab`, `SeparatorSpace`, `SeparatorSemicolon` for csv; none for
//! the others. Our extensions, for csv only: `SeparatorComma` (the default), `DecimalComma`
//! (a decimal comma, as Danish Excel reads numbers) and `IncludeBom` (a UTF-8 byte order mark,
//! so that Excel opens the file as UTF-8). A parameter a format does not take is a 400.

use crate::problem::Problem;

/// An output format of `…/data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    JsonStat2,
    Csv,
    Xlsx,
    Html,
    Parquet,
    Px,
    JsonPx,
    /// SDMX-CSV 2.0 (`sdmx-csv`).
    SdmxCsv,
}

impl OutputFormat {
    pub const ALL: [OutputFormat; 8] = [
        OutputFormat::JsonStat2,
        OutputFormat::Csv,
        OutputFormat::Xlsx,
        OutputFormat::Html,
        OutputFormat::Parquet,
        OutputFormat::Px,
        OutputFormat::JsonPx,
        OutputFormat::SdmxCsv,
    ];

    /// The format's name in `outputFormat`.
    pub fn code(self) -> &'static str {
        match self {
            OutputFormat::JsonStat2 => "json-stat2",
            OutputFormat::Csv => "csv",
            OutputFormat::Xlsx => "xlsx",
            OutputFormat::Html => "html",
            OutputFormat::Parquet => "parquet",
            OutputFormat::Px => "px",
            OutputFormat::JsonPx => "json-px",
            OutputFormat::SdmxCsv => "sdmx-csv",
        }
    }

    /// `outputFormat` (any case; `jsonstat2` too).
    pub fn parse(s: &str) -> Result<OutputFormat, Problem> {
        let l = s.trim().to_ascii_lowercase();
        if l == "jsonstat2" {
            return Ok(OutputFormat::JsonStat2);
        }
        OutputFormat::ALL
            .into_iter()
            .find(|f| f.code() == l)
            .ok_or_else(|| {
                Problem::bad_request(format!(
                    "unknown outputFormat '{s}'; use one of {}",
                    OutputFormat::ALL.map(|f| f.code()).join(", ")
                ))
            })
    }

    pub fn content_type(self) -> &'static str {
        match self {
            OutputFormat::JsonStat2 | OutputFormat::JsonPx => "application/json; charset=utf-8",
            OutputFormat::Csv => "text/csv; charset=utf-8",
            OutputFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            OutputFormat::Html => "text/html; charset=utf-8",
            OutputFormat::Parquet => "application/octet-stream",
            OutputFormat::Px => "text/plain; charset=utf-8",
            OutputFormat::SdmxCsv => "application/vnd.sdmx.data+csv; version=2.0.0",
        }
    }

    /// How an answer in this format is sent: `Some("attachment")` (a download), `Some("inline")`
    /// (shown in the browser, with a file name for saving), or `None` (read by programs).
    pub fn disposition(self) -> Option<&'static str> {
        match self {
            OutputFormat::JsonStat2 | OutputFormat::JsonPx => None,
            OutputFormat::Html => Some("inline"),
            _ => Some("attachment"),
        }
    }

    /// The file name extension of a download.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::JsonStat2 | OutputFormat::JsonPx => "json",
            OutputFormat::Csv | OutputFormat::SdmxCsv => "csv",
            OutputFormat::Xlsx => "xlsx",
            OutputFormat::Html => "html",
            OutputFormat::Parquet => "parquet",
            OutputFormat::Px => "px",
        }
    }

    /// Tabular formats place variables in a heading and a stub.
    pub fn tabular(self) -> bool {
        matches!(
            self,
            OutputFormat::Csv | OutputFormat::Xlsx | OutputFormat::Html | OutputFormat::Px
        )
    }
}

/// What `outputFormatParams` asked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FormatOptions {
    /// Variables and values by their codes.
    pub codes: bool,
    /// Variables and values by their texts.
    pub texts: bool,
    /// A title first.
    pub title: bool,
    pub separator: u8,
    pub decimal_comma: bool,
    pub bom: bool,
}

const LABELS: [&str; 3] = ["UseCodes", "UseTexts", "UseCodesAndTexts"];
const SEPARATORS: [&str; 4] = [
    "SeparatorTab",
    "SeparatorSpace",
    "SeparatorSemicolon",
    "SeparatorComma",
];

impl FormatOptions {
    /// A format's options when no `outputFormatParams` are given.
    pub fn defaults(format: OutputFormat) -> FormatOptions {
        FormatOptions {
            codes: true,
            texts: matches!(format, OutputFormat::Xlsx | OutputFormat::Html),
            title: false,
            separator: b',',
            decimal_comma: false,
            bom: false,
        }
    }

    /// Parse and check `outputFormatParams` (each given once or comma-separated) for `format`.
    /// Default labels: codes in csv; codes and texts in xlsx and html.
    pub fn parse<S: AsRef<str>>(
        format: OutputFormat,
        params: &[S],
    ) -> Result<FormatOptions, Problem> {
        let mut o = FormatOptions::defaults(format);
        let (mut label, mut sep): (Option<&str>, Option<&str>) = (None, None);
        let items = params
            .iter()
            .flat_map(|p| p.as_ref().split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty());
        for p in items {
            let known = LABELS
                .iter()
                .chain(&SEPARATORS)
                .chain(&["IncludeTitle", "DecimalComma", "IncludeBom"])
                .find(|k| k.eq_ignore_ascii_case(p))
                .copied()
                .ok_or_else(|| {
                    Problem::bad_request(format!(
                        "unknown outputFormatParams '{p}'; the parameters are UseCodes, UseTexts, UseCodesAndTexts, IncludeTitle, SeparatorTab, SeparatorSpace, SeparatorSemicolon (and our SeparatorComma, DecimalComma, IncludeBom for csv)"
                    ))
                })?;
            let takes = match known {
                "UseCodes" | "UseTexts" | "UseCodesAndTexts" | "IncludeTitle" => matches!(
                    format,
                    OutputFormat::Csv | OutputFormat::Html | OutputFormat::Xlsx
                ),
                _ => format == OutputFormat::Csv,
            };
            if !takes {
                return Err(Problem::bad_request(format!(
                    "outputFormat {} takes no parameter {known}",
                    format.code()
                )));
            }
            let slot = if LABELS.contains(&known) {
                Some(&mut label)
            } else if SEPARATORS.contains(&known) {
                Some(&mut sep)
            } else {
                None
            };
            if let Some(slot) = slot {
                if let Some(prev) = slot.filter(|prev| *prev != known) {
                    return Err(Problem::bad_request(format!(
                        "outputFormatParams {prev} and {known} cannot be combined"
                    )));
                }
                *slot = Some(known);
            }
            match known {
                "UseCodes" => (o.codes, o.texts) = (true, false),
                "UseTexts" => (o.codes, o.texts) = (false, true),
                "UseCodesAndTexts" => (o.codes, o.texts) = (true, true),
                "IncludeTitle" => o.title = true,
                "SeparatorTab" => o.separator = b'\t',
                "SeparatorSpace" => o.separator = b' ',
                "SeparatorSemicolon" => o.separator = b';',
                "SeparatorComma" => o.separator = b',',
                "DecimalComma" => o.decimal_comma = true,
                _ => o.bom = true,
            }
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(f: OutputFormat, s: &str) -> Result<FormatOptions, Problem> {
        FormatOptions::parse(f, &[s.to_string()])
    }

    #[test]
    fn parameters_are_checked_per_format() {
        let o = p(OutputFormat::Csv, "UseTexts,SeparatorSemicolon,IncludeBom").unwrap();
        assert!(!o.codes && o.texts && o.bom && o.separator == b';');
        assert!(
            p(OutputFormat::Html, "usecodesandtexts,IncludeTitle")
                .unwrap()
                .title
        );
        for (f, s) in [
            (OutputFormat::JsonStat2, "UseCodes"),
            (OutputFormat::Px, "IncludeTitle"),
            (OutputFormat::Parquet, "UseTexts"),
            (OutputFormat::Xlsx, "SeparatorTab"),
            (OutputFormat::Csv, "UseCodes,UseTexts"),
            (OutputFormat::Csv, "SeparatorTab,SeparatorSpace"),
            (OutputFormat::Csv, "Sideways"),
        ] {
            let e = p(f, s).unwrap_err();
            assert_eq!(e.status, 400, "{f:?} {s}");
        }
        assert_eq!(p(OutputFormat::Px, "").unwrap().separator, b',');
        assert_eq!(
            OutputFormat::parse("JSON-STAT2").unwrap(),
            OutputFormat::JsonStat2
        );
        assert!(OutputFormat::parse("pdf").is_err());
    }
}
