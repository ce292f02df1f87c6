//! Bad input: every problem lands in the rejects file with file, line, column and reason, and
//! never stops the good rows. Hand-made fixtures, one per kind of problem.

use std::path::{Path, PathBuf};

use samtalebank_ingest::{run, Options, Summary};
use samtalebank_store::Store;

const HEADER: &str = "samtale_id,cpr,dato,kommune,ydelse,maalgruppe,samtaletype,samtaleform";
const SPELLS: &str = "forloeb_id,cpr,kommune,ydelse,maalgruppe,start,slut\nF1,010190-1234,101,dagpenge,,2023-01-01,\n";

struct Case {
    _dir: tempfile::TempDir,
    input: PathBuf,
    store: PathBuf,
}

fn case() -> Case {
    std::env::set_var("SAMTALEBANK_KEY", "fixture-key-0123456789");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    Case {
        input,
        store: dir.path().join("store"),
        _dir: dir,
    }
}

fn ingest(c: &Case) -> Summary {
    run(&Options {
        store: c.store.clone(),
        inputs: vec![c.input.clone()],
        strict: false,
        quiet: true,
    })
    .unwrap()
}

/// Rows of the rejects file: (file, line, column, reason, row).
fn rejects(s: &Summary) -> Vec<[String; 5]> {
    let Some(p) = &s.rejects_file else {
        return Vec::new();
    };
    let mut r = csv::Reader::from_path(p).unwrap();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            [0, 1, 2, 3, 4].map(|i| x[i].to_string())
        })
        .collect()
}

fn stored(store: &Path) -> usize {
    Store::open(store).unwrap().read_samtaler().unwrap().len()
}

#[test]
fn wrong_column_count_bad_dates_and_unknown_codes_are_rejected_by_line() {
    let c = case();
    let text = format!(
        "{HEADER}\n\
         S1,010190-1234,2023-03-01,101,dagpenge,,jobsamtale,telefon\n\
         S2,010190-1234,2023-02-30,101,dagpenge,,jobsamtale,telefon\n\
         S3,010190-1234,2023-03-02,101,dagpenge,jobsamtale,telefon\n\
         S4,010190-1234,2023-03-03,999,dagpenge,,jobsamtale,telefon\n\
         S5,010190-1234,2023-03-04,101,pension,,jobsamtale,brevdue\n\
         S6,010190-1234,2023-03-05,101,kontanthjaelp,,jobsamtale,fysisk\n\
         S7,0101901234,05.03.2023,101,Kontanthjælp,jobparat,Jobsamtale,Telefonisk\n\
         S8,321390-1234,2023-03-06,101,dagpenge,,jobsamtale,video\n"
    );
    std::fs::write(c.input.join("samtaler.csv"), text).unwrap();
    std::fs::write(c.input.join("forloeb.csv"), SPELLS).unwrap();
    let s = ingest(&c);
    let r = rejects(&s);
    let find = |line: &str, col: &str| {
        r.iter()
            .find(|x| x[1] == line && x[2] == col)
            .unwrap_or_else(|| panic!("no reject at line {line}, column {col}: {r:?}"))
    };
    assert!(find("3", "dato")[3].contains("2023-02-30"));
    assert!(find("4", "")[3].contains("wrong number of columns: expected 8, found 7"));
    assert!(find("5", "kommune")[3].contains("unknown kommune '999'"));
    assert!(find("6", "ydelse")[3].contains("unknown ydelse 'pension'"));
    assert!(find("6", "samtaleform")[3].contains("unknown samtaleform 'brevdue'"));
    // Kontanthjælp without a target group is a valid row: it counts under `uoplyst`.
    assert!(!r.iter().any(|x| x[1] == "7"), "{r:?}");
    assert!(find("9", "cpr")[3].contains("not a CPR number"));
    assert!(r.iter().all(|x| x[0] == "samtaler.csv"));
    // The rejected row is kept for the user, with the CPR number masked.
    assert!(find("5", "kommune")[4].contains("XXXXXX-XXXX"));
    assert!(!r.iter().any(|x| x.iter().any(|f| f.contains("010190"))));
    let samtaler = s.files.iter().find(|f| f.table == "samtaler").unwrap();
    assert_eq!(
        (samtaler.rows_read, samtaler.accepted, samtaler.rejected),
        (8, 3, 5)
    );
    assert_eq!(stored(&c.store), 3, "good rows S1, S6 and S7 are kept");
    let cols = Store::open(&c.store).unwrap().read_samtaler().unwrap();
    let leaves: Vec<&str> = cols
        .ydelse
        .iter()
        .map(|&l| {
            samtalebank_model::vocab().ydelser.leaves[l as usize]
                .code
                .as_str()
        })
        .collect();
    assert!(leaves.contains(&"kontanthjaelp_uoplyst"), "{leaves:?}");
    assert!(leaves.contains(&"kontanthjaelp_jobparat"), "{leaves:?}");
    assert!(s.usable());
}

