//! The interval audit: what an attacker learns by combining relations, not only one at a time.
//!
//! The line audit looks at one relation at a time. An attacker can chain them: a hidden total
//! bounded by its own relations bounds its hidden parts in turn. Here every count gets an
//! interval, published counts their value and suppressed ones `[0, ∞)`, and every relation
//! narrows the intervals of its members (a total lies between the sums of its parts' lower and
//! upper bounds, a part between the total minus the others' upper and lower bounds; for
//! persons, SAMT03, a total is at most the sum of its parts and at least each part), until
//! nothing changes. This is bound propagation: it finds what chains of relations give away, a
//! subset of what a linear program over all relations at once finds.
//!
//! A suppressed count leaks if its interval is a single value, or shows a small count to be
//! below the threshold. Each leak is repaired along the relations that bound it: the smallest
//! published part that lifts the bound far enough (else the largest), or the published total,
//! or, where every member is already suppressed, the member whose own bound is binding, in
//! turn. Then the line audit runs again over the lines through the newly suppressed cells,
//! and the intervals are computed afresh, until no count leaks. Fixed order: deterministic.

use super::{Grid, LineQueue, PRIMARY, PUBLISHED, SECONDARY};

/// An unbounded upper bound (room to add without overflow).
const INF: i64 = i64::MAX / 4;
/// Repair rounds at most (each round suppresses at least one more cell).
const MAX_ROUNDS: usize = 200;
/// How far a repair follows binding bounds through suppressed cells.
const MAX_DEPTH: usize = 8;

/// What the interval audit did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BoundsStats {
    /// Rounds with leaks repaired.
    pub rounds: usize,
    /// Counts suppressed by the repairs (before the line audit's own additions).
    pub added: usize,
    /// Leaks left when it stopped (0 unless a round found nothing to suppress).
    pub left: usize,
    /// Secondary suppressions published again because the published cells pin them exactly.
    pub published: usize,
}

type Rels = [Vec<(Vec<usize>, bool)>];

