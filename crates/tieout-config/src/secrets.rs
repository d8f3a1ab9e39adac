//! The application's secret resolver: `{ env = "NAME" }` from the process environment,
//! `{ file = "PATH" }` from disk. Values go straight into a [`SecretString`] (redacted `Debug`,
//! no `Display`, zeroed on drop); the plain buffers they were read into are zeroed too. No
//! error ever contains a value: errors name the variable or file and say what to do.
//!
//! Secret files (DESIGN.md: "secrets come from the environment or files"):
//! - one trailing newline is removed (`echo secret > file` writes one), nothing else;
//! - an empty value is refused: an empty password is a mistake, never a credential;
//! - a file larger than 64 KiB is refused: a credential is small, a big file is the wrong file;
//! - on Unix, a file that users other than its owner and group can *write* is refused (anyone
//!   could swap the credential); one that every user can *read* is accepted with a warning,
//!   because Docker (0444) and Kubernetes (0644 by default) mount secrets that way and refusing
//!   them would push people to put secrets in environment variables instead.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use secrecy::zeroize::Zeroize;
use tieout_core::connector::{ExposeSecret, SecretError, SecretRef, SecretResolver, SecretString};

/// The largest secret file read.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// Resolves [`SecretRef`]s from environment variables and files.
pub struct EnvSecrets {
    /// Where relative secret file paths start (the config directory); the working directory
    /// when unset.
    base_dir: Option<PathBuf>,
    vars: Vars,
}

enum Vars {
    /// Read the process environment at each resolve, so a rotated secret is picked up by the
    /// next connector built.
    Process,
    /// A fixed set of variables (tests, or a host that reads its environment elsewhere).
    Fixed(BTreeMap<String, SecretString>),
}

impl EnvSecrets {
    /// Reads variables from the process environment.
    pub fn from_process() -> Self {
        EnvSecrets { base_dir: None, vars: Vars::Process }
    }

    /// Reads variables from `vars` only, never from the process environment.
    pub fn from_vars<K: Into<String>, V: Into<String>>(vars: impl IntoIterator<Item = (K, V)>) -> Self {
        let vars = vars
            .into_iter()
            .map(|(k, v)| {
                let mut value: String = v.into();
                let secret = SecretString::from(value.as_str());
                value.zeroize();
                (k.into(), secret)
            })
            .collect();
        EnvSecrets { base_dir: None, vars: Vars::Fixed(vars) }
    }

    /// Relative `{ file = … }` paths start at `dir` (the config directory).
    pub fn with_base_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.base_dir = Some(dir.into());
        self
    }

    fn env(&self, secret: &SecretRef, name: &str) -> Result<SecretString, SecretError> {
        let missing = || SecretError::Missing { secret: secret.to_string() };
        let value = match &self.vars {
            Vars::Fixed(vars) => vars.get(name).cloned().ok_or_else(missing)?,
            Vars::Process => match std::env::var(name) {
                Ok(mut text) => {
                    let value = SecretString::from(text.as_str());
                    text.zeroize();
                    value
                }
                Err(std::env::VarError::NotPresent) => return Err(missing()),
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(SecretError::Unreadable {
                        secret: secret.to_string(),
                        reason: "its value is not UTF-8 text; set it to the credential as text".to_owned(),
                    });
                }
            },
        };
        if value.expose_secret().trim().is_empty() {
            return Err(SecretError::Empty { secret: secret.to_string() });
        }
        Ok(value)
    }

    fn file(&self, secret: &SecretRef, path: &Path) -> Result<SecretString, SecretError> {
        let path = match &self.base_dir {
            Some(dir) => dir.join(path),
            None => path.to_owned(),
        };
        let unreadable = |reason: String| SecretError::Unreadable { secret: secret.to_string(), reason };
        let metadata = fs::metadata(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => SecretError::Missing { secret: secret.to_string() },
            _ => unreadable(format!("{e}; let the user running Tieout read it")),
        })?;
        if !metadata.is_file() {
            return Err(unreadable(
                "is not a regular file: point the config at the file holding the credential".into(),
            ));
        }
        if metadata.len() > MAX_FILE_BYTES {
            return Err(unreadable(format!(
                "is larger than {} KiB, too big for a credential: check the path",
                MAX_FILE_BYTES / 1024
            )));
        }
        check_mode(&path, &metadata).map_err(unreadable)?;
        let bytes = fs::read(&path).map_err(|e| unreadable(format!("{e}; let the user running Tieout read it")))?;
        let mut text = String::from_utf8(bytes).map_err(|e| {
            // The error holds the bytes; zero them before dropping.
            let mut bytes = e.into_bytes();
            bytes.zeroize();
            unreadable("is not UTF-8 text: write the credential as text".to_owned())
        })?;
        let mut end = text.len();
        if text[..end].ends_with('\n') {
            end -= 1;
            if text[..end].ends_with('\r') {
                end -= 1;
            }
        }
        let empty = text[..end].trim().is_empty();
        let value = SecretString::from(&text[..end]);
        text.zeroize();
        if empty {
            return Err(SecretError::Empty { secret: secret.to_string() });
        }
        Ok(value)
    }
}

impl SecretResolver for EnvSecrets {
    fn resolve(&self, secret: &SecretRef) -> Result<SecretString, SecretError> {
        match secret {
            SecretRef::Env(name) => self.env(secret, name),
            SecretRef::File(path) => self.file(secret, path),
        }
    }
}

impl fmt::Debug for EnvSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("EnvSecrets");
        s.field("base_dir", &self.base_dir);
        match &self.vars {
            Vars::Process => s.field("vars", &"process environment"),
            Vars::Fixed(vars) => s.field("vars", &vars.keys().collect::<Vec<_>>()),
        };
        s.finish()
    }
}

#[cfg(unix)]
fn check_mode(path: &Path, metadata: &fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(format!("can be changed by users other than its owner (mode {mode:03o}): run chmod go-w on it"));
    }
    if mode & 0o004 != 0 {
        tracing::warn!(
            file = %path.display(),
            mode = %format!("{mode:03o}"),
            "Secret file is readable by every user; run chmod o-r on it unless the platform mounts it so."
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_path: &Path, _metadata: &fs::Metadata) -> Result<(), String> {
    Ok(())
}
