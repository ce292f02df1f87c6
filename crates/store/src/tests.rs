//! The store on its own: rows written through the staged writer, committed with the manifest,
//! read back as columns; what a crashed writer leaves is removed.

use crate::{ForloebRecord, SamtaleRecord, Store, Wait, FORLOEB, SAMTALER};

fn samtale(id: i64, person: i64, dato: &str) -> SamtaleRecord {
    SamtaleRecord {
        id,
        person,
        dato: samtalebank_model::time::parse_date(dato).unwrap(),
        kommune: 3,
        ydelse: 0,
        samtaletype: 1,
        samtaleform: 2,
        rkey: id as u32 * 7,
        pkey: person as u32,
    }
}

#[test]
fn committed_rows_read_back_as_columns_across_years_and_the_manifest_names_every_part() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Store::open_for_ingest(d.path(), Wait::No).unwrap();
    let mut w = s.writer().unwrap();
    for (i, dato) in ["2023-12-31", "2024-01-01", "2024-06-15"]
        .iter()
        .enumerate()
    {
        w.add_samtale(samtale(i as i64 + 1, 40 + i as i64, dato))
            .unwrap();
    }
    w.add_forloeb(ForloebRecord {
        id: 9,
        person: 40,
        kommune: 3,
        ydelse: 0,
        start: samtalebank_model::time::parse_date("2023-11-01").unwrap(),
        slut: None,
        rkey: 1,
        pkey: 40,
    })
    .unwrap();
    assert_eq!(w.commit().unwrap(), 3, "one part per year and table");
    drop(s);
    let s = Store::open(d.path()).unwrap();
    let parts: Vec<_> = s.parts(SAMTALER).collect();
    assert_eq!(parts.len(), 2);
    assert!(parts
        .iter()
        .any(|p| p.path.starts_with("samtaler/aar=2023/") && p.rows == 1));
    assert_eq!(s.parts(FORLOEB).count(), 1);
    let c = s.read_samtaler().unwrap();
    let mut persons = c.person.clone();
    persons.sort();
    assert_eq!(persons, vec![40, 41, 42]);
    assert!(c.rkey.contains(&14) && c.samtaleform.iter().all(|&f| f == 2));
    let f = s.read_forloeb().unwrap();
    assert_eq!(f.slut, vec![crate::OPEN_END]);
    // The ids as stored recognise a re-delivery.
    let ids = s.existing_ids(SAMTALER).unwrap();
    assert_eq!(ids.len(), 3);
    assert_eq!(
        ids.iter().find(|(id, _)| *id == 2).map(|(_, f)| *f),
        Some(samtale(2, 41, "2024-01-01").fingerprint())
    );
}

#[test]
fn what_a_writer_did_not_commit_is_never_read_and_is_removed_by_the_next_writer() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Store::open_for_ingest(d.path(), Wait::No).unwrap();
    let mut w = s.writer().unwrap();
    w.add_samtale(samtale(1, 1, "2024-01-01")).unwrap();
    w.commit().unwrap();
    // A writer that stops before committing (a crash): its part is staged, never named.
    let mut w = s.writer().unwrap();
    for i in 0..(1 << 20) + 1 {
        // Past the flush size: a part is written to the staging area.
        w.add_samtale(samtale(i + 10, 1, "2024-02-01")).unwrap();
    }
    drop(w);
    drop(s);
    let staged = d.path().join("_staging");
    assert!(std::fs::read_dir(&staged).unwrap().next().is_some());
    assert_eq!(
        Store::open(d.path())
            .unwrap()
            .read_samtaler()
            .unwrap()
            .len(),
        1
    );
    // The next writer removes it.
    let _s = Store::open_for_ingest(d.path(), Wait::No).unwrap();
    assert!(!staged.exists());
}

#[test]
fn the_manifest_survives_a_reopen_and_a_store_of_the_old_format_is_refused_for_ingest() {
    let d = tempfile::tempdir().unwrap();
    drop(Store::open_for_ingest(d.path(), Wait::No).unwrap());
    let text = std::fs::read_to_string(d.path().join("_store.json")).unwrap();
    assert!(text.contains("\"format\": 2"), "{text}");
    std::fs::write(
        d.path().join("_store.json"),
        text.replace("\"format\": 2", "\"format\": 1"),
    )
    .unwrap();
    let e = Store::open_for_ingest(d.path(), Wait::No).err().unwrap();
    assert!(
        e.to_string()
            .contains("ingest the extracts again into a new store"),
        "{e}"
    );
    // Reading it for a build still works.
    assert!(Store::open(d.path()).is_ok());
}

/// `indhold_hash` is the XXH3-64 of the row's fields as text joined by U+001F: stores written
/// before keep recognising their rows.
#[test]
fn the_content_fingerprint_is_xxh3_of_the_fields_as_text() {
    let v = samtalebank_model::vocab();
    let kommune = v.kommuner.lookup("101").unwrap();
    let ydelse = v
        .ydelser
        .leaves
        .iter()
        .position(|l| l.code == "dagpenge")
        .unwrap() as u8;
    let s = SamtaleRecord {
        id: 1,
        person: -42,
        dato: 19_000,
        kommune,
        ydelse,
        samtaletype: v.samtaletyper.lookup("jobsamtale").unwrap(),
        samtaleform: v.samtaleformer.lookup("fysisk").unwrap(),
        rkey: 0,
        pkey: 0,
    };
    assert_eq!(
        s.fingerprint(),
        xxhash_rust::xxh3::xxh3_64(b"-42\x1f19000\x1f101\x1fdagpenge\x1fjobsamtale\x1ffysisk")
    );
    let mut f = ForloebRecord {
        id: 1,
        person: 7,
        kommune,
        ydelse,
        start: 18_000,
        slut: Some(18_010),
        rkey: 0,
        pkey: 0,
    };
    assert_eq!(
        f.fingerprint(),
        xxhash_rust::xxh3::xxh3_64(b"7\x1f101\x1fdagpenge\x1f18000\x1f18010")
    );
    f.slut = None;
    assert_eq!(
        f.fingerprint(),
        xxhash_rust::xxh3::xxh3_64(b"7\x1f101\x1fdagpenge\x1f18000\x1f")
    );
}
