//! The PxWeb API 2.0 as its clients meet it: the real client libraries from PyPI, schemathesis
//! against the official specification, selection expressions as the reference server reads
//! them, codelists, placement, the output formats, saved queries, the rate limit, and
//! `samtalebank query`.

use std::process::Command;

use super::common::*;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn post(url: &str, body: &str) -> (u16, String) {
    let mut r = agent()
        .post(url)
        .header("content-type", "application/json")
        .send(body)
        .unwrap();
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
}

fn pxclients(args: &[&str]) -> serde_json::Value {
    let out = Command::new(python())
        .arg(workspace().join("scripts/pxclients.py"))
        .args(args)
        .output()
        .expect("run pxclients.py");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "pxclients.py {args:?} printed no JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(out.status.success(), "pxclients.py {args:?}: {report:#}");
    report
}

/// pxwebpy and pxstatspy list the tables, read metadata and fetch one municipality × 24 months
/// into DataFrames (pxwebpy from JSON-stat, pxstatspy from its CSV call); pyaxis parses the PX output and DuckDB the Parquet output: every number
/// equals the API's JSON-stat.
#[test]
fn real_clients_read_the_same_numbers_as_the_api() {
    let f = fixture();
    let r = pxclients(&["clients", &f.base]);
    assert_eq!(r["cells"], 48);
    assert!(r["published"].as_u64().unwrap() >= 24, "{r:#}");
    for c in ["pxwebpy", "pxstatspy", "px", "parquet"] {
        assert_eq!(r[format!("{c}_mismatches")], 0, "{c}: {r:#}");
        assert_eq!(r[format!("{c}_values")], 48, "{c}: {r:#}");
    }
    let tables: Vec<&str> = r["pxwebpy_tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        tables.contains(&"SAMT01") && tables.contains(&"BENCH01") && tables.contains(&"SURV01"),
        "{tables:?}"
    );
    assert_eq!(r["pxstatspy_found"][0], "SAMT01");
    assert_eq!(r["px_matrix"], "SAMT01");
    // The release calendar (common::CALENDAR), as the clients read it.
    let contact = "Statistikkontoret, Styrelsen for Arbejdsmarked og Rekruttering, statistik@example.dk, +45 72 21 74 00";
    assert_eq!(r["pxwebpy_next_update"], "2030-01-08T07:00:00Z", "{r:#}");
    assert_eq!(r["pxwebpy_update_frequency"], "Månedlig", "{r:#}");
    assert_eq!(r["pxwebpy_contact"], serde_json::json!([contact]), "{r:#}");
    assert_eq!(r["px_next_update"], "20300108 07:00", "{r:#}");
    assert_eq!(r["px_contact"], serde_json::json!([contact]), "{r:#}");
}

/// The release calendar beside the releases gives the next update, the frequency and the
/// contact in the metadata (PxWeb's fields; schemathesis checks them against the specification
/// in `schemathesis_finds_nothing_against_the_official_specification`), on the table page's
/// information panel and on the front page; a calendar that cannot be read stops the server
/// with its file and line.
#[test]
fn the_release_calendar_tells_readers_the_next_update_and_whom_to_ask() {
    let f = fixture();
    let m = get_json(&format!("{}/api/v2/tables/SAMT01/metadata", f.base));
    let ext = &m["extension"];
    assert_eq!(ext["px"]["nextUpdate"], "2030-01-08T07:00:00Z");
    assert_eq!(ext["px"]["updateFrequency"], "Månedlig");
    assert_eq!(ext["contact"][0]["mail"], "statistik@example.dk");
    assert_eq!(
        ext["contact"][0]["organization"],
        "Styrelsen for Arbejdsmarked og Rekruttering"
    );
    // The same in the list of tables and the table itself.
    let list = get_json(&format!("{}/api/v2/tables", f.base));
    let one = get_json(&format!("{}/api/v2/tables/SAMT02", f.base));
    for t in list["tables"].as_array().unwrap().iter().chain([&one]) {
        assert_eq!(
            t["extension"]["px"]["nextUpdate"], "2030-01-08T07:00:00Z",
            "{t}"
        );
        assert_eq!(t["extension"]["px"]["updateFrequency"], "Månedlig", "{t}");
        assert_eq!(t["extension"]["contact"], ext["contact"], "{t}");
    }
    for (path, words) in [
        (
            "/tabel/SAMT01",
            "Næste opdatering: 8. januar 2030 kl. 08.00.",
        ),
        ("/?lang=en", "Next update: 8 January 2030, 08:00."),
    ] {
        let page = get(&format!("{}{path}", f.base)).body;
        assert!(page.contains(words), "{path}: {words}");
        assert!(page.contains("mailto:statistik@example.dk"), "{path}");
    }
    // A calendar with a mistake: the server does not start, and says where.
    let dir = tempfile::tempdir().unwrap();
    let rel = dir.path().join("releases");
    copy_dir(&f.releases, &rel);
    std::fs::write(
        rel.join("calendar.toml"),
        "update_frequency = \"x\"\ndatoer = []\n",
    )
    .unwrap();
    let out = run(&[
        "serve",
        "--releases",
        rel.to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("calendar.toml") && err.contains("line 2"),
        "{err}"
    );
}

/// schemathesis against the official specification (its own contradictions corrected, each
/// listed with its reason in scripts/pxclients.py): no server error, statuses, content types
/// and response bodies as the specification gives them.
#[test]
fn schemathesis_finds_nothing_against_the_official_specification() {
    let f = fixture();
    let r = pxclients(&["schemathesis", &f.base, "--max-examples", "50"]);
    assert_eq!(r["ok"], true, "{}", r["output"].as_str().unwrap_or(""));
}

#[test]
fn config_announces_the_rate_limit_and_the_server_keeps_it() {
    let f = fixture();
    let (_server, base) = start_server_args(
        &f.releases,
        &[],
        None,
        &["--max-calls", "3", "--time-window", "60"],
    );
    let c = get_json(&format!("{base}/api/v2/config"));
    assert_eq!(c["maxCallsPerTimeWindow"], 3);
    assert_eq!(c["timeWindow"], 60);
    let formats: Vec<&str> = c["dataFormats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        [
            "json-stat2",
            "csv",
            "xlsx",
            "html",
            "parquet",
            "px",
            "json-px",
            "sdmx-csv"
        ]
    );
    for _ in 0..2 {
        assert_eq!(get(&format!("{base}/api/v2/tables")).status, 200);
    }
    let r = agent()
        .get(&format!("{base}/api/v2/tables"))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // The web pages are not API calls.
    assert_eq!(get(&format!("{base}/")).status, 200);
}

#[test]
fn selections_as_the_reference_server_reads_them() {
    let f = fixture();
    let data = |q: &str| {
        get_json(&format!(
            "{}/api/v2/tables/SAMT01/data?valuecodes[maal]=antal&{q}",
            f.base
        ))
    };
    // TOP on a variable that is not time: the first values in order; BOTTOM the last; offsets.
    let ydelse = |q: &str| index_codes(&data(&format!("valuecodes[ydelse]={q}")), "ydelse");
    assert_eq!(ydelse("TOP(2)"), ["tot", "dagpenge"]);
    assert_eq!(ydelse("top(1,1)"), ["dagpenge"]);
    let all = ydelse("*");
    assert_eq!(ydelse("BOTTOM(1)"), [all.last().unwrap().clone()]);
    // On time: the latest periods, with an offset.
    let tid = |q: &str| index_codes(&data(&format!("valuecodes[tid]={q}")), "tid");
    assert_eq!(tid("TOP(2,1)"), ["2024M10", "2024M11"]);
    assert_eq!(tid("bottom(1)"), ["2019M01"]);
    assert_eq!(tid("[2023]"), ["2023"]);
    // A codelist narrows the values: the regions, or the municipalities.
    let regions = data("codelist[omraade]=agg_region");
    assert_eq!(
        index_codes(&regions, "omraade"),
        ["1081", "1082", "1083", "1084", "1085"]
    );
    let k = data("codelist[omraade]=vs_kommune&valuecodes[omraade]=TOP(3)");
    assert_eq!(index_codes(&k, "omraade"), ["101", "147", "151"]);
    assert_eq!(
        get(&format!(
            "{}/api/v2/tables/SAMT01/data?codelist[omraade]=vs_nothing",
            f.base
        ))
        .status,
        400
    );
    // An empty POST body is the default selection, and the same as defaultselection says.
    let (status, body) = post(&format!("{}/api/v2/tables/SAMT01/data", f.base), "");
    assert_eq!(status, 200, "{body}");
    let ds: serde_json::Value = serde_json::from_str(&body).unwrap();
    let def = get_json(&format!("{}/api/v2/tables/SAMT01/defaultselection", f.base));
    for s in def["selection"].as_array().unwrap() {
        let var = s["variableCode"].as_str().unwrap();
        let codes: Vec<String> = s["valueCodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        assert_eq!(index_codes(&ds, var), codes, "{var}");
    }
    assert_eq!(def["language"], "da");
    // POST with a codelist and a placement.
    let (status, body) = post(
        &format!("{}/api/v2/tables/SAMT01/data?outputFormat=csv", f.base),
        r#"{"selection":[{"variableCode":"omraade","codelist":"agg_region","valueCodes":["*"]},{"variableCode":"tid","valueCodes":["2023","2024"]},{"variableCode":"maal","valueCodes":["antal"]}],"placement":{"heading":["tid"],"stub":["omraade"]}}"#,
    );
    assert_eq!(status, 200, "{body}");
    let mut lines = body.lines();
    assert_eq!(
        lines.next().unwrap(),
        "omraade,ydelse,samtaletype,samtaleform,varighed,maal,2023,2024"
    );
    assert_eq!(lines.count(), 5);
}

#[test]
fn heading_and_stub_place_the_variables_in_csv_html_and_px() {
    let f = fixture();
    let sel = "valuecodes[omraade]=000,730&valuecodes[tid]=2022,2023&valuecodes[maal]=antal";
    let long = get(&format!(
        "{}/api/v2/tables/SAMT01/data?{sel}&outputFormat=csv",
        f.base
    ))
    .body;
    let wide = get(&format!(
        "{}/api/v2/tables/SAMT01/data?{sel}&outputFormat=csv&heading=tid&stub=omraade",
        f.base
    ))
    .body;
    // Long: one row per area × year; wide: one row per area, the years across.
    let mut long_values = std::collections::BTreeMap::new();
    for l in long.lines().skip(1) {
        let c: Vec<&str> = l.split(',').collect();
        long_values.insert((c[0].to_string(), c[1].to_string()), c[6].to_string());
    }
    let mut w = wide.lines();
    let head: Vec<&str> = w.next().unwrap().split(',').collect();
    assert_eq!(head[head.len() - 2..], ["2022", "2023"]);
    let mut n = 0;
    for l in w {
        let c: Vec<&str> = l.split(',').collect();
        for (k, year) in ["2022", "2023"].iter().enumerate() {
            assert_eq!(
                long_values[&(c[0].to_string(), year.to_string())],
                c[c.len() - 2 + k]
            );
            n += 1;
        }
    }
    assert_eq!(n, 4);
    let texts = get(&format!(
        "{}/api/v2/tables/SAMT01/data?{sel}&outputFormat=csv&outputFormatParams=UseTexts,SeparatorSemicolon&outputFormatParams=IncludeTitle&lang=en",
        f.base
    ))
    .body;
    let mut t = texts.lines();
    assert_eq!(t.next().unwrap(), "Conversations by form");
    assert!(t.next().unwrap().starts_with("area;time;"), "{texts}");
    let html = get(&format!(
        "{}/api/v2/tables/SAMT01/data?{sel}&outputFormat=html&heading=tid",
        f.base
    ));
    assert!(html.content_type.starts_with("text/html"));
    assert!(html.body.contains("<th scope=\"col\">2022</th>") && html.body.contains("Randers"));
    let px = get(&format!(
        "{}/api/v2/tables/SAMT01/data?{sel}&outputFormat=px&heading=tid",
        f.base
    ))
    .body;
    assert!(
        px.contains("HEADING=\"tid\";") && px.contains("MATRIX=\"SAMT01\";"),
        "{px}"
    );
    for bad in [
        "outputFormat=json-stat2&outputFormatParams=UseCodes",
        "outputFormat=px&outputFormatParams=IncludeTitle",
        "outputFormat=csv&outputFormatParams=UseCodes,UseTexts",
        "outputFormat=csv&heading=farve",
        "outputFormat=csv&heading=tid&stub=tid",
    ] {
        let r = get(&format!("{}/api/v2/tables/SAMT01/data?{sel}&{bad}", f.base));
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(r.content_type.starts_with("application/problem+json"));
    }
    let jpx = get_json(&format!(
        "{}/api/v2/tables/SAMT01/data?{sel}&outputFormat=json-px",
        f.base
    ));
    assert_eq!(jpx["data"].as_array().unwrap().len(), 4);
    assert_eq!(
        jpx["columns"].as_array().unwrap().last().unwrap()["type"],
        "c"
    );
}

#[test]
fn tables_paging_codelists_metadata_and_the_openapi_document() {
    let f = fixture();
    let p = get_json(&format!("{}/api/v2/tables?pageSize=2&pageNumber=2", f.base));
    assert_eq!(p["page"]["pageNumber"], 2);
    assert_eq!(p["tables"].as_array().unwrap().len(), 2);
    let rels: Vec<&str> = p["page"]["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    assert!(rels.contains(&"previous") && rels.contains(&"self"));
    assert_eq!(
        get(&format!("{}/api/v2/tables?pageSize=2&pageNumber=9", f.base)).status,
        404
    );
    assert_eq!(
        get(&format!("{}/api/v2/tables?pageNumber=0", f.base)).status,
        400
    );
    assert_eq!(
        get_json(&format!("{}/api/v2/tables?pastDays=1", f.base))["page"]["totalElements"],
        5
    );
    // More days than a date can hold: every table, not a dropped connection.
    let far = get_json(&format!("{}/api/v2/tables?pastDays=106751991168", f.base));
    assert_eq!(far["page"]["totalElements"], 5);
    let t = get_json(&format!("{}/api/v2/tables/SAMT01?lang=en", f.base));
    assert_eq!(t["language"], "en");
    assert_eq!(t["timeUnit"], "Monthly");
    let m = get_json(&format!("{}/api/v2/tables/SAMT01/metadata?lang=en", f.base));
    assert_eq!(m["value"], serde_json::json!([]));
    assert_eq!(m["extension"]["px"]["tableid"], "SAMT01");
    assert_eq!(m["extension"]["px"]["decimals"], 1);
    let ids: Vec<&str> = m["dimension"]["omraade"]["extension"]["codelists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"agg_region") && ids.contains(&"vs_kommune"),
        "{ids:?}"
    );
    let regions = get_json(&format!("{}/api/v2/codelists/agg_region", f.base));
    assert_eq!(regions["type"], "Aggregation");
    let values = regions["values"].as_array().unwrap();
    assert_eq!(values.len(), 5);
    let members: usize = values
        .iter()
        .map(|v| v["valueMap"].as_array().unwrap().len())
        .sum();
    assert_eq!(members, 98);
    let narrowed = get_json(&format!(
        "{}/api/v2/tables/SAMT01/metadata?codelist[tid]=vs_aar",
        f.base
    ));
    assert_eq!(index_codes(&narrowed, "tid").len(), 6);
    assert_eq!(
        get(&format!("{}/api/v2/codelists/nope", f.base)).status,
        404
    );
    // Compression as the client asks for it.
    for enc in ["br", "gzip"] {
        let r = agent()
            .get(&format!("{}/api/v2/tables/SAMT01/metadata", f.base))
            .header("accept-encoding", enc)
            .call()
            .unwrap();
        assert_eq!(r.headers()["content-encoding"].to_str().unwrap(), enc);
    }
    let doc = get_json(&format!("{}/api/v2/openapi.json", f.base));
    for path in [
        "/tables",
        "/tables/{id}/defaultselection",
        "/codelists/{id}",
        "/savedqueries/{id}/selection",
        "/benchmark/gap",
        "/savings",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path}");
    }
}

#[test]
fn saved_queries_are_kept_across_restarts_and_read_the_current_release() {
    let f = fixture();
    // A releases directory of its own: saved queries live beside the releases.
    let d = tempfile::tempdir().unwrap();
    let releases = d.path().join("releases");
    copy_dir(&f.releases, &releases);
    let (server, base) = start_server_with(&releases, &[], None);
    let body = r#"{"tableId":"SAMT01","language":"en","outputFormat":"csv","selection":{"selection":[{"variableCode":"omraade","valueCodes":["730"]},{"variableCode":"tid","valueCodes":["TOP(3)"]},{"variableCode":"maal","valueCodes":["antal"]}]}}"#;
    let (status, created) = post(&format!("{base}/api/v2/savedqueries"), body);
    assert_eq!(status, 201, "{created}");
    let created: serde_json::Value = serde_json::from_str(&created).unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["savedQuery"]["tableId"], "SAMT01");
    // The same query again: the same id.
    let (_, again) = post(&format!("{base}/api/v2/savedqueries"), body);
    assert!(again.contains(&id));
    let (bad, _) = post(
        &format!("{base}/api/v2/savedqueries"),
        r#"{"tableId":"NOPE","language":"da","selection":{"selection":[]}}"#,
    );
    assert_eq!(bad, 400);
    let direct = get(&format!("{base}/api/v2/tables/SAMT01/data?valuecodes[omraade]=730&valuecodes[tid]=TOP(3)&valuecodes[maal]=antal&outputFormat=csv&lang=en")).body;
    assert_eq!(
        get(&format!("{base}/api/v2/savedqueries/{id}/data")).body,
        direct
    );
    drop(server);
    // After a restart: still there, its selection resolved to codes.
    let (_server, base) = start_server_with(&releases, &[], None);
    let q = get_json(&format!("{base}/api/v2/savedqueries/{id}"));
    assert_eq!(
        q["savedQuery"]["selection"]["selection"][1]["valueCodes"][0],
        "TOP(3)"
    );
    let sel = get_json(&format!("{base}/api/v2/savedqueries/{id}/selection"));
    let tid = sel["selection"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["variableCode"] == "tid")
        .unwrap();
    assert_eq!(
        tid["valueCodes"],
        serde_json::json!(["2024M10", "2024M11", "2024M12"])
    );
    let js = get_json(&format!(
        "{base}/api/v2/savedqueries/{id}/data?outputFormat=json-stat2"
    ));
    assert_eq!(js["value"].as_array().unwrap().len(), 3);
    assert_eq!(
        get(&format!("{base}/api/v2/savedqueries/0123456789abcdef")).status,
        404
    );
    assert_eq!(
        get(&format!("{base}/api/v2/savedqueries/..%2F..%2Fetc")).status,
        404
    );
}

/// `samtalebank query` gives what the API gives for the same selection.
#[test]
fn query_on_the_command_line_equals_the_api() {
    let f = fixture();
    let rel = f.releases.to_str().unwrap();
    let out = ok(&[
        "query",
        "SAMT01",
        "omraade=730",
        "tid=TOP(24)",
        "samtaleform=*",
        "--releases",
        rel,
        "--format",
        "csv",
    ]);
    let api = get(&format!(
        "{}/api/v2/tables/SAMT01/data?valuecodes[omraade]=730&valuecodes[tid]=TOP(24)&valuecodes[samtaleform]=*&outputFormat=csv",
        f.base
    ))
    .body;
    assert!(out.ends_with(&api), "{out}");
    assert_eq!(api.lines().count(), 1 + 24 * 5);
    let table = ok(&["query", "SAMT02", "tid=2023", "--releases", rel]);
    assert!(
        table.contains("SAMT02") && table.contains("Hele landet"),
        "{table}"
    );
    let bad = run(&["query", "SAMT01", "farve=blaa", "--releases", rel]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown variable 'farve'"));
}

/// SDMX-CSV 2.0, read by DuckDB's CSV reader (not ours): the field guide's first columns and
/// their values on every row, a column per dimension with `TIME_PERIOD` in SDMX's format, and
/// the same numbers and confidential cells as JSON-stat.
#[test]
fn sdmx_csv_has_the_field_guides_columns_and_the_numbers_of_json_stat() {
    let f = fixture();
    let sel = "valuecodes[omraade]=000,101,825&valuecodes[tid]=2023,2023K2,2023M05\
               &valuecodes[ydelse]=tot,dagpenge,revalidering&valuecodes[samtaleform]=*\
               &valuecodes[maal]=antal,digital_pct";
    let url = format!(
        "{}/api/v2/tables/SAMT01/data?{sel}&outputFormat=sdmx-csv",
        f.base
    );
    let r = get(&url);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.content_type,
        "application/vnd.sdmx.data+csv; version=2.0.0"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("samt01.csv");
    std::fs::write(&path, &r.body).unwrap();
    let script = r#"
import duckdb, json, re, sys
con = duckdb.connect()
rel = con.sql(f"SELECT * FROM read_csv('{sys.argv[1]}', header=true, all_varchar=true, delim=',', quote='\"')")
cols = rel.columns
rows = rel.fetchall()
bad = [r for r in rows if r[0] != 'dataflow' or not re.fullmatch(r'[A-Za-z0-9_.]+:[A-Za-z0-9_@$-]+\(\d+\.\d+\.\d+\)', r[1]) or r[2] not in ('I', 'A', 'R', 'D')]
print(json.dumps({"columns": cols, "rows": [list(r) for r in rows], "bad": len(bad)}))
"#;
    let out = std::process::Command::new(python())
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cols: Vec<&str> = parsed["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(
        cols,
        [
            "STRUCTURE",
            "STRUCTURE_ID",
            "ACTION",
            "OMRAADE",
            "TIME_PERIOD",
            "YDELSE",
            "SAMTALETYPE",
            "SAMTALEFORM",
            "VARIGHED",
            "MAAL",
            "OBS_VALUE",
            "OBS_STATUS",
            "CONF_STATUS"
        ]
    );
    assert_eq!(parsed["bad"], 0);
    let rows = parsed["rows"].as_array().unwrap();
    // JSON-stat of the same selection: value and status by the cell's codes.
    let ds = get_json(&format!("{}/api/v2/tables/SAMT01/data?{sel}", f.base));
    let ids: Vec<String> = ds["id"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let codes: Vec<Vec<String>> = ids.iter().map(|v| index_codes(&ds, v)).collect();
    let sizes: Vec<usize> = codes.iter().map(Vec::len).collect();
    assert_eq!(rows.len(), sizes.iter().product::<usize>());
    let sdmx_time = |c: &str| c.replacen('K', "-Q", 1).replacen('M', "-", 1);
    let (mut confidential, mut numbers) = (0, 0);
    for row in rows {
        let row: Vec<&str> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap_or(""))
            .collect();
        // The row's cell in JSON-stat's row-major order (its dimensions in `id` order).
        let mut flat = 0;
        for (k, v) in ids.iter().enumerate() {
            let col = if v == "tid" {
                "TIME_PERIOD".to_string()
            } else {
                v.to_uppercase()
            };
            let at = cols.iter().position(|c| *c == col).unwrap();
            let pos = codes[k]
                .iter()
                .position(|c| {
                    if v == "tid" {
                        sdmx_time(c) == row[at]
                    } else {
                        c == row[at]
                    }
                })
                .unwrap_or_else(|| panic!("{v}={} not in the selection", row[at]));
            flat = flat * sizes[k] + pos;
        }
        let (value, obs, conf) = (row[10], row[11], row[12]);
        match ds["value"][flat].as_f64() {
            Some(x) => {
                let y: f64 = value.parse().unwrap();
                assert!((x - y).abs() < 1e-9, "{row:?}: JSON-stat {x}");
                assert_eq!((obs, conf), ("A", "F"), "{row:?}");
                numbers += 1;
            }
            None => {
                assert_eq!(value, "", "{row:?}");
                let symbol = ds["status"][flat.to_string()].as_str().unwrap_or("");
                let expected = match symbol {
                    ".." => ("", "C"),
                    "-" => ("M", "F"),
                    "." => ("O", "F"),
                    s => panic!("status {s:?} for {row:?}"),
                };
                assert_eq!((obs, conf), expected, "{row:?}");
                confidential += usize::from(conf == "C");
            }
        }
    }
    assert!(
        numbers > 50 && confidential > 0,
        "{numbers} numbers, {confidential} confidential"
    );
    // Periods in SDMX's time formats.
    assert!(rows.iter().any(|r| r[4] == "2023-Q2") && rows.iter().any(|r| r[4] == "2023-05"));
}
