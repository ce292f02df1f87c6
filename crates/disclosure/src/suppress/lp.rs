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

use super::solver::{ComparisonOp, Error, Problem, Solution, Variable};
use super::{Grid, PRIMARY, PROTECTED, PUBLISHED, SECONDARY};

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

    /// Repair the leaks (status index, sub-table): per sub-table one after another, smallest
    /// first, from one program kept solved (`repair_in`), the sub-tables in the order of their
    /// smallest leak. A repair reads and changes only the statuses of its sub-table, so
    /// sub-tables that share no cell with one before them still to be repaired are repaired
    /// at the same time (in waves, on as many threads as there are cores), and their results
    /// applied in order: the result of repairing them one after another. A leak whose repair
    /// fails gets a hypercube, which may touch any cell: the leaks after it in its sub-table,
    /// and the sub-tables after it in its wave, are repaired again in a later wave.
    fn repair_leaks(
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
    fn repair_in(
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

    fn in_slice(&self, cell: usize, sel: &[Vec<usize>]) -> bool {
        self.coords(cell)
            .iter()
            .zip(sel)
            .all(|(c, nodes)| nodes.binary_search(c).is_ok())
    }

    /// The sub-tables to audit: per axis a sorted node list.
    fn subtables(&self, grouped: &[bool], budget: usize) -> Vec<Vec<Vec<usize>>> {
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
    fn program(&self, sel: &[Vec<usize>]) -> Program {
        self.program_with(sel, true, false)
    }

    /// The repair program for one sub-table: every atom an unknown (with its true value), the
    /// relations (implied sums left out), and every count that is not hidden as a target,
    /// published or not.
    fn open_program(&self, sel: &[Vec<usize>]) -> Program {
        self.program_with(sel, true, true)
    }

    /// The attacker's program; `independent`: leave out the sums that the others imply;
    /// `open`: the repair program (`open_program`).
    fn program_with(&self, sel: &[Vec<usize>], independent: bool, open: bool) -> Program {
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

/// The equations without those the others imply (row echelon form by sparse elimination; a row
/// that reduces to nothing is dropped). Substituting published counts makes relations that are
/// independent over all cells dependent over the unknowns (a cycle of four hidden cells gives
/// four sums of rank three), and a simplex solver can trip over dependent rows.
fn independent_rows(eq: Vec<(Vec<(usize, f64)>, f64)>) -> Vec<(Vec<(usize, f64)>, f64)> {
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

/// What `certify` found (status indices).
#[derive(Debug, Default)]
struct Verdict {
    /// Small counts pinned or shown small.
    leaks: Vec<usize>,
    /// Other suppressed counts pinned (none if a solver failed).
    pinned: Vec<usize>,
    /// Every count left uncertified: the two above, and what a failed solver left open.
    open: Vec<usize>,
    /// Counts left uncertified that some table found had off their true value.
    moved: Vec<usize>,
}

/// Certify the program's targets. Every table a program finds is checked
/// against every target: how far up and down each has been seen to move. A solver failure
/// never publishes anything and counts a small count as a leak (it gets a hypercube).
fn certify(prog: &Program, threshold: u32, stats: &mut LpStats) -> Verdict {
    let t = f64::from(threshold);
    let tg = &prog.targets;
    let n = tg.len();
    let mut up = vec![0.0f64; n];
    let mut down = vec![0.0f64; n];
    let up_cap = |i: usize| if tg[i].small { t - tg[i].value } else { 1.0 };
    let done = |i: usize, up: &[f64], down: &[f64]| {
        if tg[i].small {
            up[i] >= up_cap(i) - TOL
        } else {
            up[i] + down[i] >= 1.0 - TOL
        }
    };
    let see = |x: &[f64], up: &mut [f64], down: &mut [f64]| {
        for (i, g) in tg.iter().enumerate() {
            let v: f64 = g.terms.iter().map(|&(j, c)| c * x[j]).sum::<f64>() + g.constant;
            let d = v - g.value;
            up[i] = up[i].max(d);
            down[i] = down[i].max(-d);
        }
    };
    let open = |up: &[f64], down: &[f64]| -> Vec<usize> {
        (0..n).filter(|&i| !done(i, up, down)).collect()
    };
    // Joint programs until two in a row certify nothing: all up, then all down, then each
    // count up or down by a fixed pseudo-random sign per round (two counts whose sum is
    // published can only move in opposite directions: a joint program that moves both the
    // same way certifies neither).
    let mut idle = 0;
    for round in 0u64.. {
        let before = open(&up, &down);
        if before.is_empty() {
            break;
        }
        let dir_of = |i: usize| -> f64 {
            let may_go_down = !tg[i].small && tg[i].value > 0.0;
            match round {
                0 => 1.0,
                1 => -1.0,
                _ if !may_go_down => 1.0,
                _ if mix(tg[i].index as u64, round) & 1 == 0 => 1.0,
                _ => -1.0,
            }
        };
        let cand: Vec<usize> = before
            .iter()
            .copied()
            .filter(|&i| dir_of(i) > 0.0 || (!tg[i].small && tg[i].value > 0.0))
            .collect();
        if !cand.is_empty() {
            let dirs: Vec<f64> = cand.iter().map(|&i| dir_of(i)).collect();
            let caps: Vec<f64> = cand
                .iter()
                .zip(&dirs)
                .map(|(&i, &d)| if d > 0.0 { up_cap(i) } else { 1.0 })
                .collect();
            if let Some(x) = solve(prog, &cand, &caps, &dirs, stats) {
                see(&x, &mut up, &mut down);
            }
        }
        let left = open(&up, &down).len();
        idle = if left < before.len() { 0 } else { idle + 1 };
        // After the first two, a round is worth a whole solve only while it certifies a
        // good share of what is open; the rest are asked one by one of a solved table.
        if idle >= 2 || (round >= 2 && (before.len() - left) * FEW < before.len()) {
            break;
        }
    }
    // What is left: each count on its own, up (to the threshold for small counts, else by
    // one), then down by one (counts neither small nor zero). Each is asked of one program
    // solved once (`Reach`): with the count fixed where it should go, HiGHS solves again
    // from the basis it has, a few dual simplex steps where a program of its own starts from
    // nothing. HiGHS's "infeasible" is taken as it is (a wrong one could only hide or
    // publish again more than needed, never leave a count certified that is not); where it
    // fails, the count gets a program of its own.
    let rest = open(&up, &down);
    let mut failed = false;
    let mut reach = Reach::new(prog, &rest);
    for &i in &rest {
        for dir in [1.0, -1.0] {
            if done(i, &up, &down) || (dir < 0.0 && (tg[i].small || tg[i].value == 0.0)) {
                continue;
            }
            let cap = if dir > 0.0 { up_cap(i) } else { 1.0 };
            match reach.to(prog, i, tg[i].value + dir * cap, stats) {
                Reached::Yes(x) => {
                    see(&x, &mut up, &mut down);
                    continue;
                }
                Reached::No => continue,
                Reached::Unknown => {}
            }
            match solve(prog, &[i], &[cap], &[dir], stats) {
                Some(x) => see(&x, &mut up, &mut down),
                None => failed = true,
            }
        }
    }
    let mut v = Verdict::default();
    for i in open(&up, &down) {
        if tg[i].small {
            v.leaks.push(tg[i].index);
        } else if !failed {
            v.pinned.push(tg[i].index);
        }
        v.open.push(tg[i].index);
        if up[i] > TOL || down[i] > TOL {
            v.moved.push(tg[i].index);
        }
    }
    v
}

/// A sub-table's repair program (`Grid::open_program`), solved once and kept to repair its
/// leaks one after another from the basis at hand (a hot start, as in `Reach`). It asks for
/// the cheapest published counts to suppress so that a target can go up by its cap: a table
/// that keeps every relation of the sub-table, with no count negative, the target lifted and
/// the fewest published counts changed, weighted by their size (a count of `v` costs `v + 1`
/// per unit it moves). Such a table exists (the hypercube is one), and once the counts it
/// moves are suppressed it is a table the attacker cannot rule out. The counts a repair
/// suppresses cost nothing to the repairs after it.
struct Repairer {
    sol: Solution,
    /// Per published count (target, its move variables, each at least 0 and costly).
    moves: Vec<(usize, Vec<Variable>)>,
    /// Per target that may be lifted: the variable that is its change, and its bounds.
    lift: Vec<Option<(Variable, (f64, f64))>>,
}

impl Repairer {
    /// The program with the counts `published(status index)` published, able to lift the
    /// targets `liftable`; `None` if the solver fails.
    fn new(
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
    fn repair(
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

/// A program solved once (no objective), kept to ask of each count whether it can take a
/// given value: the count fixed there and solved again from the basis at hand
/// (`Solution::with_fixed`, HiGHS's hot start). A count of several unknowns gets a variable of
/// its own equal to their sum, so that it can be fixed the same way. Every table it returns is
/// checked against the program (`satisfies`): a wrong answer of the solver can cost a program,
/// never certify a count.
struct Reach {
    /// The solved program (`None`: not solved yet).
    base: Option<Result<Solution, Error>>,
    /// Per target, the variable that is its value less its constant.
    var_of: Vec<Option<Variable>>,
    /// The program's variables (the first columns).
    vars: usize,
    problem: Option<Problem>,
}

impl Reach {
    fn new(prog: &Program, targets: &[usize]) -> Reach {
        let (mut p, x) = base_problem(
            prog,
            &vec![0.0; prog.vars],
            &vec![(0.0, f64::INFINITY); prog.vars],
        );
        let mut var_of = vec![None; prog.targets.len()];
        for &i in targets {
            let tg = &prog.targets[i];
            var_of[i] = match tg.terms.as_slice() {
                &[(v, 1.0)] => Some(x[v]),
                terms => {
                    let s = p.add_var(0.0, (f64::NEG_INFINITY, f64::INFINITY));
                    let mut row: Vec<(Variable, f64)> =
                        terms.iter().map(|&(v, c)| (x[v], c)).collect();
                    row.push((s, -1.0));
                    p.add_constraint(row.as_slice(), ComparisonOp::Eq, 0.0);
                    Some(s)
                }
            };
        }
        Reach {
            base: None,
            var_of,
            vars: prog.vars,
            problem: Some(p),
        }
    }

    /// The program solved (once), or `None` if the solver failed on it.
    fn base(&mut self, stats: &mut LpStats) -> Option<&mut Solution> {
        if self.base.is_none() {
            stats.programs += 1;
            let solved = self
                .problem
                .take()
                .map_or(Err(Error::Failed), Problem::solve);
            if solved.is_err() {
                stats.failed += 1;
            }
            self.base = Some(solved);
        }
        self.base.as_mut().and_then(|b| b.as_mut().ok())
    }

    /// A table with target `i` at `value`, if the solver finds one and it checks out.
    fn to(&mut self, prog: &Program, i: usize, value: f64, stats: &mut LpStats) -> Reached {
        let Some(var) = self.var_of[i] else {
            return Reached::Unknown;
        };
        let Some(base) = self.base(stats) else {
            return Reached::Unknown;
        };
        stats.programs += 1;
        let mut x = match base.with_fixed(var, value - prog.targets[i].constant) {
            Ok(x) => x,
            Err(Error::Infeasible) => return Reached::No,
            Err(Error::Failed) => return Reached::Unknown,
        };
        x.truncate(self.vars);
        let tg = &prog.targets[i];
        let at = tg.terms.iter().map(|&(j, c)| c * x[j]).sum::<f64>() + tg.constant;
        if satisfies(prog, &x) && (at - value).abs() <= TOL {
            Reached::Yes(x)
        } else {
            Reached::Unknown
        }
    }
}

/// What `Reach::to` found.
enum Reached {
    /// A table with the count there (checked).
    Yes(Vec<f64>),
    /// The solver says there is none.
    No,
    /// The solver failed or its table did not check out.
    Unknown,
}

/// Whether `x` satisfies every constraint of the program (and no unknown is negative), to
/// within the solver's tolerance.
fn satisfies(prog: &Program, x: &[f64]) -> bool {
    let lhs = |terms: &[(usize, f64)]| terms.iter().map(|&(j, c)| c * x[j]).sum::<f64>();
    x.iter().all(|&v| v >= -TOL)
        && prog
            .eq
            .iter()
            .all(|(t, b)| (lhs(t) - b).abs() <= TOL * (1.0 + b.abs()))
        && prog
            .le
            .iter()
            .all(|(t, b)| lhs(t) <= b + TOL * (1.0 + b.abs()))
}

/// A fixed pseudo-random 64-bit value of `(a, b)` (SplitMix64's finaliser).
fn mix(a: u64, b: u64) -> u64 {
    let mut z = a
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(b.wrapping_mul(0xbf58_476d_1ce4_e5b9));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The program's variables (with their objective coefficients and bounds) and constraints.
fn base_problem(prog: &Program, obj: &[f64], bounds: &[(f64, f64)]) -> (Problem, Vec<Variable>) {
    let mut p = Problem::new(true);
    let x: Vec<Variable> = (0..prog.vars)
        .map(|v| p.add_var(obj[v], bounds[v]))
        .collect();
    let lin = |terms: &[(usize, f64)]| -> Vec<(Variable, f64)> {
        terms.iter().map(|&(v, c)| (x[v], c)).collect()
    };
    for (terms, b) in &prog.eq {
        p.add_constraint(lin(terms).as_slice(), ComparisonOp::Eq, *b);
    }
    for (terms, b) in &prog.le {
        p.add_constraint(lin(terms).as_slice(), ComparisonOp::Le, *b);
    }
    (p, x)
}

/// A target's move as a variable `0 <= y <= cap`, `y <= dir * (count - value)`, worth 1 in the
/// objective.
fn add_move(p: &mut Problem, x: &[Variable], tg: &Target, dir: f64, cap: f64) -> Variable {
    let y = p.add_var(1.0, (f64::NEG_INFINITY, cap));
    let mut row: Vec<(Variable, f64)> = tg.terms.iter().map(|&(v, c)| (x[v], -dir * c)).collect();
    row.push((y, 1.0));
    p.add_constraint(
        row.as_slice(),
        ComparisonOp::Le,
        dir * (tg.constant - tg.value),
    );
    y
}

/// Maximise how far the chosen targets move (up for `dir` = 1, down for -1), each capped;
/// returns the table found (the program's variables). `None` if the solver fails.
fn solve(
    prog: &Program,
    chosen: &[usize],
    caps: &[f64],
    dirs: &[f64],
    stats: &mut LpStats,
) -> Option<Vec<f64>> {
    stats.programs += 1;
    // A count that is one unknown moves by its bounds and the objective (no extra row); the
    // others through a move variable and a row.
    let mut obj = vec![0.0; prog.vars];
    let mut bounds = vec![(0.0, f64::INFINITY); prog.vars];
    let mut rows: Vec<(usize, f64, f64)> = Vec::new();
    for ((&i, &cap), &dir) in chosen.iter().zip(caps).zip(dirs) {
        let tg = &prog.targets[i];
        match tg.terms.as_slice() {
            &[(v, c)] if c == 1.0 && obj[v] == 0.0 => {
                let target = tg.value - tg.constant + dir * cap;
                obj[v] = dir;
                if dir > 0.0 {
                    bounds[v].1 = target;
                } else {
                    bounds[v].0 = target.max(0.0);
                }
            }
            _ => rows.push((i, cap, dir)),
        }
    }
    let (mut p, x) = base_problem(prog, &obj, &bounds);
    for (i, cap, dir) in rows {
        add_move(&mut p, &x, &prog.targets[i], dir, cap);
    }
    let Ok(sol) = p.solve() else {
        stats.failed += 1;
        return None;
    };
    let x: Vec<f64> = x.iter().map(|&v| sol.var_value(v)).collect();
    if !satisfies(prog, &x) {
        stats.failed += 1;
        return None;
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::super::{AtomValues, Axis};
    use super::*;

    /// Rank of equations over `vars` unknowns (Gaussian elimination, partial pivoting).
    fn rank(rows: &[(Vec<(usize, f64)>, f64)], vars: usize) -> usize {
        let mut m: Vec<Vec<f64>> = rows
            .iter()
            .map(|(t, _)| {
                let mut r = vec![0.0; vars];
                for &(j, c) in t {
                    r[j] += c;
                }
                r
            })
            .collect();
        let mut rank = 0;
        for col in 0..vars {
            let Some(p) =
                (rank..m.len()).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))
            else {
                break;
            };
            if m[p][col].abs() < 1e-9 {
                continue;
            }
            m.swap(rank, p);
            for r in 0..m.len() {
                if r != rank {
                    let f = m[r][col] / m[rank][col];
                    if f != 0.0 {
                        for c in col..vars {
                            m[r][c] -= f * m[rank][c];
                        }
                    }
                }
            }
            rank += 1;
        }
        rank
    }

    /// `x0 + x1 = 5`, `x1 + x2 = 3`, all `>= 0`: `x1` runs over [0, 3] and `x0 + x2 = 8 - 2 x1`
    /// over [2, 8] (by hand).
    fn two_sums() -> Program {
        let target = |index: usize, terms: Vec<(usize, f64)>, value: f64| Target {
            index,
            terms,
            constant: 0.0,
            value,
            small: false,
        };
        Program {
            vars: 3,
            eq: vec![
                (vec![(0, 1.0), (1, 1.0)], 5.0),
                (vec![(1, 1.0), (2, 1.0)], 3.0),
            ],
            le: Vec::new(),
            targets: vec![
                target(10, vec![(1, 1.0)], 1.0),
                target(11, vec![(0, 1.0), (2, 1.0)], 6.0),
            ],
            truth: Vec::new(),
        }
    }

    #[test]
    fn repairs_move_the_cheapest_published_counts_and_reuse_what_they_hid() {
        // T = a + b + c + d with a = 1 and d = 2 hidden (small), b = 10, c = 6 and T = 19
        // published. Lifting a to 5 costs 4 units: of c (4 × 7 = 28), of b (4 × 11 = 44) or
        // of T (4 × 20 = 80); c it is. Then lifting d to 5 moves c again, now for nothing.
        let target = |index: usize, terms: Vec<(usize, f64)>, value: f64| Target {
            index,
            terms,
            constant: 0.0,
            value,
            small: value < 5.0,
        };
        let prog = Program {
            vars: 5,
            eq: vec![(
                vec![(0, -1.0), (1, -1.0), (2, -1.0), (3, -1.0), (4, 1.0)],
                0.0,
            )],
            le: Vec::new(),
            targets: vec![
                target(100, vec![(0, 1.0)], 1.0),
                target(101, vec![(1, 1.0)], 10.0),
                target(102, vec![(2, 1.0)], 6.0),
                target(103, vec![(3, 1.0)], 2.0),
                target(104, vec![(4, 1.0)], 19.0),
                // a + d, a count of two unknowns (as SAMT02's are).
                target(105, vec![(0, 1.0), (3, 1.0)], 3.0),
            ],
            truth: vec![1.0, 10.0, 6.0, 2.0, 19.0],
        };
        let published = |j: usize| matches!(j, 101 | 102 | 104);
        let mut stats = LpStats::default();
        let mut rep = Repairer::new(&prog, published, &[0, 3, 5], &mut stats).expect("solved");
        assert_eq!(rep.repair(&prog, 0, 4.0, &mut stats), Some(vec![102]));
        assert_eq!(rep.repair(&prog, 3, 3.0, &mut stats), Some(vec![]));
        // With c hidden from the start, lifting a + d by 2 is free too; with c published, it
        // moves c (2 × 7), not b (2 × 11).
        assert_eq!(rep.repair(&prog, 5, 2.0, &mut stats), Some(vec![]));
        let mut fresh = Repairer::new(&prog, published, &[5], &mut stats).expect("solved");
        assert_eq!(fresh.repair(&prog, 5, 2.0, &mut stats), Some(vec![102]));
        // A target it was not built to lift: no answer (the caller builds another).
        assert_eq!(fresh.repair(&prog, 0, 4.0, &mut stats), None);
        assert_eq!(stats.failed, 0);
    }

    #[test]
    fn reach_finds_checked_tables_and_says_no_beyond_the_bounds() {
        let prog = two_sums();
        let mut stats = LpStats::default();
        let mut reach = Reach::new(&prog, &[0, 1]);
        let yes = |r: Reached| match r {
            Reached::Yes(x) => x,
            Reached::No => panic!("said no"),
            Reached::Unknown => panic!("unknown"),
        };
        let x = yes(reach.to(&prog, 0, 3.0, &mut stats));
        assert!((x[1] - 3.0).abs() < 1e-9 && (x[0] - 2.0).abs() < 1e-9 && satisfies(&prog, &x));
        let x = yes(reach.to(&prog, 0, 0.0, &mut stats));
        assert!((x[0] - 5.0).abs() < 1e-9 && (x[2] - 3.0).abs() < 1e-9);
        assert!(matches!(reach.to(&prog, 0, 3.5, &mut stats), Reached::No));
        assert!(matches!(reach.to(&prog, 0, -1.0, &mut stats), Reached::No));
        let x = yes(reach.to(&prog, 1, 8.0, &mut stats));
        assert!((x[0] + x[2] - 8.0).abs() < 1e-9 && x[1].abs() < 1e-9);
        let x = yes(reach.to(&prog, 1, 2.0, &mut stats));
        assert!((x[1] - 3.0).abs() < 1e-9 && satisfies(&prog, &x));
        assert!(matches!(reach.to(&prog, 1, 8.5, &mut stats), Reached::No));
        assert!(matches!(reach.to(&prog, 1, 1.5, &mut stats), Reached::No));
        // A table that breaks a sum, or has a count below zero, does not check out.
        assert!(!satisfies(&prog, &[2.0, 3.0, 1.0]));
        assert!(!satisfies(&prog, &[6.0, -1.0, 4.0]));
        assert!(satisfies(&prog, &[4.0, 1.0, 2.0]));
    }

    #[test]
    fn certify_moves_what_can_move_and_pins_what_cannot() {
        // With `x1` published as 1 the other two are pinned (4 and 2); a target that is a
        // small count below the threshold can reach it only if a table has it there.
        let mut prog = two_sums();
        prog.eq.push((vec![(1, 1.0)], 1.0));
        prog.targets[0].small = false;
        prog.targets.push(Target {
            index: 12,
            terms: vec![(2, 1.0)],
            constant: 0.0,
            value: 2.0,
            small: true,
        });
        prog.targets.push(Target {
            index: 13,
            terms: vec![(0, 1.0)],
            constant: 0.0,
            value: 4.0,
            small: false,
        });
        let mut stats = LpStats::default();
        let Verdict { leaks, pinned, .. } = certify(&prog, 5, &mut stats);
        assert_eq!(leaks, vec![12]);
        assert_eq!(pinned, vec![10, 11, 13]);
        // Without it, everything moves: x1 over [0, 3], and x2 = 3 - x1 reaches 3: short of 5
        // (a leak with threshold 5), enough for threshold 3.
        let prog = {
            let mut p = two_sums();
            p.targets.push(Target {
                index: 12,
                terms: vec![(2, 1.0)],
                constant: 0.0,
                value: 2.0,
                small: true,
            });
            p
        };
        let Verdict { leaks, pinned, .. } = certify(&prog, 5, &mut stats);
        assert_eq!((leaks, pinned), (vec![12], vec![]));
        let Verdict { leaks, pinned, .. } = certify(&prog, 3, &mut stats);
        assert_eq!((leaks, pinned), (vec![], vec![]));
    }

    #[test]
    fn dependent_equations_are_dropped() {
        // Four hidden cells in a cycle (rows 0+1, 2+3; columns 0+2, 1+3): rank three. Then a
        // repeated row and an independent one.
        let row = |t: &[usize], b: f64| (t.iter().map(|&j| (j, 1.0)).collect::<Vec<_>>(), b);
        let eq = vec![
            row(&[0, 1], 3.0),
            row(&[2, 3], 5.0),
            row(&[0, 2], 4.0),
            row(&[1, 3], 4.0),
            row(&[0, 1], 3.0),
            row(&[3, 4], 6.0),
        ];
        let kept = independent_rows(eq.clone());
        assert_eq!(
            kept,
            vec![eq[0].clone(), eq[1].clone(), eq[2].clone(), eq[5].clone()]
        );
        assert_eq!(rank(&kept, 5), 4);
        assert_eq!(rank(&eq, 5), 4);
    }

    #[test]
    fn implied_sums_are_left_out_and_the_rest_are_independent() {
        // Area: country = 2 regions, each of 2 municipalities; a flat variable of 3 categories;
        // another of 2. Every cell suppressed, so every cell is an unknown.
        let area = Axis::new(
            7,
            vec![
                vec![0, 1, 2, 3],
                vec![0, 1],
                vec![2, 3],
                vec![0],
                vec![1],
                vec![2],
                vec![3],
            ],
        );
        let flat = |n: usize| {
            let mut nodes = vec![(0..n).collect::<Vec<_>>()];
            nodes.extend((0..n).map(|l| vec![l]));
            Axis::new(n + 1, nodes)
        };
        let shape = vec![7, 4, 3];
        let cells: usize = shape.iter().product();
        let counts = vec![7u32; cells];
        let mut g = Grid::new(
            shape.clone(),
            1,
            1,
            &counts,
            vec![area, flat(3), flat(2), Axis::new(1, vec![vec![0]])],
            AtomValues::none(),
            5,
            |_, _| false,
        );
        g.status.fill(SECONDARY);
        let sel: Vec<Vec<usize>> = shape.iter().map(|&n| (0..n).collect()).collect();
        let all = g.program_with(&sel, false, false);
        let kept = g.program_with(&sel, true, false);
        assert_eq!((all.vars, kept.vars), (cells, cells));
        // The sums leave the leaves free: 4 x 3 x 2 unknowns; the rank is the rest.
        let free = 4 * 3 * 2;
        assert_eq!(rank(&all.eq, cells), cells - free);
        assert_eq!(
            kept.eq.len(),
            cells - free,
            "one equation per independent sum"
        );
        assert_eq!(rank(&kept.eq, cells), kept.eq.len(), "independent");
        let mut both = kept.eq.clone();
        both.extend(all.eq.iter().cloned());
        assert_eq!(
            rank(&both, cells),
            kept.eq.len(),
            "what was left out is implied"
        );
        assert!(kept.eq.len() < all.eq.len());
    }
}
