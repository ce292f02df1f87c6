//! SAMT03 — Samtaleintensitet (conversation frequency). Twin: `sql/SAMT03.sql`.
//!
//! On each period's last day R (months, quarters, years up to the data's end), a person with a
//! spell covering R and 91 ≤ R − start ≤ 181 (13–26 weeks) is in the population, once per area
//! and benefit cell; they are in the numerator if they had at least 2 conversations on days
//! R − 90 … R. Persons are counted, not spells, so a total is not the sum of its parts when one
//! person qualifies in two cells: the engine counts distinct persons per published cell
//! directly (no roll-up).

use samtalebank_model::time::period_last_day;
use samtalebank_model::{dims, time};

use crate::samt01::SpellIndex;
use crate::samt02::ConversationIndex;
use samtalebank_tables::{registry::SAMT03, Cube};

/// Compute SAMT03 for periods from `first_day`'s month to `data_end`'s month; periods whose
/// last day is after `data_end` stay empty (the release marks them not yet available).
pub fn samt03(
    spells: &SpellIndex,
    convs: &ConversationIndex,
    first_day: i32,
    data_end: i32,
) -> Option<Cube> {
    if first_day > data_end {
        return None;
    }
    let first_month = time::month_of(first_day);
    let last_month = time::month_of(data_end);
    let tid = dims::period(first_month, last_month);
    // Reference day of every period category, and the categories sorted by it.
    let refs: Vec<(i32, usize)> = {
        let mut r: Vec<(i32, usize)> = tid
            .categories
            .iter()
            .enumerate()
            .filter_map(|(i, c)| period_last_day(&c.code).map(|d| (d, i)))
            .filter(|(d, _)| *d <= data_end)
            .collect();
        r.sort_unstable();
        r
    };
    // Reference day per period category.
    let mut ref_day = vec![i32::MIN; tid.len()];
    for &(r, p) in &refs {
        ref_day[p] = r;
    }
    let area = dims::area();
    let ydelse = dims::ydelse();
    let (na, np, ny) = (area.len(), tid.len(), ydelse.len());
    let def = &SAMT03;
    let k = def.counts.len();
    let at = |code: &str| def.count(code).expect("SAMT03 counts"); // ok: the registry's own names
    let (personer, med2_count) = (at("personer"), at("med2"));
    let mut counts = vec![0u32; na * np * ny * k];
    // The sums of the distinct persons' keys (mod 2^32), in the layout of `counts`.
    let mut keys = vec![0u32; counts.len()];
    let all = &spells.spells;
    let mut cells: Vec<(usize, usize, usize)> = Vec::new(); // (period, area, ydelse) of one person
    let mut i = 0;
    while i < all.len() {
        let person = all[i].person;
        let pkey = all[i].pkey;
        let mut j = i;
        while j < all.len() && all[j].person == person {
            j += 1;
        }
        cells.clear();
        for sp in &all[i..j] {
            // Reference days R with start + 91 <= R <= min(start + 181, slut).
            let lo = sp.start + time::DAYS_13W;
            let hi = (sp.start + time::DAYS_26W - 1).min(sp.slut);
            if lo > hi {
                continue;
            }
            let from = refs.partition_point(|r| r.0 < lo);
            for &(_, p) in refs[from..].iter().take_while(|r| r.0 <= hi) {
                for &a in &area.leaf_to_published[sp.kommune as usize] {
                    for &y in &ydelse.leaf_to_published[sp.leaf as usize] {
                        cells.push((p, a as usize, y as usize));
                    }
                }
            }
        }
        if !cells.is_empty() {
            // Once per cell, however many spells put the person there.
            cells.sort_unstable();
            cells.dedup();
            let mut last_p = usize::MAX;
            let mut med2 = false;
            for &(p, a, y) in &cells {
                if p != last_p {
                    let r = ref_day[p];
                    med2 = convs.count_between(person, r - (time::DAYS_13W - 1), r) >= 2;
                    last_p = p;
                }
                let c = ((a * np + p) * ny + y) * k;
                counts[c + personer] += 1;
                keys[c + personer] = keys[c + personer].wrapping_add(pkey);
                if med2 {
                    counts[c + med2_count] += 1;
                    keys[c + med2_count] = keys[c + med2_count].wrapping_add(pkey);
                }
            }
        }
        i = j;
    }
    Some(Cube {
        def,
        dims: vec![area, tid, ydelse],
        counts,
        keys: Some(keys),
        numbers: Vec::new(),
    })
}
