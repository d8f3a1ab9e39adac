//! The `ledger` sink's config, its pure validation and its factory.

use std::collections::BTreeSet;
use std::path::PathBuf;

use async_trait::async_trait;
use chrono::NaiveDate;
use serde::Deserialize;
use tieout_core::connector::{
    AccountingSink, BuildError, ConfigError, ConnectorContext, ConnectorRole, CurrencySupport, SinkFactory,
};
use tieout_core::money::Currency;

use crate::read::unwritable_account;
use crate::sink::{LedgerSink, Settings};

/// The connector's kind name.
pub const KIND: &str = "ledger";

/// `[sink] kind = "ledger"`: an hledger journal file.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct LedgerSinkConfig {
    /// The journal file (relative to the working directory unless absolute).
    pub path: PathBuf,
    /// Create the file (and its folder) with a short header when it is missing. Default true.
    #[serde(default = "default_create")]
    pub create: bool,
    /// Entries dated on or before it are refused, each on its own. A `; tieout:lock-date DATE`
    /// line in the journal sets one too; the later of the two applies.
    pub lock_date: Option<NaiveDate>,
    /// Currencies (hledger commodities) the sink books; any ISO 4217 code when absent. A batch
    /// with another currency is refused whole, before anything is written.
    pub currencies: Option<Vec<Currency>>,
    /// Accounts declared (`account NAME`) in the journal when it is opened, if it lacks them.
    #[serde(default)]
    pub declare_accounts: Vec<String>,
    /// When false (the default), an entry on an account the journal does not declare is
    /// refused on its own, so a mapping mistake shows before anything is booked; when true,
    /// the sink declares the account in the journal, right before the entry.
    #[serde(default)]
    pub declare_new_accounts: bool,
    /// Entries per post call, appended in one write and one fsync. Default 100.
    pub max_batch: Option<usize>,
    /// Dimension names written as posting tags (`class:Headquarters`). Default
    /// `["class", "location"]`; a post with another dimension is refused whole.
    pub dimensions: Option<Vec<String>>,
}

fn default_create() -> bool {
    true
}

/// A checked config, ready for `build`.
#[derive(Debug, Clone)]
pub struct ValidatedLedgerSink {
    pub(crate) settings: Settings,
}

impl ValidatedLedgerSink {
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}

/// The `ledger` sink's factory.
pub struct LedgerSinkFactory;

/// Entries per post call when `max_batch` is not given.
pub const DEFAULT_MAX_BATCH: usize = 100;
/// The largest `max_batch`: a batch is one write held in memory.
const MAX_BATCH_LIMIT: usize = 10_000;

fn error(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::new(ConnectorRole::Sink, KIND, Some(key), message)
}

/// A dimension name must be an hledger tag name.
fn is_tag_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

impl LedgerSinkConfig {
    fn check(self) -> Result<ValidatedLedgerSink, ConfigError> {
        if self.path.as_os_str().is_empty() {
            return Err(error("path", "must name the journal file, e.g. \"data/books.journal\""));
        }
        if self.path.to_str().is_some_and(|p| p.ends_with('/')) {
            return Err(error("path", "names a folder: name the journal file in it, e.g. \"data/books.journal\""));
        }
        let max_batch = self.max_batch.unwrap_or(DEFAULT_MAX_BATCH);
        if max_batch == 0 || max_batch > MAX_BATCH_LIMIT {
            return Err(error("max_batch", format!("must be between 1 and {MAX_BATCH_LIMIT}")));
        }
        let currencies = match self.currencies {
            None => CurrencySupport::Any,
            Some(list) if list.is_empty() => {
                return Err(error("currencies", "must list at least one currency, or be left out for any currency"));
            }
            Some(list) => {
                let unique: BTreeSet<&Currency> = list.iter().collect();
                if unique.len() != list.len() {
                    return Err(error("currencies", "lists a currency twice"));
                }
                CurrencySupport::Enabled(list)
            }
        };
        let mut seen = BTreeSet::new();
        for (i, account) in self.declare_accounts.iter().enumerate() {
            let key = format!("declare_accounts[{i}]");
            if let Some(why) = unwritable_account(account) {
                return Err(error(&key, format!("'{account}' cannot be an hledger account name: {why}")));
            }
            if !seen.insert(account) {
                return Err(error(&key, format!("'{account}' is listed twice")));
            }
        }
        let dimensions = self.dimensions.unwrap_or_else(|| vec!["class".into(), "location".into()]);
        let mut seen = BTreeSet::new();
        for (i, name) in dimensions.iter().enumerate() {
            let key = format!("dimensions[{i}]");
            if !is_tag_name(name) {
                return Err(error(
                    &key,
                    format!("'{name}' must be letters, digits, '_' or '-' (it becomes a tag name)"),
                ));
            }
            if !seen.insert(name) {
                return Err(error(&key, format!("'{name}' is listed twice")));
            }
        }
        let settings = Settings {
            path: self.path,
            create: self.create,
            lock_date: self.lock_date,
            currencies,
            declare_accounts: self.declare_accounts,
            declare_new_accounts: self.declare_new_accounts,
            max_batch,
            dimensions,
        };
        Ok(ValidatedLedgerSink { settings })
    }
}

