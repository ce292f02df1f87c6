//! The attacker's linear programme of a sub-table: which sub-tables, and their relations.

use super::super::Grid;
use super::super::{PRIMARY, PROTECTED, PUBLISHED, SECONDARY};
use super::{Program, Target};

impl Grid<'_> {
    pub(super) fn in_slice(&self, cell: usize, sel: &[Vec<usize>]) -> bool {
        self.coords(cell)
            .iter()
            .zip(sel)
            .all(|(c, nodes)| nodes.binary_search(c).is_ok())
    }

    /// The sub-tables to audit: per axis a sorted node list.
    pub(super) fn subtables(&self, grouped: &[bool], budget: usize) -> Vec<Vec<Vec<usize>>> {
        let nd = self.shape.len();
        let rels = self.relations();
        // Options per axis.
        let groups: Vec<Vec<Vec<usize>>> = (0..nd)
            .map(|a| {
                if grouped[a] {
                    let mut g: Vec<Vec<usize>> = rels[a]
                        .iter()
                        .map(|(r, _)| {
                            let mut r = r.clone();
                            r.sort_unstable();
                            r
                        })
                        .collect();
                    g.sort();
                    g.dedup();
                    g
                } else {
                    Vec::new()
                }
            })
            .collect();
        let roots: Vec<usize> = (0..nd)
            .map(|a| {
                let axis = &self.axes[a];
                (0..axis.published)
                    .max_by_key(|&n| (axis.leaves_of[n].len(), std::cmp::Reverse(n)))
                    .unwrap_or(0)
            })
            .collect();
        let free: Vec<usize> = (0..nd).filter(|&a| !grouped[a]).collect();
        // Subsets of the free axes in full, largest first.
        let mut subsets: Vec<u32> = (0..(1u32 << free.len())).collect();
        subsets.sort_by_key(|s| (std::cmp::Reverse(s.count_ones()), *s));
        let mut out = Vec::new();
        let mut choice = vec![0usize; nd];
        loop {
            let base: Vec<&Vec<usize>> = (0..nd)
                .filter(|&a| grouped[a])
                .map(|a| &groups[a][choice[a]])
                .collect();
            let base_cells: usize = base.iter().map(|g| g.len()).product();
            let mut taken: Vec<u32> = Vec::new();
            for &s in &subsets {
                if taken.iter().any(|&t| t & s == s) {
                    continue;
                }
                let cells = free
                    .iter()
                    .enumerate()
                    .filter(|(b, _)| s & (1 << b) != 0)
                    .map(|(_, &a)| self.axes[a].published)
                    .product::<usize>()
                    * base_cells;
                if cells * self.k > budget {
                    continue;
                }
                let sel: Vec<Vec<usize>> = (0..nd)
                    .map(|a| {
                        if grouped[a] {
                            groups[a][choice[a]].clone()
                        } else {
                            let b = free.iter().position(|&f| f == a).unwrap_or(0);
                            if s & (1 << b) != 0 {
                                (0..self.axes[a].published).collect()
                            } else {
                                vec![roots[a]]
                            }
                        }
                    })
                    .collect();
                taken.push(s);
                out.push(sel);
            }
            // Next combination of groups.
            let mut a = 0;
            loop {
                if a == nd {
                    return out;
                }
                if grouped[a] && choice[a] + 1 < groups[a].len() {
                    choice[a] += 1;
                    break;
                }
                choice[a] = 0;
                a += 1;
            }
        }
    }

    /// The attacker's program for one sub-table.
    pub(super) fn program(&self, sel: &[Vec<usize>]) -> Program {
        self.program_with(sel, true, false)
    }

    /// The repair program for one sub-table: every atom an unknown (with its true value), the
    /// relations (implied sums left out), and every count that is not hidden as a target,
    /// published or not.
    pub(super) fn open_program(&self, sel: &[Vec<usize>]) -> Program {
        self.program_with(sel, true, true)
    }

    /// The attacker's program; `independent`: leave out the sums that the others imply;
    /// `open`: the repair program (`open_program`).
    ///
    /// Long: One programme assembled in order (variables, relations, atoms, targets), each part indexing what the one before made.
    pub(super) fn program_with(
        &self,
        sel: &[Vec<usize>],
        independent: bool,
        open: bool,
    ) -> Program {
        let nd = self.shape.len();
        let maxis = &self.axes[nd];
        let atoms = maxis.n_leaves();
        let k = self.k;
        // Local cells in row-major order of `sel`.
        let lshape: Vec<usize> = sel.iter().map(Vec::len).collect();
        let n: usize = lshape.iter().product();
        let mut lstrides = vec![1usize; nd];
        for d in (0..nd.saturating_sub(1)).rev() {
            lstrides[d] = lstrides[d + 1] * lshape[d + 1];
        }
        let cell_of = |local: usize| -> usize {
            (0..nd)
                .map(|d| sel[d][(local / lstrides[d]) % lshape[d]] * self.strides[d])
                .sum()
        };
        let cells: Vec<usize> = (0..n).map(cell_of).collect();
        // An atom is a constant when a published count is that atom alone.
        let mut fixed: Vec<Option<f64>> = vec![None; n * atoms];
        for (l, &cell) in cells.iter().enumerate() {
            if open {
                break;
            }
            for m in 0..k {
                if self.status[cell * k + m] == PUBLISHED && maxis.leaves_of[m].len() == 1 {
                    fixed[l * atoms + maxis.leaves_of[m][0]] = Some(f64::from(self.value(cell, m)));
                }
            }
        }
        let mut var_id: Vec<usize> = vec![usize::MAX; n * atoms];
        let mut vars = 0;
        for (i, f) in fixed.iter().enumerate() {
            if f.is_none() {
                var_id[i] = vars;
                vars += 1;
            }
        }
        // A linear expression over (local cell, atom) with coefficients -> terms + constant.
        let expr = |items: &[(usize, f64)]| -> (Vec<(usize, f64)>, f64) {
            let mut terms: Vec<(usize, f64)> = Vec::new();
            let mut c = 0.0;
            for &(la, coef) in items {
                match fixed[la] {
                    Some(v) => c += coef * v,
                    None => terms.push((var_id[la], coef)),
                }
            }
            terms.sort_unstable_by_key(|t| t.0);
            let mut merged: Vec<(usize, f64)> = Vec::with_capacity(terms.len());
            for (v, x) in terms {
                match merged.last_mut() {
                    Some(last) if last.0 == v => last.1 += x,
                    _ => merged.push((v, x)),
                }
            }
            merged.retain(|t| t.1.abs() > 1e-12);
            (merged, c)
        };
        let mut eq = Vec::new();
        let mut le = Vec::new();
        let mut targets = Vec::new();
        for (l, &cell) in cells.iter().enumerate() {
            for m in 0..k {
                let st = self.status[cell * k + m];
                let items: Vec<(usize, f64)> = maxis.leaves_of[m]
                    .iter()
                    .map(|&at| (l * atoms + at, 1.0))
                    .collect();
                let (terms, c) = expr(&items);
                let v = f64::from(self.value(cell, m));
                match st {
                    PUBLISHED if !open && !terms.is_empty() => eq.push((terms, v - c)),
                    PUBLISHED if !open => {}
                    PUBLISHED | PRIMARY | SECONDARY | PROTECTED => {
                        let small = v > 0.0 && v < f64::from(self.threshold);
                        targets.push(Target {
                            index: cell * k + m,
                            terms,
                            constant: c,
                            value: v,
                            small,
                        });
                    }
                    _ => {}
                }
            }
        }
        let rels = self.relations();
        // Local positions that are the total of a relation of the sub-table, per axis.
        let is_total: Vec<Vec<bool>> = (0..nd)
            .map(|a| {
                let mut t = vec![false; lshape[a]];
                for (r, same) in &rels[a] {
                    let pos: Option<Vec<usize>> =
                        r.iter().map(|x| sel[a].binary_search(x).ok()).collect();
                    if let (Some(pos), false) = (pos, *same) {
                        t[pos[0]] = true;
                    }
                }
                t
            })
            .collect();
        for a in 0..nd {
            for (r, same) in &rels[a] {
                let pos: Option<Vec<usize>> =
                    r.iter().map(|x| sel[a].binary_search(x).ok()).collect();
                let Some(pos) = pos else { continue };
                for l in 0..n {
                    if (l / lstrides[a]) % lshape[a] != pos[0] {
                        continue;
                    }
                    // A sum along `a` where an earlier axis is at a total is implied by the
                    // sums along `a` at that total's parts and the sums along the earlier
                    // axis: left out, so that the equations stay independent.
                    if independent
                        && !self.persons
                        && !*same
                        && (0..a).any(|b| is_total[b][(l / lstrides[b]) % lshape[b]])
                    {
                        continue;
                    }
                    let base = l - pos[0] * lstrides[a];
                    let at = |p: usize, atom: usize| (base + p * lstrides[a]) * atoms + atom;
                    for atom in 0..atoms {
                        if *same {
                            for &p in &pos[1..] {
                                let (t, c) = expr(&[(at(pos[0], atom), 1.0), (at(p, atom), -1.0)]);
                                if !t.is_empty() {
                                    eq.push((t, -c));
                                }
                            }
                            continue;
                        }
                        let mut items = vec![(at(pos[0], atom), 1.0)];
                        items.extend(pos[1..].iter().map(|&p| (at(p, atom), -1.0)));
                        let (t, c) = expr(&items);
                        if self.persons {
                            if !t.is_empty() {
                                le.push((t, -c));
                            }
                            for &p in &pos[1..] {
                                let (t, c) = expr(&[(at(p, atom), 1.0), (at(pos[0], atom), -1.0)]);
                                if !t.is_empty() {
                                    le.push((t, -c));
                                }
                            }
                        } else if !t.is_empty() {
                            eq.push((t, -c));
                        }
                    }
                }
            }
        }
        // (In the repair program every atom is an unknown: the structural rule is enough.)
        let eq = if independent && !open {
            independent_rows(eq)
        } else {
            eq
        };
        let truth = if open {
            (0..n * atoms)
                .map(|i| f64::from(self.value(cells[i / atoms], maxis.leaf_node[i % atoms])))
                .collect()
        } else {
            Vec::new()
        };
        Program {
            vars,
            eq,
            le,
            targets,
            truth,
        }
    }
}

