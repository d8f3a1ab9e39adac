//! What a connector's test tells the kit: how to configure it (well, and with bad
//! credentials), which secret values must never show, and the few facts a suite cannot guess.

use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use tieout_core::connector::{BuildError, ConnectorContext, Cursor, SecretRef, SinkFactory, SourceFactory};
use tieout_core::ids::AccountRef;

/// The typed config a factory validates into.
pub type ValidatedOf<F> = <F as SourceFactory>::Validated;
/// The typed config a sink factory validates into.
pub type SinkValidatedOf<F> = <F as SinkFactory>::Validated;

/// A source connector under test. Implemented in the connector's own `tests/`.
#[async_trait]
pub trait SourceHarness: Send + Sync {
    /// The connector's factory; the suites build through it as the registry does.
    type Factory: SourceFactory;

    /// A config section (its keys other than `kind`) with good credentials, pointing at data
    /// with at least 3 events (a few pages at [`SourceHarness::page_limit`]).
    fn config(&self) -> toml::Table;

    /// The same config with credentials the system refuses.
    fn bad_credentials(&self) -> toml::Table;

    /// The values of every secret the two configs name. The kit resolves secrets from these
    /// (never from the environment) and checks that no value ever shows in `Debug`, an error
    /// or a log line. Use values of at least 8 characters.
    fn secrets(&self) -> Vec<(SecretRef, String)>;

    /// `format!("{:?}", connector)` of the connector built from `validated` as its concrete
    /// type (e.g. `format!("{:?}", MySource::build(validated, cx)?)`).
    async fn built_debug(
        &self,
        validated: ValidatedOf<Self::Factory>,
        cx: &ConnectorContext,
    ) -> Result<String, BuildError>;

    /// A cursor positioned after the end of the data, as the source would issue it later
    /// (`None` skips the "future cursor" check).
    fn cursor_beyond_end(&self) -> Option<Cursor> {
        None
    }

    /// The page size the source suite asks for.
    fn page_limit(&self) -> usize {
        2
    }

    /// The date balances are read as of (default: the latest event date).
    fn balances_as_of(&self) -> Option<NaiveDate> {
        None
    }

    /// Calls (budget permits) a refused `check` may make: enough for one request and a token
    /// exchange, too few for a retry loop.
    fn max_calls_per_check(&self) -> u64 {
        3
    }

    /// How long one check may take before it counts as hanging.
    fn timeout(&self) -> Duration {
        Duration::from_secs(60)
    }
}

/// A config under which one account's entries fail on their own (a per-item failure inside a
/// successful response) while the others post.
pub struct PerItemFailure {
    pub config: toml::Table,
    /// Entries with a line on this account fail; it must be in the chart and active.
    pub account: AccountRef,
}

/// A sink connector under test. Implemented in the connector's own `tests/`.
#[async_trait]
pub trait SinkHarness: Send + Sync {
    type Factory: SinkFactory;

    /// A config section (its keys other than `kind`) with good credentials. Each build from it
    /// should start from the same books (a fresh in-memory ledger, a fresh mock); where it
    /// cannot, the suites still work because every check uses its own keys and compares
    /// trial balances before and after.
    fn config(&self) -> toml::Table;

    /// The same config with credentials the system refuses.
    fn bad_credentials(&self) -> toml::Table;

    /// The values of every secret the configs name (see [`SourceHarness::secrets`]).
    fn secrets(&self) -> Vec<(SecretRef, String)>;

    /// `format!("{:?}", connector)` of the connector built from `validated` as its concrete type.
    async fn built_debug(
        &self,
        validated: SinkValidatedOf<Self::Factory>,
        cx: &ConnectorContext,
    ) -> Result<String, BuildError>;

    /// How to provoke a per-item failure (`None` skips that check).
    fn per_item_failure(&self) -> Option<PerItemFailure> {
        None
    }

    /// The debit and credit accounts of the suite's test entries (default: the first two
    /// active accounts of the chart).
    fn accounts(&self) -> Option<(AccountRef, AccountRef)> {
        None
    }

    /// The date of the suite's test entries (default: 2026-10-05, or the day after the lock
    /// date if that is later).
    fn entry_date(&self) -> Option<NaiveDate> {
        None
    }

    /// See [`SourceHarness::max_calls_per_check`].
    fn max_calls_per_check(&self) -> u64 {
        3
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(60)
    }
}
