//! Hand-checked tests of the LP audit's parts.

use super::super::{AtomValues, Axis};
use super::*;
use certify::{satisfies, Reach, Reached, Verdict};
use program::independent_rows;
use repair::Repairer;

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
        let Some(p) = (rank..m.len()).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))
        else {
            break;
        };
        if m[p][col].abs() < 1e-9 {
            continue;
        }
        m.swap(rank, p);
        let pivot = m[rank].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r != rank {
                let f = row[col] / pivot[col];
                if f != 0.0 {
                    for (x, p) in row[col..vars].iter_mut().zip(&pivot[col..vars]) {
                        *x -= f * p;
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
