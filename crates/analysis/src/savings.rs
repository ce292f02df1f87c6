//! The savings calculator (seed 003): what holding conversations by phone or video instead of in
//! person saves, computed from a release's published SAMT01 counts, so that it reveals nothing a
//! release does not. Per benefit (SAMT01's finest `ydelse` codes) for a year and an area: the
//! conversations in scope (duration band at the conversation of at least 26 weeks, or all), the
//! digital share already observed ((telefon + video) / all), an assumed digital share (the 2021
//! agreement's, all digital, the observed, or the user's), and the saving as a range:
//! digital conversations × minutes saved / 60 × the hourly cost of caseworker time. The
//! incremental saving counts only the digital conversations above the observed share.
//! The method and the default hourly cost are explained in docs/savings.md.

use samtalebank_model::{vocab, PeriodKind, Var};
use samtalebank_release::{Release, Table};
use samtalebank_tables::registry;
use serde::Serialize;

use crate::{bad, AnalysisError, Result};

/// The defaults of a calculation, the same on the command line, in the API and on the page.
pub mod defaults {
    /// The whole country.
    pub const AREA: &str = samtalebank_model::dims::COUNTRY;
    /// Conversations in spells of at least 26 weeks.
    pub const SCOPE: &str = "6m";
    /// The 2021 agreement's shares.
    pub const SCENARIO: &str = "agreement";
    /// Minutes saved per digital conversation.
    pub const MINUTES: &str = "10-15";
    /// DKK an hour of caseworker time.
    pub const HOURLY_COST: &str = "430";
}

/// The default hourly cost of caseworker time, DKK (docs/savings.md: a municipal caseworker's
/// pay with pension, over productive hours, with overhead; 2021 level); `defaults::HOURLY_COST`
/// as a number.
pub const DEFAULT_HOURLY_COST: f64 = 430.0;

/// The hourly costs a calculation accepts, DKK: anything outside is a mistake, not a wage.
pub const HOURLY_COST_RANGE: std::ops::RangeInclusive<f64> = 1.0..=10_000.0;

/// The most minutes a digital conversation can save (a working day).
pub const MAX_MINUTES: f64 = 480.0;

/// The ministry's range, DKK a year (seed 003).
pub const MINISTRY_LOW: f64 = 85e6;
pub const MINISTRY_HIGH: f64 = 130e6;

/// Which conversations count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scope {
    /// Duration band at the conversation of at least 26 weeks (`6-12`, `12+`).
    #[serde(rename = "6m")]
    SixMonths,
    #[serde(rename = "all")]
    All,
}

impl Scope {
    pub fn parse(s: &str) -> Result<Scope> {
        match s.to_ascii_lowercase().as_str() {
            "6m" | "26w" => Ok(Scope::SixMonths),
            "all" | "alle" => Ok(Scope::All),
            _ => Err(bad(format!(
                "scope '{s}': use 6m (at least 26 weeks) or all"
            ))),
        }
    }
    /// The code `parse` reads.
    pub fn code(self) -> &'static str {
        match self {
            Scope::SixMonths => "6m",
            Scope::All => "all",
        }
    }
    fn bands(self) -> &'static [&'static str] {
        match self {
            Scope::SixMonths => &["6-12", "12+"],
            Scope::All => &["tot"],
        }
    }
}

/// The assumed digital shares.
#[derive(Debug, Clone, PartialEq)]
pub enum Scenario {
    /// The shares of the 2021 agreement (data/agreement_shares.csv).
    Agreement,
    /// Every conversation in scope digital.
    AllDigital,
    /// The share observed that year (so the incremental saving is 0).
    Observed,
    /// The user's shares, per cent by ydelse code; groups not given keep the agreement's.
    Custom(Vec<(String, f64)>),
}

