//! The application state every handler shares: the configuration, the current release (swapped
//! without a restart), the rate limiter, the response cache, the places for heavy answers and
//! the saved queries' quota.

use std::sync::{Arc, RwLock};

use samtalebank_pxweb::Problem;
use samtalebank_release::Release;
use samtalebank_tables::registry;

use crate::config::Config;
use crate::saved_store::Quota;

pub struct AppState {
    pub config: Config,
    release: RwLock<Arc<Release>>,
    pub limiter: crate::ratelimit::RateLimiter,
    pub cache: crate::cache::ResponseCache,
    /// Places for CPU-heavy answers rendered off the async workers.
    heavy: tokio::sync::Semaphore,
    pub saved: Quota,
    /// The release last previewed by an admin (kept so that a preview's pages load quickly).
    preview: std::sync::Mutex<Option<Arc<Release>>>,
}

/// The cookie that carries the admin token in a browser (set by the preview form).
pub const ADMIN_COOKIE: &str = "samtalebank-admin";
/// The cookie (or, as a header, `X-Samtalebank-Preview`) naming the release to preview.
pub const PREVIEW_COOKIE: &str = "samtalebank-preview";

/// A cookie's value from a request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

impl AppState {
    pub fn new(config: Config, release: Release) -> AppState {
        AppState {
            limiter: crate::ratelimit::RateLimiter::new(config.max_calls, config.time_window),
            cache: crate::cache::ResponseCache::new(config.cache_bytes),
            heavy: tokio::sync::Semaphore::new(config.limits.heavy_workers.max(1)),
            saved: Quota::new(&config.releases, &config.limits),
            config,
            release: RwLock::new(Arc::new(release)),
            preview: std::sync::Mutex::new(None),
        }
    }

    /// Does the request carry the admin token (`Authorization: Bearer TOKEN`, or the admin
    /// cookie the preview form sets)? Compared in constant time with respect to the token's
    /// content. Without a configured token there is no admin (404).
    pub fn authorise(&self, headers: &axum::http::HeaderMap) -> Result<(), Problem> {
        let Some(token) = &self.config.admin_token else {
            return Err(Problem::not_found(
                "no admin API (no admin token configured)",
            ));
        };
        let given = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .or_else(|| cookie(headers, ADMIN_COOKIE));
        let ok = given.is_some_and(|g| {
            g.len() == token.len()
                && g.bytes()
                    .zip(token.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        });
        if ok {
            Ok(())
        } else {
            Err(Problem::new(
                401,
                "Unauthorized",
                "a valid admin token is required",
            ))
        }
    }

    /// A release other than the current one, for an admin's preview (a candidate, or an
    /// earlier release): read and checked like the current one, and kept for the next request.
    /// Blocking: call it through [`AppState::offload`].
    pub fn preview(&self, id: &str) -> Result<Arc<Release>, Problem> {
        let mut slot = match self.preview.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        if let Some(r) = slot.as_ref().filter(|r| r.manifest.id == id) {
            return Ok(r.clone());
        }
        let cur = self.release();
        if cur.manifest.id == id {
            return Ok(cur);
        }
        let listed = samtalebank_release::list(&self.config.releases)
            .map_err(|e| {
                Problem::internal(
                    "The releases could not be listed",
                    self.hide_paths(&e.to_string()),
                )
            })?
            .into_iter()
            .any(|m| m.id == id);
        if !listed {
            return Err(Problem::not_found(format!(
                "there is no release '{id}' to preview"
            )));
        }
        let r = Release::open_published(&self.config.releases, id)
            .map_err(|e| Problem::new(409, "Preview refused", self.hide_paths(&e.to_string())))?;
        let r = Arc::new(r);
        *slot = Some(r.clone());
        Ok(r)
    }

    /// The release a request works on: taken once per request (by the middleware that pins
    /// it), so a request never mixes two.
    pub fn release(&self) -> Arc<Release> {
        match self.release.read() {
            Ok(r) => r.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Load the current release from disk (every file checked against its checksum) and serve
    /// it from the next request on. Requests in flight finish on the release they started
    /// with; a release that cannot be loaded leaves the previous one current. Returns the new
    /// release id, or why not (without the server's paths).
    pub fn reload(&self) -> Result<String, crate::ServeError> {
        let new = Release::open_current_published(&self.config.releases)
            .map_err(|e| crate::ServeError::Reload(self.hide_paths(&e.to_string())))?;
        let id = new.manifest.id.clone();
        match self.release.write() {
            Ok(mut r) => *r = Arc::new(new),
            Err(p) => *p.into_inner() = Arc::new(new),
        }
        Ok(id)
    }

    /// The saved municipality groups (`groups.json` beside the releases) with their members'
    /// codes, for the codelists. A group that does not resolve on this release is left out.
    pub fn groups(&self, rel: &Release) -> Vec<samtalebank_pxweb::codelist::Group> {
        use samtalebank_analysis::gap;
        let (Some(bench), Ok(saved)) = (
            rel.table(registry::BENCH01.id),
            gap::load_groups(&self.config.releases),
        ) else {
            return Vec::new();
        };
        let Some((_, area)) = bench.meta.var(samtalebank_model::Var::Omraade) else {
            return Vec::new();
        };
        saved
            .iter()
            .filter_map(|(name, def)| {
                let members = gap::resolve(bench, def, &saved).ok()?;
                let codes = members
                    .iter()
                    .map(|&i| area.categories[i].code.clone())
                    .collect();
                Some((name.clone(), codes))
            })
            .collect()
    }

    /// Changes when the saved groups change (their file's modification time).
    pub fn groups_stamp(&self) -> String {
        std::fs::metadata(self.config.releases.join("groups.json"))
            .and_then(|m| m.modified())
            .map(|t| format!("{t:?}"))
            .unwrap_or_default()
    }

    /// A message without the server's file-system paths: the releases directory is called
    /// `releases`.
    pub fn hide_paths(&self, msg: &str) -> String {
        let dir = self.config.releases.display().to_string();
        let abs = std::path::absolute(&self.config.releases)
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let mut m = msg.to_string();
        for d in [abs, dir] {
            if !d.is_empty() {
                m = m.replace(&d, "releases");
            }
        }
        m
    }

    /// Run CPU-heavy work off the async workers, at most `limits.heavy_workers` at a time;
    /// more wait their turn, while every other request is answered meanwhile.
    pub async fn offload<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Problem> {
        let _place = self
            .heavy
            .acquire()
            .await
            .map_err(|_| Problem::new(503, "Shutting down", "the server is stopping"))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| Problem::internal("Internal error", e.to_string()))
    }
}
