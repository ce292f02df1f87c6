//! The web pages, rendered by a real browser (Debian's chromium, headless).

use std::process::Command;

use super::common::*;

fn chromium() -> String {
    for c in [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ] {
        if std::path::Path::new(c).exists() {
            return c.to_string();
        }
    }
    panic!("chromium is not installed (apt-get install chromium; .ci/run does it)");
}

/// The DOM after the page has loaded in headless Chromium.
fn dump_dom(url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--dump-dom", url])
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn danish(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

#[test]
fn table_page_shows_the_numbers_the_chart_and_the_links() {
    let f = fixture();
    let url = format!(
        "{}/tabel/SAMT01?omraade=000&omraade=730&periode=aar&aar=2022&aar=2023&ydelse=tot",
        f.base
    );
    let dom = dump_dom(&url);
    // The national 2023 total, as the API (checked against DuckDB elsewhere) gives it.
    let ds = get_json(&format!(
        "{}/api/v2/tables/SAMT01/data?valuecodes[tid]=2023&valuecodes[maal]=antal",
        f.base
    ));
    let total = ds["value"][0].as_u64().unwrap();
    assert!(
        dom.contains(&format!("<td>{}</td>", danish(total))),
        "national total {total} not on the page"
    );
    assert!(dom.contains("<svg"), "no chart");
    assert!(dom.contains("Randers"));
    assert!(dom.contains("outputFormat=csv"), "no CSV link");
    assert!(dom.contains("/api/v2/tables/SAMT01/data?"), "no API link");
    assert!(
        dom.contains("diskretioneret"),
        "the '..' symbol is explained"
    );
    // 2 areas × 2 years = 4 rows in the table body.
    assert_eq!(dom.matches("<th scope=\"row\">").count(), 4);
}

#[test]
fn home_page_lists_the_table_and_english_works() {
    let f = fixture();
    let dom = dump_dom(&format!("{}/", f.base));
    assert!(dom.contains("SAMT01: Samtaler efter samtaleform"));
    let en = get(&format!("{}/tabel/SAMT01?lang=en", f.base));
    assert_eq!(en.status, 200);
    assert!(en.body.contains("Conversations by form") && en.body.contains("lang=\"en\""));
    let missing = get(&format!("{}/tabel/NOPE", f.base));
    assert_eq!(missing.status, 404);
}
