//! Suppression (the levels other than the cell key method, which is in `ckm/`): primary
//! suppression (counts in `1..threshold`), then secondary suppression at the level a release
//! asks for (`model::Protection`): the line audit (`Grid::audit_lines`: no relation with exactly
//! one unknown), the interval audit on top of it (`bounds.rs`: nothing pinned or shown small by
//! chaining relations), then optionally the LP audit of sub-tables (`lp/`: linear programmes per
//! sub-table, behind the cargo feature `lp`), or the hypercube method (`Grid::protect`, below: nothing recoverable, or shown to be below the
//! threshold, by solving all of the table's additive relations at once).
//!
//! # The model
//! A table is a grid: the cube's dimensions, then the measure axis (the stored counts, plus
//! hidden "atoms" the counts are sums of, e.g. SAMT02's spells that lasted 6 weeks but not 13
//! and had no conversation). Every axis is a set of nodes, each the sum of a set of leaves:
//! a region is the sum of its municipalities, a year of its months, `tot` of its categories.
//! A published table satisfies `node = Σ leaves` along every axis, in every combination of the
//! other coordinates; these are all the relations an attacker can use (SAMT03's reference-day
//! periods are identities instead: a year is its December).
//!
//! # Why a suppressed cell cannot be recovered
//! For a primary cell `p` we choose, per axis, a vector on the leaves: `+1` on a leaf `u` under
//! `p`'s node, and either nothing else (a *chain*: `u`, its parents, their parents) or `-1/n` on
//! each of `n` partner leaves (a *pair* when `n = 1`: the nodes that hold `u` but not `w` get
//! `+1`, those that hold `w` but not `u` get `-1`; with more partners the decrease is shared). The product of these vectors over the axes is a perturbation
//! that keeps every relation of every axis (each axis' vector does), so adding `d` times it to
//! the true table gives another table that agrees with everything published, as long as every
//! cell it touches is suppressed (or hidden) and stays non-negative. We suppress every cell it
//! touches; `d` may go up until a cell with a negative coefficient `c` reaches 0 (its value
//! over `|c|`), and that must be at least `threshold - value(p)`: then an attacker cannot tell `p` from a count at the threshold, and
//! every suppressed cell in the cube moves too, so none has an exact value.
//!
//! # Choosing
//! Cubes are chosen greedily, primaries smallest count first, each cube the cheapest found
//! (cells already suppressed are free; new cells cost their count plus one) by a short local
//! search from the best choice per axis. Everything is in a fixed order: the result is
//! deterministic. Suppressing more never undoes an earlier cube's protection.

mod bounds;
mod hypercube;
#[cfg(feature = "lp")]
mod lp;
#[cfg(feature = "lp")]
mod solver;
#[cfg(test)]
mod tests;

#[cfg(feature = "lp")]
pub use lp::LpStats;

/// What the LP audit did (nothing, without the feature `lp`).
#[cfg(not(feature = "lp"))]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LpStats {
    pub subtables: usize,
    pub programs: usize,
    pub cubes: usize,
    pub repairs: usize,
    pub published: usize,
    pub failed: usize,
    pub left: usize,
}

/// Status of a (cell, count) in the grid.
pub const PUBLISHED: u8 = 0;
/// Primary suppression: a count in `1..threshold`.
pub const PRIMARY: u8 = 1;
/// Secondary suppression, to protect a primary cell.
pub const SECONDARY: u8 = 2;
/// Not published for another reason (not yet available): free to use in a cube.
pub const HIDDEN: u8 = 3;
/// A primary cell already protected by a chosen cube (internal).
const PROTECTED: u8 = 4;

/// One axis of the grid. Nodes `0..published` are the published categories (or stored
/// counts); nodes after them are hidden.
#[derive(Debug, Clone)]
pub struct Axis {
    published: usize,
    /// `contains[node][leaf]`.
    contains: Vec<Vec<bool>>,
    leaves_of: Vec<Vec<usize>>,
    /// The node that is exactly one leaf.
    leaf_node: Vec<usize>,
    /// The smallest node strictly containing this one.
    parent: Vec<Option<usize>>,
}

