//! Hand-made aggregates in CSV: read into cubes, and every kind of damage refused with the file,
//! the row and the reason.

use std::path::Path;

use super::*;

const S01: &str =
    "omraade,tid,ydelse,samtaletype,samtaleform,varighed,antal,antal_key,digital,digital_key";
const S02: &str = "omraade,tid,ydelse,startet,varet6,samtale6,varet13,samtale13,samtale6_varet13,\
startet_key,varet6_key,samtale6_key,varet13_key,samtale13_key,samtale6_varet13_key";
const S03: &str = "omraade,tid,ydelse,personer,med2,personer_key,med2_key";

fn write(dir: &Path, table: &str, lines: &[&str]) {
    std::fs::create_dir_all(dir.join(table)).unwrap();
    std::fs::write(dir.join(table).join("part-0.csv"), lines.join("\n") + "\n").unwrap();
    // What Spark leaves beside its parts is skipped.
    std::fs::write(dir.join(table).join("_SUCCESS"), "").unwrap();
}

/// A complete, consistent set: data from 5 January to 10 February 2024 (spells to 20 February).
fn good(dir: &Path) {
    write(
        dir,
        "BOUNDS",
        &[
            "data_start,last_dato,data_end",
            "2024-01-05,2024-02-10,2024-02-20",
        ],
    );
    write(
        dir,
        "SAMT01",
        &[
            S01,
            "000,2024,tot,tot,tot,tot,12,4000000000,5,77",
            "000,2024M02,tot,tot,tot,tot,7,3,2,1",
            "730,2024M02,tot,tot,telefon,tot,2,1,2,1",
        ],
    );
    write(
        dir,
        "SAMT02",
        &[S02, "000,2024,tot,9,8,7,6,5,4,1,2,3,4,5,6"],
    );
    write(dir, "SAMT03", &[S03, "000,2024M01,tot,3,2,10,20"]);
}

fn error(dir: &Path) -> String {
    read(dir)
        .expect_err("damaged aggregates are refused")
        .to_string()
}

#[test]
fn good_aggregates_become_the_cubes_the_engine_makes() {
    let d = tempfile::tempdir().unwrap();
    good(d.path());
    let a = read(d.path()).unwrap();
    assert_eq!(time::from_days(a.data_start).to_string(), "2024-01-05");
    assert_eq!(time::from_days(a.data_end).to_string(), "2024-02-20");
    let c = &a.cubes[0];
    assert_eq!(c.def.id, "SAMT01");
    // SAMT01's periods: the year, one quarter, January and February.
    let tid: Vec<&str> = c.dims[1]
        .categories
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(tid, ["2024", "2024K1", "2024M01", "2024M02"]);
    let at = |codes: [&str; 6]| {
        let coords: Vec<usize> = codes
            .iter()
            .zip(&c.dims)
            .map(|(code, d)| d.position(code).unwrap())
            .collect();
        c.index(&coords) * c.def.counts.len()
    };
    let i = at(["730", "2024M02", "tot", "tot", "telefon", "tot"]);
    assert_eq!(&c.counts[i..i + 2], [2, 2]);
    let i = at(["000", "2024", "tot", "tot", "tot", "tot"]);
    assert_eq!(&c.counts[i..i + 2], [12, 5]);
    assert_eq!(&c.keys.as_ref().unwrap()[i..i + 2], [4_000_000_000, 77]);
    // A cell without a row is zero.
    let i = at(["101", "2024M01", "tot", "tot", "tot", "tot"]);
    assert_eq!(&c.counts[i..i + 2], [0, 0]);
    // SAMT02 and SAMT03 run to the data's end; SAMT02 keeps its unpublished count.
    let s02 = &a.cubes[1];
    assert_eq!(s02.counts.iter().filter(|&&n| n > 0).count(), 6);
    assert_eq!(a.cubes[2].counts.iter().sum::<u32>(), 5);
    // Every file is an input of the manifest, with its rows; _SUCCESS is not.
    let names: Vec<(&str, u64)> = a.inputs.iter().map(|f| (f.path.as_str(), f.rows)).collect();
    assert_eq!(
        names,
        [
            ("BOUNDS/part-0.csv", 1),
            ("SAMT01/part-0.csv", 3),
            ("SAMT02/part-0.csv", 1),
            ("SAMT03/part-0.csv", 1)
        ]
    );
}

