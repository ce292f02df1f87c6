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
        wait: false,
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

fn try_ingest(c: &Case) -> Result<Summary, String> {
    run(&Options {
        store: c.store.clone(),
        inputs: vec![c.input.clone()],
        strict: false,
        quiet: true,
        wait: false,
    })
    .map_err(|e| e.to_string())
}

#[test]
fn a_symlinked_input_is_refused_and_nothing_of_its_target_reaches_the_store_or_rejects() {
    let c = case();
    let target = c.input.parent().unwrap().join("secret.txt");
    std::fs::write(&target, "root:x:0:0:secret line\n").unwrap();
    std::os::unix::fs::symlink(&target, c.input.join("samtaler.csv")).unwrap();
    let e = try_ingest(&c).unwrap_err();
    assert!(
        e.contains("samtaler.csv") && e.contains("symbolic link"),
        "{e}"
    );
    assert!(!c.store.join("_rejects").exists());
    // Named directly, the same.
    let e = run(&Options {
        store: c.store.clone(),
        inputs: vec![c.input.join("samtaler.csv")],
        strict: false,
        quiet: true,
        wait: false,
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("symbolic link"), "{e}");
}

#[test]
fn rejects_name_the_right_line_in_lf_crlf_and_cr_files_and_the_summary_counts_each_row() {
    for (nl, name) in [("\n", "lf"), ("\r\n", "crlf"), ("\r", "cr")] {
        let c = case();
        let rows = [
            HEADER,
            "S1,010190-1234,2023-03-01,101,dagpenge,,jobsamtale,telefon",
            "S2,010190-1234,2023-02-30,101,dagpenge,,jobsamtale,telefon",
            "S3,010190-1234,2023-03-03,999,dagpenge,,jobsamtale,telefon",
            "",
            "S4,010190-1234,2023-03-04,101,dagpenge,,jobsamtale,brevdue",
            "S5,010190-1234,2023-03-05,101,dagpenge,,jobsamtale,video",
        ];
        std::fs::write(c.input.join("samtaler.csv"), rows.join(nl) + nl).unwrap();
        let s = ingest(&c);
        let r = rejects(&s);
        let lines: Vec<&str> = r.iter().map(|x| x[1].as_str()).collect();
        assert_eq!(lines, vec!["3", "4", "6"], "{name}: {r:?}");
        assert_eq!(s.rejected(), 3, "{name}");
        assert_eq!(s.rejected_by_reason.values().sum::<u64>(), 3, "{name}: {s}");
        assert_eq!(stored(&c.store), 2, "{name}");
    }
}

#[test]
fn a_line_over_the_limit_is_one_reject_with_its_length_and_the_rows_around_it_are_kept() {
    let c = case();
    let long = format!(
        "S2,010190-1234,2023-03-02,101,dagpenge,,jobsamtale,{}",
        "9".repeat(samtalebank_ingest::MAX_RECORD)
    );
    let text = format!(
        "{HEADER}\n\
         S1,010190-1234,2023-03-01,101,dagpenge,,jobsamtale,telefon\n\
         {long}\n\
         S3,010190-1234,2023-03-03,101,dagpenge,,jobsamtale,video\n"
    );
    std::fs::write(c.input.join("samtaler.csv"), text).unwrap();
    let s = ingest(&c);
    let r = rejects(&s);
    assert_eq!(r.len(), 1, "one reject for the long line");
    assert_eq!(r[0][1], "3");
    assert!(r[0][3].starts_with("line too long: "), "{}", r[0][3]);
    // Its length with the line break (1,048,628 bytes).
    let n = long.len() + 1;
    let with_commas = format!("{},{:03},{:03}", n / 1_000_000, n / 1000 % 1000, n % 1000);
    assert!(
        r[0][3].contains(&format!("{with_commas} bytes")),
        "{}",
        r[0][3]
    );
    assert!(
        r[0][3].contains("the limit of 1,048,576 bytes"),
        "{}",
        r[0][3]
    );
    // CPR numbers in what is shown of it are masked too.
    assert!(
        r[0][4].starts_with("S2,XXXXXX-XXXX,2023-03-02"),
        "{}",
        r[0][4]
    );
    // The row shown is its beginning, not the whole line.
    assert!(r[0][4].len() < 200, "{}", r[0][4].len());
    assert_eq!(stored(&c.store), 2);
}

#[test]
fn when_the_rejects_cannot_be_written_nothing_is_stored_and_the_next_run_keeps_rows_and_rejects() {
    let c = case();
    let text = format!(
        "{HEADER}\n\
         S1,010190-1234,2023-03-01,101,dagpenge,,jobsamtale,telefon\n\
         S2,010190-1234,2023-02-30,101,dagpenge,,jobsamtale,telefon\n"
    );
    std::fs::write(c.input.join("samtaler.csv"), text).unwrap();
    // Something in the way of the rejects directory (as a full or read-only disk would be).
    std::fs::create_dir_all(&c.store).unwrap();
    std::fs::write(c.store.join("_rejects"), "in the way").unwrap();
    let e = try_ingest(&c).unwrap_err();
    assert!(
        e.contains("_rejects") && e.contains("nothing was stored"),
        "{e}"
    );
    assert_eq!(stored(&c.store), 0);
    // The file is not marked as ingested: once the disk is fixed, the same delivery is read
    // again, rows and rejects both.
    std::fs::remove_file(c.store.join("_rejects")).unwrap();
    let s = ingest(&c);
    assert!(!s.files[0].skipped_already_ingested);
    assert_eq!(stored(&c.store), 1);
    assert_eq!(rejects(&s).len(), 1);
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(s.rejects_file.as_ref().unwrap())
            .unwrap()
            .permissions(),
    );
    assert_eq!(
        mode & 0o777,
        0o600,
        "the rejects hold microdata: owner only"
    );
}

