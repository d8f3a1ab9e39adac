//! Accrual states (migration 000004): stored and read back exactly, upserted in batches larger
//! than one statement, committed or rolled back with the events they produced, and the events
//! table's stops and term changes read back in row order. Every test runs on SQLite and Postgres.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tieout_core::connector::{Installment, LoanSchedule};
use tieout_core::event::{Event, EventKind, parse_event_line};
use tieout_core::ids::{ClientId, LoanId};
use tieout_core::money::Currency;
use tieout_core::role::DayCount;
use tieout_engine::accrual::{AccrualOptions, LoanAccrual, StopReason};
use tieout_store::{AccrualRecord, StoreError};

use tieout_store::on_both;
use tieout_store::testing::TestStore;

on_both!(
    the_accrual_states_migration_goes_down_and_up_again,
    states_are_stored_and_read_back_exactly,
    states_commit_or_roll_back_with_their_events,
    stops_and_term_changes_are_read_back_in_row_order,
);

const MIGRATION: &str = "m20261202_000004_accrual_states";

fn acme() -> ClientId {
    ClientId::from("acme")
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// Loan `n`: disbursed on 1 October 2026, three monthly installments of `n` cents of interest.
fn schedule(n: u32) -> LoanSchedule {
    let disbursed_on = day("2026-10-01");
    let months = ["2026-10-01", "2026-11-01", "2026-12-01", "2027-01-01"];
    LoanSchedule {
        loan_id: format!("L-{n:07}").into(),
        product: if n.is_multiple_of(2) { "personal".into() } else { "business".into() },
        office: Some("HQ".into()),
        currency: Currency::new("USD").unwrap(),
        day_count: DayCount::ActualActual,
        disbursed_on,
        installments: (0..3)
            .map(|i| Installment {
                number: i + 1,
                start: day(months[i as usize]),
                due: day(months[i as usize + 1]),
                principal: Decimal::ONE_HUNDRED,
                interest: Decimal::new(i64::from(n) + 100, 2),
                fee: Decimal::ZERO,
                penalty: Decimal::ZERO,
            })
            .collect(),
    }
}

/// Loan `n` accrued through `through`.
fn record(n: u32, through: &str) -> AccrualRecord {
    let schedule = schedule(n);
    let mut loan = LoanAccrual::new(&schedule, AccrualOptions::periodic(), &[]).unwrap();
    let mut out = Vec::new();
    loan.accrue(day(through), &mut out).unwrap();
    if n.is_multiple_of(7) {
        loan.stop(day("2026-10-20"), StopReason::ChargeOff, &mut out);
    }
    AccrualRecord {
        loan: schedule.loan_id.clone(),
        product: schedule.product.clone(),
        active: !loan.is_finished(),
        state: loan.state(),
    }
}

fn event(id: &str, loan: &str, kind: &str, date: &str) -> Event {
    let portions = if kind == "repayment" { r#","portions":{"principal":"1.00"}"# } else { "" };
    let amount = if portions.is_empty() { "0.00" } else { "1.00" };
    parse_event_line(
        &format!(
            r#"{{"id":"{id}","loan_id":"{loan}","product":"personal","kind":"{kind}","date":"{date}","currency":"USD","amount":"{amount}"{portions}}}"#
        ),
        None,
    )
    .unwrap()
}

fn sorted(mut records: Vec<AccrualRecord>) -> Vec<AccrualRecord> {
    records.sort_by(|a, b| a.loan.cmp(&b.loan));
    records
}

async fn the_accrual_states_migration_goes_down_and_up_again(db: TestStore) {
    let store = &db.store;
    store.clients().ensure(&acme(), "Acme").await.unwrap();
    store.accruals().upsert(&acme(), &[record(1, "2026-10-10")]).await.unwrap();

    // Down to just before 000004 (and whatever came after it).
    let status = store.migration_status().await.unwrap();
    let position = status.iter().position(|(name, _)| name == MIGRATION).expect("000004 is known");
    let steps = u32::try_from(status.len() - position).unwrap();
    let reverted = store.migrate_down(Some(steps)).await.unwrap();
    assert_eq!(reverted.last().map(String::as_str), Some(MIGRATION), "{reverted:?}");
    let gone = store.accruals().count(&acme()).await.unwrap_err();
    assert!(matches!(gone, StoreError::Database { .. }), "the table is gone: {gone}");
    // The events table and its other indexes are untouched.
    store.events().insert_batch(&acme(), "memory", &[event("e1", "L-1", "close", "2026-10-02")]).await.unwrap();

    let report = store.migrate().await.unwrap();
    assert!(report.applied.iter().any(|name| name == MIGRATION), "{report:?}");
    assert_eq!(store.accruals().count(&acme()).await.unwrap(), 0, "down dropped the states");
    let lifecycle = store.accruals().lifecycle_events(&acme(), 0, 10).await.unwrap();
    assert_eq!(lifecycle.len(), 1, "the partial index covers events stored before it was made");
}

async fn states_are_stored_and_read_back_exactly(db: TestStore) {
    let store = &db.store;
    store.clients().ensure(&acme(), "Acme").await.unwrap();
    let accruals = store.accruals();
    // More rows than one statement holds on either backend (8 columns: 4,095 on SQLite, 8,191 on Postgres).
    let first: Vec<AccrualRecord> = (1..=9_000).map(|n| record(n, "2026-10-15")).collect();
    assert_eq!(accruals.upsert(&acme(), &first).await.unwrap(), 9_000);
    assert_eq!(accruals.count(&acme()).await.unwrap(), 9_000);

    let wanted: Vec<LoanId> = (1..=9_000).step_by(3).map(|n| LoanId::from(format!("L-{n:07}"))).collect();
    let mut expected: Vec<AccrualRecord> = first.iter().step_by(3).cloned().collect();
    let mut loaded = sorted(accruals.load(&acme(), &wanted).await.unwrap());
    assert_eq!(loaded, sorted(expected.clone()));
    assert!(accruals.load(&acme(), &[LoanId::from("L-none")]).await.unwrap().is_empty());
    assert!(accruals.load(&ClientId::from("other"), &wanted).await.unwrap().is_empty(), "states are per client");

    // A later business date replaces the states it touches and leaves the others.
    let later: Vec<AccrualRecord> = (1..=9_000).step_by(3).map(|n| record(n, "2026-10-16")).collect();
    accruals.upsert(&acme(), &later).await.unwrap();
    assert_eq!(accruals.count(&acme()).await.unwrap(), 9_000);
    loaded = sorted(accruals.load(&acme(), &wanted).await.unwrap());
    expected = later.clone();
    assert_eq!(loaded, sorted(expected));
    assert_eq!(loaded[1].state.accrued_through(), Some(day("2026-10-16")));

    // Active loans the later date did not reach are behind it. Finished ones never are: every
    // seventh loan is charged off on 20 October, and is finished once accrued past that.
    let (behind, sample) = accruals.behind(&acme(), day("2026-10-16"), 5).await.unwrap();
    assert_eq!(behind, 6_000);
    assert_eq!(
        sample.iter().map(LoanId::as_str).collect::<Vec<_>>(),
        ["L-0000002", "L-0000003", "L-0000005", "L-0000006", "L-0000008"]
    );
    let finished: Vec<AccrualRecord> = (1..=9_000).map(|n| record(n, "2026-10-25")).filter(|r| !r.active).collect();
    assert_eq!(finished.len(), 9_000 / 7);
    accruals.upsert(&acme(), &finished).await.unwrap();
    let (behind_later, _) = accruals.behind(&acme(), day("2026-10-30"), 5).await.unwrap();
    assert_eq!(behind_later, 9_000 - 9_000 / 7);
}

async fn states_commit_or_roll_back_with_their_events(db: TestStore) {
    let store = &db.store;
    store.clients().ensure(&acme(), "Acme").await.unwrap();
    let events = [event("acr:L-0000001:2026-10-02", "L-0000001", "close", "2026-10-02")];

    let tx = store.begin().await.unwrap();
    tx.events().insert_batch(&acme(), "tieout-accruals", &events).await.unwrap();
    tx.accruals().upsert(&acme(), &[record(1, "2026-10-02")]).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(store.events().count(&acme()).await.unwrap(), 0);
    assert_eq!(store.accruals().count(&acme()).await.unwrap(), 0);

    let tx = store.begin().await.unwrap();
    tx.events().insert_batch(&acme(), "tieout-accruals", &events).await.unwrap();
    tx.accruals().upsert(&acme(), &[record(1, "2026-10-02")]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.events().count(&acme()).await.unwrap(), 1);
    let loaded = store.accruals().load(&acme(), &[LoanId::from("L-0000001")]).await.unwrap();
    assert_eq!(loaded, vec![record(1, "2026-10-02")]);
}

async fn stops_and_term_changes_are_read_back_in_row_order(db: TestStore) {
    let store = &db.store;
    store.clients().ensure(&acme(), "Acme").await.unwrap();
    assert_eq!(store.accruals().first_disbursement(&acme()).await.unwrap(), None);
    let batch = [
        event("e1", "L-1", "disbursement", "2026-10-03"),
        event("e2", "L-2", "disbursement", "2026-10-01"),
        event("e3", "L-1", "repayment", "2026-10-05"),
        event("e4", "L-1", "reschedule", "2026-10-06"),
        event("e5", "L-2", "charge_off", "2026-10-07"),
        event("e6", "L-2", "accrual", "2026-10-04"),
        event("e7", "L-1", "close", "2026-10-02"),
        event("e8", "L-3", "interest_pause", "2026-10-08"),
    ];
    store.events().insert_batch(&acme(), "memory", &batch).await.unwrap();
    let accruals = store.accruals();
    assert_eq!(accruals.first_disbursement(&acme()).await.unwrap(), Some(day("2026-10-01")));

    let all = accruals.lifecycle_events(&acme(), 0, 100).await.unwrap();
    let seen: Vec<(&str, EventKind, NaiveDate)> = all.iter().map(|e| (e.loan.as_str(), e.kind, e.date)).collect();
    assert_eq!(
        seen,
        [
            ("L-1", EventKind::Reschedule, day("2026-10-06")),
            ("L-2", EventKind::ChargeOff, day("2026-10-07")),
            ("L-1", EventKind::Close, day("2026-10-02")),
            ("L-3", EventKind::InterestPause, day("2026-10-08")),
        ]
    );
    assert!(all.windows(2).all(|w| w[0].row < w[1].row), "in row order");
    let after_two = accruals.lifecycle_events(&acme(), all[1].row, 1).await.unwrap();
    assert_eq!(after_two, all[2..3]);
    assert!(accruals.lifecycle_events(&acme(), all[3].row, 100).await.unwrap().is_empty());
    assert!(accruals.lifecycle_events(&ClientId::from("other"), 0, 100).await.unwrap().is_empty());
}
