//! Suppression at every level, for any table of the registry: the grid of a table is built from
//! its definition (its dimensions' hierarchies, its counts as sums of atoms, when they are
//! available), protected at the level asked for, and turned into published counts.

use samtalebank_model::{AreaLevel, Protection, Var};
use samtalebank_tables::{CountKind, CountStatus, Cube, LevelCost, Published, Source};

use crate::suppress::{AtomValues, Axis, Grid, HIDDEN, PRIMARY, PUBLISHED, SECONDARY};
use crate::Options;

/// The counts the grid protects: the definition's published counts that are sums of atoms.
/// They come first among the counts (checked by the registry's tests), so that the grid's `k`
/// counts are the first `k` of every cell.
fn grid_counts(cube: &Cube) -> usize {
    cube.def
        .counts
        .iter()
        .take_while(|c| c.published && matches!(c.kind, CountKind::Atoms(_)))
        .count()
}

/// The measure axis: the protected counts as sums of atoms, then every atom that is not already
/// one of them as a hidden node; and how to compute those hidden atoms from the counts.
fn measure_axis(cube: &Cube, k: usize) -> (Axis, AtomValues) {
    let def = cube.def;
    let mut nodes: Vec<Vec<usize>> = (0..k).map(|c| def.atoms_of(c).to_vec()).collect();
    let hidden: Vec<usize> = (0..def.atoms)
        .filter(|&a| !nodes.iter().any(|n| n.as_slice() == [a]))
        .collect();
    nodes.extend(hidden.iter().map(|&a| vec![a]));
    let atoms_of: Vec<&[usize]> = (0..def.counts.len()).map(|c| def.atoms_of(c)).collect();
    let values = AtomValues::solve(&atoms_of, def.atoms, &hidden)
        .unwrap_or_else(|| panic!("{}: atoms not solvable from the counts", def.id)); // ok: registry data, checked by its tests
    (Axis::new(k, nodes), values)
}

/// Primary and secondary suppression of one table at `opts.protection`.
pub(crate) fn suppress(cube: &Cube, opts: &Options) -> Published {
    let def = cube.def;
    let shape = cube.shape();
    let k = grid_counts(cube);
    let stride = def.counts.len();
    let tid = def.var(Var::Tid);
    let persons = matches!(def.source, Source::Persons);
    let mut axes: Vec<Axis> = cube
        .dims
        .iter()
        .enumerate()
        .map(|(i, d)| {
            if persons && Some(i) == tid {
                Axis::reference_days(d)
            } else {
                Axis::from_dimension(d)
            }
        })
        .collect();
    let (measures, atom_values) = measure_axis(cube, k);
    axes.push(measures);
    let available = |coords: &[usize], m: usize| {
        let code = tid.map_or("", |t| cube.dims[t].categories[coords[t]].code.as_str());
        def.counts[m]
            .available
            .holds(code, opts.data_start, opts.data_end)
    };
    let mut grid = Grid::new(
        shape,
        k,
        stride,
        &cube.counts,
        axes,
        atom_values,
        opts.threshold,
        |c, m| !available(c, m),
    );
    if persons {
        grid = grid.persons();
    }
    let mut audit = None;
    match opts.protection {
        Protection::Ckm | Protection::Primary => {}
        Protection::Lines => grid.audit_lines(),
        Protection::Intervals | Protection::Lp => {
            grid.suppress_small_differences();
            grid.audit_lines();
            let b = grid.audit_bounds();
            let l = if opts.protection == Protection::Lp {
                crate::lp_audit(&mut grid, cube, opts.lp_budget)
            } else {
                Default::default()
            };
            audit = Some(samtalebank_tables::AuditStats {
                interval_rounds: b.rounds,
                interval_added: b.added,
                interval_left: b.left,
                interval_published: b.published,
                lp_subtables: l.subtables,
                lp_programs: l.programs,
                lp_cubes: l.cubes,
                lp_published: l.published,
                lp_left: l.left,
                lp_failed: l.failed,
                lp_repairs: l.repairs,
                lp_budget: if opts.protection == Protection::Lp {
                    opts.lp_budget
                } else {
                    0
                },
            });
        }
        Protection::Full => grid.protect(),
    }
    let grid_status = grid.into_status();
    let mut out = published_from(cube, k, &grid_status, opts.threshold);
    out.report.cost = suppression_cost(&out, k);
    out.report.audit = audit;
    out
}