/// The equations without those the others imply (row echelon form by sparse elimination; a row
/// that reduces to nothing is dropped). Substituting published counts makes relations that are
/// independent over all cells dependent over the unknowns (a cycle of four hidden cells gives
/// four sums of rank three), and a simplex solver can trip over dependent rows.
pub(super) fn independent_rows(eq: Vec<(Vec<(usize, f64)>, f64)>) -> Vec<(Vec<(usize, f64)>, f64)> {
    use std::collections::BTreeMap;
    // Pivot rows by their first column, in echelon form (coefficient 1 there).
    let mut pivots: std::collections::HashMap<usize, BTreeMap<usize, f64>> =
        std::collections::HashMap::new();
    let mut kept = Vec::with_capacity(eq.len());
    for (terms, b) in eq {
        let mut r: BTreeMap<usize, f64> = terms.iter().copied().collect();
        while let Some((&c, &x)) = r.iter().next() {
            let Some(p) = pivots.get(&c) else {
                let mut row = r;
                row.values_mut().for_each(|v| *v /= x);
                pivots.insert(c, row);
                kept.push((terms, b));
                break;
            };
            for (&j, &y) in p {
                let v = r.entry(j).or_insert(0.0);
                *v -= x * y;
                if v.abs() < 1e-9 {
                    r.remove(&j);
                }
            }
        }
    }
    kept
}
