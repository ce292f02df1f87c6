//! The table registry: one definition per published table.
//!
//! A definition says what the table is: its variables in order, the counts stored per cell (and
//! how they relate, for disclosure control), the measures derived from them (unit, decimals,
//! how), when a count is not yet available, and where its text (labels, units, notes) is. The
//! engine fills the counts, disclosure control protects them, the release writes and reads them
//! back, and the API and the web pages show them, all from this one definition.
//!
//! Adding a table: an entry in [`TABLES`], its text in `data/<ID>.toml`, its kernel in the
//! engine and its SQL twin in `sql/` (see `docs/architecture.md`).

use samtalebank_model::Var;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// When a count can be published for a period (the time rules of `model::time`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Always.
    Always,
    /// Once the spells started in the period can be followed this many days to the data's end
    /// (`time::followed`).
    Followed(i32),
    /// Once the period's reference day and the 13 weeks before it lie inside the data
    /// (`time::intensity_available`).
    Intensity,
}

impl Availability {
    /// Does it hold for period `code`, with data from day `start` to day `end`?
    pub fn holds(self, code: &str, start: i32, end: i32) -> bool {
        match self {
            Availability::Always => true,
            Availability::Followed(days) => samtalebank_model::time::followed(code, days, end),
            Availability::Intensity => {
                samtalebank_model::time::intensity_available(code, start, end)
            }
        }
    }
}

/// How a stored count is computed, for disclosure control.
#[derive(Debug, Clone, Copy)]
pub enum CountKind {
    /// A sum of atoms: disjoint groups of the table's records (units). A count whose atoms
    /// are a subset of another's is nested in it (at most it).
    Atoms(&'static [usize]),
    /// The sum of count `of` over the categories of `var` that `model` marks with `flag`,
    /// within the cell's own category of `var` (SAMT01's digital conversations = telefon +
    /// video). Under suppression it is published exactly when every part is; under the cell
    /// key method it is perturbed as its own count (its own records' keys).
    SumOver {
        of: &'static str,
        var: Var,
        categories: fn(&samtalebank_model::dims::Dimension) -> Vec<usize>,
    },
}

/// A count stored per cell.
#[derive(Debug, Clone, Copy)]
pub struct Count {
    pub code: &'static str,
    /// Written to the release (`false`: for disclosure control only).
    pub published: bool,
    pub kind: CountKind,
    pub available: Availability,
}

/// How a measure is derived from a cell's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derive {
    /// A stored count.
    Count(&'static str),
    /// 100 × `num` / `den` of the same cell.
    Share {
        num: &'static str,
        den: &'static str,
    },
    /// 100 × `count` / the same count with `var` at its total (SAMT01's share of all forms).
    ShareOfTotal { count: &'static str, var: Var },
    /// BENCH01: the indicator's share in the cell (numerator / denominator).
    BenchValue,
    /// BENCH01: the national share.
    BenchNational,
    /// BENCH01: the rank among the municipalities with a published share (1 = highest).
    BenchRank,
    /// BENCH01: the cell's share minus the national one (percentage points).
    BenchDiffNational,
    /// BENCH01: the cell's share minus the rest of the country's (percentage points).
    BenchDiffRest,
    /// A number stored per cell (SURV01's weighted shares and intervals): not published where
    /// the cell's first count is not; not applicable where it is published but the number is
    /// missing (no one answered).
    Stored(&'static str),
}

/// A published measure (a category of the measure variable `maal`).
#[derive(Debug, Clone, Copy)]
pub struct Measure {
    pub code: &'static str,
    pub decimals: u8,
    pub derive: Derive,
}

/// A BENCH01 indicator: a share of one of the other tables.
#[derive(Debug, Clone, Copy)]
pub struct Indicator {
    pub code: &'static str,
    pub table: &'static str,
    pub num: &'static str,
    pub den: &'static str,
    /// The source's other variables, at these codes (all others at their total).
    pub fixed: &'static [(Var, &'static str)],
}

/// Where a table's counts come from.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// The engine's kernel over the store; totals are sums of their parts.
    Records,
    /// The engine's kernel counting persons (SAMT03): a total is not the sum of its parts, and
    /// a period's value is its reference day's (a year = its December).
    Persons,
    /// The published counts of other tables (BENCH01), after their disclosure control.
    Derived(&'static [Indicator]),
    /// A survey's respondents (SURV01).
    Survey,
}

/// How the web page lays a table out.
#[derive(Debug, Clone, Copy)]
pub struct PageLayout {
    /// A variable whose categories are the columns (with `column_measure`), instead of one
    /// column per measure.
    pub columns: Option<(Var, &'static str)>,
    /// Measures shown after the columns (at the column variable's total).
    pub extra: &'static [&'static str],
    /// The measure drawn in the chart (a share).
    pub chart: Option<&'static str>,
}

/// One published table.
#[derive(Debug)]
pub struct TableDef {
    pub id: &'static str,
    /// The variables in order (the measure variable `maal` comes last, implicitly).
    pub vars: &'static [Var],
    /// The counts stored per cell.
    pub counts: &'static [Count],
    /// The number of atoms the counts are sums of.
    pub atoms: usize,
    /// Numbers stored per cell besides the counts.
    pub numbers: &'static [&'static str],
    pub measures: &'static [Measure],
    pub source: Source,
    pub page: PageLayout,
    /// The SQL twin under `sql/` (none for tables computed from other published tables).
    pub twin: Option<&'static str>,
    text: fn() -> &'static str,
}

