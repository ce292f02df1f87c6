//! Samtalebank's model: vocabularies (kept as data), areas, time rules and the published
//! dimensions of the tables. Every other crate speaks in these terms.

pub mod cpr;
pub mod dims;
pub mod time;
pub mod vocab;

pub use vocab::vocab;
