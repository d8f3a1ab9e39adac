//! `TIEOUT__…` environment variables: overrides of the config files' keys.
//!
//! `TIEOUT__SECTION__KEY` overrides `[section] key` of `default.toml`;
//! `TIEOUT__CLIENTS__<NAME>__SECTION__KEY` overrides a key of `clients/<name>.toml` (NAME upper
//! case, `-` written `_`). Parts are separated by two underscores, so a key's own underscores
//! (`connect_timeout_secs`) stay as they are. Keys are matched in lower case.
//!
//! The loader takes the variables as an [`EnvOverrides`] value rather than reading the process
//! environment itself, so tests can pass variables without touching (unsafe) global state.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;

use crate::client::ClientName;
use crate::error::ConfigError;

/// The prefix of every override variable.
pub const PREFIX: &str = "TIEOUT__";
const SEPARATOR: &str = "__";
const CLIENTS: &str = "CLIENTS";

/// The `TIEOUT__…` variables in force. Its `Debug` shows names only: a value may be a database
/// URL with a password.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct EnvOverrides {
    vars: BTreeMap<String, String>,
}

impl fmt::Debug for EnvOverrides {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvOverrides").field("vars", &self.vars.keys().collect::<Vec<_>>()).finish()
    }
}

/// One override: `var` sets the key at `path` (lower case) to `value`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Override {
    pub var: String,
    pub path: Vec<String>,
    pub value: String,
}

/// Shows the variable and key, not the value.
impl fmt::Debug for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Override({} -> {})", self.var, self.key())
    }
}

impl Override {
    /// The key path, dotted: `schedules.cob.cron`.
    pub fn key(&self) -> String {
        self.path.join(".")
    }
}

/// Overrides of one client's file.
pub(crate) struct ClientOverride {
    /// The NAME part of the variable, as written (`ACME_BANK`).
    pub env_name: String,
    pub over: Override,
}

impl EnvOverrides {
    /// No overrides.
    pub fn none() -> Self {
        Self::default()
    }

    /// The `TIEOUT__…` variables of this process. A variable whose name or value is not
    /// UTF-8 is refused rather than skipped, so an override is never silently lost.
    pub fn from_process() -> Result<Self, ConfigError> {
        Self::from_os_vars(std::env::vars_os())
    }

    fn from_os_vars(vars: impl IntoIterator<Item = (OsString, OsString)>) -> Result<Self, ConfigError> {
        let mut out = BTreeMap::new();
        for (name, value) in vars {
            let lossy = name.to_string_lossy();
            if !is_override(&lossy) {
                continue;
            }
            let not_text = |what: &str| ConfigError::Env {
                var: lossy.clone().into_owned(),
                message: format!("its {what} is not UTF-8 text: set it to plain text or unset it"),
            };
            let name = name.to_str().ok_or_else(|| not_text("name"))?.to_owned();
            let value = value.into_string().map_err(|_| not_text("value"))?;
            out.insert(name, value);
        }
        Ok(EnvOverrides { vars: out })
    }

    /// Overrides from a list of variables (others than `TIEOUT__…` are ignored), for tests and
    /// for callers that build an environment themselves.
    pub fn from_vars<K: Into<String>, V: Into<String>>(vars: impl IntoIterator<Item = (K, V)>) -> Self {
        let vars = vars.into_iter().map(|(k, v)| (k.into(), v.into())).filter(|(k, _)| is_override(k)).collect();
        EnvOverrides { vars }
    }