#[async_trait]
impl SinkFactory for LedgerSinkFactory {
    const KIND: &'static str = KIND;
    type Config = LedgerSinkConfig;
    type Validated = ValidatedLedgerSink;

    fn example() -> &'static str {
        crate::EXAMPLE
    }

    fn validate(config: LedgerSinkConfig) -> Result<ValidatedLedgerSink, ConfigError> {
        config.check()
    }

    /// Builds the sink without touching the file: the first call opens it (see `check`).
    async fn build(
        validated: ValidatedLedgerSink,
        cx: &ConnectorContext,
    ) -> Result<Box<dyn AccountingSink>, BuildError> {
        Ok(Box::new(LedgerSink::build(validated, cx)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tieout_core::connector::parse_config;

    fn validate(text: &str) -> Result<ValidatedLedgerSink, ConfigError> {
        let table: toml::Table = toml::from_str(text).unwrap();
        parse_config::<LedgerSinkConfig>(ConnectorRole::Sink, KIND, table).and_then(LedgerSinkConfig::check)
    }

    #[test]
    fn the_example_validates_and_defaults_are_documented() {
        let mut table: toml::Table = toml::from_str(crate::EXAMPLE).unwrap();
        assert_eq!(table.remove("kind").and_then(|k| k.as_str().map(str::to_owned)).as_deref(), Some("ledger"));
        let v = parse_config::<LedgerSinkConfig>(ConnectorRole::Sink, KIND, table)
            .and_then(LedgerSinkConfig::check)
            .unwrap();
        assert_eq!(v.settings.lock_date, NaiveDate::from_ymd_opt(2026, 6, 30));
        assert_eq!(v.settings.declare_accounts.len(), 3);

        let v = validate("path = \"books.journal\"").unwrap().settings;
        assert!(v.create && !v.declare_new_accounts);
        assert_eq!((v.max_batch, v.currencies, v.lock_date), (DEFAULT_MAX_BATCH, CurrencySupport::Any, None));
        assert_eq!(v.dimensions, ["class", "location"]);
    }

    #[test]
    fn wrong_configs_name_the_key() {
        for (text, key, says) in [
            ("", None, "missing field `path`"),
            ("path = \"\"", Some("path"), "must name the journal"),
            ("path = \"data/\"", Some("path"), "names a folder"),
            ("path = \"j\"\nmax_batch = 0", Some("max_batch"), "between 1 and"),
            ("path = \"j\"\ncurrencies = []", Some("currencies"), "at least one"),
            ("path = \"j\"\ncurrencies = [\"usd\"]", Some("currencies[0]"), "ISO 4217"),
            ("path = \"j\"\ncurrencies = [\"USD\", \"USD\"]", Some("currencies"), "twice"),
            ("path = \"j\"\ndeclare_accounts = [\"Assets:Bank  Old\"]", Some("declare_accounts[0]"), "two spaces"),
            ("path = \"j\"\ndeclare_accounts = [\"A\", \"A\"]", Some("declare_accounts[1]"), "twice"),
            ("path = \"j\"\ndimensions = [\"cost centre\"]", Some("dimensions[0]"), "tag name"),
            ("path = \"j\"\nlock_date = \"June\"", Some("lock_date"), "input contains invalid characters"),
            (
                "path = \"j\"\ndeclare_new_acounts = true",
                Some("declare_new_acounts"),
                "unknown field `declare_new_acounts`",
            ),
        ] {
            let err = validate(text).unwrap_err();
            assert_eq!(err.key.as_deref(), key, "{text}: {err}");
            assert!(err.to_string().contains(says), "{text}: {err}");
        }
    }
}
