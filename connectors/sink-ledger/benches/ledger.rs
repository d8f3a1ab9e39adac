//! The ledger sink's costs (DESIGN.md section 13: benchmarks, never timed assertions).
//!
//! `cargo bench -p sink-ledger --bench ledger`
//!
//! - `append/fsync-each`: one entry per post call, each appended and fsynced, into a journal
//!   that grows as the bench runs (so the cost includes the lock, the catch-up and the read-back);
//! - `append/batch-100`: 100 entries per post call: one write and one fsync for the batch;
//! - `open/100k`: a new sink opening (locking, reading and indexing) a journal of 100,000
//!   transactions the sink wrote (three postings each, about 30 MB), as on every start;
//! - `trial_balance/100k`: a trial balance of that journal once it is open.

use std::hint::black_box;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rust_decimal::Decimal;
use sink_ledger::{LedgerSink, Settings};
use tieout_core::connector::{AccountingSink, Posting};
use tieout_core::entry::{EntryBuilder, EntryHeader, EntryKey, JournalEntry, LineSource, Side};
use tieout_core::event::EventKind;
use tieout_core::ids::EventId;
use tieout_core::money::{Currency, Money};
use tieout_core::role::Role;

const ACCOUNTS: [&str; 6] = [
    "Assets:Bank:Operating",
    "Assets:Loans:Principal",
    "Assets:Loans:Interest receivable",
    "Income:Interest",
    "Income:Fees",
    "Liabilities:Overpayments",
];

/// A three-line repayment-like entry, numbered `n`.
fn entry(n: u64) -> JournalEntry {
    let usd = Currency::new("USD").unwrap_or_else(|e| panic!("{e}"));
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default() + chrono::Days::new(n % 365);
    let header =
        EntryHeader { date: day, currency: usd, kind: EventKind::Repayment, memo: String::new(), postable: true };
    let source = LineSource {
        product: "personal".into(),
        office: Some("HQ".into()),
        loan: Some(format!("L-{}", n % 50_000).into()),
        events: vec![EventId::from(format!("tx-{n}"))].into(),
    };
    let cents = i64::try_from(n % 100_000).unwrap_or(0) + 1_000;
    let principal = Money::new(Decimal::new(cents, 2), usd);
    let interest = Money::new(Decimal::new(cents / 7 + 1, 2), usd);
    let total = Money::new(principal.amount + interest.amount, usd);
    let account = |i: u64| ACCOUNTS[usize::try_from(i).unwrap_or(0) % ACCOUNTS.len()];
    let mut b = EntryBuilder::new(header);
    b.push(Side::Debit, total, Role::FundSource, account(0).into(), source.clone())
        .push(Side::Credit, principal, Role::LoanPortfolio, account(1 + n % 2).into(), source.clone())
        .push(Side::Credit, interest, Role::InterestIncome, account(3 + n % 3).into(), source);
    b.build(EntryKey::from_raw(format!("t{n:020}"))).unwrap_or_else(|e| panic!("{e}"))
}

fn settings(path: &std::path::Path) -> Settings {
    Settings { declare_new_accounts: true, ..Settings::new(path) }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().build().unwrap_or_else(|e| panic!("{e}"))
}

fn post(rt: &tokio::runtime::Runtime, sink: &LedgerSink, entries: &[JournalEntry]) {
    let batch: Vec<Posting<'_>> =
        entries.iter().map(|entry| Posting { entry, dimensions: Default::default() }).collect();
    let outcomes = rt.block_on(sink.post(&batch)).unwrap_or_else(|e| panic!("{e}"));
    assert!(outcomes.iter().all(|o| o.result.is_ok()));
}

fn append(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let sink = LedgerSink::new(settings(&dir.path().join("append.journal")));
    let mut next = 0u64;
    let mut group = c.benchmark_group("append");
    group.sample_size(20).measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(1));
    group.bench_function("fsync-each", |b| {
        b.iter_batched(
            || {
                next += 1;
                entry(next)
            },
            |e| post(&rt, &sink, std::slice::from_ref(&e)),
            BatchSize::SmallInput,
        )
    });
    group.throughput(Throughput::Elements(100));
    group.bench_function("batch-100", |b| {
        b.iter_batched(
            || {
                next += 100;
                (next - 99..=next).map(entry).collect::<Vec<_>>()
            },
            |entries| post(&rt, &sink, &entries),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn open(c: &mut Criterion) {
    const TRANSACTIONS: u64 = 100_000;
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("100k.journal");
    let writer = LedgerSink::new(Settings { max_batch: 1_000, ..settings(&path) });
    for start in (0..TRANSACTIONS).step_by(1_000) {
        post(&rt, &writer, &(start..start + 1_000).map(entry).collect::<Vec<_>>());
    }
    let mut group = c.benchmark_group("open");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(TRANSACTIONS));
    group.bench_function("100k", |b| {
        b.iter(|| {
            let sink = LedgerSink::new(settings(&path));
            black_box(sink.open().unwrap_or_else(|e| panic!("{e}")))
        })
    });
    group.finish();
    let mut group = c.benchmark_group("trial_balance");
    group.sample_size(20);
    let as_of = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default();
    group.bench_function("100k", |b| b.iter(|| black_box(rt.block_on(writer.trial_balance(as_of)))));
    group.finish();
}

criterion_group!(benches, append, open);
criterion_main!(benches);
