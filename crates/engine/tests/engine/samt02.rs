//! SAMT02 on hand-made spells whose every number is worked out by hand: a spell ending before
//! 6 weeks, first conversations on day 41 and day 42, day 90 and 91, a spell crossing the period
//! end, two overlapping spells of one person, a spell open at the data's end.

use samtalebank_engine::{samt02, ConversationIndex, SpellIndex};
use samtalebank_model::{time, vocab};
use samtalebank_store::{ForloebColumns, SamtaleColumns, OPEN_END};

fn d(s: &str) -> i32 {
    time::parse_date(s).unwrap()
}

fn build(
    spells: &[(i64, &str, &str, Option<&str>)],
    convs: &[(i64, &str)],
) -> (ForloebColumns, SamtaleColumns) {
    let v = vocab();
    let leaf = |c: &str| v.ydelser.leaves.iter().position(|l| l.code == c).unwrap() as u8;
    let mut f = ForloebColumns::default();
    for (p, y, s, e) in spells {
        f.person.push(*p);
        f.rkey
            .push(1_000_000_007u32.wrapping_mul(f.person.len() as u32));
        f.pkey.push((*p) as u32 ^ 0x9e37_79b9);
        f.kommune.push(v.kommuner.lookup("101").unwrap());
        f.ydelse.push(leaf(y));
        f.start.push(d(s));
        f.slut.push(e.map(d).unwrap_or(OPEN_END));
    }
    let mut s = SamtaleColumns::default();
    for (p, dato) in convs {
        s.person.push(*p);
        s.rkey
            .push(2_654_435_761u32.wrapping_mul(s.person.len() as u32));
        s.pkey.push((*p) as u32 ^ 0x9e37_79b9);
        s.dato.push(d(dato));
        s.kommune.push(v.kommuner.lookup("101").unwrap());
        s.ydelse.push(leaf("dagpenge"));
        s.samtaletype.push(0);
        s.samtaleform.push(0);
    }
    (f, s)
}

#[test]
fn timeliness_edges() {
    // All spells start in March 2023 (day 0 = 2023-03-01 unless stated).
    let (f, s) = build(
        &[
            (1, "dagpenge", "2023-03-01", Some("2023-04-10")), // slut - start = 40: does not last 6 weeks
            (2, "dagpenge", "2023-03-01", None), // first conversation on day 41 → within 6 weeks
            (3, "dagpenge", "2023-03-01", None), // first conversation on day 42 → not within 6, within 13
            (4, "dagpenge", "2023-03-01", Some("2023-04-11")), // slut - start = 41: lasts 6 weeks, not 13; no conversation
            (5, "dagpenge", "2023-03-31", None), // crosses the month end; conversation on day 90 (2023-06-29)
            (6, "dagpenge", "2023-03-01", None), // conversation on day 91 only → neither
            (7, "dagpenge", "2023-03-01", None), // overlapping spells of one person:
            (7, "sygedagpenge", "2023-03-20", Some("2023-06-30")), //  a conversation on 2023-03-25 counts for both
        ],
        &[
            (1, "2023-03-05"),
            (2, "2023-04-11"),
            (3, "2023-04-12"),
            (5, "2023-06-29"),
            (6, "2023-05-31"),
            (7, "2023-03-25"),
            (9, "2023-01-10"), // another person; sets the first data month to 2023M01
        ],
    );
    let idx = ConversationIndex::new(&s);
    let c = samt02(&SpellIndex::new(&f), &idx, d("2023-01-01"), d("2023-12-31")).unwrap();
    let get = |ydelse: &str, value: &str| c.get(&["000", "2023M03", ydelse], value).unwrap();
    assert_eq!(get("tot", "startet"), 8);
    // varet6: all but person 1.
    assert_eq!(get("tot", "varet6"), 7);
    // samtale6: person 2 (day 41), 7 dagpenge (day 24), 7 sygedagpenge (day 5). Not 3 (day 42),
    // not 4 (none), not 5 (day 90), not 6 (day 91).
    assert_eq!(get("tot", "samtale6"), 3);
    // varet13: all open spells (2, 3, 5, 6, 7 dagpenge) and the sygedagpenge spell (102 days).
    assert_eq!(get("tot", "varet13"), 6);
    // samtale13: 2, 3, 5 (day 90), 7 ×2. Not 6 (day 91).
    assert_eq!(get("tot", "samtale13"), 5);
    assert_eq!(get("sygedagpenge", "samtale6"), 1);
    assert_eq!(get("dagpenge", "startet"), 7);
    // The spell is counted in the period it starts: nothing in April.
    assert_eq!(c.get(&["000", "2023M04", "tot"], "startet").unwrap(), 0);
    assert_eq!(c.get(&["000", "2023K1", "tot"], "startet").unwrap(), 8);
    assert_eq!(c.get(&["1084", "2023", "tot"], "samtale13").unwrap(), 5);
}

#[test]
fn spells_before_the_data_window_are_not_counted() {
    let (f, s) = build(
        &[
            (1, "dagpenge", "2022-12-31", None),
            (2, "dagpenge", "2023-01-01", None),
        ],
        &[(1, "2023-01-02"), (2, "2023-01-02")],
    );
    let c = samt02(
        &SpellIndex::new(&f),
        &ConversationIndex::new(&s),
        d("2023-01-01"),
        d("2023-06-30"),
    )
    .unwrap();
    assert_eq!(c.get(&["000", "2023", "tot"], "startet").unwrap(), 1);
    assert!(c.dims[1].position("2022").is_none());
}
