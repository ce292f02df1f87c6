//! The LP audit: what an attacker learns by solving a sub-table's relations all at once.
//!
//! Bound propagation (`bounds.rs`) uses one relation at a time, however long the chain; a
//! linear program over all relations of a sub-table can combine several at once and still pin
//! a count down, or show a small one to be small (measured: 33 of the 1,673 suppressed counts of
//! a 5-variable SAMT01 slice at scale 0.003). Here we solve those programs, per sub-table.
//!
//! # Sub-tables
//! Each one is a group of each area and time variable (a region with its municipalities, the
//! country with its regions; a year with its quarters, a quarter with its months, or SAMT03's
//! periods that are the same day) and, for the other variables, either every code or only the
//! total; as many variables in full as fit in `LP_BUDGET` published counts (cells times counts
//! per cell; HiTaS-style; the largest combinations first, a sub-table inside one already
//! audited is not audited again). The
//! program has a variable per cell and atom (SAMT02's six kinds of spell, SAMT03's persons with
//! and without two conversations), published counts as equations, every relation of the
//! sub-table, and counts never negative: what an attacker who takes the sub-table from the API
//! can write down. Sums the others imply are left out (a sum along an axis where an earlier
//! axis is at a total of the sub-table), and so are equations that substituting the published
//! counts makes dependent: the same tables, independent equations, a third fewer rows and a
//! steadier solver (`microlp`, the solver before HiGHS, called some programs with dependent
//! rows "infeasible"). The solver is HiGHS (`solver.rs`).
//!
//! # Certificates instead of two programs per count
//! A suppressed count is safe when some table agreeing with everything published has it at
//! least at the threshold (small counts) or at least one away from its true value (others). One
//! program finds such tables for many counts at once: maximise `Σ y_t`, `y_t <= x_t - v_t`,
//! `y_t <= d_t` (up), or `y_t <= v_t - x_t` (down); every count whose `y_t` reaches `d_t` is
//! certified. `y_t` has no lower bound: a count may go the other way at a price (with
//! `y_t >= 0` no count could, and at scale 1.0 the first joint programs of SAMT02's largest
//! sub-tables certified nothing). A count that is a single unknown (every SAMT01 count) needs no `y_t` and no
//! row: it gets the objective and the bound `x_t <= v_t + d_t` (up; down `x_t >= v_t - d_t`),
//! which the simplex handles without a row (at 0.003: a quarter of the programs and a quarter
//! of the time, same statuses). Every table a program finds is checked against the program's
//! constraints, then against every count (how far up and down each has been seen to go);
//! joint programs go all up, all down, then up or down by pseudo-random signs until one
//! certifies less than a tenth of what is open; the rest are asked one at a time of a program
//! solved once, with the count fixed and solved again from the basis at hand (a hot start),
//! and what no table moves is a leak.
//! A program falls apart into independent ones where no relation links their unknowns.
//!
//! # Repairs
//! A pinned secondary count is published again (the published cells already give it away; the
//! feasible tables do not change). A small count pinned or shown small is repaired in the
//! sub-table where it leaked (`Repairer`): a second program finds the cheapest table that keeps
//! every relation of the sub-table, has no count negative and lifts the count to the threshold,
//! where moving a published count of `v` costs `v + 1` per unit (smallest counts first); the
//! published counts it moves are suppressed. That table is then one the attacker cannot rule
//! out. Those counts are never published again (the table needs them); one that another
//! sub-table pins gets a repair there (by one). A repair keeps the relations of its sub-table,
//! not those of the variables the sub-table has at their total (a total it hides may be the one
//! unknown of its categories' sum): the line audit then gives such a relation a second unknown,
//! locked too. The leaks of one sub-table are repaired one after another from one program
//! solved once, each from the basis the one before left (a hot start; what a repair suppresses
//! costs nothing to those after it). A repair reads and changes the statuses of its sub-table
//! only, so sub-tables that share no cell with one before them are repaired at the same time,
//! on every core, with the result of repairing them one after another (`repair_leaks`). A
//! repair touches only the sub-table, not the hierarchy above it, so it costs far less than a
//! hypercube (`Grid::choose`, the fallback if the program fails twice), which keeps every
//! relation of the whole table and so climbs to national totals (at scale 0.05, 4.5 % of
//! SAMT01's national count hidden against 39 %).
//! Suppressing more only widens what an attacker can tell, so a count certified in a sub-table
//! stays certified until a count of that sub-table is published again (it is not certified
//! again until then), unless that count was pinned there and every table the audits of the
//! sub-table found had it at its true value: those tables all stay possible. The sub-tables
//! where something changed are audited again until a pass changes nothing. Sub-tables are
//! certified on as many threads as there are cores, the results merged in a fixed order:
//! deterministic.

