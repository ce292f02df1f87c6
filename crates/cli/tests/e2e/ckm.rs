//! The cell key method, the default protection: every published count is the twin's true count
//! perturbed by the shipped perturbation table, applied independently on DuckDB.

use super::common::*;

/// Build the shared store with the default protection into a directory of its own.
fn ckm_release(dir: &std::path::Path) -> std::path::PathBuf {
    let f = fixture();
    let rel = dir.join("releases");
    ok(&[
        "build",
        "--no-bulk",
        "--store",
        f.store.to_str().unwrap(),
        "--releases",
        rel.to_str().unwrap(),
    ]);
    let id = std::fs::read_to_string(rel.join("CURRENT")).unwrap();
    rel.join(id.trim())
}

#[test]
fn every_published_count_is_the_twins_count_perturbed_on_duckdb() {
    let f = fixture();
    let d = tempfile::tempdir().unwrap();
    let release = ckm_release(d.path());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(release.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["protection"], "ckm", "the default");
    assert_eq!(manifest["ckm"]["d"], 5);
    assert_eq!(manifest["ckm"]["js"], 4);
    let r = oracle(&[
        "ckm",
        "--store",
        f.store.to_str().unwrap(),
        "--release",
        release.to_str().unwrap(),
    ]);
    for table in ["SAMT01", "SAMT02", "SAMT03", "BENCH01"] {
        let t = &r[table];
        assert!(t["cells"].as_u64().unwrap() > 1000, "{table}: {t}");
        assert_eq!(t["mismatches"], 0, "{table}: {t}");
        assert_eq!(t["cells"], t["release_rows"], "{table}: {t}");
        if table != "BENCH01" {
            assert_eq!(
                t["small_published"], 0,
                "{table}: a count in 1..4 published: {t}"
            );
            assert!(t["max_deviation"].as_u64().unwrap() <= 5, "{table}: {t}");
            assert!(
                t["changed"].as_u64().unwrap() > 0,
                "{table}: nothing perturbed: {t}"
            );
        }
    }
}

#[test]
fn the_same_records_give_the_same_values_in_the_next_release_and_readers_are_told() {
    let d = tempfile::tempdir().unwrap();
    let first = ckm_release(d.path());
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = ckm_release(d.path());
    assert_ne!(first, second);
    let rel = d.path().join("releases");
    let name = |p: &std::path::Path| p.file_name().unwrap().to_str().unwrap().to_string();
    let out = ok(&[
        "releases",
        "diff",
        "--releases",
        rel.to_str().unwrap(),
        &name(&first),
        &name(&second),
    ]);
    for table in ["SAMT01", "SAMT02", "SAMT03", "BENCH01"] {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{table}:")))
            .unwrap_or_else(|| panic!("{table} missing: {out}"));
        assert!(
            line.contains(" 0 revised, 0 added, 0 removed"),
            "{table}: {line}"
        );
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(second.join("SAMT01/metadata.json")).unwrap())
            .unwrap();
    let en = meta["notes_en"][0].as_str().unwrap();
    assert!(
        en.contains("slightly adjusted") && en.contains("1 to 4"),
        "{en}"
    );
    let da = meta["notes_da"][0].as_str().unwrap();
    assert!(da.contains("justeret"), "{da}");
}

/// The attacker, from the API alone, with every relation of the true table and the bound D:
/// a linear programme over each slice must pin no true count of 1–4 exactly, and every interval
/// must hold the true count (judged against the same data released with threshold 1). In the
/// suite: the SAMT02 and SAMT03 slices, 20 counts each.
#[test]
fn the_attacker_pins_no_small_count_from_the_perturbed_release() {
    attack_ckm(&["SAMT02", "SAMT03"], 20);
}

/// Every slice, SAMT01's included (up to 61,200 cells: minutes per slice), 40 counts each:
/// `scripts/bench attack` runs it.
#[test]
#[ignore = "an audit of several minutes: scripts/bench attack runs it"]
fn audit_the_perturbed_release_on_every_slice() {
    attack_ckm(&["SAMT01", "SAMT02", "SAMT03"], 40);
}

fn attack_ckm(tables: &[&str], max: usize) {
    let f = fixture();
    let d = tempfile::tempdir().unwrap();
    let release = ckm_release(d.path());
    let truth = d.path().join("truth");
    ok(&[
        "build",
        "--no-bulk",
        "--store",
        f.store.to_str().unwrap(),
        "--releases",
        truth.to_str().unwrap(),
        "--threshold",
        "1",
        "--protection",
        "primary",
    ]);
    let (_ckm, ckm_base) = start_server_with(release.parent().unwrap(), &[], None);
    let (_truth, truth_base) = start_server_with(&truth, &[], None);
    let ws = workspace();
    let (mut attacked, mut bounded) = (0, 0);
    for (table, slice) in super::attack::slices()
        .into_iter()
        .filter(|(t, _)| tables.contains(t))
    {
        let out = std::process::Command::new(python())
            .arg(ws.join("scripts/attack.py"))
            .args([
                "--url",
                &ckm_base,
                "--truth-url",
                &truth_base,
                "--table",
                table,
            ])
            .args(["--max", &max.to_string(), "--ckm-d", "5"])
            .arg("--kommuner")
            .arg(ws.join("crates/model/data/kommuner.csv"))
            .arg("--ydelser")
            .arg(ws.join("crates/model/data/ydelser.csv"))
            .args(&slice)
            .output()
            .expect("run attack.py");
        assert!(
            out.status.success(),
            "attack.py: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["violations"], serde_json::json!([]), "{table} {slice:?}");
        attacked += r["attacked"].as_u64().unwrap();
        bounded += r["bounded_small"].as_u64().unwrap();
    }
    assert!(
        attacked >= 2 * max as u64,
        "only {attacked} counts attacked"
    );
    eprintln!("ckm attacker: {attacked} possibly small counts attacked, {bounded} bounded inside 1..4, none exact");
}
