//! Disclosure control: what of a table's true counts may be published.
//!
//! The engine's [`Cube`]s come in; [`Published`] counts come out, with what protecting them
//! cost and the note that tells readers what was done. The levels (`model::Protection`):
//!
//! - `ckm` (the default): the cell key method (`ckm/`): every count perturbed from its records'
//!   keys by a perturbation table; nothing suppressed;
//! - `primary`: counts from 1 to the threshold − 1 are suppressed;
//! - `lines`, `intervals`, `lp`, `full`: secondary suppression on top (`suppress.rs` and its
//!   modules), so that no suppressed count can be recovered by subtraction, by chaining
//!   relations, or by linear programming. The LP audit (`lp`) needs the cargo feature `lp`
//!   (the HiGHS solver, built from C++).
//!
//! Every rule of a table (its hierarchies, its counts as sums of atoms, when a count is
//! available) comes from its registry definition.

pub mod ckm;
mod levels;
mod suppress;
mod survey;

use samtalebank_model::Protection;
use samtalebank_tables::{Cube, Published, Source, TableDef, Text};

pub use suppress::AtomValues;
pub use survey::protect_survey;

/// The LP audit's default budget: the largest sub-table it solves, in published counts (cells
/// times counts per cell). Sub-tables with more are not audited (their sub-tables are). 4,500
/// takes every slice the attacker tests whole: SAMT01's country × a year and its quarters ×
/// type × form × duration (3,600 × 1), SAMT02's region with its municipalities × a year and
/// its quarters × benefit (900 × 5), SAMT03's 1,620 × 2.
pub const LP_BUDGET: usize = 4500;

/// How to protect a release's tables.
#[derive(Debug, Clone)]
pub struct Options {
    /// Counts from 1 up to (not including) this are not published.
    pub threshold: u32,
    pub protection: Protection,
    /// With `Protection::Lp`: the largest sub-table the LP audit solves, in published counts.
    pub lp_budget: usize,
    /// The first and last day of data (days since 1970-01-01): when counts are available.
    pub data_start: i32,
    pub data_end: i32,
}

/// Why disclosure control could not be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DisclosureError {
    /// `--protection lp` in a binary built without the LP audit.
    #[error("this samtalebank was built without the LP audit: build it with `cargo build --release --features lp` (needs CMake and a C++ compiler)")]
    LpNotBuilt,
    /// A table derived from published ones was given to be protected itself.
    #[error("{0} is derived from published tables, not protected itself")]
    Derived(String),
    /// The cell key method cannot be applied (its perturbation table, or a cube without keys).
    #[error("{0}")]
    CellKey(String),
}

/// The cell key method's parameters for a threshold (what a release records).
pub fn ckm_params(threshold: u32) -> Result<samtalebank_tables::CkmParams, DisclosureError> {
    Ok(ckm::params(&ckm::PTable::new(ckm::Params::for_threshold(
        threshold,
    ))?))
}

/// Can this binary apply the level? (`lp` needs the cargo feature `lp`.)
pub fn supported(p: Protection) -> Result<(), DisclosureError> {
    if p == Protection::Lp && !cfg!(feature = "lp") {
        return Err(DisclosureError::LpNotBuilt);
    }
    Ok(())
}

/// Protect every table (each on its own thread; each result is deterministic). Tables derived
/// from other published tables (BENCH01) are not protected here: they are computed from the
/// output.
pub fn protect(cubes: &[Cube], opts: &Options) -> Result<Vec<Published>, DisclosureError> {
    supported(opts.protection)?;
    if let Some(c) = cubes
        .iter()
        .find(|c| matches!(c.def.source, Source::Derived(_)))
    {
        return Err(DisclosureError::Derived(c.def.id.to_string()));
    }
    let out = if opts.protection == Protection::Ckm {
        let table = ckm::PTable::new(ckm::Params::for_threshold(opts.threshold))?;
        cubes
            .iter()
            .map(|cube| ckm::perturb(cube, &table))
            .collect::<Result<Vec<Published>, DisclosureError>>()?
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = cubes
                .iter()
                .map(|cube| s.spawn(move || levels::suppress(cube, opts)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect::<Vec<Published>>()
        })
    };
    Ok(out
        .into_iter()
        .map(|mut p| {
            p.note = note(p.def, opts.threshold, opts.protection);
            p
        })
        .collect())
}

/// The worst of a set of count statuses (for counts derived from several others).
pub fn worst(
    statuses: impl IntoIterator<Item = samtalebank_tables::CountStatus>,
) -> samtalebank_tables::CountStatus {
    statuses
        .into_iter()
        .fold(samtalebank_tables::CountStatus::Published, levels::worse)
}

/// What suppression costs a table derived from published ones (BENCH01), per area level.
pub fn derived_cost(p: &Published) -> Vec<samtalebank_tables::LevelCost> {
    levels::suppression_cost(p, p.stride())
}

#[cfg(feature = "lp")]
fn lp_audit(grid: &mut suppress::Grid, cube: &Cube, budget: usize) -> suppress::LpStats {
    use samtalebank_model::Var;
    // Sub-tables take a group of the area and time variables at a time.
    let grouped: Vec<bool> = cube
        .def
        .vars
        .iter()
        .map(|v| matches!(v, Var::Omraade | Var::Tid))
        .collect();
    grid.audit_lp(&grouped, budget)
}

