//! The release on its own: a small SAMT03 published by hand (every count known), written,
//! read back, its measures derived, checked, and compared with another release.

use samtalebank_model::{dims, time, Protection};
use samtalebank_tables::{registry, CountStatus, Published};

use crate::{diff, publish, verify, PublishLock, PublishOptions, Release, ReleaseError, Value};

/// SAMT03 over the months of 2024: `personer` 10 + (cell % 7) and `med2` 3 + (cell % 5) in
/// every cell, the cell at `suppressed` suppressed (primary).
fn samt03(suppressed: usize, bump: u32) -> Published {
    let first = time::month_of(time::parse_date("2024-01-01").unwrap());
    let d = vec![
        dims::area(),
        dims::period(first, first + 11),
        dims::ydelse(),
    ];
    let cells: usize = d.iter().map(|x| x.len()).product();
    let mut counts = Vec::with_capacity(cells * 2);
    let mut status = Vec::with_capacity(cells * 2);
    for c in 0..cells {
        counts.push(10 + (c % 7) as u32 + bump * u32::from(c == 0));
        counts.push(3 + (c % 5) as u32);
        let s = if c == suppressed {
            CountStatus::Primary
        } else {
            CountStatus::Published
        };
        status.push(s);
        status.push(s);
    }
    Published {
        def: &registry::SAMT03,
        dims: d,
        counts,
        status,
        numbers: Vec::new(),
        report: Default::default(),
        note: Default::default(),
        notes: Vec::new(),
        nesting: None,
    }
}

fn publish_into(dir: &std::path::Path, t: Published) -> crate::Manifest {
    publish_as(dir, t, false)
}

fn publish_as(dir: &std::path::Path, t: Published, candidate: bool) -> crate::Manifest {
    let lock = PublishLock::acquire(dir, samtalebank_files::Wait::No).unwrap();
    publish(
        &lock,
        &PublishOptions {
            releases: dir.to_path_buf(),
            threshold: 5,
            protection: Protection::Primary,
            ckm: None,
            inputs: Vec::new(),
            data_start: time::parse_date("2023-01-01").unwrap(),
            data_end: time::parse_date("2024-12-31").unwrap(),
            candidate,
            bulk: true,
        },
        &[t],
    )
    .unwrap()
}

#[test]
fn a_published_table_reads_back_with_its_measures_derived_and_its_suppressed_cells_marked() {
    let d = tempfile::tempdir().unwrap();
    let m = publish_into(d.path(), samt03(5, 0));
    let rel = Release::open_current(d.path()).unwrap();
    assert_eq!(rel.manifest.id, m.id);
    let t = rel.table("samt03").unwrap();
    let (personer, med2, pct) = (0, 1, 2);
    assert_eq!(t.meta.measures[pct].code, "pct");
    // Cell 3: personer 13, med2 6, pct 6 / 13.
    let c3 = [0, 0, 3];
    assert_eq!(t.value(&c3, personer), Value::Num(13.0));
    assert_eq!(t.value(&c3, med2), Value::Num(6.0));
    match t.value(&c3, pct) {
        Value::Num(x) => assert!((x - 600.0 / 13.0).abs() < 1e-9, "{x}"),
        v => panic!("{v:?}"),
    }
    // Cell 5 was suppressed: its counts and the share computed from them.
    let c5 = [0, 0, 5];
    assert_eq!(t.value(&c5, personer), Value::Suppressed);
    assert_eq!(t.value(&c5, pct), Value::Suppressed);
    assert_eq!(rel.manifest.tables[0].suppressed_cells, 1);
}

#[test]
fn a_changed_byte_in_any_file_of_a_release_is_found_and_named() {
    let d = tempfile::tempdir().unwrap();
    let m = publish_into(d.path(), samt03(5, 0));
    let dir = d.path().join(&m.id);
    assert_eq!(verify(&dir).unwrap().files, m.checksums.len());
    for name in ["SAMT03/metadata.json", "SAMT03/data-0.parquet"] {
        let path = dir.join(name);
        let good = std::fs::read(&path).unwrap();
        let mut bad = good.clone();
        let mid = bad.len() / 2;
        bad[mid] ^= 1;
        std::fs::write(&path, &bad).unwrap();
        for e in [
            verify(&dir).unwrap_err(),
            Release::open(&dir).err().unwrap(),
        ] {
            assert!(matches!(e, ReleaseError::Damaged { .. }), "{e}");
            assert!(e.to_string().contains(name), "{e}");
        }
        std::fs::write(&path, &good).unwrap();
    }
    std::fs::remove_file(dir.join("SAMT03/data-0.parquet")).unwrap();
    assert!(verify(&dir).unwrap_err().to_string().contains("missing"));
}

#[test]
fn diff_counts_what_changed_between_two_releases() {
    let d = tempfile::tempdir().unwrap();
    let a = publish_into(d.path(), samt03(5, 0));
    // One more suppressed cell, and cell 0 revised (+3 persons).
    let b = publish_into(d.path(), samt03(6, 3));
    let ra = Release::open(&d.path().join(&a.id)).unwrap();
    let rb = Release::open(&d.path().join(&b.id)).unwrap();
    let ds = diff(&ra, &rb);
    assert_eq!(ds.len(), 1);
    let t = &ds[0];
    assert_eq!(t.revised, 1, "{t:?}");
    // Counted per stored count: both counts of the cell.
    assert_eq!((t.newly_suppressed, t.unsuppressed), (2, 2), "{t:?}");
    assert!(
        t.examples.iter().any(|e| e.contains("personer: 10 → 13")),
        "{t:?}"
    );
    assert_eq!((t.added, t.removed), (0, 0));
    // The second release is current; the first stays as it was.
    assert_eq!(crate::current_id(d.path()).unwrap().unwrap(), b.id);
    assert!(verify(&d.path().join(&a.id)).is_ok());
}

