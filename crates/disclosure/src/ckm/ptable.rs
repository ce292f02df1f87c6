//! The perturbation table of the cell key method: for a true count `n` and a cell key `k`
//! (uniform on 0..2^32), the noise added to `n`.
//!
//! Row `i` (true count `i`, rows above `D + js + 1` all like the last) is a distribution over
//! the noise `v` in `-D..=D` with
//!
//! - `i + v >= 0` (no negative output) and `i + v` not in `1..=js` (no small count shown);
//! - row 0 is `v = 0` (zeros stay zero);
//! - mean 0 (unbiased) and variance `V`. Where no zero-mean row can have a variance as small
//!   as `V` (the true counts 1..=js must move to 0 or past js), the row's variance is that
//!   smallest possible variance plus 0.5;
//! - otherwise as spread out as possible: among the distributions with these moments, the one
//!   of maximum entropy, `p(v) ∝ exp(a·v + b·v²)` on the allowed noise (the construction of
//!   the R package `ptable`), found by Newton's method on its convex dual.
//!
//! Each row is stored with cumulative thresholds on 0..2^32: the noise of key `k` is the first
//! entry whose threshold is above `k`.

use std::fmt::Write;

/// The parameters of a perturbation table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// The largest noise, in either direction.
    pub d: u32,
    /// The noise variance (of the rows where it can be met).
    pub v: f64,
    /// No published count in `1..=js` (js = threshold − 1).
    pub js: u32,
}

impl Params {
    /// The defaults for a threshold: D = 5, V = 2, js = threshold − 1.
    pub fn for_threshold(threshold: u32) -> Params {
        Params {
            d: 5,
            v: 2.0,
            js: threshold.saturating_sub(1),
        }
    }
}

/// One possible noise of a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub noise: i32,
    pub p: f64,
    /// Keys below this (and at or above the entry before's) get this noise; the last is 2^32.
    pub upper: u64,
}

/// The perturbation table.
#[derive(Debug, Clone, PartialEq)]
pub struct PTable {
    pub params: Params,
    /// Row `i` for true count `i`; counts past the last row use the last.
    pub rows: Vec<Vec<Entry>>,
}

impl PTable {
    /// Build the table (deterministic).
    pub fn new(params: Params) -> Result<PTable, crate::DisclosureError> {
        let bad = crate::DisclosureError::CellKey;
        if params.d == 0 || params.v <= 0.0 {
            return Err(bad(format!(
                "ptable: D ({}) and V ({}) must be positive",
                params.d, params.v
            )));
        }
        if params.js >= params.d {
            return Err(bad(format!(
                "ptable: a count of 1 must be able to reach 0 or a count above js: js ({}) must be below D ({})",
                params.js, params.d
            )));
        }
        let last = params.d + params.js + 1;
        let rows = (0..=last)
            .map(|i| row(i, params))
            .collect::<Result<Vec<_>, _>>()
            .map_err(bad)?;
        Ok(PTable { params, rows })
    }

    /// The noise for a true count and its cell key.
    pub fn noise(&self, count: u32, key: u32) -> i32 {
        if count == 0 {
            return 0;
        }
        let row = &self.rows[(count as usize).min(self.rows.len() - 1)];
        let k = u64::from(key);
        row.iter()
            .find(|e| k < e.upper)
            .unwrap_or(&row[row.len() - 1])
            .noise
    }

    /// The published count for a true count and its cell key.
    pub fn perturb(&self, count: u32, key: u32) -> u32 {
        (i64::from(count) + i64::from(self.noise(count, key))).max(0) as u32
    }

    /// The probability that a count of at least `D + js + 1` is published unchanged.
    pub fn p_unchanged(&self) -> f64 {
        let row = &self.rows[self.rows.len() - 1];
        row.iter().find(|e| e.noise == 0).map_or(0.0, |e| e.p)
    }

    /// The table as CSV (`i;v;p;upper`): the shipped `data/ptable.csv`.
    pub fn to_csv(&self) -> String {
        let mut s = format!(
            "# Perturbation table of the cell key method: D={}, V={}, js={}. i = true count (the last row\n# serves every larger count), v = noise, p = probability, upper = keys below it get v.\ni;v;p;upper\n",
            self.params.d, self.params.v, self.params.js
        );
        for (i, row) in self.rows.iter().enumerate() {
            for e in row {
                let _ = writeln!(s, "{i};{};{:.12};{}", e.noise, e.p, e.upper);
            }
        }
        s
    }
}