#[cfg(not(feature = "lp"))]
fn lp_audit(_: &mut suppress::Grid, _: &Cube, _: usize) -> suppress::LpStats {
    unreachable!("`supported` refuses the LP audit without the feature") // ok: checked in `protect`
}

/// The disclosure-control note (the first note of every table) for the rule a release applied.
pub fn note(def: &TableDef, threshold: u32, protection: Protection) -> Text {
    let text = |da: String, en: String| Text { da, en };
    if protection == Protection::Ckm {
        let js = threshold.saturating_sub(1);
        let p = ckm::Params::for_threshold(threshold);
        let min = ckm::MIN_DENOMINATOR.max(threshold);
        let derived = matches!(def.source, Source::Derived(_));
        let (extra_da, extra_en) = if derived {
            (" Værdierne er beregnet af de justerede antal i kildetabellerne (SAMT01, SAMT02, SAMT03), så et tal er det samme overalt.".to_string(),
             " The values are computed from the adjusted counts of the source tables (SAMT01, SAMT02, SAMT03), so a figure is the same everywhere.".to_string())
        } else {
            (String::new(), String::new())
        };
        return text(
            format!("Diskretionering: tallene er justeret en smule (højst ±{d}), så ingen person kan genkendes. Antal fra 1 til {js} vises aldrig; et 0 kan derfor dække over et lille antal. Hver celle er justeret for sig, så totaler kan afvige lidt fra summen af deres dele. De samme personer og samtaler giver altid det samme tal. Andele beregnes af de justerede antal; en andel med færre end {min} i nævneren vises som '..'.{extra_da}", d = p.d),
            format!("Disclosure control: the figures are slightly adjusted (by at most ±{d}) so that no one can be identified. Counts from 1 to {js} never appear; a 0 can therefore stand for a small count. Each cell is adjusted on its own, so totals may differ slightly from the sum of their parts. The same persons and conversations always give the same figure. Shares are computed from the adjusted counts; a share with fewer than {min} in its denominator is shown as '..'.{extra_en}", d = p.d),
        );
    }
    if matches!(def.source, Source::Derived(_)) {
        return text(
            format!("Diskretionering: værdier beregnet af antal under {threshold} (og over 0) vises som '..' og får ingen rang. En værdi vises kun, når dens tæller og nævner er offentliggjort i kildetabellen (SAMT01, SAMT02 eller SAMT03)."),
            format!("Disclosure control: values computed from counts below {threshold} (and above 0) are shown as '..' and get no rank. A value is shown only when its numerator and denominator are published in the source table (SAMT01, SAMT02 or SAMT03)."),
        );
    }
    let mut da = format!("Diskretionering: antal under {threshold} (og over 0) offentliggøres ikke og vises som '..'; det samme gælder andele beregnet af dem.");
    let mut en = format!("Disclosure control: counts below {threshold} (and above 0) are not published and are shown as '..', as are shares computed from them.");
    let (more_da, more_en) = match protection {
        Protection::Full => (
            " Sekundær diskretionering: flere celler er skjult, så intet skjult antal kan regnes tilbage fra totaler, delsummer og andre tabeller, og ingen kan vise, at et skjult antal er under grænsen.",
            " Secondary suppression: further cells are hidden so that no hidden count can be recovered from totals, subtotals or other tables, nor shown to be below the threshold.",
        ),
        Protection::Intervals | Protection::Lp => (
            " Sekundær diskretionering: flere celler er skjult, så intet skjult antal kan findes ved at trække de viste dele fra totalen, heller ikke ved at kæde totaler og delsummer sammen, og så ingen kan vise, at et skjult antal er under grænsen. Forskelle mellem indlejrede mål (fx varet 13 uger minus samtale inden 13 uger) er også beskyttet.",
            " Secondary suppression: further cells are hidden so that no hidden count can be found by subtracting the published parts from their total, nor by chaining totals and subtotals, nor shown to be below the threshold that way. Differences of nested measures (e.g. lasted 13 weeks minus conversation within 13 weeks) are protected too.",
        ),
        Protection::Lines => (
            " Sekundær diskretionering: flere celler er skjult, så ingen total har netop én skjult del, og intet skjult antal kan findes ved at trække de viste dele fra totalen.",
            " Secondary suppression: further cells are hidden so that no total has exactly one hidden part, and no hidden count can be found by subtracting the published parts from their total.",
        ),
        Protection::Ckm | Protection::Primary => (
            " Denne udgivelse har kun primær diskretionering: et skjult antal kan i nogle tilfælde regnes tilbage fra totaler.",
            " This release applies primary suppression only: a hidden count can in some cases be recovered from totals.",
        ),
    };
    da.push_str(more_da);
    en.push_str(more_en);
    if protection == Protection::Lp {
        da.push_str(" Desuden er hver deltabel (et område med dets underområder, en periode med dens delperioder) kontrolleret ved lineær programmering over alle dens summer på én gang.");
        en.push_str(" Moreover, every sub-table (an area with its parts, a period with its sub-periods) has been checked by linear programming over all of its sums at once.");
    }
    text(da, en)
}