#[test]
fn a_second_writer_is_refused_at_once_naming_the_first_and_the_store_is_unchanged() {
    let c = case();
    std::fs::write(
        c.input.join("samtaler.csv"),
        format!("{HEADER}\nS1,010190-1234,2023-03-01,101,dagpenge,,jobsamtale,telefon\n"),
    )
    .unwrap();
    ingest(&c);
    let writer = Store::open_for_ingest(&c.store, samtalebank_store::Wait::No).unwrap();
    std::fs::write(
        c.input.join("samtaler2.csv"),
        format!("{HEADER}\nS2,010190-1234,2023-03-02,101,dagpenge,,jobsamtale,telefon\n"),
    )
    .unwrap();
    let e = try_ingest(&c).unwrap_err();
    assert!(e.contains("in use by another process"), "{e}");
    assert!(e.contains(&format!("pid {}", std::process::id())), "{e}");
    assert!(e.contains("--wait"), "{e}");
    drop(writer);
    assert_eq!(stored(&c.store), 1);
    let s = ingest(&c);
    assert_eq!(s.accepted(), 1);
    assert_eq!(stored(&c.store), 2);
}

/// The CPR numbers of the corpus below, as 10 ASCII digits.
const CORPUS: [&str; 3] = ["0810799026", "0101901234", "2512841357"];

/// Every way the corpus writes them.
fn notations(d: &str) -> Vec<String> {
    let (a, b) = d.split_at(6);
    let full: String = d
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap())
        .collect();
    vec![
        format!("{a}-{b}"),
        d.to_string(),
        format!("{a} {b}"),
        format!("{}.{}.{}-{b}", &a[..2], &a[2..4], &a[4..]),
        format!("{}/{}/{}-{b}", &a[..2], &a[2..4], &a[4..]),
        full,
    ]
}

/// Does a text hold one of the corpus's numbers in any notation (digits of any script,
/// separators dropped; also without a leading zero)?
fn holds_cpr(text: &str) -> Option<String> {
    let mut digits = String::new();
    for c in text.chars() {
        if let Some(d) = c.to_digit(10) {
            digits.push(char::from(b'0' + d as u8));
        } else if ('\u{FF10}'..='\u{FF19}').contains(&c) {
            digits.push(char::from(b'0' + (c as u32 - 0xFF10) as u8));
        } else if matches!(c, '-' | ' ' | '.' | '/' | '\u{FF0D}') {
        } else {
            digits.push('|');
        }
    }
    CORPUS
        .iter()
        .find(|d| digits.contains(*d) || digits.contains(d.trim_start_matches('0')))
        .map(|d| d.to_string())
}

/// Every value of a Parquet file as text.
fn parquet_text(path: &Path) -> String {
    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    use arrow_array::Array;
    use arrow_schema::DataType;
    let f = std::fs::File::open(path).unwrap();
    let r = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap();
    let mut out = String::new();
    for b in r {
        let b = b.unwrap();
        for c in b.columns() {
            for i in 0..c.len() {
                let v = match c.data_type() {
                    DataType::Int64 => c.as_primitive::<Int64Type>().value(i).to_string(),
                    DataType::UInt32 => c.as_primitive::<UInt32Type>().value(i).to_string(),
                    DataType::Int32 => c.as_primitive::<Int32Type>().value(i).to_string(),
                    DataType::Date32 => c.as_primitive::<Date32Type>().value(i).to_string(),
                    DataType::Float64 => c.as_primitive::<Float64Type>().value(i).to_string(),
                    DataType::Utf8 => c.as_string::<i32>().value(i).to_string(),
                    DataType::Dictionary(_, _) => {
                        let d = c.as_dictionary::<Int16Type>();
                        if d.is_null(i) {
                            String::new()
                        } else {
                            d.values()
                                .as_string::<i32>()
                                .value(d.keys().value(i) as usize)
                                .to_string()
                        }
                    }
                    t => panic!("{}: unexpected type {t}", path.display()),
                };
                out.push_str(&v);
                out.push('\n');
            }
        }
    }
    out
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            files_under(&e.path(), out);
        } else {
            out.push(e.path());
        }
    }
}