    /// The variables' names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(String::as_str)
    }

    /// Whether there are no overrides.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// Overrides of `default.toml`.
    pub(crate) fn app(&self) -> Result<Vec<Override>, ConfigError> {
        let mut out = Vec::new();
        for (var, value) in &self.vars {
            let parts = split(var)?;
            if !parts[0].eq_ignore_ascii_case(CLIENTS) {
                out.push(Override { var: var.clone(), path: lower(&parts), value: value.clone() });
            }
        }
        Ok(out)
    }

    /// Overrides of client files, each with the client's NAME part.
    pub(crate) fn clients(&self) -> Result<Vec<ClientOverride>, ConfigError> {
        let mut out = Vec::new();
        for (var, value) in &self.vars {
            let parts = split(var)?;
            if !parts[0].eq_ignore_ascii_case(CLIENTS) {
                continue;
            }
            if parts.len() < 3 {
                return Err(ConfigError::Env {
                    var: var.clone(),
                    message: "names no key: write TIEOUT__CLIENTS__<NAME>__<KEY> or \
                              TIEOUT__CLIENTS__<NAME>__<SECTION>__<KEY>, e.g. TIEOUT__CLIENTS__DEMO__SINK__PATH"
                        .to_owned(),
                });
            }
            out.push(ClientOverride {
                env_name: parts[1].to_ascii_uppercase(),
                over: Override { var: var.clone(), path: lower(&parts[2..]), value: value.clone() },
            });
        }
        Ok(out)
    }

    /// Refuses a client variable whose NAME part is no known client: a typo there would
    /// otherwise be an override that silently does nothing.
    pub(crate) fn check_client_names(&self, known: &[ClientName]) -> Result<(), ConfigError> {
        for o in self.clients()? {
            if !known.iter().any(|c| c.env_name() == o.env_name) {
                let list = if known.is_empty() {
                    "there are no client files".to_owned()
                } else {
                    let names: Vec<String> = known.iter().map(|c| format!("{} ({})", c, c.env_name())).collect();
                    format!("the clients are {}", names.join(", "))
                };
                return Err(ConfigError::Env {
                    var: o.over.var,
                    message: format!(
                        "names no client: {list}; write the client's name in upper case with '-' as '_', \
                         or unset the variable"
                    ),
                });
            }
        }
        Ok(())
    }

    /// The overrides of the client `name`.
    pub(crate) fn for_client(&self, name: &ClientName) -> Result<Vec<Override>, ConfigError> {
        let env_name = name.env_name();
        Ok(self.clients()?.into_iter().filter(|o| o.env_name == env_name).map(|o| o.over).collect())
    }
}

fn is_override(name: &str) -> bool {
    name.get(..PREFIX.len()).is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
}

/// `TIEOUT__A__B` → `["A", "B"]`, refusing empty parts (`TIEOUT__A____B`, `TIEOUT__`).
fn split(var: &str) -> Result<Vec<&str>, ConfigError> {
    let rest = &var[PREFIX.len()..];
    let parts: Vec<&str> = rest.split(SEPARATOR).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(ConfigError::Env {
            var: var.to_owned(),
            message: "has an empty part between '__' separators: write TIEOUT__<SECTION>__<KEY>, \
                      e.g. TIEOUT__STORE__URL"
                .to_owned(),
        });
    }
    Ok(parts)
}

fn lower(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|p| p.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_and_client_overrides_are_told_apart() {
        let env = EnvOverrides::from_vars([
            ("TIEOUT__STORE__URL", "sqlite://x.db"),
            ("TIEOUT__CLIENTS__ACME_BANK__SINK__PATH", "out.journal"),
            ("TIEOUT_LOG", "debug"),
            ("HOME", "/root"),
        ]);
        assert_eq!(env.names().collect::<Vec<_>>(), ["TIEOUT__CLIENTS__ACME_BANK__SINK__PATH", "TIEOUT__STORE__URL"]);
        let app = env.app().unwrap();
        assert_eq!(app.len(), 1);
        assert_eq!(app[0].key(), "store.url");
        let acme = env.for_client(&ClientName::parse("acme-bank").unwrap()).unwrap();
        assert_eq!(acme.len(), 1);
        assert_eq!(acme[0].key(), "sink.path");
        assert_eq!(acme[0].value, "out.journal");
    }

    #[test]
    fn malformed_names_are_refused() {
        let err = EnvOverrides::from_vars([("TIEOUT__STORE____URL", "x")]).app().unwrap_err();
        assert!(err.to_string().contains("empty part"), "{err}");
        let err = EnvOverrides::from_vars([("TIEOUT__CLIENTS__DEMO", "x")]).clients().err().unwrap();
        assert!(err.to_string().contains("names no key"), "{err}");
    }

    #[test]
    fn a_variable_for_an_unknown_client_lists_the_known_ones() {
        let env = EnvOverrides::from_vars([("TIEOUT__CLIENTS__DEMOO__SINK__PATH", "x")]);
        let err = env.check_client_names(&[ClientName::parse("demo").unwrap()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable TIEOUT__CLIENTS__DEMOO__SINK__PATH: names no client: the clients are demo (DEMO); \
             write the client's name in upper case with '-' as '_', or unset the variable"
        );
    }

    #[test]
    fn debug_shows_names_not_values() {
        let env = EnvOverrides::from_vars([("TIEOUT__STORE__URL", "postgres://u:hunter2@db/t")]);
        let debug = format!("{env:?}");
        assert!(debug.contains("TIEOUT__STORE__URL") && !debug.contains("hunter2"), "{debug}");
    }
}
