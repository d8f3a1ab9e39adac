//! Secrets in connector configs. A config never holds a secret itself, only where to find it
//! (`{ env = "XERO_CLIENT_SECRET" }` or `{ file = "/run/secrets/xero" }`); the value is read at
//! build time through the context's [`SecretResolver`] and held as a [`SecretString`], whose
//! `Debug` is redacted and which has no `Display`.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use secrecy::{ExposeSecret, SecretString};

/// Where a secret comes from. Deserialized from `{ env = "NAME" }` or `{ file = "PATH" }`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SecretRef {
    /// An environment variable's value.
    Env(String),
    /// A file's contents, without a trailing newline.
    File(PathBuf),
}

impl fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Naming the variable or file is fine; it is the value that is secret.
        match self {
            SecretRef::Env(name) => write!(f, "env:{name}"),
            SecretRef::File(path) => write!(f, "file:{}", path.display()),
        }
    }
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretRef::Env(name) => write!(f, "environment variable {name}"),
            SecretRef::File(path) => write!(f, "file {}", path.display()),
        }
    }
}

/// A secret that could not be read. Never contains the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("{secret} is not set: export it, or point the config at a file with {{ file = \"…\" }}")]
    Missing { secret: String },
    #[error("{secret} could not be read: {reason}")]
    Unreadable { secret: String, reason: String },
    #[error("{secret} is empty: set it to the credential's value")]
    Empty { secret: String },
}

/// Reads secrets. The application's resolver reads the environment and files; tests use a map.
pub trait SecretResolver: Send + Sync {
    fn resolve(&self, secret: &SecretRef) -> Result<SecretString, SecretError>;
}
