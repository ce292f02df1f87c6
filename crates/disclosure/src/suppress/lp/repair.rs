//! Repairs: lifting a leaked small count in its sub-table at the lowest cost.

use super::super::solver::Variable;
use super::super::solver::{ComparisonOp, Problem, Solution};
use super::super::Grid;
use super::super::{PUBLISHED, SECONDARY};
use super::{parallel_map, LpStats, Program, TOL};

impl Grid<'_> {
    /// Repair the leaks (status index, sub-table): per sub-table one after another, smallest
    /// first, from one program kept solved (`repair_in`), the sub-tables in the order of their
    /// smallest leak. A repair reads and changes only the statuses of its sub-table, so
    /// sub-tables that share no cell with one before them still to be repaired are repaired
    /// at the same time (in waves, on as many threads as there are cores), and their results
    /// applied in order: the result of repairing them one after another. A leak whose repair
    /// fails gets a hypercube, which may touch any cell: the leaks after it in its sub-table,
    /// and the sub-tables after it in its wave, are repaired again in a later wave.
    pub(super) fn repair_leaks(
        &mut self,
        leaks: &[(usize, usize)],
        slices: &[Vec<Vec<usize>>],
        locked: &mut [bool],
        stats: &mut LpStats,
    ) {
        // Sub-tables looked at per wave (bounds the cost of the overlap checks).
        const WINDOW: usize = 64;
        let overlap = |a: usize, b: usize| {
            a == b
                || slices[a]
                    .iter()
                    .zip(&slices[b])
                    .all(|(x, y)| x.iter().any(|n| y.binary_search(n).is_ok()))
        };
        // (sub-table, its leaks), in the order of their first leak.
        let mut jobs: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut job_of: std::collections::HashMap<usize, usize> = Default::default();
        for &(i, s) in leaks {
            let j = *job_of.entry(s).or_insert_with(|| {
                jobs.push((s, Vec::new()));
                jobs.len() - 1
            });
            jobs[j].1.push(i);
        }
        let mut left: std::collections::VecDeque<(usize, Vec<usize>)> = jobs.into();
        while !left.is_empty() {
            let mut wave: Vec<usize> = Vec::new();
            for j in 0..left.len().min(WINDOW) {
                let s = left[j].0;
                if (0..j).all(|e| !overlap(left[e].0, s)) {
                    wave.push(j);
                }
            }
            let this: &Self = self;
            let fixes = parallel_map(&wave, |&j| {
                let (s, ref found) = left[j];
                let mut st = LpStats::default();
                let fixed = this.repair_in(found, &slices[s], &mut st);
                (fixed, st)
            });
            let mut done: Vec<usize> = Vec::with_capacity(wave.len());
            for (&j, ((cells, failed), st)) in wave.iter().zip(fixes) {
                stats.add(&st);
                for c in cells {
                    self.status[c] = SECONDARY;
                    locked[c] = true;
                }
                let Some(k) = failed else {
                    stats.repairs += left[j].1.len();
                    done.push(j);
                    continue;
                };
                // A hypercube for the leak whose repair failed; the leaks after it again later.
                stats.repairs += k;
                let i = left[j].1[k];
                let cube = self.choose(i / self.k, i % self.k);
                self.apply(&cube);
                stats.cubes += 1;
                left[j].1.drain(..=k);
                if left[j].1.is_empty() {
                    done.push(j);
                }
                break;
            }
            for &j in done.iter().rev() {
                left.remove(j);
            }
        }
    }

    /// Repair the leaks `found` of a sub-table one after another (smallest first), from one
    /// program kept solved (`Repairer`): the status indices of the published counts to
    /// suppress, and the position in `found` of a leak whose repair failed (the ones before
    /// it are repaired; it needs a hypercube, the ones after it repairing again).
    pub(super) fn repair_in(
        &self,
        found: &[usize],
        sel: &[Vec<usize>],
        stats: &mut LpStats,
    ) -> (Vec<usize>, Option<usize>) {
        let prog = self.open_program(sel);
        let pos: std::collections::HashMap<usize, usize> = prog
            .targets
            .iter()
            .enumerate()
            .map(|(t, tg)| (tg.index, t))
            .collect();
        let liftable: Vec<usize> = found.iter().filter_map(|i| pos.get(i).copied()).collect();
        let mut cells: std::collections::HashSet<usize> = Default::default();
        let mut out: Vec<usize> = Vec::new();
        let published = |j: usize, cells: &std::collections::HashSet<usize>| {
            self.status[j] == PUBLISHED && !cells.contains(&j)
        };
        let mut rep = Repairer::new(&prog, |j| published(j, &cells), &liftable, stats);
        for (k, &i) in found.iter().enumerate() {
            let Some(&t) = pos.get(&i) else {
                return (out, Some(k));
            };
            let v = self.value(i / self.k, i % self.k);
            let cap = if v > 0 && v < self.threshold {
                f64::from(self.threshold - v)
            } else {
                1.0
            };
            let mut got = rep.as_mut().and_then(|r| r.repair(&prog, t, cap, stats));
            if got.is_none() {
                // Once more, on a program solved afresh.
                rep = Repairer::new(&prog, |j| published(j, &cells), &liftable, stats);
                got = rep.as_mut().and_then(|r| r.repair(&prog, t, cap, stats));
            }
            let Some(moved) = got else {
                return (out, Some(k));
            };
            for c in moved {
                if cells.insert(c) {
                    out.push(c);
                }
            }
        }
        (out, None)
    }
}