impl Scenario {
    pub fn name(&self) -> &'static str {
        match self {
            Scenario::Agreement => "agreement",
            Scenario::AllDigital => "all-digital",
            Scenario::Observed => "observed",
            Scenario::Custom(_) => "custom",
        }
    }
    /// `agreement`, `all-digital`, `observed`.
    pub fn parse_named(s: &str) -> Option<Scenario> {
        match s.to_ascii_lowercase().as_str() {
            "agreement" | "aftale" => Some(Scenario::Agreement),
            "all-digital" | "alle" => Some(Scenario::AllDigital),
            "observed" | "observeret" => Some(Scenario::Observed),
            _ => None,
        }
    }
    /// Custom shares written `code:pct,code:pct` (the API's `shares`) or as CSV lines
    /// `code;pct` / `code,pct` (a file; `#` comments and a header line are skipped). `origin`
    /// names the source in errors.
    pub fn parse_shares(text: &str, origin: &str) -> Result<Scenario> {
        let mut out = Vec::new();
        let (items, unit): (Vec<&str>, &str) = if text.contains('\n') {
            (text.lines().collect(), "line")
        } else {
            (text.split(',').collect(), "item")
        };
        for (n, raw) in items.iter().enumerate() {
            let item = raw.trim();
            if item.is_empty() || item.starts_with('#') {
                continue;
            }
            let (code, pct) = item.split_once([':', ';', ',']).ok_or_else(|| {
                bad(format!(
                    "{origin}, {unit} {}: '{item}' is not ydelse:share",
                    n + 1
                ))
            })?;
            let code = code.trim();
            if code.eq_ignore_ascii_case("ydelse") {
                continue;
            }
            let pct: f64 = pct.trim().trim_end_matches('%').parse().map_err(|_| {
                bad(format!(
                    "{origin}, {unit} {}: share '{}' is not a number",
                    n + 1,
                    pct.trim()
                ))
            })?;
            if !(0.0..=100.0).contains(&pct) {
                return Err(bad(format!(
                    "{origin}, {unit} {}: share {pct} for {code} is outside 0–100",
                    n + 1
                )));
            }
            out.push((code.to_string(), pct));
        }
        if out.is_empty() {
            return Err(bad(format!("{origin}: no shares")));
        }
        Ok(Scenario::Custom(out))
    }
}

/// A calculation's parameters.
#[derive(Debug, Clone)]
pub struct Params {
    pub year: String,
    pub area: String,
    pub scope: Scope,
    pub scenario: Scenario,
    /// Minutes saved per digital conversation, low and high.
    pub minutes: (f64, f64),
    pub hourly_cost: f64,
}

impl Params {
    /// A calculation from named parameters, as the API and the page take them (`year`,
    /// `area`, `scope`, `scenario` — `agreement`, `all-digital`, `observed`, or `custom` with
    /// `shares=code:pct,…` — `minutes`, `hourlyCost`); `get` gives a parameter's value, and
    /// those not given take [`defaults`], the year `default_year`.
    pub fn from_named(
        get: &dyn Fn(&str) -> Option<String>,
        default_year: Option<&str>,
    ) -> Result<Params> {
        let or = |name: &str, default: &str| get(name).unwrap_or_else(|| default.to_string());
        let year = get("year")
            .or(default_year.map(String::from))
            .ok_or_else(|| bad("give year, e.g. year=2023"))?;
        let scenario = match or("scenario", defaults::SCENARIO) {
            s if s.eq_ignore_ascii_case("custom") => Scenario::parse_shares(
                &get("shares").ok_or_else(|| bad("scenario=custom needs shares=code:pct,…"))?,
                "shares",
            )?,
            s => Scenario::parse_named(&s).ok_or_else(|| {
                bad(format!(
                    "scenario '{s}': use agreement, all-digital, observed or custom (with shares)"
                ))
            })?,
        };
        Ok(Params {
            year,
            area: or("area", defaults::AREA),
            scope: Scope::parse(&or("scope", defaults::SCOPE))?,
            scenario,
            minutes: Params::parse_minutes(&or("minutes", defaults::MINUTES))?,
            hourly_cost: Params::parse_hourly_cost(&or("hourlyCost", defaults::HOURLY_COST))?,
        })
    }