#[test]
fn a_second_publisher_is_refused_while_the_first_holds_the_directory() {
    let d = tempfile::tempdir().unwrap();
    let _first = PublishLock::acquire(d.path(), samtalebank_files::Wait::No).unwrap();
    let e = PublishLock::acquire(d.path(), samtalebank_files::Wait::No)
        .err()
        .unwrap();
    assert!(e.to_string().contains("another build is publishing"), "{e}");
}

#[test]
fn a_planned_publication_happens_when_its_time_has_come_and_is_logged() {
    let d = tempfile::tempdir().unwrap();
    let a = publish_into(d.path(), samt03(5, 0));
    let b = publish_as(d.path(), samt03(6, 3), true);
    assert_eq!(crate::current_id(d.path()).unwrap().unwrap(), a.id);
    let lock = PublishLock::acquire(d.path(), samtalebank_files::Wait::No).unwrap();
    let bad = crate::schedule(&lock, d.path(), &b.id, "8 January at 8").unwrap_err();
    assert!(bad.to_string().contains("with its offset"), "{bad}");
    crate::schedule(&lock, d.path(), &b.id, "2999-01-08T08:00:00+01:00").unwrap();
    drop(lock);
    assert!(crate::publish_due(d.path()).unwrap().is_none(), "not yet");
    let lock = PublishLock::acquire(d.path(), samtalebank_files::Wait::No).unwrap();
    crate::schedule(&lock, d.path(), &b.id, "2020-01-08T08:00:00+01:00").unwrap();
    // Nothing is published while another holds the directory.
    assert!(crate::publish_due(d.path()).unwrap().is_none());
    drop(lock);
    let p = crate::publish_due(d.path()).unwrap().unwrap();
    assert_eq!(
        (p.entry.release.as_str(), p.entry.by.as_str()),
        (b.id.as_str(), "scheduled")
    );
    assert_eq!(crate::current_id(d.path()).unwrap().unwrap(), b.id);
    assert!(crate::scheduled(d.path()).unwrap().is_none());
    let log = crate::read_log(d.path()).unwrap();
    let by: Vec<&str> = log.iter().map(|e| e.by.as_str()).collect();
    assert_eq!(by, ["build", "scheduled"]);
    assert_eq!(log[1].previous.as_deref(), Some(a.id.as_str()));
}

#[test]
fn prune_keeps_the_current_the_newest_candidates_and_the_pinned() {
    let d = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..4)
        .map(|k| publish_into(d.path(), samt03(5, k)).id)
        .collect();
    let cand = publish_as(d.path(), samt03(5, 9), true).id;
    // Back to the second: the newest published release is not current.
    let lock = PublishLock::acquire(d.path(), samtalebank_files::Wait::No).unwrap();
    let p = crate::publish_release(&lock, d.path(), &ids[1], None).unwrap();
    assert_eq!(p.entry.by, "rollback");
    std::fs::write(
        d.path().join("PINNED"),
        format!("{}  # the annual report\n", ids[0]),
    )
    .unwrap();
    let pr = crate::prune(&lock, d.path(), 2).unwrap();
    // Kept: the current (ids[1]), the newest other published (ids[3]), the pinned (ids[0]),
    // the candidate.
    assert_eq!(pr.removed, vec![ids[2].clone()]);
    let left: Vec<String> = crate::list(d.path())
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(
        left,
        vec![ids[0].clone(), ids[1].clone(), ids[3].clone(), cand]
    );
    assert!(Release::open_current(d.path()).is_ok());
    assert!(!d.path().join(format!(".pruned-{}", ids[2])).exists());
}

#[test]
fn a_release_keeps_what_it_revised_and_tells_it_in_the_tables_notes() {
    let d = tempfile::tempdir().unwrap();
    let a = publish_into(d.path(), samt03(5, 0));
    assert!(
        !d.path().join(&a.id).join("revisions.json").exists(),
        "nothing before the first"
    );
    // Cell 0 (the country, the first period, all benefits) +3 persons; cell 6 suppressed
    // instead of cell 5: both counts of both cells change.
    let b = publish_into(d.path(), samt03(6, 3));
    let rb = Release::open(&d.path().join(&b.id)).unwrap();
    let rev = crate::read_revisions(&rb.dir, &rb.manifest)
        .unwrap()
        .unwrap();
    assert_eq!(rev.previous, a.id);
    let t = &rev.tables[0];
    assert!(t.added_periods.is_empty() && t.removed_periods.is_empty());
    assert_eq!(t.revised.len(), 1, "{t:?}");
    let p = &t.revised[0];
    let first = &rb.table("SAMT03").unwrap().meta.dimensions[1].categories[0].code;
    assert_eq!(&p.period, first);
    assert_eq!(
        (p.counts, p.total_before, p.total_after),
        (5, Some(10), Some(13))
    );
    let notes = rb
        .table("SAMT03")
        .unwrap()
        .meta
        .notes(samtalebank_model::Lang::Da);
    let want = format!("{first} (5 tal ændret; hele landet, personer: 10 → 13 (+3))");
    assert!(notes.iter().any(|n| n.contains(&want)), "{notes:?}");
    // A damaged revisions file is refused like any file of the release.
    std::fs::write(rb.dir.join("revisions.json"), "{}").unwrap();
    assert!(Release::open(&rb.dir).is_err());
}
