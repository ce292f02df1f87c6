//! Publishing month by month: a candidate release is checked and previewed before it goes out,
//! published, rolled back, and old releases pruned while the server answers.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use super::common::*;

const TOKEN: &str = "admin-token-publishing-0123456789";
/// The municipality whose newest month's delivery is incomplete (half its conversations).
const HALVED: &str = "101";

/// Copy the generator's extracts, keeping what `keep` says of each line of `samtaler.csv`
/// (`(date, kommune, line number)` → keep) and the spells that started before `before`
/// (those still running then are open: their end is not yet known).
fn extracts(from: &Path, to: &Path, keep: impl Fn(&str, &str, usize) -> bool, before: &str) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(e.path()).unwrap();
        let out: String = match name.as_str() {
            "samtaler.csv" => text
                .lines()
                .enumerate()
                .filter(|(i, l)| {
                    let f: Vec<&str> = l.split(',').collect();
                    *i == 0 || keep(f[2], f[3], *i)
                })
                .map(|(_, l)| format!("{l}\n"))
                .collect(),
            "forloeb.csv" => text
                .lines()
                .enumerate()
                .filter_map(|(i, l)| {
                    let mut f: Vec<&str> = l.split(',').collect();
                    if i > 0 {
                        if f[5] >= before {
                            return None;
                        }
                        if f[6] >= before {
                            f[6] = "";
                        }
                    }
                    Some(format!("{}\n", f.join(",")))
                })
                .collect(),
            _ => text,
        };
        std::fs::write(to.join(&name), out).unwrap();
    }
}

