//! SAMT01 on a small hand-made fixture whose every number is worked out by hand: the covering
//! spell rule, band boundaries (day 90/91, 363/364), uncovered conversations, roll-ups.

use samtalebank_engine::samt01;
use samtalebank_model::{time, vocab};
use samtalebank_store::{ForloebColumns, SamtaleColumns, OPEN_END};

fn d(s: &str) -> i32 {
    time::parse_date(s).unwrap()
}
fn leaf(code: &str) -> u8 {
    vocab()
        .ydelser
        .leaves
        .iter()
        .position(|l| l.code == code)
        .unwrap() as u8
}
fn kommune(code: &str) -> u8 {
    vocab().kommuner.lookup(code).unwrap()
}

struct Conv(i64, &'static str, &'static str, &'static str, &'static str);

fn fixture() -> (SamtaleColumns, ForloebColumns) {
    let v = vocab();
    let mut f = ForloebColumns::default();
    for (p, y, s, e) in [
        (1, "dagpenge", "2023-01-01", None),
        (1, "sygedagpenge", "2023-03-01", Some("2023-03-31")),
        (3, "dagpenge", "2022-01-01", Some("2022-12-31")),
    ] {
        f.person.push(p);
        f.rkey
            .push(1_000_000_007u32.wrapping_mul(f.person.len() as u32));
        f.pkey.push((p) as u32 ^ 0x9e37_79b9);
        f.kommune.push(kommune("101"));
        f.ydelse.push(leaf(y));
        f.start.push(d(s));
        f.slut.push(e.map(d).unwrap_or(OPEN_END));
    }
    let convs = [
        // person, date, ydelse leaf, kommune, form
        Conv(1, "2023-03-15", "dagpenge", "101", "telefon"), // same group: dagpenge from 01-01, day 73 → 0-3
        Conv(1, "2023-03-15", "sygedagpenge", "101", "video"), // same group: day 14 → 0-3
        Conv(1, "2023-04-02", "kontanthjaelp_jobparat", "101", "fysisk"), // no same group; dagpenge day 91 → 3-6
        Conv(1, "2023-04-01", "dagpenge", "730", "fysisk"), // day 90 → 0-3, in Randers
        Conv(2, "2023-04-01", "dagpenge", "730", "anden"),  // no spells → uoplyst
        Conv(1, "2022-12-31", "dagpenge", "101", "telefon"), // before the spell → uoplyst
        Conv(3, "2022-12-31", "dagpenge", "101", "fysisk"), // day 364 → 12+
        Conv(3, "2022-12-30", "dagpenge", "101", "fysisk"), // day 363 → 6-12
    ];
    let mut s = SamtaleColumns::default();
    for c in convs {
        s.person.push(c.0);
        s.rkey
            .push(2_654_435_761u32.wrapping_mul(s.person.len() as u32));
        s.pkey.push((c.0) as u32 ^ 0x9e37_79b9);
        s.dato.push(d(c.1));
        s.ydelse.push(leaf(c.2));
        s.kommune.push(kommune(c.3));
        s.samtaletype
            .push(v.samtaletyper.lookup("jobsamtale").unwrap());
        s.samtaleform.push(v.samtaleformer.lookup(c.4).unwrap());
    }
    (s, f)
}

#[test]
fn duration_bands_follow_the_covering_spell_rule() {
    let (s, f) = fixture();
    let c = samt01(&s, &f).unwrap();
    let get = |a: &str, t: &str, y: &str, form: &str, band: &str| {
        c.get(&[a, t, y, "tot", form, band], "antal").unwrap()
    };
    // 2023, whole country: 0-3 = three (03-15 ×2, 04-01 in Randers), 3-6 = one, uoplyst = one.
    assert_eq!(get("000", "2023", "tot", "tot", "0-3"), 3);
    assert_eq!(get("000", "2023", "tot", "tot", "3-6"), 1);
    assert_eq!(get("000", "2023", "tot", "tot", "uoplyst"), 1);
    assert_eq!(get("000", "2023", "tot", "tot", "tot"), 5);
    // 2022: 12+ (day 364), 6-12 (day 363), uoplyst (before the spell).
    assert_eq!(get("000", "2022", "tot", "tot", "12+"), 1);
    assert_eq!(get("000", "2022", "tot", "tot", "6-12"), 1);
    assert_eq!(get("000", "2022", "tot", "tot", "uoplyst"), 1);
    // The kontanthjælp conversation takes its band from the dagpenge spell.
    assert_eq!(
        get("000", "2023M04", "kontanthjaelp_jobparat", "tot", "3-6"),
        1
    );
    assert_eq!(get("000", "2023M04", "kontanthjaelp", "tot", "3-6"), 1);
    // Area hierarchy: Randers (730) is in Region Midtjylland (1082); København in Hovedstaden.
    assert_eq!(get("730", "2023", "tot", "tot", "tot"), 2);
    assert_eq!(get("1082", "2023", "tot", "tot", "tot"), 2);
    assert_eq!(get("1084", "2023", "tot", "tot", "tot"), 3);
    assert_eq!(get("101", "2023K1", "tot", "tot", "tot"), 2);
    // Forms: one phone and one video in March 2023.
    assert_eq!(get("000", "2023M03", "tot", "telefon", "tot"), 1);
    assert_eq!(get("000", "2023M03", "tot", "video", "tot"), 1);
    assert_eq!(get("000", "2023M03", "tot", "fysisk", "tot"), 0);
    // Periods span the data: 2022M12 .. 2023M04.
    let tid = &c.dims[1];
    assert_eq!(tid.categories.first().unwrap().code, "2022");
    assert_eq!(tid.categories.last().unwrap().code, "2023M04");
    // 2 years, 3 quarters (2022K4, 2023K1, 2023K2), 5 months.
    assert_eq!(tid.len(), 2 + 3 + 5);
}

