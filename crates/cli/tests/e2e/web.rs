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

/// A JSON-stat dataset's values by the codes of its varying dimensions, in index order.
fn values(ds: &serde_json::Value) -> Vec<serde_json::Value> {
    ds["value"].as_array().unwrap().clone()
}

#[test]
fn the_front_page_shows_the_latest_digital_share_the_api_gives() {
    let f = fixture();
    let dom = dump_dom(&format!("{}/", f.base));
    // The key figures: a year and a month, each with its period and value.
    let periods: Vec<String> = dom
        .split("class=\"figure\" data-period=\"")
        .skip(1)
        .map(|t| t.split('"').next().unwrap().to_string())
        .collect();
    assert_eq!(periods.len(), 2, "{periods:?}");
    for (p, v) in periods.iter().zip(
        dom.split("data-value=\"")
            .skip(1)
            .map(|t| t.split('"').next().unwrap()),
    ) {
        let ds = get_json(&format!(
            "{}/api/v2/tables/SAMT01/data?valuecodes[tid]={p}&valuecodes[maal]=digital_pct",
            f.base
        ));
        let api = ds["value"][0].as_f64().unwrap();
        assert_eq!(v, format!("{api:.1}"), "{p}");
        assert!(
            dom.contains(&format!("{} %", format!("{api:.1}").replace('.', ","))),
            "{p}"
        );
    }
    assert!(
        periods[0].len() == 4 && periods[1].contains('M'),
        "a year and a month: {periods:?}"
    );
    assert!(dom.contains("<svg") && dom.contains("id=\"map-home\""));
    let en = get(&format!("{}/?lang=en", f.base));
    assert!(en.body.contains("Conversations held by phone or video"));
}

/// The BENCH01 values of the 98 municipalities from the API: code → (value or null, rank or null).
fn bench01(
    base: &str,
    tid: &str,
) -> std::collections::BTreeMap<String, (serde_json::Value, serde_json::Value)> {
    let ds = get_json(&format!(
        "{base}/api/v2/tables/BENCH01/data?valuecodes[indikator]=pct6&codelist[omraade]=vs_kommune&valuecodes[omraade]=*&valuecodes[tid]={tid}&valuecodes[ydelse]=tot&valuecodes[maal]=vaerdi,rang"
    ));
    let codes = index_codes(&ds, "omraade");
    let v = values(&ds);
    codes
        .into_iter()
        .enumerate()
        .map(|(i, c)| (c, (v[2 * i].clone(), v[2 * i + 1].clone())))
        .collect()
}

#[test]
fn the_ranking_lists_all_98_municipalities_in_rank_order_as_bench01_through_the_api() {
    let f = fixture();
    let dom = dump_dom(&format!(
        "{}/rangering?indikator=pct6&tid=2023&kommune=730",
        f.base
    ));
    let api = bench01(&f.base, "2023");
    let table = dom
        .split("<table id=\"ranking\">")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    let rows: Vec<&str> = table
        .split("<tr")
        .filter(|r| r.contains("href=\"/kommune/"))
        .collect();
    assert_eq!(rows.len(), 98);
    let mut last = f64::INFINITY;
    for r in &rows {
        let code = r
            .split("href=\"/kommune/")
            .nth(1)
            .unwrap()
            .split('?')
            .next()
            .unwrap();
        let (v, rank) = &api[code];
        let cells: Vec<&str> = r
            .split("<td>")
            .skip(1)
            .map(|c| c.split("</td>").next().unwrap())
            .collect();
        match v.as_f64() {
            Some(x) => {
                assert_eq!(cells[1], format!("{x:.1}").replace('.', ","), "{code}");
                assert_eq!(cells[0], rank.as_u64().unwrap().to_string(), "{code}");
                assert!(x <= last + 1e-9, "rank order at {code}");
                last = x;
            }
            None => assert!(cells[1] == ".." || cells[1] == "-", "{code}: {}", cells[1]),
        }
    }
    assert!(rows
        .iter()
        .any(|r| r.contains("class=\"mine\"") && r.contains("Randers")));
    assert_eq!(
        get(&format!("{}/rangering?indikator=nope", f.base)).status,
        400
    );
}

