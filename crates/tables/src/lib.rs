//! What a published table is: the table registry (one definition per table, with its text in
//! `data/*.toml`) and the in-memory forms of a table's cells that the stages hand on: the
//! engine's [`Cube`] of true counts and disclosure control's [`Published`] counts.

pub mod cube;
pub mod registry;
pub mod report;

pub use cube::{flat_index, CountStatus, Cube, Nesting, Published};
pub use registry::{
    table, Availability, Count, CountKind, Derive, Indicator, Measure, PageLayout, Source,
    TableDef, TableText, Text, TABLES,
};
pub use report::{AuditStats, CkmParams, DisclosureReport, LevelCost};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_its_text_and_every_measure_a_label() {
        for t in TABLES {
            let text = t.text();
            assert!(
                !text.title.da.is_empty() && !text.title.en.is_empty(),
                "{}",
                t.id
            );
            for m in t.measures {
                assert!(text.measures.contains_key(m.code), "{}: {}", t.id, m.code);
            }
            assert_eq!(text.measures.len(), t.measures.len(), "{}", t.id);
            for i in t.indicators() {
                assert!(text.indicators.contains_key(i.code), "{}", i.code);
            }
        }
    }

    #[test]
    fn measures_name_existing_counts() {
        for t in TABLES {
            for m in t.measures {
                let names: Vec<&str> = match m.derive {
                    Derive::Count(c) => vec![c],
                    Derive::Share { num, den } => vec![num, den],
                    Derive::ShareOfTotal { count, var } => {
                        assert!(t.var(var).is_some());
                        vec![count]
                    }
                    _ => vec![],
                };
                for n in names {
                    let c = t
                        .count(n)
                        .unwrap_or_else(|| panic!("{}: no count {n}", t.id));
                    assert!(t.counts[c].published, "{}: {n} is not published", t.id);
                }
            }
        }
    }

    #[test]
    fn counts_summed_of_atoms_come_first() {
        // Disclosure control protects the published sums of atoms as the first counts of a cell.
        for t in TABLES {
            let first_other = t
                .counts
                .iter()
                .position(|c| !c.published || !matches!(c.kind, CountKind::Atoms(_)))
                .unwrap_or(t.counts.len());
            assert!(
                t.counts[first_other..]
                    .iter()
                    .all(|c| !(c.published && matches!(c.kind, CountKind::Atoms(_)))),
                "{}",
                t.id
            );
            for c in t.counts {
                if let CountKind::Atoms(a) = c.kind {
                    assert!(a.iter().all(|&x| x < t.atoms), "{}: {}", t.id, c.code);
                }
            }
        }
    }

    #[test]
    fn nesting_follows_the_atoms() {
        let s = &registry::SAMT02;
        let names = |c: &str| -> Vec<&str> {
            s.nested_in(s.count(c).unwrap())
                .into_iter()
                .map(|i| s.counts[i].code)
                .collect()
        };
        assert_eq!(names("startet"), Vec::<&str>::new());
        assert_eq!(names("varet6"), ["startet"]);
        assert_eq!(names("samtale6"), ["startet", "varet6"]);
        assert_eq!(names("samtale13"), ["startet", "varet6", "varet13"]);
        let s1 = &registry::SAMT01;
        assert_eq!(s1.nested_in(s1.count("digital").unwrap()), [0]);
        assert_eq!(table("samt03").map(|t| t.id), Some("SAMT03"));
        assert!(table("SAMT99").is_none());
    }
}
