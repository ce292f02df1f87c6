//! Samtalebank's model: vocabularies (kept as data), areas, time rules, the published
//! dimensions of the tables and the domain types (variables, languages, area levels, period
//! kinds, protection levels). Every other crate speaks in these terms.

pub mod cpr;

/// A value that cannot be read as what it should be (a date, a period type, a protection, a
/// target group): the message names the value and what would do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);
pub mod dims;
mod domain;
pub mod time;
pub mod vocab;

pub use domain::{
    defaults, is_kommune, AreaLevel, Lang, PeriodKind, Protection, Role, Var, MEASURE_VAR,
};
pub use vocab::vocab;