#[test]
fn the_map_has_98_tiles_with_the_apis_values_each_linked_to_its_municipality() {
    let f = fixture();
    let dom = dump_dom(&format!("{}/kort?indikator=pct6&tid=2023", f.base));
    let api = bench01(&f.base, "2023");
    let tiles: Vec<&str> = dom.split("<rect data-code=\"").skip(1).collect();
    assert_eq!(tiles.len(), 98);
    for t in tiles {
        let code = t.split('"').next().unwrap();
        let value = t
            .split("data-value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        match api[code].0.as_f64() {
            Some(x) => assert_eq!(value, format!("{x:.1}"), "{code}"),
            None => assert!(value == ".." || value == "-", "{code}: {value}"),
        }
    }
    let map = dom
        .split("<svg class=\"tiles\"")
        .nth(1)
        .unwrap()
        .split("</svg>")
        .next()
        .unwrap();
    assert_eq!(map.matches("<a href=\"/kommune/").count(), 98);
}

#[test]
fn a_table_with_several_values_a_pivot_and_the_latest_periods_shows_exactly_the_apis_cells() {
    let f = fixture();
    let meta = get_json(&format!("{}/api/v2/tables/SAMT01/metadata", f.base));
    let quarters: Vec<String> = index_codes(&meta, "tid")
        .into_iter()
        .filter(|c| c.contains('K'))
        .collect();
    let last3 = &quarters[quarters.len() - 3..];
    let url = format!(
        "{}/tabel/SAMT01?omraade=000&omraade=730&ydelse=dagpenge&ydelse=sygedagpenge&samtaleform=tot&periode=kvartal&seneste=3&maal=antal&maal=digital_pct&raekker=omraade,ydelse&kolonner=tid,maal",
        f.base
    );
    let dom = dump_dom(&url);
    let ds = get_json(&format!(
        "{}/api/v2/tables/SAMT01/data?valuecodes[omraade]=000,730&valuecodes[ydelse]=dagpenge,sygedagpenge&valuecodes[tid]={}&valuecodes[maal]=antal,digital_pct",
        f.base,
        last3.join(",")
    ));
    let v = values(&ds);
    let status = &ds["status"];
    let body = dom
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tbody>")
        .next()
        .unwrap();
    let rows: Vec<Vec<&str>> = body
        .split("</tr>")
        .filter(|r| r.contains("<td"))
        .map(|r| {
            r.split("<td>")
                .skip(1)
                .map(|c| c.split("</td>").next().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 4, "2 areas × 2 benefits down");
    // JSON-stat order: omraade, tid, ydelse, …, maal (last fastest); the page: rows
    // omraade × ydelse, columns tid × maal.
    for (a, area) in ["000", "730"].iter().enumerate() {
        for y in 0..2 {
            for t in 0..3 {
                for m in 0..2 {
                    let i = ((a * 3 + t) * 2 + y) * 2 + m;
                    let want = match v[i].as_f64() {
                        Some(x) if m == 0 => danish(x as u64),
                        Some(x) => format!("{x:.1}").replace('.', ","),
                        None => status[i.to_string()].as_str().unwrap().to_string(),
                    };
                    assert_eq!(
                        rows[a * 2 + y][t * 2 + m],
                        want,
                        "{area} y{y} {} m{m}",
                        last3[t]
                    );
                }
            }
        }
    }
    // Each quarter heads the two measures below it.
    assert!(
        dom.contains(&format!(
            "<th scope=\"colgroup\" colspan=\"2\">{}</th>",
            last3[0]
        )),
        "{}",
        last3[0]
    );
    // The caption states the selection.
    assert!(
        dom.contains("<caption>Samtaler efter samtaleform: Alle samtaletyper, Alle samtaleformer")
    );
}

#[test]
fn an_invalid_parameter_gives_a_notice_and_400_never_another_table() {
    let f = fixture();
    for q in ["omraade=999", "omraade=Randers", "ydelse=foo", "bogus=1"] {
        let r = get(&format!("{}/tabel/SAMT01?{q}", f.base));
        assert_eq!(r.status, 400, "{q}");
        assert!(
            r.body.contains("role=\"alert\"") && !r.body.contains("<table id=\"data\""),
            "{q}"
        );
    }
    let dom = dump_dom(&format!("{}/tabel/SAMT01?omraade=Randers", f.base));
    assert!(
        dom.contains("'Randers' findes ikke i tabellen"),
        "the notice says what was wrong"
    );
}

/// The link with text `label` on a page.
fn link_to(html: &str, label: &str) -> String {
    let before = html.split(&format!(">{label}</a>")).next().unwrap();
    let href = before
        .rsplit("href=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    href.replace("&amp;", "&")
}

#[test]
fn the_danish_csv_opens_as_danish_excel_reads_it_with_the_apis_numbers() {
    let f = fixture();
    let page = get(&format!(
        "{}/tabel/SAMT01?omraade=000&omraade=730&periode=aar&maal=digital_pct&samtaleform=tot",
        f.base
    ))
    .body;
    let href = link_to(&page, "CSV til Excel");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let bytes = agent
        .get(&format!("{}{href}", f.base))
        .call()
        .unwrap()
        .body_mut()
        .read_to_vec()
        .unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a byte order mark");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains(';') && !lines[0].contains(','),
        "semicolons: {}",
        lines[0]
    );
    assert!(
        lines[1].contains("Hele landet"),
        "texts, not codes: {}",
        lines[1]
    );
    let ds = get_json(&format!(
        "{}/api/v2/tables/SAMT01/data?valuecodes[omraade]=000,730&valuecodes[tid]=2019,2020,2021,2022,2023,2024&valuecodes[maal]=digital_pct",
        f.base
    ));
    // Every number in the file, with its decimal comma, is the API's.
    let file_numbers: Vec<f64> = lines[1..]
        .iter()
        .flat_map(|l| l.split(';').skip(1))
        .filter_map(|c| c.trim_matches('"').replace(',', ".").parse::<f64>().ok())
        .filter(|x| *x < 1000.0)
        .collect();
    let api: Vec<f64> = values(&ds)
        .iter()
        .filter_map(|v| v.as_f64())
        .map(|x| (x * 10.0).round() / 10.0)
        .collect();
    assert_eq!(file_numbers.len(), api.len(), "{text}");
    for x in &api {
        assert!(
            file_numbers.iter().any(|y| (y - x).abs() < 1e-9),
            "{x} not in the file"
        );
    }
    assert!(
        text.contains(&format!("{:.1}", api[0]).replace('.', ",")),
        "decimal commas"
    );
}

#[test]
fn the_excel_file_opens_with_the_selection_in_its_title() {
    let f = fixture();
    let page = get(&format!(
        "{}/tabel/SAMT01?omraade=730&periode=aar&ydelse=dagpenge&maal=antal",
        f.base
    ))
    .body;
    let href = link_to(&page, "Hent som Excel");
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("t.xlsx");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let bytes = agent
        .get(&format!("{}{href}", f.base))
        .call()
        .unwrap()
        .body_mut()
        .with_config()
        .limit(50 << 20)
        .read_to_vec()
        .unwrap();
    std::fs::write(&path, bytes).unwrap();
    let script = "import openpyxl,sys,json\nwb=openpyxl.load_workbook(sys.argv[1])\nws=wb.worksheets[0]\nprint(json.dumps({'title': ws['A1'].value, 'sheets': wb.sheetnames, 'rows': ws.max_row}))\n";
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let title = j["title"].as_str().unwrap();
    assert!(
        title.starts_with("Samtaler efter samtaleform: Randers, "),
        "{title}"
    );
    assert!(
        title.contains("A-dagpenge") || title.contains("dagpenge"),
        "{title}"
    );
    assert_eq!(j["sheets"][1], "Noter");
}

#[test]
fn the_municipality_page_is_a_hub_and_the_report_works_from_disk() {
    let f = fixture();
    let dom = dump_dom(&format!("{}/kommune/730", f.base));
    assert!(dom.contains("<h1>Randers – kommunens tal</h1>"));
    assert!(dom.contains("Region Midtjylland"));
    let ds = get_json(&format!(
        "{}/api/v2/tables/BENCH01/data?valuecodes[indikator]=pct6&valuecodes[omraade]=730&valuecodes[tid]=2023&valuecodes[maal]=vaerdi,rang",
        f.base
    ));
    let (value, rank) = (
        ds["value"][0].as_f64().unwrap(),
        ds["value"][1].as_u64().unwrap(),
    );
    let section = dom
        .split("<h2>Første samtale inden for 6 uger (SAMT02)</h2>")
        .nth(1)
        .unwrap();
    let row = section
        .split("</tr>")
        .find(|r| r.contains(">Randers<"))
        .unwrap();
    assert!(row.contains(&format!("<td>{rank}</td>")), "{row}");
    assert!(
        row.contains(&format!("{value:.1}").replace('.', ",")),
        "{row}"
    );
    for t in ["SAMT01", "SAMT02", "SAMT03", "BENCH01"] {
        assert!(
            dom.contains(&format!("/tabel/{t}?lang=da&amp;omraade=730")),
            "{t} preset"
        );
    }
    assert!(dom.contains("outputFormat=xlsx"), "a download of the page");
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("randers.html");
    ok(&[
        "report",
        "--releases",
        f.releases.to_str().unwrap(),
        "--kommune",
        "Randers",
        "--out",
        out.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.to_ascii_lowercase().starts_with("<!doctype html>") && html.contains("<style>"));
    assert!(
        !html.contains("href=\"/") && !html.contains("src=\"/"),
        "nothing relative to a file on disk"
    );
    assert!(html.contains(&format!("<td>{rank}</td>")));
    assert_eq!(get(&format!("{}/kommune/999", f.base)).status, 404);
    // The finder goes to the municipality named.
    let r = get(&format!("{}/kommuner?q=randers", f.base));
    assert!(
        r.body.contains("Randers – kommunens tal"),
        "followed to the page"
    );
}

#[test]
fn the_gap_page_takes_a_group_in_plain_words() {
    let f = fixture();
    let dom = dump_dom(&format!(
        "{}/benchmark?kommune=101&kommune=751&kommune=851&kommune=461&indikator=pct6&periode=aar",
        f.base
    ));
    assert!(dom.contains("<svg") && dom.contains("Aarhus") && dom.contains("Odense"));
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
    // The rule in words: the 15 lowest on the 6-week indicator in 2019.
    let rule = get(&format!(
        "{}/benchmark?regel=laveste&antal=15&efter=pct6&aar=2019",
        f.base
    ));
    assert_eq!(rule.status, 200);
    assert!(rule.body.contains("Gruppen (15):"));
    let bad = get(&format!("{}/benchmark?kommune=999", f.base));
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("role=\"alert\""));
}

#[test]
fn the_savings_page_shows_the_calculation_its_assumptions_and_its_api_link() {
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
    assert!(
        dom.contains("<svg")
            && dom.contains("Antagelser")
            && dom.contains("Sagsbehandlertid koster")
    );
    assert!(dom
        .contains("/api/v2/savings?year=2023&amp;area=000&amp;scope=6m&amp;scenario=all-digital"));
    let en = dump_dom(&format!("{}/besparelse?lang=en", f.base));
    assert!(
        en.contains("Savings from digital conversations") && en.contains("Caseworker time costs")
    );
    let bad = dump_dom(&format!("{}/besparelse?year=2023&minutes=20-5", f.base));
    assert!(bad.contains("above the high end"));
}

#[test]
fn every_table_has_a_page_with_its_measures() {
    let f = fixture();
    let dom = dump_dom(&format!("{}/tabel/SAMT02?omraade=000&omraade=730&periode=aar&aar=2023&aar=2024&maal=startet&maal=pct6&maal=pct13", f.base));
    let ds = get_json(&format!(
        "{}/api/v2/tables/SAMT02/data?valuecodes[tid]=2023&valuecodes[maal]=startet,pct6",
        f.base
    ));
    let startet = ds["value"][0].as_u64().unwrap();
    let pct6 = ds["value"][1].as_f64().unwrap();
    assert!(
        dom.contains(&format!("<td>{}</td>", danish(startet))),
        "startet {startet}"
    );
    assert!(
        dom.contains(&format!(
            "<td>{}</td>",
            format!("{pct6:.1}").replace('.', ",")
        )),
        "pct6 {pct6}"
    );
    assert!(
        dom.contains("<td>.</td>"),
        "2024's 13-week share is not yet available"
    );
    for table in ["SAMT03", "BENCH01", "SURV01"] {
        let r = get(&format!("{}/tabel/{table}", f.base));
        assert_eq!(r.status, 200, "{table}");
        assert!(r.body.contains("<table id=\"data\""), "{table}");
    }
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
        "/tabel/SAMT01?omraade=999",
        "/kommune/730",
        "/kommuner",
        "/rangering?kommune=730",
        "/kort?kommune=730",
        "/benchmark",
        "/besparelse",
        "/undersoegelse",
        "/nyt",
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
