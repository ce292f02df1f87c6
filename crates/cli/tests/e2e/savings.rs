//! The savings calculator (seed 003): its numbers against an independent computation from the
//! published SAMT01 cells, the same figures from the command line and the API, its invariants,
//! and its errors.

use std::collections::BTreeMap;

use super::common::*;

/// The agreement's shares, written out here from the minister's answer (docs/seeds/003): 45 %
/// dagpenge, 35 % jobparate and uddannelsesparate, 25 % the others (and the benefits it does not
/// name).
fn agreed(code: &str) -> f64 {
    match code {
        "dagpenge" => 45.0,
        "kontanthjaelp_jobparat" | "uddannelseshjaelp_uddannelsesparat" => 35.0,
        _ => 25.0,
    }
}

const FINEST: [&str; 14] = [
    "dagpenge",
    "kontanthjaelp_jobparat",
    "uddannelseshjaelp_uddannelsesparat",
    "kontanthjaelp_aktivitetsparat",
    "uddannelseshjaelp_aktivitetsparat",
    "sygedagpenge",
    "jobafklaring",
    "ressourceforloeb",
    "ledighedsydelse",
    "kontanthjaelp_uoplyst",
    "uddannelseshjaelp_uoplyst",
    "revalidering",
    "forrevalidering",
    "selvforsoergelse",
];

/// Per finest benefit: (all, digital) conversations in scope from the published cells, or None
/// where a cell is not published.
fn published(base: &str, area: &str, year: &str) -> BTreeMap<String, Option<(f64, f64)>> {
    let csv = get(&format!(
        "{base}/api/v2/tables/SAMT01/data?valuecodes[omraade]={area}&valuecodes[tid]={year}&valuecodes[ydelse]=*&valuecodes[samtaleform]=tot,telefon,video&valuecodes[varighed]=6-12,12%2B&valuecodes[maal]=antal&outputFormat=csv"
    ))
    .body;
    let mut out: BTreeMap<String, Option<(f64, f64)>> = BTreeMap::new();
    for line in csv.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let (yd, form, v) = (c[2], c[4], c[6]);
        if !FINEST.contains(&yd) {
            continue;
        }
        let e = out.entry(yd.to_string()).or_insert(Some((0.0, 0.0)));
        match (v.parse::<f64>().ok(), e.as_mut()) {
            (Some(x), Some((all, dig))) => {
                if form == "tot" {
                    *all += x
                } else {
                    *dig += x
                }
            }
            _ => *e = None,
        }
    }
    out
}