/// Danish and English.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Text {
    pub da: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: samtalebank_model::Lang) -> &str {
        match lang {
            samtalebank_model::Lang::Da => &self.da,
            samtalebank_model::Lang::En => &self.en,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct MeasureText {
    pub label: Text,
    pub unit: Text,
}

/// A table's text, from `data/<ID>.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct TableText {
    pub title: Text,
    pub description: Text,
    pub measures: BTreeMap<String, MeasureText>,
    #[serde(default)]
    pub indicators: BTreeMap<String, Text>,
    #[serde(default)]
    pub notes: Vec<Text>,
}

impl TableDef {
    /// The table's text (parsed once; the data files are checked by the tests).
    pub fn text(&self) -> &'static TableText {
        static TEXTS: OnceLock<Vec<(&'static str, TableText)>> = OnceLock::new();
        let all = TEXTS.get_or_init(|| {
            TABLES
                .iter()
                .map(|t| {
                    let text: TableText = toml::from_str((t.text)())
                        .unwrap_or_else(|e| panic!("data/{}.toml: {e}", t.id)); // ok: built-in data, checked by a unit test
                    (t.id, text)
                })
                .collect()
        });
        &all.iter()
            .find(|(id, _)| *id == self.id)
            .expect("every table has its text") // ok: built from TABLES above
            .1
    }

    /// The index of a variable.
    pub fn var(&self, v: Var) -> Option<usize> {
        self.vars.iter().position(|x| *x == v)
    }

    /// The index of a stored count by code.
    pub fn count(&self, code: &str) -> Option<usize> {
        self.counts.iter().position(|c| c.code == code)
    }

    /// The published counts, in order.
    pub fn published_counts(&self) -> impl Iterator<Item = &Count> {
        self.counts.iter().filter(|c| c.published)
    }

    /// The index of a measure by code (any case).
    pub fn measure(&self, code: &str) -> Option<usize> {
        self.measures
            .iter()
            .position(|m| m.code.eq_ignore_ascii_case(code))
    }

    /// The atoms of a count (a `SumOver` count has none of its own).
    pub fn atoms_of(&self, count: usize) -> &'static [usize] {
        match self.counts[count].kind {
            CountKind::Atoms(a) => a,
            CountKind::SumOver { .. } => &[],
        }
    }

    /// The counts `count` is nested in: those whose atoms contain its atoms (a `SumOver` count
    /// is nested in the count it sums). The cell key method keeps published counts in this
    /// order.
    pub fn nested_in(&self, count: usize) -> Vec<usize> {
        match self.counts[count].kind {
            CountKind::SumOver { of, .. } => self.count(of).into_iter().collect(),
            CountKind::Atoms(mine) => (0..self.counts.len())
                .filter(|&o| o != count)
                .filter(|&o| match self.counts[o].kind {
                    CountKind::Atoms(theirs) => {
                        theirs.len() > mine.len() && mine.iter().all(|a| theirs.contains(a))
                    }
                    CountKind::SumOver { .. } => false,
                })
                .collect(),
        }
    }

    /// BENCH01's indicators (empty for other tables).
    pub fn indicators(&self) -> &'static [Indicator] {
        match self.source {
            Source::Derived(i) => i,
            _ => &[],
        }
    }
}

