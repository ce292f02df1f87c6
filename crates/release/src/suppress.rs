//! Disclosure control: primary suppression (counts in `1..threshold`), then secondary
//! suppression at the level a release asks for (`crate::Protection`): the line audit
//! (`Grid::audit_lines`: no relation with exactly one unknown), the interval audit on top of it
//! (`bounds.rs`: nothing pinned or shown small by chaining relations; the default), then
//! optionally the LP audit of sub-tables (`lp.rs`: linear programmes per sub-table), or the
//! hypercube method (`Grid::protect`, below: nothing recoverable, or shown to be below the
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
mod lp;
mod solver;
pub use bounds::BoundsStats;
pub use lp::{LpStats, LP_BUDGET};

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

/// Value of a hidden measure node from the cell's stored counts (a lower bound is enough).
pub type HiddenValue = fn(&[u32], usize) -> u32;

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
    hidden_value: HiddenValue,
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

/// Cubes with more cells than this are not tried (only the all-chains fallback may be larger).
const MAX_CUBE: usize = 4096;

/// Slack for comparisons of fractional capacities.
const EPS: f64 = 1e-9;

#[derive(Debug, Clone, Copy)]
struct Eval {
    /// How far `p` can go up (the cells with a negative coefficient must stay >= 0).
    up: f64,
    /// How far `p` can go down.
    down: f64,
    cost: u64,
    /// Cells with a negative coefficient that stop `p` going up far enough.
    short: u32,
}

impl Eval {
    /// Account for a cell of value `v` with coefficient `coef` in the perturbation.
    fn add(&mut self, v: f64, coef: f64, need: f64) {
        if coef < 0.0 {
            self.up = self.up.min(v / -coef);
            self.short += u32::from(v + EPS < need * -coef);
        } else {
            self.down = self.down.min(v / coef);
        }
    }

    fn key(&self) -> (u32, u64, bool) {
        (self.short, self.cost, self.down < EPS)
    }
}