/// Published counts from the grid's statuses: the protected counts as they are (not yet
/// available small counts withheld), and each `SumOver` count published exactly when every
/// count it sums is (its value is then their sum, the true count).
fn published_from(cube: &Cube, k: usize, grid: &[u8], threshold: u32) -> Published {
    let def = cube.def;
    let stride = def.counts.len();
    let published: Vec<usize> = (0..stride).filter(|&c| def.counts[c].published).collect();
    let kp = published.len();
    let cells = cube.cells();
    let mut counts = vec![0u32; cells * kp];
    let mut status = vec![CountStatus::Published; cells * kp];
    for cell in 0..cells {
        for (j, &c) in published.iter().enumerate() {
            let v = cube.counts[cell * stride + c];
            counts[cell * kp + j] = v;
            if c < k {
                status[cell * kp + j] = match grid[cell * k + c] {
                    PUBLISHED => CountStatus::Published,
                    PRIMARY => CountStatus::Primary,
                    SECONDARY => CountStatus::Secondary,
                    HIDDEN if v > 0 && v < threshold => CountStatus::Withheld,
                    _ => CountStatus::Published,
                };
            }
        }
    }
    // `SumOver` counts: the worst status of the counts they sum, in the same cell but for the
    // summed variable's categories under the cell's own.
    for (j, &c) in published.iter().enumerate() {
        let CountKind::SumOver {
            of,
            var,
            categories,
        } = def.counts[c].kind
        else {
            continue;
        };
        let (Some(of), Some(d)) = (def.count(of), def.var(var)) else {
            continue;
        };
        let Some(jo) = published.iter().position(|&x| x == of) else {
            continue;
        };
        let dim = &cube.dims[d];
        let parts = categories(dim);
        let under = dim.leaves_under();
        let inner: usize = cube.dims[d + 1..].iter().map(|x| x.len()).product();
        for cell in 0..cells {
            let cat = (cell / inner) % dim.len();
            let base = cell - cat * inner;
            let worst = parts
                .iter()
                .filter(|&&p| under[p].iter().all(|l| under[cat].contains(l)))
                .map(|&p| status[(base + p * inner) * kp + jo])
                .fold(CountStatus::Published, worse);
            status[cell * kp + j] = worst;
        }
    }
    Published {
        def,
        dims: cube.dims.clone(),
        counts,
        status,
        numbers: cube.numbers.clone(),
        report: Default::default(),
        note: Default::default(),
        notes: Vec::new(),
        nesting: None,
    }
}

/// The worse of two statuses: primary over secondary over withheld over published.
pub(crate) fn worse(a: CountStatus, b: CountStatus) -> CountStatus {
    let rank = |s: CountStatus| match s {
        CountStatus::Published => 0,
        CountStatus::Withheld => 1,
        CountStatus::Secondary => 2,
        CountStatus::Primary => 3,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

/// Per area level: non-zero cells, cells with a suppressed count among the first `k` (and of
/// them, cells with a primary one), and the first count's total and suppressed part. (The
/// counts of a suppressed entry are the true ones: never published, counted here.)
pub(crate) fn suppression_cost(p: &Published, k: usize) -> Vec<LevelCost> {
    let Some(ad) = p.def.var(Var::Omraade) else {
        return Vec::new();
    };
    let area = &p.dims[ad];
    let levels: Vec<Option<AreaLevel>> = area
        .categories
        .iter()
        .map(|c| AreaLevel::of(&c.code))
        .collect();
    let inner: usize = p.dims[ad + 1..].iter().map(|d| d.len()).product();
    let stride = p.stride();
    let mut acc: Vec<LevelCost> = AreaLevel::ALL
        .iter()
        .map(|l| LevelCost {
            level: l.name().to_string(),
            ..LevelCost::default()
        })
        .collect();
    for cell in 0..p.cells() {
        let counts = &p.counts[cell * stride..cell * stride + k];
        if counts.iter().all(|&c| c == 0) {
            continue;
        }
        let Some(level) = levels[(cell / inner) % area.len()] else {
            continue;
        };
        let st = &p.status[cell * stride..cell * stride + k];
        let e = &mut acc[level as usize];
        let sup = st.iter().any(|s| s.suppressed());
        e.cells += 1;
        e.suppressed_cells += u64::from(sup);
        e.primary_cells += u64::from(st.contains(&CountStatus::Primary));
        e.total += u64::from(counts[0]);
        if sup {
            e.suppressed_total += u64::from(counts[0]);
        }
    }
    acc
}
