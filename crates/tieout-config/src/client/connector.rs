//! `[source]` and `[sink]`: a connector kind and the connector's own keys, kept untyped.
//!
//! This crate knows no connector (only `tieout-registry` does). It checks the `kind` and keeps
//! the rest as a TOML table, which the registry hands to the kind's factory `validate` — the
//! Quickwit pattern (research/architecture.md §4): typed config where the type is known.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer};
use toml::{Table, Value};

/// A connector section: `kind = "…"` plus the connector's own keys.
#[derive(Clone, PartialEq)]
pub struct ConnectorSection {
    kind: String,
    settings: Table,
    /// Key path inside the section → the variable that set it.
    overrides: BTreeMap<String, String>,
}

impl ConnectorSection {
    /// The connector's kind name (`fineract`, `ledger`, `memory`).
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The connector's own keys, without `kind`: what the factory's `validate` receives.
    pub fn settings(&self) -> &Table {
        &self.settings
    }

    /// The environment variable that set `key` (a path inside the section, `retry.max_attempts`),
    /// so an error about that key can name the variable rather than the file.
    pub fn overridden_by(&self, key: &str) -> Option<&str> {
        self.overrides.get(key).map(String::as_str)
    }

    pub(crate) fn record_override(&mut self, key: String, var: String) {
        self.overrides.insert(key, var);
    }
}

/// Shows the kind and the key names only: a value could be a credential written where a
/// `{ env = … }` reference belongs, and `Debug` output ends up in logs.
impl fmt::Debug for ConnectorSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorSection")
            .field("kind", &self.kind)
            .field("keys", &self.settings.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl<'de> Deserialize<'de> for ConnectorSection {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut settings = Table::deserialize(deserializer)?;
        let kind = match settings.remove("kind") {
            Some(Value::String(kind)) => kind,
            Some(_) => {
                return Err(D::Error::custom("`kind` must be a string naming the connector, e.g. kind = \"ledger\""));
            }
            None => return Err(D::Error::custom("has no `kind`: name the connector, e.g. kind = \"ledger\"")),
        };
        let valid = kind.starts_with(|c: char| c.is_ascii_lowercase())
            && kind.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !valid {
            return Err(D::Error::custom(format!(
                "kind '{kind}' is not a connector name: connector kinds are lowercase, e.g. \"fineract\" or \"ledger\""
            )));
        }
        Ok(ConnectorSection { kind, settings, overrides: BTreeMap::new() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_is_taken_out_and_the_rest_kept() {
        let section: ConnectorSection = toml::from_str("kind = \"ledger\"\npath = \"x.journal\"\n").unwrap();
        assert_eq!(section.kind(), "ledger");
        let expected: Table = toml::from_str("path = \"x.journal\"\n").unwrap();
        assert_eq!(section.settings(), &expected);
    }

    #[test]
    fn kind_is_required_and_checked() {
        let err = toml::from_str::<ConnectorSection>("path = \"x\"\n").unwrap_err();
        assert!(err.message().contains("has no `kind`"), "{err}");
        let err = toml::from_str::<ConnectorSection>("kind = \"Ledger\"\n").unwrap_err();
        assert!(err.message().contains("not a connector name"), "{err}");
    }

    #[test]
    fn debug_shows_keys_not_values() {
        let section: ConnectorSection = toml::from_str("kind = \"x\"\npassword = \"hunter2\"\n").unwrap();
        let debug = format!("{section:?}");
        assert!(debug.contains("password") && !debug.contains("hunter2"), "{debug}");
    }
}
