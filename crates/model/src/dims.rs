//! The published dimensions (docs/spec.md §3.1): code lists with labels, and for each the mapping from
//! the engine's leaf codes to every published code the leaf counts towards (itself, its
//! parents and the total). The mapping is what makes totals consistent with their parts.

use crate::time;
use crate::vocab::vocab;

#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    pub code: String,
    pub label_da: String,
    pub label_en: String,
}

#[derive(Debug, Clone)]
pub struct Dimension {
    /// Variable code (`omraade`, `tid`, ...).
    pub id: String,
    pub label_da: String,
    pub label_en: String,
    pub categories: Vec<Category>,
    /// Index of the total ("i alt") category, the value used when the variable is not selected.
    pub total: Option<usize>,
    /// For each leaf the engine counts by: the indices of the published categories it adds to.
    pub leaf_to_published: Vec<Vec<u32>>,
}

impl Dimension {
    pub fn len(&self) -> usize {
        self.categories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
    }

    pub fn position(&self, code: &str) -> Option<usize> {
        self.categories
            .iter()
            .position(|c| c.code.eq_ignore_ascii_case(code))
    }

    /// Per category: the leaves that roll up to it.
    pub fn leaves_under(&self) -> Vec<Vec<usize>> {
        let mut under = vec![Vec::new(); self.len()];
        for (l, targets) in self.leaf_to_published.iter().enumerate() {
            for &t in targets {
                under[t as usize].push(l);
            }
        }
        under
    }
}

/// The code of the whole country.
pub const COUNTRY: &str = "000";

fn cat(code: impl Into<String>, da: impl Into<String>, en: impl Into<String>) -> Category {
    Category {
        code: code.into(),
        label_da: da.into(),
        label_en: en.into(),
    }
}

/// `omraade`: 000, the regions 1081–1085, then the 98 municipalities. Leaves = municipalities.
pub fn area() -> Dimension {
    let k = &vocab().kommuner;
    let mut categories = vec![cat(COUNTRY, "Hele landet", "All of Denmark")];
    for r in &k.regions {
        categories.push(cat(r.code.to_string(), r.name.clone(), r.name.clone()));
    }
    let first_kommune = categories.len() as u32;
    for m in &k.list {
        categories.push(cat(m.code.to_string(), m.name.clone(), m.name.clone()));
    }
    let leaf_to_published = k
        .list
        .iter()
        .enumerate()
        .map(|(i, m)| vec![first_kommune + i as u32, 1 + m.region as u32, 0])
        .collect();
    Dimension {
        id: "omraade".into(),
        label_da: "område".into(),
        label_en: "area".into(),
        categories,
        total: Some(0),
        leaf_to_published,
    }
}

/// `tid`: years, then quarters, then months from `first_month` to `last_month` (absolute month
/// numbers, see [`time::month_of`]). Leaves = months.
pub fn period(first_month: i32, last_month: i32) -> Dimension {
    let months: Vec<i32> = (first_month..=last_month).collect();
    let mut years: Vec<i32> = months.iter().map(|m| m.div_euclid(12)).collect();
    years.dedup();
    let mut quarters: Vec<i32> = months.iter().map(|m| m.div_euclid(3)).collect();
    quarters.dedup();
    let mut categories = Vec::new();
    for y in &years {
        categories.push(cat(y.to_string(), y.to_string(), y.to_string()));
    }
    for q in &quarters {
        let c = time::quarter_code(q * 3);
        categories.push(cat(c.clone(), c.clone(), c.replace('K', "Q")));
    }
    for m in &months {
        let c = time::month_code(*m);
        categories.push(cat(c.clone(), c.clone(), c));
    }
    let leaf_to_published = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let y = years
                .iter()
                .position(|y| *y == m.div_euclid(12))
                .unwrap_or(0);
            let q = quarters
                .iter()
                .position(|q| *q == m.div_euclid(3))
                .unwrap_or(0);
            vec![
                (years.len() + quarters.len() + i) as u32,
                (years.len() + q) as u32,
                y as u32,
            ]
        })
        .collect();
    Dimension {
        id: "tid".into(),
        label_da: "tid".into(),
        label_en: "time".into(),
        categories,
        total: None,
        leaf_to_published,
    }
}

