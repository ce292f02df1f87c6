//! A request that cannot be answered, as `application/problem+json` (RFC 9457) describes it:
//! an HTTP status, a short title and a detail for the reader. The server sends it; the command
//! line prints its detail.

use serde_json::json;

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The HTTP status code.
    pub status: u16,
    pub title: String,
    pub detail: String,
}

impl Problem {
    pub fn new(status: u16, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            title: title.into(),
            detail: detail.into(),
        }
    }
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(400, "Bad request", detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(404, "Not found", detail)
    }
    pub fn internal(title: &str, detail: impl Into<String>) -> Problem {
        Problem::new(500, title, detail)
    }

    /// The `application/problem+json` body.
    pub fn body(&self) -> String {
        json!({
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        })
        .to_string()
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.detail)
    }
}
