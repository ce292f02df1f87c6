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
        }
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
