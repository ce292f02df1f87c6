//! SAMT01 — conversations by form (docs/spec.md §3). Twin: `sql/SAMT01.sql`.
//!
//! One pass over the conversations; each cell holds the conversations (`antal`) and, among
//! them, those by phone or video (`digital`), as the registry defines SAMT01. The duration band of a conversation comes from the
//! covering spell of the same person with the same benefit group, else the latest started
//! covering spell (the band depends only on the spell's start, so "latest started" decides
//! every tie); no covering spell = `uoplyst`.

use samtalebank_model::{dims, time, vocab};
use samtalebank_store::{ForloebColumns, SamtaleColumns};

use samtalebank_tables::{registry::SAMT01, Cube};

use crate::{bucket_by_person, roll_up};

/// One spell as the lookup needs it, in one cache line with its neighbours.
#[derive(Clone, Copy, Default)]
pub(crate) struct Spell {
    pub person: i64,
    pub start: i32,
    pub slut: i32,
    pub group: u8,
    pub leaf: u8,
    pub kommune: u8,
    /// Record key of the spell (`rkey`) and of its person (`pkey`).
    pub rkey: u32,
    pub pkey: u32,
}

/// Spells grouped by person: a counting sort on the top bits of the person key (pseudonymous
/// keys are uniformly spread), then a small sort inside each bucket. No hash table: a lookup
/// reads one offset and scans a handful of neighbouring spells.
pub struct SpellIndex {
    shift: u32,
    offsets: Vec<u32>,
    pub(crate) spells: Vec<Spell>,
}

impl SpellIndex {
    /// Build the index (can run while the conversations are still being read).
    pub fn new(f: &ForloebColumns) -> SpellIndex {
        let leaves = &vocab().ydelser.leaves;
        let (shift, offsets, spells) = bucket_by_person(
            &f.person,
            4,
            |i, _| Spell {
                person: f.person[i],
                start: f.start[i],
                slut: f.slut[i],
                group: leaves[f.ydelse[i] as usize].group,
                leaf: f.ydelse[i],
                kommune: f.kommune[i],
                rkey: f.rkey[i],
                pkey: f.pkey[i],
            },
            |s| s.person,
        );
        SpellIndex {
            shift,
            offsets,
            spells,
        }
    }

    /// Duration band of a conversation on day `d` by a person with benefit group `group`.
    #[inline]
    fn band(&self, person: i64, d: i32, group: u8) -> u8 {
        let b = ((person as u64) >> self.shift) as usize;
        let (lo, hi) = (self.offsets[b] as usize, self.offsets[b + 1] as usize);
        let mut same = i32::MIN;
        let mut any = i32::MIN;
        for sp in &self.spells[lo..hi] {
            if sp.person == person && sp.start <= d && d <= sp.slut {
                any = any.max(sp.start);
                if sp.group == group {
                    same = same.max(sp.start);
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
    samt01_indexed(s, &SpellIndex::new(f))
}

/// [`samt01`] with the spells already indexed.
pub fn samt01_indexed(s: &SamtaleColumns, spells: &SpellIndex) -> Option<Cube> {
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

    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8);
    let chunk = s.len().div_ceil(threads);
    // Per thread: the leaf counts and the sums of their records' keys (mod 2^32).
    let partials: Vec<(Vec<u32>, Vec<u32>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (groups, month_of_day) = (&groups, &month_of_day);
                scope.spawn(move || {
                    let mut cube = vec![0u32; leaf_len];
                    let mut keys = vec![0u32; leaf_len];
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
                        keys[idx] = keys[idx].wrapping_add(s.rkey[i]);
                    }
                    (cube, keys)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut leaf = vec![0u32; leaf_len];
    let mut leaf_keys = vec![0u32; leaf_len];
    for (p, pk) in partials {
        for (a, b) in leaf.iter_mut().zip(p) {
            *a += b;
        }
        for (a, b) in leaf_keys.iter_mut().zip(pk) {
            *a = a.wrapping_add(b);
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
    // Every count of the definition per leaf: the conversations, and the digital ones among
    // them (those whose form is phone or video).
    let def = &SAMT01;
    let k = def.counts.len();
    let at = |code: &str| def.count(code).expect("SAMT01 counts"); // ok: the registry's own names
    let (antal, digital) = (at("antal"), at("digital"));
    let mut counts = vec![0u32; leaf_len * k];
    let mut keys = vec![0u32; leaf_len * k];
    for (i, (&n, &key)) in leaf.iter().zip(&leaf_keys).enumerate() {
        counts[i * k + antal] = n;
        keys[i * k + antal] = key;
        if v.digital[(i / shape[5]) % shape[4]] {
            counts[i * k + digital] = n;
            keys[i * k + digital] = key;
        }
    }
    drop((leaf, leaf_keys));
    let counts = roll_up(counts, &shape, &dims, k);
    let keys = roll_up(keys, &shape, &dims, k);
    Some(Cube {
        def,
        dims,
        counts,
        keys: Some(keys),
        numbers: Vec::new(),
    })
}