#[test]
fn cpr_numbers_in_any_notation_and_column_never_reach_the_store_rejects_or_summary() {
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let c = case();
    let mut csv = String::from(HEADER);
    csv.push('\n');
    let mut n = 0;
    for d in CORPUS {
        for (k, note) in notations(d).into_iter().enumerate() {
            n += 1;
            let day = 1 + k;
            // Accepted: the CPR number as the id, and as the cpr column in the same notation.
            csv += &format!("{note},{note},2023-03-{day:02},101,dagpenge,,jobsamtale,telefon\n");
            // Accepted: inside a longer id.
            csv += &format!("S-{note}-{n},{d},2023-04-{day:02},101,dagpenge,,jobsamtale,video\n");
            // Rejected: in a code column, in the date, and as the id of a bad row.
            csv += &format!("R{n},{d},2023-03-{day:02},{note},dagpenge,,jobsamtale,telefon\n");
            csv += &format!("R{n}b,{d},{note},101,dagpenge,,jobsamtale,telefon\n");
            csv += &format!("{note}x,{d},2023-03-01,101,dagpenge,,jobsamtale,brevdue\n");
        }
    }
    std::fs::write(c.input.join("samtaler.csv"), &csv).unwrap();
    // Parquet with integer columns: a CPR number that lost its leading zero, as cpr and as id.
    let cols: Vec<(&str, ArrayRef)> = vec![
        (
            "samtale_id",
            Arc::new(Int64Array::from(vec![810799026, 101901234, 2512841357])),
        ),
        (
            "cpr",
            Arc::new(Int64Array::from(vec![810799026, 101901234, 2512841357])),
        ),
        (
            "dato",
            Arc::new(StringArray::from(vec!["2023-05-01", "2023-05-02", "bad"])),
        ),
        (
            "kommune",
            Arc::new(StringArray::from(vec!["101", "101", "101"])),
        ),
        ("ydelse", Arc::new(StringArray::from(vec!["dagpenge"; 3]))),
        (
            "samtaletype",
            Arc::new(StringArray::from(vec!["jobsamtale"; 3])),
        ),
        (
            "samtaleform",
            Arc::new(StringArray::from(vec!["fysisk"; 3])),
        ),
    ];
    let batch = RecordBatch::try_from_iter(cols).unwrap();
    let f = std::fs::File::create(c.input.join("samtaler_b.parquet")).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(f, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let s = ingest(&c);
    // Every CSV notation of the cpr column is read as the same person; the integer column's
    // nine digits are read as ten.
    let csv_summary = &s.files[0];
    assert_eq!(csv_summary.accepted as usize, 2 * n, "{s}");
    assert_eq!(csv_summary.rejected as usize, 3 * n, "{s}");
    assert_eq!((s.files[1].accepted, s.files[1].rejected), (2, 1), "{s}");
    let stored_persons: std::collections::HashSet<i64> = Store::open(&c.store)
        .unwrap()
        .read_samtaler()
        .unwrap()
        .person
        .into_iter()
        .collect();
    assert_eq!(stored_persons.len(), CORPUS.len());
    // Nothing written holds one of the numbers.
    let mut files = Vec::new();
    files_under(&c.store, &mut files);
    assert!(files
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "parquet")));
    assert!(s.rejects_file.is_some());
    for p in &files {
        let bytes = std::fs::read(p).unwrap();
        if let Some(d) = holds_cpr(&String::from_utf8_lossy(&bytes)) {
            panic!("{} holds {d} in its bytes", p.display());
        }
        if p.extension().is_some_and(|e| e == "parquet") {
            if let Some(d) = holds_cpr(&parquet_text(p)) {
                panic!("{} holds {d} in its values", p.display());
            }
        }
    }
    assert_eq!(holds_cpr(&s.to_string()), None, "{s}");
    // The rejects still say what was wrong, with the numbers masked.
    let r = rejects(&s);
    assert!(
        r.iter()
            .any(|x| x[2] == "kommune" && x[3].contains("unknown kommune 'XXXXXX-XXXX'")),
        "{r:?}"
    );
}
