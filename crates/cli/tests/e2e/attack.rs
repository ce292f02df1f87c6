//! The attacker (scripts/attack.py) against releases served over HTTP: it takes only what the
//! API publishes and tries, by linear programming over every published relation, to pin down
//! each suppressed count. With secondary suppression (`build --secondary`) it must recover
//! nothing; with primary suppression only it does recover cells, which shows it has teeth.
//! Every interval is judged against the same data released with threshold 1 (nothing hidden).

use std::path::Path;

use super::common::{ok, python, start_server_with, workspace, Server};

struct Servers {
    _dir: tempfile::TempDir,
    secondary: (Server, String),
    primary: (Server, String),
    truth: (Server, String),
}

/// Ingest `raw`, build three releases (secondary, primary only, threshold 1) and serve each.
fn serve_all(dir: tempfile::TempDir) -> Servers {
    let p = |x: &str| dir.path().join(x).to_str().unwrap().to_string();
    ok(&["ingest", &p("raw"), "--store", &p("store"), "--quiet"]);
    ok(&[
        "build",
        "--store",
        &p("store"),
        "--releases",
        &p("sec"),
        "--secondary",
    ]);
    ok(&["build", "--store", &p("store"), "--releases", &p("pri")]);
    ok(&[
        "build",
        "--store",
        &p("store"),
        "--releases",
        &p("truth"),
        "--threshold",
        "1",
    ]);
    let start = |name: &str| start_server_with(Path::new(&p(name)), &[], None);
    Servers {
        secondary: start("sec"),
        primary: start("pri"),
        truth: start("truth"),
        _dir: dir,
    }
}

