//! Disclosure control of the citizen survey (SURV01): a cell whose base `n` is from 1 to the
//! threshold − 1 is not published, nor its share or interval. The same rule under every
//! protection level: the figures are estimates from a sample of volunteers (weighted, with
//! sampling error), not counts of a register, so they are not perturbed, and no secondary
//! suppression is needed for the shares (the weighted sums they come from are not published).

use samtalebank_model::is_kommune;
use samtalebank_tables::{CountStatus, Cube, DisclosureReport, LevelCost, Published, Text};

/// SURV01 as published.
pub fn protect_survey(cube: &Cube, threshold: u32) -> Published {
    let cells = cube.cells();
    let kn = cube.def.numbers.len();
    let mut status = vec![CountStatus::Published; cells];
    let mut numbers = cube.numbers.clone();
    let area = cube.def.var(samtalebank_model::Var::Omraade);
    let mut cost = [
        LevelCost {
            level: "land".into(),
            ..LevelCost::default()
        },
        LevelCost {
            level: "kommune".into(),
            ..LevelCost::default()
        },
    ];
    let shape = cube.shape();
    for (c, st) in status.iter_mut().enumerate() {
        let n = cube.counts[c];
        if n == 0 {
            continue;
        }
        let level = match area {
            Some(d) => {
                let stride: usize = shape[d + 1..].iter().product();
                let a = (c / stride) % shape[d];
                usize::from(is_kommune(&cube.dims[d].categories[a].code))
            }
            None => 0,
        };
        let lc = &mut cost[level];
        lc.cells += 1;
        lc.total += u64::from(n);
        if n < threshold {
            *st = CountStatus::Primary;
            numbers[c * kn..(c + 1) * kn].fill(f64::NAN);
            lc.suppressed_cells += 1;
            lc.primary_cells += 1;
            lc.suppressed_total += u64::from(n);
        }
    }
    Published {
        def: cube.def,
        dims: cube.dims.clone(),
        counts: cube.counts.clone(),
        status,
        numbers,
        report: DisclosureReport {
            cost: cost.to_vec(),
            audit: None,
        },
        note: note(threshold),
        notes: Vec::new(),
        nesting: None,
    }
}

fn note(threshold: u32) -> Text {
    Text {
        da: format!("Diskretionering: et svar med færre end {threshold} besvarelser i grundlaget (og flere end 0) vises ikke, hverken antal, andel eller konfidensinterval ('..'). Tallene er vægtede skøn fra en stikprøve og justeres ikke."),
        en: format!("Disclosure control: an answer with fewer than {threshold} respondents in its base (and more than 0) is not shown, neither the count, the share nor the interval ('..'). The figures are weighted estimates from a sample and are not adjusted."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use samtalebank_model::dims::{Category, Dimension};
    use samtalebank_tables::registry::SURV01;

    fn dim(id: &str, codes: &[&str]) -> Dimension {
        Dimension {
            id: id.into(),
            label_da: id.into(),
            label_en: id.into(),
            categories: codes
                .iter()
                .map(|c| Category {
                    code: c.to_string(),
                    label_da: c.to_string(),
                    label_en: c.to_string(),
                })
                .collect(),
            total: None,
            leaf_to_published: Vec::new(),
        }
    }

    #[test]
    fn a_base_below_the_threshold_hides_the_share_and_interval() {
        let cube = Cube {
            def: &SURV01,
            dims: vec![
                dim("spoergsmaal", &["q"]),
                dim("svar", &["a"]),
                dim("ydelse", &["tot"]),
                dim("omraade", &["000", "101", "147"]),
            ],
            counts: vec![7, 4, 0],
            keys: None,
            numbers: vec![
                50.0,
                20.0,
                80.0,
                25.0,
                3.0,
                70.0,
                f64::NAN,
                f64::NAN,
                f64::NAN,
            ],
        };
        let p = protect_survey(&cube, 5);
        assert_eq!(
            p.status,
            [
                CountStatus::Published,
                CountStatus::Primary,
                CountStatus::Published
            ]
        );
        assert_eq!(&p.numbers[..3], [50.0, 20.0, 80.0]);
        assert!(p.numbers[3..6].iter().all(|x| x.is_nan()));
        assert_eq!(p.report.cost[1].primary_cells, 1);
        assert_eq!(p.report.cost[1].cells, 1);
        assert!(p.note.en.contains("fewer than 5"));
    }
}
