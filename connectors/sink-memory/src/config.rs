//! The `memory` sink's config, its pure validation and its factory.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tieout_core::connector::{
    AccountingSink, BuildError, ConfigError, ConnectorContext, ConnectorRole, CurrencySupport, ExposeSecret,
    LedgerAccount, SecretRef, SecretString, SinkFactory,
};
use tieout_core::money::Currency;
use tieout_core::role::AccountType;

use crate::sink::{Faults, IdempotencyWindow, MemorySink, Settings};

const KIND: &str = "memory";

/// `[sink] kind = "memory"`.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct MemorySinkConfig {
    /// Append-only JSON Lines file the ledger persists in (shared by every process that opens
    /// it); in memory only when absent.
    pub state_file: Option<PathBuf>,
    /// Entries per post call (default 100).
    pub max_batch: Option<usize>,
    /// Currencies the sink books; any when absent.
    pub currencies: Option<Vec<Currency>>,
    /// Dimension names the sink understands on a line (`class`, `location`).
    #[serde(default)]
    pub dimensions: Vec<String>,
    /// Entries dated on or before it are refused.
    pub lock_date: Option<NaiveDate>,
    /// Idempotency keys expire this many seconds after their post (by the context clock).
    pub idempotency_window_secs: Option<u64>,
    /// Idempotency keys expire once this many entries have been posted after them.
    pub idempotency_window_posts: Option<u64>,
    /// The credential presented to the sink.
    pub token: Option<SecretRef>,
    /// SHA-256 (64 hex digits) of the only token the sink accepts.
    pub accepted_token_sha256: Option<String>,
    /// The chart of accounts.
    #[serde(default)]
    pub accounts: Vec<AccountConfig>,
    /// Simulated faults.
    #[serde(default)]
    pub faults: FaultsConfig,
}

/// One account of `accounts = [...]`.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// The account reference a mapping names (a code or a name).
    pub account: String,
    /// Display name (default: the reference).
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub account_type: Option<AccountType>,
    /// Default true.
    pub active: Option<bool>,
    /// The account's currency, where it is tied to one.
    pub currency: Option<Currency>,
}

/// `faults = { … }`.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct FaultsConfig {
    /// Entries with a line on one of these accounts fail per item.
    #[serde(default)]
    pub fail_accounts: Vec<String>,
    /// Entries with one of these keys fail per item.
    #[serde(default)]
    pub fail_keys: Vec<String>,
    /// Every n-th post call writes, then answers "unavailable" (a timeout after the write).
    pub timeout_after_write_every: Option<u64>,
    /// Every n-th call answers "rate limited".
    pub rate_limited_every: Option<u64>,
    /// The retry-after of a simulated rate limit (default 1).
    pub retry_after_secs: Option<u64>,
}

/// A checked config, ready for `build`.
#[derive(Debug, Clone)]
pub struct ValidatedMemorySink {
    pub(crate) settings: Settings,
    pub(crate) credential: Option<(SecretRef, [u8; 32])>,
}

/// The `memory` sink's factory.
pub struct MemorySinkFactory;

const DEFAULT_MAX_BATCH: usize = 100;

fn error(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::new(ConnectorRole::Sink, KIND, Some(key), message)
}

/// Parses 64 hex digits.
fn parse_sha256(hex: &str) -> Option<[u8; 32]> {
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        let digit = |b: u8| char::from(b).to_digit(16);
        out[i] = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()?;
    }
    Some(out)
}

/// Whether the token's SHA-256 is the accepted one.
pub(crate) fn token_matches(token: &SecretString, accepted: &[u8; 32]) -> bool {
    let digest: [u8; 32] = Sha256::digest(token.expose_secret().as_bytes()).into();
    &digest == accepted
}

