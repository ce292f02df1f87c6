//! The hypercube method (`Protection::Full`): for each small count, a perturbation of the
//! table that keeps every relation and moves it to the threshold, made of suppressed cells
//! only (see the module above for why this protects it).

use super::{Grid, Move, PRIMARY, PROTECTED, PUBLISHED, SECONDARY};

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
pub(super) struct Cube {
    cell: usize,
    coords: Vec<usize>,
    moves: Vec<Move>,
}

impl Grid<'_> {
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
    pub(super) fn coords(&self, cell: usize) -> Vec<usize> {
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
    ///
    /// Long: One search over the cube's corners, whose bookkeeping every step shares.
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
    pub(super) fn choose(&self, cell: usize, m: usize) -> Cube {
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
    pub(super) fn apply(&mut self, cube: &Cube) {
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
}