impl Axis {
    /// An axis from each node's leaves; every leaf must be a node of its own.
    pub fn new(published: usize, node_leaves: Vec<Vec<usize>>) -> Axis {
        let n_leaves = node_leaves.iter().flatten().max().map_or(0, |m| m + 1);
        let contains: Vec<Vec<bool>> = node_leaves
            .iter()
            .map(|ls| {
                let mut v = vec![false; n_leaves];
                for &l in ls {
                    v[l] = true;
                }
                v
            })
            .collect();
        let leaf_node = (0..n_leaves)
            .map(|l| {
                node_leaves
                    .iter()
                    .position(|ls| ls.len() == 1 && ls[0] == l)
                    .expect("leaf node") // ok: axes are built in this file
            })
            .collect();
        let parent = (0..node_leaves.len())
            .map(|c| {
                (0..node_leaves.len())
                    .filter(|&s| {
                        node_leaves[s].len() > node_leaves[c].len()
                            && node_leaves[c].iter().all(|&l| contains[s][l])
                    })
                    .min_by_key(|&s| (node_leaves[s].len(), s))
            })
            .collect();
        Axis {
            published,
            contains,
            leaves_of: node_leaves,
            leaf_node,
            parent,
        }
    }

    /// An axis from a published dimension: each category is the sum of the leaves that roll up
    /// to it.
    pub fn from_dimension(d: &samtalebank_model::dims::Dimension) -> Axis {
        let mut leaves = vec![Vec::new(); d.len()];
        for (l, targets) in d.leaf_to_published.iter().enumerate() {
            for &t in targets {
                leaves[t as usize].push(l);
            }
        }
        Axis::new(d.len(), leaves)
    }

    /// A time axis of reference days (SAMT03): a period is its last month, not a sum.
    pub fn reference_days(d: &samtalebank_model::dims::Dimension) -> Axis {
        let mut last = vec![None; d.len()];
        for (l, targets) in d.leaf_to_published.iter().enumerate() {
            for &t in targets {
                let e = &mut last[t as usize];
                *e = Some(e.map_or(l, |x: usize| x.max(l)));
            }
        }
        Axis::new(
            d.len(),
            last.into_iter().map(|l| l.into_iter().collect()).collect(),
        )
    }

    fn n_leaves(&self) -> usize {
        self.leaf_node.len()
    }

    /// The nodes with a non-zero entry for the leaf vector `+1` on `u` and `-1/n` on each of
    /// the `n` partner leaves `ws` (a chain if there are none), with their coefficients.
    fn support(&self, u: usize, ws: &[usize]) -> Move {
        let share = 1.0 / ws.len().max(1) as f64;
        (0..self.contains.len())
            .filter_map(|n| {
                let a = if self.contains[n][u] { 1.0 } else { 0.0 };
                let b = ws.iter().filter(|&&w| self.contains[n][w]).count() as f64 * share;
                let c = a - b;
                (c.abs() > 1e-9).then_some((n, c))
            })
            .collect()
    }
}

/// The values of the measure axis' hidden nodes (atoms) from a cell's stored counts: each
/// atom as a signed sum of counts (never below 0).
#[derive(Debug, Clone, Default)]
pub struct AtomValues {
    /// Per hidden node (after the `k` published ones): `(count, coefficient)` terms.
    terms: Vec<Vec<(usize, i64)>>,
}

impl AtomValues {
    /// No hidden nodes.
    pub fn none() -> AtomValues {
        AtomValues::default()
    }

    /// Hidden nodes for the given atoms, each solved from the counts (`atoms_of[c]` = the atoms
    /// count `c` sums) by elimination: a count whose atoms are all known but one gives that one.
    /// `None` if some atom cannot be solved.
    pub fn solve(atoms_of: &[&[usize]], n_atoms: usize, hidden: &[usize]) -> Option<AtomValues> {
        let mut known: Vec<Option<Vec<(usize, i64)>>> = vec![None; n_atoms];
        loop {
            let mut progress = false;
            for (c, atoms) in atoms_of.iter().enumerate() {
                let unknown: Vec<usize> = atoms
                    .iter()
                    .copied()
                    .filter(|&a| known[a].is_none())
                    .collect();
                if unknown.len() != 1 {
                    continue;
                }
                let mut expr = vec![(c, 1i64)];
                for &a in atoms.iter().filter(|&&a| a != unknown[0]) {
                    for &(cc, coef) in known[a].as_ref()? {
                        expr.push((cc, -coef));
                    }
                }
                known[unknown[0]] = Some(expr);
                progress = true;
            }
            if !progress {
                break;
            }
        }
        let terms = hidden
            .iter()
            .map(|&a| known[a].clone())
            .collect::<Option<Vec<_>>>()?;
        Some(AtomValues { terms })
    }