mod certify;
mod program;
mod repair;
#[cfg(test)]
mod tests;

use super::{Grid, PUBLISHED, SECONDARY};
use certify::certify;

/// Passes at most (each repairs at least one leak).
const MAX_PASSES: usize = 20;
/// A joint round after the first two must certify at least one in this many open counts,
/// or the rest are asked one by one.
const FEW: usize = 10;
/// Tolerance on the solver's values.
const TOL: f64 = 1e-6;

/// What the LP audit did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LpStats {
    /// Sub-tables audited (over all passes).
    pub subtables: usize,
    /// Linear programs solved.
    pub programs: usize,
    /// Small counts found pinned or shown small and given a hypercube (when a repair program
    /// failed).
    pub cubes: usize,
    /// Small counts found pinned or shown small and repaired by suppressing the cheapest
    /// published counts of the sub-table (`repair`).
    pub repairs: usize,
    /// Secondary counts found pinned, published again.
    pub published: usize,
    /// Programs the solver failed on (no answer, or "infeasible" though the true table
    /// satisfies every constraint, or a table that does not check out): a count that no other
    /// program certifies is then a leak (it gets a repair), and nothing is published again.
    pub failed: usize,
    /// Leaks left when it stopped (0 unless `MAX_PASSES` ran out or a solver failed).
    pub left: usize,
}

impl LpStats {
    fn add(&mut self, o: &LpStats) {
        self.subtables += o.subtables;
        self.programs += o.programs;
        self.cubes += o.cubes;
        self.repairs += o.repairs;
        self.published += o.published;
        self.failed += o.failed;
        self.left += o.left;
    }
}

/// What certifying one sub-table found (status indices).
#[derive(Default)]
struct SubtableAudit {
    stats: LpStats,
    /// Small counts pinned or shown small.
    leaks: Vec<usize>,
    /// Other suppressed counts pinned.
    pinned: Vec<usize>,
    /// Counts certified.
    certified: Vec<usize>,
    /// Counts left open that a table the audit found had off their true value.
    moved: Vec<usize>,
}

/// One count to certify: its expression over the program's variables (constants folded in),
/// its true value, and whether it is small.
struct Target {
    /// Index into the grid's statuses.
    index: usize,
    terms: Vec<(usize, f64)>,
    constant: f64,
    value: f64,
    small: bool,
}

/// A sub-table's program: variables, constraints, targets.
struct Program {
    vars: usize,
    eq: Vec<(Vec<(usize, f64)>, f64)>,
    le: Vec<(Vec<(usize, f64)>, f64)>,
    targets: Vec<Target>,
    /// The true value of each variable (only in the repair program, see `open_program`).
    truth: Vec<f64>,
}

