//! A careless operator and a hostile client: two ingests on one store, a damaged release, saved
//! queries by the thousand, slow and idle connections, malformed and absurd requests. Nothing
//! is lost, nothing leaks, and every failure says what happened.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::common::*;

fn s(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// A delivery split in two by year: `a/` the rows of 2023, `b/` those of 2024 (spells by the
/// year they start), and `all/` both, as one ingest would take them.
fn two_deliveries(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let raw = dir.join("raw");
    ok(&[
        "generate",
        "--out",
        &s(&raw),
        "--scale",
        "0.003",
        "--seed",
        "5",
        "--years",
        "2023-2024",
    ]);
    let (a, b, all) = (dir.join("a"), dir.join("b"), dir.join("all"));
    for d in [&a, &b, &all] {
        std::fs::create_dir_all(d).unwrap();
    }
    for (file, date_col) in [("samtaler.csv", 2), ("forloeb.csv", 5)] {
        let text = std::fs::read_to_string(raw.join(file)).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let (mut ta, mut tb) = (format!("{header}\n"), format!("{header}\n"));
        for l in lines {
            let year = &l.split(',').nth(date_col).unwrap()[..4];
            if year == "2023" { &mut ta } else { &mut tb }.push_str(&format!("{l}\n"));
        }
        std::fs::write(a.join(file), ta).unwrap();
        std::fs::write(b.join(file), tb).unwrap();
        std::fs::copy(raw.join(file), all.join(file)).unwrap();
    }
    (a, b, all)
}

fn spawn_ingest(input: &Path, store: &Path, wait: bool) -> std::process::Child {
    let mut c = Command::new(BIN);
    c.args(["ingest", &s(input), "--store", &s(store), "--quiet"])
        .env("SAMTALEBANK_KEY", "test-key-0123456789abcdef")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if wait {
        c.arg("--wait");
    }
    c.spawn().unwrap()
}

/// Long: Two ingests at several start offsets, each outcome checked, then the whole store
/// compared cell by cell with a store that took both deliveries in one ingest.
#[test]
fn two_ingests_into_one_store_keep_every_row_once_or_the_second_fails_clearly() {
    let d = tempfile::tempdir().unwrap();
    let (a, b, all) = two_deliveries(d.path());
    // The reference: one ingest of everything, one release.
    let ref_store = d.path().join("ref-store");
    ok(&["ingest", &s(&all), "--store", &s(&ref_store), "--quiet"]);
    let releases = d.path().join("releases");
    let reference = build(&ref_store, &releases);
    let mut refused = 0;
    for (k, (offset_ms, wait)) in [(0, false), (5, false), (30, false), (120, false), (0, true)]
        .into_iter()
        .enumerate()
    {
        let store = d.path().join(format!("store-{k}"));
        let first = spawn_ingest(&a, &store, wait);
        std::thread::sleep(Duration::from_millis(offset_ms));
        let second = spawn_ingest(&b, &store, wait);
        let (o1, o2) = (
            first.wait_with_output().unwrap(),
            second.wait_with_output().unwrap(),
        );
        for (o, input) in [(&o1, &a), (&o2, &b)] {
            if o.status.success() {
                continue;
            }
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(!wait, "with --wait both succeed: {err}");
            assert!(
                err.contains("is in use by another process") && err.contains("--wait"),
                "offset {offset_ms} ms: a refused ingest says why: {err}"
            );
            refused += 1;
            // Nothing of it was stored: delivered again, all of it is added.
            ok(&["ingest", &s(input), "--store", &s(&store), "--quiet"]);
        }
        // Every row once: the same cells as the reference, none revised, added or removed.
        let id = build(&store, &releases);
        let diff = ok(&[
            "releases",
            "diff",
            "--releases",
            &s(&releases),
            &reference,
            &id,
        ]);
        for line in diff.lines().filter(|l| l.contains("compared")) {
            assert!(
                line.contains(" 0 revised, 0 added, 0 removed"),
                "offset {offset_ms} ms, wait {wait}: {line}"
            );
        }
        assert!(
            !store.join("_staging").exists()
                || std::fs::read_dir(store.join("_staging"))
                    .unwrap()
                    .next()
                    .is_none()
        );
    }
    // At offset 0 one of the two is refused, unless the first had already finished.
    eprintln!("{refused} ingests refused while another wrote");
}

/// A small release of its own, with a releases directory the tests may write beside.
fn small_release() -> &'static (tempfile::TempDir, PathBuf, PathBuf) {
    static R: OnceLock<(tempfile::TempDir, PathBuf, PathBuf)> = OnceLock::new();
    R.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        let store = small_store(d.path());
        let releases = d.path().join("releases");
        build(&store, &releases);
        (d, store, releases)
    })
}

