//! Releases: the server switches to a new release without a restart and without failing or
//! mixing a single request; responses carry the release id, ETag and Last-Modified.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::common::*;

const TOKEN: &str = "admin-token-0123456789abcdef";

/// Long: One scenario: readers under load while releases are swapped, checked as it runs.
#[test]
fn hot_swap_under_load_fails_and_mixes_nothing() {
    let f = fixture();
    let d = tempfile::tempdir().unwrap();
    let rel = d.path().join("releases");
    let a = build(&f.store, &rel);
    let (server, base) = start_server_with(&rel, &[("SAMTALEBANK_ADMIN_TOKEN", TOKEN)], None);
    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(std::collections::BTreeSet::new()));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (stop, failures, requests, seen, base) = (stop.clone(), failures.clone(), requests.clone(), seen.clone(), base.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
                // Bounded: at most 100,000 requests or 180 seconds per client (the builds
                // meanwhile take longer on a busy machine).
                let t0 = std::time::Instant::now();
                for _ in 0..100_000 {
                    if stop.load(Ordering::Relaxed) || t0.elapsed().as_secs() > 180 {
                        break;
                    }
                    let url = format!("{base}/api/v2/tables/SAMT01/data?valuecodes[tid]=2023&valuecodes[ydelse]=*&valuecodes[maal]=antal");
                    let mut r = match agent.get(&url).call() {
                        Ok(r) => r,
                        Err(_) => {
                            failures.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                    };
                    requests.fetch_add(1, Ordering::Relaxed);
                    let header = r.headers().get("x-samtalebank-release").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                    let body: serde_json::Value = match r.body_mut().read_to_string().ok().and_then(|t| serde_json::from_str(&t).ok()) {
                        Some(b) => b,
                        None => {
                            failures.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                    };
                    // Mixed = the body from one release and the header from another.
                    if r.status().as_u16() != 200 || body["extension"]["release"] != header.as_str() {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                    seen.lock().unwrap().insert(header);
                }
            })
        })
        .collect();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    // Swap by the admin API.
    std::thread::sleep(std::time::Duration::from_millis(300));
    std::thread::sleep(std::time::Duration::from_millis(1000));
    let b = build(&f.store, &rel);
    assert_ne!(a, b);
    let mut r = agent
        .post(&format!("{base}/admin/reload"))
        .header("authorization", &format!("Bearer {TOKEN}"))
        .send_empty()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&r.body_mut().read_to_string().unwrap()).unwrap()
            ["release"],
        b.as_str()
    );
    // Swap by SIGHUP.
    std::thread::sleep(std::time::Duration::from_millis(1000));
    let c = build(&f.store, &rel);
    // SAFETY: signalling the server process this test started.
    unsafe {
        libc::kill(server.pid, libc::SIGHUP);
    }
    let mut switched = false;
    for _ in 0..100 {
        let r = agent.get(&format!("{base}/api/v2/config")).call().unwrap();
        if r.headers()
            .get("x-samtalebank-release")
            .is_some_and(|v| v.to_str().unwrap_or("") == c)
        {
            switched = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(switched, "SIGHUP did not switch to {c}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    for cl in clients {
        cl.join().unwrap();
    }
    let n = requests.load(Ordering::Relaxed);
    assert!(n > 50, "only {n} requests");
    assert_eq!(
        failures.load(Ordering::Relaxed),
        0,
        "failed or mixed responses out of {n}"
    );
    let seen = seen.lock().unwrap();
    assert!(seen.contains(&a) && seen.contains(&c), "{seen:?}");

    // Conditional requests: the ETag is the release; a new release changes it.
    let r = agent
        .get(&format!("{base}/api/v2/tables/SAMT01"))
        .call()
        .unwrap();
    let etag = r
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(etag, format!("W/\"{c}\""));
    assert!(r.headers().get("last-modified").is_some());
    let r = agent
        .get(&format!("{base}/api/v2/tables/SAMT01"))
        .header("if-none-match", &etag)
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 304);
    let r = agent
        .get(&format!("{base}/api/v2/tables/SAMT01"))
        .header("if-none-match", &format!("W/\"{a}\""))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // No token, a wrong token: refused.
    assert_eq!(
        agent
            .post(&format!("{base}/admin/reload"))
            .send_empty()
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    let wrong = agent
        .post(&format!("{base}/admin/reload"))
        .header("authorization", "Bearer wrong-token-0123456789ab")
        .send_empty()
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    // A server without a token has no admin API.
    assert_eq!(
        agent
            .post(&format!("{}/admin/reload", f.base))
            .send_empty()
            .unwrap()
            .status()
            .as_u16(),
        404
    );
}

fn snapshot(dir: &std::path::Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(snapshot(&e.path()));
        } else {
            out.insert(e.path(), std::fs::read(e.path()).unwrap());
        }
    }
    out
}

