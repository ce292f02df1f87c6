//! End-to-end tests of the `samtalebank` binary: generate → ingest → build → serve on loopback,
//! checked against the SQL twin on DuckDB (scripts/oracle.py) and in headless Chromium.

mod e2e {
    mod api;
    mod attack;
    mod ckm;
    mod cli;
    pub mod common;
    mod faults;
    mod pipeline;
    mod privacy;
    mod publishing;
    mod pxweb;
    mod releases;
    mod savings;
    mod spark;
    mod survey;
    mod web;
}
