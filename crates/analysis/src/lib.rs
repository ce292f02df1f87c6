//! Analyses over a published release: groups of municipalities against the rest of the country
//! (`gap`) and the municipalities most like a given one (`similar`). They read only published
//! counts, so they reveal nothing a release does not.

pub mod gap;
pub mod similar;