#[test]
fn cp1252_semicolon_and_bom_files_are_read() {
    let c = case();
    // Windows-1252: 'Telefonisk' is fine in any encoding; 'Fysisk fremmøde' needs ø = 0xF8.
    let mut cp =
        b"samtale_id;cpr;dato;kommune;ydelse;maalgruppe;samtaletype;samtaleform\r\n".to_vec();
    cp.extend_from_slice(
        b"A1;010190-1234;2023-03-01;101;dagpenge;;jobsamtale;Fysisk fremm\xf8de\r\n",
    );
    cp.extend_from_slice(
        b"A2;010190-1234;01-03-2023;101;Sygedagpenge;;opf\xf8lgningssamtale;Telefonisk\r\n",
    );
    std::fs::write(c.input.join("samtaler_cp1252.csv"), cp).unwrap();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(
        format!("{HEADER}\nB1,010190-1234,2023-03-02,København,dagpenge,,fællessamtale,video\n")
            .as_bytes(),
    );
    std::fs::write(c.input.join("samtaler_bom.csv"), bom).unwrap();
    std::fs::write(c.input.join("forloeb.csv"), SPELLS).unwrap();
    let s = ingest(&c);
    assert_eq!(s.rejected(), 0, "{:?}", rejects(&s));
    assert_eq!(stored(&c.store), 3);
    let cols = Store::open(&c.store).unwrap().read_samtaler().unwrap();
    let v = samtalebank_model::vocab();
    let forms: Vec<&str> = cols
        .samtaleform
        .iter()
        .map(|&f| v.samtaleformer.code(f))
        .collect();
    assert!(forms.contains(&"fysisk") && forms.contains(&"telefon") && forms.contains(&"video"));
}

#[test]
fn an_empty_file_is_reported_and_other_files_still_count() {
    let c = case();
    std::fs::write(c.input.join("samtaler_tom.csv"), "").unwrap();
    std::fs::write(
        c.input.join("samtaler_ok.csv"),
        format!("{HEADER}\nS1,010190-1234,2023-03-01,101,dagpenge,,jobsamtale,telefon\n"),
    )
    .unwrap();
    std::fs::write(c.input.join("forloeb.csv"), SPELLS).unwrap();
    let s = ingest(&c);
    let r = rejects(&s);
    assert!(
        r.iter()
            .any(|x| x[0] == "samtaler_tom.csv" && x[1] == "0" && x[3].contains("empty file")),
        "{r:?}"
    );
    assert_eq!(stored(&c.store), 1);

    // Only an empty file: nothing usable.
    let c2 = case();
    std::fs::write(c2.input.join("samtaler.csv"), "").unwrap();
    assert!(!ingest(&c2).usable());
}

#[test]
fn missing_columns_reject_the_file_with_the_header_named() {
    let c = case();
    std::fs::write(
        c.input.join("samtaler.csv"),
        "samtale_id,cpr,dato\nS1,010190-1234,2023-03-01\n",
    )
    .unwrap();
    let s = ingest(&c);
    let r = rejects(&s);
    assert_eq!(r.len(), 1);
    assert!(
        r[0][3].contains("missing column(s) kommune, ydelse, samtaletype, samtaleform"),
        "{r:?}"
    );
}

