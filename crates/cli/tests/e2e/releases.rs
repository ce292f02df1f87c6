//! Releases: the server switches to a new release without a restart and without failing or
//! mixing a single request; responses carry the release id, ETag and Last-Modified.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::common::*;

const TOKEN: &str = "admin-token-0123456789abcdef";

fn build(store: &std::path::Path, rel: &std::path::Path) -> String {
    ok(&[
        "build",
        "--store",
        store.to_str().unwrap(),
        "--releases",
        rel.to_str().unwrap(),
    ]);
    std::fs::read_to_string(rel.join("CURRENT"))
        .unwrap()
        .trim()
        .to_string()
}

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
                // Bounded: at most 100,000 requests or 60 seconds per client.
                let t0 = std::time::Instant::now();
                for _ in 0..100_000 {
                    if stop.load(Ordering::Relaxed) || t0.elapsed().as_secs() > 60 {
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
        if get(&format!("{base}/api/v2/config")).body.contains(&c) {
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