/// The noise a row may take.
fn support(i: u32, p: Params) -> Vec<i32> {
    let (d, js, i) = (p.d as i32, p.js as i32, i as i32);
    (-d..=d)
        .filter(|&v| i + v >= 0 && !(1..=js).contains(&(i + v)))
        .collect()
}

fn row(i: u32, params: Params) -> Result<Vec<Entry>, String> {
    if i == 0 {
        return Ok(vec![Entry {
            noise: 0,
            p: 1.0,
            upper: 1 << 32,
        }]);
    }
    let s = support(i, params);
    // The smallest variance of a zero-mean distribution on `s`: two points a < 0 < b (or 0).
    let min_var = if s.contains(&0) {
        0.0
    } else {
        s.iter()
            .filter(|&&a| a < 0)
            .flat_map(|&a| s.iter().filter(|&&b| b > 0).map(move |&b| -(a * b) as f64))
            .fold(f64::INFINITY, f64::min)
    };
    if !min_var.is_finite() {
        return Err(format!("ptable: row {i} has no zero-mean distribution"));
    }
    let target = if params.v > min_var {
        params.v
    } else {
        min_var + 0.5
    };
    let p = max_entropy(&s, target).ok_or_else(|| format!("ptable: row {i} did not converge"))?;
    let mut cum = 0.0;
    let mut out = Vec::new();
    for (&v, &pv) in s.iter().zip(&p) {
        if pv <= 0.0 {
            continue;
        }
        cum += pv;
        out.push(Entry {
            noise: v,
            p: pv,
            upper: ((cum * 4_294_967_296.0).round() as u64).min(1 << 32),
        });
    }
    if let Some(last) = out.last_mut() {
        last.upper = 1 << 32;
    }
    Ok(out)
}

