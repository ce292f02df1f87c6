//! Shared fixture: one generated, ingested and built data set and one server per test run.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

pub const BIN: &str = env!("CARGO_BIN_EXE_samtalebank");

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Python with DuckDB: $SAMTALEBANK_PYTHON, else the project's .venv (made by scripts/test).
pub fn python() -> PathBuf {
    if let Ok(p) = std::env::var("SAMTALEBANK_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = workspace().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "no Python with DuckDB: run scripts/test (it creates .venv with duckdb) or set SAMTALEBANK_PYTHON"
    );
    venv
}

/// Run scripts/oracle.py and parse its JSON output.
pub fn oracle(args: &[&str]) -> serde_json::Value {
    let out = Command::new(python())
        .arg(workspace().join("scripts/oracle.py"))
        .args(args)
        .output()
        .expect("run oracle.py");
    assert!(
        out.status.success(),
        "oracle.py {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("oracle.py prints JSON")
}

pub fn run(args: &[&str]) -> Output {
    let out = Command::new(BIN)
        .args(args)
        .env("SAMTALEBANK_KEY", "test-key-0123456789abcdef")
        .output()
        .expect("run samtalebank");
    log(&out);
    out
}

/// Everything the binary prints in tests goes to logs/ under the fixture, so that the privacy
/// test can scan it for CPR numbers too.
fn log(out: &Output) {
    if let Some(f) = FIXTURE.get() {
        use std::io::Write;
        let mut l = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(f.dir.join("logs/output.log"))
            .unwrap();
        l.write_all(&out.stdout).unwrap();
        l.write_all(&out.stderr).unwrap();
    }
}

pub fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "samtalebank {args:?} failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout)
}

pub struct Fixture {
    pub dir: PathBuf,
    pub raw: PathBuf,
    pub store: PathBuf,
    pub releases: PathBuf,
    pub release: PathBuf,
    pub base: String,
    _server: Server,
}

/// A running server; dropping it (or exiting) closes the watchdog's stdin, which stops it.
pub struct Server {
    _watchdog: Child,
    /// The server's own process id (for signals).
    pub pid: i32,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();
static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();

pub const SCALE: &str = "0.01";

/// The fixture's release calendar: its next update is 8 January 2030, 08:00 Danish time.
pub const CALENDAR: &str = r#"update_frequency = "Månedlig"
dates = [2030-02-05T08:00:00+01:00, 2030-01-08T08:00:00+01:00]
[contact]
name = "Statistikkontoret"
organisation = "Styrelsen for Arbejdsmarked og Rekruttering"
email = "statistik@example.dk"
phone = "+45 72 21 74 00"
"#;

pub fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(|| {
        let dir = DIR
            .get_or_init(|| tempfile::tempdir().unwrap())
            .path()
            .to_path_buf();
        std::fs::create_dir_all(dir.join("logs")).unwrap();
        let (raw, store, releases) = (dir.join("raw"), dir.join("store"), dir.join("releases"));
        let s = |p: &Path| p.to_str().unwrap().to_string();
        ok(&[
            "generate",
            "--out",
            &s(&raw),
            "--scale",
            SCALE,
            "--seed",
            "7",
            "--years",
            "2019-2024",
        ]);
        ok(&["ingest", &s(&raw), "--store", &s(&store), "--quiet"]);
        // Primary suppression only: the twin comparisons check the exact primary pattern (the
        // default, `lp`, is checked in `attack`).
        ok(&[
            "build",
            "--store",
            &s(&store),
            "--releases",
            &s(&releases),
            "--protection",
            "primary",
        ]);
        let id = std::fs::read_to_string(releases.join("CURRENT"))
            .unwrap()
            .trim()
            .to_string();
        // A release calendar, as a publisher keeps one beside the releases.
        std::fs::write(releases.join("calendar.toml"), CALENDAR).unwrap();
        let (server, base) = start_server_with(&releases, &[], Some(&dir));
        Fixture {
            release: releases.join(id),
            dir,
            raw,
            store,
            releases,
            base,
            _server: server,
        }
    })
}

