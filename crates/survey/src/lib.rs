//! The citizen survey (docs/spec.md §1.3, §5; seeds 001 and 002): a questionnaire defined in
//! TOML (questions, answer categories, groupings, filters, single- and multi-select), respondent
//! files checked against it, and the tabulation into weighted shares with 95 % Wilson intervals
//! on Kish's effective sample size.

pub mod questionnaire;
pub mod respondents;
pub mod stats;
pub mod tabulate;

pub use questionnaire::{DefinitionError, Questionnaire};

/// Why a survey file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    /// The questionnaire is not valid (file, line and key named).
    #[error(transparent)]
    Definition(#[from] DefinitionError),
    /// A respondent file's columns do not fit the questionnaire.
    #[error("{0}")]
    Columns(String),
    /// A respondent file cannot be read.
    #[error("{0}")]
    Read(String),
}
pub use respondents::{Reject, Respondent};

#[cfg(test)]
mod tests;