#[test]
fn savings_equal_an_independent_computation_from_the_published_cells() {
    let f = fixture();
    let rel = f.releases.to_str().unwrap();
    let cells = published(&f.base, "000", "2023");
    for scenario in ["agreement", "all-digital"] {
        let api = get_json(&format!(
            "{}/api/v2/savings?year=2023&scenario={scenario}&minutes=10-15&hourlyCost=500",
            f.base
        ));
        // The command line gives the same object.
        let cli: serde_json::Value = serde_json::from_str(&ok(&[
            "savings",
            "--releases",
            rel,
            "--year",
            "2023",
            "--scenario",
            scenario,
            "--hourly-cost",
            "500",
            "--format",
            "json",
        ]))
        .unwrap();
        assert_eq!(cli, api, "{scenario}");
        let groups = api["groups"].as_array().unwrap();
        let (mut total_all, mut total_low, mut total_high) = (0.0, 0.0, 0.0);
        for (code, counts) in &cells {
            let g = groups.iter().find(|g| g["ydelse"] == code.as_str());
            let Some((all, digital)) = counts else {
                assert!(g.is_none(), "{code} has an unpublished cell but was used");
                continue;
            };
            let g = g.unwrap_or_else(|| panic!("{code} missing"));
            let share = if scenario == "all-digital" {
                100.0
            } else {
                agreed(code)
            };
            let dig = all * share / 100.0;
            let (low, high) = (dig * 10.0 / 60.0 * 500.0, dig * 15.0 / 60.0 * 500.0);
            let extra = (dig - digital).max(0.0);
            let close =
                |a: &serde_json::Value, b: f64| (a.as_f64().unwrap() - b).abs() < 1e-6 * b.max(1.0);
            assert!(close(&g["conversations"], *all), "{code}");
            assert!(
                close(&g["saving_dkk"]["low"], low) && close(&g["saving_dkk"]["high"], high),
                "{code}: {g}"
            );
            assert!(
                close(&g["incremental_dkk"]["low"], extra * 10.0 / 60.0 * 500.0),
                "{code}: {g}"
            );
            if *all > 0.0 {
                assert!(
                    close(&g["observed_digital_pct"], 100.0 * digital / all),
                    "{code}"
                );
            }
            // Invariants: low ≤ high, incremental ≤ saving.
            let s = &g["saving_dkk"];
            let i = &g["incremental_dkk"];
            assert!(s["low"].as_f64() <= s["high"].as_f64());
            assert!(i["high"].as_f64().unwrap() <= s["high"].as_f64().unwrap() + 1e-9);
            total_all += all;
            total_low += low;
            total_high += high;
        }
        let t = &api["total"];
        assert!((t["conversations"].as_f64().unwrap() - total_all).abs() < 1e-6);
        assert!((t["saving_dkk"]["low"].as_f64().unwrap() - total_low).abs() < 1e-3);
        assert!((t["saving_dkk"]["high"].as_f64().unwrap() - total_high).abs() < 1e-3);
        // What the minister's figure implies: 85 million DKK at 10 minutes for these conversations.
        let h = api["implied"]["hourly_cost_for_85m"].as_f64().unwrap();
        assert!((h - 85e6 / (total_all * 10.0 / 60.0)).abs() < 1e-6);
        assert!(api["assumptions"].as_array().unwrap().len() >= 6);
        assert_eq!(api["hourly_cost_dkk"], 500.0);
    }
    // CSV: the same total.
    let csv = get(&format!(
        "{}/api/v2/savings?year=2023&outputFormat=csv",
        f.base
    ))
    .body;
    assert!(csv.lines().any(|l| l.starts_with("total,")), "{csv}");
    assert!(csv.starts_with("# "));
}

#[test]
fn savings_refuse_bad_parameters_with_a_clear_error() {
    let f = fixture();
    let rel = f.releases.to_str().unwrap();
    for (q, says) in [
        ("year=2031", "not in the release"),
        ("year=2023&minutes=15-10", "above the high end"),
        ("year=2023&area=999", "unknown area"),
        (
            "year=2023&scenario=custom&shares=dagpenge:140",
            "outside 0–100",
        ),
        ("year=2023&hourlyCost=-3", "from 1 to 10000"),
        ("year=2023&hourlyCost=1e308", "from 1 to 10000"),
        ("year=2023&scope=7m", "scope"),
    ] {
        let r = get(&format!("{}/api/v2/savings?{q}", f.base));
        assert_eq!(r.status, 400, "{q}");
        assert!(r.content_type.starts_with("application/problem+json"));
        assert!(r.body.contains(says), "{q}: {}", r.body);
    }
    let out = run(&["savings", "--releases", rel, "--year", "2031"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in the release"));
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("shares.csv");
    std::fs::write(&file, "ydelse;share\ndagpenge;80\n").unwrap();
    let custom: serde_json::Value = serde_json::from_str(&ok(&[
        "savings",
        "--releases",
        rel,
        "--year",
        "2023",
        "--scenario",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]))
    .unwrap();
    let dp = custom["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["ydelse"] == "dagpenge")
        .unwrap();
    assert_eq!(dp["assumed_digital_pct"], 80.0);
    assert_eq!(custom["scenario"], "custom");
}
