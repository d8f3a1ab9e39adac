//! Why the journal could not be opened, read or written, and what that means for a retry.

use std::io;

use tieout_core::connector::{Retryable, SinkError};

/// The journal file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    /// The operating system refused an operation.
    #[error("journal {path}: {message}")]
    Io {
        path: String,
        message: String,
        /// Whether trying again can help (an interrupted read, a full disk), rather than a
        /// refusal that needs someone to act (permissions, a read-only file system).
        retryable: bool,
    },
    /// The file is missing and the sink may not create it.
    #[error("journal {path} does not exist: create it, correct `path`, or set create = true")]
    Missing { path: String },
    /// A line the sink cannot read. The sink never guesses what a line means.
    #[error("journal {path}, line {line}: {message}")]
    Unreadable { path: String, line: usize, message: String },
    /// The sink could read the file but cannot append to it safely.
    #[error("journal {path}: {message}")]
    Unwritable { path: String, message: String },
}

impl JournalError {
    pub(crate) fn io(path: &std::path::Path, what: &str, e: &io::Error) -> Self {
        let refused = matches!(
            e.kind(),
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::IsADirectory
        );
        let hint = if refused { "; give Tieout's user read and write access to it, or correct `path`" } else { "" };
        JournalError::Io {
            path: path.display().to_string(),
            message: format!("{what}: {e}{hint}"),
            retryable: !refused,
        }
    }
}

impl Retryable for JournalError {
    fn is_retryable(&self) -> bool {
        matches!(self, JournalError::Io { retryable: true, .. })
    }
}

impl From<JournalError> for SinkError {
    fn from(e: JournalError) -> Self {
        match e {
            JournalError::Io { retryable: true, .. } => SinkError::Unavailable { message: e.to_string() },
            JournalError::Io { .. } | JournalError::Missing { .. } | JournalError::Unwritable { .. } => {
                SinkError::Rejected { message: e.to_string() }
            }
            JournalError::Unreadable { .. } => SinkError::InvalidData { message: e.to_string() },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_not_retried_and_outages_are() {
        let path = std::path::Path::new("/books/ledger.journal");
        let denied = JournalError::io(path, "opening", &io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(!denied.is_retryable());
        assert!(matches!(SinkError::from(denied.clone()), SinkError::Rejected { .. }));
        assert!(denied.to_string().contains("read and write access"), "{denied}");
        let interrupted = JournalError::io(path, "reading", &io::Error::from(io::ErrorKind::Interrupted));
        assert!(SinkError::from(interrupted).is_retryable());
        let unreadable = JournalError::Unreadable { path: "j".into(), line: 7, message: "no".into() };
        assert_eq!(unreadable.to_string(), "journal j, line 7: no");
        assert!(matches!(SinkError::from(unreadable), SinkError::InvalidData { .. }));
    }
}
