//! A raw CPR number never reaches disk or logs.

use std::collections::HashSet;
use std::path::Path;

use super::common::*;

fn cprs(raw: &Path) -> HashSet<String> {
    let mut out = HashSet::new();
    for file in ["samtaler.csv", "forloeb.csv"] {
        let text = std::fs::read_to_string(raw.join(file)).unwrap();
        for line in text.lines().skip(1) {
            let cpr = line.split(',').nth(1).unwrap();
            assert_eq!(cpr.len(), 11, "generated CPR is DDMMYY-XXXX: {cpr}");
            out.insert(cpr.to_string());
            out.insert(cpr.replace('-', ""));
        }
    }
    out
}

/// Every CPR-shaped run of bytes in a file: 10 digits, or 6 digits, a dash and 4 digits.
fn cpr_shaped(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let mut i = 0;
    while i < bytes.len() {
        if !digit(i) {
            i += 1;
            continue;
        }
        let start = i;
        while digit(i) {
            i += 1;
        }
        let run = i - start;
        if run >= 10 {
            for s in start..=i - 10 {
                out.push(String::from_utf8_lossy(&bytes[s..s + 10]).into_owned());
            }
        }
        if run >= 6 && bytes.get(i) == Some(&b'-') && (1..=4).all(|k| digit(i + k)) {
            out.push(String::from_utf8_lossy(&bytes[i - 6..i + 5]).into_owned());
        }
    }
    out
}

fn scan(dir: &Path, needles: &HashSet<String>, hits: &mut Vec<String>, files: &mut usize) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            scan(&p, needles, hits, files);
            continue;
        }
        *files += 1;
        let bytes = std::fs::read(&p).unwrap();
        if let Some(c) = cpr_shaped(&bytes).into_iter().find(|c| needles.contains(c)) {
            hits.push(format!("{}: {c}", p.display()));
        }
    }
}

#[test]
fn no_raw_cpr_in_store_releases_rejects_or_logs() {
    let f = fixture();
    // Also feed rows that are rejected, with CPR numbers in them, so the rejects file is written.
    let bad = f.dir.join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    let raw = std::fs::read_to_string(f.raw.join("samtaler.csv")).unwrap();
    let mut rows: Vec<String> = raw.lines().take(30).map(String::from).collect();
    for r in rows.iter_mut().skip(1).take(10) {
        *r = r.replacen(",2", ",2023-02-30,x", 1); // wrong date and a column too many
    }
    for r in rows.iter_mut().skip(11).take(10) {
        *r = r
            .replace("S", "Z")
            .replace(",telefon", ",brevdue")
            .replace(",fysisk", ",brevdue");
    }
    std::fs::write(bad.join("samtaler_fejl.csv"), rows.join("\n")).unwrap();
    let out = run(&[
        "ingest",
        bad.to_str().unwrap(),
        "--store",
        f.store.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(f.store.join("_rejects").exists());

    let needles = cprs(&f.raw);
    assert!(needles.len() > 1000);
    let mut hits = Vec::new();
    let mut files = 0;
    for d in [&f.store, &f.releases, &f.dir.join("logs")] {
        scan(d, &needles, &mut hits, &mut files);
    }
    assert!(files > 10, "scanned only {files} files");
    assert!(
        hits.is_empty(),
        "raw CPR numbers found: {:?}",
        &hits[..hits.len().min(5)]
    );
    let rejects = std::fs::read_dir(f.store.join("_rejects"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect::<String>();
    assert!(
        rejects.contains("XXXXXX-XXXX"),
        "rows in rejects are kept with CPR masked"
    );
}

#[test]
fn the_key_file_is_private_and_outside_the_store() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixture();
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("mystore");
    let out = std::process::Command::new(BIN)
        .args([
            "ingest",
            f.raw.to_str().unwrap(),
            "--store",
            store.to_str().unwrap(),
            "--quiet",
        ])
        .env_remove("SAMTALEBANK_KEY")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = d.path().join("mystore.key");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let k = std::fs::read_to_string(&key).unwrap();
    assert!(k.trim().len() >= 32);
    // The key itself appears nowhere in the store.
    fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().is_dir() {
                files(&e.path(), out);
            } else {
                out.push(e.path());
            }
        }
    }
    let mut all = Vec::new();
    files(&store, &mut all);
    assert!(all.len() > 5);
    for p in all {
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
        assert!(!text.contains(k.trim()), "key found in {}", p.display());
    }
}
