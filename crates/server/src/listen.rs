//! Accepting connections so that no client can take the server down:
//!
//! - at most [`Limits::max_connections_per_client`] open connections from one IP address; one
//!   more is answered `503` (problem+json, `Retry-After`) and closed at once, so it holds no file
//!   descriptor and no memory;
//! - at most [`Limits::max_connections`] in all; when they are open, the connection idle longest
//!   (no request in flight, longest since its last one) is closed to make room, so clients that
//!   hold connections without using them give way to those that use them; only when every
//!   connection is busy is a new one answered `503`;
//! - a client must send a request's headers within [`Limits::header_timeout`] of connecting or of
//!   its previous answer, or the connection is closed (slow headers and idle keep-alive
//!   connections alike); a body must arrive within [`Limits::body_timeout`] (the router's
//!   layer);
//! - the process's file-descriptor limit is raised to its hard limit, and the connection limit
//!   kept below it, so accepting never fails for want of descriptors;
//! - on shutdown the listener closes and the connections in flight finish their requests.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

use crate::config::Limits;

/// Raise the soft limit of open files to the hard limit; returns the soft limit now in force.
fn raise_fd_limit() -> usize {
    let mut rl = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read and write the struct we pass, nothing else.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl) != 0 {
            return 1024;
        }
        if rl.rlim_cur < rl.rlim_max {
            let want = libc::rlimit {
                rlim_cur: rl.rlim_max,
                rlim_max: rl.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &want) == 0 {
                rl.rlim_cur = rl.rlim_max;
            }
        }
    }
    usize::try_from(rl.rlim_cur).unwrap_or(usize::MAX)
}

/// What the server knows of one open connection.
#[derive(Debug)]
struct ConnState {
    ip: IpAddr,
    /// When it last began or finished a request (milliseconds since the server started).
    last_active: AtomicU64,
    /// Requests being answered on it now.
    in_flight: AtomicUsize,
    /// Told when the connection is to be closed to make room for another.
    close: tokio::sync::Notify,
    /// It has been told (and no longer counts against the limit).
    closing: std::sync::atomic::AtomicBool,
}

impl ConnState {
    fn touch(&self, clock: Instant) {
        self.last_active
            .store(clock.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

/// Open connections, in all and per client.
#[derive(Debug, Default)]
struct Counts {
    next_id: u64,
    open: HashMap<u64, Arc<ConnState>>,
    /// Of `open`, those told to close that have not closed yet.
    closing: usize,
    per_client: HashMap<IpAddr, usize>,
}

/// One admitted connection; dropping it gives its place back.
#[derive(Debug)]
struct Admitted {
    counts: Arc<Mutex<Counts>>,
    id: u64,
    state: Arc<ConnState>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.open.remove(&self.id);
        if self.state.closing.load(Ordering::Relaxed) {
            c.closing -= 1;
        }
        let ip = self.state.ip;
        if let Some(n) = c.per_client.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                c.per_client.remove(&ip);
            }
        }
    }
}

/// Admit a connection from `ip`, or say which limit it is over. When the server is full, the
/// connection that has been idle longest (no request in flight) is closed to make room: clients
/// that hold connections without using them give way to clients that use them.
fn admit(
    counts: &Arc<Mutex<Counts>>,
    ip: IpAddr,
    max_total: usize,
    max_per_client: usize,
    clock: Instant,
) -> Result<Admitted, &'static str> {
    let mut c = counts.lock().unwrap_or_else(|p| p.into_inner());
    if c.per_client.get(&ip).copied().unwrap_or(0) >= max_per_client {
        return Err("this client has as many connections open as one client may");
    }
    if c.open.len() - c.closing >= max_total {
        let idlest = c
            .open
            .values()
            .filter(|s| {
                s.in_flight.load(Ordering::Relaxed) == 0 && !s.closing.load(Ordering::Relaxed)
            })
            .min_by_key(|s| s.last_active.load(Ordering::Relaxed))
            .cloned();
        match idlest {
            // It closes when its task next runs; this one takes its place now.
            Some(s) => {
                s.closing.store(true, Ordering::Relaxed);
                s.close.notify_one();
                c.closing += 1;
            }
            None => return Err("the server has as many connections open as it allows, all busy"),
        }
    }
    *c.per_client.entry(ip).or_insert(0) += 1;
    let id = c.next_id;
    c.next_id += 1;
    let state = Arc::new(ConnState {
        ip,
        last_active: AtomicU64::new(0),
        in_flight: AtomicUsize::new(0),
        close: tokio::sync::Notify::new(),
        closing: std::sync::atomic::AtomicBool::new(false),
    });
    state.touch(clock);
    c.open.insert(id, state.clone());
    Ok(Admitted {
        counts: counts.clone(),
        id,
        state,
    })
}

