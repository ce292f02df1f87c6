//! SAMT03 on hand-made spells, every number worked out by hand: the 91/181-day window, the
//! R-90..R conversation window, and a person counted once per cell even with two spells.

use samtalebank_engine::{samt03, ConversationIndex, SpellIndex};
use samtalebank_model::{time, vocab};
use samtalebank_store::{ForloebColumns, SamtaleColumns, OPEN_END};

fn d(s: &str) -> i32 {
    time::parse_date(s).unwrap()
}

#[test]
fn population_window_conversation_window_and_distinct_persons() {
    let v = vocab();
    let leaf = |c: &str| v.ydelser.leaves.iter().position(|l| l.code == c).unwrap() as u8;
    let r = d("2023-06-30"); // reference day of 2023M06 and 2023K2
    let mut f = ForloebColumns::default();
    // (person, kommune, ydelse, start = R - days, slut)
    for (p, k, y, days, slut) in [
        (1, "101", "dagpenge", 90, None),      // too short: R - start = 90
        (2, "101", "dagpenge", 91, None),      // in
        (3, "101", "dagpenge", 181, None),     // in
        (4, "101", "dagpenge", 182, None),     // too long
        (5, "101", "dagpenge", 100, Some(-1)), // ended the day before R
        (6, "101", "dagpenge", 120, None),     // in, in two municipalities:
        (6, "730", "sygedagpenge", 150, None), //   counted once in 000 and once per area
    ] {
        f.person.push(p);
        f.rkey
            .push(1_000_000_007u32.wrapping_mul(f.person.len() as u32));
        f.pkey.push((p) as u32 ^ 0x9e37_79b9);
        f.kommune.push(v.kommuner.lookup(k).unwrap());
        f.ydelse.push(leaf(y));
        f.start.push(r - days);
        f.slut.push(slut.map(|s: i32| r + s).unwrap_or(OPEN_END));
    }
    let mut s = SamtaleColumns::default();
    // Person 2: on R-90 and R → 2 in the window. Person 3: on R-91 and R → 1. Person 6.
    for (p, day) in [
        (2, r - 90),
        (2, r),
        (3, r - 91),
        (3, r),
        (6, r - 10),
        (6, r - 20),
        (9, d("2023-01-01")),
    ] {
        s.person.push(p);
        s.rkey
            .push(2_654_435_761u32.wrapping_mul(s.person.len() as u32));
        s.pkey.push((p) as u32 ^ 0x9e37_79b9);
        s.dato.push(day);
        s.kommune.push(0);
        s.ydelse.push(0);
        s.samtaletype.push(0);
        s.samtaleform.push(0);
    }
    let c = samt03(
        &SpellIndex::new(&f),
        &ConversationIndex::new(&s),
        d("2023-01-01"),
        d("2023-12-31"),
    )
    .unwrap();
    let get = |a: &str, t: &str, y: &str, val: &str| c.get(&[a, t, y], val).unwrap();
    // Persons 2, 3 and 6 are in the population; 2 and 6 have two conversations.
    assert_eq!(get("000", "2023M06", "tot", "personer"), 3);
    assert_eq!(get("000", "2023M06", "tot", "med2"), 2);
    assert_eq!(get("000", "2023K2", "tot", "personer"), 3);
    // Person 6 is in København (dagpenge) and Randers (sygedagpenge), counted in each once.
    assert_eq!(get("101", "2023M06", "tot", "personer"), 3);
    assert_eq!(get("730", "2023M06", "sygedagpenge", "personer"), 1);
    assert_eq!(get("000", "2023M06", "dagpenge", "personer"), 3);
    assert_eq!(get("000", "2023M06", "sygedagpenge", "med2"), 1);
    // Region Hovedstaden (1084) + Region Midtjylland (1082) = 4 > 3 persons in the country.
    assert_eq!(
        get("1084", "2023M06", "tot", "personer") + get("1082", "2023M06", "tot", "personer"),
        4
    );
    // On 31 May the spells are 30 days younger: 3 (151), 4 (152) and 6's sygedagpenge spell (120)
    // are in; 1 (60), 2 (61), 5 (70) and 6's dagpenge spell (90) are not.
    assert_eq!(get("000", "2023M05", "tot", "personer"), 3);
}
