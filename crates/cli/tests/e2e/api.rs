//! The PxWeb API v2 surface: config, tables, metadata, data in JSON-stat and CSV, errors.

use super::common::*;

#[test]
fn config_and_table_list() {
    let f = fixture();
    let c = get_json(&format!("{}/api/v2/config", f.base));
    assert_eq!(c["maxDataCells"], 100_000);
    assert_eq!(c["defaultLanguage"], "da");
    let t = get_json(&format!("{}/api/v2/tables?query=samtaleform", f.base));
    let tables = t["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0]["id"], "SAMT01");
    assert_eq!(tables[0]["firstPeriod"], "2019M01");
    assert_eq!(tables[0]["lastPeriod"], "2024M12");
    assert_eq!(t["page"]["totalElements"], 1);
    let none = get_json(&format!("{}/api/v2/tables?query=nothing-like-this", f.base));
    assert_eq!(none["tables"].as_array().unwrap().len(), 0);
    let one = get_json(&format!("{}/api/v2/tables/Samt01?lang=en", f.base));
    assert_eq!(one["label"], "Conversations by form");
}

#[test]
fn metadata_is_json_stat_with_an_empty_value() {
    let f = fixture();
    let m = get_json(&format!("{}/api/v2/tables/SAMT01/metadata", f.base));
    assert_eq!(m["version"], "2.0");
    assert_eq!(m["class"], "dataset");
    assert_eq!(m["value"], serde_json::json!([]));
    let ids: Vec<&str> = m["id"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "omraade",
            "tid",
            "ydelse",
            "samtaletype",
            "samtaleform",
            "varighed",
            "maal"
        ]
    );
    let size: Vec<u64> = m["size"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    // 1 country + 5 regions + 98 municipalities; 6 years + 24 quarters + 72 months; 17 ydelse categories (the total, the benefits, the target groups incl. `uoplyst`).
    assert_eq!(size, [104, 102, 17, 4, 5, 6, 3]);
    assert_eq!(m["role"]["geo"][0], "omraade");
    assert_eq!(m["role"]["time"][0], "tid");
    assert_eq!(
        m["dimension"]["omraade"]["category"]["label"]["730"],
        "Randers"
    );
    assert_eq!(m["dimension"]["omraade"]["category"]["index"]["1081"], 1);
    assert!(m["note"][0].as_str().unwrap().contains("under 5"));
}

#[test]
fn json_stat_and_csv_agree_and_mark_suppressed_cells() {
    let f = fixture();
    // Small municipalities by month and benefit: many cells are below the threshold.
    let sel = "valuecodes[omraade]=825,563,741,101&valuecodes[tid]=2023M*&valuecodes[ydelse]=revalidering,dagpenge&valuecodes[samtaleform]=*&valuecodes[maal]=antal,pct";
    let ds = get_json(&format!("{}/api/v2/tables/SAMT01/data?{sel}", f.base));
    let values = ds["value"].as_array().unwrap();
    assert_eq!(values.len(), 4 * 12 * 2 * 5 * 2);
    let status = ds["status"].as_object().expect("some cells are suppressed");
    assert!(!status.is_empty());
    for (i, s) in status {
        assert!(values[i.parse::<usize>().unwrap()].is_null());
        assert!(s == ".." || s == "-");
    }
    assert!(ds["extension"]["status"][".."].as_str().unwrap().len() > 10);
    // Suppressed counts are 1..4 in the twin: never published as 0 or as the number.
    let csv = get(&format!("{}/api/v2/tables/SAMT01/data?{sel}&outputFormat=csv&outputFormatParams=SeparatorSemicolon,DecimalComma,IncludeBom", f.base));
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(csv.body.starts_with('\u{feff}'));
    let mut lines = csv.body.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next().unwrap(),
        "omraade;tid;ydelse;samtaletype;samtaleform;varighed;antal;pct"
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(';').map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), values.len() / 2);
    for (k, r) in rows.iter().enumerate() {
        for m in 0..2 {
            let v = &values[k * 2 + m];
            let cell = &r[6 + m];
            match v.as_f64() {
                Some(x) => assert_eq!(
                    cell.replace(',', ".").parse::<f64>().unwrap(),
                    x,
                    "row {r:?}"
                ),
                None => assert_eq!(
                    cell,
                    ds["status"][(k * 2 + m).to_string()].as_str().unwrap()
                ),
            }
        }
    }
    assert!(rows.iter().any(|r| r[6] == ".."));
}