#[test]
fn duplicate_ids_within_a_file_same_content_is_a_duplicate_other_content_a_conflict() {
    let c = case();
    let text = format!(
        "{HEADER}\n\
         S1,010190-1234,2023-03-01,101,dagpenge,,jobsamtale,telefon\n\
         S1,010190-1234,2023-03-01,101,dagpenge,,jobsamtale,telefon\n\
         S1,010190-1234,2023-03-01,101,dagpenge,,jobsamtale,fysisk\n\
         S2,010190-1234,2023-03-02,101,dagpenge,,jobsamtale,fysisk\n"
    );
    std::fs::write(c.input.join("samtaler.csv"), text).unwrap();
    let s = ingest(&c);
    let f = &s.files[0];
    assert_eq!((f.accepted, f.duplicates, f.rejected), (2, 1, 1));
    let r = rejects(&s);
    assert_eq!(r[0][1], "4");
    assert!(r[0][3].starts_with("conflict: samtale_id 'S1'"), "{r:?}");
    assert_eq!(stored(&c.store), 2);
}

#[test]
fn spells_are_validated_too() {
    let c = case();
    std::fs::write(
        c.input.join("forloeb.csv"),
        "forloeb_id,person_id,kommune,ydelse,maalgruppe,start,slut\n\
         F1,p-1,101,dagpenge,,2023-01-01,\n\
         F2,p-2,101,dagpenge,,2023-05-01,2023-04-01\n\
         F3,p-3,101,uddannelseshjaelp,jobparat,2023-01-01,2023-02-01\n\
         F4,,101,dagpenge,,2023-01-01,\n",
    )
    .unwrap();
    let s = ingest(&c);
    let r = rejects(&s);
    assert!(
        r.iter()
            .any(|x| x[1] == "3" && x[2] == "slut" && x[3].contains("before start")),
        "{r:?}"
    );
    assert!(
        r.iter().any(|x| x[1] == "4"
            && x[2] == "maalgruppe"
            && x[3].contains("does not apply to uddannelseshjaelp")),
        "{r:?}"
    );
    assert!(
        r.iter()
            .any(|x| x[1] == "5" && x[2] == "person_id" && x[3] == "missing value"),
        "{r:?}"
    );
    assert_eq!(
        Store::open(&c.store).unwrap().read_forloeb().unwrap().len(),
        1
    );
}

#[test]
fn parquet_input_is_read_like_csv() {
    use arrow_array::{ArrayRef, Date32Array, Int32Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let c = case();
    let d = |s| samtalebank_model::time::parse_date(s).unwrap();
    let cols: Vec<(&str, ArrayRef)> = vec![
        ("samtale_id", Arc::new(StringArray::from(vec!["P1", "P2"]))),
        ("person_id", Arc::new(StringArray::from(vec!["x", "y"]))),
        (
            "dato",
            Arc::new(Date32Array::from(vec![d("2023-03-01"), d("2023-03-02")])),
        ),
        ("kommune", Arc::new(Int32Array::from(vec![101, 998]))),
        (
            "ydelse",
            Arc::new(StringArray::from(vec!["dagpenge", "dagpenge"])),
        ),
        (
            "samtaletype",
            Arc::new(StringArray::from(vec!["jobsamtale", "jobsamtale"])),
        ),
        (
            "samtaleform",
            Arc::new(StringArray::from(vec!["video", "video"])),
        ),
    ];
    let batch = RecordBatch::try_from_iter(cols).unwrap();
    let f = std::fs::File::create(c.input.join("samtaler.parquet")).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(f, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let s = ingest(&c);
    let r = rejects(&s);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!((r[0][1].as_str(), r[0][2].as_str()), ("2", "kommune"));
    assert_eq!(stored(&c.store), 1);
}
