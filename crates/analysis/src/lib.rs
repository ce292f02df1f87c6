//! Analyses over a published release: groups of municipalities against the rest of the country
//! (`gap`). They read only published counts, so they reveal nothing a release does not.

pub mod gap;