impl Program {
    /// The program split into independent ones: variables linked by a constraint (or by a
    /// target) stay together; each is solved on its own.
    fn components(self) -> Vec<Program> {
        let mut parent: Vec<usize> = (0..self.vars).collect();
        fn find(p: &mut [usize], mut v: usize) -> usize {
            while p[v] != v {
                p[v] = p[p[v]];
                v = p[v];
            }
            v
        }
        let rows = self
            .eq
            .iter()
            .chain(&self.le)
            .map(|r| &r.0)
            .chain(self.targets.iter().map(|t| &t.terms));
        for terms in rows {
            if let Some(&(first, _)) = terms.first() {
                let a = find(&mut parent, first);
                for &(v, _) in &terms[1..] {
                    let b = find(&mut parent, v);
                    parent[b] = a;
                }
            }
        }
        let mut comp_of = vec![usize::MAX; self.vars];
        let mut local = vec![0usize; self.vars];
        let mut sizes: Vec<usize> = Vec::new();
        for v in 0..self.vars {
            let r = find(&mut parent, v);
            if comp_of[r] == usize::MAX {
                comp_of[r] = sizes.len();
                sizes.push(0);
            }
            let c = comp_of[r];
            comp_of[v] = c;
            local[v] = sizes[c];
            sizes[c] += 1;
        }
        // Targets without variables (pinned by constants) form a program of their own.
        let mut out: Vec<Program> = sizes
            .iter()
            .map(|&n| Program {
                vars: n,
                eq: Vec::new(),
                le: Vec::new(),
                targets: Vec::new(),
                truth: Vec::new(),
            })
            .chain(std::iter::once(Program {
                vars: 0,
                eq: Vec::new(),
                le: Vec::new(),
                targets: Vec::new(),
                truth: Vec::new(),
            }))
            .collect();
        let none = sizes.len();
        let relabel = |terms: Vec<(usize, f64)>| -> (usize, Vec<(usize, f64)>) {
            let c = terms.first().map_or(none, |t| comp_of[t.0]);
            (c, terms.into_iter().map(|(v, x)| (local[v], x)).collect())
        };
        for (terms, b) in self.eq {
            let (c, t) = relabel(terms);
            out[c].eq.push((t, b));
        }
        for (terms, b) in self.le {
            let (c, t) = relabel(terms);
            out[c].le.push((t, b));
        }
        for mut tg in self.targets {
            let (c, t) = relabel(std::mem::take(&mut tg.terms));
            tg.terms = t;
            out[c].targets.push(tg);
        }
        out.retain(|p| !p.targets.is_empty());
        out
    }
}