impl MemorySinkConfig {
    fn check(self) -> Result<ValidatedMemorySink, ConfigError> {
        let max_batch = self.max_batch.unwrap_or(DEFAULT_MAX_BATCH);
        if max_batch == 0 {
            return Err(error("max_batch", "must be at least 1"));
        }
        let currencies = match self.currencies {
            None => CurrencySupport::Any,
            Some(list) if list.is_empty() => {
                return Err(error("currencies", "must list at least one currency, or be left out for any currency"));
            }
            Some(list) => CurrencySupport::Enabled(list),
        };
        let idempotency = match (self.idempotency_window_secs, self.idempotency_window_posts) {
            (None, None) => IdempotencyWindow::Forever,
            (Some(secs), None) => IdempotencyWindow::Time(Duration::from_secs(secs)),
            (None, Some(posts)) => IdempotencyWindow::Posts(posts),
            (Some(_), Some(_)) => {
                return Err(error(
                    "idempotency_window_posts",
                    "give idempotency_window_secs or idempotency_window_posts, not both",
                ));
            }
        };
        let credential = match (self.token, self.accepted_token_sha256) {
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
                let digest = parse_sha256(&hex)
                    .ok_or_else(|| error("accepted_token_sha256", "must be 64 hex digits (the output of sha256sum)"))?;
                Some((token, digest))
            }
        };
        let mut seen = BTreeSet::new();
        let mut accounts = Vec::with_capacity(self.accounts.len());
        for (i, account) in self.accounts.into_iter().enumerate() {
            if account.account.trim().is_empty() {
                return Err(error(&format!("accounts[{i}].account"), "must not be empty"));
            }
            if !seen.insert(account.account.clone()) {
                return Err(error(
                    &format!("accounts[{i}].account"),
                    format!("account '{}' is listed twice", account.account),
                ));
            }
            accounts.push(LedgerAccount {
                name: account.name.unwrap_or_else(|| account.account.clone()),
                account: account.account.into(),
                account_type: account.account_type,
                active: account.active.unwrap_or(true),
                currency: account.currency,
            });
        }
        for (i, name) in self.dimensions.iter().enumerate() {
            if name.trim().is_empty() {
                return Err(error(&format!("dimensions[{i}]"), "must not be empty"));
            }
        }
        let f = self.faults;
        for (key, value) in [
            ("faults.timeout_after_write_every", f.timeout_after_write_every),
            ("faults.rate_limited_every", f.rate_limited_every),
        ] {
            if value == Some(0) {
                return Err(error(key, "must be at least 1 (every n-th call), or be left out"));
            }
        }
        let faults = Faults {
            fail_accounts: f.fail_accounts.into_iter().map(Into::into).collect(),
            fail_keys: f.fail_keys.into_iter().map(tieout_core::entry::EntryKey::from_raw).collect(),
            timeout_after_write_every: f.timeout_after_write_every,
            rate_limited_every: f.rate_limited_every,
            retry_after: Duration::from_secs(f.retry_after_secs.unwrap_or(1)),
        };
        let settings = Settings {
            accounts,
            currencies,
            dimensions: self.dimensions,
            max_batch,
            lock_date: self.lock_date,
            idempotency,
            faults,
            refuse_credentials: false,
            state_file: self.state_file,
        };
        Ok(ValidatedMemorySink { settings, credential })
    }
}

#[async_trait]
impl SinkFactory for MemorySinkFactory {
    const KIND: &'static str = KIND;
    type Config = MemorySinkConfig;
    type Validated = ValidatedMemorySink;

    fn example() -> &'static str {
        crate::EXAMPLE
    }

    fn validate(config: MemorySinkConfig) -> Result<ValidatedMemorySink, ConfigError> {
        config.check()
    }

    async fn build(
        validated: ValidatedMemorySink,
        cx: &ConnectorContext,
    ) -> Result<Box<dyn AccountingSink>, BuildError> {
        Ok(Box::new(MemorySink::build(validated, cx)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tieout_core::connector::parse_config;

    fn validate(text: &str) -> Result<ValidatedMemorySink, ConfigError> {
        let table: toml::Table = toml::from_str(text).unwrap();
        parse_config::<MemorySinkConfig>(ConnectorRole::Sink, KIND, table).and_then(MemorySinkConfig::check)
    }

    #[test]
    fn the_example_validates() {
        let mut table: toml::Table = toml::from_str(crate::EXAMPLE).unwrap();
        assert_eq!(table.remove("kind").and_then(|k| k.as_str().map(str::to_owned)).as_deref(), Some("memory"));
        let validated = parse_config::<MemorySinkConfig>(ConnectorRole::Sink, KIND, table)
            .and_then(MemorySinkConfig::check)
            .unwrap();
        assert_eq!(validated.settings.max_batch, 25);
        assert!(validated.settings.accounts.iter().any(|a| !a.active));
        assert_eq!(validated.settings.idempotency, IdempotencyWindow::Time(Duration::from_secs(300)));
    }

    #[test]
    fn faults_parse() {
        let v = validate(
            "faults = { fail_accounts = [\"Broken\"], fail_keys = [\"t0\"], timeout_after_write_every = 3, \
             rate_limited_every = 5, retry_after_secs = 2 }",
        )
        .unwrap();
        let f = v.settings.faults;
        assert_eq!(f.fail_accounts, vec![tieout_core::ids::AccountRef::from("Broken")]);
        assert_eq!(f.timeout_after_write_every, Some(3));
        assert_eq!(f.rate_limited_every, Some(5));
        assert_eq!(f.retry_after, Duration::from_secs(2));
    }

    #[test]
    fn wrong_configs_name_the_key() {
        let err = validate("max_batch = 0").unwrap_err();
        assert_eq!(err.key.as_deref(), Some("max_batch"));
        let err = validate("idempotency_window_secs = 1\nidempotency_window_posts = 1").unwrap_err();
        assert_eq!(err.key.as_deref(), Some("idempotency_window_posts"));
        let err = validate("accounts = [{ account = \"Cash\" }, { account = \"Cash\" }]").unwrap_err();
        assert_eq!(err.key.as_deref(), Some("accounts[1].account"));
        let err = validate("faults = { timeout_after_write_every = 0 }").unwrap_err();
        assert_eq!(err.key.as_deref(), Some("faults.timeout_after_write_every"));
        let err = validate("accounts = [{ account = \"Cash\", type = \"assets\" }]").unwrap_err();
        assert!(err.to_string().contains("unknown account type 'assets'"), "{err}");
        let err = validate("faults = { fail_acounts = [] }").unwrap_err();
        assert!(err.to_string().contains("fail_acounts"), "{err}");
    }
}