/// A copy of the small release's directory, for a server that saves queries or is reloaded.
fn releases_copy() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let rel = d.path().join("releases");
    copy_dir(&small_release().2, &rel);
    (d, rel)
}

fn flip_bytes(path: &Path) {
    let mut b = std::fs::read(path).unwrap();
    let mid = b.len() / 2;
    for x in &mut b[mid..mid + 8] {
        *x ^= 0x5a;
    }
    std::fs::write(path, b).unwrap();
}

#[test]
fn a_damaged_release_is_refused_at_start_and_on_reload_naming_the_file() {
    let (_d, rel) = releases_copy();
    let first = std::fs::read_to_string(rel.join("CURRENT"))
        .unwrap()
        .trim()
        .to_string();
    let token = "admin-token-0123456789abcdef";
    let (_server, base) = start_server_with(&rel, &[("SAMTALEBANK_ADMIN_TOKEN", token)], None);
    // A second release, damaged after it was built.
    let second = build(&small_release().1, &rel);
    let damaged = rel.join(&second).join("SAMT01/data-0.parquet");
    flip_bytes(&damaged);
    let v = run(&["releases", "verify", "--releases", &s(&rel), &second]);
    assert_eq!(v.status.code(), Some(1));
    let out = String::from_utf8_lossy(&v.stdout);
    assert!(
        out.contains("SAMT01/data-0.parquet") && out.contains("damaged release"),
        "{out}"
    );
    let v = ok(&["releases", "verify", "--releases", &s(&rel), &first]);
    assert!(v.contains("every checksum matches"), "{v}");
    // Reload: refused, the previous release stays current.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .post(&format!("{base}/admin/reload"))
        .header("authorization", &format!("Bearer {token}"))
        .send("")
        .unwrap();
    assert_eq!(r.status().as_u16(), 409);
    let body = r.body_mut().read_to_string().unwrap();
    assert!(body.contains("SAMT01/data-0.parquet"), "{body}");
    assert!(
        !body.contains(&s(&rel)),
        "no server path in an answer: {body}"
    );
    let r = agent.get(&format!("{base}/api/v2/config")).call().unwrap();
    assert_eq!(
        r.headers().get("x-samtalebank-release").unwrap(),
        first.as_str()
    );
    // Start: refused, naming the file.
    let out = Command::new(BIN)
        .args(["serve", "--releases", &s(&rel), "--addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("SAMT01/data-0.parquet") && err.contains("SHA-256"),
        "{err}"
    );
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn post(url: &str, body: &str) -> (u16, String, String) {
    let mut r = agent()
        .post(url)
        .header("content-type", "application/json")
        .send(body)
        .unwrap();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        r.status().as_u16(),
        ct,
        r.body_mut().read_to_string().unwrap(),
    )
}

fn saved_query(area: &str) -> String {
    format!(
        r#"{{"tableId":"SAMT01","language":"da","selection":{{"selection":[{{"variableCode":"omraade","valueCodes":["{area}"]}},{{"variableCode":"tid","valueCodes":["TOP(2)"]}}]}}}}"#
    )
}

/// Long: Concurrent saves, the size limit, the per-client and total caps, and a query used only
/// with its own table, on one server.
#[test]
fn saved_queries_have_limits_and_concurrent_saves_of_one_query_make_one_file() {
    let (_d, rel) = releases_copy();
    let (_server, base) = start_server_args(
        &rel,
        &[],
        None,
        &["--max-saved-per-client", "25", "--max-saved-queries", "30"],
    );
    let url = format!("{base}/api/v2/savedqueries");
    // 12 clients save the same new query at once, for 20 queries.
    let areas: Vec<String> = [
        "101", "147", "151", "153", "155", "157", "159", "161", "163", "165", "167", "169", "173",
        "175", "183", "185", "187", "190", "201", "210",
    ]
    .iter()
    .map(|x| x.to_string())
    .collect();
    for area in &areas {
        let body = saved_query(area);
        let answers: Vec<(u16, String, String)> = std::thread::scope(|sc| {
            let hs: Vec<_> = (0..12).map(|_| sc.spawn(|| post(&url, &body))).collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let ids: std::collections::BTreeSet<String> = answers
            .iter()
            .map(|(st, _, b)| {
                assert_eq!(*st, 201, "{b}");
                serde_json::from_str::<serde_json::Value>(b).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(ids.len(), 1, "one id for one query");
    }
    let files: Vec<_> = std::fs::read_dir(rel.join("savedqueries"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(
        files.len(),
        areas.len(),
        "one file per query, no temporary files left"
    );
    for f in &files {
        let text = std::fs::read_to_string(f.path()).unwrap();
        assert!(!text.contains('\n'), "stored compactly");
    }
    // The per-client cap: 25 new queries a day (20 so far); saving one already stored is free.
    for area in ["217", "219", "223", "230", "240"] {
        assert_eq!(post(&url, &saved_query(area)).0, 201);
    }
    let (st, ct, body) = post(&url, &saved_query("250"));
    assert_eq!(st, 429, "{body}");
    assert!(ct.starts_with("application/problem+json"));
    assert!(body.contains("at most 25 new queries a day"), "{body}");
    assert_eq!(post(&url, &saved_query("101")).0, 201);
    // The size limit.
    let big = saved_query(&"1".repeat(70_000));
    let (st, ct, body) = post(&url, &big);
    assert_eq!(st, 413, "{body}");
    assert!(ct.starts_with("application/problem+json"), "{ct}");
    // Used only with its own table.
    let id = serde_json::from_str::<serde_json::Value>(&post(&url, &saved_query("101")).2).unwrap()
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = get(&format!(
        "{base}/api/v2/tables/SAMT02/metadata?savedQuery={id}"
    ));
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("is a query of table SAMT01, not of SAMT02"),
        "{}",
        r.body
    );
    let r = get(&format!(
        "{base}/api/v2/tables/SAMT01/metadata?savedQuery={id}"
    ));
    assert_eq!(r.status, 200);
    // The total cap, from another client: 25 stored, 5 more fit.
    let addr = base.trim_start_matches("http://").to_string();
    let other = |area: &str| {
        let r = from_other_client(&addr, "POST", "/api/v2/savedqueries", &saved_query(area));
        (status_of(&r), r)
    };
    for area in ["253", "259", "260", "265", "269"] {
        let (st, r) = other(area);
        assert_eq!(st, 201, "{r}");
    }
    let (st, body) = other("270");
    assert_eq!(st, 503, "{body}");
    assert!(body.contains("at most 30 saved queries"), "{body}");
    assert!(!body.contains(&s(&rel)), "{body}");
}

/// A connection from another client: a source address of our own on loopback (127.0.0.2).
fn connect_from_other_client(addr: &str) -> TcpStream {
    let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    sock.bind(
        &"127.0.0.2:0"
            .parse::<std::net::SocketAddr>()
            .unwrap()
            .into(),
    )
    .unwrap();
    sock.connect(&addr.parse::<std::net::SocketAddr>().unwrap().into())
        .unwrap();
    sock.into()
}

/// One request from another client (127.0.0.2): the raw answer.
fn from_other_client(addr: &str, method: &str, path: &str, body: &str) -> String {
    let mut c = connect_from_other_client(addr);
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        c,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    let _ = c.read_to_string(&mut out);
    out
}

/// A raw HTTP exchange: send `req`, read until the server closes or `within` passes.
fn raw(addr: &str, req: &[u8], within: Duration) -> (String, Duration) {
    let t = Instant::now();
    let mut c = TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(within)).unwrap();
    let _ = c.write_all(req);
    let mut out = Vec::new();
    let _ = c.read_to_end(&mut out);
    (String::from_utf8_lossy(&out).into_owned(), t.elapsed())
}

fn status_of(resp: &str) -> u16 {
    resp.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn is_problem(resp: &str) -> bool {
    resp.to_ascii_lowercase()
        .contains("content-type: application/problem+json")
}

/// Long: Every error status the API sends, each from the request that causes it, as
/// problem+json; then the timeouts and the connection limit on a server with small limits.
#[test]
fn every_error_the_api_sends_is_problem_json_and_slow_or_idle_clients_are_cut_off() {
    let (_d, rel) = releases_copy();
    let (_server, base) = start_server_args(
        &rel,
        &[],
        None,
        &[
            "--timeout",
            "2",
            "--max-connections-per-client",
            "4",
            "--max-calls",
            "1000",
            "--time-window",
            "60",
        ],
    );
    let addr = base.trim_start_matches("http://").to_string();
    let api = format!("{base}/api/v2");
    let check = |status: u16, r: Resp, what: &str| {
        assert_eq!(r.status, status, "{what}: {}", r.body);
        assert!(
            r.content_type.starts_with("application/problem+json"),
            "{what}: {}",
            r.content_type
        );
        let p: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(p["status"], status, "{what}");
        assert!(!p["detail"].as_str().unwrap().is_empty(), "{what}");
    };
    check(
        400,
        get(&format!(
            "{api}/tables/SAMT01/data?valuecodes[tid]=TOP(18446744073709551615)"
        )),
        "absurd TOP",
    );
    check(
        400,
        get(&format!(
            "{api}/tables/SAMT01/data?valuecodes[tid]=RANGE(2024M12,2024M01)"
        )),
        "reversed RANGE",
    );
    check(
        400,
        get(&format!(
            "{api}/tables/SAMT01/data?valuecodes[tid]=RANGE(2024,2024M03)"
        )),
        "mixed RANGE",
    );
    check(
        400,
        get(&format!(
            "{api}/benchmark/gap?group=lowest:0:pct6:2024&indicator=pct6"
        )),
        "empty group",
    );
    check(
        400,
        get(&format!("{api}/savings?year=2024&hourlyCost=1e308")),
        "absurd cost",
    );
    check(403, get(&format!("{api}/tables/SAMT01/data?valuecodes[omraade]=*&valuecodes[tid]=*&valuecodes[ydelse]=*&valuecodes[samtaleform]=*")), "too many cells");
    check(404, get(&format!("{api}/tables/NOPE")), "no table");
    let mut r = agent()
        .delete(&format!("{api}/tables/SAMT01"))
        .call()
        .unwrap();
    let ct = r
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    check(
        405,
        Resp {
            status: r.status().as_u16(),
            content_type: ct,
            body: r.body_mut().read_to_string().unwrap(),
        },
        "method",
    );
    // One byte over the limit: the server has read the whole body when it answers, so the
    // client is never cut off while still sending (a reset that would lose the answer).
    let (st, ct, body) = post(
        &format!("{api}/tables/SAMT01/data"),
        &"x".repeat((1 << 20) + 1),
    );
    check(
        413,
        Resp {
            status: st,
            content_type: ct,
            body,
        },
        "body too large",
    );
    check(
        414,
        get(&format!(
            "{api}/tables/SAMT01/data?valuecodes[omraade]={}",
            "1".repeat(20_000)
        )),
        "URI too long",
    );
    let mut r = agent()
        .get(&format!("{api}/config"))
        .header("x-filler", &"a".repeat(70_000))
        .call()
        .unwrap();
    let ct = r
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    check(
        431,
        Resp {
            status: r.status().as_u16(),
            content_type: ct,
            body: r.body_mut().read_to_string().unwrap(),
        },
        "headers too large",
    );
    // A body announced and never sent: 408 within the timeout, and the connection closed.
    let (resp, took) = raw(
        &addr,
        b"POST /api/v2/tables/SAMT01/data HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{",
        Duration::from_secs(10),
    );
    assert_eq!(status_of(&resp), 408, "{resp}");
    assert!(is_problem(&resp), "{resp}");
    assert!(took < Duration::from_secs(6), "{took:?}");
    // Headers sent a byte at a time: the connection is closed within the timeout.
    let t = Instant::now();
    let mut c = TcpStream::connect(&addr).unwrap();
    c.set_write_timeout(Some(Duration::from_secs(1))).unwrap();
    let mut closed = false;
    for b in b"GET /api/v2/config HTTP/1.1\r\nHost: x\r\nX-Slow: "
        .iter()
        .chain(std::iter::repeat(&b'a'))
    {
        if c.write_all(&[*b]).is_err() {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
        if t.elapsed() > Duration::from_secs(8) {
            break;
        }
    }
    assert!(closed, "a slow client is cut off");
    assert!(
        t.elapsed() < Duration::from_secs(6),
        "within the timeout: {:?}",
        t.elapsed()
    );
    // Idle connections: four are allowed from one client; the fifth is answered 503 and closed,
    // and another client is served meanwhile.
    let idle: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(&addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(200));
    let (resp, _) = raw(
        &addr,
        b"GET /api/v2/config HTTP/1.1\r\nHost: x\r\n\r\n",
        Duration::from_secs(5),
    );
    assert_eq!(status_of(&resp), 503, "{resp}");
    assert!(is_problem(&resp) && resp.contains("one client"), "{resp}");
    let r = from_other_client(&addr, "GET", "/api/v2/config", "");
    assert_eq!(status_of(&r), 200, "{r}");
    // The idle ones are closed by the timeout, and the client may connect again.
    std::thread::sleep(Duration::from_secs(3));
    drop(idle);
    std::thread::sleep(Duration::from_millis(200));
    let r = get(&format!("{api}/config"));
    assert_eq!(r.status, 200);
    // The rate limit's 429 is problem+json too (a server of its own, 2 calls a minute).
    let (_s2, base2) = start_server_args(
        &rel,
        &[],
        None,
        &["--max-calls", "2", "--time-window", "60"],
    );
    get(&format!("{base2}/api/v2/config"));
    get(&format!("{base2}/api/v2/config"));
    check(429, get(&format!("{base2}/api/v2/config")), "rate limit");
}