impl Grid<'_> {
    /// Run the LP audit (after the interval audit). `grouped[a]`: axis `a` is taken a group
    /// at a time (area, time); the others in full or at their total.
    pub fn audit_lp(&mut self, grouped: &[bool], budget: usize) -> LpStats {
        let mut stats = LpStats::default();
        let slices = self.subtables(grouped, budget);
        let mut dirty: Vec<bool> = vec![true; slices.len()];
        // Counts suppressed by a repair: never published again (the repair's table needs
        // them); one pinned in another sub-table gets a repair there.
        let mut locked: Vec<bool> = vec![false; self.status.len()];
        // Per sub-table, the counts certified at its last audits (sorted). Suppressing more
        // only widens what an attacker can tell, so they stay certified until a count of the
        // sub-table is published again (but one pinned there, below).
        let mut certified: Vec<Vec<usize>> = vec![Vec::new(); slices.len()];
        // Per sub-table, the counts left open that a table of those audits had off their true
        // value (sorted): publishing one may rule that table out.
        let mut moved: Vec<Vec<usize>> = vec![Vec::new(); slices.len()];
        let relations = self.relations();
        for _ in 0..MAX_PASSES {
            // (status index, sub-table) of each leak, and of each pinned secondary count.
            let mut leaks: Vec<(usize, usize)> = Vec::new();
            let mut pinned: Vec<(usize, usize)> = Vec::new();
            let todo: Vec<usize> = (0..slices.len()).filter(|&s| dirty[s]).collect();
            for (s, audit) in self.audit_subtables(&slices, &todo, &certified) {
                stats.add(&audit.stats);
                leaks.extend(audit.leaks.iter().map(|&i| (i, s)));
                pinned.extend(audit.pinned.iter().map(|&i| (i, s)));
                certified[s].extend(audit.certified);
                certified[s].sort_unstable();
                moved[s].extend(audit.moved);
                moved[s].sort_unstable();
            }
            let before = self.status.clone();
            pinned.sort_unstable();
            for &(i, s) in &pinned {
                if locked[i] {
                    leaks.push((i, s));
                } else if self.status[i] == SECONDARY {
                    self.status[i] = PUBLISHED;
                    stats.published += 1;
                }
            }
            // Smallest first; a count that leaks in several sub-tables is repaired in each.
            leaks.sort_unstable_by_key(|&(i, s)| (self.value(i / self.k, i % self.k), i, s));
            leaks.dedup();
            stats.left = leaks.len();
            self.repair_leaks(&leaks, &slices, &mut locked, &mut stats);
            // A repair keeps the relations of its sub-table, not those of the variables the
            // sub-table has at their total: the line audit gives a relation it left with one
            // unknown a second (those are locked too; the next pass certifies them).
            let hidden: Vec<usize> = (0..self.status.len())
                .filter(|&i| before[i] == PUBLISHED && self.status[i] != PUBLISHED)
                .map(|i| i / self.k)
                .collect();
            if !hidden.is_empty() {
                let lines_before = self.status.clone();
                self.run_audit(&relations, Some(hidden));
                for (i, l) in locked.iter_mut().enumerate() {
                    if lines_before[i] == PUBLISHED && self.status[i] != PUBLISHED {
                        *l = true;
                    }
                }
            }
            // Audit again the sub-tables where something changed (published again, or
            // suppressed by a repair), until nothing does.
            let changed: Vec<usize> = (0..self.status.len())
                .filter(|&i| before[i] != self.status[i])
                .map(|i| i / self.k)
                .collect();
            if changed.is_empty() {
                stats.left = 0;
                break;
            }
            let republished: Vec<usize> = (0..self.status.len())
                .filter(|&i| before[i] != PUBLISHED && self.status[i] == PUBLISHED)
                .collect();
            for (s, sel) in slices.iter().enumerate() {
                dirty[s] = changed.iter().any(|&c| self.in_slice(c, sel));
                // A count pinned here that every table of these audits had at its true value
                // leaves them all possible when it is published: what they certified stays
                // certified. Any other count published again may rule some out.
                if republished.iter().any(|&i| {
                    self.in_slice(i / self.k, sel)
                        && (pinned.binary_search(&(i, s)).is_err()
                            || moved[s].binary_search(&i).is_ok())
                }) {
                    certified[s].clear();
                    moved[s].clear();
                }
            }
        }
        stats
    }

    /// Certify the suppressed counts of the given sub-tables (but those in `certified[s]`),
    /// on as many threads as there are cores; the results in the order of `todo`, so the
    /// outcome does not depend on the threads.
    fn audit_subtables(
        &self,
        slices: &[Vec<Vec<usize>>],
        todo: &[usize],
        certified: &[Vec<usize>],
    ) -> Vec<(usize, SubtableAudit)> {
        let audit = |s: usize| -> SubtableAudit {
            let mut out = SubtableAudit::default();
            out.stats.subtables = 1;
            let mut prog = self.program(&slices[s]);
            let known = &certified[s];
            prog.targets
                .retain(|t| known.binary_search(&t.index).is_err());
            out.certified = prog.targets.iter().map(|t| t.index).collect();
            let mut open: Vec<usize> = Vec::new();
            for prog in prog.components() {
                let v = certify(&prog, self.threshold, &mut out.stats);
                out.leaks.extend(v.leaks);
                out.pinned.extend(v.pinned);
                out.moved.extend(v.moved);
                open.extend(v.open);
            }
            open.sort_unstable();
            out.certified.retain(|i| open.binary_search(i).is_err());
            out
        };
        let done = parallel_map(todo, |&s| audit(s));
        todo.iter().copied().zip(done).collect()
    }
}

/// `f` over `items` on as many threads as there are cores (each takes the next item left);
/// the results in the order of `items`, so they do not depend on the threads.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|sc| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                sc.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let j = next.fetch_add(1, Ordering::Relaxed);
                        let Some(x) = items.get(j) else { break };
                        mine.push((j, f(x)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_by_key(|x| x.0);
    done.into_iter().map(|x| x.1).collect()
}