/// The maximum-entropy distribution on `s` with mean 0 and variance `var`: `p ∝ exp(a v + b v²)`,
/// (a, b) minimising the convex dual `log Σ exp(a v + b v²) − b·var`.
fn max_entropy(s: &[i32], var: f64) -> Option<Vec<f64>> {
    let x: Vec<f64> = s.iter().map(|&v| f64::from(v)).collect();
    let dist = |a: f64, b: f64| -> (f64, Vec<f64>) {
        let e: Vec<f64> = x.iter().map(|&v| a * v + b * v * v).collect();
        let m = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = e.iter().map(|&z| (z - m).exp()).collect();
        let z: f64 = w.iter().sum();
        (m + z.ln(), w.into_iter().map(|w| w / z).collect())
    };
    let dual = |a: f64, b: f64| dist(a, b).0 - b * var;
    let (mut a, mut b) = (0.0f64, 0.0f64);
    for _ in 0..500 {
        let (_, p) = dist(a, b);
        let m1: f64 = p.iter().zip(&x).map(|(p, v)| p * v).sum();
        let m2: f64 = p.iter().zip(&x).map(|(p, v)| p * v * v).sum();
        let m3: f64 = p.iter().zip(&x).map(|(p, v)| p * v * v * v).sum();
        let m4: f64 = p.iter().zip(&x).map(|(p, v)| p * v * v * v * v).sum();
        let (g1, g2) = (m1, m2 - var);
        if g1.abs() < 1e-13 && g2.abs() < 1e-12 {
            return Some(p);
        }
        // Hessian: the covariance of (v, v²).
        let (h11, h12, h22) = (m2 - m1 * m1, m3 - m1 * m2, m4 - m2 * m2);
        let det = h11 * h22 - h12 * h12;
        let (da, db) = if det.abs() > 1e-300 {
            (-(h22 * g1 - h12 * g2) / det, -(h11 * g2 - h12 * g1) / det)
        } else {
            (-g1, -g2)
        };
        // Backtracking line search on the dual.
        let f0 = dual(a, b);
        let mut t = 1.0;
        while t > 1e-12 && dual(a + t * da, b + t * db) > f0 + 1e-4 * t * (g1 * da + g2 * db) {
            t *= 0.5;
        }
        a += t * da;
        b += t * db;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(row: &[Entry]) -> (f64, f64, f64) {
        let sum: f64 = row.iter().map(|e| e.p).sum();
        let mean: f64 = row.iter().map(|e| e.p * f64::from(e.noise)).sum();
        let var: f64 = row.iter().map(|e| e.p * f64::from(e.noise).powi(2)).sum();
        (sum, mean, var)
    }

    #[test]
    fn every_row_sums_to_one_has_mean_zero_and_keeps_to_the_bounds() {
        let params = Params::for_threshold(5);
        let t = PTable::new(params).unwrap();
        assert_eq!(t.rows.len(), 11, "rows 0..=D+js+1");
        for (i, row) in t.rows.iter().enumerate() {
            let (sum, mean, var) = moments(row);
            assert!((sum - 1.0).abs() < 1e-9, "row {i}: sum {sum}");
            assert!(mean.abs() < 1e-9, "row {i}: mean {mean}");
            for e in row {
                let out = i as i32 + e.noise;
                assert!(
                    e.noise.unsigned_abs() <= params.d,
                    "row {i}: noise {}",
                    e.noise
                );
                assert!(out >= 0, "row {i}: negative output");
                assert!(!(1..=4).contains(&out), "row {i}: output {out} in 1..js");
            }
            // V where it can be met (every count from js + 1 on); above it for 1..=js.
            if i > 4 {
                assert!((var - 2.0).abs() < 1e-9, "row {i}: variance {var}");
            } else if i > 0 {
                assert!(var > 2.0, "row {i}: variance {var}");
            }
            assert_eq!(row.last().unwrap().upper, 1 << 32);
        }
        assert_eq!(
            t.rows[0],
            vec![Entry {
                noise: 0,
                p: 1.0,
                upper: 1 << 32
            }]
        );
    }

    /// By hand: row 1 may only reach 0, 5 or 6 (noise −1, 4, 5); mean 0 needs most of the
    /// mass on −1, and its variance is the smallest possible (4, noise −1 and 4) plus 0.5.
    #[test]
    fn a_count_of_one_becomes_zero_five_or_six() {
        let t = PTable::new(Params::for_threshold(5)).unwrap();
        let noise: Vec<i32> = t.rows[1].iter().map(|e| e.noise).collect();
        assert_eq!(noise, [-1, 4, 5]);
        let (_, _, var) = moments(&t.rows[1]);
        assert!((var - 4.5).abs() < 1e-9, "{var}");
        assert!(t.rows[1][0].p > 0.8);
    }

    #[test]
    fn perturbing_keeps_zeros_and_never_shows_a_small_count() {
        let t = PTable::new(Params::for_threshold(5)).unwrap();
        let mut seen_change = false;
        for n in 0..40u32 {
            for k in (0..=u32::MAX).step_by(7_919_993) {
                let out = t.perturb(n, k);
                assert!(n == 0 || out == 0 || out >= 5, "{n} -> {out}");
                assert!(out.abs_diff(n) <= 5);
                if n == 0 {
                    assert_eq!(out, 0);
                }
                seen_change |= out != n;
            }
        }
        assert!(seen_change);
        // The cell key picks the noise: uniform keys give the row's distribution.
        let row = &t.rows[10];
        let n = 200_000u64;
        let mut unchanged = 0;
        for j in 0..n {
            let k = ((j * 4_294_967_296) / n) as u32;
            unchanged += u64::from(t.noise(50, k) == 0);
        }
        let p0 = row.iter().find(|e| e.noise == 0).unwrap().p;
        assert!((unchanged as f64 / n as f64 - p0).abs() < 1e-3);
    }

    /// `SAMTALEBANK_WRITE_PTABLE=1 cargo test -p samtalebank-disclosure shipped` writes it.
    #[test]
    fn the_shipped_table_is_the_generators_output() {
        let t = PTable::new(Params::for_threshold(5)).unwrap();
        if std::env::var_os("SAMTALEBANK_WRITE_PTABLE").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/ptable.csv");
            std::fs::write(path, t.to_csv()).unwrap();
        }
        assert_eq!(t.to_csv(), include_str!("../../data/ptable.csv"));
    }
}
