//! Certificates: tables that agree with everything published and move suppressed counts far
//! enough, found by joint programmes and hot-started one-by-one checks.

use super::super::solver::{ComparisonOp, Error, Problem, Solution, Variable};
use super::{LpStats, Program, Target, FEW, TOL};

/// What `certify` found (status indices).
#[derive(Debug, Default)]
pub(super) struct Verdict {
    /// Small counts pinned or shown small.
    pub(super) leaks: Vec<usize>,
    /// Other suppressed counts pinned (none if a solver failed).
    pub(super) pinned: Vec<usize>,
    /// Every count left uncertified: the two above, and what a failed solver left open.
    pub(super) open: Vec<usize>,
    /// Counts left uncertified that some table found had off their true value.
    pub(super) moved: Vec<usize>,
}

/// Certify the program's targets. Every table a program finds is checked
/// against every target: how far up and down each has been seen to move. A solver failure
/// never publishes anything and counts a small count as a leak (it gets a hypercube).
///
/// Long: One loop of joint then single programmes over shared bounds (how far each count has been seen to move).
pub(super) fn certify(prog: &Program, threshold: u32, stats: &mut LpStats) -> Verdict {
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

/// A program solved once (no objective), kept to ask of each count whether it can take a
/// given value: the count fixed there and solved again from the basis at hand
/// (`Solution::with_fixed`, HiGHS's hot start). A count of several unknowns gets a variable of
/// its own equal to their sum, so that it can be fixed the same way. Every table it returns is
/// checked against the program (`satisfies`): a wrong answer of the solver can cost a program,
/// never certify a count.
pub(super) struct Reach {
    /// The solved program (`None`: not solved yet).
    base: Option<Result<Solution, Error>>,
    /// Per target, the variable that is its value less its constant.
    var_of: Vec<Option<Variable>>,
    /// The program's variables (the first columns).
    vars: usize,
    problem: Option<Problem>,
}

impl Reach {
    pub(super) fn new(prog: &Program, targets: &[usize]) -> Reach {
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
    pub(super) fn base(&mut self, stats: &mut LpStats) -> Option<&mut Solution> {
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
    pub(super) fn to(
        &mut self,
        prog: &Program,
        i: usize,
        value: f64,
        stats: &mut LpStats,
    ) -> Reached {
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
pub(super) enum Reached {
    /// A table with the count there (checked).
    Yes(Vec<f64>),
    /// The solver says there is none.
    No,
    /// The solver failed or its table did not check out.
    Unknown,
}

/// Whether `x` satisfies every constraint of the program (and no unknown is negative), to
/// within the solver's tolerance.
pub(super) fn satisfies(prog: &Program, x: &[f64]) -> bool {
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
pub(super) fn mix(a: u64, b: u64) -> u64 {
    let mut z = a
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(b.wrapping_mul(0xbf58_476d_1ce4_e5b9));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The program's variables (with their objective coefficients and bounds) and constraints.
pub(super) fn base_problem(
    prog: &Program,
    obj: &[f64],
    bounds: &[(f64, f64)],
) -> (Problem, Vec<Variable>) {
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
pub(super) fn add_move(
    p: &mut Problem,
    x: &[Variable],
    tg: &Target,
    dir: f64,
    cap: f64,
) -> Variable {
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
pub(super) fn solve(
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
