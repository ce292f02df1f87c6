//! Benchmark analyses over the current release.
//!
//! Usage: samtalebank benchmark gap --releases DIR --group GROUP --indicator IND
//!            [--ydelse tot] [--periode aar|kvartal|maaned] [--save NAME] [--csv]
//!
//! GROUP is municipality codes (`101,147,151`), a rule (`lowest:15:pct13:2019M11` = the 15
//! municipalities with the lowest 13-week timeliness in November 2019; also `highest:`), or
//! `@NAME` for a group saved with --save. IND is digital_pct, pct6, pct13 or intensitet. Prints,
//! per period, the group's share, the rest of the country's share and the gap in percentage
//! points. Suppressed values print as `..`, not yet available as `.`.

use std::path::PathBuf;

use samtalebank_analysis::gap;
use samtalebank_model::{PeriodKind, Var};
use samtalebank_release::{Release, Value};

/// Benchmark analyses: the gap between a group of municipalities and the rest of the country.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand, Debug)]
enum Sub {
    /// The gap between a group of municipalities and the rest of the country over time.
    Gap(GapArgs),
}

#[derive(clap::Args, Debug)]
struct GapArgs {
    /// The releases directory; the current release is read.
    #[arg(long)]
    releases: PathBuf,
    /// Municipality codes, a rule like lowest:15:pct13:2019M11, or @NAME of a saved group.
    #[arg(long)]
    group: String,
    /// digital_pct, pct6, pct13 or intensitet.
    #[arg(long)]
    indicator: String,
    /// Benefit group or benefit code (`tot` for all).
    #[arg(long, default_value = "tot")]
    ydelse: String,
    /// The periods: aar, kvartal or maaned.
    #[arg(long, default_value = "maaned", value_parser = PeriodKind::parse)]
    periode: PeriodKind,
    /// Save the group definition under this name (use it later as @NAME).
    #[arg(long)]
    save: Option<String>,
    /// Comma-separated output instead of an aligned table.
    #[arg(long)]
    csv: bool,
}

pub fn run(a: Args) -> super::Result {
    let Sub::Gap(g) = a.command;
    let rel = Release::open_current(&g.releases).map_err(|e| e.to_string())?;
    let bench = rel
        .table(samtalebank_tables::registry::BENCH01.id)
        .ok_or("the current release has no BENCH01 table")?;
    let saved = gap::load_groups(&g.releases)?;
    let members = gap::resolve(bench, &g.group, &saved)?;
    if let Some(name) = &g.save {
        gap::save_group(&g.releases, name, &g.group)?;
        eprintln!("saved group '{name}' = {}", g.group);
    }
    let points = gap::series(bench, &members, &g.indicator, &g.ydelse, g.periode)?;
    let area = bench.meta.require(Var::Omraade)?.1;
    let codes: Vec<&str> = members
        .iter()
        .map(|&i| area.categories[i].code.as_str())
        .collect();
    eprintln!(
        "group ({} municipalities): {}",
        codes.len(),
        codes.join(",")
    );
    let f = |v: Value| samtalebank_pxweb::format_value(v, 1, false);
    if g.csv {
        println!("tid,gruppe,resten,forskel_pp");
        for p in &points {
            println!("{},{},{},{}", p.tid, f(p.group), f(p.rest), f(p.gap));
        }
    } else {
        println!(
            "{:<8} {:>8} {:>8} {:>10}",
            "tid", "gruppe", "resten", "forskel"
        );
        for p in &points {
            println!(
                "{:<8} {:>8} {:>8} {:>10}",
                p.tid,
                f(p.group),
                f(p.rest),
                f(p.gap)
            );
        }
    }
    Ok(())
}
