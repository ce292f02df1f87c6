//! BENCH01 — benchmark of municipalities. Twin: `sql/BENCH01.sql` (over the other twins).
//!
//! For each indicator (the shares of SAMT01–03), area, period and benefit: the numerator and the
//! denominator the share is computed from, taken from the other tables' cubes. The release
//! derives the value, the national value, the rank among the 98 municipalities and the
//! differences to the country and to the rest of the country from these two counts.

use samtalebank_model::dims::{Category, Dimension};

use crate::Cube;

/// The indicators, in order: (code, Danish label, English label).
pub const INDICATORS: [(&str, &str, &str); 4] = [
    (
        "digital_pct",
        "Andel telefon- og videosamtaler (SAMT01)",
        "Share by phone or video (SAMT01)",
    ),
    (
        "pct6",
        "Første samtale inden for 6 uger (SAMT02)",
        "First conversation within 6 weeks (SAMT02)",
    ),
    (
        "pct13",
        "Første samtale inden for 13 uger (SAMT02)",
        "First conversation within 13 weeks (SAMT02)",
    ),
    (
        "intensitet",
        "Mindst 2 samtaler i 13 uger (SAMT03)",
        "At least 2 conversations in 13 weeks (SAMT03)",
    ),
];

fn indicator_dim() -> Dimension {
    Dimension {
        id: "indikator".into(),
        label_da: "indikator".into(),
        label_en: "indicator".into(),
        categories: INDICATORS
            .iter()
            .map(|(c, da, en)| Category {
                code: c.to_string(),
                label_da: da.to_string(),
                label_en: en.to_string(),
            })
            .collect(),
        total: None,
        leaf_to_published: Vec::new(),
    }
}

/// Numerator and denominator per indicator, area, period and benefit. Periods are SAMT01's; a
/// period missing from SAMT02 or SAMT03 gets zeros there.
pub fn bench01(samt01: &Cube, samt02: Option<&Cube>, samt03: Option<&Cube>) -> Cube {
    let area = samt01.dims[0].clone();
    let tid = samt01.dims[1].clone();
    let ydelse = samt01.dims[2].clone();
    let (na, nt, ny) = (area.len(), tid.len(), ydelse.len());
    let mut counts = vec![0u32; INDICATORS.len() * na * nt * ny * 2];
    let cell = |i: usize, a: usize, t: usize, y: usize| (((i * na + a) * nt + t) * ny + y) * 2;
    // SAMT01: type, form and duration at their totals; digital = the digital forms.
    let form = &samt01.dims[4];
    let form_tot = form.total.unwrap_or(0);
    let digital = samtalebank_model::dims::digital_forms(form);
    let tot = |d: usize| samt01.dims[d].total.unwrap_or(0);
    for a in 0..na {
        for t in 0..nt {
            for y in 0..ny {
                let at = |f: usize| samt01.counts[samt01.index(&[a, t, y, tot(3), f, tot(5)])];
                let c = cell(0, a, t, y);
                counts[c] = digital.iter().map(|&f| at(f)).sum();
                counts[c + 1] = at(form_tot);
            }
        }
    }
    // SAMT02 and SAMT03: same area and benefit categories; periods matched by code.
    let mut from = |i: usize, cube: &Cube, num: &str, den: &str| {
        let k = cube.values.len();
        let (vn, vd) = (
            cube.values.iter().position(|v| v == num).unwrap_or(0),
            cube.values.iter().position(|v| v == den).unwrap_or(0),
        );
        for (t, cat) in tid.categories.iter().enumerate() {
            let Some(t2) = cube.dims[1].position(&cat.code) else {
                continue;
            };
            for a in 0..na {
                for y in 0..ny {
                    let src = cube.index(&[a, t2, y]) * k;
                    let c = cell(i, a, t, y);
                    counts[c] = cube.counts[src + vn];
                    counts[c + 1] = cube.counts[src + vd];
                }
            }
        }
    };
    if let Some(c) = samt02 {
        from(1, c, "samtale6", "varet6");
        from(2, c, "samtale13", "varet13");
    }
    if let Some(c) = samt03 {
        from(3, c, "med2", "personer");
    }
    Cube {
        dims: vec![indicator_dim(), area, tid, ydelse],
        values: vec!["taeller".into(), "naevner".into()],
        counts,
        hidden: 0,
    }
}
