//! The API's rate limit: each client (by IP address) may make `max_calls` API calls per window of
//! `window` seconds, counted from its first call in the window (what `/config` announces as
//! `maxCallsPerTimeWindow` and `timeWindow`); one call more is answered `429 Too Many Requests`
//! with `Retry-After` (seconds until the window ends). A client that keeps to the announced
//! limit over any sliding window is never refused.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Calls per client and window.
pub struct RateLimiter {
    pub max_calls: u32,
    pub window: Duration,
    clients: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(max_calls: u32, window_secs: u32) -> RateLimiter {
        RateLimiter {
            max_calls: max_calls.max(1),
            window: Duration::from_secs(u64::from(window_secs.max(1))),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Count a call; `Err(seconds to wait)` if it is over the limit.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let mut c = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if c.len() > 100_000 {
            let w = self.window;
            c.retain(|_, (start, _)| now.duration_since(*start) < w);
        }
        let e = c.entry(ip).or_insert((now, 0));
        if now.duration_since(e.0) >= self.window {
            *e = (now, 0);
        }
        if e.1 >= self.max_calls {
            let left = self.window.saturating_sub(now.duration_since(e.0));
            return Err(left.as_secs_f64().ceil().max(1.0) as u64);
        }
        e.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_calls_per_window_and_then_a_wait() {
        let l = RateLimiter::new(3, 10);
        let (a, b) = (IpAddr::from([127, 0, 0, 1]), IpAddr::from([127, 0, 0, 2]));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check(a, t0).is_ok());
        }
        assert_eq!(l.check(a, t0 + Duration::from_secs(4)), Err(6));
        // Another client has its own count.
        assert!(l.check(b, t0).is_ok());
        // A new window.
        assert!(l.check(a, t0 + Duration::from_secs(10)).is_ok());
    }
}