/// A sub-table's repair program (`Grid::open_program`), solved once and kept to repair its
/// leaks one after another from the basis at hand (a hot start, as in `Reach`). It asks for
/// the cheapest published counts to suppress so that a target can go up by its cap: a table
/// that keeps every relation of the sub-table, with no count negative, the target lifted and
/// the fewest published counts changed, weighted by their size (a count of `v` costs `v + 1`
/// per unit it moves). Such a table exists (the hypercube is one), and once the counts it
/// moves are suppressed it is a table the attacker cannot rule out. The counts a repair
/// suppresses cost nothing to the repairs after it.
pub(super) struct Repairer {
    sol: Solution,
    /// Per published count (target, its move variables, each at least 0 and costly).
    moves: Vec<(usize, Vec<Variable>)>,
    /// Per target that may be lifted: the variable that is its change, and its bounds.
    lift: Vec<Option<(Variable, (f64, f64))>>,
}

impl Repairer {
    /// The program with the counts `published(status index)` published, able to lift the
    /// targets `liftable`; `None` if the solver fails.
    pub(super) fn new(
        prog: &Program,
        published: impl Fn(usize) -> bool,
        liftable: &[usize],
        stats: &mut LpStats,
    ) -> Option<Repairer> {
        stats.programs += 1;
        let mut p = Problem::new(false);
        // Each atom's change: one free variable, or, for the only atom of a published count,
        // what it moves up and down, each at that count's cost.
        let mut split: Vec<Option<usize>> = vec![None; prog.vars];
        // (Published counts of several atoms: by target.)
        let mut soft: Vec<usize> = Vec::new();
        for (i, tg) in prog.targets.iter().enumerate() {
            if !published(tg.index) {
                continue;
            }
            match tg.terms.as_slice() {
                &[(v, c)] if c == 1.0 && split[v].is_none() => split[v] = Some(i),
                _ => soft.push(i),
            }
        }
        let mut moves: Vec<(usize, Vec<Variable>)> = Vec::new();
        let mut z: Vec<Vec<(Variable, f64)>> = Vec::with_capacity(prog.vars);
        for (s, &truth) in split.iter().zip(&prog.truth) {
            z.push(match *s {
                Some(i) => {
                    let w = prog.targets[i].value + 1.0;
                    let up = p.add_var(w, (0.0, f64::INFINITY));
                    let down = p.add_var(w, (0.0, truth));
                    moves.push((i, vec![up, down]));
                    vec![(up, 1.0), (down, -1.0)]
                }
                None => vec![(p.add_var(0.0, (-truth, f64::INFINITY)), 1.0)],
            });
        }
        let lin = |terms: &[(usize, f64)]| -> Vec<(Variable, f64)> {
            terms
                .iter()
                .flat_map(|&(v, c)| z[v].iter().map(move |&(x, s)| (x, s * c)))
                .collect()
        };
        let at_truth =
            |terms: &[(usize, f64)]| -> f64 { terms.iter().map(|&(v, c)| c * prog.truth[v]).sum() };
        // The relations hold for truth + change: `A z = b - A truth` (and `<=`).
        for (terms, b) in &prog.eq {
            p.add_constraint(lin(terms).as_slice(), ComparisonOp::Eq, b - at_truth(terms));
        }
        for (terms, b) in &prog.le {
            p.add_constraint(lin(terms).as_slice(), ComparisonOp::Le, b - at_truth(terms));
        }
        // A published count of several atoms: its change is what it moves up minus down.
        for &i in &soft {
            let value = prog.targets[i].value;
            let w = value + 1.0;
            let up = p.add_var(w, (0.0, f64::INFINITY));
            let down = p.add_var(w, (0.0, value));
            let mut row = lin(&prog.targets[i].terms);
            row.push((up, -1.0));
            row.push((down, 1.0));
            p.add_constraint(row.as_slice(), ComparisonOp::Eq, 0.0);
            moves.push((i, vec![up, down]));
        }
        // A target that is one unknown (not the only one of a published count) is lifted by
        // the bound of that unknown's change; the others by a variable equal to their change.
        let mut lift = vec![None; prog.targets.len()];
        for &t in liftable {
            lift[t] = Some(match prog.targets[t].terms.as_slice() {
                &[(u, c)] if c == 1.0 && split[u].is_none() => {
                    (z[u][0].0, (-prog.truth[u], f64::INFINITY))
                }
                terms => {
                    let bounds = (f64::NEG_INFINITY, f64::INFINITY);
                    let s = p.add_var(0.0, bounds);
                    let mut row = lin(terms);
                    row.push((s, -1.0));
                    p.add_constraint(row.as_slice(), ComparisonOp::Eq, 0.0);
                    (s, bounds)
                }
            });
        }
        let Ok(sol) = p.solve() else {
            stats.failed += 1;
            return None;
        };
        Some(Repairer { sol, moves, lift })
    }

    /// Lift target `t` by `cap`: the status indices of the published counts the cheapest table
    /// moves (they cost nothing from now on), or `None` if the solver fails.
    pub(super) fn repair(
        &mut self,
        prog: &Program,
        t: usize,
        cap: f64,
        stats: &mut LpStats,
    ) -> Option<Vec<usize>> {
        let (var, (lo, hi)) = self.lift[t]?;
        stats.programs += 1;
        let Ok(x) = self.sol.with_bounds(&[(var, (cap.max(lo), hi))]) else {
            stats.failed += 1;
            return None;
        };
        let mut out = Vec::new();
        for (i, vars) in &mut self.moves {
            if vars.iter().map(|v| x[v.0]).sum::<f64>() > TOL {
                out.push(prog.targets[*i].index);
                for v in vars.drain(..) {
                    self.sol.set_cost(v, 0.0).ok()?;
                }
            }
        }
        Some(out)
    }
}