/// `ydelse`: tot, then each group followed by its target-group children. Leaves = ydelse leaves.
pub fn ydelse() -> Dimension {
    let y = &vocab().ydelser;
    let mut categories = vec![cat("tot", "Alle ydelser", "All benefits")];
    for p in &y.published {
        categories.push(cat(p.code.clone(), p.label_da.clone(), p.label_en.clone()));
    }
    let leaf_to_published = y
        .leaves
        .iter()
        .map(|l| {
            let own = 1 + y
                .published
                .iter()
                .position(|p| p.code == l.code)
                .unwrap_or(0) as u32;
            let group_code = y.groups.code(l.group);
            let group = 1 + y
                .published
                .iter()
                .position(|p| p.code == group_code)
                .unwrap_or(0) as u32;
            if own == group {
                vec![own, 0]
            } else {
                vec![own, group, 0]
            }
        })
        .collect();
    Dimension {
        id: "ydelse".into(),
        label_da: "ydelse".into(),
        label_en: "benefit".into(),
        categories,
        total: Some(0),
        leaf_to_published,
    }
}

fn flat(
    id: &str,
    da: &str,
    en: &str,
    tot_da: &str,
    tot_en: &str,
    leaves: Vec<Category>,
) -> Dimension {
    let mut categories = vec![cat("tot", tot_da, tot_en)];
    let n = leaves.len();
    categories.extend(leaves);
    Dimension {
        id: id.into(),
        label_da: da.into(),
        label_en: en.into(),
        categories,
        total: Some(0),
        leaf_to_published: (0..n).map(|i| vec![1 + i as u32, 0]).collect(),
    }
}

pub fn samtaletype() -> Dimension {
    let v = &vocab().samtaletyper;
    flat(
        "samtaletype",
        "samtaletype",
        "type of conversation",
        "Alle samtaletyper",
        "All types",
        v.entries
            .iter()
            .map(|e| cat(e.code.clone(), e.label_da.clone(), e.label_en.clone()))
            .collect(),
    )
}

pub fn samtaleform() -> Dimension {
    let v = &vocab().samtaleformer;
    flat(
        "samtaleform",
        "samtaleform",
        "form of conversation",
        "Alle samtaleformer",
        "All forms",
        v.entries
            .iter()
            .map(|e| cat(e.code.clone(), e.label_da.clone(), e.label_en.clone()))
            .collect(),
    )
}

/// The categories of a `samtaleform` dimension that count as digital (phone, video).
pub fn digital_forms(form: &Dimension) -> Vec<usize> {
    let v = vocab();
    (0..form.len())
        .filter(|&f| {
            Some(f) != form.total
                && v.samtaleformer
                    .lookup(&form.categories[f].code)
                    .is_some_and(|i| v.digital[i as usize])
        })
        .collect()
}

pub fn varighed() -> Dimension {
    flat(
        "varighed",
        "ledighedsvarighed",
        "duration",
        "Alle varigheder",
        "All durations",
        (0..5)
            .map(|i| {
                cat(
                    time::BAND_CODES[i],
                    time::BAND_LABELS_DA[i],
                    time::BAND_LABELS_EN[i],
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_has_country_regions_and_98_kommuner() {
        let a = area();
        assert_eq!(a.len(), 1 + 5 + 98);
        assert_eq!(a.categories[1].code, "1081");
        assert_eq!(a.categories[5].code, "1085");
        assert_eq!(a.categories[6].code, "101");
        // Randers (730) adds to itself, Region Midtjylland (1082) and the country.
        let randers = vocab().kommuner.lookup("730").unwrap() as usize;
        let targets: Vec<&str> = a.leaf_to_published[randers]
            .iter()
            .map(|&i| a.categories[i as usize].code.as_str())
            .collect();
        assert_eq!(targets, ["730", "1082", "000"]);
    }

    #[test]
    fn ydelse_children_roll_up_to_group_and_total() {
        let y = ydelse();
        assert_eq!(y.len(), 17);
        let codes = |leaf: usize| -> Vec<&str> {
            y.leaf_to_published[leaf]
                .iter()
                .map(|&i| y.categories[i as usize].code.as_str())
                .collect()
        };
        let leaves = &vocab().ydelser.leaves;
        assert_eq!(leaves.len(), 14);
        let kj = leaves
            .iter()
            .position(|l| l.code == "kontanthjaelp_jobparat")
            .unwrap();
        assert_eq!(
            codes(kj),
            ["kontanthjaelp_jobparat", "kontanthjaelp", "tot"]
        );
        let dp = leaves.iter().position(|l| l.code == "dagpenge").unwrap();
        assert_eq!(codes(dp), ["dagpenge", "tot"]);
    }

    #[test]
    fn periods_cover_years_quarters_months() {
        let p = period(2023 * 12, 2024 * 12 + 11);
        assert_eq!(p.len(), 2 + 8 + 24);
        let targets: Vec<&str> = p.leaf_to_published[13]
            .iter()
            .map(|&i| p.categories[i as usize].code.as_str())
            .collect();
        assert_eq!(targets, ["2024M02", "2024K1", "2024"]);
    }
}
