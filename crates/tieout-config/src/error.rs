//! The crate's error. Every variant says where the wrong value came from (a file, or an
//! environment variable and the file it overrides), which key, and how to fix it, because the
//! person reading it is an operator with a terminal, not a developer with a debugger.

use std::fmt;
use std::io;
use std::path::PathBuf;

use tieout_core::connector::Retryable;
use tieout_engine::mapping::MappingError;
use tieout_engine::rules::RuleError;

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A config file.
    File(PathBuf),
    /// An environment variable that overrides a key of `file`.
    Env {
        /// The variable's name, e.g. `TIEOUT__STORE__URL`.
        var: String,
        /// The file whose key it overrides.
        file: PathBuf,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(file) => write!(f, "{}", file.display()),
            Origin::Env { var, file } => write!(f, "environment variable {var} (overriding {})", file.display()),
        }
    }
}

/// Why the configuration could not be loaded.
///
/// Only a read that failed for a passing reason (interrupted, timed out) is worth retrying; every
/// other error is fixed by editing a file or a variable, which [`Retryable::is_retryable`] says.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file or directory could not be read.
    #[error("{}: cannot be read ({reason}): {fix}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The IO error's kind, for deciding on a retry.
        kind: io::ErrorKind,
        /// The IO error as the operating system put it.
        reason: String,
        /// What to do about it.
        fix: String,
    },
    /// A file is not valid TOML. The message has the line, the column and the offending text.
    #[error("{}: not valid TOML: {message}", file.display())]
    Syntax {
        /// The file.
        file: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A key is unknown, missing or has a wrong value. The message ends with the fix.
    #[error("{origin}: {key}: {message}")]
    Key {
        /// The file or variable the value came from.
        origin: Origin,
        /// The key path, e.g. `schedules.cob.cron` or `users[1].role`.
        key: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A `TIEOUT__…` variable that is not a well-formed override.
    #[error("environment variable {var}: {message}")]
    Env {
        /// The variable's name.
        var: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A file that does not belong where it is (a client file whose name is not a client name).
    #[error("{}: {message}", path.display())]
    Layout {
        /// The file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A client that has no file.
    #[error("there is no client '{name}' in {}: {}", dir.display(), known_clients(name, known))]
    UnknownClient {
        /// The name asked for.
        name: String,
        /// The `clients/` directory searched.
        dir: PathBuf,
        /// The clients that exist, sorted.
        known: Vec<String>,
    },
    /// A client's mapping file is wrong. The inner error names the mapping file and key.
    #[error("{}: mapping: {error}", client_file.display())]
    Mapping {
        /// The client file that names the mapping.
        client_file: PathBuf,
        /// The mapping file's own error.
        error: MappingError,
    },
    /// A client's rule-set file is wrong. The inner error names the rule file and posting.
    #[error("{}: rules: {error}", client_file.display())]
    Rules {
        /// The client file that names the rule set.
        client_file: PathBuf,
        /// The rule file's own error.
        error: RuleError,
    },
}

fn known_clients(name: &str, known: &[String]) -> String {
    if known.is_empty() {
        format!("there are no client files yet; add clients/{name}.toml (docs/configuration.md)")
    } else {
        format!("the clients are {}; use one of them or add clients/{name}.toml", known.join(", "))
    }
}

impl ConfigError {
    /// A read failure of `path`, with `fix` saying what to do when the cause is not obvious.
    pub(crate) fn read(path: impl Into<PathBuf>, error: &io::Error, fix: impl Into<String>) -> Self {
        ConfigError::Read { path: path.into(), kind: error.kind(), reason: error.to_string(), fix: fix.into() }
    }
}

impl Retryable for ConfigError {
    fn is_retryable(&self) -> bool {
        matches!(
            self,
            ConfigError::Read {
                kind: io::ErrorKind::Interrupted | io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock,
                ..
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_passing_read_failures_are_worth_a_retry() {
        let read = |kind| ConfigError::read("f.toml", &io::Error::from(kind), "fix");
        assert!(read(io::ErrorKind::Interrupted).is_retryable());
        assert!(read(io::ErrorKind::TimedOut).is_retryable());
        assert!(!read(io::ErrorKind::NotFound).is_retryable());
        let key = ConfigError::Key { origin: Origin::File("f.toml".into()), key: "a".into(), message: "m".into() };
        assert!(!key.is_retryable());
    }
}
