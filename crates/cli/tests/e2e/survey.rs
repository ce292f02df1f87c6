//! The citizen survey (SURV01, seeds 001 and 002): the generated survey through the API against
//! the published figures; a small weighted survey against an independent computation in Python
//! (CSV and Parquet respondent files give the same table); a corpus of bad answers and a bad
//! definition through `ingest`.

use std::path::Path;

use super::common::*;

/// The published national figures of seed 001 (question, answer or grouping, per cent).
const PUBLISHED: [(&str, &str, f64); 23] = [
    ("interesse", "meget_interesseret", 66.0),
    ("interesse", "interesseret", 92.0),
    ("interesse", "imod", 3.0),
    ("tilfredshed", "tilfreds", 81.0),
    ("tilfredshed", "utilfreds", 5.0),
    ("kontakter", "2-3", 56.0),
    ("kontakter", "4+", 14.0),
    ("initiativ", "jobcenter", 56.0),
    ("initiativ", "borger", 15.0),
    ("initiativ", "begge", 28.0),
    ("opsoegende", "positiv", 83.0),
    ("opsoegende", "negativ", 3.0),
    ("vigtigst", "enig", 66.0),
    ("personlig", "enig", 64.0),
    ("hjaelpsom", "enig", 61.0),
    ("kontaktform", "telefon", 97.0),
    ("kontaktform", "video", 2.0),
    ("form_passede_telefon", "godt", 90.0),
    ("form_passede_video", "godt", 79.0),
    ("fordele", "transport", 68.0),
    ("fordele", "planlaegning", 59.0),
    ("ulemper", "upersonlig", 62.0),
    ("ulemper", "svaert", 33.0),
];

