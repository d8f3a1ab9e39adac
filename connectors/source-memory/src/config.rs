//! The `memory` source's config, its pure validation and its factory.

use std::path::PathBuf;

use async_trait::async_trait;
use serde::Deserialize;
use tieout_core::connector::{
    BuildError, ConfigError, ConnectorContext, ConnectorRole, SecretRef, ServicingSource, SourceFactory,
};
use tieout_core::money::Currency;
use tieout_core::role::{AccountingRule, DayCount};

use crate::source::MemorySource;

const KIND: &str = "memory";

/// `[source] kind = "memory"`.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct MemorySourceConfig {
    /// Canonical events as JSON Lines, read strictly when the source is built.
    pub events_file: PathBuf,
    /// Loan balances as JSON Lines ([`crate::BalanceLine`]); none when absent.
    pub balances_file: Option<PathBuf>,
    /// Repayment schedules as JSON Lines ([`crate::ScheduleLine`]); none when absent.
    pub schedules_file: Option<PathBuf>,
    /// The largest page returned, whatever limit is asked (default 100).
    pub page_size: Option<usize>,
    /// Whether the source runs its own accruals (default false).
    #[serde(default)]
    pub accrues: bool,
    /// The credential presented to the source.
    pub token: Option<SecretRef>,
    /// SHA-256 (64 hex digits) of the only token the source accepts.
    pub accepted_token_sha256: Option<String>,
    /// The products; by default one per product named in the events.
    pub products: Option<Vec<ProductConfig>>,
}

/// One product of `products = [...]`.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct ProductConfig {
    pub id: String,
    /// Display name (default: the id).
    pub name: Option<String>,
    pub currency: Currency,
    /// The source's own accounting rule for the product, if it has one.
    pub accounting_rule: Option<AccountingRule>,
    /// Default `actual/actual`.
    pub day_count: Option<DayCount>,
    #[serde(default)]
    pub accrual_activity_posting: bool,
}

/// A checked config, ready for `build`.
#[derive(Debug, Clone)]
pub struct ValidatedMemorySource {
    pub(crate) config: MemorySourceConfig,
    pub(crate) page_size: usize,
    pub(crate) credential: Option<(SecretRef, [u8; 32])>,
}

/// Default and largest allowed page size.
const DEFAULT_PAGE_SIZE: usize = 100;
const MAX_PAGE_SIZE: usize = 10_000;

/// The `memory` source's factory.
pub struct MemorySourceFactory;

fn error(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::new(ConnectorRole::Source, KIND, Some(key), message)
}

/// Parses 64 hex digits.
pub(crate) fn parse_sha256(hex: &str) -> Option<[u8; 32]> {
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        let digit = |b: u8| char::from(b).to_digit(16);
        let (hi, lo) = (digit(pair[0])?, digit(pair[1])?);
        out[i] = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

impl MemorySourceConfig {
    fn check(self) -> Result<ValidatedMemorySource, ConfigError> {
        if self.events_file.as_os_str().is_empty() {
            return Err(error("events_file", "must name a JSON Lines file of canonical events"));
        }
        let page_size = self.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if page_size == 0 || page_size > MAX_PAGE_SIZE {
            return Err(error("page_size", format!("must be between 1 and {MAX_PAGE_SIZE}, not {page_size}")));
        }
        let credential = match (&self.token, &self.accepted_token_sha256) {
            (None, None) => None,
            (Some(_), None) => {
                return Err(error(
                    "accepted_token_sha256",
                    "is missing: with a token, give the SHA-256 of the accepted value (printf %s \"$TOKEN\" | sha256sum)",
                ));
            }
            (None, Some(_)) => {
                return Err(error(
                    "token",
                    "is missing: accepted_token_sha256 needs a token = { env = \"…\" } to check",
                ));
            }
            (Some(token), Some(hex)) => {
                let digest = parse_sha256(hex)
                    .ok_or_else(|| error("accepted_token_sha256", "must be 64 hex digits (the output of sha256sum)"))?;
                Some((token.clone(), digest))
            }
        };
        if let Some(products) = &self.products {
            let mut seen = std::collections::BTreeSet::new();
            for (i, product) in products.iter().enumerate() {
                if product.id.trim().is_empty() {
                    return Err(error(&format!("products[{i}].id"), "must not be empty"));
                }
                if !seen.insert(product.id.as_str()) {
                    return Err(error(
                        &format!("products[{i}].id"),
                        format!("product '{}' is listed twice", product.id),
                    ));
                }
            }
        }
        Ok(ValidatedMemorySource { config: self, page_size, credential })
    }
}

#[async_trait]
impl SourceFactory for MemorySourceFactory {
    const KIND: &'static str = KIND;
    type Config = MemorySourceConfig;
    type Validated = ValidatedMemorySource;

    fn example() -> &'static str {
        crate::EXAMPLE
    }

    fn validate(config: MemorySourceConfig) -> Result<ValidatedMemorySource, ConfigError> {
        config.check()
    }

    async fn build(
        validated: ValidatedMemorySource,
        cx: &ConnectorContext,
    ) -> Result<Box<dyn ServicingSource>, BuildError> {
        Ok(Box::new(MemorySource::build(validated, cx)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tieout_core::connector::parse_config;

    fn validate(text: &str) -> Result<ValidatedMemorySource, ConfigError> {
        let table: toml::Table = toml::from_str(text).unwrap();
        parse_config::<MemorySourceConfig>(ConnectorRole::Source, KIND, table).and_then(MemorySourceConfig::check)
    }

    #[test]
    fn the_example_validates() {
        let mut table: toml::Table = toml::from_str(crate::EXAMPLE).unwrap();
        assert_eq!(table.remove("kind").and_then(|k| k.as_str().map(str::to_owned)).as_deref(), Some("memory"));
        let validated = parse_config::<MemorySourceConfig>(ConnectorRole::Source, KIND, table)
            .and_then(MemorySourceConfig::check)
            .unwrap();
        assert_eq!(validated.page_size, 100);
        assert!(validated.credential.is_some());
    }

    #[test]
    fn wrong_configs_name_the_key() {
        let err = validate("events_file = \"e.jsonl\"\npage_size = 0").unwrap_err();
        assert_eq!(err.key.as_deref(), Some("page_size"));
        let err = validate("events_file = \"e.jsonl\"\ntoken = { env = \"T\" }").unwrap_err();
        assert_eq!(err.key.as_deref(), Some("accepted_token_sha256"));
        let err = validate("events_file = \"e.jsonl\"\ntoken = { env = \"T\" }\naccepted_token_sha256 = \"abc\"")
            .unwrap_err();
        assert!(err.to_string().contains("64 hex digits"), "{err}");
        let err = validate("events_file = \"e.jsonl\"\npage_sise = 3").unwrap_err();
        assert!(err.to_string().contains("page_sise"), "{err}");
    }

    #[test]
    fn sha256_hex_parses() {
        let digest = parse_sha256("8e014a3b71645fad5827c1f3be958271b9d8720b113e408df437f1f093920087").unwrap();
        assert_eq!(digest[0], 0x8e);
        assert_eq!(digest[31], 0x87);
        assert!(parse_sha256("zz014a3b71645fad5827c1f3be958271b9d8720b113e408df437f1f093920087").is_none());
    }
}
