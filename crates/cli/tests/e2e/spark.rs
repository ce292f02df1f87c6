//! Scale-out: every SQL twin in `sql/`, unmodified, on Apache Spark (pyspark in `local[2]`,
//! scripts/spark_twins.py) gives exactly the rows the same twin gives on DuckDB; a release
//! published from Spark's aggregates (`build --aggregates`) equals the native release cell for
//! cell, the cell key method's perturbed values included; damaged aggregates publish nothing.

use super::common::{ok, oracle, python, run, small_store, workspace};

fn s(p: &std::path::Path) -> String {
    p.to_str().unwrap().to_string()
}

fn current(releases: &std::path::Path) -> String {
    std::fs::read_to_string(releases.join("CURRENT"))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn every_twin_runs_on_spark_and_a_release_from_its_aggregates_equals_the_native_one() {
    let d = tempfile::tempdir().unwrap();
    let store = small_store(d.path());
    let agg = d.path().join("aggregates");
    let spark = std::process::Command::new(python())
        .arg(workspace().join("scripts/spark_twins.py"))
        .args(["--store", &s(&store), "--out", &s(&agg)])
        .output()
        .expect("run scripts/spark_twins.py");
    assert!(
        spark.status.success(),
        "spark_twins.py failed:\n{}",
        String::from_utf8_lossy(&spark.stderr)
    );
    // The same rows as DuckDB, every column equal.
    let r = oracle(&["same", "--store", &s(&store), "--aggregates", &s(&agg)]);
    for table in ["BOUNDS", "SAMT01", "SAMT02", "SAMT03", "BENCH01", "SURV01"] {
        let t = &r[table];
        let least = if table == "BOUNDS" { 1 } else { 100 };
        assert!(t["duckdb"].as_u64().unwrap() >= least, "{table}: {t}");
        assert_eq!(t["duckdb"], t["other"], "{table}: {t}");
        assert_eq!(t["only_duckdb"], 0, "{table}: {t}");
        assert_eq!(t["only_other"], 0, "{table}: {t}");
    }
    // Published from Spark's aggregates (the survey from the store) and natively, both with the
    // cell key method: no cell differs.
    let releases = d.path().join("releases");
    ok(&["build", "--store", &s(&store), "--releases", &s(&releases)]);
    let native = current(&releases);
    ok(&[
        "build",
        "--aggregates",
        &s(&agg),
        "--store",
        &s(&store),
        "--releases",
        &s(&releases),
    ]);
    let from_spark = current(&releases);
    assert_ne!(native, from_spark);
    let diff = ok(&[
        "releases",
        "diff",
        "--releases",
        &s(&releases),
        &native,
        &from_spark,
    ]);
    let compared: Vec<&str> = diff.lines().filter(|l| l.contains("compared")).collect();
    assert_eq!(compared.len(), 5, "{diff}");
    for line in compared {
        assert!(line.contains(" 0 revised, 0 added, 0 removed"), "{line}");
    }
    // The manifest says where the counts came from.
    let manifest =
        std::fs::read_to_string(releases.join(&from_spark).join("manifest.json")).unwrap();
    assert!(manifest.contains("aggregates/SAMT01/part-"), "{manifest}");
    // A damaged aggregate (a municipality that does not exist) is refused with its file, row and
    // reason, and nothing is published.
    let bad = d.path().join("bad");
    std::fs::create_dir_all(bad.join("SAMT03")).unwrap();
    for t in ["BOUNDS", "SAMT01", "SAMT02"] {
        super::common::copy_dir(&agg.join(t), &bad.join(t));
    }
    let kept = std::fs::read_dir(&releases).unwrap().count();
    std::fs::write(
        bad.join("SAMT03/part-0.csv"),
        "omraade,tid,ydelse,personer,med2,personer_key,med2_key\n000,2024,tot,10,5,1,2\n998,2024,tot,1,1,1,1\n",
    )
    .unwrap();
    let out = run(&[
        "build",
        "--aggregates",
        &s(&bad),
        "--releases",
        &s(&releases),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("SAMT03/part-0.csv, row 2: omraade '998' is not a code of SAMT03"),
        "{err}"
    );
    assert_eq!(current(&releases), from_spark);
    assert_eq!(std::fs::read_dir(&releases).unwrap().count(), kept);
}

#[test]
fn a_build_that_would_not_fit_in_memory_is_refused_at_once_pointing_to_spark() {
    let d = tempfile::tempdir().unwrap();
    let store = small_store(d.path());
    let releases = d.path().join("releases");
    let out = run(&[
        "build",
        "--store",
        &s(&store),
        "--releases",
        &s(&releases),
        "--max-memory",
        "0.01",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("needs about"), "{err}");
    assert!(err.contains("0.0 GiB is available to it"), "{err}");
    assert!(err.contains("samtalebank build --aggregates"), "{err}");
    assert!(!releases.join("CURRENT").exists());
    // With enough memory, or the check off, the same store builds.
    ok(&[
        "build",
        "--store",
        &s(&store),
        "--releases",
        &s(&releases),
        "--max-memory",
        "64",
    ]);
    assert!(releases.join("CURRENT").exists());
}
