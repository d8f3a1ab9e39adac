//! The real hledger on what the sink wrote: a realistic book journalized by tieout-engine from
//! config/examples (events.jsonl and mapping.toml), scaled to many loans and two currencies,
//! posted at loan level and summarized per product and day. `hledger check --strict` accepts
//! the journal and `hledger bal` equals the sink's trial balance to the cent, as of several
//! dates, also after a manual journal is typed into the file.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sink_ledger::{LedgerSink, Settings};
use support::*;
use tieout_core::connector::{AccountMapping, AccountingSink, CurrencySupport, Dimensions, Posting};
use tieout_core::entry::JournalEntry;
use tieout_core::event::{Event, parse_event_line};
use tieout_core::money::Currency;
use tieout_engine::journal::{Journalizer, KeyScope};
use tieout_engine::mapping::MappingFile;
use tieout_engine::rules::RuleSet;
use tieout_engine::summarize::{DetailLevel, summarize};

const EVENTS: &str = include_str!("../../../config/examples/events.jsonl");
const MAPPING: &str = include_str!("../../../config/examples/mapping.toml");

/// The example events for `copies` more loans in `currency`: ids and loans suffixed, every
/// amount multiplied by the copy's number (so the cents differ from loan to loan).
fn scaled_events(copies: u32, currency: &str) -> Vec<Event> {
    let mut events = Vec::new();
    for k in 1..=copies {
        for line in EVENTS.lines().filter(|l| !l.trim().is_empty()) {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            let suffix = format!("-{currency}-{k}");
            for field in ["id", "loan_id", "reverses"] {
                if let Some(text) = v[field].as_str() {
                    v[field] = format!("{text}{suffix}").into();
                }
            }
            v["currency"] = currency.into();
            let scale = |value: &mut serde_json::Value| {
                let amount: Decimal = value.as_str().unwrap().parse().unwrap();
                *value = (amount * Decimal::from(k)).to_string().into();
            };
            scale(&mut v["amount"]);
            if let Some(portions) = v["portions"].as_object_mut() {
                portions.values_mut().for_each(scale);
            }
            events.push(parse_event_line(&v.to_string(), None).unwrap());
        }
    }
    events
}

/// The postable entries of the scaled book at a detail level.
fn book(detail: DetailLevel, mapping: &MappingFile) -> Vec<JournalEntry> {
    let rules = RuleSet::standard();
    let scope = KeyScope { client: "hledger-test".into(), source: "examples".into() };
    let mut events = scaled_events(60, "USD");
    events.extend(scaled_events(5, "EUR"));
    let journal = Journalizer::new(&rules, mapping, scope.clone()).journalize(&events);
    assert!(journal.problems.is_empty(), "{:?}", journal.problems);
    let proposals = summarize(journal.entries, detail, &scope, &rules.id()).unwrap();
    proposals.into_iter().map(|p| p.entry).filter(JournalEntry::is_postable).collect()
}

/// The dimensions of the offices on an entry's lines, from the mapping's `[offices]`.
fn dimensions(entry: &JournalEntry, mapping: &MappingFile) -> BTreeMap<String, Dimensions> {
    entry
        .lines()
        .iter()
        .filter_map(|l| l.office())
        .filter_map(|o| mapping.office_dimensions(o).map(|d| (o.to_string(), d.clone())))
        .collect()
}

fn as_of_dates() -> Vec<NaiveDate> {
    [(8, 31), (9, 1), (9, 30), (10, 1), (10, 2), (10, 15), (10, 31), (11, 1), (11, 3), (11, 30), (12, 31)]
        .into_iter()
        .map(|(m, d)| date(m, d))
        .collect()
}

async fn assert_hledger_agrees(sink: &LedgerSink, path: &Path) -> Balances {
    for as_of in as_of_dates() {
        let ours = balances(sink.trial_balance(as_of).await.unwrap());
        assert_eq!(ours, hledger_balances(path, Some(as_of)), "trial balance as of {as_of}");
        let mut totals: BTreeMap<Currency, Decimal> = BTreeMap::new();
        for ((_, currency), balance) in &ours {
            *totals.entry(*currency).or_default() += balance;
        }
        assert!(totals.values().all(Decimal::is_zero), "as of {as_of}: {totals:?}");
    }
    let all = balances(sink.trial_balance(date(12, 31)).await.unwrap());
    assert_eq!(all, hledger_balances(path, None));
    all
}

async fn posted_book_agrees_with_hledger(detail: DetailLevel) {
    let mapping = MappingFile::from_toml(MAPPING, "mapping.toml").unwrap();
    let entries = book(detail, &mapping);
    assert!(entries.len() >= 30, "{} entries", entries.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.journal");
    let settings = Settings {
        currencies: CurrencySupport::Enabled(vec![usd(), eur()]),
        declare_accounts: mapping.accounts().iter().map(ToString::to_string).collect(),
        ..Settings::new(&path)
    };
    let sink = LedgerSink::new(settings);
    let mut posted = BTreeSet::new();
    for chunk in entries.chunks(sink.settings().max_batch) {
        let batch: Vec<Posting<'_>> =
            chunk.iter().map(|entry| Posting { entry, dimensions: dimensions(entry, &mapping) }).collect();
        for r in refs(&sink.post(&batch).await.unwrap()) {
            assert!(posted.insert(r.clone()), "{r} given twice");
        }
    }
    assert_eq!(keys_in(&path).len(), entries.len());
    hledger_check(&path, true);
    let before = assert_hledger_agrees(&sink, &path).await;
    assert!(before.len() >= 10, "{before:?}");

    // Posting the whole book again writes nothing.
    let text = std::fs::read_to_string(&path).unwrap();
    for chunk in entries.chunks(sink.settings().max_batch) {
        sink.post(&postings(chunk)).await.unwrap();
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);

    // A manual journal typed into the file: both see it, the sink without being reopened.
    let manual = "2026/10/20 Manual accrual, typed by the accountant\n    \
                  Assets:Loans:Interest receivable      12.34 USD\n    Income:Interest\n\n";
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, manual.as_bytes()))
        .unwrap();
    let after = assert_hledger_agrees(&sink, &path).await;
    let moved: Vec<(String, Decimal)> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|((account, _), v)| {
            (account.to_string(), *v - before.get(&(account.clone(), usd())).copied().unwrap_or_default())
        })
        .collect();
    assert_eq!(
        moved,
        [
            ("Assets:Loans:Interest receivable".to_owned(), Decimal::new(1234, 2)),
            ("Income:Interest".to_owned(), Decimal::new(-1234, 2))
        ]
    );
    hledger_check(&path, true);
}

#[tokio::test]
async fn a_loan_level_book_agrees_with_hledger_to_the_cent() {
    posted_book_agrees_with_hledger(DetailLevel::Loan).await;
}

#[tokio::test]
async fn a_product_day_book_agrees_with_hledger_to_the_cent() {
    posted_book_agrees_with_hledger(DetailLevel::ProductDay).await;
}
