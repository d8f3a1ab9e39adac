//! Errors of connectors. Each says whether trying again can help, because one retry authority
//! (the jobs crate) decides on retries and must never loop on a wrong password.

use std::time::Duration;

/// Whether an error is worth a retry.
pub trait Retryable {
    fn is_retryable(&self) -> bool;
}

/// Why a servicing source call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("the servicing system refused the credentials: {message}; fix the credentials in the client's config")]
    Auth { message: String },
    #[error("the servicing system is rate limiting requests{}", retry_hint(*retry_after))]
    RateLimited { retry_after: Option<Duration> },
    #[error("the servicing system is busy: {message}; it will be tried again later")]
    Busy { message: String },
    #[error("the servicing system could not be reached or failed: {message}")]
    Unavailable { message: String },
    #[error("the servicing system rejected the request: {message}")]
    Rejected { message: String },
    #[error("the servicing system sent data Tieout cannot read: {message}")]
    InvalidData { message: String },
    #[error("this source does not support {operation}")]
    Unsupported { operation: &'static str },
    #[error(transparent)]
    Event(#[from] crate::event::EventError),
}

impl Retryable for SourceError {
    fn is_retryable(&self) -> bool {
        matches!(self, SourceError::RateLimited { .. } | SourceError::Busy { .. } | SourceError::Unavailable { .. })
    }
}

/// Why an accounting sink call failed (as a whole; per-entry failures are [`super::PostFailure`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinkError {
    #[error("the accounting package refused the credentials: {message}; reconnect it for this client")]
    Auth { message: String },
    #[error("the accounting package is rate limiting requests{}", retry_hint(*retry_after))]
    RateLimited { retry_after: Option<Duration> },
    #[error("the accounting package could not be reached or failed: {message}")]
    Unavailable { message: String },
    #[error("the accounting package rejected the request: {message}")]
    Rejected { message: String },
    #[error("the accounting package sent data Tieout cannot read: {message}")]
    InvalidData { message: String },
    #[error("the accounting package's books are locked up to {lock_date}: {message}")]
    Locked { lock_date: chrono::NaiveDate, message: String },
    #[error("this sink does not support {operation}")]
    Unsupported { operation: &'static str },
}

impl Retryable for SinkError {
    fn is_retryable(&self) -> bool {
        matches!(self, SinkError::RateLimited { .. } | SinkError::Unavailable { .. })
    }
}

fn retry_hint(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!("; retry after {} s", d.as_secs()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_errors_are_not_retried_and_outages_are() {
        assert!(!SourceError::Auth { message: "401".into() }.is_retryable());
        assert!(SourceError::Busy { message: "loan locked by COB".into() }.is_retryable());
        assert!(!SinkError::Rejected { message: "bad account".into() }.is_retryable());
        assert!(SinkError::RateLimited { retry_after: Some(Duration::from_secs(30)) }.is_retryable());
        assert!(
            SinkError::RateLimited { retry_after: Some(Duration::from_secs(30)) }
                .to_string()
                .ends_with("retry after 30 s")
        );
    }
}
