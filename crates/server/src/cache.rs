//! The response cache: successful answers of the table endpoints (metadata, default selection,
//! data by GET and POST, codelists), keyed by the normalised request (method, path, query pairs
//! sorted by name, body) and the current release, up to a number of bytes; emptied when another
//! release becomes current or when saved municipality groups change.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method};

/// A cached answer: its headers and body.
pub struct Entry {
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Responses by normalised request, up to `capacity` bytes, oldest evicted first.
pub struct ResponseCache {
    capacity: usize,
    inner: Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    generation: String,
    bytes: usize,
    map: HashMap<String, Arc<Entry>>,
    order: VecDeque<String>,
}

impl ResponseCache {
    pub fn new(capacity: usize) -> ResponseCache {
        ResponseCache {
            capacity,
            inner: Mutex::new(CacheInner::default()),
        }
    }

    pub fn get(&self, generation: &str, key: &str) -> Option<Arc<Entry>> {
        let mut c = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if c.generation != generation {
            *c = CacheInner {
                generation: generation.to_string(),
                ..CacheInner::default()
            };
            return None;
        }
        c.map.get(key).cloned()
    }

    pub fn put(&self, generation: &str, key: String, e: Entry) {
        let size = e.body.len() + key.len();
        if size > self.capacity / 8 {
            return;
        }
        let mut c = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if c.generation != generation || c.map.contains_key(&key) {
            return;
        }
        while c.bytes + size > self.capacity {
            let Some(old) = c.order.pop_front() else {
                break;
            };
            if let Some(o) = c.map.remove(&old) {
                c.bytes -= o.body.len() + old.len();
            }
        }
        c.bytes += size;
        c.order.push_back(key.clone());
        c.map.insert(key, Arc::new(e));
    }
}

/// The normalised request: method, path, query pairs sorted by lower-case name.
pub fn key(method: &Method, uri: &axum::http::Uri, body: &[u8]) -> String {
    let mut pairs: Vec<(String, String)> =
        form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
            .collect();
    pairs.sort();
    let mut k = format!("{method} {}?", uri.path().to_ascii_lowercase());
    for (a, b) in pairs {
        k.push_str(&a);
        k.push('=');
        k.push_str(&b);
        k.push('&');
    }
    k.push(' ');
    k.push_str(&String::from_utf8_lossy(body));
    k
}

pub fn cacheable(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p.starts_with("/api/v2/tables/") || p.starts_with("/api/v2/codelists/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_key_ignores_parameter_order_and_case() {
        let u1: axum::http::Uri = "/api/v2/tables/SAMT01/data?b=2&A=1".parse().unwrap();
        let u2: axum::http::Uri = "/api/v2/tables/samt01/data?a=1&b=2".parse().unwrap();
        assert_eq!(key(&Method::GET, &u1, b""), key(&Method::GET, &u2, b""));
        assert_ne!(key(&Method::GET, &u1, b""), key(&Method::POST, &u1, b""));
    }
}
