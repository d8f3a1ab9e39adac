//! The accounting-sink side: where entries are posted and trial balances read.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::SinkError;
use crate::entry::{EntryKey, JournalEntry};
use crate::ids::{AccountRef, ExternalRef};
use crate::money::Currency;
use crate::role::AccountType;

/// An account of the sink's chart.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LedgerAccount {
    pub account: AccountRef,
    pub name: String,
    pub account_type: Option<AccountType>,
    pub active: bool,
    /// The account's currency where the sink ties accounts to one.
    pub currency: Option<Currency>,
}

/// An account's balance in one currency: debits minus credits.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AccountBalance {
    pub account: AccountRef,
    pub currency: Currency,
    pub balance: Decimal,
}

/// Which currencies a sink can book.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub enum CurrencySupport {
    /// Any currency.
    #[default]
    Any,
    /// Only the organisation's base currency (Xero manual journals).
    BaseOnly(Currency),
    /// A fixed set (QuickBooks with multicurrency: the enabled ones).
    Enabled(Vec<Currency>),
}

impl CurrencySupport {
    pub fn allows(&self, currency: Currency) -> bool {
        match self {
            CurrencySupport::Any => true,
            CurrencySupport::BaseOnly(base) => *base == currency,
            CurrencySupport::Enabled(list) => list.contains(&currency),
        }
    }
}

/// A sink's API budget.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RateLimit {
    pub per_minute: Option<u32>,
    pub concurrent: Option<u32>,
    pub per_day: Option<u32>,
}

/// What a sink can take.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SinkCapabilities {
    /// Entries per post call (1 where the sink has no batch endpoint).
    pub max_batch: usize,
    pub rate_limit: Option<RateLimit>,
    /// Dimension names the sink understands on a line (`class`, `location`, `tracking`).
    pub dimensions: Vec<String>,
    pub currencies: CurrencySupport,
    /// How long the sink itself remembers an idempotency key; after that only `find_posted`
    /// protects against a second post.
    pub idempotency_window: Option<Duration>,
}

/// Dimensions per office, passed to the sink on each line (`class = "Headquarters"`).
pub type Dimensions = BTreeMap<String, String>;

/// An entry as the sink receives it: the entry plus the dimensions its offices map to.
#[derive(Clone, Debug)]
pub struct Posting<'a> {
    pub entry: &'a JournalEntry,
    /// Dimensions by office name for the offices on the entry's lines.
    pub dimensions: BTreeMap<String, Dimensions>,
}

/// Why one entry of a batch was not posted.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PostFailure {
    pub message: String,
    pub retryable: bool,
}

/// The outcome of one entry of a batch.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PostOutcome {
    pub key: EntryKey,
    pub result: Result<ExternalRef, PostFailure>,
}

/// An accounting package Tieout posts to. Object-safe.
#[async_trait]
pub trait AccountingSink: Send + Sync {
    /// The connector's kind name (`ledger`, `quickbooks`, `xero`).
    fn kind(&self) -> &'static str;

    fn capabilities(&self) -> SinkCapabilities;

    async fn check(&self) -> Result<(), SinkError>;

    async fn chart_of_accounts(&self) -> Result<Vec<LedgerAccount>, SinkError>;

    /// The date on or before which the books are closed, if any.
    async fn lock_date(&self) -> Result<Option<NaiveDate>, SinkError>;

    /// Posts up to `capabilities().max_batch` entries; one outcome per entry, in order. An
    /// entry's failure never marks the others failed.
    async fn post(&self, batch: &[Posting<'_>]) -> Result<Vec<PostOutcome>, SinkError>;

    /// Finds an entry already posted under `key` (after a crash or a timeout).
    async fn find_posted(&self, key: &EntryKey) -> Result<Option<ExternalRef>, SinkError>;

    async fn trial_balance(&self, as_of: NaiveDate) -> Result<Vec<AccountBalance>, SinkError>;
}
