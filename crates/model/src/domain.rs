//! Domain types shared by every stage: variables, languages, area levels, period kinds and the
//! disclosure-control levels a release can be built with.

use serde::{Deserialize, Serialize};

/// A published variable (docs/spec.md §3.1). The measure variable `maal` is not one of them: every
/// table has it last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Var {
    Omraade,
    Tid,
    Ydelse,
    Samtaletype,
    Samtaleform,
    Varighed,
    Indikator,
    Spoergsmaal,
    Svar,
}

/// A variable's role in JSON-stat and PxWeb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Geo,
    Time,
    Other,
}

impl Var {
    pub const ALL: [Var; 9] = [
        Var::Omraade,
        Var::Tid,
        Var::Ydelse,
        Var::Samtaletype,
        Var::Samtaleform,
        Var::Varighed,
        Var::Indikator,
        Var::Spoergsmaal,
        Var::Svar,
    ];

    /// The variable's code (`omraade`, `tid`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Var::Omraade => "omraade",
            Var::Tid => "tid",
            Var::Ydelse => "ydelse",
            Var::Samtaletype => "samtaletype",
            Var::Samtaleform => "samtaleform",
            Var::Varighed => "varighed",
            Var::Indikator => "indikator",
            Var::Spoergsmaal => "spoergsmaal",
            Var::Svar => "svar",
        }
    }

    /// The variable with this code, in any case.
    pub fn from_code(code: &str) -> Option<Var> {
        Var::ALL
            .into_iter()
            .find(|v| v.code().eq_ignore_ascii_case(code))
    }

    pub fn role(self) -> Role {
        match self {
            Var::Omraade => Role::Geo,
            Var::Tid => Role::Time,
            _ => Role::Other,
        }
    }
}

/// The code of the measure variable, last in every table.
pub const MEASURE_VAR: &str = "maal";

/// The languages of the product: Danish (the default) and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Da,
    En,
}

impl Lang {
    /// `en` (any case) is English; anything else, or nothing, Danish.
    pub fn parse(s: Option<&str>) -> Lang {
        match s {
            Some(s) if s.eq_ignore_ascii_case("en") => Lang::En,
            _ => Lang::Da,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }
}

/// The levels of the area hierarchy: the country > 5 regions > 98 municipalities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AreaLevel {
    Country,
    Region,
    Kommune,
}

impl AreaLevel {
    pub const ALL: [AreaLevel; 3] = [AreaLevel::Country, AreaLevel::Region, AreaLevel::Kommune];

    /// The level of an area code (`000`, `1081`–`1085`, a municipality), if it is one.
    pub fn of(code: &str) -> Option<AreaLevel> {
        let v = crate::vocab();
        if code == crate::dims::COUNTRY {
            Some(AreaLevel::Country)
        } else if v
            .kommuner
            .regions
            .iter()
            .any(|r| r.code.to_string() == code)
        {
            Some(AreaLevel::Region)
        } else if code.len() == 3 && v.kommuner.lookup(code).is_some() {
            Some(AreaLevel::Kommune)
        } else {
            None
        }
    }

    /// The level's name in manifests and reports: `land`, `region`, `kommune`.
    pub fn name(self) -> &'static str {
        match self {
            AreaLevel::Country => "land",
            AreaLevel::Region => "region",
            AreaLevel::Kommune => "kommune",
        }
    }
}

/// Is the area code a municipality?
pub fn is_kommune(code: &str) -> bool {
    AreaLevel::of(code) == Some(AreaLevel::Kommune)
}

/// The kinds of period: years `2023`, quarters `2023K1`, months `2023M01`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    #[serde(rename = "aar")]
    Year,
    #[serde(rename = "kvartal")]
    Quarter,
    #[serde(rename = "maaned")]
    Month,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 3] = [PeriodKind::Year, PeriodKind::Quarter, PeriodKind::Month];

    /// The kind of a period code.
    pub fn of(code: &str) -> PeriodKind {
        if code.contains('M') {
            PeriodKind::Month
        } else if code.contains('K') {
            PeriodKind::Quarter
        } else {
            PeriodKind::Year
        }
    }

    /// The name used in URLs and on the command line: `aar`, `kvartal`, `maaned`.
    pub fn name(self) -> &'static str {
        match self {
            PeriodKind::Year => "aar",
            PeriodKind::Quarter => "kvartal",
            PeriodKind::Month => "maaned",
        }
    }

    /// The kind named `aar`, `kvartal` or `maaned`.
    pub fn parse(s: &str) -> Result<PeriodKind, crate::Invalid> {
        PeriodKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| crate::Invalid(format!("period type '{s}': use aar, kvartal or maaned")))
    }
}

