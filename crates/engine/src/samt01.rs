//! SAMT01 — conversations by form (SPEC §3). Twin: `sql/SAMT01.sql`.
//!
//! One pass over the conversations. The duration band of a conversation comes from the
//! covering spell of the same person with the same benefit group, else the latest started
//! covering spell (the band depends only on the spell's start, so "latest started" decides
//! every tie); no covering spell = `uoplyst`.

use rustc_hash::FxHashMap;
use samtalebank_model::{dims, time, vocab};
use samtalebank_store::{ForloebColumns, SamtaleColumns};

use crate::{roll_up, Cube};

/// Spells sorted by person, with an index from person to their run of spells.
struct SpellIndex {
    start: Vec<i32>,
    slut: Vec<i32>,
    group: Vec<u8>,
    runs: FxHashMap<i64, (u32, u32)>,
}

impl SpellIndex {
    fn new(f: &ForloebColumns) -> SpellIndex {
        let leaves = &vocab().ydelser.leaves;
        let mut order: Vec<u32> = (0..f.len() as u32).collect();
        order.sort_unstable_by_key(|&i| f.person[i as usize]);
        let mut runs = FxHashMap::default();
        runs.reserve(f.len());
        let mut i = 0;
        while i < order.len() {
            let p = f.person[order[i] as usize];
            let mut j = i + 1;
            while j < order.len() && f.person[order[j] as usize] == p {
                j += 1;
            }
            runs.insert(p, (i as u32, (j - i) as u32));
            i = j;
        }
        SpellIndex {
            start: order.iter().map(|&i| f.start[i as usize]).collect(),
            slut: order.iter().map(|&i| f.slut[i as usize]).collect(),
            group: order
                .iter()
                .map(|&i| leaves[f.ydelse[i as usize] as usize].group)
                .collect(),
            runs,
        }
    }

    /// Duration band of a conversation on day `d` by a person with benefit group `group`.
    #[inline]
    fn band(&self, person: i64, d: i32, group: u8) -> u8 {
        let Some(&(off, len)) = self.runs.get(&person) else {
            return time::BAND_UNKNOWN;
        };
        let mut same = i32::MIN;
        let mut any = i32::MIN;
        for k in off as usize..(off + len) as usize {
            let s = self.start[k];
            if s <= d && d <= self.slut[k] {
                any = any.max(s);
                if self.group[k] == group {
                    same = same.max(s);
                }
            }
        }
        let s = if same != i32::MIN { same } else { any };
        if s == i32::MIN {
            time::BAND_UNKNOWN
        } else {
            time::band(d - s)
        }
    }
}

/// Compute SAMT01 over all conversations and spells. `None` when there are no conversations.
pub fn samt01(s: &SamtaleColumns, f: &ForloebColumns) -> Option<Cube> {
    if s.is_empty() {
        return None;
    }
    let v = vocab();
    let (lo, hi) = s
        .dato
        .iter()
        .fold((i32::MAX, i32::MIN), |(a, b), &d| (a.min(d), b.max(d)));
    let first_month = time::month_of(lo);
    let last_month = time::month_of(hi);
    let n_months = (last_month - first_month + 1) as usize;
    // Month of each day in range, so the hot loop does no calendar arithmetic.
    let month_of_day: Vec<u16> = (lo..=hi)
        .map(|d| (time::month_of(d) - first_month) as u16)
        .collect();
    let shape = [
        v.kommuner.list.len(),
        n_months,
        v.ydelser.leaves.len(),
        v.samtaletyper.len(),
        v.samtaleformer.len(),
        time::BAND_CODES.len(),
    ];
    let leaf_len: usize = shape.iter().product();
    let groups: Vec<u8> = v.ydelser.leaves.iter().map(|l| l.group).collect();
    let spells = SpellIndex::new(f);

    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8);
    let chunk = s.len().div_ceil(threads);
    let partials: Vec<Vec<u32>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (spells, groups, month_of_day) = (&spells, &groups, &month_of_day);
                scope.spawn(move || {
                    let mut cube = vec![0u32; leaf_len];
                    let range = (t * chunk).min(s.len())..((t + 1) * chunk).min(s.len());
                    for i in range {
                        let d = s.dato[i];
                        let y = s.ydelse[i];
                        let b = spells.band(s.person[i], d, groups[y as usize]);
                        let m = month_of_day[(d - lo) as usize] as usize;
                        let idx = ((((s.kommune[i] as usize * shape[1] + m) * shape[2]
                            + y as usize)
                            * shape[3]
                            + s.samtaletype[i] as usize)
                            * shape[4]
                            + s.samtaleform[i] as usize)
                            * shape[5]
                            + b as usize;
                        cube[idx] += 1;
                    }
                    cube
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut leaf = vec![0u32; leaf_len];
    for p in partials {
        for (a, b) in leaf.iter_mut().zip(p) {
            *a += b;
        }
    }
    let dims = vec![
        dims::area(),
        dims::period(first_month, last_month),
        dims::ydelse(),
        dims::samtaletype(),
        dims::samtaleform(),
        dims::varighed(),
    ];
    let counts = roll_up(leaf, &shape, &dims);
    Some(Cube { dims, counts })
}