    /// The value of hidden node `h` (0 = the first after the published counts).
    fn value(&self, counts: &[u32], h: usize) -> u32 {
        let v: i64 = self.terms[h]
            .iter()
            .map(|&(c, coef)| coef * i64::from(counts[c]))
            .sum();
        v.max(0) as u32
    }
}

/// A table prepared for suppression.
pub struct Grid<'a> {
    /// Cube dimensions' sizes and strides (in cells).
    shape: Vec<usize>,
    strides: Vec<usize>,
    /// Published counts per cell (statuses per cell).
    k: usize,
    /// Counts per cell in `counts` (published, then hidden ones).
    stride: usize,
    counts: &'a [u32],
    /// `cells × k` statuses.
    status: Vec<u8>,
    /// The cube's axes, then the measure axis.
    axes: Vec<Axis>,
    hidden_value: AtomValues,
    threshold: u32,
    /// The cube's counts are persons, who may be in several parts: a total is at most the sum
    /// of its parts and at least each part (SAMT03), not their sum.
    persons: bool,
    /// Counts suppressed in the current round of the interval audit.
    fresh: Vec<bool>,
}

/// A worklist of lines (axis, first cell of the line), each queued at most once at a time.
struct LineQueue {
    shape: Vec<usize>,
    strides: Vec<usize>,
    queued: Vec<Vec<bool>>,
    queue: std::collections::VecDeque<(usize, usize)>,
}

impl LineQueue {
    fn new(shape: &[usize], strides: &[usize]) -> LineQueue {
        let cells: usize = shape.iter().product();
        LineQueue {
            shape: shape.to_vec(),
            strides: strides.to_vec(),
            queued: shape.iter().map(|n| vec![false; cells / n]).collect(),
            queue: Default::default(),
        }
    }

    /// The line's index among the lines of axis `a`.
    fn id(&self, a: usize, base: usize) -> usize {
        let s = self.strides[a];
        (base / (s * self.shape[a])) * s + base % s
    }

    /// Queue every line through `cell` that is not queued yet.
    fn push_cell(&mut self, cell: usize) {
        for b in 0..self.shape.len() {
            let base = cell - ((cell / self.strides[b]) % self.shape[b]) * self.strides[b];
            let id = self.id(b, base);
            if !self.queued[b][id] {
                self.queued[b][id] = true;
                self.queue.push_back((b, base));
            }
        }
    }

    fn pop(&mut self) -> Option<(usize, usize)> {
        let (a, base) = self.queue.pop_front()?;
        let id = self.id(a, base);
        self.queued[a][id] = false;
        Some((a, base))
    }

    fn len(&self) -> usize {
        self.queue.len()
    }
}

/// A move on one axis: the nodes it touches with their coefficients; `p`'s node has `+1`.
type Move = Vec<(usize, f64)>;