/// How far disclosure control goes (`build --protection`), as recorded in a release.
///
/// There is no default here: a build chooses (the command line's default is the cell key method),
/// and a release records what it applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Protection {
    /// The cell key method: every count is published with a small, deterministic perturbation
    /// from the keys of its records; no count from 1 to the threshold − 1 is ever shown.
    Ckm,
    /// Counts from 1 up to the threshold are suppressed, and shares computed from them.
    Primary,
    /// Primary, then the line audit: no relation (a total and its parts, along any variable or
    /// level) has exactly one suppressed cell, so nothing can be recovered by subtraction.
    Lines,
    /// Lines, then the interval audit: no suppressed count is pinned to one value, or shown to
    /// be below the threshold, by chaining relations.
    Intervals,
    /// Intervals, then the LP audit of every sub-table up to the LP budget: no suppressed count
    /// is pinned or shown to be small by linear programming over the sub-table's relations.
    Lp,
    /// Primary, then the hypercube method: no suppressed count can be recovered, or shown to be
    /// below the threshold, by linear programming over every published relation.
    Full,
}

impl Protection {
    pub const ALL: [Protection; 6] = [
        Protection::Ckm,
        Protection::Primary,
        Protection::Lines,
        Protection::Intervals,
        Protection::Lp,
        Protection::Full,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Protection::Ckm => "ckm",
            Protection::Primary => "primary",
            Protection::Lines => "lines",
            Protection::Intervals => "intervals",
            Protection::Lp => "lp",
            Protection::Full => "full",
        }
    }
}

impl std::str::FromStr for Protection {
    type Err = crate::Invalid;
    fn from_str(s: &str) -> Result<Self, crate::Invalid> {
        Protection::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Protection::ALL.iter().map(|p| p.name()).collect();
                crate::Invalid(format!(
                    "unknown protection '{s}' (expected {})",
                    names.join(", ")
                ))
            })
    }
}

/// The defaults the command line, the build and the server share.
pub mod defaults {
    /// Counts from 1 up to (not including) this are not published (docs/spec.md §4).
    pub const THRESHOLD: u32 = 5;
    /// The largest number of cells one data request may ask for.
    pub const MAX_CELLS: usize = 100_000;
    /// API calls one client may make per [`TIME_WINDOW`] seconds.
    pub const MAX_CALLS: u32 = 600;
    /// The rate limit's window, in seconds.
    pub const TIME_WINDOW: u32 = 10;
    /// Megabytes of responses the server's cache keeps.
    pub const CACHE_MB: usize = 64;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_levels_and_period_kinds() {
        assert_eq!(AreaLevel::of("000"), Some(AreaLevel::Country));
        assert_eq!(AreaLevel::of("1082"), Some(AreaLevel::Region));
        assert_eq!(AreaLevel::of("730"), Some(AreaLevel::Kommune));
        assert_eq!(AreaLevel::of("999"), None);
        assert!(is_kommune("101") && !is_kommune("000") && !is_kommune("1081"));
        assert_eq!(PeriodKind::of("2023K2"), PeriodKind::Quarter);
        assert_eq!(PeriodKind::parse("Maaned"), Ok(PeriodKind::Month));
        assert!(PeriodKind::parse("uge").is_err());
        assert_eq!(Var::from_code("TID"), Some(Var::Tid));
        assert_eq!("lp".parse::<Protection>(), Ok(Protection::Lp));
        assert!("x"
            .parse::<Protection>()
            .unwrap_err()
            .0
            .contains("primary, lines"));
    }
}