#[test]
fn totals_equal_the_sum_of_their_parts_in_every_dimension() {
    let (s, f) = fixture();
    let c = samt01(&s, &f).unwrap();
    let shape = c.shape();
    // For each dimension with a total at category 0, the total equals the sum of its leaves
    // (categories that are not parents of others).
    for (di, dim) in c.dims.iter().enumerate() {
        let Some(tot) = dim.total else { continue };
        let leaves: Vec<usize> = dim
            .leaf_to_published
            .iter()
            .map(|p| p[0] as usize)
            .collect();
        let mut coords = vec![0usize; shape.len()];
        loop {
            let n = c.def.counts.len();
            for count in 0..n {
                if coords[di] != tot {
                    break;
                }
                let t = c.counts[c.index(&coords) * n + count];
                let sum: u32 = leaves
                    .iter()
                    .map(|&l| {
                        let mut k = coords.clone();
                        k[di] = l;
                        c.counts[c.index(&k) * n + count]
                    })
                    .sum();
                assert_eq!(t, sum, "dimension {} at {coords:?}, count {count}", dim.id);
            }
            let mut k = shape.len();
            loop {
                if k == 0 {
                    break;
                }
                k -= 1;
                coords[k] += 1;
                if coords[k] < shape[k] {
                    break;
                }
                coords[k] = 0;
            }
            if coords.iter().all(|&x| x == 0) {
                break;
            }
        }
    }
}

#[test]
fn digital_conversations_are_those_by_phone_or_video() {
    let (s, f) = fixture();
    let c = samt01(&s, &f).unwrap();
    let get = |form: &str, count: &str| {
        c.get(&["000", "2023", "tot", "tot", form, "tot"], count)
            .unwrap()
    };
    assert_eq!(
        get("tot", "digital"),
        get("telefon", "antal") + get("video", "antal")
    );
    assert_eq!(get("telefon", "digital"), get("telefon", "antal"));
    assert_eq!(get("fysisk", "digital"), 0);
    // 2023: the phone and the video conversation of 15 March.
    assert_eq!(get("tot", "digital"), 2);
}

/// A cell key is the sum of its records' keys (mod 2^32), at every level: here the country's
/// year totals, the sum over the fixture's conversations of that year (computed from the input).
#[test]
fn cell_keys_are_the_sums_of_their_records_keys() {
    let (s, f) = fixture();
    let c = samt01(&s, &f).unwrap();
    for year in ["2022", "2023"] {
        let y: i32 = year.parse().unwrap();
        let want = s
            .dato
            .iter()
            .zip(&s.rkey)
            .filter(|(d, _)| samtalebank_model::time::month_of(**d).div_euclid(12) == y)
            .fold(0u32, |a, (_, k)| a.wrapping_add(*k));
        let cell = ["000", year, "tot", "tot", "tot", "tot"];
        if c.get(&cell, "antal").unwrap_or(0) == 0 {
            continue;
        }
        assert_eq!(c.key(&cell, "antal"), Some(want), "{year}");
        // The phone cell's digital count is the same records as its antal: the same key.
        let phone = ["000", year, "tot", "tot", "telefon", "tot"];
        assert_eq!(c.key(&phone, "digital"), c.key(&phone, "antal"));
    }
}

#[test]
fn no_conversations_no_table() {
    assert!(samt01(&SamtaleColumns::default(), &ForloebColumns::default()).is_none());
}