/// One cell's (pct, ci_lo, ci_hi) from the API, `None` where not a number.
fn figure(base: &str, q: &str, svar: &str, ydelse: &str, area: &str) -> Option<(f64, f64, f64)> {
    let ds = get_json(&format!(
        "{base}/api/v2/tables/SURV01/data?lang=en&valuecodes[spoergsmaal]={q}&valuecodes[svar]={}&valuecodes[ydelse]={ydelse}&valuecodes[omraade]={area}&valuecodes[maal]=pct,ci_lo,ci_hi",
        svar.replace('+', "%2B")
    ));
    let v: Vec<Option<f64>> = ds["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64())
        .collect();
    Some((v[0]?, v[1]?, v[2]?))
}

/// One cell's respondent count `n` (those asked who answered) from the API.
fn base_n(base: &str, q: &str, ydelse: &str) -> f64 {
    let ds = get_json(&format!(
        "{base}/api/v2/tables/SURV01/data?lang=en&valuecodes[spoergsmaal]={q}&valuecodes[ydelse]={ydelse}&valuecodes[omraade]=000&valuecodes[maal]=n"
    ));
    ds["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x.as_f64())
        .fold(0.0, f64::max)
}

#[test]
fn the_generated_survey_gives_every_published_figure_within_its_interval() {
    let f = fixture();
    let mut outside = Vec::new();
    for (q, svar, published) in PUBLISHED {
        let (pct, lo, hi) = figure(&f.base, q, svar, "tot", "000")
            .unwrap_or_else(|| panic!("{q}/{svar} is not published"));
        assert!(
            lo <= pct && pct <= hi,
            "{q}/{svar}: {pct} not in [{lo}, {hi}]"
        );
        if !(lo <= published && published <= hi) {
            outside.push(format!("{q}/{svar}: {published} % not in [{lo}, {hi}]"));
        }
    }
    assert!(outside.is_empty(), "outside their interval: {outside:?}");
    // Seed 001: satisfaction is highest for sygedagpenge and lowest for uddannelseshjælp.
    let groups = [
        "dagpenge",
        "kontanthjaelp",
        "sygedagpenge",
        "uddannelseshjaelp",
    ];
    let tilfreds: Vec<f64> = groups
        .iter()
        .map(|g| {
            figure(&f.base, "tilfredshed", "tilfreds", g, "000")
                .unwrap()
                .0
        })
        .collect();
    let max = tilfreds.iter().cloned().fold(f64::MIN, f64::max);
    let min = tilfreds.iter().cloned().fold(f64::MAX, f64::min);
    assert_eq!(tilfreds[2], max, "{groups:?}: {tilfreds:?}");
    assert_eq!(tilfreds[3], min, "{groups:?}: {tilfreds:?}");
    // Seed 001: two thirds of those who had a video conversation were on sygedagpenge. Each
    // group's video users are estimated as its share times its base.
    let video: Vec<f64> = groups
        .iter()
        .map(|g| {
            figure(&f.base, "kontaktform", "video", g, "000").map_or(0.0, |x| x.0) / 100.0
                * base_n(&f.base, "kontaktform", g)
        })
        .collect();
    let on_sygedagpenge = video[2] / video.iter().sum::<f64>();
    assert!(
        (0.6..=0.73).contains(&on_sygedagpenge),
        "video users on sygedagpenge: {on_sygedagpenge:.3} of {video:?}"
    );
    // Each question's answers are a valueset of `svar`: listed in the metadata, served under
    // /codelists, and a selection by it gives that question's answers only, every one a number.
    let meta = get_json(&format!("{}/api/v2/tables/SURV01/metadata?lang=en", f.base));
    let lists: Vec<&str> = meta["dimension"]["svar"]["extension"]["codelists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(lists.contains(&"vs_svar_interesse"), "{lists:?}");
    assert!(lists.contains(&"vs_svar_ulemper"), "{lists:?}");
    let cl = get_json(&format!(
        "{}/api/v2/codelists/vs_svar_interesse?lang=en",
        f.base
    ));
    let codes: Vec<&str> = cl["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    for want in ["meget_interesseret", "interesseret", "imod"] {
        assert!(codes.contains(&want), "{want} not in {codes:?}");
    }
    assert!(
        !codes.contains(&"ja") && !codes.contains(&"upersonlig"),
        "{codes:?}"
    );
    let ds = get_json(&format!(
        "{}/api/v2/tables/SURV01/data?lang=en&valuecodes[spoergsmaal]=interesse&codelist[svar]=vs_svar_interesse&valuecodes[ydelse]=tot&valuecodes[omraade]=000&valuecodes[maal]=pct",
        f.base
    ));
    let pct: Vec<Option<f64>> = ds["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64())
        .collect();
    assert_eq!(pct.len(), codes.len(), "{codes:?}: {pct:?}");
    assert!(pct.iter().all(|x| x.is_some()), "{codes:?}: {pct:?}");
    // The survey page shows the question, its base and its bars, in both languages.
    let page = get(&format!(
        "{}/undersoegelse?lang=en&spoergsmaal=interesse",
        f.base
    ));
    assert_eq!(page.status, 200);
    let n = base_n(&f.base, "interesse", "tot") as u64;
    let n = if n >= 1000 {
        format!("{},{:03}", n / 1000, n % 1000)
    } else {
        n.to_string()
    };
    let base_line = format!(
        "Base ({n} respondents): asked of those who answered “Yes” to “Did you have further contact with the jobcentre during the lockdown?”"
    );
    for want in [
        base_line.as_str(),
        "Very interested",
        "<svg",
        "outputFormat=csv",
        r#"href="/undersoegelse?lang=da&amp;spoergsmaal=interesse""#,
        r#"<option value="interesse" selected>2. Would you like more of your"#,
    ] {
        assert!(page.body.contains(want), "{want}");
    }
    // The table page of SURV01 (no time dimension): no periods to choose, a row per area with
    // the API's figures, and the survey named as the source.
    let (pct, lo, _) = figure(&f.base, "interesse", "meget_interesseret", "tot", "000").unwrap();
    let generic = get(&format!(
        "{}/tabel/SURV01?lang=en&omraade=000&spoergsmaal=interesse&svar=meget_interesseret&ydelse=tot",
        f.base
    ));
    assert_eq!(generic.status, 200);
    for want in [
        format!("<th scope=\"row\">All of Denmark</th><td>{pct:.1}</td><td>{lo:.1}</td>"),
        "citizen survey".to_string(),
    ] {
        assert!(generic.body.contains(&want), "{want}");
    }
    assert!(!generic.body.contains("name=\"periode\""));
    assert!(meta["source"].as_str().unwrap().contains("citizen survey"));
    let da = get(&format!("{}/undersoegelse", f.base));
    assert!(da.body.contains("Grundlag"));
    assert!(get(&format!("{}/", f.base))
        .body
        .contains("/undersoegelse?lang=da"));
}

const QUESTIONNAIRE: &str = r#"
[[spoergsmaal]]
kode = "kontakt"
tekst = { da = "Kontakt?", en = "Contact?" }
svar = [
  { kode = "ja", tekst = { da = "Ja", en = "Yes" } },
  { kode = "nej", tekst = { da = "Nej", en = "No" } },
]

[[spoergsmaal]]
kode = "interesse"
tekst = { da = "Interesse?", en = "Interest?" }
filter = { spoergsmaal = "kontakt", svar = ["ja"] }
svar = [
  { kode = "meget", tekst = { da = "Meget", en = "Very" } },
  { kode = "noget", tekst = { da = "Noget", en = "Rather" } },
  { kode = "imod", tekst = { da = "Imod", en = "Against" } },
]
gruppe = [
  { kode = "interesseret", tekst = { da = "Interesseret", en = "Interested" }, svar = ["meget", "noget"] },
]

[[spoergsmaal]]
kode = "kanaler"
tekst = { da = "Kanaler?", en = "Channels?" }
flere = true
svar = [
  { kode = "telefon", tekst = { da = "Telefon", en = "Phone" } },
  { kode = "video", tekst = { da = "Video", en = "Video" } },
  { kode = "andet", tekst = { da = "Andet", en = "Other" } },
]
"#;

/// 16 respondents, weighted, in two municipalities and three benefit groups.
const RESPONDENTS: &str = "respondent_id,kommune,ydelse,vaegt,kontakt,interesse,kanaler
r01,101,dagpenge,1.0,ja,meget,telefon
r02,101,dagpenge,2.0,ja,noget,telefon|video
r03,101,dagpenge,0.5,nej,,telefon
r04,101,sygedagpenge,1.5,ja,imod,video
r05,101,sygedagpenge,1.0,ja,meget,
r06,101,kontanthjaelp_jobparat,0.8,ja,meget,telefon|andet
r07,147,dagpenge,1.2,ja,noget,telefon
r08,147,dagpenge,1.0,nej,,andet
r09,147,kontanthjaelp_aktivitetsparat,2.5,ja,meget,telefon
r10,147,kontanthjaelp_jobparat,1.0,ja,,telefon
r11,147,sygedagpenge,0.7,ja,noget,telefon|video|andet
r12,147,sygedagpenge,1.3,,,telefon
r13,101,dagpenge,1.0,ja,meget,telefon
r14,147,dagpenge,0.9,ja,imod,video
r15,101,kontanthjaelp_jobparat,1.1,nej,,
r16,147,dagpenge,1.0,ja,noget,telefon
";

/// The independent computation: the same table in plain Python (csv, math), written from the
/// definitions of docs/survey.md, not from the engine.
const PYTHON: &str = r#"
import csv, json, math, sys
QS = [("kontakt", False, None, ["ja", "nej"], {}),
      ("interesse", False, ("kontakt", ["ja"]), ["meget", "noget", "imod"], {"interesseret": ["meget", "noget"]}),
      ("kanaler", True, None, ["telefon", "video", "andet"], {})]
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
threshold = int(sys.argv[2])
def group(y):
    return y.split("_")[0] if y.startswith(("kontanthjaelp", "uddannelseshjaelp")) else y
Z = 1.959963984540054
out = []
for code, multi, flt, answers, groupings in QS:
    cats = [(a, [a]) for a in answers] + list(groupings.items())
    for y in ["tot", "dagpenge", "kontanthjaelp", "sygedagpenge"]:
        for k in ["000", "101", "147"]:
            base = [r for r in rows if r[code] != ""
                    and (y == "tot" or group(r["ydelse"]) == y)
                    and (k == "000" or r["kommune"] == k)]
            w = [float(r["vaegt"]) for r in base]
            sw, sw2 = sum(w), sum(x * x for x in w)
            for svar, members in cats:
                n = len(base)
                if n == 0 or n < threshold:
                    out.append([code, svar, y, k, None if n else 0, None, None, None])
                    continue
                chosen = sum(float(r["vaegt"]) for r in base if set(r[code].split("|")) & set(members))
                p = chosen / sw
                ne = sw * sw / sw2
                c = (p + Z * Z / (2 * ne)) / (1 + Z * Z / ne)
                h = Z / (1 + Z * Z / ne) * math.sqrt(p * (1 - p) / ne + Z * Z / (4 * ne * ne))
                out.append([code, svar, y, k, n, 100 * p, 100 * max(0, c - h), 100 * min(1, c + h)])
print(json.dumps(out))
"#;

/// A store and release of the register fixture's extracts plus these survey files.
fn build_with(dir: &Path, survey: &[(&str, &[u8])], threshold: &str) -> String {
    let f = fixture();
    let raw = dir.join("raw");
    std::fs::create_dir_all(&raw).unwrap();
    for name in ["samtaler.csv", "forloeb.csv"] {
        std::fs::copy(f.raw.join(name), raw.join(name)).unwrap();
    }
    for (name, bytes) in survey {
        std::fs::write(raw.join(name), bytes).unwrap();
    }
    let store = dir.join("store");
    let out = ok(&[
        "ingest",
        raw.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "--quiet",
    ]);
    let csv = build_and_query(
        dir,
        threshold,
        &[
            "spoergsmaal=*",
            "svar=*",
            "ydelse=*",
            "omraade=*",
            "maal=pct,ci_lo,ci_hi,n",
        ],
    );
    assert!(out.contains("undersoegelse"), "{out}");
    csv
}

/// Build a release of `dir/store` into `dir/releases` (primary suppression at `threshold`) and
/// query SURV01 as English CSV.
fn build_and_query(dir: &Path, threshold: &str, selection: &[&str]) -> String {
    let (store, releases) = (dir.join("store"), dir.join("releases"));
    ok(&[
        "build",
        "--no-bulk",
        "--store",
        store.to_str().unwrap(),
        "--releases",
        releases.to_str().unwrap(),
        "--protection",
        "primary",
        "--threshold",
        threshold,
    ]);
    let mut args = vec![
        "query",
        "--releases",
        releases.to_str().unwrap(),
        "--lang",
        "en",
        "--format",
        "csv",
        "SURV01",
    ];
    args.extend_from_slice(selection);
    ok(&args)
}

#[test]
fn a_weighted_survey_equals_an_independent_computation_from_csv_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let csv_dir = dir.path().join("csv");
    let table = build_with(
        &csv_dir,
        &[
            ("undersoegelse.toml", QUESTIONNAIRE.as_bytes()),
            ("undersoegelse.csv", RESPONDENTS.as_bytes()),
        ],
        "3",
    );
    let py = std::process::Command::new(python())
        .args(["-c", PYTHON])
        .arg(csv_dir.join("raw/undersoegelse.csv"))
        .arg("3")
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let expected: Vec<serde_json::Value> = serde_json::from_slice(&py.stdout).unwrap();
    // The published cells, by (question, answer, benefit, area).
    let mut got = std::collections::HashMap::new();
    let mut lines = table.lines().skip_while(|l| !l.starts_with("spoergsmaal,"));
    let header: Vec<&str> = lines.next().expect("a CSV header").split(',').collect();
    assert_eq!(
        header,
        [
            "spoergsmaal",
            "svar",
            "ydelse",
            "omraade",
            "pct",
            "ci_lo",
            "ci_hi",
            "n"
        ]
    );
    for l in lines {
        let c: Vec<&str> = l.split(',').collect();
        if c.len() == 8 {
            got.insert((c[0], c[1], c[2], c[3]), c[4..].to_vec());
        }
    }
    // 9 answers and groupings × 4 benefit groups (with all) × 3 areas (with the country).
    assert_eq!(expected.len(), 9 * 4 * 3);
    for e in &expected {
        let e = e.as_array().unwrap();
        let key = (
            e[0].as_str().unwrap(),
            e[1].as_str().unwrap(),
            e[2].as_str().unwrap(),
            e[3].as_str().unwrap(),
        );
        let g = got.get(&key).unwrap_or_else(|| panic!("{key:?} missing"));
        match e[4].as_u64() {
            None => assert_eq!(g, &["..", "..", "..", ".."], "{key:?}"),
            Some(0) => assert_eq!(&g[..3], &["-", "-", "-"], "{key:?}"),
            Some(n) => {
                assert_eq!(g[3], n.to_string(), "{key:?}: n");
                for (i, want) in e[5..8].iter().enumerate() {
                    let want = want.as_f64().unwrap();
                    let have: f64 = g[i].parse().unwrap();
                    assert!(
                        (have - want).abs() <= 0.051,
                        "{key:?}[{i}]: {have} vs {want}"
                    );
                }
            }
        }
    }
    // By hand: interesse is asked of the 12 who answered kontakt = ja, of whom 11 answered;
    // kanaler (multi) of the 14 who answered it; an answer of another question is '-'.
    assert_eq!(got[&("interesse", "meget", "tot", "000")][3], "11");
    assert_eq!(got[&("kanaler", "video", "tot", "000")][3], "14");
    assert_eq!(
        got[&("kontakt", "meget", "tot", "000")],
        ["-", "-", "-", "-"]
    );
    // Σw of interesse's base = 13.6; meget: 1 + 1 + 0.8 + 2.5 + 1 = 6.3 → 46.3 %.
    assert_eq!(got[&("interesse", "meget", "tot", "000")][0], "46.3");

    // The same respondents as Parquet give the same table.
    let pq_dir = dir.path().join("parquet");
    std::fs::create_dir_all(&pq_dir).unwrap();
    let pq = pq_dir.join("undersoegelse.parquet");
    let conv = std::process::Command::new(python())
        .args([
            "-c",
            "import duckdb,sys; duckdb.sql(f\"COPY (SELECT * FROM read_csv('{sys.argv[1]}', all_varchar=true)) TO '{sys.argv[2]}' (FORMAT parquet)\")",
        ])
        .arg(csv_dir.join("raw/undersoegelse.csv"))
        .arg(&pq)
        .output()
        .unwrap();
    assert!(
        conv.status.success(),
        "{}",
        String::from_utf8_lossy(&conv.stderr)
    );
    let bytes = std::fs::read(&pq).unwrap();
    let table2 = build_with(
        &pq_dir,
        &[
            ("undersoegelse.toml", QUESTIONNAIRE.as_bytes()),
            ("undersoegelse_svar.parquet", &bytes),
        ],
        "3",
    );
    let body = |t: &str| {
        t.lines()
            .skip_while(|l| !l.starts_with("spoergsmaal,"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(body(&table), body(&table2));

    // Delivered again, the same files add nothing. A respondent delivered again with other
    // answers is a conflict (the stored row is kept); an unchanged one is already stored; a new
    // one is added, checked against the stored questionnaire.
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let (raw, store) = (csv_dir.join("raw"), csv_dir.join("store"));
    let again = ok(&["ingest", &s(&raw), "--store", &s(&store)]);
    for want in [
        "undersoegelse.toml (spoergeskema): already ingested, nothing added",
        "undersoegelse.csv (undersoegelse): already ingested, nothing added",
    ] {
        assert!(again.contains(want), "{want}:\n{again}");
    }
    let more = csv_dir.join("more");
    std::fs::create_dir_all(&more).unwrap();
    std::fs::write(
        more.join("undersoegelse_2.csv"),
        "respondent_id,kommune,ydelse,vaegt,kontakt,interesse,kanaler
r01,101,dagpenge,1.0,ja,noget,telefon
r02,101,dagpenge,2.0,ja,noget,telefon|video
r17,101,dagpenge,1.0,ja,meget,telefon
",
    )
    .unwrap();
    let added = ok(&["ingest", &s(&more), "--store", &s(&store)]);
    assert!(
        added.contains("3 rows read, 1 accepted, 1 already stored, 1 rejected"),
        "{added}"
    );
    assert!(added.contains("conflict"), "{added}");
    let csv = build_and_query(
        &csv_dir,
        "3",
        &[
            "spoergsmaal=interesse",
            "svar=meget",
            "ydelse=tot",
            "omraade=000",
            "maal=pct,n",
        ],
    );
    // r01 keeps meget and r17 adds one: Σw of the base 13.6 + 1 = 14.6, meget 6.3 + 1 = 7.3
    // → 50.0 % of 12.
    assert!(csv.lines().any(|l| l.ends_with(",50.0,12")), "{csv}");
}

#[test]
fn bad_answers_are_rejected_with_file_line_and_column_and_good_rows_kept() {
    let dir = tempfile::tempdir().unwrap();
    let bad = format!(
        "{RESPONDENTS}x1,101,dagpenge,1.0,ja,maaske,telefon
x2,101,dagpenge,1.0,nej,meget,telefon
x3,101,dagpenge,0,ja,meget,telefon
x4,999,dagpenge,1.0,ja,meget,telefon
x5,101,dagpenge,1.0,ja|nej,,telefon
x6,101,dagpenge,1.0,ja,meget,telefon|fax
0101901234,101,pension,1.0,ja,meget,telefon
x7,101,dagpenge
x8,101,dagpenge,1.0,ja,meget,telefon,fax
"
    );
    let table = build_with(
        dir.path(),
        &[
            ("undersoegelse.toml", QUESTIONNAIRE.as_bytes()),
            ("undersoegelse.csv", bad.as_bytes()),
        ],
        "3",
    );
    // Every good row is kept: kanaler was answered by 14 of the 16 good respondents.
    assert!(table.contains("kanaler,telefon,tot,000,"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("kanaler,telefon,tot,000,") && l.ends_with(",14")),
        "{table}"
    );
    let rejects_dir = dir.path().join("store/_rejects");
    let file = std::fs::read_dir(&rejects_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let rejects = std::fs::read_to_string(file).unwrap();
    for (line, column, reason) in [
        (18, "interesse", "'maaske' is not an answer"),
        (
            19,
            "interesse",
            "asked only of those answering kontakt = ja",
        ),
        (20, "vaegt", "not a positive weight"),
        (21, "kommune", "'999' is not a municipality code"),
        (22, "kontakt", "one answer only"),
        (23, "kanaler", "'fax' is not an answer"),
        (24, "ydelse", "'pension' is not a benefit code"),
        (25, "", "wrong number of columns: expected 7, found 3"),
        (26, "", "wrong number of columns: expected 7, found 8"),
    ] {
        assert!(
            rejects.lines().any(
                |l| l.starts_with(&format!("undersoegelse.csv,{line},{column},"))
                    && l.contains(reason)
            ),
            "line {line} {column} {reason}:\n{rejects}"
        );
    }
    // A CPR-like respondent id never reaches disk.
    assert!(!rejects.contains("0101901234"), "{rejects}");
    assert!(!rejects.contains("010190-1234"), "{rejects}");
    for e in walk(&dir.path().join("store")) {
        let bytes = std::fs::read(&e).unwrap();
        assert!(
            !bytes.windows(10).any(|w| w == b"0101901234"),
            "{}",
            e.display()
        );
    }

    // A bad definition stops the ingest and names the file, line and key; nothing is stored.
    let bad_def = dir.path().join("bad");
    std::fs::create_dir_all(&bad_def).unwrap();
    std::fs::write(
        bad_def.join("undersoegelse.toml"),
        QUESTIONNAIRE.replace(
            "svar = [\"meget\", \"noget\"]",
            "svar = [\"meget\", \"lidt\"]",
        ),
    )
    .unwrap();
    std::fs::write(bad_def.join("undersoegelse.csv"), RESPONDENTS).unwrap();
    let store = dir.path().join("store2");
    let out = run(&[
        "ingest",
        bad_def.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("undersoegelse.toml:20:"), "{err}");
    assert!(err.contains("lidt"), "{err}");
    assert!(!store.join("undersoegelse").exists());
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// SURV01's SQL twin (sql/SURV01.sql) on DuckDB: every share, interval and base the fixture's
/// release publishes equals the twin's (within 1e-9 per cent, n exactly).
#[test]
fn every_published_survey_cell_equals_the_sql_twin_on_duckdb() {
    let f = super::common::fixture();
    let r = super::common::oracle(&[
        "survey",
        "--store",
        f.store.to_str().unwrap(),
        "--release",
        f.release.to_str().unwrap(),
    ]);
    assert_eq!(r["mismatches"], 0, "{r}");
    assert!(r["compared"].as_u64().unwrap() > 1_000, "{r}");
    assert!(r["twin_rows"].as_u64() >= r["compared"].as_u64(), "{r}");
}
