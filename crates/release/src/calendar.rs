//! The release calendar: when the next releases are planned, how often the tables are updated,
//! and whom to ask about the figures. It is the publisher's configuration, kept beside the
//! releases as `calendar.toml` (optional; see docs/publishing.md):
//!
//! ```toml
//! update_frequency = "Månedlig"
//! dates = [2027-01-08T08:00:00+01:00, 2027-02-05T08:00:00+01:00]
//!
//! [contact]
//! name = "Statistikkontoret"
//! organisation = "Styrelsen for Arbejdsmarked og Rekruttering"
//! email = "statistik@example.dk"
//! phone = "+45 00 00 00 00"
//! ```
//!
//! A release's next update is the first planned date after the release was made.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{io_err, ReleaseError, Result};

/// The calendar's file name in a releases directory.
pub const CALENDAR_FILE: &str = "calendar.toml";

/// Whom to ask about the figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

impl Contact {
    /// Every part that is given, in one line (PX's `CONTACT`, PxWeb's `raw`).
    pub fn raw(&self) -> String {
        [&self.name, &self.organisation, &self.email, &self.phone]
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    update_frequency: Option<String>,
    #[serde(default)]
    dates: Vec<toml::value::Datetime>,
    contact: Option<Contact>,
}

/// The calendar as read.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    pub update_frequency: Option<String>,
    /// The planned release dates, in order.
    pub dates: Vec<DateTime<Utc>>,
    pub contact: Option<Contact>,
}

/// What readers are told about a release's publication: its next update, how often, whom to
/// ask. Not stored with the release: it comes from the calendar when the release is served.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Publication {
    /// RFC 3339, UTC (`2027-01-08T07:00:00Z`).
    pub next_update: Option<String>,
    pub update_frequency: Option<String>,
    pub contact: Option<Contact>,
}

impl Calendar {
    /// The calendar of a releases directory; `None` when it has none. A calendar that cannot
    /// be read is an error naming the file and what is wrong (with its line).
    pub fn load(releases: &Path) -> Result<Option<Calendar>> {
        let path = releases.join(CALENDAR_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&path)(e)),
        };
        Calendar::parse(&text)
            .map(Some)
            .map_err(|message| ReleaseError::Format { path, message })
    }

    /// Parse a calendar's text.
    pub fn parse(text: &str) -> std::result::Result<Calendar, String> {
        let f: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| {
                text.as_bytes()[..s.start.min(text.len())]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1
            });
            match line {
                Some(l) => format!("line {l}: {}", e.message()),
                None => e.message().to_string(),
            }
        })?;
        let mut dates = Vec::new();
        for d in &f.dates {
            let s = d.to_string();
            let t = DateTime::parse_from_rfc3339(&s).map_err(|_| {
                format!("dates: '{s}' is not a date and time with its offset (e.g. 2027-01-08T08:00:00+01:00)")
            })?;
            dates.push(t.with_timezone(&Utc));
        }
        dates.sort();
        Ok(Calendar {
            update_frequency: f.update_frequency.filter(|s| !s.trim().is_empty()),
            dates,
            contact: f.contact.filter(|c| !c.raw().is_empty()),
        })
    }

    /// What to tell readers of a release made at `made`.
    pub fn publication(&self, made: DateTime<Utc>) -> Publication {
        Publication {
            next_update: self
                .dates
                .iter()
                .find(|d| **d > made)
                .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            update_frequency: self.update_frequency.clone(),
            contact: self.contact.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
update_frequency = "Månedlig"
dates = [2027-02-05T08:00:00+01:00, 2027-01-08T08:00:00+01:00]
[contact]
name = "Statistikkontoret"
email = "statistik@example.dk"
"#;

    #[test]
    fn the_next_update_is_the_first_planned_date_after_the_release() {
        let c = Calendar::parse(TEXT).unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let p = c.publication(at("2026-12-07T10:00:00Z"));
        assert_eq!(p.next_update.as_deref(), Some("2027-01-08T07:00:00Z"));
        assert_eq!(p.update_frequency.as_deref(), Some("Månedlig"));
        assert_eq!(
            p.contact.unwrap().raw(),
            "Statistikkontoret, statistik@example.dk"
        );
        assert_eq!(
            c.publication(at("2027-01-08T07:00:00Z"))
                .next_update
                .as_deref(),
            Some("2027-02-05T07:00:00Z")
        );
        assert_eq!(c.publication(at("2027-03-01T00:00:00Z")).next_update, None);
    }

    #[test]
    fn a_bad_calendar_says_which_line_and_what() {
        let e = Calendar::parse("update_frequency = \"x\"\ndatoer = []\n").unwrap_err();
        assert!(e.starts_with("line 2:") && e.contains("datoer"), "{e}");
        let e = Calendar::parse("dates = [2027-01-08]\n").unwrap_err();
        assert!(e.contains("2027-01-08") && e.contains("offset"), "{e}");
    }
}
