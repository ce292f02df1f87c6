//! The aggregation engine: dense arrays indexed by small dictionary codes, one pass over the
//! columns, then roll-up along each dimension's hierarchy (leaf → itself, parents, total).
//!
//! No general query engine: each table is a function from the store's columns to a
//! [`samtalebank_tables::Cube`] with the counts of the table's registry definition. Its SQL twin
//! under `sql/` computes the same numbers on DuckDB, Spark or Trino.

mod bench01;
mod samt01;
mod samt02;
mod samt03;
mod surv01;

pub use bench01::bench01;

/// Why a table could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// A derived table's source table, variable, count or code is missing.
    #[error("{0}")]
    MissingSource(String),
}
pub use samt01::{samt01, samt01_indexed, SpellIndex};
pub use samt02::{samt02, ConversationIndex};
pub use samt03::samt03;
pub use surv01::{surv01, ydelse_group, Surv01};

use samtalebank_model::dims::Dimension;

/// Roll a leaf-level array up to published categories, one dimension at a time.
/// `shape` is the leaf shape; `dims[i].leaf_to_published` maps leaf i-coordinates; each cell
/// holds `stride` counts.
pub fn roll_up(leaf: Vec<u32>, shape: &[usize], dims: &[Dimension], stride: usize) -> Vec<u32> {
    let mut data = leaf;
    let mut cur: Vec<usize> = shape.to_vec();
    for d in (0..dims.len()).rev() {
        let outer: usize = cur[..d].iter().product();
        let inner: usize = cur[d + 1..].iter().product::<usize>() * stride;
        let n = cur[d];
        let m = dims[d].len();
        let map = &dims[d].leaf_to_published;
        let mut out = vec![0u32; outer * m * inner];
        for o in 0..outer {
            for (l, targets) in map.iter().enumerate().take(n) {
                let src = &data[(o * n + l) * inner..(o * n + l + 1) * inner];
                if src.iter().all(|&x| x == 0) {
                    continue;
                }
                for &p in targets {
                    let dst =
                        &mut out[(o * m + p as usize) * inner..(o * m + p as usize + 1) * inner];
                    // Wrapping: cell keys are sums mod 2^32 (counts never come near).
                    for (a, b) in dst.iter_mut().zip(src) {
                        *a = a.wrapping_add(*b);
                    }
                }
            }
        }
        data = out;
        cur[d] = m;
    }
    data
}

/// Group rows by person: a counting sort on the top bits of the pseudonymous person key (keys
/// are uniformly spread), then a sort by `key` inside each small bucket. The result is sorted by
/// person overall. `item` gets the row and the shift (the number of low key bits that are not the
/// bucket). Returns that shift, the bucket offsets and the items.
pub(crate) fn bucket_by_person<T: Copy + Default, K: Ord>(
    persons: &[i64],
    min_bits: u32,
    item: impl Fn(usize, u32) -> T,
    key: impl Fn(&T) -> K,
) -> (u32, Vec<u32>, Vec<T>) {
    let n = persons.len();
    let bits = (usize::BITS - n.max(1).leading_zeros())
        .saturating_sub(3)
        .clamp(min_bits.max(4), 24);
    let shift = 64 - bits;
    let bucket = |p: i64| ((p as u64) >> shift) as usize;
    let mut offsets = vec![0u32; (1 << bits) + 1];
    for &p in persons {
        offsets[bucket(p) + 1] += 1;
    }
    for b in 1..offsets.len() {
        offsets[b] += offsets[b - 1];
    }
    let mut fill = offsets.clone();
    let mut items = vec![T::default(); n];
    for (i, &p) in persons.iter().enumerate() {
        let b = bucket(p);
        items[fill[b] as usize] = item(i, shift);
        fill[b] += 1;
    }
    for b in 0..offsets.len() - 1 {
        items[offsets[b] as usize..offsets[b + 1] as usize].sort_unstable_by_key(&key);
    }
    (shift, offsets, items)
}
