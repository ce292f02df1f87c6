//! The command line: help, exit codes (0 ok, 1 failed, 2 usage), clear errors.

use super::common::*;

#[test]
fn every_subcommand_has_help() {
    // The subcommands as `samtalebank --help` lists them (every argument's help text is
    // checked by the binary's unit test).
    let top = run(&["--help"]);
    assert!(top.status.success());
    let text = String::from_utf8_lossy(&top.stdout).into_owned();
    let subs: Vec<&str> = text
        .split("Commands:")
        .nth(1)
        .unwrap()
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|s| *s != "help")
        .collect();
    for want in [
        "generate",
        "ingest",
        "build",
        "serve",
        "demo",
        "benchmark",
        "report",
        "releases",
    ] {
        assert!(subs.contains(&want), "{want} is not listed: {subs:?}");
    }
    for sub in subs {
        let out = run(&[sub, "--help"]);
        assert!(out.status.success(), "{sub} --help");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("Usage: samtalebank"), "{sub}: {help}");
    }
}

#[test]
fn usage_errors_exit_2_and_failures_exit_1() {
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(run(&["generate"]).status.code(), Some(2));
    assert_eq!(
        run(&["generate", "--out", "x", "--years", "2024-2019"])
            .status
            .code(),
        Some(2)
    );
    let d = tempfile::tempdir().unwrap();
    let missing = d.path().join("no-store");
    let out = run(&[
        "build",
        "--store",
        missing.to_str().unwrap(),
        "--releases",
        d.path().join("r").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a Samtalebank store"), "{err}");
    let out = run(&[
        "serve",
        "--releases",
        d.path().join("r").to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no current release"));
    let out = run(&[
        "ingest",
        d.path().to_str().unwrap(),
        "--store",
        d.path().join("s").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no input files"));
}

#[test]
fn reingesting_adds_nothing_and_changed_content_is_a_conflict() {
    let f = fixture();
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("store");
    let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let first = ok(&["ingest", &s(&f.raw), "--store", &s(&store)]);
    assert!(first.contains(" 0 rejected"), "{first}");
    let again = ok(&["ingest", &s(&f.raw), "--store", &s(&store)]);
    assert!(again.contains("already ingested, nothing added"), "{again}");
    // The same rows under another file name are recognised row by row; one changed row is a
    // conflict and the stored row is kept.
    let text = std::fs::read_to_string(f.raw.join("samtaler.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().take(101).map(String::from).collect();
    lines[5] = lines[5]
        .replace("fysisk", "video")
        .replace("telefon", "fysisk");
    let copy = d.path().join("samtaler_igen.csv");
    std::fs::write(&copy, lines.join("\n") + "\n").unwrap();
    let out = ok(&["ingest", &s(&copy), "--store", &s(&store)]);
    assert!(
        out.contains("100 rows read, 0 accepted, 99 already stored, 1 rejected"),
        "{out}"
    );
    let rejects = std::fs::read_dir(store.join("_rejects"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let r = std::fs::read_to_string(rejects).unwrap();
    assert!(r.contains("samtaler_igen.csv,6,samtale_id,conflict"), "{r}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(store.join("_store.json")).unwrap()).unwrap();
    let rows: u64 = manifest["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["table"] == "samtaler")
        .map(|p| p["rows"].as_u64().unwrap())
        .sum();
    let raw_rows = text.lines().count() as u64 - 1;
    assert_eq!(rows, raw_rows);
}