/// A cube: the primary cell it was built for and one move per axis.
struct Cube {
    cell: usize,
    coords: Vec<usize>,
    moves: Vec<Move>,
}

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
        hidden_value: HiddenValue,
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
            (self.hidden_value)(
                &self.counts[cell * self.stride..(cell + 1) * self.stride],
                m,
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

    /// The line audit (SPEC §4): no relation of the table may have exactly one unknown cell,
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

    /// Run secondary suppression to completion.
    pub fn protect(&mut self) {
        let mut primaries: Vec<(u32, usize)> = self
            .status
            .iter()
            .enumerate()
            .filter(|(_, s)| **s == PRIMARY)
            .map(|(i, _)| (self.value(i / self.k, i % self.k), i))
            .collect();
        primaries.sort_unstable();
        for &(_, i) in &primaries {
            if self.status[i] != PRIMARY {
                continue;
            }
            let cube = self.choose(i / self.k, i % self.k);
            self.apply(&cube);
        }
    }

    /// Coordinates of a cell.
    fn coords(&self, cell: usize) -> Vec<usize> {
        self.shape
            .iter()
            .zip(&self.strides)
            .map(|(n, s)| (cell / s) % n)
            .collect()
    }

    /// The node of `p` on axis `a`.
    fn node_at(&self, coords: &[usize], m: usize, a: usize) -> usize {
        if a < self.shape.len() {
            coords[a]
        } else {
            m
        }
    }

    /// The (cell, measure node) of `p` with axis `a` set to `node`.
    fn moved(
        &self,
        cell: usize,
        coords: &[usize],
        m: usize,
        a: usize,
        node: usize,
    ) -> (usize, usize) {
        if a < self.shape.len() {
            (
                cell - coords[a] * self.strides[a] + node * self.strides[a],
                m,
            )
        } else {
            (cell, node)
        }
    }

    /// Candidate moves on axis `a` for `p`, best first by their cost along the line through
    /// `p`, and the best chain among them.
    fn candidates(&self, cell: usize, coords: &[usize], m: usize, a: usize) -> (Move, Vec<Move>) {
        let axis = &self.axes[a];
        let c = self.node_at(coords, m, a);
        let line = |node: usize| {
            let (cl, mm) = self.moved(cell, coords, m, a, node);
            (self.value(cl, mm), self.state(cl, mm))
        };
        // The leaf to go down to in a node: an already suppressed one, else the largest.
        let pick = |node: usize| {
            axis.leaves_of[node]
                .iter()
                .copied()
                .max_by_key(|&l| {
                    let (v, s) = line(axis.leaf_node[l]);
                    (s != PUBLISHED, v, std::cmp::Reverse(l))
                })
                .unwrap_or(0)
        };
        let need = f64::from(self.threshold.saturating_sub(self.value(cell, m)));
        // (u, partners) to try: on small axes (measures, flat variables) every single pair; on
        // hierarchies one leaf under `p`'s node against one, two, three or four leaves under
        // its siblings (the perturbation is shared between them).
        let mut tries: Vec<(usize, Vec<usize>)> = Vec::new();
        if axis.n_leaves() <= 8 {
            for &u in &axis.leaves_of[c] {
                tries.push((u, Vec::new()));
                for w in (0..axis.n_leaves()).filter(|&w| !axis.contains[c][w]) {
                    tries.push((u, vec![w]));
                }
            }
        } else {
            let u = pick(c);
            tries.push((u, Vec::new()));
            if let Some(p) = axis.parent[c] {
                let mut sib: Vec<(bool, u32, usize)> = Vec::new();
                for s in 0..axis.parent.len() {
                    let disjoint = !axis.contains[c]
                        .iter()
                        .zip(&axis.contains[s])
                        .any(|(x, y)| *x && *y);
                    if s != c && axis.parent[s] == Some(p) && disjoint {
                        let w = pick(s);
                        let (v, st) = line(axis.leaf_node[w]);
                        sib.push((st != PUBLISHED, v, w));
                    }
                }
                // Single partners: each sibling. Shared: the largest siblings, suppressed first.
                for &(_, _, w) in &sib {
                    tries.push((u, vec![w]));
                }
                sib.sort_by(|x, y| (y.0, y.1, x.2).cmp(&(x.0, x.1, y.2)));
                for n in 2..=4.min(sib.len()) {
                    tries.push((u, sib[..n].iter().map(|x| x.2).collect()));
                }
                let mut by_value = sib.clone();
                by_value.sort_by(|x, y| (y.1, x.2).cmp(&(x.1, y.2)));
                let nonzero = by_value.iter().filter(|x| x.1 > 0).count();
                for n in [2, 3, 4, 6] {
                    if n <= nonzero {
                        tries.push((u, by_value[..n].iter().map(|x| x.2).collect()));
                    }
                }
            }
        }
        for t in &mut tries {
            t.1.sort_unstable();
        }
        tries.sort();
        tries.dedup();
        let moves: Vec<Move> = tries
            .into_iter()
            // Partners only help if some node holds `u` and a partner.
            .filter(|(u, ws)| {
                ws.iter()
                    .all(|&w| axis.contains.iter().any(|n| n[*u] && n[w]))
            })
            .map(|(u, ws)| axis.support(u, &ws))
            .collect();
        let mut ranked: Vec<((u32, u64, bool), usize, Move)> = moves
            .into_iter()
            .enumerate()
            .map(|(i, mv)| {
                let mut e = Eval {
                    up: f64::INFINITY,
                    down: f64::INFINITY,
                    cost: 0,
                    short: 0,
                };
                for &(node, coef) in &mv {
                    let (val, st) = line(node);
                    e.add(f64::from(val), coef, need);
                    if node != c && st == PUBLISHED {
                        e.cost += u64::from(val) + 1;
                    }
                }
                (e.key(), i, mv)
            })
            .collect();
        ranked.sort_by_key(|x| (x.0, x.1));
        let moves: Vec<Move> = ranked.into_iter().map(|(_, _, mv)| mv).collect();
        // The best chain: no negative coefficient, so it never stops `p` going up.
        let chain = moves
            .iter()
            .find(|mv| mv.iter().all(|x| x.1 > 0.0))
            .cloned()
            .unwrap_or_default();
        (chain, moves)
    }

    /// Visit every (cell, measure node, coefficient) of the cube spanned by one move per axis.
    fn visit(
        &self,
        base: usize,
        coords: &[usize],
        moves: &[&Move],
        mut f: impl FnMut(usize, usize, f64) -> bool,
    ) {
        let nd = self.shape.len();
        let rest = base
            - coords
                .iter()
                .zip(&self.strides)
                .map(|(c, s)| c * s)
                .sum::<usize>();
        let mut idx = vec![0usize; moves.len()];
        'outer: loop {
            let mut cell = rest;
            let mut coef = 1.0;
            for a in 0..nd {
                let (node, c) = moves[a][idx[a]];
                cell += node * self.strides[a];
                coef *= c;
            }
            let (m, c) = moves[nd][idx[nd]];
            if !f(cell, m, coef * c) {
                return;
            }
            for a in (0..moves.len()).rev() {
                idx[a] += 1;
                if idx[a] < moves[a].len() {
                    continue 'outer;
                }
                idx[a] = 0;
            }
            break;
        }
    }

    /// The cube's capacities and cost; `None` as soon as it is worse than `bound`.
    fn evaluate(
        &self,
        cell: usize,
        coords: &[usize],
        moves: &[&Move],
        need: f64,
        bound: Option<(u32, u64)>,
    ) -> Option<Eval> {
        if moves.iter().map(|m| m.len()).product::<usize>() > MAX_CUBE && bound.is_some() {
            return None;
        }
        let mut e = Eval {
            up: f64::INFINITY,
            down: f64::INFINITY,
            cost: 0,
            short: 0,
        };
        let mut worse = false;
        self.visit(cell, coords, moves, |c, m, coef| {
            let v = self.value(c, m);
            e.add(f64::from(v), coef, need);
            if self.state(c, m) == PUBLISHED {
                e.cost = e.cost.saturating_add(u64::from(v) + 1);
            }
            worse = bound.is_some_and(|b| (e.short, e.cost) > b);
            !worse
        });
        (!worse).then_some(e)
    }

    /// Choose a cube for the primary (cell, m): the best move per axis, then a short local
    /// search; the all-chains cube (always feasible: nothing can stop `p` going up) if nothing
    /// else protects.
    fn choose(&self, cell: usize, m: usize) -> Cube {
        const KEEP: usize = 4;
        const EXHAUSTIVE: usize = 1024;
        let coords = self.coords(cell);
        let need = f64::from(self.threshold.saturating_sub(self.value(cell, m)));
        let cands: Vec<Vec<Move>> = (0..self.axes.len())
            .map(|a| {
                let (chain, mut c) = self.candidates(cell, &coords, m, a);
                c.truncate(KEEP - 1);
                if !c.contains(&chain) {
                    c.push(chain);
                }
                c
            })
            .collect();
        let pick = |cur: &[usize]| -> Vec<&Move> {
            cur.iter().enumerate().map(|(a, &j)| &cands[a][j]).collect()
        };
        let mut cur = vec![0usize; cands.len()];
        let bound = |e: &Eval| Some((e.short, e.cost));
        let mut best = self
            .evaluate(cell, &coords, &pick(&cur), need, None)
            .expect("an unbounded evaluation always finishes"); // ok: bound is None
        let combos: usize = cands.iter().map(Vec::len).product();
        if best.key() != (0, 0, false) && combos <= EXHAUSTIVE {
            // Few axes: try every combination.
            let mut t = vec![0usize; cands.len()];
            'all: loop {
                if let Some(e) = self.evaluate(cell, &coords, &pick(&t), need, bound(&best)) {
                    if e.key() < best.key() {
                        best = e;
                        cur = t.clone();
                    }
                }
                for a in (0..t.len()).rev() {
                    t[a] += 1;
                    if t[a] < cands[a].len() {
                        continue 'all;
                    }
                    t[a] = 0;
                }
                break;
            }
        }
        // Many axes: descent, one axis at a time.
        for _round in 0..3 {
            if best.key() == (0, 0, false) || combos <= EXHAUSTIVE {
                break;
            }
            let mut improved = false;
            for a in 0..cands.len() {
                for j in 0..cands[a].len() {
                    if j == cur[a] {
                        continue;
                    }
                    let mut t = cur.clone();
                    t[a] = j;
                    if let Some(e) = self.evaluate(cell, &coords, &pick(&t), need, bound(&best)) {
                        if e.key() < best.key() {
                            best = e;
                            cur = t;
                            improved = true;
                        }
                    }
                }
            }
            if !improved {
                break;
            }
        }
        let moves: Vec<Move> = if best.up + EPS >= need {
            cur.iter()
                .enumerate()
                .map(|(a, &j)| cands[a][j].clone())
                .collect()
        } else {
            // All chains: every coefficient is positive, so `p` can always go up.
            (0..self.axes.len())
                .map(|a| {
                    let axis = &self.axes[a];
                    let c = self.node_at(&coords, m, a);
                    let u = axis.leaves_of[c]
                        .iter()
                        .copied()
                        .max_by_key(|&l| {
                            let (cl, mm) = self.moved(cell, &coords, m, a, axis.leaf_node[l]);
                            (self.value(cl, mm), std::cmp::Reverse(l))
                        })
                        .unwrap_or(0);
                    axis.support(u, &[])
                })
                .collect()
        };
        Cube {
            cell,
            coords,
            moves,
        }
    }

    /// Suppress every published cell of the cube and mark the primaries it protects.
    fn apply(&mut self, cube: &Cube) {
        let refs: Vec<&Move> = cube.moves.iter().collect();
        let e = self
            .evaluate(cube.cell, &cube.coords, &refs, 0.0, None)
            .expect("an unbounded evaluation always finishes"); // ok: bound is None
        let mut touched: Vec<(usize, usize, f64)> = Vec::new();
        self.visit(cube.cell, &cube.coords, &refs, |c, m, coef| {
            touched.push((c, m, coef));
            true
        });
        for (c, m, coef) in touched {
            if m >= self.k {
                continue;
            }
            let i = c * self.k + m;
            // How far this cell can go up with the cube.
            let up = if coef > 0.0 {
                e.up * coef
            } else {
                e.down * -coef
            };
            match self.status[i] {
                PUBLISHED => self.status[i] = SECONDARY,
                PRIMARY
                    if up + EPS >= f64::from(self.threshold.saturating_sub(self.value(c, m))) =>
                {
                    self.status[i] = PROTECTED;
                }
                _ => {}
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

/// SAMT02's atoms (spells): ended before 6 weeks; lasted 6 not 13 weeks without / with a first
/// conversation within 6 weeks; lasted 13 weeks with a conversation within 6 weeks, within 13
/// weeks only, or without.
const SAMT02_ATOMS: usize = 6;
const SAMT02_MEASURES: [&str; 5] = ["startet", "varet6", "samtale6", "varet13", "samtale13"];

fn samt02_axis() -> Axis {
    // Atoms: 0 A, 1 B0, 2 B1, 3 C11, 4 C01, 5 C00.
    let mut nodes = vec![
        vec![0, 1, 2, 3, 4, 5], // startet
        vec![1, 2, 3, 4, 5],    // varet6
        vec![2, 3],             // samtale6
        vec![3, 4, 5],          // varet13
        vec![3, 4],             // samtale13
    ];
    nodes.extend((0..SAMT02_ATOMS).map(|a| vec![a]));
    Axis::new(5, nodes)
}

/// SAMT02's atoms from the counts (startet, varet6, samtale6, varet13, samtale13 and the hidden
/// samtale6_varet13).
fn samt02_atom(c: &[u32], node: usize) -> u32 {
    let (s, v6, s6, v13, s13, c11) = (c[0], c[1], c[2], c[3], c[4], c[5]);
    let b1 = s6.saturating_sub(c11);
    match node - SAMT02_MEASURES.len() {
        0 => s.saturating_sub(v6),
        1 => v6.saturating_sub(v13).saturating_sub(b1),
        2 => b1,
        3 => c11,
        4 => s13.saturating_sub(c11),
        _ => v13.saturating_sub(s13),
    }
}

fn samt03_axis() -> Axis {
    // Leaves: 0 with two conversations, 1 without. Nodes: personer, med2, the rest (hidden).
    Axis::new(2, vec![vec![0, 1], vec![0], vec![1]])
}

fn samt03_rest(c: &[u32], _node: usize) -> u32 {
    c[0].saturating_sub(c[1])
}

fn no_hidden(_: &[u32], _: usize) -> u32 {
    0
}

/// Primary suppression, then the secondary suppression the protection level asks for, for
/// every table of a release. Returns the status of every (cell, stored count) per table, in
/// the same order, with what the audits did.
pub fn protect_release(
    tables: &[(&str, samtalebank_engine::Cube)],
    threshold: u32,
    protection: crate::Protection,
    lp_budget: usize,
    data_start: i32,
    data_end: i32,
) -> Vec<(Vec<u8>, Option<crate::AuditStats>)> {
    // One thread per table (they are independent; each result is deterministic).
    type Out = Option<(Vec<u8>, Option<crate::AuditStats>)>;
    let mut out: Vec<Out> = std::thread::scope(|s| {
        let handles: Vec<_> = tables
            .iter()
            .map(|(id, cube)| {
                s.spawn(move || {
                    protect_table(
                        id, cube, threshold, protection, lp_budget, data_start, data_end,
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    // BENCH01 publishes shares of counts from the other tables: a share is published only if
    // both counts are published there, so it adds nothing an attacker could use.
    for (i, (id, cube)) in tables.iter().enumerate() {
        if *id != "BENCH01" {
            continue;
        }
        let source = |tid: &str| {
            tables
                .iter()
                .position(|(t, _)| *t == tid)
                .and_then(|j| out[j].as_ref().map(|s| (&tables[j].1, s.0.as_slice())))
        };
        let status = bench01_status(cube, source("SAMT01"), source("SAMT02"), source("SAMT03"));
        out[i] = Some((status, None));
    }
    out.into_iter()
        .zip(tables)
        .map(|(o, (_, cube))| o.unwrap_or_else(|| (vec![PUBLISHED; cube.counts.len()], None)))
        .collect()
}

/// Primary and secondary suppression for one of SAMT01/02/03 (`None` for other tables).
fn protect_table(
    id: &str,
    cube: &samtalebank_engine::Cube,
    threshold: u32,
    protection: crate::Protection,
    lp_budget: usize,
    data_start: i32,
    data_end: i32,
) -> Option<(Vec<u8>, Option<crate::AuditStats>)> {
    let shape = cube.shape();
    let k = cube.published_values().len();
    let stride = cube.values.len();
    let tid = cube.dims.iter().position(|d| d.id == "tid");
    let code = |coords: &[usize]| -> &str {
        tid.map_or("", |t| cube.dims[t].categories[coords[t]].code.as_str())
    };
    let mut axes: Vec<Axis> = cube.dims.iter().map(Axis::from_dimension).collect();
    let grid = match id {
        "SAMT01" => {
            axes.push(Axis::new(1, vec![vec![0]]));
            Grid::new(
                shape,
                k,
                stride,
                &cube.counts,
                axes,
                no_hidden,
                threshold,
                |_, _| false,
            )
        }
        "SAMT02" => {
            assert_eq!(cube.published_values(), SAMT02_MEASURES);
            assert_eq!(stride, 6);
            axes.push(samt02_axis());
            Grid::new(
                shape,
                k,
                stride,
                &cube.counts,
                axes,
                samt02_atom,
                threshold,
                |c, m| {
                    let (f6, f13) = crate::read::followed(code(c), data_end);
                    match m {
                        0 => false,
                        1 | 2 => !f6,
                        _ => !f13,
                    }
                },
            )
        }
        "SAMT03" => {
            if let Some(t) = tid {
                axes[t] = Axis::reference_days(&cube.dims[t]);
            }
            axes.push(samt03_axis());
            Grid::new(
                shape,
                k,
                stride,
                &cube.counts,
                axes,
                samt03_rest,
                threshold,
                |c, _| !crate::read::intensity_available(code(c), data_start, data_end),
            )
            .persons()
        }
        _ => return None,
    };
    let mut grid = grid;
    let mut audit = None;
    match protection {
        crate::Protection::Primary => {}
        crate::Protection::Lines => grid.audit_lines(),
        crate::Protection::Intervals | crate::Protection::Lp => {
            grid.suppress_small_differences();
            grid.audit_lines();
            let b = grid.audit_bounds();
            // Sub-tables take a group of the area and time variables at a time.
            let grouped: Vec<bool> = cube
                .dims
                .iter()
                .map(|d| d.id == "omraade" || d.id == "tid")
                .collect();
            let l = if protection == crate::Protection::Lp {
                grid.audit_lp(&grouped, lp_budget)
            } else {
                LpStats::default()
            };
            audit = Some(crate::AuditStats {
                interval_rounds: b.rounds,
                interval_added: b.added,
                interval_left: b.left,
                interval_published: b.published,
                lp_subtables: l.subtables,
                lp_programs: l.programs,
                lp_cubes: l.cubes,
                lp_published: l.published,
                lp_left: l.left,
                lp_failed: l.failed,
                lp_repairs: l.repairs,
                lp_budget: if protection == crate::Protection::Lp {
                    lp_budget
                } else {
                    0
                },
            });
        }
        crate::Protection::Full => grid.protect(),
    }
    Some((grid.into_status(), audit))
}

/// BENCH01's statuses mirrored from its sources: numerator and denominator per indicator.
fn bench01_status(
    cube: &samtalebank_engine::Cube,
    samt01: Option<(&samtalebank_engine::Cube, &[u8])>,
    samt02: Option<(&samtalebank_engine::Cube, &[u8])>,
    samt03: Option<(&samtalebank_engine::Cube, &[u8])>,
) -> Vec<u8> {
    let (ni, na, nt, ny) = (
        cube.dims[0].len(),
        cube.dims[1].len(),
        cube.dims[2].len(),
        cube.dims[3].len(),
    );
    let mut status = vec![PUBLISHED; cube.counts.len()];
    // The worst of several statuses: suppressed if any is.
    let worst = |xs: &mut dyn Iterator<Item = u8>| {
        xs.fold(PUBLISHED, |acc, s| match s {
            PRIMARY => PRIMARY,
            SECONDARY if acc != PRIMARY => SECONDARY,
            _ => acc,
        })
    };
    for i in 0..ni {
        let ind = cube.dims[0].categories[i].code.as_str();
        let Some((src, st)) = (match ind {
            "digital_pct" => samt01,
            "pct6" | "pct13" => samt02,
            _ => samt03,
        }) else {
            continue;
        };
        let k = src.published_values().len();
        let pos = |name: &str| src.values.iter().position(|v| v == name).unwrap_or(0);
        let digital = match ind {
            "digital_pct" => samtalebank_model::dims::digital_forms(&src.dims[4]),
            _ => Vec::new(),
        };
        let tot = |d: usize| src.dims.get(d).and_then(|x| x.total).unwrap_or(0);
        for t in 0..nt {
            let Some(t2) = src.dims[1].position(&cube.dims[2].categories[t].code) else {
                continue;
            };
            for a in 0..na {
                for y in 0..ny {
                    let (num, den) = if ind == "digital_pct" {
                        let at = |f: usize| st[src.index(&[a, t2, y, tot(3), f, tot(5)])];
                        (worst(&mut digital.iter().map(|&f| at(f))), at(tot(4)))
                    } else {
                        let (n, d) = match ind {
                            "pct6" => ("samtale6", "varet6"),
                            "pct13" => ("samtale13", "varet13"),
                            _ => ("med2", "personer"),
                        };
                        let base = src.index(&[a, t2, y]) * k;
                        (st[base + pos(n)], st[base + pos(d)])
                    };
                    let c = ((((i * na) + a) * nt + t) * ny + y) * 2;
                    for (j, s) in [num, den].into_iter().enumerate() {
                        status[c + j] = s;
                    }
                }
            }
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flat axis: `tot` (node 0) and `n` categories.
    fn flat(n: usize) -> Axis {
        let mut nodes = vec![(0..n).collect::<Vec<_>>()];
        nodes.extend((0..n).map(|l| vec![l]));
        Axis::new(n + 1, nodes)
    }

    /// A 4×4 table (totals first) from its 3×3 inner cells.
    fn table(inner: [[u32; 3]; 3]) -> Vec<u32> {
        let mut t = vec![0u32; 16];
        for (i, row) in inner.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                for a in [0, i + 1] {
                    for b in [0, j + 1] {
                        t[a * 4 + b] += v;
                    }
                }
            }
        }
        t
    }

    /// The 4×4 grid (totals first, threshold 5).
    fn grid(counts: &[u32]) -> Grid<'_> {
        Grid::new(
            vec![4, 4],
            1,
            1,
            counts,
            vec![flat(3), flat(3), Axis::new(1, vec![vec![0]])],
            no_hidden,
            5,
            |_, _| false,
        )
    }

    /// The 4×4 grid with `run` applied; the statuses.
    fn statuses(counts: &[u32], run: impl FnOnce(&mut Grid)) -> Vec<u8> {
        let mut g = grid(counts);
        run(&mut g);
        g.into_status()
    }

    /// `n` sparse pseudo-random 3×3 tables: a quarter zeros, a quarter small, the rest below
    /// `max`.
    fn random_tables(seed: u64, n: usize, max: u64) -> Vec<[[u32; 3]; 3]> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                let mut inner = [[0u32; 3]; 3];
                for v in inner.iter_mut().flatten() {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    *v = match (x >> 33) % 4 {
                        0 => 0,
                        1 => ((x >> 40) % 5) as u32,
                        _ => ((x >> 40) % max) as u32,
                    };
                }
                inner
            })
            .collect()
    }

    fn protect(counts: &[u32]) -> Vec<u8> {
        statuses(counts, |g| g.protect())
    }

    fn audit(counts: &[u32]) -> Vec<u8> {
        statuses(counts, |g| g.audit_lines())
    }

    /// (row, column) of every hidden cell.
    fn hidden(st: &[u8]) -> Vec<(usize, usize)> {
        (0..16)
            .filter(|&i| st[i] != PUBLISHED)
            .map(|i| (i / 4, i % 4))
            .collect()
    }

    /// No row or column (with its total) has exactly one hidden cell.
    fn assert_no_lone_hidden(st: &[u8], what: &str) {
        for a in 0..4 {
            let row = (0..4).filter(|b| st[a * 4 + b] != PUBLISHED).count();
            let col = (0..4).filter(|b| st[b * 4 + a] != PUBLISHED).count();
            assert_ne!(row, 1, "row {a} of {what}: {st:?}");
            assert_ne!(col, 1, "column {a} of {what}: {st:?}");
        }
    }

    #[test]
    fn line_audit_gives_a_lone_small_cell_partners_in_its_row_and_column() {
        // Hand-checked: (a1,b1) = 2 is alone in column b1 and row a1. Column b1 gets the
        // smallest part of at least 5 - 2 = 3: (a2,b1) = 20; row a1 gets (a1,b2) = 10. Then
        // row a2 has only (a2,b1): its smallest non-zero part (a2,b2) = 30 (the hidden sum is
        // already 20), which also gives column b2 its second unknown.
        let counts = table([[2, 10, 50], [20, 30, 40], [60, 70, 80]]);
        let st = audit(&counts);
        assert_eq!(hidden(&st), [(1, 1), (1, 2), (2, 1), (2, 2)]);
        assert_eq!(st[5], PRIMARY);
    }

    #[test]
    fn line_audit_leaves_no_line_with_one_unknown() {
        // Sparse pseudo-random tables: afterwards no row or column (with its total) has
        // exactly one hidden cell, and every small count is hidden.
        for inner in random_tables(12345, 300, 30) {
            let counts = table(inner);
            let st = audit(&counts);
            for i in 0..16 {
                if counts[i] > 0 && counts[i] < 5 {
                    assert_ne!(st[i], PUBLISHED, "{inner:?}");
                }
            }
            assert_no_lone_hidden(&st, &format!("{inner:?}"));
        }
    }

    /// Leaks the interval audit sees in the 4×4 grid after `run`.
    fn leaks_after(counts: &[u32], run: impl FnOnce(&mut Grid)) -> (usize, Vec<u8>) {
        let mut g = grid(counts);
        run(&mut g);
        let rels = g.relations();
        let (_, hi, _) = g.propagate(&rels);
        let leaks = (0..16)
            .filter(|&i| matches!(g.status[i], PRIMARY | SECONDARY) && g.leaks(i, hi[i]))
            .count();
        (leaks, g.into_status())
    }

    #[test]
    fn interval_audit_leaves_no_chained_bound_below_the_threshold() {
        // Sparse pseudo-random tables: the line audit alone leaves some small counts bounded
        // below the threshold by chains of relations; after the interval audit none is, every
        // small count is hidden and no line has exactly one hidden cell.
        let mut lines_leaked = 0;
        for inner in random_tables(987654321, 300, 12) {
            let counts = table(inner);
            let (before, _) = leaks_after(&counts, |g| g.audit_lines());
            lines_leaked += usize::from(before > 0);
            let (after, st) = leaks_after(&counts, |g| {
                g.audit_lines();
                g.audit_bounds();
            });
            assert_eq!(after, 0, "{inner:?}: {st:?}");
            for i in 0..16 {
                if counts[i] > 0 && counts[i] < 5 {
                    assert_ne!(st[i], PUBLISHED, "{inner:?}");
                }
            }
            assert_no_lone_hidden(&st, &format!("{inner:?}"));
        }
        assert!(
            lines_leaked > 10,
            "only {lines_leaked} tables leaked with lines alone"
        );
    }

    #[test]
    fn lp_audit_gives_a_small_count_left_alone_the_cheapest_rectangle() {
        // Primary suppression only: (a1,b1) = 2 is the only hidden count, so its row gives it
        // away. The LP audit's program pins it; its repair is the cheapest table that lifts it
        // by 3, here the rectangle the hypercube method also chooses (hand-checked in
        // `one_small_cell_gets_the_cheapest_rectangle`): the same statuses.
        let counts = table([[2, 10, 50], [20, 30, 40], [60, 70, 80]]);
        let mut g = grid(&counts);
        let stats = g.audit_lp(&[false, false], LP_BUDGET);
        assert_eq!(
            (stats.subtables, stats.repairs, stats.cubes, stats.left),
            (2, 1, 0, 0),
            "{stats:?}"
        );
        assert_eq!(g.into_status(), protect(&counts));
    }

    #[test]
    fn lp_repair_takes_a_cheap_cycle_over_a_costly_rectangle() {
        // Hand-checked: (a1,b1) = 2 needs 3 more. Every rectangle through it has a cell of
        // 100 (e.g. a2,b1), but the six-cell cycle a1b1+ a1b2- a2b2+ a2b3- a3b3+ a3b1- moves
        // only cells of 5 (each at least 3, so the minus ones stay >= 0) and keeps every row
        // and column total. The LP repair suppresses those five cells and nothing else; the
        // hypercube method takes a rectangle with a 100.
        let counts = table([[2, 5, 100], [100, 5, 5], [5, 100, 5]]);
        let mut g = grid(&counts);
        let stats = g.audit_lp(&[false, false], LP_BUDGET);
        assert_eq!(
            (stats.repairs, stats.cubes, stats.left),
            (1, 0, 0),
            "{stats:?}"
        );
        let st = g.into_status();
        assert_eq!(
            hidden(&st),
            [(1, 1), (1, 2), (2, 2), (2, 3), (3, 1), (3, 3)]
        );
        assert!(hidden(&protect(&counts))
            .iter()
            .any(|&(r, c)| counts[r * 4 + c] == 100));
    }

    #[test]
    fn lp_audit_leaves_nothing_bound_propagation_can_show() {
        // Sparse pseudo-random tables, primary suppression only, then the LP audit alone:
        // bound propagation (a weaker attacker, other code) must find no small count bounded
        // below the threshold and no line with one unknown; every small count stays hidden.
        let mut repaired = 0;
        for inner in random_tables(4242, 200, 12) {
            let counts = table(inner);
            let mut stats = LpStats::default();
            let (after, st) =
                leaks_after(&counts, |g| stats = g.audit_lp(&[false, false], LP_BUDGET));
            repaired += usize::from(stats.repairs + stats.cubes > 0);
            assert_eq!((after, stats.left), (0, 0), "{inner:?}: {st:?}");
            for i in 0..16 {
                if counts[i] > 0 && counts[i] < 5 {
                    assert_ne!(st[i], PUBLISHED, "{inner:?}");
                }
            }
            assert_no_lone_hidden(&st, &format!("{inner:?}"));
        }
        assert!(repaired > 50, "only {repaired} tables needed a repair");
    }

    #[test]
    fn small_differences_of_nested_counts_are_suppressed() {
        // SAMT02-like cells (startet, varet6, samtale6, varet13, samtale13, and the hidden
        // samtale6_varet13): varet13 6 - samtale13 5 = 1 spell without a conversation in 13
        // weeks, so samtale13 goes; startet 40 - varet6 38 = 2 ended before 6 weeks, so
        // varet6 goes. The large differences stay.
        let counts = [40, 38, 20, 6, 5, 4];
        let mut g = Grid::new(
            vec![1],
            5,
            6,
            &counts,
            vec![Axis::new(1, vec![vec![0]]), samt02_axis()],
            samt02_atom,
            5,
            |_, _| false,
        );
        g.suppress_small_differences();
        assert_eq!(g.into_status(), [0, 2, 0, 0, 2]);
    }

    #[test]
    fn one_small_cell_gets_the_cheapest_rectangle() {
        // Hand-checked: (a1,b1) = 2 needs 3 more; the cheapest cube pairs a1 with a2 (20) and
        // b1 with b2 (10): suppress (a2,b1), (a1,b2) and (a2,b2) too, nothing else.
        let counts = table([[2, 10, 50], [20, 30, 40], [60, 70, 80]]);
        let st = protect(&counts);
        assert_eq!(hidden(&st), [(1, 1), (1, 2), (2, 1), (2, 2)]);
        assert_eq!(st[5], PRIMARY);
        assert_eq!(st[6], SECONDARY);
    }

    #[test]
    fn partners_too_small_to_hide_the_cell_are_not_used() {
        // (a2,b1) and (a1,b2) are 0: they cannot go down, so a2 and b2 cannot be partners of
        // (a1,b1) = 1; a3 and b3 are large enough.
        let counts = table([[1, 0, 40], [0, 0, 50], [30, 60, 90]]);
        let st = protect(&counts);
        assert_eq!(st[5], PRIMARY);
        // The rectangle a1/a3 × b1/b3.
        for i in [7, 13, 15] {
            assert_eq!(st[i], SECONDARY, "cell {i}: {st:?}");
        }
        assert_no_lone_hidden(&st, "the table");
    }
}