const fn count(code: &'static str, atoms: &'static [usize], available: Availability) -> Count {
    Count {
        code,
        published: true,
        kind: CountKind::Atoms(atoms),
        available,
    }
}

const fn m(code: &'static str, decimals: u8, derive: Derive) -> Measure {
    Measure {
        code,
        decimals,
        derive,
    }
}

use samtalebank_model::time::{DAYS_13W, DAYS_6W};
use Availability::{Always, Followed, Intensity};

/// SAMT01: conversations by form.
pub static SAMT01: TableDef = TableDef {
    id: "SAMT01",
    vars: &[
        Var::Omraade,
        Var::Tid,
        Var::Ydelse,
        Var::Samtaletype,
        Var::Samtaleform,
        Var::Varighed,
    ],
    counts: &[
        count("antal", &[0], Always),
        Count {
            code: "digital",
            published: true,
            kind: CountKind::SumOver {
                of: "antal",
                var: Var::Samtaleform,
                categories: samtalebank_model::dims::digital_forms,
            },
            available: Always,
        },
    ],
    atoms: 1,
    numbers: &[],
    measures: &[
        m("antal", 0, Derive::Count("antal")),
        m(
            "pct",
            1,
            Derive::ShareOfTotal {
                count: "antal",
                var: Var::Samtaleform,
            },
        ),
        m(
            "digital_pct",
            1,
            Derive::Share {
                num: "digital",
                den: "antal",
            },
        ),
    ],
    source: Source::Records,
    page: PageLayout {
        columns: Some((Var::Samtaleform, "antal")),
        extra: &["digital_pct"],
        chart: Some("digital_pct"),
    },
    twin: Some("SAMT01"),
    text: || include_str!("../data/SAMT01.toml"),
};

/// SAMT02: timely first conversation. Atoms (spells): 0 ended before 6 weeks; lasted 6 but not
/// 13 weeks, 1 without and 2 with a first conversation within 6 weeks; lasted 13 weeks, 3 with
/// a first conversation within 6 weeks, 4 within 13 weeks only, 5 without.
pub static SAMT02: TableDef = TableDef {
    id: "SAMT02",
    vars: &[Var::Omraade, Var::Tid, Var::Ydelse],
    counts: &[
        count("startet", &[0, 1, 2, 3, 4, 5], Always),
        count("varet6", &[1, 2, 3, 4, 5], Followed(DAYS_6W)),
        count("samtale6", &[2, 3], Followed(DAYS_6W)),
        count("varet13", &[3, 4, 5], Followed(DAYS_13W)),
        count("samtale13", &[3, 4], Followed(DAYS_13W)),
        Count {
            code: "samtale6_varet13",
            published: false,
            kind: CountKind::Atoms(&[3]),
            available: Followed(DAYS_13W),
        },
    ],
    atoms: 6,
    numbers: &[],
    measures: &[
        m("startet", 0, Derive::Count("startet")),
        m("varet6", 0, Derive::Count("varet6")),
        m("samtale6", 0, Derive::Count("samtale6")),
        m(
            "pct6",
            1,
            Derive::Share {
                num: "samtale6",
                den: "varet6",
            },
        ),
        m("varet13", 0, Derive::Count("varet13")),
        m("samtale13", 0, Derive::Count("samtale13")),
        m(
            "pct13",
            1,
            Derive::Share {
                num: "samtale13",
                den: "varet13",
            },
        ),
    ],
    source: Source::Records,
    page: PageLayout {
        columns: None,
        extra: &[],
        chart: Some("pct6"),
    },
    twin: Some("SAMT02"),
    text: || include_str!("../data/SAMT02.toml"),
};

