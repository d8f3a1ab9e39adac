//! The reconciliation queries (`Store::ledger`): sums per account by posting status, per loan,
//! and backdated lines, on SQLite and on Postgres, checked against sums computed here from the
//! very entries that were staged.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use tieout_core::entry::{EntryBuilder, EntryHeader, EntryKey, JournalEntry, KeyInput, LineSource, Side};
use tieout_core::event::{EventKind, parse_event_line};
use tieout_core::ids::{AccountRef, ClientId, EventId, ExternalRef};
use tieout_core::money::{Currency, Money};
use tieout_core::role::Role;
use tieout_engine::journal::KeyScope;
use tieout_engine::reconcile::{AccountLedger, Backdated, LoanLedger};
use tieout_engine::summarize::{DetailLevel, Proposed, summarize};
use tieout_store::{Booking, ClaimRequest, PeriodStatus, PostingStatus, Store, YearMonth};

use tieout_store::on_both;
use tieout_store::testing::TestStore;

on_both!(
    account_sums_split_by_posting_status_and_are_exact,
    loan_sums_come_from_the_loan_level_detail,
    backdated_lines_are_found_by_their_events,
);

fn acme() -> ClientId {
    ClientId::from("acme")
}

fn ym(text: &str) -> YearMonth {
    text.parse().unwrap()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// A loan-level entry for event `event` of loan `loan`: Dr `Loans`, Cr `Cash`.
fn entry(
    event: &str,
    loan: &str,
    date: &str,
    amount: Decimal,
    currency: &str,
    postable: bool,
    memo: &str,
) -> JournalEntry {
    let currency = Currency::new(currency).unwrap();
    let events: Arc<[EventId]> = Arc::from(vec![EventId::from(event)]);
    let source = LineSource {
        product: "personal".into(),
        office: Some("HQ".into()),
        loan: Some(loan.into()),
        events: events.clone(),
    };
    let header = EntryHeader {
        date: day(date),
        currency,
        kind: if postable { EventKind::Disbursement } else { EventKind::Accrual },
        memo: memo.to_owned(),
        postable,
    };
    let mut builder = EntryBuilder::new(header);
    builder.push(Side::Debit, Money::new(amount, currency), Role::LoanPortfolio, "Loans".into(), source.clone()).push(
        Side::Credit,
        Money::new(amount, currency),
        Role::FundSource,
        "Cash".into(),
        source,
    );
    let key = EntryKey::derive(&KeyInput {
        client: "acme",
        source: "sim",
        events: &events,
        rule_set_version: "standard@1",
        position: 0,
    });
    builder.build(key).unwrap()
}

/// A month of loan-level entries with awkward amounts (a cent, a quadrillion, three-decimal
/// KWD), a few not postable, summarized per product and day.
fn october(prefix: &str) -> Vec<Proposed> {
    let mut entries = Vec::new();
    for i in 0..400_i64 {
        let date = format!("2026-10-{:02}", 1 + i % 28);
        let loan = format!("L-{}", i % 37);
        let (amount, currency) = match i % 5 {
            0 => (dec!(0.01), "USD"),
            1 => (Decimal::new(100_000_000_000_000_000 + i, 2), "USD"),
            2 => (Decimal::new(1_234_567 + i, 3), "KWD"),
            _ => (Decimal::new(1 + i * 37, 2), "USD"),
        };
        entries.push(entry(&format!("{prefix}{i}"), &loan, &date, amount, currency, i % 11 != 3, ""));
    }
    let scope = KeyScope { client: "acme".into(), source: "sim".into() };
    summarize(entries, DetailLevel::ProductDay, &scope, "standard@1").unwrap()
}

fn claim<'r>(client: &'r ClientId, owner: &'r str, limit: u64) -> ClaimRequest<'r> {
    ClaimRequest {
        client,
        period: ym("2026-10"),
        owner,
        lease: Duration::from_secs(60),
        limit,
        max_attempts: 3,
        retry_backoff: Duration::ZERO,
    }
}

async fn stage(store: &Store, period: &str, proposals: &[Proposed]) {
    store.clients().ensure(&acme(), "Acme Lending").await.unwrap();
    let periods = store.periods();
    let current = periods.ensure(&acme(), ym(period)).await.unwrap();
    periods.transition(&acme(), ym(period), current.status, PeriodStatus::Proposing, "pat").await.unwrap();
    store.entries().stage(&acme(), ym(period), DetailLevel::ProductDay, proposals).await.unwrap();
    periods.transition(&acme(), ym(period), PeriodStatus::Proposing, PeriodStatus::Proposed, "pat").await.unwrap();
}

/// October staged (after a first staging it replaces), sending: of its postable entries the
/// first claim is posted, the second failed, the third still sending, the rest pending. Returns
/// each key's status (`None`: pending or never enqueued).
async fn october_half_sent(store: &Store, proposals: &[Proposed]) -> BTreeMap<EntryKey, Option<PostingStatus>> {
    stage(store, "2026-10", &october("old")).await;
    store
        .periods()
        .transition(&acme(), ym("2026-10"), PeriodStatus::Proposed, PeriodStatus::Open, "pat")
        .await
        .unwrap();
    stage(store, "2026-10", proposals).await;
    let client = acme();
    store
        .periods()
        .transition(&client, ym("2026-10"), PeriodStatus::Proposed, PeriodStatus::Sending, "sam")
        .await
        .unwrap();
    store.postings().enqueue_period(&client, ym("2026-10")).await.unwrap();
    let mut status: BTreeMap<EntryKey, Option<PostingStatus>> =
        proposals.iter().map(|p| (p.entry.key().clone(), None)).collect();
    let postings = store.postings();
    for (i, claimed) in postings.claim_for_send(&claim(&client, "w1", 12)).await.unwrap().into_iter().enumerate() {
        let outcome = match i % 3 {
            0 => {
                postings.mark_posted(&client, &claimed.key, &ExternalRef::from(format!("JE-{i}"))).await.unwrap();
                PostingStatus::Posted
            }
            1 => {
                postings.mark_failed(&client, &claimed.key, "w1", "account inactive", false).await.unwrap();
                PostingStatus::Failed
            }
            _ => PostingStatus::Sending,
        };
        status.insert(claimed.key, Some(outcome));
    }
    status
}

type Sums = BTreeMap<(String, String), [Decimal; 4]>;

/// Per account and currency: posted, sending, unsent, failed, from the proposals themselves.
fn expected_accounts(
    proposals: &[Proposed],
    status: &BTreeMap<EntryKey, Option<PostingStatus>>,
    as_of: NaiveDate,
) -> Sums {
    let mut sums = Sums::new();
    for p in proposals.iter().filter(|p| p.entry.is_postable() && p.entry.date() <= as_of) {
        let slot = match status[p.entry.key()] {
            Some(PostingStatus::Posted) => 0,
            Some(PostingStatus::Sending) => 1,
            Some(PostingStatus::Failed) => 3,
            Some(PostingStatus::Pending) | None => 2,
        };
        for line in p.entry.lines() {
            let key = (line.account().to_string(), p.entry.currency().to_string());
            sums.entry(key).or_default()[slot] += line.signed_amount();
        }
    }
    sums
}

fn as_sums(rows: &[AccountLedger]) -> Sums {
    rows.iter()
        .map(|r| ((r.account.to_string(), r.currency.to_string()), [r.posted, r.sending, r.unsent, r.failed]))
        .collect()
}

async fn account_sums_split_by_posting_status_and_are_exact(db: TestStore) {
    let store = &db.store;
    let proposals = october("e");
    let status = october_half_sent(store, &proposals).await;
    let statuses: Vec<_> = status.values().collect();
    for wanted in [Some(PostingStatus::Posted), Some(PostingStatus::Failed), Some(PostingStatus::Sending), None] {
        assert!(statuses.contains(&&wanted), "the fixture has a {wanted:?} entry");
    }
    for as_of in ["2026-10-31", "2026-10-14", "2026-09-30"] {
        let rows = store.ledger().accounts(&acme(), day(as_of)).await.unwrap();
        let expected = expected_accounts(&proposals, &status, day(as_of));
        assert_eq!(as_sums(&rows), expected, "as of {as_of}");
        if as_of == "2026-10-31" {
            // Non-trivial: both currencies, sums of quadrillions to the cent (beyond a binary float).
            assert_eq!(rows.len(), 4, "{rows:#?}");
            let total: Decimal = rows.iter().map(|r| r.posted + r.sending + r.unsent + r.failed).sum();
            assert_eq!(total, Decimal::ZERO, "every entry balances");
        }
    }
    // Another client has nothing.
    assert!(store.ledger().accounts(&ClientId::from("other"), day("2026-10-31")).await.unwrap().is_empty());
}

async fn loan_sums_come_from_the_loan_level_detail(db: TestStore) {
    let store = &db.store;
    let proposals = october("e");
    let status = october_half_sent(store, &proposals).await;
    let as_of = day("2026-10-20");
    let mut expected: BTreeMap<(String, String, String), (Decimal, Decimal)> = BTreeMap::new();
    for p in proposals.iter().filter(|p| p.entry.is_postable()) {
        let posted = status[p.entry.key()] == Some(PostingStatus::Posted);
        for detail in p.detail.iter().filter(|d| d.date() <= as_of) {
            for line in detail.lines().iter().filter(|l| l.account().as_str() == "Loans") {
                let key = (line.account().to_string(), detail.currency().to_string(), line.loan().unwrap().to_string());
                let sums = expected.entry(key).or_default();
                sums.0 += if posted { line.signed_amount() } else { Decimal::ZERO };
                sums.1 += if posted { Decimal::ZERO } else { line.signed_amount() };
            }
        }
    }
    let rows = store.ledger().loans(&acme(), as_of, &[AccountRef::from("Loans")]).await.unwrap();
    let got: BTreeMap<(String, String, String), (Decimal, Decimal)> = rows
        .iter()
        .map(|r: &LoanLedger| {
            ((r.account.to_string(), r.currency.to_string(), r.loan.to_string()), (r.posted, r.unposted))
        })
        .collect();
    assert_eq!(got, expected);
    assert!(got.values().any(|(posted, _)| !posted.is_zero()) && got.values().any(|(_, rest)| !rest.is_zero()));
    assert!(store.ledger().loans(&acme(), as_of, &[]).await.unwrap().is_empty());
    assert!(store.ledger().loans(&acme(), as_of, &[AccountRef::from("Nowhere")]).await.unwrap().is_empty());
}

async fn backdated_lines_are_found_by_their_events(db: TestStore) {
    let store = &db.store;
    store.clients().ensure(&acme(), "Acme Lending").await.unwrap();
    // Two events of October arrive after October was sent: booked on November 1st. A third is
    // November's own; a fourth is booked late but into November's own dates (not backdated
    // across October's end).
    let lines = [
        ("late-1", "L-1", "2026-10-20", "2026-11-01", dec!(40.00)),
        ("late-2", "L-2", "2026-10-31", "2026-11-01", dec!(2.50)),
        ("own", "L-1", "2026-11-05", "2026-11-05", dec!(7.00)),
        ("late-nov", "L-3", "2026-11-02", "2026-11-09", dec!(1.00)),
    ];
    let events: Vec<_> = lines
        .iter()
        .map(|(id, loan, date, _, amount)| {
            parse_event_line(
                &format!(
                    r#"{{"id":"{id}","loan_id":"{loan}","product":"personal","kind":"disbursement","date":"{date}","currency":"USD","amount":"{amount}"}}"#
                ),
                None,
            )
            .unwrap()
        })
        .collect();
    store.periods().ensure(&acme(), ym("2026-11")).await.unwrap();
    store.events().insert_batch(&acme(), "sim", &events).await.unwrap();
    let bookings: Vec<Booking> = lines
        .iter()
        .map(|(id, _, _, booked, _)| Booking { event: (*id).into(), period: ym("2026-11"), booked_on: day(booked) })
        .collect();
    store.events().book(&acme(), &bookings).await.unwrap();
    let entries: Vec<JournalEntry> = lines
        .iter()
        .map(|(id, loan, date, booked, amount)| {
            let memo = if date == booked { String::new() } else { format!("disbursement; original date {date}") };
            entry(id, loan, booked, *amount, "USD", true, &memo)
        })
        .collect();
    let scope = KeyScope { client: "acme".into(), source: "sim".into() };
    stage(store, "2026-11", &summarize(entries, DetailLevel::ProductDay, &scope, "standard@1").unwrap()).await;

    let found = store.ledger().backdated(&acme(), day("2026-10-31")).await.unwrap();
    let usd = Currency::new("USD").unwrap();
    let expected = vec![
        Backdated { account: "Cash".into(), currency: usd, loan: Some("L-1".into()), amount: dec!(-40.00) },
        Backdated { account: "Cash".into(), currency: usd, loan: Some("L-2".into()), amount: dec!(-2.50) },
        Backdated { account: "Loans".into(), currency: usd, loan: Some("L-1".into()), amount: dec!(40.00) },
        Backdated { account: "Loans".into(), currency: usd, loan: Some("L-2".into()), amount: dec!(2.50) },
    ];
    assert_eq!(found, expected);
    // As of November 5th, only the November event booked on the 9th is backdated.
    let found = store.ledger().backdated(&acme(), day("2026-11-05")).await.unwrap();
    assert_eq!(
        found.iter().map(|b| (b.loan.as_ref().unwrap().as_str(), b.amount)).collect::<Vec<_>>(),
        [("L-3", dec!(-1.00)), ("L-3", dec!(1.00))]
    );
    assert!(store.ledger().backdated(&acme(), day("2026-11-30")).await.unwrap().is_empty());
}