/// The half-written directories a killed build leaves in `rel` (`.tmp-<id>/`, `CURRENT.tmp`).
fn half_written(rel: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(rel)
        .unwrap()
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with(".tmp") || n.ends_with(".tmp") || n.contains(".tmp-")
        })
        .map(|e| e.path())
        .collect()
}

/// Long: Fifty builds killed with SIGKILL: half at a random moment of the build, half while they
/// write the release. The time of a build is learnt as the test goes (the machine is shared, so
/// a build's time varies), and the writing phase is found by watching for the build's `.tmp-`
/// directory, so the kills land while the builds run, whatever the load.
#[test]
fn killed_builds_leave_the_previous_release_current_and_intact() {
    let d = tempfile::tempdir().unwrap();
    let store = small_store(d.path());
    let rel = d.path().join("releases");
    let first = build(&store, &rel);
    let before = snapshot(&rel.join(&first));
    // How long a build takes here, to spread the kills over it.
    let t0 = std::time::Instant::now();
    build(&store, &rel);
    let mut span = t0.elapsed().as_millis().max(20) as u64;
    let mut seed: u64 = 0x5eed;
    let (mut killed, mut killed_writing) = (0, 0);
    for i in 0..50 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let random = seed >> 33;
        let while_writing = i % 2 == 1;
        if while_writing {
            // What an earlier kill left would look like this build's writing.
            for p in half_written(&rel) {
                let _ = std::fs::remove_dir_all(&p).or_else(|_| std::fs::remove_file(&p));
            }
        }
        let mut child = std::process::Command::new(BIN)
            .args([
                "build",
                "--store",
                store.to_str().unwrap(),
                "--releases",
                rel.to_str().unwrap(),
                // As timed above: the kills spread over the whole build, writing included.
                "--protection",
                "primary",
            ])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        let wait = random % span;
        if while_writing {
            // Bounded: until the build starts writing, or ends, or 60 seconds.
            while started.elapsed().as_secs() < 60
                && child.try_wait().unwrap().is_none()
                && half_written(&rel).is_empty()
            {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            std::thread::sleep(std::time::Duration::from_millis(random % 5));
        } else {
            std::thread::sleep(std::time::Duration::from_millis(wait));
        }
        let running = child.try_wait().unwrap().is_none();
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        if running {
            killed += 1;
            // (Only here is a half-written directory this build's own.)
            if while_writing && !half_written(&rel).is_empty() {
                killed_writing += 1;
            }
        } else if !while_writing {
            // The build took less than `wait` now: kill sooner from here on.
            span = (wait * 3 / 4).max(5);
        }
        // The current release is complete and loads; the first release is byte-identical.
        let current =
            samtalebank_release::Release::open_current(&rel).expect("current release loads");
        // SAMT01–03, BENCH01 and SURV01.
        assert_eq!(current.tables.len(), 5);
        assert_eq!(snapshot(&rel.join(&first)), before);
        // A half-written release is never listed.
        let listed = samtalebank_release::list(&rel).unwrap();
        assert!(listed.iter().all(|m| !m.id.starts_with('.')));
        assert!(listed.iter().any(|m| m.id == current.manifest.id));
    }
    assert!(
        killed >= 25,
        "only {killed} of 50 builds were killed while running"
    );
    assert!(
        killed_writing >= 5,
        "only {killed_writing} of 50 builds were killed while writing the release"
    );
    // The next build removes what the killed ones left.
    build(&store, &rel);
    let leftovers = half_written(&rel);
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn releases_list_show_and_diff() {
    let d = tempfile::tempdir().unwrap();
    let store = small_store(d.path());
    let rel = d.path().join("releases");
    let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let a = build(&store, &rel);
    // New conversations arrive: 6 phone conversations in Randers in March 2024.
    let extra = d.path().join("samtaler_extra.csv");
    let mut text = String::from(
        "samtale_id,person_id,dato,kommune,ydelse,maalgruppe,samtaletype,samtaleform\n",
    );
    for i in 0..6 {
        text.push_str(&format!(
            "X{i},px{i},2024-03-1{i},730,dagpenge,,jobsamtale,telefon\n"
        ));
    }
    std::fs::write(&extra, text).unwrap();
    ok(&["ingest", &s(&extra), "--store", &s(&store)]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let b = build(&store, &rel);
    let list = ok(&["releases", "list", "--releases", &s(&rel)]);
    assert!(
        list.contains(&format!("  {a}")) && list.contains(&format!("* {b}")),
        "{list}"
    );
    let show = ok(&["releases", "show", "--releases", &s(&rel), &a]);
    assert!(
        show.contains(&format!("release {a}")) && show.contains("SAMT01:"),
        "{show}"
    );
    let diff = ok(&["releases", "diff", "--releases", &s(&rel), &a, "current"]);
    let samt01 = diff
        .lines()
        .find(|l| l.trim_start().starts_with("SAMT01:"))
        .unwrap();
    // "SAMT01: N compared, N revised, ..." → the number before `what`.
    let n = |what: &str| -> u64 {
        samt01
            .split(", ")
            .find(|p| p.ends_with(what))
            .and_then(|p| {
                p.split_whitespace()
                    .rev()
                    .nth(what.split_whitespace().count())
            })
            .and_then(|x| x.parse().ok())
            .unwrap()
    };
    // Randers' and the country's March figures changed; nothing changed in other months.
    assert!(n("revised") > 0 && n("compared") > 1000, "{diff}");
    assert_eq!(n("removed"), 0, "{diff}");
    assert!(
        diff.contains("730 2024M03") || diff.contains("000 2024"),
        "{diff}"
    );
    let same = ok(&["releases", "diff", "--releases", &s(&rel), &b, &b]);
    assert!(
        same.contains("0 revised, 0 added, 0 removed, 0 newly suppressed, 0 no longer suppressed"),
        "{same}"
    );
    assert_eq!(
        run(&["releases", "show", "--releases", &s(&rel), "../etc"])
            .status
            .code(),
        Some(1)
    );
}

/// Each table's metadata carries a hash of its data: the same in two releases built from the
/// same store (a client need not download again), another when the data differ; the Atom feed
/// at /udgivelser.atom is XML that Python's parser reads, with one entry per release, newest
/// first, and the pages point to it.
#[test]
fn the_content_hash_tells_whether_data_changed_and_the_feed_lists_every_release() {
    let d = tempfile::tempdir().unwrap();
    let store = small_store(d.path());
    let rel = d.path().join("releases");
    let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let hash_of_current = || {
        let (_server, base) = start_server_with(&rel, &[], None);
        let m = get_json(&format!("{base}/api/v2/tables/SAMT01/metadata"));
        m["extension"]["contentHash"].as_str().unwrap().to_string()
    };
    let mut ids = vec![build(&store, &rel)];
    let first = hash_of_current();
    assert_eq!(first.len(), 64);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ids.push(build(&store, &rel));
    assert_eq!(hash_of_current(), first, "the same data, the same hash");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // The cell key method perturbs counts: other data.
    ok(&["build", "--store", &s(&store), "--releases", &s(&rel)]);
    ids.push(
        std::fs::read_to_string(rel.join("CURRENT"))
            .unwrap()
            .trim()
            .to_string(),
    );
    assert_ne!(hash_of_current(), first, "other data, another hash");

    let (_server, base) = start_server_with(&rel, &[], None);
    let feed = get(&format!("{base}/udgivelser.atom"));
    assert_eq!(feed.status, 200);
    assert!(
        feed.content_type.starts_with("application/atom+xml"),
        "{}",
        feed.content_type
    );
    let mut py = std::process::Command::new(python())
        .args([
            "-c",
            "import sys, xml.etree.ElementTree as E; a = '{http://www.w3.org/2005/Atom}'; \
             r = E.fromstring(sys.stdin.buffer.read()); \
             print('\\n'.join(e.find(a + 'id').text for e in r.findall(a + 'entry')))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    py.stdin
        .take()
        .unwrap()
        .write_all(feed.body.as_bytes())
        .unwrap();
    let out = py.wait_with_output().unwrap();
    assert!(out.status.success(), "the feed is not XML: {}", feed.body);
    let entries: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    let expected: Vec<String> = ids
        .iter()
        .rev()
        .map(|id| format!("urn:samtalebank:release:{id}"))
        .collect();
    assert_eq!(entries, expected);
    assert!(get(&format!("{base}/"))
        .body
        .contains("href=\"/udgivelser.atom\""));
}