impl<'a> Grid<'a> {
    /// `axes` = one per cube dimension, then the measure axis whose first `k` nodes are the
    /// stored counts. `hidden(cell_coords_dim, count)` marks counts that are not published (not
    /// yet available); they are never suppressed but can absorb a cube's perturbation.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        shape: Vec<usize>,
        k: usize,
        stride: usize,
        counts: &'a [u32],
        axes: Vec<Axis>,
        hidden_value: AtomValues,
        threshold: u32,
        hidden: impl Fn(&[usize], usize) -> bool,
    ) -> Grid<'a> {
        assert_eq!(axes.len(), shape.len() + 1);
        assert_eq!(axes[shape.len()].published, k);
        let mut strides = vec![1usize; shape.len()];
        for d in (0..shape.len().saturating_sub(1)).rev() {
            strides[d] = strides[d + 1] * shape[d + 1];
        }
        let cells: usize = shape.iter().product();
        let mut status = vec![PUBLISHED; cells * k];
        let mut coords = vec![0usize; shape.len()];
        for cell in 0..cells {
            for m in 0..k {
                let c = counts[cell * stride + m];
                status[cell * k + m] = if hidden(&coords, m) {
                    HIDDEN
                } else if c > 0 && c < threshold {
                    PRIMARY
                } else {
                    PUBLISHED
                };
            }
            for d in (0..shape.len()).rev() {
                coords[d] += 1;
                if coords[d] < shape[d] {
                    break;
                }
                coords[d] = 0;
            }
        }
        Grid {
            shape,
            strides,
            k,
            stride,
            counts,
            status,
            axes,
            hidden_value,
            threshold,
            persons: false,
            fresh: Vec::new(),
        }
    }

    /// Mark the counts as persons (see `persons`).
    pub fn persons(mut self) -> Self {
        self.persons = true;
        self
    }

    fn value(&self, cell: usize, m: usize) -> u32 {
        if m < self.k {
            self.counts[cell * self.stride + m]
        } else {
            self.hidden_value.value(
                &self.counts[cell * self.stride..(cell + 1) * self.stride],
                m - self.k,
            )
        }
    }

    /// Status of (cell, measure node); hidden nodes are `HIDDEN`.
    fn state(&self, cell: usize, m: usize) -> u8 {
        if m < self.k {
            self.status[cell * self.k + m]
        } else {
            HIDDEN
        }
    }

    /// The relations of every axis but the measures: per axis, each node with children as
    /// `(total, parts..)` with `false`, and each group of nodes that are the same sum (SAMT03's
    /// year and its December) with `true`.
    fn relations(&self) -> Vec<Vec<(Vec<usize>, bool)>> {
        let nd = self.shape.len();
        self.axes[..nd]
            .iter()
            .map(|axis| {
                let n = axis.leaves_of.len();
                let mut rels: Vec<(Vec<usize>, bool)> = Vec::new();
                for p in 0..n {
                    let children: Vec<usize> =
                        (0..n).filter(|&c| axis.parent[c] == Some(p)).collect();
                    if !children.is_empty() {
                        let mut r = vec![p];
                        r.extend(children);
                        rels.push((r, false));
                    }
                    let first_same = (0..n).find(|&o| axis.leaves_of[o] == axis.leaves_of[p]);
                    if first_same == Some(p) {
                        let same: Vec<usize> = (p..n)
                            .filter(|&o| axis.leaves_of[o] == axis.leaves_of[p])
                            .collect();
                        if same.len() > 1 {
                            rels.push((same, true));
                        }
                    }
                }
                rels
            })
            .collect()
    }

    /// The line audit (docs/spec.md §4): no relation of the table may have exactly one unknown cell,
    /// or a suppressed count could be recovered by subtracting its published siblings from their
    /// published total. Relations: on every axis but the measures, each node against its
    /// children (a region against its municipalities, the country against the regions, a year
    /// against its quarters, `tot` against its categories), and nodes that are the same sum
    /// (SAMT03's year and its December). Until none is left, a relation with exactly one
    /// unknown cell gets a second: the smallest category whose count brings the relation's
    /// unknown total up to the threshold, else its largest non-zero category, else its total,
    /// else a zero category. Likewise
    /// a relation with a published total and a small hidden part whose hidden parts add up to
    /// less than the threshold (else the total minus the published parts would show that the
    /// small part is small). The
    /// measures' relations all involve unpublished counts, so they never have exactly one.
    /// Deterministic: a fixed order of lines, then of the lines through each newly hidden cell.
    pub fn audit_lines(&mut self) {
        let relations = self.relations();
        self.run_audit(&relations, None);
    }

    /// The line audit over every line (`seed` = `None`), or only the lines through the given
    /// newly hidden cells; then the worklist until nothing changes.
    fn run_audit(&mut self, relations: &[Vec<(Vec<usize>, bool)>], seed: Option<Vec<usize>>) {
        let cells: usize = self.shape.iter().product();
        // Every line once, in order, then, as a worklist, the lines through each newly hidden
        // cell until none is left. Single-threaded and in a fixed order: deterministic.
        let mut lines = LineQueue::new(&self.shape, &self.strides);
        let mut hidden_now: Vec<usize> = Vec::new();
        match seed {
            Some(seed) => seed.into_iter().for_each(|c| lines.push_cell(c)),
            None => {
                for (a, rels) in relations.iter().enumerate() {
                    let (n, stride) = (self.shape[a], self.strides[a]);
                    for base in (0..cells).filter(|c| (c / stride) % n == 0) {
                        self.audit_line(rels, a, base, &mut hidden_now);
                        hidden_now.drain(..).for_each(|c| lines.push_cell(c));
                    }
                }
            }
        }
        // A line is unmarked when popped, so a cell hidden while it is looked at queues it again.
        while let Some((a, base)) = lines.pop() {
            self.audit_line(&relations[a], a, base, &mut hidden_now);
            hidden_now.drain(..).for_each(|c| lines.push_cell(c));
        }
    }

    /// One line of the audit: every relation of axis `a` through `base`, for every count;
    /// pushes the cells it hides.
    fn audit_line(
        &mut self,
        relations: &[(Vec<usize>, bool)],
        a: usize,
        base: usize,
        hidden_now: &mut Vec<usize>,
    ) {
        let k = self.k;
        let stride = self.strides[a];
        for m in 0..k {
            for (rel, same) in relations {
                let at = |node: usize| (base + node * stride) * k + m;
                let unknown = rel
                    .iter()
                    .filter(|&&x| self.status[at(x)] != PUBLISHED)
                    .count();
                if *same {
                    if unknown > 0 && unknown < rel.len() {
                        for &x in rel {
                            if self.status[at(x)] == PUBLISHED {
                                self.status[at(x)] = SECONDARY;
                                hidden_now.push(base + x * stride);
                            }
                        }
                    }
                    continue;
                }
                if unknown == 0 {
                    continue;
                }
                let value = |x: usize| self.counts[(base + x * stride) * self.stride + m];
                let hidden_sum: u32 = rel
                    .iter()
                    .filter(|&&x| self.status[at(x)] != PUBLISHED && x != rel[0])
                    .map(|&x| value(x))
                    .sum();
                let need = self.threshold.saturating_sub(hidden_sum);
                let parts = rel[1..]
                    .iter()
                    .copied()
                    .filter(|&x| self.status[at(x)] == PUBLISHED);
                // A small hidden part under a published total must not be bounded below the
                // threshold by the total minus the published parts.
                let bounded = need > 0
                    && self.status[at(rel[0])] == PUBLISHED
                    && parts.clone().any(|x| value(x) > 0)
                    && rel[1..].iter().any(|&x| {
                        self.status[at(x)] != PUBLISHED && value(x) > 0 && value(x) < self.threshold
                    });
                if unknown != 1 && !bounded {
                    continue;
                }
                // A hidden zero part would often be pinned to 0 by its other relations, so
                // with no non-zero part left the total goes.
                let total_free = self.status[at(rel[0])] == PUBLISHED;
                let pick = parts
                    .clone()
                    .filter(|&x| value(x) >= need.max(1))
                    .min_by_key(|&x| (value(x), x))
                    .or_else(|| {
                        parts
                            .clone()
                            .filter(|&x| value(x) > 0)
                            .max_by_key(|&x| (value(x), std::cmp::Reverse(x)))
                    })
                    .or_else(|| total_free.then_some(rel[0]))
                    .or_else(|| parts.min())
                    .unwrap_or(rel[0]);
                self.status[at(pick)] = SECONDARY;
                hidden_now.push(base + pick * stride);
            }
        }
    }

    /// Final statuses: `PUBLISHED`, `PRIMARY`, `SECONDARY` or `HIDDEN` per (cell, count).
    pub fn into_status(mut self) -> Vec<u8> {
        for s in &mut self.status {
            if *s == PROTECTED {
                *s = PRIMARY;
            }
        }
        self.status
    }
}
