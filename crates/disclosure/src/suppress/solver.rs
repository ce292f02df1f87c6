//! The linear programming solver behind the LP audit: HiGHS (its dual simplex), through the
//! few calls the audit makes.
//!
//! HiGHS replaced `microlp` (a pure-Rust simplex): on the audit's largest programs (2,000 to
//! 2,700 unknowns, 1,600 to 1,700 equations) it solves in 0.05 to 0.1 s what took `microlp`
//! 1.4 to 2.6 s, and `microlp` answered "infeasible" to many of SAMT02's joint programs,
//! though the true table satisfies them all, leaving their counts to a program each.
//!
//! A solved program can be asked again with one variable fixed (`Solution::with_fixed`):
//! HiGHS starts from the basis it has (a hot start), a few dual simplex steps instead of a
//! whole solve.

use highs::{Col, HighsModelStatus, Model, RowProblem, Sense};

/// A variable of a program (its column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Variable(pub(super) usize);

/// The sense of a constraint.
#[derive(Clone, Copy, Debug)]
pub(super) enum ComparisonOp {
    Eq,
    Le,
}

/// What the solver could not do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Error {
    /// No table satisfies the constraints.
    Infeasible,
    /// The solver stopped without an answer (or said the program is unbounded).
    Failed,
}

/// A linear program being written down.
pub(super) struct Problem {
    rows: RowProblem,
    cols: Vec<Col>,
    bounds: Vec<(f64, f64)>,
    sense: Sense,
}

impl Problem {
    /// An empty program that maximises (`true`) or minimises its objective.
    pub(super) fn new(maximise: bool) -> Problem {
        Problem {
            rows: RowProblem::default(),
            cols: Vec::new(),
            bounds: Vec::new(),
            sense: if maximise {
                Sense::Maximise
            } else {
                Sense::Minimise
            },
        }
    }

    /// A variable worth `objective` per unit, within `bounds` (infinite bounds allowed).
    pub(super) fn add_var(&mut self, objective: f64, bounds: (f64, f64)) -> Variable {
        self.cols
            .push(self.rows.add_column(objective, bounds.0..=bounds.1));
        self.bounds.push(bounds);
        Variable(self.cols.len() - 1)
    }

    /// The constraint `Σ c x  op  rhs`.
    pub(super) fn add_constraint(&mut self, expr: &[(Variable, f64)], op: ComparisonOp, rhs: f64) {
        let (lo, hi) = match op {
            ComparisonOp::Eq => (rhs, rhs),
            ComparisonOp::Le => (f64::NEG_INFINITY, rhs),
        };
        let cols = &self.cols;
        self.rows
            .add_row(lo..=hi, expr.iter().map(|&(v, c)| (cols[v.0], c)));
    }

    /// Solve it.
    pub(super) fn solve(self) -> Result<Solution, Error> {
        let mut model = self.rows.optimise(self.sense);
        model.make_quiet();
        let (values, model) = run(model, self.cols.len());
        Ok(Solution {
            model,
            values: values?,
            bounds: self.bounds,
        })
    }
}

/// Solve `model`: its values (or why not), and the model again with its basis (for a hot
/// start; `None` if HiGHS failed outright).
fn run(model: Model, n: usize) -> (Result<Vec<f64>, Error>, Option<Model>) {
    let Ok(solved) = model.try_solve() else {
        return (Err(Error::Failed), None);
    };
    let answer = match solved.status() {
        HighsModelStatus::Optimal => {
            let mut values = solved.get_solution().columns().to_vec();
            values.truncate(n);
            Ok(values)
        }
        HighsModelStatus::Infeasible => Err(Error::Infeasible),
        _ => Err(Error::Failed),
    };
    (answer, Some(solved.into()))
}

/// A solved program.
pub(super) struct Solution {
    /// `None` once HiGHS failed on a hot start (the model is gone with it).
    model: Option<Model>,
    values: Vec<f64>,
    bounds: Vec<(f64, f64)>,
}

impl Solution {
    /// A variable's value in the solution.
    pub(super) fn var_value(&self, v: Variable) -> f64 {
        self.values[v.0]
    }

    /// The program again with `v` fixed at `value`: the values of a solution, or why there is
    /// none (`with_bounds`).
    pub(super) fn with_fixed(&mut self, v: Variable, value: f64) -> Result<Vec<f64>, Error> {
        let (lo, hi) = self.bounds[v.0];
        if value < lo || value > hi {
            return Err(Error::Infeasible);
        }
        self.with_bounds(&[(v, (value, value))])
    }

    /// The program again with some variables' bounds changed: the values of a solution, or
    /// why there is none. Solved from this solution's basis (a hot start); the bounds are put
    /// back after, so each call asks of the same program.
    pub(super) fn with_bounds(
        &mut self,
        changes: &[(Variable, (f64, f64))],
    ) -> Result<Vec<f64>, Error> {
        let mut model = self.model.take().ok_or(Error::Failed)?;
        for &(v, (lo, hi)) in changes {
            set_bounds(&mut model, v, lo, hi)?;
        }
        // What has the basis does not need presolve (which would drop it).
        model.set_option("presolve", "off");
        let (answer, model) = run(model, self.values.len());
        if let Some(mut model) = model {
            for &(v, _) in changes {
                let (lo, hi) = self.bounds[v.0];
                set_bounds(&mut model, v, lo, hi)?;
            }
            self.model = Some(model);
        }
        answer
    }

    /// Change a variable's objective coefficient for every call after this one.
    pub(super) fn set_cost(&mut self, v: Variable, cost: f64) -> Result<(), Error> {
        let col = column(v)?;
        let model = self.model.as_mut().ok_or(Error::Failed)?;
        // SAFETY: `as_mut_ptr` is the live HiGHS instance `model` owns; `col` is one of its
        // columns (every `Variable` comes from `add_var` on the problem it was built from).
        let status = unsafe { highs_sys::Highs_changeColCost(model.as_mut_ptr(), col, cost) };
        if status == highs_sys::STATUS_OK {
            Ok(())
        } else {
            Err(Error::Failed)
        }
    }
}

/// A column's index as HiGHS takes it.
fn column(v: Variable) -> Result<highs_sys::HighsInt, Error> {
    highs_sys::HighsInt::try_from(v.0).map_err(|_| Error::Failed)
}

/// Change a column's bounds in a model HiGHS holds (a call `highs` does not wrap).
fn set_bounds(model: &mut Model, v: Variable, lo: f64, hi: f64) -> Result<(), Error> {
    let col = column(v)?;
    // SAFETY: `as_mut_ptr` is the live HiGHS instance `model` owns; `col` is one of its
    // columns (every `Variable` comes from `add_var` on the problem it was built from).
    let status = unsafe { highs_sys::Highs_changeColBounds(model.as_mut_ptr(), col, lo, hi) };
    if status == highs_sys::STATUS_OK {
        Ok(())
    } else {
        Err(Error::Failed)
    }
}