#[test]
fn a_missing_total_is_refused_naming_the_period() {
    let d = tempfile::tempdir().unwrap();
    good(d.path());
    write(
        d.path(),
        "SAMT01",
        &[
            S01,
            "000,2024,tot,tot,tot,tot,12,4,5,7",
            "730,2024M02,tot,tot,telefon,tot,2,1,2,1",
        ],
    );
    assert_eq!(
        error(d.path()),
        "SAMT01: no total row for 2024M02: the cell with every other variable at its total is missing"
    );
}

#[test]
fn an_unknown_code_is_refused_with_file_and_row() {
    let d = tempfile::tempdir().unwrap();
    good(d.path());
    write(
        d.path(),
        "SAMT03",
        &[S03, "000,2024M01,tot,3,2,10,20", "999,2024M01,tot,1,1,1,1"],
    );
    assert_eq!(
        error(d.path()),
        "SAMT03/part-0.csv, row 2: omraade '999' is not a code of SAMT03 here"
    );
    // A period outside the bounds is not a code here either.
    write(d.path(), "SAMT03", &[S03, "000,2024M03,tot,3,2,10,20"]);
    assert!(error(d.path()).contains("tid '2024M03' is not a code of SAMT03"));
}

#[test]
fn a_negative_count_or_a_key_out_of_range_is_refused() {
    let d = tempfile::tempdir().unwrap();
    good(d.path());
    write(
        d.path(),
        "SAMT02",
        &[S02, "000,2024,tot,9,-8,7,6,5,4,1,2,3,4,5,6"],
    );
    assert_eq!(
        error(d.path()),
        "SAMT02/part-0.csv, row 1: varet6 = -8 is not a count (0 to 4294967295)"
    );
    write(
        d.path(),
        "SAMT02",
        &[S02, "000,2024,tot,9,8,7,6,5,4,4294967296,2,3,4,5,6"],
    );
    assert_eq!(
        error(d.path()),
        "SAMT02/part-0.csv, row 1: startet_key = 4294967296 is outside 0 to 4294967295"
    );
}

#[test]
fn a_missing_column_a_cell_twice_and_bad_bounds_are_refused() {
    let d = tempfile::tempdir().unwrap();
    good(d.path());
    write(
        d.path(),
        "SAMT03",
        &[
            "omraade,tid,ydelse,personer,personer_key",
            "000,2024,tot,3,10",
        ],
    );
    assert_eq!(error(d.path()), "SAMT03/part-0.csv: no column 'med2'");
    good(d.path());
    write(
        d.path(),
        "SAMT03",
        &[
            S03,
            "000,2024M01,tot,3,2,10,20",
            "000,2024M01,tot,3,2,10,20",
        ],
    );
    assert_eq!(
        error(d.path()),
        "SAMT03/part-0.csv, row 2: the same cell again"
    );
    good(d.path());
    write(
        d.path(),
        "BOUNDS",
        &[
            "data_start,last_dato,data_end",
            "2024-03-05,2024-02-10,2024-02-20",
        ],
    );
    assert!(error(d.path()).contains("data_start ≤ last_dato ≤ data_end does not hold"));
    std::fs::remove_dir_all(d.path().join("SAMT02")).unwrap();
    good(d.path());
    std::fs::remove_file(d.path().join("SAMT02/part-0.csv")).unwrap();
    assert!(error(d.path()).ends_with("SAMT02: no .parquet or .csv file"));
}
