//! Interval estimates for weighted shares.

/// The normal quantile of a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Kish's effective sample size of weights: (Σw)² / Σw². Equal weights give their number.
pub fn kish(weights: &[f64]) -> f64 {
    let (s, s2) = weights
        .iter()
        .fold((0.0, 0.0), |(s, s2), w| (s + w, s2 + w * w));
    if s2 > 0.0 {
        s * s / s2
    } else {
        0.0
    }
}

/// The Wilson score interval of a share `p` (0–1) on `n` (effective) observations, 95 %.
/// `None` without observations.
pub fn wilson(p: f64, n: f64) -> Option<(f64, f64)> {
    if n <= 0.0 || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand: 50 of 100 → centre 0.5, half-width 1.96 / 1.038415 × √(0.0025 + 0.000096)
    /// = 0.09617 → [0.4038, 0.5962]; 0 of 10 → [0, 0.2775]; weights 1, 1, 2, 2 → 36 / 10 = 3.6.
    #[test]
    fn wilson_and_kish_by_hand() {
        let (lo, hi) = wilson(0.5, 100.0).unwrap();
        assert!(
            (lo - 0.403_8).abs() < 1e-4 && (hi - 0.596_2).abs() < 1e-4,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(0.0, 10.0).unwrap();
        assert!(lo == 0.0 && (hi - 0.277_5).abs() < 1e-4, "{hi}");
        assert_eq!(kish(&[1.0, 1.0, 2.0, 2.0]), 3.6);
        assert_eq!(kish(&[2.0; 5]), 5.0);
        assert!(wilson(0.5, 0.0).is_none());
    }
}
