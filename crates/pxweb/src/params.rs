//! The one vocabulary of request parameters: [`Params`], the query string as ordered pairs whose
//! names are compared without regard to case, read by every API handler and every web page; and
//! [`DataLink`], the URL of a selection in a format, written back from a [`Selection`] (the
//! pages' download and API links, the saved queries' data).

use samtalebank_model::Lang;
use samtalebank_release::TableMeta;
use serde::Deserialize;

use crate::format::OutputFormat;
use crate::selection::Selection;

/// A request's query parameters, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new(pairs: Vec<(String, String)>) -> Params {
        Params(pairs)
    }

    /// Parse a query string (`a=1&b=2`, percent-encoded).
    pub fn parse(query: &str) -> Params {
        Params(
            form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The pairs, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The first value of a parameter, whatever the case of its name, as given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a parameter, trimmed; `None` if absent or blank.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// Every value of a parameter that may be repeated, as given.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Every value of a parameter given repeated or comma-separated (`a=1&a=2`, `a=1,2`),
    /// trimmed, blanks left out.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.all(name)
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// `lang`: Danish unless English is asked for.
    pub fn lang(&self) -> Lang {
        Lang::parse(self.get("lang"))
    }

    /// Is the parameter given?
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// These parameters with `name` set to `value` (every earlier value of it removed).
    pub fn with(&self, name: &str, value: &str) -> Params {
        let mut p: Vec<(String, String)> = self
            .0
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case(name))
            .cloned()
            .collect();
        p.push((name.to_string(), value.to_string()));
        Params(p)
    }

    /// These parameters without `name`.
    pub fn without(&self, name: &str) -> Params {
        Params(
            self.0
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case(name))
                .cloned()
                .collect(),
        )
    }

    /// The parameters as a query string (percent-encoded, without `?`).
    pub fn to_query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.0 {
            s.append_pair(k, v);
        }
        s.finish()
    }
}

impl std::ops::Deref for Params {
    type Target = [(String, String)];
    fn deref(&self) -> &[(String, String)] {
        &self.0
    }
}

impl From<Vec<(String, String)>> for Params {
    fn from(v: Vec<(String, String)>) -> Params {
        Params(v)
    }
}

/// The URL of a selection's data in a format: `/api/v2/tables/{id}/data?lang=…&valuecodes[…]=…
/// &outputFormat=…&outputFormatParams=…`, the codes of every dimension and measure written out.
#[derive(Debug, Clone)]
pub struct DataLink<'a> {
    meta: &'a TableMeta,
    sel: &'a Selection,
    lang: Lang,
    format: OutputFormat,
    format_params: Vec<&'static str>,
}

impl<'a> DataLink<'a> {
    /// JSON-stat 2.0, the API's default format.
    pub fn new(meta: &'a TableMeta, sel: &'a Selection, lang: Lang) -> DataLink<'a> {
        DataLink {
            meta,
            sel,
            lang,
            format: OutputFormat::JsonStat2,
            format_params: Vec::new(),
        }
    }

    /// In another format.
    pub fn format(mut self, format: OutputFormat) -> DataLink<'a> {
        self.format = format;
        self
    }

    /// With `outputFormatParams` (e.g. `SeparatorSemicolon`).
    pub fn format_params(mut self, params: &[&'static str]) -> DataLink<'a> {
        self.format_params = params.to_vec();
        self
    }

    /// The URL (path and query).
    pub fn url(&self) -> String {
        let mut p = form_urlencoded::Serializer::new(String::new());
        p.append_pair("lang", self.lang.code());
        for (k, v) in self.sel.to_query(self.meta) {
            p.append_pair(&k, &v);
        }
        if self.format != OutputFormat::JsonStat2 {
            p.append_pair("outputFormat", self.format.code());
        }
        if !self.format_params.is_empty() {
            p.append_pair("outputFormatParams", &self.format_params.join(","));
        }
        format!("/api/v2/tables/{}/data?{}", self.meta.id, p.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> Params {
        Params::parse(q)
    }

    #[test]
    fn names_are_read_whatever_their_case_and_values_in_every_form() {
        let q = p("Omraade=101&omraade=147,151&LANG=en&x=%20&aar=2023");
        assert_eq!(q.get("omraade"), Some("101"));
        assert_eq!(q.all("OMRAADE"), vec!["101", "147,151"]);
        assert_eq!(q.list("omraade"), vec!["101", "147", "151"]);
        assert_eq!(q.lang(), Lang::En);
        assert_eq!(q.value("x"), None);
        assert_eq!(q.get("x"), Some(" "));
        assert!(!q.has("nope"));
    }

    #[test]
    fn a_query_is_written_back_with_changes() {
        let q = p("lang=da&omraade=101&omraade=147&svar=4%2B");
        assert_eq!(
            q.with("lang", "en").to_query(),
            "omraade=101&omraade=147&svar=4%2B&lang=en"
        );
        assert_eq!(q.without("omraade").to_query(), "lang=da&svar=4%2B");
        assert_eq!(Params::parse(&q.to_query()), q);
    }
}
