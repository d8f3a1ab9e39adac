//! `rules = …`: which posting rule set a client uses.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Deserializer};

/// A client's rule set: one of the two shipped with Tieout, or a file of the client's own.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub enum RulesChoice {
    /// Tieout's standard set (`config/rules/standard.toml`, embedded in the binary).
    #[default]
    Standard,
    /// Apache Fineract's own postings (`config/rules/fineract.toml`, embedded).
    Fineract,
    /// A rule-set file, relative to the config directory (`rules/acme.toml`).
    File(PathBuf),
}

impl RulesChoice {
    /// Reads the value of `rules`: `standard`, `fineract` or a path ending in `.toml`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "standard" => Ok(RulesChoice::Standard),
            "fineract" => Ok(RulesChoice::Fineract),
            path if path.ends_with(".toml") => Ok(RulesChoice::File(PathBuf::from(path))),
            other => Err(format!(
                "'{other}' is not a rule set: use \"standard\", \"fineract\" or the path of a rule file relative \
                 to the config directory, ending in .toml (e.g. \"rules/acme.toml\")"
            )),
        }
    }
}

impl fmt::Display for RulesChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RulesChoice::Standard => f.write_str("standard"),
            RulesChoice::Fineract => f.write_str("fineract"),
            RulesChoice::File(path) => write!(f, "{}", path.display()),
        }
    }
}

impl<'de> Deserialize<'de> for RulesChoice {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        RulesChoice::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths() {
        assert_eq!(RulesChoice::parse("fineract").unwrap(), RulesChoice::Fineract);
        assert_eq!(RulesChoice::parse("rules/acme.toml").unwrap(), RulesChoice::File("rules/acme.toml".into()));
        assert!(RulesChoice::parse("standrd").unwrap_err().starts_with("'standrd' is not a rule set"));
    }
}