/// Start `samtalebank serve` on a free loopback port, through a small shell watchdog: when this test process exits, its end of the
/// watchdog's stdin closes, and the watchdog stops the server and removes `cleanup` (statics,
/// like the shared fixture, are never dropped).
pub fn start_server_with(
    releases: &Path,
    env: &[(&str, &str)],
    cleanup: Option<&Path>,
) -> (Server, String) {
    start_server_args(releases, env, cleanup, &[])
}

/// [`start_server_with`] with more arguments for `serve`.
pub fn start_server_args(
    releases: &Path,
    env: &[(&str, &str)],
    cleanup: Option<&Path>,
    extra: &[&str],
) -> (Server, String) {
    // The server's pid is printed by the process itself before it becomes the server (exec), so
    // the line cannot interleave with what the server prints.
    let script = r#"exec 3<&0; sh -c 'echo "pid=$$" >&2; exec "$@"' sh "$0" "$@" <&- & pid=$!; read -r _ <&3; kill $pid; wait $pid; [ -n "$SAMTALEBANK_TEST_CLEANUP" ] && rm -rf "$SAMTALEBANK_TEST_CLEANUP"; exit 0"#;
    let mut child = Command::new("sh")
        .args([
            "-c",
            script,
            BIN,
            "serve",
            "--releases",
            releases.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ])
        .args(if extra.contains(&"--max-cells") {
            &[][..]
        } else {
            &["--max-cells", "100000"][..]
        })
        // The tests call far faster than any client: the limit itself is tested on a server
        // of its own.
        .args(if extra.contains(&"--max-calls") {
            &[][..]
        } else {
            &["--max-calls", "100000000"][..]
        })
        .args(extra)
        .envs(env.iter().copied())
        .env(
            "SAMTALEBANK_TEST_CLEANUP",
            cleanup
                .map(|p| p.to_str().unwrap().to_string())
                .unwrap_or_default(),
        )
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start server");
    let stderr = child.stderr.take().unwrap();
    let mut reader = BufReader::new(stderr);
    let mut first = String::new();
    let mut line = String::new();
    reader.read_line(&mut first).unwrap();
    reader.read_line(&mut line).unwrap();
    let pid: i32 = first
        .trim()
        .strip_prefix("pid=")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("watchdog: {first}"));
    // Keep reading what the server prints later, so its stderr stays open.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while reader.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
            sink.clear();
        }
    });
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("server did not start: {line}"))
        .trim_end_matches('/')
        .to_string();
    (
        Server {
            _watchdog: child,
            pid,
        },
        base,
    )
}

pub struct Resp {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

pub fn get(url: &str) -> Resp {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = r
        .body_mut()
        .with_config()
        .limit(200 << 20)
        .read_to_string()
        .unwrap();
    Resp {
        status,
        content_type,
        body,
    }
}

pub fn get_json(url: &str) -> serde_json::Value {
    let r = get(url);
    assert_eq!(r.status, 200, "GET {url}: {}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

/// A JSON-stat dimension's category codes in their index order.
pub fn index_codes(ds: &serde_json::Value, var: &str) -> Vec<String> {
    let idx = ds["dimension"][var]["category"]["index"]
        .as_object()
        .unwrap();
    let mut v: Vec<(u64, String)> = idx
        .iter()
        .map(|(k, i)| (i.as_u64().unwrap(), k.clone()))
        .collect();
    v.sort();
    v.into_iter().map(|x| x.1).collect()
}

/// Copy a directory tree.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A small store (one year of conversations), quick to build.
pub fn small_store(dir: &std::path::Path) -> std::path::PathBuf {
    let raw = dir.join("raw");
    let store = dir.join("store");
    let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
    ok(&[
        "generate",
        "--out",
        &s(&raw),
        "--scale",
        "0.003",
        "--seed",
        "11",
        "--years",
        "2024-2024",
    ]);
    ok(&["ingest", &s(&raw), "--store", &s(&store), "--quiet"]);
    store
}

/// Build a release (primary suppression only and no bulk files: these tests are about releases,
/// and it keeps each build to a few seconds while the clients run).
pub fn build(store: &std::path::Path, rel: &std::path::Path) -> String {
    ok(&[
        "build",
        "--store",
        store.to_str().unwrap(),
        "--releases",
        rel.to_str().unwrap(),
        "--protection",
        "primary",
        "--no-bulk",
    ]);
    std::fs::read_to_string(rel.join("CURRENT"))
        .unwrap()
        .trim()
        .to_string()
}
