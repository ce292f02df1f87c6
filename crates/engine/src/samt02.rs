//! SAMT02 — Rettidig første samtale (timely first conversation). Twin: `sql/SAMT02.sql`.
//!
//! For every spell that starts inside the data window (from the first conversation date to the
//! data's end): it started; it "lasts 6 weeks" if it is open or covers day 41 (slut − start ≥ 41),
//! and then counts in `samtale6` if the person had a conversation on day 0–41 inside the spell;
//! likewise 13 weeks with day 90. A conversation belongs to every covering spell of the same
//! person, whatever its benefit. Periods whose spells cannot all be followed to day 41 (90) are
//! marked "not yet available" by the release from the data's end date; the counts here are plain.

use samtalebank_model::{dims, time, vocab};
use samtalebank_store::{SamtaleColumns, OPEN_END};

use crate::samt01::SpellIndex;
use samtalebank_tables::{registry::SAMT02, Cube};

use crate::{bucket_by_person, roll_up};

/// Conversation dates grouped by person, 8 bytes a conversation: a counting sort on the top
/// bits of the pseudonymous key (the bucket), then each conversation packed as the key's other
/// bits and the day since the first conversation, sorted inside its bucket.
pub struct ConversationIndex {
    shift: u32,
    offsets: Vec<u32>,
    first_day: i32,
    packed: Vec<u64>,
}

/// Bits for the day number in a packed conversation (5,700 years).
const DAY_BITS: u32 = 21;

impl ConversationIndex {
    pub fn new(s: &SamtaleColumns) -> ConversationIndex {
        let first_day = s.dato.iter().copied().min().unwrap_or(0);
        // At least 21 bucket bits, so that the key's other 43 bits and the day fit in 64 bits.
        let (shift, offsets, packed) = bucket_by_person(
            &s.person,
            DAY_BITS,
            |i, shift| {
                let low = (s.person[i] as u64) & ((1u64 << shift) - 1);
                (low << DAY_BITS) | (s.dato[i] - first_day) as u64
            },
            |x| *x,
        );
        ConversationIndex {
            shift,
            offsets,
            first_day,
            packed,
        }
    }

    /// The person's conversation dates, ascending.
    pub fn dates(&self, person: i64) -> impl Iterator<Item = i32> + '_ {
        let b = ((person as u64) >> self.shift) as usize;
        let run = &self.packed[self.offsets[b] as usize..self.offsets[b + 1] as usize];
        let low = (person as u64) & ((1u64 << self.shift) - 1);
        let lo = run.partition_point(|x| (x >> DAY_BITS) < low);
        let first = self.first_day;
        run[lo..]
            .iter()
            .take_while(move |x| (*x >> DAY_BITS) == low)
            .map(move |x| first + (x & ((1 << DAY_BITS) - 1)) as i32)
    }

    /// Number of the person's conversations on days `from..=to`.
    pub fn count_between(&self, person: i64, from: i32, to: i32) -> usize {
        self.dates(person)
            .skip_while(|&d| d < from)
            .take_while(|&d| d <= to)
            .count()
    }

    /// Day number of the person's first conversation on or after `start` and not after `last`.
    fn first_in(&self, person: i64, start: i32, last: i32) -> Option<i32> {
        self.dates(person)
            .find(|&d| d >= start)
            .filter(|&d| d <= last)
            .map(|d| d - start)
    }
}

/// Compute SAMT02. `first_day` and `data_end` bound the spell starts that are counted.
///
/// Spells are visited in person order (the spell index is sorted by the person key, like the
/// conversation index), so the lookups sweep the conversations once from start to end.
pub fn samt02(
    spells: &SpellIndex,
    convs: &ConversationIndex,
    first_day: i32,
    data_end: i32,
) -> Option<Cube> {
    if first_day > data_end {
        return None;
    }
    let v = vocab();
    let first_month = time::month_of(first_day);
    let last_month = time::month_of(data_end);
    let n_months = (last_month - first_month + 1) as usize;
    let shape = [v.kommuner.list.len(), n_months, v.ydelser.leaves.len()];
    let def = &SAMT02;
    let k = def.counts.len();
    let at = |code: &str| def.count(code).expect("SAMT02 counts"); // ok: the registry's own names
    let (startet, varet6, samtale6, varet13, samtale13, samtale6_varet13) = (
        at("startet"),
        at("varet6"),
        at("samtale6"),
        at("varet13"),
        at("samtale13"),
        at("samtale6_varet13"),
    );
    let mut leaf = vec![0u32; shape.iter().product::<usize>() * k];
    // The sums of the spells' record keys (mod 2^32), in the layout of `leaf`.
    let mut keys = vec![0u32; leaf.len()];
    let (w6, w13) = (time::DAYS_6W - 1, time::DAYS_13W - 1); // day 41, day 90
                                                             // Month of each day in the window, so the loop does no calendar arithmetic.
    let month_of_day: Vec<u16> = (first_day..=data_end)
        .map(|d| (time::month_of(d) - first_month) as u16)
        .collect();
    for sp in &spells.spells {
        let start = sp.start;
        if start < first_day || start > data_end {
            continue;
        }
        let slut = sp.slut;
        let m = month_of_day[(start - first_day) as usize] as usize;
        let cell = ((sp.kommune as usize * shape[1] + m) * shape[2] + sp.leaf as usize) * k;
        let open = slut == OPEN_END;
        let lasts6 = open || slut - start >= w6;
        let lasts13 = open || slut - start >= w13;
        let first = convs.first_in(sp.person, start, slut.min(start + w13));
        leaf[cell + startet] += 1;
        keys[cell + startet] = keys[cell + startet].wrapping_add(sp.rkey);
        if lasts6 {
            leaf[cell + varet6] += 1;
            keys[cell + varet6] = keys[cell + varet6].wrapping_add(sp.rkey);
            if first.is_some_and(|t| t <= w6) {
                leaf[cell + samtale6] += 1;
                keys[cell + samtale6] = keys[cell + samtale6].wrapping_add(sp.rkey);
            }
        }
        if lasts13 {
            leaf[cell + varet13] += 1;
            keys[cell + varet13] = keys[cell + varet13].wrapping_add(sp.rkey);
            if first.is_some_and(|t| t <= w13) {
                leaf[cell + samtale13] += 1;
                keys[cell + samtale13] = keys[cell + samtale13].wrapping_add(sp.rkey);
            }
            if first.is_some_and(|t| t <= w6) {
                leaf[cell + samtale6_varet13] += 1;
                keys[cell + samtale6_varet13] = keys[cell + samtale6_varet13].wrapping_add(sp.rkey);
            }
        }
    }
    let dims = vec![
        dims::area(),
        dims::period(first_month, last_month),
        dims::ydelse(),
    ];
    let counts = roll_up(leaf, &shape, &dims, k);
    let keys = roll_up(keys, &shape, &dims, k);
    Some(Cube {
        def,
        dims,
        counts,
        keys: Some(keys),
        numbers: Vec::new(),
    })
}
