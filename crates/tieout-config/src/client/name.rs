//! A client's name: the stem of its file in `clients/`, used in URLs, job keys, CLI flags and
//! environment variable names, hence the narrow alphabet.

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Deserializer};
use tieout_core::ids::ClientId;

/// The longest name accepted; it ends up in file names and URL paths.
const MAX_LEN: usize = 63;

/// A valid client name: lowercase letters, digits and `-`, starting and ending with a letter or
/// digit, at most 63 characters (`acme-bank`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientName(String);

impl ClientName {
    /// Checks a name; the error says what is wrong and gives an example.
    pub fn parse(name: &str) -> Result<Self, String> {
        let valid_chars = name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let edges_ok = !name.starts_with('-') && !name.ends_with('-');
        if name.is_empty() || name.len() > MAX_LEN || !valid_chars || !edges_ok {
            return Err(format!(
                "'{name}' is not a client name: use 1 to {MAX_LEN} lowercase letters, digits and '-', \
                 starting and ending with a letter or digit (e.g. acme-bank)"
            ));
        }
        Ok(ClientName(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as it appears in `TIEOUT__CLIENTS__<NAME>__…` variables: upper case, `-` as `_`.
    /// Distinct names give distinct variable names, because `_` is not allowed in a name.
    pub fn env_name(&self) -> String {
        self.0.to_ascii_uppercase().replace('-', "_")
    }

    /// The client's id in the domain types.
    pub fn to_client_id(&self) -> ClientId {
        ClientId::new(self.0.as_str())
    }
}

impl fmt::Display for ClientName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ClientName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl Borrow<str> for ClientName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for ClientName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for ClientName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ClientName::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_narrow() {
        for good in ["demo", "acme-bank", "a1", "7"] {
            assert!(ClientName::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "Acme", "acme_bank", "-acme", "acme-", "acme bank", "acmé", &"a".repeat(64)] {
            assert!(ClientName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn env_names_are_upper_case_with_underscores() {
        assert_eq!(ClientName::parse("acme-bank-2").unwrap().env_name(), "ACME_BANK_2");
    }
}
