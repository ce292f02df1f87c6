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
    assert!(
        dom.contains("outputFormat=px") && dom.contains("outputFormat=parquet"),
        "no PX or Parquet link"
    );
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
    // Every table shows its period, but the survey, which has none, shows no empty one.
    assert_eq!(dom.matches("Periode: 2019M01 – ").count(), 4, "{dom}");
    assert!(!dom.contains(": – ."), "{dom}");
    let en = get(&format!("{}/tabel/SAMT01?lang=en", f.base));
    assert_eq!(en.status, 200);
    assert!(en.body.contains("Conversations by form") && en.body.contains("lang=\"en\""));
    let missing = get(&format!("{}/tabel/NOPE", f.base));
    assert_eq!(missing.status, 404);
}

#[test]
fn municipality_page_and_report_show_the_benchmark() {
    let f = fixture();
    let dom = dump_dom(&format!("{}/kommune/730", f.base));
    assert!(dom.contains("Randers – benchmarkrapport"));
    assert!(dom.contains("Region Midtjylland"));
    assert!(dom.matches("<svg").count() >= 4, "a chart per indicator");
    // Randers' rank for pct6 in 2023 as the API gives it (ranks are checked against DuckDB
    // elsewhere) appears in the pct6 section.
    let ds = get_json(&format!(
        "{}/api/v2/tables/BENCH01/data?valuecodes[indikator]=pct6&valuecodes[omraade]=730&valuecodes[tid]=2023&valuecodes[maal]=vaerdi,rang",
        f.base
    ));
    let rank = ds["value"][1].as_u64().unwrap();
    let value = ds["value"][0].as_f64().unwrap();
    let section = dom.split("Første samtale inden for 6 uger").nth(1).unwrap();
    let row = section
        .split("</tr>")
        .find(|r| r.contains(">Randers<"))
        .unwrap();
    assert!(row.contains(&format!("<td>{rank}</td>")), "{row}");
    assert!(
        row.contains(&format!("{value:.1}").replace('.', ",")),
        "{row}"
    );
    // The CLI writes the same report as a standalone file.
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("randers.html");
    ok(&[
        "report",
        "--releases",
        f.releases.to_str().unwrap(),
        "--kommune",
        "730",
        "--out",
        out.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(
        html.to_ascii_lowercase().starts_with("<!doctype html>")
            && html.contains("<style>")
            && !html.contains("<script src")
    );
    assert!(html.contains(&format!("<td>{rank}</td>")));
    assert_eq!(get(&format!("{}/kommune/999", f.base)).status, 404);
    assert_eq!(
        run(&[
            "report",
            "--releases",
            f.releases.to_str().unwrap(),
            "--kommune",
            "1084",
            "--out",
            out.to_str().unwrap()
        ])
        .status
        .code(),
        Some(1)
    );
    // The home page links to every municipality's report.
    let home = get(&format!("{}/", f.base)).body;
    assert_eq!(home.matches("href=\"/kommune/").count(), 98);
}

#[test]
fn gap_page_shows_the_group_against_the_rest() {
    let f = fixture();
    let dom = dump_dom(&format!(
        "{}/benchmark?group=101,751,851,461&indicator=pct6&periode=aar",
        f.base
    ));
    assert!(dom.contains("<svg"));
    assert!(dom.contains("Aarhus") && dom.contains("Odense"));
    // The 2019 gap as the API gives it (checked against DuckDB elsewhere).
    let ds = get_json(&format!(
        "{}/api/v2/benchmark/gap?group=101,751,851,461&indicator=pct6&periode=aar",
        f.base
    ));
    let gap = ds["value"][2].as_f64().unwrap();
    let row = dom
        .split("</tr>")
        .find(|r| r.contains("<th scope=\"row\">2019</th>"))
        .unwrap();
    assert!(
        row.contains(&format!("{gap:.1}").replace('.', ",")),
        "{row} vs {gap}"
    );
    let bad = dump_dom(&format!("{}/benchmark?group=999&indicator=pct6", f.base));
    assert!(bad.contains("role=\"alert\"") && bad.contains("unknown omraade"));
}

#[test]
fn every_table_has_a_page_with_its_measures() {
    let f = fixture();
    let dom = dump_dom(&format!(
        "{}/tabel/SAMT02?omraade=000&omraade=730&periode=aar&aar=2023&aar=2024",
        f.base
    ));
    let ds = get_json(&format!(
        "{}/api/v2/tables/SAMT02/data?valuecodes[tid]=2023&valuecodes[maal]=startet,pct6",
        f.base
    ));
    let startet = ds["value"][0].as_u64().unwrap();
    let pct6 = ds["value"][1].as_f64().unwrap();
    let row = dom
        .split("</tr>")
        .find(|r| r.contains(">Hele landet</th>") && r.contains(">2023<"))
        .unwrap();
    assert!(
        row.contains(&format!("<td>{}</td>", danish(startet))),
        "{row}"
    );
    assert!(
        row.contains(&format!("{pct6:.1}").replace('.', ",")),
        "{row}"
    );
    // 2024's 13-week share is not yet available: shown as '.'.
    let row24 = dom
        .split("</tr>")
        .find(|r| r.contains(">Hele landet</th>") && r.contains(">2024<"))
        .unwrap();
    assert!(row24.contains("<td>.</td>"), "{row24}");
    assert!(dom.contains("<svg") && dom.contains("outputFormat=xlsx"));
    for table in ["SAMT03", "BENCH01"] {
        let r = get(&format!("{}/tabel/{table}", f.base));
        assert_eq!(r.status, 200, "{table}");
        assert!(r.body.contains("<table>"), "{table}");
    }
}

#[test]
fn savings_page_shows_the_calculation_its_assumptions_and_its_api_link() {
    let f = fixture();
    let api = get_json(&format!(
        "{}/api/v2/savings?year=2023&scenario=all-digital",
        f.base
    ));
    let dom = dump_dom(&format!(
        "{}/besparelse?year=2023&scenario=all-digital",
        f.base
    ));
    assert!(dom.contains("Besparelse ved digitale samtaler"), "{dom}");
    let total = api["total"]["saving_dkk"]["high"].as_f64().unwrap() / 1e6;
    assert!(
        dom.contains(&format!("{total:.1}").replace('.', ",")),
        "the page shows the API's total {total:.1}"
    );
    assert!(dom.contains("<svg") && dom.contains("Antagelser"));
    assert!(dom
        .contains("/api/v2/savings?year=2023&amp;area=000&amp;scope=6m&amp;scenario=all-digital"));
    assert!(dump_dom(&format!("{}/", f.base)).contains("href=\"/besparelse?lang=da\""));
    let en = dump_dom(&format!("{}/besparelse?lang=en", f.base));
    assert!(en.contains("Savings from digital conversations") && en.contains("Assumptions"));
    let bad = dump_dom(&format!("{}/besparelse?year=2023&minutes=20-5", f.base));
    assert!(bad.contains("above the high end"));
}

/// Run `scripts/web/axe.mjs` (axe-core in Debian's Chromium) on some pages of the fixture.
pub fn axe(paths: &[String]) -> serde_json::Value {
    let f = fixture();
    let script = workspace().join("scripts/web/axe.mjs");
    assert!(
        workspace()
            .join("scripts/web/node_modules/axe-core")
            .exists(),
        "axe-core is not installed: run scripts/test (it runs npm ci in scripts/web)"
    );
    let urls: Vec<String> = paths.iter().map(|p| format!("{}{p}", f.base)).collect();
    let out = Command::new("node")
        .arg(script)
        .args(&urls)
        .env("CHROMIUM", chromium())
        .output()
        .expect("run node (apt-get install nodejs npm)");
    assert!(
        out.status.success(),
        "axe.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_page_has_no_wcag_2_1_a_or_aa_violations_in_either_language() {
    let pages = [
        "/",
        "/tabel/SAMT01?omraade=000&omraade=730&periode=kvartal&aar=2024",
        "/tabel/SAMT02",
        "/tabel/SAMT03",
        "/tabel/BENCH01",
        "/tabel/SURV01",
        "/kommune/730",
        "/benchmark",
        "/besparelse",
        "/undersoegelse",
        "/ingen-side",
    ];
    let mut paths = Vec::new();
    for p in pages {
        let sep = if p.contains('?') { '&' } else { '?' };
        paths.push(p.to_string());
        paths.push(format!("{p}{sep}lang=en"));
    }
    let report = axe(&paths);
    let pages = report["pages"].as_array().unwrap();
    assert_eq!(pages.len(), paths.len());
    let bad: Vec<String> = pages
        .iter()
        .filter(|p| !p["violations"].as_array().unwrap().is_empty())
        .map(|p| format!("{}: {}", p["url"], p["violations"]))
        .collect();
    assert!(bad.is_empty(), "WCAG violations:\n{}", bad.join("\n"));
}
