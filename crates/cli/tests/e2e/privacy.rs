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

/// The digits of a text with every way of writing a number undone: digits of any script read as
/// ASCII digits, and the separators a CPR number is written with dropped between digit groups.
/// Other characters break runs.
fn digit_runs(text: &str) -> Vec<String> {
    let mut runs = vec![String::new()];
    for c in text.chars() {
        let d = c.to_digit(10).or_else(|| {
            ('\u{FF10}'..='\u{FF19}')
                .contains(&c)
                .then(|| c as u32 - 0xFF10)
        });
        match d {
            Some(d) => runs.last_mut().unwrap().push(char::from(b'0' + d as u8)),
            None if matches!(c, '-' | ' ' | '.' | '/' | '\u{FF0D}') => {}
            None => runs.push(String::new()),
        }
    }
    runs.retain(|r| r.len() >= 9);
    runs
}

/// Every value of the Parquet files as text (DuckDB reads them: an independent decoder).
fn parquet_values(files: &[std::path::PathBuf]) -> String {
    let script = "import duckdb,sys\nfor f in sys.argv[1:]:\n    for row in duckdb.sql(f\"SELECT * FROM read_parquet('{f}')\").fetchall():\n        print(','.join('' if v is None else str(v) for v in row))\n";
    let out = std::process::Command::new(python())
        .arg("-c")
        .arg(script)
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn all_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            all_files(&e.path(), out);
        } else {
            out.push(e.path());
        }
    }
}

/// Long: One delivery with CPR numbers in ids and in other columns, in every notation, in CSV and
/// Parquet, accepted and rejected; then everything written (store decoded, rejects, release) and
/// everything printed is searched for them.
#[test]
fn cpr_numbers_in_ids_in_any_notation_never_reach_store_release_rejects_or_output() {
    let d = tempfile::tempdir().unwrap();
    let raw = d.path().join("raw");
    let p = |x: &Path| x.to_str().unwrap().to_string();
    ok(&[
        "generate",
        "--out",
        &p(&raw),
        "--scale",
        "0.003",
        "--seed",
        "3",
        "--years",
        "2024-2024",
    ]);
    let mut printed = String::new();
    let mut needles: HashSet<String> = HashSet::new();
    // Conversations whose id is their person's CPR number, written every way (the registers do
    // this), and rejected rows with CPR numbers in other columns.
    let text = std::fs::read_to_string(raw.join("samtaler.csv")).unwrap();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out.push(line.to_string());
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        let digits = f[1].replace('-', "");
        let (a, b) = digits.split_at(6);
        let full: String = digits
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap())
            .collect();
        let notes = [
            format!("{a}-{b}"),
            digits.clone(),
            format!("{a} {b}"),
            format!("{}.{}.{}-{b}", &a[..2], &a[2..4], &a[4..]),
            format!("{}/{}/{}-{b}", &a[..2], &a[2..4], &a[4..]),
            full,
        ];
        if i <= 60 {
            needles.insert(digits.clone());
            let note = &notes[i % notes.len()];
            let mut g: Vec<String> = f.iter().map(|x| x.to_string()).collect();
            g[0] = format!("{note}#{i}");
            out.push(g.join(","));
            // The same person rejected: the number as the municipality, the date, the form.
            let mut r = g.clone();
            r[0] = format!("R{i}");
            r[2 + i % 3 * 2] = note.clone();
            out.push(r.join(","));
        } else {
            out.push(line.to_string());
        }
    }
    std::fs::write(raw.join("samtaler.csv"), out.join("\n") + "\n").unwrap();
    // Parquet with integer columns: the id and the CPR number as numbers (a leading zero lost).
    let parquet = raw.join("samtaler_heltal.parquet");
    let script = format!(
        "import duckdb\nduckdb.sql(\"\"\"COPY (SELECT * FROM (VALUES (0101901234::BIGINT, 0101901234::BIGINT, DATE '2024-03-01', '101', 'dagpenge', NULL, 'jobsamtale', 'telefon'), (2512841357, 2512841357, DATE '2024-03-02', '2512841357', 'dagpenge', NULL, 'jobsamtale', 'video')) t(samtale_id, cpr, dato, kommune, ydelse, maalgruppe, samtaletype, samtaleform)) TO '{}' (FORMAT parquet)\"\"\")\n",
        p(&parquet)
    );
    let o = std::process::Command::new(python())
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    needles.insert("0101901234".into());
    needles.insert("2512841357".into());
    let store = d.path().join("store");
    let releases = d.path().join("releases");
    printed += &ok(&["ingest", &p(&raw), "--store", &p(&store)]);
    assert!(
        printed.contains("1 rejected"),
        "the Parquet's row with a CPR number as municipality: {printed}"
    );
    printed += &ok(&[
        "build",
        "--no-bulk",
        "--store",
        &p(&store),
        "--releases",
        &p(&releases),
        "--protection",
        "primary",
    ]);
    printed += &ok(&["releases", "show", "--releases", &p(&releases)]);
    // Ingested again: every row is already stored (the pseudonymised ids recognise them).
    let again = ok(&["ingest", &p(&raw), "--store", &p(&store)]);
    assert!(again.contains("already ingested"), "{again}");
    printed += &again;
    // The search finds every number of the corpus in the delivery itself, in every notation.
    let delivered: Vec<String> =
        digit_runs(&std::fs::read_to_string(raw.join("samtaler.csv")).unwrap());
    for n in &needles {
        if n != "0101901234" && n != "2512841357" {
            assert!(
                delivered.iter().filter(|r| r.contains(n.as_str())).count() >= 3,
                "{n}"
            );
        }
    }
    let mut files = Vec::new();
    all_files(&store, &mut files);
    all_files(&releases, &mut files);
    let parquets: Vec<_> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "parquet"))
        .cloned()
        .collect();
    assert!(parquets.len() > 5);
    let mut texts: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            (
                f.display().to_string(),
                String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned(),
            )
        })
        .collect();
    texts.push((
        "the Parquet files' values".into(),
        parquet_values(&parquets),
    ));
    texts.push(("the output".into(), printed));
    let rejects: String = texts
        .iter()
        .filter(|(n, _)| n.contains("_rejects"))
        .map(|(_, t)| t.clone())
        .collect();
    assert!(rejects.lines().count() > 60, "the rejected rows are listed");
    for (name, text) in &texts {
        for run in digit_runs(text) {
            for n in &needles {
                assert!(
                    !run.contains(n.as_str()) && !run.contains(n.trim_start_matches('0')),
                    "{name} holds the CPR number {n}"
                );
            }
        }
    }
}
