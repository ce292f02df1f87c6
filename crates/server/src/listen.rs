//! Accepting connections so that no client can take the server down:
//!
//! - at most [`Limits::max_connections`] open connections in all, and at most
//!   [`Limits::max_connections_per_client`] from one IP address; a connection over either limit
//!   is answered `503` (problem+json, `Retry-After`) and closed at once, so it holds no file
//!   descriptor and no memory;
//! - a client must send a request's headers within [`Limits::header_timeout`] of connecting or of
//!   its previous answer, or the connection is closed (slow headers and idle keep-alive
//!   connections alike); a body must arrive within [`Limits::body_timeout`] (the router's
//!   layer);
//! - the process's file-descriptor limit is raised to its hard limit, and the connection limit
//!   kept below it, so accepting never fails for want of descriptors;
//! - on shutdown the listener closes and the connections in flight finish their requests.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// What one server allows its clients.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Open connections in all.
    pub max_connections: usize,
    /// Open connections from one IP address.
    pub max_connections_per_client: usize,
    /// Time to send a request's headers (from connecting, or from the previous answer).
    pub header_timeout: Duration,
    /// Time to send a request's body.
    pub body_timeout: Duration,
    /// Answers rendered at once off the async workers (Excel, Parquet, large selections);
    /// more wait their turn.
    pub heavy_workers: usize,
    /// Saved queries stored in all.
    pub max_saved_queries: usize,
    /// New saved queries one client may store per day.
    pub max_saved_per_client: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 10_000,
            max_connections_per_client: 256,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            heavy_workers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            max_saved_queries: 10_000,
            max_saved_per_client: 100,
        }
    }
}

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

/// Open connections, in all and per client.
#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_client: HashMap<IpAddr, usize>,
}

/// One admitted connection; dropping it gives its place back.
#[derive(Debug)]
struct Admitted {
    counts: Arc<Mutex<Counts>>,
    ip: IpAddr,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.per_client.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                c.per_client.remove(&self.ip);
            }
        }
    }
}

/// Admit a connection from `ip`, or say which limit it is over.
fn admit(
    counts: &Arc<Mutex<Counts>>,
    ip: IpAddr,
    max_total: usize,
    max_per_client: usize,
) -> Result<Admitted, &'static str> {
    let mut c = counts.lock().unwrap_or_else(|p| p.into_inner());
    if c.total >= max_total {
        return Err("the server has as many connections open as it allows");
    }
    let n = c.per_client.entry(ip).or_insert(0);
    if *n >= max_per_client {
        return Err("this client has as many connections open as one client may");
    }
    *n += 1;
    c.total += 1;
    Ok(Admitted {
        counts: counts.clone(),
        ip,
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
        ) {
            Ok(a) => a,
            Err(why) => {
                refuse(stream, why);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            app.clone().oneshot(req)
        });
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A connection closed by its client or by a timeout is no error of the server's.
            let _ = conn.await;
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
    fn connections_are_admitted_up_to_each_limit_and_places_are_given_back() {
        let counts = Arc::new(Mutex::new(Counts::default()));
        let (a, b) = (IpAddr::from([127, 0, 0, 2]), IpAddr::from([127, 0, 0, 3]));
        let a1 = admit(&counts, a, 3, 2).unwrap();
        let _a2 = admit(&counts, a, 3, 2).unwrap();
        assert!(admit(&counts, a, 3, 2).unwrap_err().contains("one client"));
        let _b1 = admit(&counts, b, 3, 2).unwrap();
        assert!(admit(&counts, b, 3, 2).unwrap_err().contains("the server"));
        drop(a1);
        assert!(admit(&counts, b, 3, 2).is_ok());
        let c = counts.lock().unwrap();
        assert_eq!(c.total, 2, "the dropped admissions gave their places back");
    }
}