/// SAMT03: conversation frequency. Atoms (persons): 0 with at least 2 conversations, 1 without.
pub static SAMT03: TableDef = TableDef {
    id: "SAMT03",
    vars: &[Var::Omraade, Var::Tid, Var::Ydelse],
    counts: &[
        count("personer", &[0, 1], Intensity),
        count("med2", &[0], Intensity),
    ],
    atoms: 2,
    numbers: &[],
    measures: &[
        m("personer", 0, Derive::Count("personer")),
        m("med2", 0, Derive::Count("med2")),
        m(
            "pct",
            1,
            Derive::Share {
                num: "med2",
                den: "personer",
            },
        ),
    ],
    source: Source::Persons,
    page: PageLayout {
        columns: None,
        extra: &[],
        chart: Some("pct"),
    },
    twin: Some("SAMT03"),
    text: || include_str!("../data/SAMT03.toml"),
};

/// BENCH01: the benchmark of municipalities, from the published counts of SAMT01–03.
pub static BENCH01: TableDef = TableDef {
    id: "BENCH01",
    vars: &[Var::Indikator, Var::Omraade, Var::Tid, Var::Ydelse],
    counts: &[
        count("taeller", &[0], Always),
        count("naevner", &[0, 1], Always),
    ],
    atoms: 2,
    numbers: &[],
    measures: &[
        m("vaerdi", 1, Derive::BenchValue),
        m("landsvaerdi", 1, Derive::BenchNational),
        m("rang", 0, Derive::BenchRank),
        m("diff_land", 1, Derive::BenchDiffNational),
        m("diff_rest", 1, Derive::BenchDiffRest),
    ],
    source: Source::Derived(&[
        Indicator {
            code: "digital_pct",
            table: "SAMT01",
            num: "digital",
            den: "antal",
            fixed: &[],
        },
        Indicator {
            code: "pct6",
            table: "SAMT02",
            num: "samtale6",
            den: "varet6",
            fixed: &[],
        },
        Indicator {
            code: "pct13",
            table: "SAMT02",
            num: "samtale13",
            den: "varet13",
            fixed: &[],
        },
        Indicator {
            code: "intensitet",
            table: "SAMT03",
            num: "med2",
            den: "personer",
            fixed: &[],
        },
    ]),
    page: PageLayout {
        columns: None,
        extra: &[],
        chart: Some("vaerdi"),
    },
    twin: Some("BENCH01"),
    text: || include_str!("../data/BENCH01.toml"),
};

/// SURV01: the citizen survey. One count per cell, `n` (respondents asked who answered, the
/// base); the weighted share and its 95 % Wilson interval are numbers stored per cell.
pub static SURV01: TableDef = TableDef {
    id: "SURV01",
    vars: &[Var::Spoergsmaal, Var::Svar, Var::Ydelse, Var::Omraade],
    counts: &[count("n", &[0], Always)],
    atoms: 1,
    numbers: &["pct", "ci_lo", "ci_hi"],
    measures: &[
        m("pct", 1, Derive::Stored("pct")),
        m("ci_lo", 1, Derive::Stored("ci_lo")),
        m("ci_hi", 1, Derive::Stored("ci_hi")),
        m("n", 0, Derive::Count("n")),
    ],
    source: Source::Survey,
    page: PageLayout {
        columns: None,
        extra: &[],
        chart: Some("pct"),
    },
    twin: None,
    text: || include_str!("../data/SURV01.toml"),
};

/// Every table, in publication order.
pub static TABLES: &[&TableDef] = &[&SAMT01, &SAMT02, &SAMT03, &BENCH01, &SURV01];

/// A table by id, in any case.
pub fn table(id: &str) -> Option<&'static TableDef> {
    TABLES
        .iter()
        .copied()
        .find(|t| t.id.eq_ignore_ascii_case(id))
}
