//! The memory sink's conformance harness and test helpers, shared by the test files.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use async_trait::async_trait;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sink_memory::{MemorySink, MemorySinkFactory, ValidatedMemorySink};
use tieout_conformance::{PerItemFailure, SinkHarness};
use tieout_core::connector::{BuildError, ConnectorContext, LedgerAccount, Posting, SecretRef};
use tieout_core::entry::{EntryBuilder, EntryHeader, EntryKey, JournalEntry, LineSource, Side};
use tieout_core::event::EventKind;
use tieout_core::ids::{AccountRef, EventId};
use tieout_core::money::{Currency, Money};
use tieout_core::role::{AccountType, Role};

pub const GOOD_TOKEN: &str = "memory-sink-demo-token";
pub const GOOD_TOKEN_SHA256: &str = "49c55005100e3a819746c485af014501ce144f2e70e02755deddd62b147256b4";
pub const WRONG_TOKEN: &str = "not-the-memory-sink-token";

/// The test chart, as config.
pub const ACCOUNTS: &str = r#"accounts = [
    { account = "Cash", name = "Cash at bank", type = "asset" },
    { account = "Loans", type = "asset" },
    { account = "IntInc", type = "income" },
    { account = "Broken", type = "asset" },
    { account = "OldSuspense", type = "asset", active = false },
]"#;

/// A config section (without `kind`) presenting the token of `env`, plus `extra` lines.
pub fn config(env: &str, extra: &str) -> toml::Table {
    let text = format!(
        r#"
        max_batch = 3
        currencies = ["USD"]
        dimensions = ["class"]
        lock_date = "2026-06-30"
        idempotency_window_secs = 300
        token = {{ env = "{env}" }}
        accepted_token_sha256 = "{GOOD_TOKEN_SHA256}"
        {ACCOUNTS}
        {extra}
        "#
    );
    toml::from_str(&text).expect("test config is TOML")
}

/// The memory sink as every sink suite sees it; with `state_file`, its ledger persists there.
pub struct Harness {
    pub state_file: Option<PathBuf>,
    /// Replaces the config's idempotency window (e.g. `idempotency_window_posts = 0`).
    pub idempotency: Option<&'static str>,
}

impl Harness {
    pub fn in_memory() -> Self {
        Harness { state_file: None, idempotency: None }
    }

    fn extra(&self) -> String {
        match &self.state_file {
            Some(path) => format!("state_file = {:?}", path.display().to_string()),
            None => String::new(),
        }
    }

    fn adjust(&self, mut table: toml::Table) -> toml::Table {
        if let Some(window) = self.idempotency {
            table.remove("idempotency_window_secs");
            let extra: toml::Table = toml::from_str(window).expect("idempotency override is TOML");
            table.extend(extra);
        }
        table
    }
}

#[async_trait]
impl SinkHarness for Harness {
    type Factory = MemorySinkFactory;

    fn config(&self) -> toml::Table {
        self.adjust(config("MEMORY_SINK_TOKEN", &self.extra()))
    }

    fn bad_credentials(&self) -> toml::Table {
        self.adjust(config("MEMORY_SINK_WRONG_TOKEN", &self.extra()))
    }

    fn secrets(&self) -> Vec<(SecretRef, String)> {
        vec![
            (SecretRef::Env("MEMORY_SINK_TOKEN".into()), GOOD_TOKEN.into()),
            (SecretRef::Env("MEMORY_SINK_WRONG_TOKEN".into()), WRONG_TOKEN.into()),
        ]
    }

    async fn built_debug(&self, validated: ValidatedMemorySink, cx: &ConnectorContext) -> Result<String, BuildError> {
        Ok(format!("{:?}", MemorySink::build(validated, cx)?))
    }

    fn per_item_failure(&self) -> Option<PerItemFailure> {
        let extra = format!("{}\nfaults = {{ fail_accounts = [\"Broken\"] }}", self.extra());
        Some(PerItemFailure { config: self.adjust(config("MEMORY_SINK_TOKEN", &extra)), account: "Broken".into() })
    }

    fn accounts(&self) -> Option<(AccountRef, AccountRef)> {
        Some(("Loans".into(), "Cash".into()))
    }
}

pub fn usd() -> Currency {
    Currency::new("USD").unwrap()
}

pub fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

/// A balanced entry debiting `debit` and crediting `credit`, keyed by `tag`.
pub fn entry_on(tag: &str, amount: i64, debit: &str, credit: &str, day: NaiveDate, currency: Currency) -> JournalEntry {
    let header =
        EntryHeader { date: day, currency, kind: EventKind::Disbursement, memo: format!("test {tag}"), postable: true };
    let source = LineSource {
        product: "p".into(),
        office: Some("HQ".into()),
        loan: None,
        events: vec![EventId::from(tag)].into(),
    };
    let money = Money::new(Decimal::from(amount), currency);
    let mut builder = EntryBuilder::new(header);
    builder.push(Side::Debit, money, Role::LoanPortfolio, debit.into(), source.clone()).push(
        Side::Credit,
        money,
        Role::FundSource,
        credit.into(),
        source,
    );
    builder.build(EntryKey::from_raw(format!("t-{tag}"))).unwrap()
}

/// Loans ← Cash on 2026-10-05 in USD.
pub fn entry(tag: &str, amount: i64) -> JournalEntry {
    entry_on(tag, amount, "Loans", "Cash", date(10, 5), usd())
}

pub fn postings(entries: &[JournalEntry]) -> Vec<Posting<'_>> {
    entries.iter().map(|entry| Posting { entry, dimensions: BTreeMap::new() }).collect()
}

pub fn chart() -> Vec<LedgerAccount> {
    let account = |name: &str, account_type, active| LedgerAccount {
        account: name.into(),
        name: name.into(),
        account_type: Some(account_type),
        active,
        currency: None,
    };
    vec![
        account("Cash", AccountType::Asset, true),
        account("Loans", AccountType::Asset, true),
        account("IntInc", AccountType::Income, true),
        account("Broken", AccountType::Asset, true),
        account("OldSuspense", AccountType::Asset, false),
    ]
}