impl Grid<'_> {
    /// Differences of nested counts in a cell are counts too (SAMT02: varet13 - samtale13
    /// spells lasted 13 weeks without a conversation): where both are published and their
    /// difference is small, suppress the smaller, so that subtraction does not reveal it.
    pub fn suppress_small_differences(&mut self) {
        let k = self.k;
        let nested = self.nested();
        let cells = self.status.len() / k;
        for cell in 0..cells {
            for &(big, small) in &nested {
                let (b, s) = (cell * k + big, cell * k + small);
                if self.status[b] != PUBLISHED || self.status[s] != PUBLISHED {
                    continue;
                }
                let d = self
                    .value(cell, big)
                    .saturating_sub(self.value(cell, small));
                if d > 0 && d < self.threshold {
                    self.status[s] = SECONDARY;
                }
            }
        }
    }

    /// Pairs of counts (count, sub-count) whose atoms nest.
    fn nested(&self) -> Vec<(usize, usize)> {
        let maxis = &self.axes[self.shape.len()];
        let k = self.k;
        (0..k)
            .flat_map(|b| (0..k).map(move |s| (b, s)))
            .filter(|&(b, s)| {
                let (lb, ls) = (&maxis.leaves_of[b], &maxis.leaves_of[s]);
                b != s && ls.len() < lb.len() && ls.iter().all(|l| lb.contains(l))
            })
            .collect()
    }

    /// Run the interval audit to completion (after the line audit).
    pub fn audit_bounds(&mut self) -> BoundsStats {
        let rels = self.relations();
        let nd = self.shape.len();
        let by_node: Vec<Vec<Vec<usize>>> = rels
            .iter()
            .zip(&self.axes[..nd])
            .map(|(rs, axis)| {
                let mut v = vec![Vec::new(); axis.leaves_of.len()];
                for (i, (r, _)) in rs.iter().enumerate() {
                    for &n in r {
                        v[n].push(i);
                    }
                }
                v
            })
            .collect();
        let mut stats = BoundsStats::default();
        let mut last: Vec<usize> = Vec::new();
        for _ in 0..MAX_ROUNDS {
            let (lo, hi, ahi) = self.propagate(&rels);
            let leaks: Vec<usize> = (0..self.status.len())
                .filter(|&i| matches!(self.status[i], PRIMARY | SECONDARY))
                .filter(|&i| self.leaks(i, hi[i]))
                .collect();
            stats.left = leaks.len();
            if leaks.is_empty() {
                // What the published cells already pin down exactly is no secret: publish it
                // (zeros hidden to partner a small count, mostly). The feasible tables do not
                // change, so no interval does.
                for i in 0..self.status.len() {
                    if self.status[i] == SECONDARY && lo[i] == hi[i] {
                        self.status[i] = PUBLISHED;
                        stats.published += 1;
                    }
                }
            }
            if leaks.is_empty() {
                break;
            }
            stats.rounds += 1;
            let mut newly = Vec::new();
            self.fresh = vec![false; self.status.len()];
            for &i in &leaks {
                let goal = self.goal(i);
                let before = newly.len();
                self.loosen(&rels, &by_node, (&lo, &hi, &ahi), i, goal, 0, &mut newly);
                // A leak that outlived a round with nothing found to suppress for it.
                if newly.len() == before && last.binary_search(&i).is_ok() {
                    self.chain_up(i, &mut newly);
                }
            }
            let stuck = newly.is_empty();
            last = leaks;
            if stuck && stats.rounds > 1 {
                break;
            }
            stats.added += newly.len();
            let cells = newly.iter().map(|i| i / self.k).collect();
            self.run_audit(&rels, Some(cells));
        }
        stats
    }

    /// The last resort for a leak nothing else repairs: going up the hierarchies from the
    /// cell (breadth first: its totals along every axis, their totals, ...), suppress the first
    /// published count found that shares an atom with it (the same count first, then the
    /// smallest).
    fn chain_up(&mut self, i: usize, newly: &mut Vec<usize>) {
        let (k, nd) = (self.k, self.shape.len());
        let (cell, m) = (i / k, i % k);
        let maxis = &self.axes[nd];
        let shares = |o: usize| {
            maxis.leaves_of[o]
                .iter()
                .any(|l| maxis.leaves_of[m].contains(l))
        };
        let mut level = vec![cell];
        let mut seen = std::collections::HashSet::from([cell]);
        while !level.is_empty() {
            let pick = level
                .iter()
                .flat_map(|&c| (0..k).map(move |o| (c, o)))
                .filter(|&(c, o)| self.status[c * k + o] == PUBLISHED && shares(o))
                .filter(|&(c, o)| self.value(c, o) > 0)
                .min_by_key(|&(c, o)| (o != m, self.value(c, o), c, o));
            if let Some((c, o)) = pick {
                self.hide(c * k + o, newly);
                return;
            }
            let mut next = Vec::new();
            for &c in &level {
                for a in 0..nd {
                    let stride = self.strides[a];
                    let node = (c / stride) % self.shape[a];
                    if let Some(p) = self.axes[a].parent[node] {
                        let up = c - node * stride + p * stride;
                        if seen.insert(up) {
                            next.push(up);
                        }
                    }
                }
            }
            next.sort_unstable();
            level = next;
        }
    }

    /// Suppress count `j` in this round's repairs.
    fn hide(&mut self, j: usize, newly: &mut Vec<usize>) {
        self.status[j] = SECONDARY;
        self.fresh[j] = true;
        newly.push(j);
    }

    /// How high a suppressed count's upper bound must be: the threshold for a small count,
    /// else one more than its value (so that it is not exact).
    fn goal(&self, i: usize) -> i64 {
        let v = self.value(i / self.k, i % self.k);
        if v > 0 && v < self.threshold {
            i64::from(self.threshold)
        } else {
            i64::from(v) + 1
        }
    }

    /// Does the interval `[_, hi]` show a small count to be below the threshold (exact
    /// included)?
    pub(super) fn leaks(&self, i: usize, hi: i64) -> bool {
        let v = self.value(i / self.k, i % self.k);
        v > 0 && v < self.threshold && hi < i64::from(self.threshold)
    }

    /// Intervals of every count, by propagation over the relations to a fixed point; also the
    /// upper bounds of the measure axis' atoms (`cells × atoms`; empty if the counts are their
    /// own atoms).
    pub(super) fn propagate(&self, rels: &Rels) -> (Vec<i64>, Vec<i64>, Vec<i64>) {
        let (k, nd) = (self.k, self.shape.len());
        let n = self.status.len();
        let cells = n / k;
        let mut lo = vec![0i64; n];
        let mut hi = vec![INF; n];
        for i in 0..n {
            if self.status[i] == PUBLISHED {
                let v = i64::from(self.value(i / k, i % k));
                (lo[i], hi[i]) = (v, v);
            }
        }
        let mut lines = LineQueue::new(&self.shape, &self.strides);
        // Atoms: the measure axis' leaves, each count the sum of some (SAMT02's spells by how
        // long they lasted and when the first conversation came; SAMT03's persons with and
        // without two conversations).
        let n_atoms = if self.axes[nd].leaves_of.len() > 1 {
            self.axes[nd].n_leaves()
        } else {
            0
        };
        let nested = self.nested();
        let mut alo = vec![0i64; cells * n_atoms];
        let mut ahi = vec![INF; cells * n_atoms];
        for cell in 0..cells {
            if (0..k).any(|m| self.status[cell * k + m] != PUBLISHED) {
                if n_atoms > 0 {
                    self.tighten_cell(&nested, cell, &mut lo, &mut hi, &mut alo, &mut ahi);
                }
                lines.push_cell(cell);
            }
        }
        // Propagation can creep by small steps around a cycle; a budget keeps it bounded (the
        // bounds found so far are valid, only perhaps not the tightest).
        let mut budget = 50 * lines.len() + 10_000;
        let mut changed: Vec<usize> = Vec::new();
        while let Some((a, base)) = lines.pop() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            for (members, same) in &rels[a] {
                for m in 0..k {
                    self.tighten(
                        a,
                        base,
                        m,
                        members,
                        *same,
                        &mut lo,
                        &mut hi,
                        &mut changed,
                        None,
                    );
                }
                // The atoms add up along the axes too (an attacker can use that: e.g. the
                // spells without a conversation in 13 weeks, total minus the ones with).
                for l in 0..n_atoms {
                    let (al, ah) = (&mut alo, &mut ahi);
                    self.tighten(
                        a,
                        base,
                        l,
                        members,
                        *same,
                        al,
                        ah,
                        &mut changed,
                        Some(n_atoms),
                    );
                }
            }
            for cell in changed.drain(..) {
                if n_atoms > 0 {
                    self.tighten_cell(&nested, cell, &mut lo, &mut hi, &mut alo, &mut ahi);
                }
                lines.push_cell(cell);
            }
        }
        (lo, hi, ahi)
    }

    /// Narrow a cell's counts and atoms by the measure axis (each count the sum of its atoms,
    /// atoms never negative), until nothing changes.
    fn tighten_cell(
        &self,
        nested: &[(usize, usize)],
        cell: usize,
        lo: &mut [i64],
        hi: &mut [i64],
        alo: &mut [i64],
        ahi: &mut [i64],
    ) {
        let maxis = &self.axes[self.shape.len()];
        let (k, na) = (self.k, maxis.n_leaves());
        for _ in 0..16 {
            let mut changed = false;
            for m in 0..k {
                let t = cell * k + m;
                let leaves = &maxis.leaves_of[m];
                let slo: i64 = leaves.iter().map(|&l| alo[cell * na + l]).sum();
                let shi: i64 = leaves
                    .iter()
                    .fold(0, |s, &l| (s + ahi[cell * na + l]).min(INF));
                let (l, h) = (lo[t].max(slo), hi[t].min(shi));
                if l <= h && (l, h) != (lo[t], hi[t]) {
                    (lo[t], hi[t]) = (l, h);
                    changed = true;
                }
                for &leaf in leaves {
                    let j = cell * na + leaf;
                    let h = if hi[t] >= INF {
                        INF
                    } else {
                        hi[t] - (slo - alo[j])
                    };
                    let l = if shi >= INF {
                        0
                    } else {
                        lo[t] - (shi - ahi[j])
                    };
                    let (l, h) = (alo[j].max(l), ahi[j].min(h));
                    if l <= h && (l, h) != (alo[j], ahi[j]) {
                        (alo[j], ahi[j]) = (l, h);
                        changed = true;
                    }
                }
            }
            // Nested counts: the difference of a count and one of its sub-counts is the sum
            // of the atoms in one and not the other (SAMT02: spells that lasted 13 weeks
            // without a conversation = varet13 - samtale13).
            for (big, small) in nested.iter().copied() {
                let (tb, ts) = (cell * k + big, cell * k + small);
                let diff: Vec<usize> = maxis.leaves_of[big]
                    .iter()
                    .copied()
                    .filter(|l| !maxis.leaves_of[small].contains(l))
                    .collect();
                let dlo = (lo[tb] - hi[ts].min(INF)).max(0);
                let dhi = if hi[tb] >= INF { INF } else { hi[tb] - lo[ts] };
                let slo: i64 = diff.iter().map(|&l| alo[cell * na + l]).sum();
                let shi: i64 = diff
                    .iter()
                    .fold(0, |s, &l| (s + ahi[cell * na + l]).min(INF));
                for &leaf in &diff {
                    let j = cell * na + leaf;
                    let h = if dhi >= INF {
                        INF
                    } else {
                        dhi - (slo - alo[j])
                    };
                    let l = if shi >= INF { 0 } else { dlo - (shi - ahi[j]) };
                    let (l, h) = (alo[j].max(l), ahi[j].min(h));
                    if l <= h && (l, h) != (alo[j], ahi[j]) {
                        (alo[j], ahi[j]) = (l, h);
                        changed = true;
                    }
                }
                // The sub-count is at most the count less the other atoms' lower bounds.
                if hi[tb] < INF {
                    let h = hi[tb] - slo;
                    if h >= lo[ts] && h < hi[ts] {
                        hi[ts] = h;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Narrow the intervals of one relation's members; pushes the cells that changed.
    #[allow(clippy::too_many_arguments)]
    fn tighten(
        &self,
        a: usize,
        base: usize,
        m: usize,
        members: &[usize],
        same: bool,
        lo: &mut [i64],
        hi: &mut [i64],
        changed: &mut Vec<usize>,
        atoms: Option<usize>,
    ) {
        // Counts (`m` a count, `k` per cell) or atoms (`m` an atom, `atoms` per cell).
        let (k, stride) = (atoms.unwrap_or(self.k), self.strides[a]);
        let idx = |x: usize| (base + x * stride) * k + m;
        if atoms.is_none() && members.iter().all(|&x| self.status[idx(x)] == PUBLISHED) {
            return;
        }
        let mut set = |x: usize, l: i64, h: i64, lo: &mut [i64], hi: &mut [i64]| {
            let i = idx(x);
            let (l, h) = (l.max(lo[i]), h.min(hi[i]));
            // Never narrower than the truth allows (guards against inconsistent input).
            if l <= h && (l, h) != (lo[i], hi[i]) {
                (lo[i], hi[i]) = (l, h);
                changed.push(base + x * stride);
            }
        };
        if same {
            let l = members.iter().map(|&x| lo[idx(x)]).max().unwrap_or(0);
            let h = members.iter().map(|&x| hi[idx(x)]).min().unwrap_or(INF);
            for &x in members {
                set(x, l, h, lo, hi);
            }
            return;
        }
        let (t, parts) = (members[0], &members[1..]);
        let slo: i64 = parts.iter().map(|&x| lo[idx(x)]).sum();
        let shi: i64 = parts
            .iter()
            .map(|&x| hi[idx(x)])
            .fold(0, |s, h| (s + h).min(INF));
        let max_lo = parts.iter().map(|&x| lo[idx(x)]).max().unwrap_or(0);
        if self.persons {
            set(t, max_lo, shi, lo, hi);
        } else {
            set(t, slo, shi, lo, hi);
        }
        let (lt, ht) = (lo[idx(t)], hi[idx(t)]);
        for &x in parts {
            let i = idx(x);
            let h = if self.persons || ht >= INF {
                ht
            } else {
                ht - (slo - lo[i])
            };
            let l = if shi >= INF { 0 } else { lt - (shi - hi[i]) };
            set(x, l, h, lo, hi);
        }
    }

    /// Lift the upper bound of suppressed count `i` to `goal`: along every relation that bounds
    /// it below the goal, suppress a published member, or follow the binding suppressed member.
    ///
    /// Long: One fixed-point loop whose state (the intervals and what changed) every case of it reads and writes.
    #[allow(clippy::too_many_arguments)]
    fn loosen(
        &mut self,
        rels: &Rels,
        by_node: &[Vec<Vec<usize>>],
        (lo, hi, ahi): (&[i64], &[i64], &[i64]),
        i: usize,
        goal: i64,
        depth: usize,
        newly: &mut Vec<usize>,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let (k, nd) = (self.k, self.shape.len());
        let (cell, m) = (i / k, i % k);
        // The relations that bound the count below the goal, tightest first; deeper in a
        // repair only the tightest is followed (a chain, not a tree).
        let mut binding: Vec<(i64, usize, usize)> = Vec::new();
        for (a, nodes) in by_node.iter().enumerate() {
            let node = (cell / self.strides[a]) % self.shape[a];
            for &r in &nodes[node] {
                let ub = self.bound_via(rels, (lo, hi), i, a, r);
                if ub < goal {
                    binding.push((ub, a, r));
                }
            }
        }
        binding.sort_unstable();
        if depth > 0 {
            binding.truncate(1);
        }
        // The measure axis: the count is at most the sum of its atoms' upper bounds, set by the
        // cell's other counts. Suppress the largest published count sharing an atom with it.
        let maxis = &self.axes[nd];
        if !ahi.is_empty() && depth == 0 {
            let na = maxis.n_leaves();
            let ub = maxis.leaves_of[m]
                .iter()
                .fold(0, |s, &l| (s + ahi[cell * na + l]).min(INF));
            if ub < goal {
                let shares = |o: usize| {
                    maxis.leaves_of[o]
                        .iter()
                        .any(|l| maxis.leaves_of[m].contains(l))
                };
                // The same count first, then the most specific (fewest atoms), then the largest.
                let best = |g: &Self, c: usize| {
                    (0..k)
                        .filter(|&o| g.status[c * k + o] == PUBLISHED && shares(o))
                        .filter(|&o| g.value(c, o) > 0)
                        .min_by_key(|&o| {
                            let n = maxis.leaves_of[o].len();
                            (o != m, n, std::cmp::Reverse(g.value(c, o)), o)
                        })
                        .map(|o| c * k + o)
                };
                // Else the atoms are bounded by a total's (a part's atoms are at most the
                // total's): the total along the axis whose atoms are tightest.
                let atom_ub = |c: usize| {
                    maxis.leaves_of[m]
                        .iter()
                        .map(|&l| ahi[c * na + l])
                        .min()
                        .unwrap_or(INF)
                };
                let pick = best(self, cell).or_else(|| {
                    (0..nd)
                        .filter_map(|a| {
                            let stride = self.strides[a];
                            let node = (cell / stride) % self.shape[a];
                            let parent = self.axes[a].parent[node]?;
                            let tc = cell - node * stride + parent * stride;
                            (atom_ub(tc) < goal).then_some((atom_ub(tc), a, tc))
                        })
                        .min()
                        .and_then(|(_, _, tc)| best(self, tc))
                });
                if let Some(j) = pick {
                    self.hide(j, newly);
                }
            }
        }
        for (_, a, r) in binding {
            {
                let stride = self.strides[a];
                let node = (cell / stride) % self.shape[a];
                let base = cell - node * stride;
                let idx = |x: usize| (base + x * stride) * k + m;
                let (members, same) = &rels[a][r];
                let others = members.iter().copied().filter(|&x| x != node);
                let published = |g: &Self| {
                    others
                        .clone()
                        .filter(|&x| g.status[idx(x)] == PUBLISHED)
                        .collect::<Vec<_>>()
                };
                let total = members[0];
                let ub = self.bound_via(rels, (lo, hi), i, a, r);
                if ub >= goal {
                    continue;
                }
                let deficit = goal - ub;
                let value = |g: &Self, x: usize| g.value(base + x * stride, m);
                let pubs = published(self);
                let pick = if *same {
                    pubs.first().copied()
                } else if node == total {
                    // x = the sum of its parts: a suppressed part may be larger than it was.
                    pubs.iter()
                        .copied()
                        .filter(|&x| value(self, x) > 0)
                        .max_by_key(|&x| (value(self, x), std::cmp::Reverse(x)))
                } else {
                    let parts: Vec<usize> = pubs
                        .iter()
                        .copied()
                        .filter(|&x| x != total && value(self, x) > 0)
                        .collect();
                    let part = (!self.persons)
                        .then(|| {
                            parts
                                .iter()
                                .copied()
                                .filter(|&x| i64::from(value(self, x)) >= deficit)
                                .min_by_key(|&x| (value(self, x), x))
                                .or_else(|| {
                                    parts
                                        .iter()
                                        .copied()
                                        .max_by_key(|&x| (value(self, x), std::cmp::Reverse(x)))
                                })
                        })
                        .flatten();
                    part.or_else(|| pubs.contains(&total).then_some(total))
                };
                match pick {
                    Some(x) => {
                        for y in if *same { pubs } else { vec![x] } {
                            self.hide(idx(y), newly);
                        }
                    }
                    None => {
                        // Every member that could help is suppressed: follow the binding one.
                        let next = if *same || node == total {
                            others.clone().min_by_key(|&x| (hi[idx(x)], x))
                        } else {
                            Some(total)
                        };
                        if let Some(y) = next {
                            if hi[idx(y)] < INF && self.status[idx(y)] != PUBLISHED {
                                let g = hi[idx(y)] + deficit;
                                self.loosen(
                                    rels,
                                    by_node,
                                    (lo, hi, ahi),
                                    idx(y),
                                    g,
                                    depth + 1,
                                    newly,
                                );
                            }
                        }
                    }
                }
            }
        }
    }
    /// The upper bound relation `r` of axis `a` gives count `i`.
    fn bound_via(
        &self,
        rels: &Rels,
        (lo, hi): (&[i64], &[i64]),
        i: usize,
        a: usize,
        r: usize,
    ) -> i64 {
        let (k, stride) = (self.k, self.strides[a]);
        let (cell, m) = (i / k, i % k);
        let node = (cell / stride) % self.shape[a];
        let base = cell - node * stride;
        let idx = |x: usize| (base + x * stride) * k + m;
        // A count suppressed since the bounds were computed is taken as unbounded (the next
        // round computes its real bounds): one repair per binding relation, not one per leak.
        let lo = |j: usize| if self.fresh[j] { 0 } else { lo[j] };
        let hi = |j: usize| if self.fresh[j] { INF } else { hi[j] };
        let (members, same) = &rels[a][r];
        let others = members.iter().copied().filter(|&x| x != node);
        let total = members[0];
        if *same {
            others.clone().map(|x| hi(idx(x))).min().unwrap_or(INF)
        } else if node == total {
            members[1..]
                .iter()
                .map(|&x| hi(idx(x)))
                .fold(0, |s, h| (s + h).min(INF))
        } else if self.persons || hi(idx(total)) >= INF {
            hi(idx(total))
        } else {
            // The total's upper bound less the other parts' lower bounds (`others`
            // includes the total: add its lower bound back).
            hi(idx(total)) - others.clone().map(|x| lo(idx(x))).sum::<i64>() + lo(idx(total))
        }
    }
}
