//! A small release for the crates' own tests, made by the real pipeline: a generated sample
//! (scale 0.003 of the country, 2023–2024, seed 3, the citizen survey), ingested and built with
//! primary suppression. Made once per test binary (a second or two), kept in a temporary
//! directory for the binary's life.

use std::path::PathBuf;
use std::sync::OnceLock;

use samtalebank_release::Release;

struct Fixture {
    _dir: tempfile::TempDir,
    releases: PathBuf,
    release: Release,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (raw, store, releases) = (
            dir.path().join("raw"),
            dir.path().join("store"),
            dir.path().join("releases"),
        );
        samtalebank_synth::generate(
            &samtalebank_synth::Options {
                scale: 0.003,
                seed: 3,
                first_year: 2023,
                last_year: 2024,
            },
            &raw,
        )
        .expect("generate");
        std::env::set_var("SAMTALEBANK_KEY", "testkit-key-0123456789abcdef");
        samtalebank_ingest::run(&samtalebank_ingest::Options {
            store: store.clone(),
            inputs: vec![raw],
            strict: false,
            quiet: true,
            wait: false,
        })
        .expect("ingest");
        samtalebank_pipeline::build(&samtalebank_pipeline::BuildOptions {
            store,
            releases: releases.clone(),
            threshold: samtalebank_model::defaults::THRESHOLD,
            protection: samtalebank_model::Protection::Primary,
            lp_budget: 0,
            wait: false,
            memory_check: true,
            max_memory: None,
            candidate: false,
            bulk: true,
        })
        .expect("build");
        let release = Release::open_current(&releases).expect("the release");
        Fixture {
            _dir: dir,
            releases,
            release,
        }
    })
}

/// The small release.
pub fn release() -> &'static Release {
    &fixture().release
}

/// Its releases directory (for what is kept beside the releases: saved groups, queries).
pub fn releases_dir() -> &'static std::path::Path {
    &fixture().releases
}