/// Conversations in `samtaler.csv` of kommune `k` in month `ym` (`2024-11`).
fn conversations(raw: &Path, k: &str, ym: &str) -> u64 {
    std::fs::read_to_string(raw.join("samtaler.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split(',').collect();
            f[3] == k && f[2].starts_with(ym)
        })
        .count() as u64
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// GET with the admin's preview headers: status, the release and status headers, body.
fn preview_get(url: &str, release: &str, token: Option<&str>) -> (u16, String, String, String) {
    let mut req = agent().get(url).header("x-samtalebank-preview", release);
    if let Some(t) = token {
        req = req.header("authorization", &format!("Bearer {t}"));
    }
    let mut r = req.call().unwrap();
    let h = |n: &str| {
        r.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (rel, status) = (h("x-samtalebank-release"), h("x-samtalebank-status"));
    (
        r.status().as_u16(),
        rel,
        status,
        r.body_mut().read_to_string().unwrap(),
    )
}

fn served(base: &str) -> String {
    let r = agent()
        .get(&format!("{base}/api/v2/tables/SAMT01/metadata"))
        .call()
        .unwrap();
    r.headers()
        .get("x-samtalebank-release")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn reload(base: &str) {
    let r = agent()
        .post(&format!("{base}/admin/reload"))
        .header("authorization", &format!("Bearer {TOKEN}"))
        .send_empty()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

/// Long: One scenario, as an analyst publishes a month: release 1, a candidate with one more
/// month and one municipality's delivery halved, the check, the preview, publish, rollback,
/// prune.
#[test]
fn a_candidate_is_checked_previewed_published_rolled_back_and_old_releases_pruned() {
    let d = tempfile::tempdir().unwrap();
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let gen = d.path().join("generated");
    ok(&[
        "generate",
        "--out",
        &s(&gen),
        "--scale",
        "0.003",
        "--seed",
        "11",
        "--years",
        "2024-2024",
    ]);
    // Release 1: data to November. The candidate: December too, with every second of
    // Copenhagen's December conversations missing.
    let (raw1, raw2) = (d.path().join("raw1"), d.path().join("raw2"));
    extracts(&gen, &raw1, |date, _, _| date < "2024-12-01", "2024-12-01");
    extracts(
        &gen,
        &raw2,
        |date, k, i| !(k == HALVED && date >= "2024-12-01" && i % 2 == 0),
        "2025-01-01",
    );
    let (store1, store2) = (d.path().join("store1"), d.path().join("store2"));
    ok(&["ingest", &s(&raw1), "--store", &s(&store1), "--quiet"]);
    ok(&["ingest", &s(&raw2), "--store", &s(&store2), "--quiet"]);
    let rel = d.path().join("releases");
    let r1 = build(&store1, &rel);
    let (_server, base) = start_server_with(&rel, &[("SAMTALEBANK_ADMIN_TOKEN", TOKEN)], None);
    std::thread::sleep(std::time::Duration::from_millis(1100));

    // The candidate is complete but not current.
    let out = run(&[
        "build",
        "--store",
        &s(&store2),
        "--releases",
        &s(&rel),
        "--protection",
        "primary",
        "--candidate",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = ok(&["releases", "list", "--releases", &s(&rel)]);
    let cand = list
        .lines()
        .find(|l| l.contains("candidate"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no candidate listed: {list}"))
        .to_string();
    assert!(list.contains(&format!("* {r1}  current")), "{list}");
    assert_eq!(
        std::fs::read_to_string(rel.join("CURRENT")).unwrap().trim(),
        r1
    );

    // The check flags Copenhagen with its figures, and exits non-zero.
    std::fs::write(rel.join("check.toml"), "min_base = 10\nmax_change = 0.3\n").unwrap();
    let out = run(&["releases", "check", "--releases", &s(&rel), &cand]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let (nov, dec) = (
        conversations(&raw2, HALVED, "2024-11"),
        conversations(&raw2, HALVED, "2024-12"),
    );
    assert!(
        dec * 10 < nov * 7,
        "the delivery is not halved: {nov} → {dec}"
    );
    let line = format!("! SAMT01 {HALVED} København: antal 2024M11 {nov} → 2024M12 {dec}");
    assert!(text.contains(&line), "no `{line}` in:\n{text}");
    // Thresholds from a file of one's own, and their error naming the file.
    let lax = d.path().join("lax.toml");
    std::fs::write(&lax, "max_change = 5.0\nmax_revised_share = 1.0\n").unwrap();
    let out = ok(&[
        "releases",
        "check",
        "--releases",
        &s(&rel),
        &cand,
        "--config",
        &s(&lax),
    ]);
    assert!(out.contains("nothing over a threshold"), "{out}");
    std::fs::write(&lax, "max_chnage = 5.0\n").unwrap();
    let out = run(&[
        "releases",
        "check",
        "--releases",
        &s(&rel),
        &cand,
        "--config",
        &s(&lax),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("lax.toml") && err.contains("max_chnage"),
        "{err}"
    );

    // The public sees release 1; the admin previews the candidate, marked as not published.
    assert_eq!(served(&base), r1);
    let url = format!("{base}/api/v2/tables/SAMT01/data?valuecodes[omraade]={HALVED}&valuecodes[tid]=2024M12&valuecodes[maal]=antal");
    let (status, seen, _, body) = preview_get(&url, &cand, Some(TOKEN));
    assert_eq!((status, seen.as_str()), (200, cand.as_str()), "{body}");
    let ds: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ds["value"][0].as_f64(), Some(dec as f64), "{body}");
    let (status, _, marked, page) = preview_get(&format!("{base}/"), &cand, Some(TOKEN));
    assert_eq!((status, marked.as_str()), (200, "not-published"));
    assert!(
        page.contains("Ikke offentliggjort") && page.contains(&cand),
        "{page}"
    );
    // Without the token: refused, and nothing of the candidate.
    let (status, _, _, body) = preview_get(&url, &cand, None);
    assert_eq!(status, 401, "{body}");
    let (status, _, _, _) = preview_get(&url, &cand, Some("wrong-token-wrong-token-wrong"));
    assert_eq!(status, 401);
    let public = get(&url);
    assert_ne!(
        public.status, 200,
        "2024M12 is not in release 1: {}",
        public.body
    );
    // The feed lists only published releases.
    let feed = get(&format!("{base}/udgivelser.atom")).body;
    assert!(feed.contains(&r1) && !feed.contains(&cand), "{feed}");

    // Publish: the server switches; publish release 1 again: a rollback.
    let out = ok(&["releases", "publish", "--releases", &s(&rel), &cand]);
    assert!(out.contains(&format!("release {cand} is current")), "{out}");
    reload(&base);
    assert_eq!(served(&base), cand);
    assert_eq!(get(&url).status, 200);
    // Revisions in the open: the year and quarter that release 1 published in part are
    // revised, said in the table's notes; the page of releases lists both with the new month.
    let meta = get_json(&format!("{base}/api/v2/tables/SAMT01/metadata"));
    let notes = meta["note"].to_string();
    assert!(
        notes.contains(&format!("Revideret i denne udgivelse (mod udgivelse {r1})"))
            && notes.contains("2024K4 (")
            && !notes.contains("2024M11 ("),
        "{notes}"
    );
    let news = get(&format!("{base}/nyt")).body;
    let (at_cand, at_r1) = (news.find(&cand).unwrap(), news.find(&r1).unwrap());
    assert!(at_cand < at_r1, "newest first: {news}");
    assert!(
        news[at_cand..at_r1].contains("Nye perioder: 2024M12."),
        "{news}"
    );
    assert!(news[at_r1..].contains("Første udgivelse"), "{news}");
    ok(&["releases", "publish", "--releases", &s(&rel), &r1]);
    reload(&base);
    assert_eq!(served(&base), r1);
    let log = ok(&["releases", "log", "--releases", &s(&rel)]);
    let kinds: Vec<(&str, &str)> = log
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[1], f[2])
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("build", r1.as_str()),
            ("publish", cand.as_str()),
            ("rollback", r1.as_str())
        ],
        "{log}"
    );
    // A release that does not exist, or is damaged, is not published; the current one stays.
    let out = run(&[
        "releases",
        "publish",
        "--releases",
        &s(&rel),
        "20990101T000000Z-00000000",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no release"));

    // Prune while the server answers: a second candidate is kept, as is the current release;
    // the published candidate of before goes.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = run(&[
        "build",
        "--store",
        &s(&store2),
        "--releases",
        &s(&rel),
        "--protection",
        "primary",
        "--candidate",
    ]);
    assert!(out.status.success());
    let stop = Arc::new(AtomicBool::new(false));
    let (failed, answered) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let load: Vec<_> = (0..3)
        .map(|k| {
            let (stop, failed, answered, base) =
                (stop.clone(), failed.clone(), answered.clone(), base.clone());
            std::thread::spawn(move || {
                let paths = [
                    "/api/v2/tables/SAMT01/data?valuecodes[tid]=2024M11&valuecodes[maal]=antal",
                    "/kommune/101",
                    "/udgivelser.atom",
                ];
                let agent = agent();
                let t0 = std::time::Instant::now();
                while !stop.load(Ordering::Relaxed) && t0.elapsed().as_secs() < 60 {
                    match agent.get(&format!("{base}{}", paths[k])).call() {
                        Ok(mut r) if r.status().as_u16() == 200 => {
                            let _ = r.body_mut().read_to_string();
                            answered.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let out = ok(&["releases", "prune", "--releases", &s(&rel), "--keep", "1"]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.join().unwrap();
    }
    assert_eq!(
        failed.load(Ordering::Relaxed),
        0,
        "requests failed during the prune"
    );
    assert!(answered.load(Ordering::Relaxed) > 10);
    assert!(out.contains(&format!("removed {cand}")), "{out}");
    let list = ok(&["releases", "list", "--releases", &s(&rel)]);
    let left: Vec<(&str, &str)> = list
        .lines()
        .map(|l| {
            let f: Vec<&str> = l
                .trim_start_matches(['*', ' '])
                .split_whitespace()
                .collect();
            (f[0], f[1])
        })
        .collect();
    assert_eq!(left.len(), 2, "{list}");
    assert_eq!(left[0], (r1.as_str(), "current"), "{list}");
    assert_eq!(left[1].1, "candidate", "{list}");
    assert!(!rel.join(&cand).exists());
    assert_eq!(served(&base), r1);
}

/// The bulk files of a table, as DuckDB reads them (Parquet and CSV.gz), equal the API's full
/// selection cell for cell; the API lists them with their checksums and serves them (ranges
/// too); the table page links to them.
///
/// Long: One table's three readings compared cell by cell, then the listing, the download and the page.
#[test]
fn the_bulk_files_hold_the_whole_table_as_the_api_gives_it() {
    let f = fixture();
    let (_server, base) = start_server_args(&f.releases, &[], None, &["--max-cells", "2000000"]);
    let listing = get_json(&format!("{base}/api/v2/bulk"));
    let dir = tempfile::tempdir().unwrap();
    for table in ["SAMT03", "SURV01"] {
        let entry = listing["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == table)
            .unwrap_or_else(|| panic!("{table} not in {listing}"));
        let mut paths = Vec::new();
        for file in entry["files"].as_array().unwrap() {
            let href = file["href"].as_str().unwrap();
            let mut r = agent().get(&format!("{base}{href}")).call().unwrap();
            assert_eq!(r.status().as_u16(), 200, "{href}");
            let bytes = r
                .body_mut()
                .with_config()
                .limit(1 << 30)
                .read_to_vec()
                .unwrap();
            assert_eq!(
                bytes.len() as u64,
                file["bytes"].as_u64().unwrap(),
                "{href}"
            );
            let sum = samtalebank_files::sha256_hex(&bytes);
            assert_eq!(file["sha256"].as_str().unwrap(), sum, "{href}");
            let name = href.rsplit('/').next().unwrap();
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            paths.push(path);
        }
        assert_eq!(paths.len(), 2, "{entry}");
        // The full selection from the API.
        let meta = get_json(&format!("{base}/api/v2/tables/{table}/metadata"));
        let all: String = meta["id"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| format!("&valuecodes[{}]=*", v.as_str().unwrap()))
            .collect();
        let ds = get_json(&format!("{base}/api/v2/tables/{table}/data?lang=da{all}"));
        let ids: Vec<String> = ds["id"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let codes: Vec<Vec<String>> = ids.iter().map(|v| index_codes(&ds, v)).collect();
        let sizes: Vec<usize> = codes.iter().map(Vec::len).collect();
        let measures = codes.last().unwrap().clone();
        let dims = &ids[..ids.len() - 1];
        for path in &paths {
            // DuckDB reads the file; every row as [codes…, labels…, (value, status)…].
            let cols: Vec<String> = dims
                .iter()
                .map(|d| format!("\"{d}\""))
                .chain(dims.iter().map(|d| format!("\"{d}_tekst\"")))
                .chain(measures.iter().flat_map(|m| {
                    [
                        format!("CAST(\"{m}\" AS DOUBLE)"),
                        format!("\"{m}_status\""),
                    ]
                }))
                .collect();
            let reader = if path.extension().is_some_and(|e| e == "parquet") {
                format!("read_parquet('{}')", path.display())
            } else {
                format!(
                    "read_csv('{}', header=true, all_varchar=true)",
                    path.display()
                )
            };
            let sql = format!("SELECT {} FROM {reader}", cols.join(", "));
            let script = "import duckdb, json, sys\n\
                 rows = duckdb.sql(sys.argv[1]).fetchall()\n\
                 print(json.dumps([[None if v is None else (float(v) if isinstance(v, (int, float)) else str(v)) for v in r] for r in rows]))";
            let out = std::process::Command::new(python())
                .args(["-c", script, &sql])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let rows: Vec<Vec<serde_json::Value>> = serde_json::from_slice(&out.stdout).unwrap();
            let nd = dims.len();
            let mut seen = vec![false; sizes[..nd].iter().product()];
            for row in &rows {
                let mut cell = 0;
                for (k, d) in dims.iter().enumerate() {
                    let code = row[k].as_str().unwrap();
                    let pos = codes[k].iter().position(|c| c == code).unwrap();
                    cell = cell * sizes[k] + pos;
                    // The label is the metadata's.
                    let label = &meta["dimension"][d]["category"]["label"][code];
                    assert_eq!(row[nd + k].as_str(), label.as_str(), "{d}={code}");
                }
                seen[cell] = true;
                for (m, _) in measures.iter().enumerate() {
                    let flat = cell * measures.len() + m;
                    let (value, status) = (&row[2 * nd + 2 * m], &row[2 * nd + 2 * m + 1]);
                    let api_status = ds["status"][flat.to_string()].as_str();
                    match ds["value"][flat].as_f64() {
                        Some(x) => {
                            let y = value.as_f64().unwrap_or_else(|| panic!("{path:?} {row:?}"));
                            assert!((x - y).abs() < 1e-9, "{path:?} {row:?}: API {x}");
                            assert!(status.is_null() || status == "", "{row:?}");
                        }
                        None => {
                            assert!(value.is_null() || value == "", "{path:?} {row:?}");
                            assert_eq!(status.as_str(), api_status, "{path:?} {row:?}");
                        }
                    }
                }
            }
            // A cell left out has nothing but zeros and symbols.
            for (cell, _) in seen.iter().enumerate().filter(|(_, s)| !**s) {
                for m in 0..measures.len() {
                    let v = ds["value"][cell * measures.len() + m].as_f64();
                    assert!(
                        v.is_none_or(|x| x == 0.0),
                        "{table}: cell {cell} is not in {path:?}: {v:?}"
                    );
                }
            }
            assert!(rows.len() > 1000, "{table}: {} rows", rows.len());
        }
    }
    // Resumed downloads: a range.
    let r = agent()
        .get(&format!("{base}/api/v2/bulk/SAMT03.parquet"))
        .header("range", "bytes=0-3")
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 206);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.apache.parquet"
    );
    assert_eq!(
        get(&format!("{base}/api/v2/bulk/SAMT99.parquet")).status,
        404
    );
    assert_eq!(
        get(&format!("{base}/api/v2/bulk/..%2Fmanifest.json")).status,
        404
    );
    let page = get(&format!("{base}/tabel/SAMT03")).body;
    assert!(
        page.contains("href=\"/api/v2/bulk/SAMT03.parquet\"")
            && page.contains("href=\"/api/v2/bulk/SAMT03.csv.gz\""),
        "{page}"
    );
}
