//! Analyses over a published release: groups of municipalities against the rest of the country
//! (`gap`), the municipalities most like a given one (`similar`) and the savings from digital
//! conversations (`savings`). They read only published
//! counts, so they reveal nothing a release does not.

pub mod gap;
pub mod savings;
pub mod similar;
