//! What the month-close suites share: the example book (events, mapping, a chart with every
//! account it names), memory sinks, and a store of its own per test, on SQLite or Postgres
//! ([`on_both!`], the store's `tieout_store::on_both`, runs each test body, which takes the
//! `Backend`, on both; Postgres at `TIEOUT_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`, a fresh schema per test).

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use sink_memory::{MemorySink, Settings};
use source_memory::MemorySource;
use tieout_core::connector::LedgerAccount;
use tieout_core::entry::EntryKey;
use tieout_core::entry::JournalEntry;
use tieout_core::event::{Event, parse_event_line, parse_events};
use tieout_core::ids::{ClientId, EventId};
use tieout_engine::mapping::MappingFile;
use tieout_engine::rules::RuleSet;
use tieout_engine::summarize::DetailLevel;
use tieout_period::{Books, SendOptions, propose};
pub use tieout_store::on_both;
use tieout_store::testing::TestStore;
use tieout_store::{Backend, PeriodStatus, Store, YearMonth};

pub const OCTOBER: &str = "2026-10";
pub const NOVEMBER: &str = "2026-11";

pub fn repo_file(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

pub fn example_events() -> Vec<Event> {
    let text = std::fs::read_to_string(repo_file("config/examples/events.jsonl")).unwrap();
    parse_events(&text).collect::<Result<Vec<_>, _>>().unwrap()
}

pub fn mapping_text() -> String {
    std::fs::read_to_string(repo_file("config/examples/mapping.toml")).unwrap()
}

pub fn good_mapping() -> MappingFile {
    MappingFile::from_toml(&mapping_text(), "mapping.toml").unwrap()
}

/// The example mapping without an account for interest income (needed by the October accrual).
pub fn broken_mapping() -> MappingFile {
    let text = mapping_text().replace("interest_income = \"Income:Interest\"\n", "");
    MappingFile::from_toml(&text, "mapping.toml").unwrap()
}

pub fn month(text: &str) -> YearMonth {
    text.parse().unwrap()
}

/// Every account of the example mapping, active, except `inactive`.
pub fn chart(inactive: &[&str]) -> Vec<LedgerAccount> {
    good_mapping()
        .accounts()
        .into_iter()
        .map(|account| LedgerAccount {
            active: !inactive.contains(&account.as_str()),
            name: account.to_string(),
            account,
            account_type: None,
            currency: None,
        })
        .collect()
}

/// A memory sink that takes the example mapping's `class` dimension.
pub fn sink_with(settings: Settings) -> MemorySink {
    MemorySink::new(Settings { dimensions: vec!["class".into()], ..settings }).unwrap()
}

pub fn sink(inactive: &[&str]) -> MemorySink {
    sink_with(Settings { accounts: chart(inactive), ..Settings::default() })
}

/// A repayment of loan L-1001 on `date`.
pub fn late_event(id: &str, date: &str) -> Event {
    parse_event_line(
        &format!(
            r#"{{"id":"{id}","loan_id":"L-1001","product":"personal","kind":"repayment","date":"{date}","currency":"USD","amount":"100.00","portions":{{"principal":"100.00"}},"payment_type":"ach","office":"HQ"}}"#
        ),
        None,
    )
    .unwrap()
}

/// A store of the test's own and the demo client's books.
pub struct Fixture {
    pub store: Store,
    pub client: ClientId,
    pub rules: RuleSet,
    pub good: MappingFile,
    _db: TestStore,
}

impl Fixture {
    pub async fn new(backend: Backend) -> Fixture {
        let db = TestStore::new(backend).await.unwrap_or_else(|e| panic!("a {backend:?} test store: {e}"));
        Fixture {
            store: db.store.clone(),
            client: ClientId::from("demo"),
            rules: RuleSet::standard(),
            good: good_mapping(),
            _db: db,
        }
    }

    pub fn books<'a>(&'a self, mapping: &'a MappingFile) -> Books<'a> {
        Books {
            client: &self.client,
            rules: &self.rules,
            mapping,
            detail: DetailLevel::ProductDay,
            separation_of_duties: false,
        }
    }

    pub async fn status(&self, period: &str) -> PeriodStatus {
        self.store.periods().get(&self.client, month(period)).await.unwrap().unwrap().status
    }

    /// The period's proposed, postable entries' keys, in staging order.
    pub async fn keys(&self, period: &str) -> Vec<EntryKey> {
        let entries = self.store.entries().list(&self.client, month(period)).await.unwrap();
        entries.into_iter().filter(|e| e.entry.is_postable()).map(|e| e.entry.key().clone()).collect()
    }

    /// The loan-level entry of `event` under the period's proposed entries (where its memo and
    /// date are), if it is proposed there.
    pub async fn detail_of(&self, period: &str, event: &str) -> Option<JournalEntry> {
        let event = EventId::from(event);
        for staged in self.store.entries().list(&self.client, month(period)).await.unwrap() {
            let details = self.store.entries().detail(&self.client, staged.entry.key()).await.unwrap();
            if let Some(found) = details.into_iter().find(|d| d.events().contains(&event)) {
                return Some(found);
            }
        }
        None
    }

    pub async fn propose_good(&self, source: &MemorySource, sink: &MemorySink, period: &str) {
        let report = propose(&self.store, &self.books(&self.good), source, sink, month(period), "pat").await.unwrap();
        assert_eq!(report.blocking(), 0, "{:#?}", report.problems);
    }
}

/// Send options for tests: no pause between claims, a lease long enough for any test.
pub fn fast() -> SendOptions {
    SendOptions { lease: Duration::from_secs(60), max_attempts: 5, retry_pause: Duration::ZERO }
}

pub fn assert_each_posted_once(sink: &MemorySink, keys: &[EntryKey]) {
    assert!(!keys.is_empty());
    for key in keys {
        assert_eq!(sink.posted_count(key).unwrap(), 1, "entry {key} is not in the sink exactly once");
    }
    assert_eq!(sink.entries().unwrap().len(), keys.len(), "the sink holds entries that were not proposed");
}