    /// An hourly cost in DKK, from [`HOURLY_COST_RANGE`].
    pub fn parse_hourly_cost(s: &str) -> Result<f64> {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| HOURLY_COST_RANGE.contains(v))
            .ok_or_else(|| {
                bad(format!(
                    "hourly cost '{s}': a number of DKK from {} to {}",
                    HOURLY_COST_RANGE.start(),
                    HOURLY_COST_RANGE.end()
                ))
            })
    }

    /// `10-15` or `12`.
    pub fn parse_minutes(s: &str) -> Result<(f64, f64)> {
        let (a, b) = s.split_once('-').unwrap_or((s, s));
        let p = |x: &str| {
            x.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| (0.0..=MAX_MINUTES).contains(v))
                .ok_or_else(|| {
                    bad(format!(
                        "minutes '{s}': expected LOW-HIGH like 10-15, each from 0 to {MAX_MINUTES}"
                    ))
                })
        };
        let (lo, hi) = (p(a)?, p(b)?);
        if lo > hi {
            return Err(bad(format!(
                "minutes '{s}': the low end is above the high end"
            )));
        }
        Ok((lo, hi))
    }
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Range {
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub ydelse: String,
    pub label: String,
    pub conversations: f64,
    /// (telefon + video) / all, per cent; `None` without conversations.
    pub observed_digital_pct: Option<f64>,
    pub assumed_digital_pct: f64,
    pub digital_conversations: f64,
    pub saving_dkk: Range,
    pub incremental_dkk: Range,
    /// The observed share is at or above the assumed: no incremental saving.
    pub above_assumption: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Total {
    pub conversations: f64,
    pub digital_conversations: f64,
    pub saving_dkk: Range,
    pub incremental_dkk: Range,
}

/// What the ministry's 85–130 million DKK implies for this data.
#[derive(Debug, Clone, Serialize)]
pub struct Implied {
    /// The hourly cost at which all conversations in scope, digital, save 85 million DKK at
    /// the low minutes.
    pub hourly_cost_for_85m: Option<f64>,
    /// … and 130 million DKK at the high minutes.
    pub hourly_cost_for_130m: Option<f64>,
    /// The conversations in scope that 85 (low minutes) and 130 (high minutes) million DKK
    /// imply at the chosen hourly cost.
    pub conversations_for_range: Range,
    /// The all-digital saving of this data at the chosen cost.
    pub all_digital_dkk: Range,
}

/// One cell of the sensitivity table: the total saving if every group had `share_pct`.
#[derive(Debug, Clone, Serialize)]
pub struct Sensitivity {
    pub minutes: f64,
    pub share_pct: f64,
    pub saving_dkk: f64,
}

/// A calculation with every assumption it made (the JSON contract of the CLI and the API).
#[derive(Debug, Clone, Serialize)]
pub struct Savings {
    pub release: String,
    pub year: String,
    pub area: String,
    pub area_label: String,
    pub scope: Scope,
    pub scenario: String,
    pub minutes: Range,
    pub hourly_cost_dkk: f64,
    pub groups: Vec<Group>,
    pub total: Total,
    pub implied: Implied,
    pub sensitivity: Vec<Sensitivity>,
    /// The assumptions in words (English; the pages write them from the fields below in the
    /// reader's language).
    pub assumptions: Vec<String>,
    /// The user's shares (`scenario=custom`), per cent by ydelse code.
    pub custom_shares: Vec<(String, f64)>,
    /// Benefits left out because a count in scope is not published.
    pub left_out: Vec<String>,
}

/// The years of the release's SAMT01, oldest first: what a calculation can be asked for.
pub fn years(rel: &Release) -> Vec<String> {
    rel.table(registry::SAMT01.id)
        .and_then(|t| t.meta.var(Var::Tid))
        .map(|(_, d)| {
            d.categories
                .iter()
                .filter(|c| PeriodKind::of(&c.code) == PeriodKind::Year)
                .map(|c| c.code.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// The agreement's shares: (ydelse code, per cent, where it comes from).
pub fn agreement_shares() -> Vec<(String, f64, String)> {
    include_str!("../data/agreement_shares.csv")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut p = l.split(';');
            let code = p.next()?.to_string();
            let pct = p.next()?.parse().ok()?;
            Some((code, pct, p.next().unwrap_or("").to_string()))
        })
        .collect()
}

fn saving(digital: f64, minutes: f64, cost: f64) -> f64 {
    digital * minutes / 60.0 * cost
}

/// One group's arithmetic: of `all` conversations, `digital` observed digital, `assumed_pct`
/// assumed digital → (assumed digital conversations, saving, incremental saving).
pub fn group_saving(
    all: f64,
    digital: f64,
    assumed_pct: f64,
    minutes: (f64, f64),
    cost: f64,
) -> (f64, Range, Range) {
    let dig = all * assumed_pct / 100.0;
    let extra = (dig - digital).max(0.0);
    (
        dig,
        Range {
            low: saving(dig, minutes.0, cost),
            high: saving(dig, minutes.1, cost),
        },
        Range {
            low: saving(extra, minutes.0, cost),
            high: saving(extra, minutes.1, cost),
        },
    )
}

/// Compute the savings for `p` from the release's SAMT01.
///
/// Long: One pass over the groups, then the total, what the ministry's figure implies, the
/// sensitivity table and the assumptions in words.
pub fn compute(rel: &Release, p: &Params) -> Result<Savings> {
    let missing = |what: &str| AnalysisError::Release(what.to_string());
    let t: &Table = rel
        .table(registry::SAMT01.id)
        .ok_or_else(|| missing("the release has no table SAMT01"))?;
    let meta = &t.meta;
    let dim = |v: Var| meta.require(v);
    let (ia, area) = dim(Var::Omraade)?;
    let (it, tid) = dim(Var::Tid)?;
    let (iy, yd) = dim(Var::Ydelse)?;
    let (ist, st) = dim(Var::Samtaletype)?;
    let (isf, sf) = dim(Var::Samtaleform)?;
    let (iv, var) = dim(Var::Varighed)?;
    let antal = meta
        .measures
        .iter()
        .position(|m| m.code == "antal")
        .ok_or_else(|| missing("SAMT01 has no measure antal"))?;
    let a = area.position(&p.area).ok_or_else(|| {
        bad(format!(
            "unknown area '{}': use 000, a region (1081–1085) or a municipality code",
            p.area
        ))
    })?;
    let y = tid
        .position(&p.year)
        .filter(|_| p.year.len() == 4)
        .ok_or_else(|| {
            let years: Vec<&str> = tid
                .categories
                .iter()
                .map(|c| c.code.as_str())
                .filter(|c| c.len() == 4)
                .collect();
            bad(format!(
                "year '{}' is not in the release; it has {}",
                p.year,
                years.join(", ")
            ))
        })?;
    let st_tot = st
        .total_index()
        .ok_or_else(|| missing("samtaletype has no total"))?;
    let sf_tot = sf
        .total_index()
        .ok_or_else(|| missing("samtaleform has no total"))?;
    let v = vocab();
    let digital_forms: Vec<usize> = (0..sf.categories.len())
        .filter(|&i| Some(i) != sf.total_index())
        .filter(|&i| {
            v.samtaleformer
                .lookup(&sf.categories[i].code)
                .is_some_and(|k| v.digital[k as usize])
        })
        .collect();
    let bands: Vec<usize> = p
        .scope
        .bands()
        .iter()
        .map(|b| {
            var.position(b)
                .ok_or_else(|| missing(&format!("varighed has no band {b}")))
        })
        .collect::<Result<_>>()?;
    let (lo, hi) = p.minutes;
    if lo > hi {
        return Err(bad("minutes: the low end is above the high end"));
    }
    let agreement = agreement_shares();
    if let Scenario::Custom(shares) = &p.scenario {
        for (code, _) in shares {
            if !agreement.iter().any(|(c, _, _)| c == code) {
                return Err(bad(format!(
                    "custom share for '{code}': not a benefit of SAMT01's finest level ({})",
                    agreement
                        .iter()
                        .map(|s| s.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
    }
    if !HOURLY_COST_RANGE.contains(&p.hourly_cost) {
        return Err(bad(format!(
            "hourly cost {}: a number of DKK from {} to {}",
            p.hourly_cost,
            HOURLY_COST_RANGE.start(),
            HOURLY_COST_RANGE.end()
        )));
    }
    let mut coords = vec![0usize; meta.dimensions.len()];
    coords[ia] = a;
    coords[it] = y;
    coords[ist] = st_tot;
    let mut groups = Vec::new();
    let mut hidden = Vec::new();
    for (code, agreed, _) in agreement {
        let Some(g) = yd.position(&code) else {
            continue;
        };
        coords[iy] = g;
        let (mut all, mut digital, mut complete) = (0.0, 0.0, true);
        for &b in &bands {
            coords[iv] = b;
            coords[isf] = sf_tot;
            match t.value(&coords, antal).num() {
                Some(n) => all += n,
                None => complete = false,
            }
            for &f in &digital_forms {
                coords[isf] = f;
                match t.value(&coords, antal).num() {
                    Some(n) => digital += n,
                    None => complete = false,
                }
            }
        }
        if !complete {
            hidden.push(code.clone());
            continue;
        }
        let observed = (all > 0.0).then(|| 100.0 * digital / all);
        let assumed = match &p.scenario {
            Scenario::Agreement => agreed,
            Scenario::AllDigital => 100.0,
            Scenario::Observed => observed.unwrap_or(0.0),
            Scenario::Custom(s) => s.iter().find(|(c, _)| *c == code).map_or(agreed, |x| x.1),
        };
        let (dig, saving_dkk, incremental_dkk) =
            group_saving(all, digital, assumed, p.minutes, p.hourly_cost);
        groups.push(Group {
            label: yd.categories[g].label_da.clone(),
            ydelse: code,
            conversations: all,
            observed_digital_pct: observed,
            assumed_digital_pct: assumed,
            digital_conversations: dig,
            saving_dkk,
            incremental_dkk,
            above_assumption: observed.is_some_and(|o| o >= assumed),
        });
    }
    let sum = |f: &dyn Fn(&Group) -> f64| groups.iter().map(f).sum::<f64>();
    let conversations = sum(&|g| g.conversations);
    let total = Total {
        conversations,
        digital_conversations: sum(&|g| g.digital_conversations),
        saving_dkk: Range {
            low: sum(&|g| g.saving_dkk.low),
            high: sum(&|g| g.saving_dkk.high),
        },
        incremental_dkk: Range {
            low: sum(&|g| g.incremental_dkk.low),
            high: sum(&|g| g.incremental_dkk.high),
        },
    };
    let per_hour = |minutes: f64| conversations * minutes / 60.0;
    let implied = Implied {
        hourly_cost_for_85m: (per_hour(lo) > 0.0).then(|| MINISTRY_LOW / per_hour(lo)),
        hourly_cost_for_130m: (per_hour(hi) > 0.0).then(|| MINISTRY_HIGH / per_hour(hi)),
        conversations_for_range: Range {
            low: if lo > 0.0 {
                MINISTRY_LOW / (lo / 60.0 * p.hourly_cost)
            } else {
                0.0
            },
            high: if hi > 0.0 {
                MINISTRY_HIGH / (hi / 60.0 * p.hourly_cost)
            } else {
                0.0
            },
        },
        all_digital_dkk: Range {
            low: saving(conversations, lo, p.hourly_cost),
            high: saving(conversations, hi, p.hourly_cost),
        },
    };
    let mut sensitivity = Vec::new();
    for minutes in [5.0, 10.0, 15.0, 20.0] {
        for share in [25.0, 35.0, 45.0, 100.0] {
            sensitivity.push(Sensitivity {
                minutes,
                share_pct: share,
                saving_dkk: saving(conversations * share / 100.0, minutes, p.hourly_cost),
            });
        }
    }
    let mut assumptions = vec![
        format!(
            "Published SAMT01 counts of release {} (as published, after disclosure control), year {}, area {} ({}).",
            rel.manifest.id, p.year, area.categories[a].code, area.categories[a].label_da
        ),
        match p.scope {
            Scope::SixMonths => "Scope: conversations whose benefit spell had lasted at least 26 weeks at the conversation (varighed 6-12 and 12+), as the minister's 'minimum seks måneders ledighed'.".to_string(),
            Scope::All => "Scope: every conversation, whatever the duration.".to_string(),
        },
        format!(
            "A digital conversation (telefon or video) saves {lo}–{hi} minutes of caseworker time in all (preparation, conversation, follow-up) against one in person; the minister's answer assumed 10–15."
        ),
        format!(
            "Caseworker time costs {} DKK an hour{}.",
            p.hourly_cost,
            if (p.hourly_cost - DEFAULT_HOURLY_COST).abs() < 1e-9 {
                " (the default: a municipal caseworker's pay with pension over productive hours, with overhead, 2021 level)"
            } else {
                " (given by the user)"
            }
        ),
        match &p.scenario {
            Scenario::Agreement => "Assumed digital shares: the 2021 agreement's (25 % ressourceforløb, ledighedsydelse, sygedagpenge, jobafklaring, aktivitetsparate; 35 % jobparate and uddannelsesparate; 45 % dagpenge); benefits it does not name (revalidering, forrevalidering, selvforsørgelse, target group not stated) take 25 %, its lowest share.".to_string(),
            Scenario::AllDigital => "Assumed digital share: 100 % of the conversations in scope (the minister's technical calculation).".to_string(),
            Scenario::Observed => "Assumed digital share: the share observed that year (no incremental saving).".to_string(),
            Scenario::Custom(s) => format!(
                "Assumed digital shares given by the user: {}; other benefits the agreement's.",
                s.iter().map(|(c, v)| format!("{c} {v} %")).collect::<Vec<_>>().join(", ")
            ),
        },
        "Saving = assumed digital conversations × minutes / 60 × hourly cost; incremental saving counts only the digital conversations above the observed share.".to_string(),
    ];
    let above: Vec<&str> = groups
        .iter()
        .filter(|g| g.above_assumption)
        .map(|g| g.ydelse.as_str())
        .collect();
    if !above.is_empty() {
        assumptions.push(format!(
            "Already at or above the assumed share, so no incremental saving: {}.",
            above.join(", ")
        ));
    }
    if !hidden.is_empty() {
        assumptions.push(format!(
            "Left out because a count in scope is not published (protection): {}.",
            hidden.join(", ")
        ));
    }
    Ok(Savings {
        release: rel.manifest.id.clone(),
        year: p.year.clone(),
        area: area.categories[a].code.clone(),
        area_label: area.categories[a].label_da.clone(),
        scope: p.scope,
        scenario: p.scenario.name().into(),
        minutes: Range { low: lo, high: hi },
        hourly_cost_dkk: p.hourly_cost,
        groups,
        total,
        implied,
        sensitivity,
        assumptions,
        custom_shares: match &p.scenario {
            Scenario::Custom(s) => s.clone(),
            _ => Vec::new(),
        },
        left_out: hidden,
    })
}

impl Savings {
    /// One row per group and a total row, in CSV, with the assumptions as comment lines first.
    pub fn to_csv(&self) -> String {
        // The assumptions as comment lines, then the table (written by the csv crate, which
        // quotes what needs it).
        let mut s = String::new();
        for a in &self.assumptions {
            s.push_str(&format!("# {}\n", a.replace(['\n', '\r'], " ")));
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        let f0 = |x: f64| format!("{x:.0}");
        let _ = w.write_record([
            "ydelse",
            "conversations",
            "observed_digital_pct",
            "assumed_digital_pct",
            "digital_conversations",
            "saving_dkk_low",
            "saving_dkk_high",
            "incremental_dkk_low",
            "incremental_dkk_high",
        ]);
        for g in &self.groups {
            let _ = w.write_record([
                g.ydelse.clone(),
                f0(g.conversations),
                g.observed_digital_pct
                    .map_or(String::new(), |v| format!("{v:.1}")),
                format!("{:.1}", g.assumed_digital_pct),
                f0(g.digital_conversations),
                f0(g.saving_dkk.low),
                f0(g.saving_dkk.high),
                f0(g.incremental_dkk.low),
                f0(g.incremental_dkk.high),
            ]);
        }
        let t = &self.total;
        let _ = w.write_record([
            "total".to_string(),
            f0(t.conversations),
            String::new(),
            String::new(),
            f0(t.digital_conversations),
            f0(t.saving_dkk.low),
            f0(t.saving_dkk.high),
            f0(t.incremental_dkk.low),
            f0(t.incremental_dkk.high),
        ]);
        s.push_str(&String::from_utf8_lossy(
            &w.into_inner().unwrap_or_default(),
        ));
        s
    }

    /// Aligned text for the terminal, in millions of DKK.
    pub fn to_text(&self) -> String {
        let m = |x: f64| format!("{:.1}", x / 1e6);
        let mut s = format!(
            "Savings from digital conversations, {} {} ({}), scope {}, scenario {}\n\n",
            self.area_label,
            self.year,
            self.area,
            match self.scope {
                Scope::SixMonths => "≥ 26 weeks",
                Scope::All => "all",
            },
            self.scenario
        );
        s.push_str(&format!(
            "{:<36} {:>12} {:>9} {:>9} {:>17} {:>17}\n",
            "ydelse", "conversations", "observed", "assumed", "saving (m DKK)", "incremental"
        ));
        for g in &self.groups {
            s.push_str(&format!(
                "{:<36} {:>12.0} {:>8} {:>8.0}% {:>17} {:>17}\n",
                g.ydelse,
                g.conversations,
                g.observed_digital_pct
                    .map_or("-".into(), |v| format!("{v:.1}%")),
                g.assumed_digital_pct,
                format!("{}–{}", m(g.saving_dkk.low), m(g.saving_dkk.high)),
                format!("{}–{}", m(g.incremental_dkk.low), m(g.incremental_dkk.high)),
            ));
        }
        let t = &self.total;
        s.push_str(&format!(
            "{:<36} {:>12.0} {:>9} {:>9} {:>17} {:>17}\n\n",
            "total",
            t.conversations,
            "",
            "",
            format!("{}–{}", m(t.saving_dkk.low), m(t.saving_dkk.high)),
            format!("{}–{}", m(t.incremental_dkk.low), m(t.incremental_dkk.high)),
        ));
        let i = &self.implied;
        s.push_str(&format!(
            "All conversations in scope digital: {}–{} m DKK (the minister: 85–130 m DKK).\n",
            m(i.all_digital_dkk.low),
            m(i.all_digital_dkk.high)
        ));
        if let (Some(a), Some(b)) = (i.hourly_cost_for_85m, i.hourly_cost_for_130m) {
            s.push_str(&format!(
                "85 and 130 m DKK imply an hourly cost of {a:.0} and {b:.0} DKK for these conversations, or {:.0} and {:.0} conversations at {} DKK.\n",
                i.conversations_for_range.low, i.conversations_for_range.high, self.hourly_cost_dkk
            ));
        }
        s.push_str("\nAssumptions:\n");
        for a in &self.assumptions {
            s.push_str(&format!("- {a}\n"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_checked() {
        assert_eq!(Params::parse_minutes("10-15").unwrap(), (10.0, 15.0));
        assert_eq!(Params::parse_minutes("12").unwrap(), (12.0, 12.0));
        assert!(Params::parse_minutes("15-10").is_err());
        assert!(Params::parse_minutes("ti").is_err());
        assert!(Scope::parse("6m").is_ok() && Scope::parse("7m").is_err());
        let s = Scenario::parse_shares("dagpenge:50,sygedagpenge:30", "shares").unwrap();
        assert_eq!(
            s,
            Scenario::Custom(vec![
                ("dagpenge".into(), 50.0),
                ("sygedagpenge".into(), 30.0)
            ])
        );
        let f = Scenario::parse_shares("ydelse;share\n# c\ndagpenge;40\n", "f.csv").unwrap();
        assert_eq!(f, Scenario::Custom(vec![("dagpenge".into(), 40.0)]));
        let e = Scenario::parse_shares("dagpenge:140", "shares").unwrap_err();
        assert!(e.to_string().contains("outside 0–100"), "{e}");
    }

    /// Worked by hand: 1,200 conversations, 300 of them digital (25 %), 45 % assumed → 540
    /// digital; 540 × 10 / 60 × 430 = 38,700 DKK and × 15 / 60 = 58,050 DKK; the 240 above the
    /// observed save 17,200 and 25,800 DKK. Already above the assumption: no incremental saving.
    #[test]
    fn one_group_worked_by_hand() {
        let (dig, s, inc) = group_saving(1200.0, 300.0, 45.0, (10.0, 15.0), 430.0);
        assert_eq!(dig, 540.0);
        assert_eq!((s.low, s.high), (38_700.0, 58_050.0));
        assert_eq!((inc.low, inc.high), (17_200.0, 25_800.0));
        let (_, s, inc) = group_saving(1200.0, 900.0, 45.0, (10.0, 15.0), 430.0);
        assert_eq!((inc.low, inc.high), (0.0, 0.0));
        assert!(s.low > 0.0);
    }

    /// Every finest benefit has a share, and only the three of the agreement.
    #[test]
    fn the_agreement_gives_25_35_or_45_per_cent() {
        let s = agreement_shares();
        assert_eq!(s.len(), 14);
        assert!(s.iter().all(|(_, p, _)| [25.0, 35.0, 45.0].contains(p)));
        assert_eq!(s.iter().find(|x| x.0 == "dagpenge").unwrap().1, 45.0);
    }
}
