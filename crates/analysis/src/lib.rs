//! Analyses over a published release: groups of municipalities against the rest of the country
//! (`gap`), the municipalities most like a given one (`similar`) and the savings from digital
//! conversations (`savings`). They read only published
//! counts, so they reveal nothing a release does not.

pub mod gap;
pub mod savings;
pub mod similar;

/// Why an analysis could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// A parameter the user gave cannot be used (a bad code, rule, year or number): the
    /// message says which and what would do.
    #[error("{0}")]
    Parameter(String),
    /// The release lacks what the analysis reads.
    #[error("{0}")]
    Release(String),
    /// The saved groups could not be read or written.
    #[error("{0}")]
    Groups(String),
}

impl From<samtalebank_release::ReleaseError> for AnalysisError {
    fn from(e: samtalebank_release::ReleaseError) -> AnalysisError {
        AnalysisError::Release(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, AnalysisError>;

/// A parameter error.
pub(crate) fn bad(msg: impl Into<String>) -> AnalysisError {
    AnalysisError::Parameter(msg.into())
}