/// Run the attacker on one slice; returns its report.
fn attack(base: &str, truth: &str, table: &str, slice: &[&str]) -> serde_json::Value {
    let ws = workspace();
    let out = std::process::Command::new(python())
        .arg(ws.join("scripts/attack.py"))
        .args(["--url", base, "--truth-url", truth, "--table", table])
        .args(["--max", "60"])
        .arg("--kommuner")
        .arg(ws.join("crates/model/data/kommuner.csv"))
        .arg("--ydelser")
        .arg(ws.join("crates/model/data/ydelser.csv"))
        .args(slice)
        .output()
        .expect("run attack.py");
    assert!(
        out.status.success(),
        "attack.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("attack.py prints JSON")
}

fn region_1081() -> String {
    let k = std::fs::read_to_string(workspace().join("crates/model/data/kommuner.csv")).unwrap();
    let mut codes: Vec<&str> = k
        .lines()
        .filter(|l| l.split(';').nth(2) == Some("1081"))
        .map(|l| l.split(';').next().unwrap())
        .collect();
    codes.push("1081");
    format!("omraade={}", codes.join(","))
}

/// Slices of every table: a region with its municipalities, or the country with its regions,
/// over a year's periods, every benefit and (SAMT01) every form.
fn slices() -> Vec<(&'static str, Vec<String>)> {
    let region = region_1081();
    let k = |s: &str| vec!["--keep".to_string(), s.to_string()];
    let f = |s: &str| vec!["--fix".to_string(), s.to_string()];
    let cat = |parts: Vec<Vec<String>>| parts.concat();
    vec![
        (
            "SAMT01",
            cat(vec![
                k(&region),
                k("tid=2023K1,2023M01,2023M02,2023M03"),
                f("samtaletype=tot"),
                f("varighed=tot"),
            ]),
        ),
        (
            "SAMT01",
            cat(vec![
                k("omraade=000,1081,1082,1083,1084,1085"),
                k("tid=2023,2023K1,2023K2,2023K3,2023K4"),
                f("ydelse=tot"),
            ]),
        ),
        (
            "SAMT02",
            cat(vec![k(&region), k("tid=2023,2023K1,2023K2,2023K3,2023K4")]),
        ),
        (
            "SAMT02",
            cat(vec![
                k("omraade=000,1081,1082,1083,1084,1085"),
                f("tid=2023"),
            ]),
        ),
        (
            "SAMT03",
            cat(vec![
                k(&region),
                k("tid=2023,2023K1,2023K2,2023K3,2023K4,2023M03,2023M06,2023M09,2023M12"),
            ]),
        ),
    ]
}

/// Attack every slice; returns (cells attacked, violations) over all of them for each server.
fn attack_all(s: &Servers) -> ((u64, Vec<serde_json::Value>), (u64, Vec<serde_json::Value>)) {
    let mut sec = (0, Vec::new());
    let mut pri = (0, Vec::new());
    for (table, slice) in slices() {
        let slice: Vec<&str> = slice.iter().map(String::as_str).collect();
        for (acc, base) in [(&mut sec, &s.secondary.1), (&mut pri, &s.primary.1)] {
            let r = attack(base, &s.truth.1, table, &slice);
            acc.0 += r["attacked"].as_u64().unwrap();
            acc.1
                .extend(r["violations"].as_array().unwrap().iter().cloned());
        }
    }
    (sec, pri)
}

#[test]
fn attacker_recovers_nothing_on_generated_data_at_two_scales() {
    for scale in ["0.002", "0.003"] {
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path().join("raw");
        ok(&[
            "generate",
            "--out",
            raw.to_str().unwrap(),
            "--scale",
            scale,
            "--seed",
            "11",
            "--years",
            "2023-2023",
        ]);
        let s = serve_all(dir);
        let ((n_sec, v_sec), (n_pri, v_pri)) = attack_all(&s);
        assert!(n_sec > 100, "scale {scale}: only {n_sec} cells attacked");
        assert!(
            v_sec.is_empty(),
            "scale {scale}: the attacker recovered {} cells with secondary suppression, e.g. {}",
            v_sec.len(),
            v_sec[0]
        );
        // Primary suppression alone leaks: the attacker is able to find that.
        assert!(
            n_pri > 0 && !v_pri.is_empty(),
            "scale {scale}: no leak found"
        );
    }
}

/// Write a tiny extract: in March 2023 municipality 101 has 40 conversations and the others in
/// `small` a few, all dagpenge, jobsamtale, fysisk.
fn small_cells_fixture(small: &[(&str, usize)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    std::fs::create_dir_all(&raw).unwrap();
    let mut s =
        String::from("samtale_id,cpr,dato,kommune,ydelse,maalgruppe,samtaletype,samtaleform\n");
    let mut f = String::from("forloeb_id,cpr,kommune,ydelse,maalgruppe,start,slut\n");
    let mut n = 0;
    for (kommune, count) in std::iter::once(&("101", 40)).chain(small) {
        for _ in 0..*count {
            n += 1;
            let cpr = format!("{:02}{:02}80-{:04}", 1 + n % 28, 1 + n % 12, 1000 + n);
            s.push_str(&format!(
                "S{n},{cpr},2023-03-{:02},{kommune},dagpenge,,jobsamtale,fysisk\n",
                1 + n % 28
            ));
            f.push_str(&format!("F{n},{cpr},{kommune},dagpenge,,2023-01-02,\n"));
        }
    }
    std::fs::write(raw.join("samtaler.csv"), s).unwrap();
    std::fs::write(raw.join("forloeb.csv"), f).unwrap();
    dir
}

#[test]
fn attacker_recovers_nothing_from_adversarial_fixtures() {
    let slice = [
        "--keep",
        "omraade=000,1081,1082,1083,1084,1085,101,147,151,153,155,157,159,161,163,165,167,169,173,175,183,185,187,190,201,210,217,219,223,230,240,250,260,270,400",
        "--fix",
        "ydelse=tot",
        "--fix",
        "samtaletype=tot",
        "--fix",
        "varighed=tot",
    ];
    // A single small cell in a row (Frederiksberg = region - København), and two small cells
    // whose sum is known (Frederiksberg + Ballerup = region - København).
    for small in [vec![("147", 2)], vec![("147", 2), ("151", 1)]] {
        let s = serve_all(small_cells_fixture(&small));
        let sec = attack(&s.secondary.1, &s.truth.1, "SAMT01", &slice);
        let pri = attack(&s.primary.1, &s.truth.1, "SAMT01", &slice);
        assert!(sec["attacked"].as_u64().unwrap() > 0, "{sec}");
        assert_eq!(sec["violations"], serde_json::json!([]), "{small:?}: {sec}");
        let leaked = pri["violations"].as_array().unwrap();
        assert!(
            leaked
                .iter()
                .any(|v| v["cell"]["omraade"] == "147" && v["cell"]["samtaleform"] == "fysisk"),
            "{small:?}: primary suppression alone should leak Frederiksberg: {pri}"
        );
    }
}
