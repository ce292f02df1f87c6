//! The citizen survey (docs/spec.md §1.3, §5; seeds 001 and 002): a questionnaire defined in
//! TOML (questions, answer categories, groupings, filters, single- and multi-select), respondent
//! files checked against it, and the tabulation into weighted shares with 95 % Wilson intervals
//! on Kish's effective sample size.

pub mod questionnaire;
pub mod respondents;
pub mod stats;
pub mod tabulate;

pub use questionnaire::{DefinitionError, Questionnaire};
pub use respondents::{Reject, Respondent};

#[cfg(test)]
mod tests;