/// Answer a connection over a limit with a 503 problem and close it. Never waits: what does
/// not fit the socket's buffer at once is not sent.
fn refuse(stream: TcpStream, why: &str) {
    let body = samtalebank_pxweb::Problem::new(503, "Too many connections", why).body();
    let resp = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nretry-after: 5\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.try_write(resp.as_bytes());
}

/// Serve `app` on `listener` until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl std::future::Future<Output = ()>,
) {
    // Leave room for the release's files, logs and the accept itself.
    let fds = raise_fd_limit();
    let max_total = limits.max_connections.min(fds.saturating_sub(64)).max(1);
    let counts = Arc::new(Mutex::new(Counts::default()));
    let clock = Instant::now();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(256 << 10)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(x) => x,
            Err(e) => {
                // Out of descriptors or a connection reset before it was accepted: the others
                // go on; wait a moment so that a full table can drain.
                if matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)) {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                continue;
            }
        };
        let admitted = match admit(
            &counts,
            peer.ip(),
            max_total,
            limits.max_connections_per_client,
            clock,
        ) {
            Ok(a) => a,
            Err(why) => {
                refuse(stream, why);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let state = admitted.state.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            let (app, state) = (app.clone(), state.clone());
            state.in_flight.fetch_add(1, Ordering::Relaxed);
            state.touch(clock);
            async move {
                let r = app.oneshot(req).await;
                state.in_flight.fetch_sub(1, Ordering::Relaxed);
                state.touch(clock);
                r
            }
        });
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A connection closed by its client, by a timeout or to make room is no error of
            // the server's; dropping it closes the socket.
            tokio::select! {
                _ = conn => {}
                () = admitted.state.close.notified() => {}
            }
            drop(admitted);
        });
    }
    drop(listener);
    // Requests in flight finish; idle connections close. At most 10 seconds.
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(10)) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_connections_and_a_full_server_closes_the_idlest_for_a_new_one() {
        let counts = Arc::new(Mutex::new(Counts::default()));
        let clock = Instant::now();
        let (a, b, c) = (
            IpAddr::from([127, 0, 0, 2]),
            IpAddr::from([127, 0, 0, 3]),
            IpAddr::from([127, 0, 0, 4]),
        );
        let a1 = admit(&counts, a, 3, 2, clock).unwrap();
        let a2 = admit(&counts, a, 3, 2, clock).unwrap();
        assert!(admit(&counts, a, 3, 2, clock)
            .unwrap_err()
            .contains("one client"));
        let b1 = admit(&counts, b, 3, 2, clock).unwrap();
        // Full: a1 is the idlest (a2 and b1 have been active since).
        a2.state.last_active.store(5, Ordering::Relaxed);
        b1.state.last_active.store(7, Ordering::Relaxed);
        a1.state.last_active.store(1, Ordering::Relaxed);
        let c1 = admit(&counts, c, 3, 2, clock).unwrap();
        let closing = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(async {
                tokio::time::timeout(Duration::from_millis(100), a1.state.close.notified())
                    .await
                    .is_ok()
            });
        assert!(closing, "the idlest connection is told to close");
        // a1, told to close, no longer counts: with room for 4, a newcomer closes no other.
        let a3 = admit(&counts, c, 4, 2, clock).unwrap();
        assert!(!a2.state.closing.load(Ordering::Relaxed));
        drop(a3);
        drop(a1);
        assert_eq!(counts.lock().unwrap().open.len(), 3);
        assert_eq!(counts.lock().unwrap().closing, 0);
        // Every connection busy: a new one is refused.
        for s in [&a2, &b1, &c1] {
            s.state.in_flight.store(1, Ordering::Relaxed);
        }
        assert!(admit(&counts, b, 3, 2, clock)
            .unwrap_err()
            .contains("all busy"));
        drop(b1);
        assert!(admit(&counts, b, 3, 2, clock).is_ok());
    }
}