#[test]
fn errors_are_problem_json_and_big_selections_are_refused_before_running() {
    let f = fixture();
    let r = get(&format!(
        "{}/api/v2/tables/SAMT01/data?valuecodes[omraade]=*&valuecodes[tid]=*&valuecodes[ydelse]=*",
        f.base
    ));
    assert_eq!(r.status, 403);
    assert!(r.content_type.starts_with("application/problem+json"));
    let p: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains(&(104 * 102 * 17 * 3).to_string()) && detail.contains("100000"),
        "{detail}"
    );
    for (url, status) in [
        ("/api/v2/tables/NOPE/data", 404),
        ("/api/v2/tables/SAMT01/data?valuecodes[omraade]=999", 400),
        ("/api/v2/tables/SAMT01/data?valuecodes[farve]=blaa", 400),
        ("/api/v2/tables/SAMT01/data?outputFormat=pdf", 400),
        ("/api/v2/nothing", 404),
    ] {
        let r = get(&format!("{}{url}", f.base));
        assert_eq!(r.status, status, "{url}: {}", r.body);
        assert!(
            r.content_type.starts_with("application/problem+json"),
            "{url}"
        );
    }
}

#[test]
fn time_selections_top_from_range_and_wildcards() {
    let f = fixture();
    let codes = |q: &str| -> Vec<String> {
        let ds = get_json(&format!(
            "{}/api/v2/tables/SAMT01/data?valuecodes[maal]=antal&valuecodes[tid]={q}",
            f.base
        ));
        index_codes(&ds, "tid")
    };
    assert_eq!(codes("TOP(2)"), ["2024M11", "2024M12"]);
    assert_eq!(codes("FROM(2024K3)"), ["2024K3", "2024K4"]);
    assert_eq!(codes("RANGE(2020,2022)"), ["2020", "2021", "2022"]);
    assert_eq!(codes("2021K*"), ["2021K1", "2021K2", "2021K3", "2021K4"]);
    // The yearly value equals the sum of its months (totals consistent with their parts).
    let y = get_json(&format!(
        "{}/api/v2/tables/SAMT01/data?valuecodes[maal]=antal&valuecodes[tid]=2022",
        f.base
    ));
    let m = get_json(&format!(
        "{}/api/v2/tables/SAMT01/data?valuecodes[maal]=antal&valuecodes[tid]=2022M*",
        f.base
    ));
    let sum: u64 = m["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(y["value"][0].as_u64().unwrap(), sum);
}

#[test]
fn post_selection_gives_the_same_data_as_get() {
    let f = fixture();
    let g = get_json(&format!("{}/api/v2/tables/SAMT01/data?valuecodes[omraade]=000,730&valuecodes[tid]=2023K*&valuecodes[maal]=antal", f.base));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let body = r#"{"selection":[{"variableCode":"omraade","valueCodes":["000","730"]},{"variableCode":"tid","valueCodes":["2023K*"]},{"variableCode":"maal","valueCodes":["antal"]}]}"#;
    let mut r = agent
        .post(&format!("{}/api/v2/tables/SAMT01/data", f.base))
        .header("content-type", "application/json")
        .send(body)
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let p: serde_json::Value =
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(p["value"], g["value"]);
    assert_eq!(p["value"].as_array().unwrap().len(), 8);
    let mut bad = agent
        .post(&format!("{}/api/v2/tables/SAMT01/data", f.base))
        .send("not json")
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    assert!(bad
        .body_mut()
        .read_to_string()
        .unwrap()
        .contains("not a PxWeb selection"));
}

#[test]
fn samt02_marks_periods_that_cannot_yet_be_followed() {
    let f = fixture();
    // The data ends 2024-12-31. October's spells can be followed 6 weeks (to 11 December) but
    // not 13; December's neither. Such values are '.', never 0 or a low share.
    let ds = get_json(&format!(
        "{}/api/v2/tables/SAMT02/data?valuecodes[tid]=2024M09,2024M10,2024M12&valuecodes[maal]=startet,pct6,pct13",
        f.base
    ));
    let v = ds["value"].as_array().unwrap();
    let st = &ds["status"];
    // September: everything available.
    assert!(
        v[0].as_u64().unwrap() > 0 && v[1].as_f64().is_some() && v[2].as_f64().is_some(),
        "{ds}"
    );
    // October: pct6 available, pct13 not yet.
    assert!(
        v[3].as_u64().unwrap() > 0 && v[4].as_f64().is_some(),
        "{ds}"
    );
    assert!(v[5].is_null() && st["5"] == ".", "{ds}");
    // December: spells started are known; both shares not yet available.
    assert!(v[6].as_u64().unwrap() > 0);
    assert!(
        v[7].is_null() && st["7"] == "." && v[8].is_null() && st["8"] == ".",
        "{ds}"
    );
    // A year that ends at the data's end is not yet available either.
    let y = get_json(&format!(
        "{}/api/v2/tables/SAMT02/data?valuecodes[tid]=2023,2024&valuecodes[maal]=pct13",
        f.base
    ));
    assert!(y["value"][0].as_f64().unwrap() > 50.0);
    assert!(y["value"][1].is_null() && y["status"]["1"] == ".");
    let csv = get(&format!("{}/api/v2/tables/SAMT02/data?valuecodes[tid]=2024M12&valuecodes[maal]=pct6&outputFormat=csv", f.base));
    assert!(
        csv.body.lines().nth(1).unwrap().ends_with(",."),
        "{}",
        csv.body
    );
}

#[test]
fn samt03_is_not_available_before_13_weeks_of_data() {
    let f = fixture();
    // Data start 2019-01-01: on 2019-02-28 the 13 weeks before reach back into 2018.
    let ds = get_json(&format!(
        "{}/api/v2/tables/SAMT03/data?valuecodes[tid]=2019M02,2019M04,2023&valuecodes[maal]=personer,pct",
        f.base
    ));
    // Values come in the table's order of codes (years before months).
    let idx = &ds["dimension"]["tid"]["category"]["index"];
    let at = |code: &str, m: usize| idx[code].as_u64().unwrap() as usize * 2 + m;
    let v = ds["value"].as_array().unwrap();
    assert!(v[at("2019M02", 0)].is_null() && ds["status"][at("2019M02", 0).to_string()] == ".");
    assert!(v[at("2019M02", 1)].is_null());
    assert!(
        v[at("2019M04", 0)].as_u64().unwrap() > 0 && v[at("2019M04", 1)].as_f64().is_some(),
        "{ds}"
    );
    let pct = v[at("2023", 1)].as_f64().unwrap();
    assert!(pct > 20.0 && pct < 100.0, "{ds}");
}

#[test]
fn xlsx_has_the_numbers_and_notes_on_suppressed_cells() {
    let f = fixture();
    let sel = "valuecodes[omraade]=825,563,741,101&valuecodes[tid]=2023M0*&valuecodes[ydelse]=dagpenge&valuecodes[samtaleform]=*&valuecodes[maal]=antal";
    let ds = get_json(&format!("{}/api/v2/tables/SAMT01/data?{sel}", f.base));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .get(&format!(
            "{}/api/v2/tables/SAMT01/data?{sel}&outputFormat=xlsx",
            f.base
        ))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let bytes = r.body_mut().read_to_vec().unwrap();
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("t.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    // Read the workbook with Python's zipfile: the sheet's numbers, and a note per hidden value.
    let script = format!(
        "import zipfile,re,json; z=zipfile.ZipFile('{}'); s=z.read('xl/worksheets/sheet1.xml').decode(); \
         nums=[float(v) for v in re.findall(r'<c r=.[A-Z]+[0-9]+.><v>([^<]*)</v>', s)]; \\
         notes=[n for n in z.namelist() if 'comments' in n]; c=z.read(notes[0]).decode() if notes else ''; \
         print(json.dumps({{'nums': nums, 'notes': c.count('..')}}))",
        path.display()
    );
    let out = std::process::Command::new(python())
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let values: Vec<f64> = ds["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    let nums: Vec<f64> = got["nums"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(
        nums, values,
        "the sheet's numbers are the JSON-stat values in order"
    );
    let hidden = ds["status"]
        .as_object()
        .map(|s| s.values().filter(|v| *v == "..").count())
        .unwrap_or(0);
    assert!(hidden > 0);
    assert_eq!(got["notes"].as_u64().unwrap() as usize, hidden);
}
