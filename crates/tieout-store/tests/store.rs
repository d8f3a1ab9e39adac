//! The store's suite: every test below runs on SQLite and on Postgres, each on a database of its
//! own (`tieout_store::testing`).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use sea_orm::ConnectionTrait;
use tieout_core::entry::{EntryBuilder, EntryHeader, EntryKey, JournalEntry, KeyInput, LineSource, Side};
use tieout_core::event::{Event, EventKind, parse_event_line};
use tieout_core::ids::{ClientId, EventId, ExternalRef};
use tieout_core::money::{Currency, Money};
use tieout_core::role::Role;
use tieout_engine::journal::KeyScope;
use tieout_engine::summarize::{DetailLevel, Proposed, summarize};
use tieout_store::{
    AuditQuery, Booking, ClaimRequest, DbFailure, JobKey, JobStart, JobStatus, NewAuditRecord, PeriodStatus,
    PostedOutcome, PostingStatus, Problem, Severity, Store, StoreError, YearMonth,
};

use tieout_store::on_both;
use tieout_store::testing::TestStore;

on_both!(
    migrations_go_down_and_up_again,
    the_tries_column_carries_over_the_attempts_of_existing_postings,
    a_database_newer_than_the_binary_is_refused,
    sqlite_runs_in_wal_with_full_sync_and_foreign_keys,
    clients_are_ensured_and_listed,
    periods_follow_their_status_machine,
    concurrent_transitions_let_exactly_one_win,
    events_are_deduplicated_and_read_back_exactly,
    events_and_cursor_commit_or_roll_back_together,
    late_events_keep_their_original_date,
    staging_replaces_a_periods_entries_and_reads_them_back,
    staging_is_refused_once_proposed_and_for_keys_of_another_period,
    staging_a_large_period_spans_many_chunks,
    concurrent_stagings_leave_one_whole_proposal,
    abandoned_stagings_are_invisible_and_collected,
    postings_follow_the_send_protocol,
    a_retry_gives_a_failed_posting_max_attempts_more_and_still_looks_it_up,
    unposted_postings_are_discarded_only_outside_sending,
    periods_with_posted_entries_are_listed_whatever_their_status,
    concurrent_claims_never_hand_out_the_same_posting,
    problems_are_replaced_per_period,
    job_runs_are_unique_per_client_kind_date_and_partition,
    concurrent_job_starts_start_once,
    reconciliation_runs_keep_their_json_verbatim,
    the_audit_log_is_append_only,
    constraint_violations_are_not_retryable,
);

// ---------------------------------------------------------------- fixtures

fn acme() -> ClientId {
    ClientId::from("acme")
}

/// A plain sea-orm connection to the test's database, for what the store's API must not allow.
async fn raw(db: &TestStore) -> sea_orm::DatabaseConnection {
    sea_orm::Database::connect(db.url.as_str()).await.expect("a raw connection")
}

fn ym(text: &str) -> YearMonth {
    text.parse().unwrap()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn event(id: &str, kind: &str, date: &str, amount: &str) -> Event {
    let portions =
        if kind == "repayment" { format!(r#","portions":{{"principal":"{amount}"}}"#) } else { String::new() };
    parse_event_line(
        &format!(
            r#"{{"id":"{id}","loan_id":"L-{id}","product":"personal","kind":"{kind}","date":"{date}","currency":"USD","amount":"{amount}"{portions},"office":"HQ"}}"#
        ),
        None,
    )
    .unwrap()
}

fn usd() -> Currency {
    Currency::new("USD").unwrap()
}

/// A loan-level disbursement entry: Dr loan_portfolio, Cr fund_source.
fn loan_entry(event_id: &str, date: &str, amount: Decimal) -> JournalEntry {
    let events: Arc<[EventId]> = Arc::from(vec![EventId::from(event_id)]);
    let source = LineSource {
        product: "personal".into(),
        office: Some("HQ".into()),
        loan: Some(format!("L-{event_id}").into()),
        events: events.clone(),
    };
    let header = EntryHeader {
        date: day(date),
        currency: usd(),
        kind: EventKind::Disbursement,
        memo: format!("disbursement {event_id}"),
        postable: true,
    };
    let mut builder = EntryBuilder::new(header);
    builder.push(Side::Debit, Money::new(amount, usd()), Role::LoanPortfolio, "Loans".into(), source.clone()).push(
        Side::Credit,
        Money::new(amount, usd()),
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

/// `n` loan-level entries of October, summarized per product and day.
fn october(n: usize, prefix: &str) -> Vec<Proposed> {
    let entries: Vec<JournalEntry> = (0..n)
        .map(|i| {
            loan_entry(
                &format!("{prefix}{i}"),
                &format!("2026-10-{:02}", 1 + i % 28),
                Decimal::new(10_000 + i as i64, 2),
            )
        })
        .collect();
    let scope = KeyScope { client: "acme".into(), source: "sim".into() };
    summarize(entries, DetailLevel::ProductDay, &scope, "standard@1").unwrap()
}

/// Loan-level proposals (no summary), one per event.
fn loan_level(ids: &[&str]) -> Vec<Proposed> {
    ids.iter().map(|id| Proposed { entry: loan_entry(id, "2026-10-05", dec!(100.10)), detail: Vec::new() }).collect()
}

async fn open_period(store: &Store, period: &str) {
    store.clients().ensure(&acme(), "Acme Lending").await.unwrap();
    store.periods().ensure(&acme(), ym(period)).await.unwrap();
}

fn claim<'r>(client: &'r ClientId, period: &str, owner: &'r str, limit: u64) -> ClaimRequest<'r> {
    ClaimRequest {
        client,
        period: ym(period),
        owner,
        lease: Duration::from_secs(60),
        limit,
        max_attempts: 3,
        retry_backoff: Duration::ZERO,
    }
}

/// Stages `proposals` into October and moves October to `sending`.
async fn sending_october(store: &Store, proposals: &[Proposed]) {
    sending(store, &acme(), "2026-10", proposals).await;
}

/// Stages `proposals` into the client's `period` (both created if need be) and moves it to `sending`.
async fn sending(store: &Store, client: &ClientId, period: &str, proposals: &[Proposed]) {
    store.clients().ensure(client, client.as_str()).await.unwrap();
    store.periods().ensure(client, ym(period)).await.unwrap();
    let periods = store.periods();
    periods.transition(client, ym(period), PeriodStatus::Open, PeriodStatus::Proposing, "pat").await.unwrap();
    store.entries().stage(client, ym(period), DetailLevel::Loan, proposals).await.unwrap();
    periods.transition(client, ym(period), PeriodStatus::Proposing, PeriodStatus::Proposed, "pat").await.unwrap();
    periods.transition(client, ym(period), PeriodStatus::Proposed, PeriodStatus::Sending, "sam").await.unwrap();
}

// ---------------------------------------------------------------- migrations and connection

/// The migrations this binary knows start with these, oldest first.
const FIRST_MIGRATIONS: [&str; 3] =
    ["m20261201_000001_initial", "m20261201_000002_audit_append_only", "m20261202_000003_posting_tries"];

async fn migrations_go_down_and_up_again(db: TestStore) {
    let store = &db.store;
    let all: Vec<String> = store.migration_status().await.unwrap().into_iter().map(|(name, _)| name).collect();
    assert_eq!(all[..FIRST_MIGRATIONS.len()], FIRST_MIGRATIONS);
    let again = store.migrate().await.unwrap();
    assert!(again.applied.is_empty(), "a current schema migrates nothing: {again:?}");
    assert_eq!(again.current, all);
    store.clients().ensure(&acme(), "Acme").await.unwrap();

    let reverted = store.migrate_down(None).await.unwrap();
    assert_eq!(reverted, all.iter().rev().cloned().collect::<Vec<_>>());
    let status = store.migration_status().await.unwrap();
    assert!(status.iter().all(|(_, applied)| !applied), "{status:?}");
    let gone = store.clients().list().await.unwrap_err();
    assert!(matches!(gone, StoreError::Database { .. }), "the tables are gone: {gone}");

    let report = store.migrate().await.unwrap();
    assert_eq!(report.applied, all);
    assert!(store.clients().list().await.unwrap().is_empty(), "down dropped the data");
    store.clients().ensure(&acme(), "Acme").await.unwrap();

    // Every later migration down and up again on its own, newest first, keeping the data.
    for name in all[1..].iter().rev() {
        assert_eq!(&store.migrate_down(Some(1)).await.unwrap(), std::slice::from_ref(name));
    }
    assert_eq!(store.migrate().await.unwrap().applied, all[1..]);
    assert_eq!(store.info().await.unwrap().migrations, all);
    assert_eq!(store.clients().list().await.unwrap().len(), 1, "the data stayed");
}

async fn the_tries_column_carries_over_the_attempts_of_existing_postings(db: TestStore) {
    let store = &db.store;
    sending_october(store, &loan_level(&["m1"])).await;
    store.postings().enqueue_period(&acme(), ym("2026-10")).await.unwrap();
    let key = store.postings().list(&acme(), ym("2026-10")).await.unwrap()[0].key.clone();

    // Back to the schema before `tries_since_retry`, where a posting was claimed four times.
    let all = store.migration_status().await.unwrap();
    let later = u32::try_from(all.len() - 2).unwrap();
    let reverted = store.migrate_down(Some(later)).await.unwrap();
    assert_eq!(reverted.last().map(String::as_str), Some(FIRST_MIGRATIONS[2]));
    let raw = raw(&db).await;
    raw.execute_unprepared("UPDATE postings SET status = 'failed', retryable = TRUE, attempts = 4").await.unwrap();

    // Up again: the posting keeps its cap (its tries so far are its attempts) and must be looked up.
    store.migrate().await.unwrap();
    let record = store.postings().get(&acme(), &key).await.unwrap().unwrap();
    assert_eq!((record.status, record.attempts, record.tries_since_retry), (PostingStatus::Failed, 4, 4));
    let client = acme();
    let mut capped = claim(&client, "2026-10", "w1", 10);
    capped.max_attempts = 4;
    assert!(store.postings().claim_for_send(&capped).await.unwrap().is_empty(), "4 tries made, 4 allowed");
    assert_eq!(store.postings().retry_failed(&acme(), ym("2026-10")).await.unwrap(), 1);
    let claimed = store.postings().claim_for_send(&capped).await.unwrap();
    assert_eq!(
        claimed.iter().map(|c| (c.attempts, c.tries_since_retry, c.must_look_up)).collect::<Vec<_>>(),
        [(5, 1, true)]
    );
}

async fn a_database_newer_than_the_binary_is_refused(db: TestStore) {
    let raw = raw(&db).await;
    raw.execute_unprepared("INSERT INTO seaql_migrations (version, applied_at) VALUES ('m20991231_000001_future', 0)")
        .await
        .unwrap();
    let err = db.store.migrate().await.unwrap_err();
    assert!(matches!(&err, StoreError::SchemaTooNew { unknown } if unknown == &["m20991231_000001_future"]), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("newer than this tieout binary") && message.contains("m20991231_000001_future"),
        "{message}"
    );
    assert!(!err.is_retryable());
}

async fn sqlite_runs_in_wal_with_full_sync_and_foreign_keys(db: TestStore) {
    let info = db.store.info().await.unwrap();
    assert!(!info.version.is_empty());
    match info.backend {
        tieout_store::Backend::Sqlite => {
            let pragmas: std::collections::BTreeMap<_, _> = info.sqlite_pragmas.into_iter().collect();
            assert_eq!(pragmas["journal_mode"], "wal");
            assert_eq!(pragmas["synchronous"], "2", "FULL");
            assert_eq!(pragmas["foreign_keys"], "1");
            // The test store's file is in a folder that did not exist before the store was opened.
            let file = db.url.strip_prefix("sqlite://").expect("a SQLite URL");
            assert!(std::path::Path::new(file).is_file(), "the folder of a new file is created: {file}");
        }
        tieout_store::Backend::Postgres => assert!(info.version.starts_with("PostgreSQL"), "{}", info.version),
    }
}

// ---------------------------------------------------------------- clients and periods

async fn clients_are_ensured_and_listed(db: TestStore) {
    let clients = db.store.clients();
    let first = clients.ensure(&acme(), "Acme").await.unwrap();
    let renamed = clients.ensure(&acme(), "Acme Lending").await.unwrap();
    assert_eq!((renamed.name.as_str(), renamed.created_at), ("Acme Lending", first.created_at));
    clients.ensure(&ClientId::from("beta"), "Beta").await.unwrap();
    let ids: Vec<String> = clients.list().await.unwrap().into_iter().map(|c| c.id.to_string()).collect();
    assert_eq!(ids, ["acme", "beta"]);
    assert!(clients.get(&ClientId::from("nobody")).await.unwrap().is_none());
}

async fn periods_follow_their_status_machine(db: TestStore) {
    use PeriodStatus::*;
    let store = &db.store;
    open_period(store, "2026-10").await;
    let periods = store.periods();
    periods.ensure(&acme(), ym("2026-09")).await.unwrap();
    let again = periods.ensure(&acme(), ym("2026-10")).await.unwrap();
    assert_eq!(again.status, Open);
    let listed: Vec<String> = periods.list(&acme()).await.unwrap().iter().map(|p| p.period.to_string()).collect();
    assert_eq!(listed, ["2026-09", "2026-10"]);

    let p = ym("2026-10");
    let proposing = periods.transition(&acme(), p, Open, Proposing, "pat").await.unwrap();
    assert_eq!((proposing.status, proposing.closed_by.as_deref()), (Proposing, Some("pat")));
    assert!(proposing.closed_at.is_some());
    periods.transition(&acme(), p, Proposing, Proposed, "system:propose").await.unwrap();
    // Reopen clears the preparer; close again.
    let reopened = periods.transition(&acme(), p, Proposed, Open, "pat").await.unwrap();
    assert_eq!((reopened.closed_by, reopened.closed_at), (None, None));
    periods.transition(&acme(), p, Open, Proposing, "pia").await.unwrap();
    periods.transition(&acme(), p, Proposing, Proposed, "system:propose").await.unwrap();
    let sending = periods.transition(&acme(), p, Proposed, Sending, "sam").await.unwrap();
    assert_eq!((sending.closed_by.as_deref(), sending.sent_by.as_deref()), (Some("pia"), Some("sam")));
    let sent = periods.transition(&acme(), p, Sending, Sent, "system:send").await.unwrap();
    assert!(sent.sent_at.is_some());

    // Not an edge of the machine: refused before touching the database.
    let err = periods.transition(&acme(), p, Sent, Open, "pat").await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidTransition { .. }), "{err}");
    // A stale view: the period is not what the caller thinks.
    let err = periods.transition(&acme(), p, Proposed, Sending, "sam").await.unwrap_err();
    match &err {
        StoreError::PeriodStatus { expected, actual, .. } => {
            assert_eq!((expected.as_str(), actual.as_str()), ("proposed", "sent"))
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("nothing changed"), "{err}");
    assert_eq!(periods.get(&acme(), p).await.unwrap().unwrap().status, Sent);
    let err = periods.transition(&acme(), ym("2030-01"), Open, Proposing, "pat").await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");

    // Late events go to the oldest open period.
    assert_eq!(periods.first_open(&acme()).await.unwrap().unwrap().period, ym("2026-09"));

    // Every transition is in the audit log with its actor, oldest last.
    let log = store.audit().list(&AuditQuery { client: Some(acme()), before_id: None, limit: 100 }).await.unwrap();
    let actions: Vec<&str> = log.iter().rev().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "period.proposing",
            "period.proposed",
            "period.open",
            "period.proposing",
            "period.proposed",
            "period.sending",
            "period.sent"
        ]
    );
    assert_eq!(log[1].actor, "sam");
    assert_eq!(log[0].before.as_deref(), Some(r#"{"status":"sending"}"#));
}

async fn concurrent_transitions_let_exactly_one_win(db: TestStore) {
    let store = &db.store;
    open_period(store, "2026-01").await;
    for month in 1..=12 {
        let period = YearMonth::new(2026, month).unwrap();
        store.periods().ensure(&acme(), period).await.unwrap();
        let tasks: Vec<_> = ["pat", "pia"]
            .into_iter()
            .map(|actor| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .periods()
                        .transition(&acme(), period, PeriodStatus::Open, PeriodStatus::Proposing, actor)
                        .await
                })
            })
            .collect();
        let mut wins = Vec::new();
        let mut losses = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(p) => wins.push(p.closed_by.unwrap()),
                Err(StoreError::PeriodStatus { actual, .. }) => {
                    assert_eq!(actual, "proposing");
                    losses += 1;
                }
                Err(other) => panic!("unexpected: {other}"),
            }
        }
        assert_eq!((wins.len(), losses), (1, 1), "month {month}");
        let stored = store.periods().get(&acme(), period).await.unwrap().unwrap();
        assert_eq!(stored.closed_by.as_ref(), Some(&wins[0]), "the winner is the one recorded");
    }
}

// ---------------------------------------------------------------- events and cursors

async fn events_are_deduplicated_and_read_back_exactly(db: TestStore) {
    let store = &db.store;
    open_period(store, "2026-10").await;
    // More than one insert statement on either backend.
    let batch: Vec<Event> =
        (0..7_000).map(|i| event(&format!("e{i}"), "disbursement", "2026-10-05", "1000.10")).collect();
    let report = store.events().insert_batch(&acme(), "sim", &batch).await.unwrap();
    assert_eq!((report.new, report.duplicates), (7_000, 0));

    let mut again: Vec<Event> = batch[6_990..].to_vec();
    again.push(event("x1", "repayment", "2026-10-06", "0.10"));
    again.push(event("x1", "repayment", "2026-10-06", "0.10"));
    again.push(event("x2", "disbursement", "2026-10-07", "12345678901234567890.12"));
    let report = store.events().insert_batch(&acme(), "sim", &again).await.unwrap();
    assert_eq!((report.new, report.duplicates), (2, 11));
    assert_eq!(store.events().count(&acme()).await.unwrap(), 7_002);

    let stored = store.events().get(&acme(), &EventId::from("x2")).await.unwrap().unwrap();
    assert_eq!(stored.event, again[12]);
    assert_eq!(stored.event.amount.to_string(), "12345678901234567890.12", "no float on the way");
    let small = store.events().get(&acme(), &EventId::from("x1")).await.unwrap().unwrap();
    assert_eq!(small.event.amount.to_string(), "0.10", "the scale is kept");
    assert_eq!((small.source.as_str(), small.period, small.booked_on), ("sim", None, None));
    assert!(store.events().get(&acme(), &EventId::from("nope")).await.unwrap().is_none());
    // Another client may use the same source ids.
    store.clients().ensure(&ClientId::from("beta"), "Beta").await.unwrap();
    let report = store.events().insert_batch(&ClientId::from("beta"), "sim", &batch[..3]).await.unwrap();
    assert_eq!(report.new, 3);

    let unbooked = store.events().unbooked(&acme()).await.unwrap();
    assert_eq!(unbooked.len(), 7_002);
    assert_eq!(unbooked.last().unwrap().event.id.as_str(), "x2", "by value date");
}

async fn events_and_cursor_commit_or_roll_back_together(db: TestStore) {
    let store = &db.store;
    open_period(store, "2026-10").await;
    let page =
        vec![event("p1", "disbursement", "2026-10-01", "50.00"), event("p2", "disbursement", "2026-10-02", "60.00")];

    let tx = store.begin().await.unwrap();
    assert_eq!(tx.events().insert_batch(&acme(), "sim", &page).await.unwrap().new, 2);
    tx.cursors().set(&acme(), "sim", "page-2").await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(store.events().count(&acme()).await.unwrap(), 0);
    assert!(store.cursors().get(&acme(), "sim").await.unwrap().is_none());

    let tx = store.begin().await.unwrap();
    tx.events().insert_batch(&acme(), "sim", &page).await.unwrap();
    tx.cursors().set(&acme(), "sim", "page-2").await.unwrap();
    // A dropped Tx rolls back too.
    drop(tx);
    assert!(store.cursors().get(&acme(), "sim").await.unwrap().is_none());

    let tx = store.begin().await.unwrap();
    tx.events().insert_batch(&acme(), "sim", &page).await.unwrap();
    tx.cursors().set(&acme(), "sim", "page-2").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.events().count(&acme()).await.unwrap(), 2);
    let cursor = store.cursors().get(&acme(), "sim").await.unwrap().unwrap();
    assert_eq!(cursor.cursor, "page-2");
    store.cursors().set(&acme(), "sim", "page-3").await.unwrap();
    assert_eq!(store.cursors().get(&acme(), "sim").await.unwrap().unwrap().cursor, "page-3");
    assert!(store.cursors().get(&acme(), "other").await.unwrap().is_none());
}

async fn late_events_keep_their_original_date(db: TestStore) {
    let store = &db.store;
    open_period(store, "2026-10").await;
    store.periods().ensure(&acme(), ym("2026-11")).await.unwrap();
    let batch = vec![
        event("on-time", "disbursement", "2026-10-03", "10.00"),
        event("late", "disbursement", "2026-09-28", "20.00"),
        event("november", "disbursement", "2026-11-02", "30.00"),
    ];
    store.events().insert_batch(&acme(), "sim", &batch).await.unwrap();
    let bookings = vec![
        Booking { event: "on-time".into(), period: ym("2026-10"), booked_on: day("2026-10-03") },
        Booking { event: "late".into(), period: ym("2026-10"), booked_on: day("2026-10-01") },
        Booking { event: "november".into(), period: ym("2026-11"), booked_on: day("2026-11-02") },
        Booking { event: "unknown".into(), period: ym("2026-10"), booked_on: day("2026-10-01") },
    ];
    assert_eq!(store.events().book(&acme(), &bookings).await.unwrap(), 3);
    let october = store.events().in_period(&acme(), ym("2026-10")).await.unwrap();
    let ids: Vec<&str> = october.iter().map(|e| e.event.id.as_str()).collect();
    assert_eq!(ids, ["late", "on-time"], "by booking date");
    assert_eq!(october[0].original_date(), Some(day("2026-09-28")));
    assert_eq!(october[0].booked_on, Some(day("2026-10-01")));
    assert_eq!(october[0].period, Some(ym("2026-10")));
    assert_eq!(october[1].original_date(), None);
    assert!(store.events().unbooked(&acme()).await.unwrap().is_empty());
    let nowhere = [Booking { event: "late".into(), period: ym("2031-01"), booked_on: day("2031-01-01") }];
    let err = store.events().book(&acme(), &nowhere).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
}

// ---------------------------------------------------------------- staged entries

async fn staging_replaces_a_periods_entries_and_reads_them_back(db: TestStore) {
    let store = &db.store;
    open_period(store, "2026-10").await;
    let entries = store.entries();
    assert!(entries.list(&acme(), ym("2026-10")).await.unwrap().is_empty());

    let first = october(60, "a");
    let report = entries.stage(&acme(), ym("2026-10"), DetailLevel::ProductDay, &first).await.unwrap();
    assert_eq!((report.entries, report.detail_entries, report.replaced), (28, 60, false));
    assert_eq!(report.lines, 28 * 2 + 60 * 2);

    let listed = entries.list(&acme(), ym("2026-10")).await.unwrap();
    let expected: Vec<&JournalEntry> = first.iter().map(|p| &p.entry).collect();
    let got: Vec<&JournalEntry> = listed.iter().map(|s| &s.entry).collect();
    assert_eq!(got, expected, "entries, lines, amounts, dimensions and event ids read back as written");
    assert!(listed.iter().all(|s| s.detail_level == DetailLevel::ProductDay && s.period == ym("2026-10")));
    // Drill-down to the loan-level entries of one summary.
    let detail = entries.detail(&acme(), first[0].entry.key()).await.unwrap();
    assert_eq!(detail, first[0].detail);
    // A batch to send, in the order asked, unknown keys left out.
    let keys = vec![first[5].entry.key().clone(), EntryKey::from_raw("t-unknown"), first[2].entry.key().clone()];
    let batch = entries.by_keys(&acme(), &keys).await.unwrap();
    assert_eq!(batch.iter().map(|s| s.entry.key().clone()).collect::<Vec<_>>(), [keys[0].clone(), keys[2].clone()]);
    assert_eq!(entries.get(&acme(), first[3].entry.key()).await.unwrap().unwrap().entry, first[3].entry);
    let info = entries.staging(&acme(), ym("2026-10")).await.unwrap().unwrap();
    assert_eq!((info.entries, info.lines, info.detail_level), (88, 176, DetailLevel::ProductDay));

    // Proposing the same events again gives the same keys; new events add keys.
    let second = october(61, "a");
    let report = entries.stage(&acme(), ym("2026-10"), DetailLevel::ProductDay, &second).await.unwrap();
    assert!(report.replaced);
    let listed = entries.list(&acme(), ym("2026-10")).await.unwrap();
    assert_eq!(listed.len(), 28);
    let keys: BTreeSet<String> = listed.iter().map(|s| s.entry.key().to_string()).collect();
    let old_keys: BTreeSet<String> = first.iter().map(|p| p.entry.key().to_string()).collect();
    assert_eq!(keys.intersection(&old_keys).count(), 27, "one day got a new event, so one summary key changed");
    // The replaced entries are gone, not just hidden.
    let detail = entries.detail(&acme(), first[0].entry.key()).await.unwrap();
    assert_eq!(detail.len(), 3, "day 1 of the new staging: a0, a28, a56");

    // A loan-level staging and an empty one.
    let loans = loan_level(&["l1", "l2"]);
    entries.stage(&acme(), ym("2026-10"), DetailLevel::Loan, &loans).await.unwrap();
    let listed = entries.list(&acme(), ym("2026-10")).await.unwrap();
    assert_eq!(
        listed.iter().map(|s| s.entry.clone()).collect::<Vec<_>>(),
        [loans[0].entry.clone(), loans[1].entry.clone()]
    );
    assert!(entries.detail(&acme(), loans[0].entry.key()).await.unwrap().is_empty());
    entries.stage(&acme(), ym("2026-10"), DetailLevel::Loan, &[]).await.unwrap();
    assert!(entries.list(&acme(), ym("2026-10")).await.unwrap().is_empty());
}

async fn staging_is_refused_once_proposed_and_for_keys_of_another_period(db: TestStore) {
    use PeriodStatus::*;
    let store = &db.store;
    open_period(store, "2026-10").await;
    store.periods().ensure(&acme(), ym("2026-11")).await.unwrap();
    let entries = store.entries();
    let october = loan_level(&["l1", "l2"]);
    entries.stage(&acme(), ym("2026-10"), DetailLevel::Loan, &october).await.unwrap();
    // The same event (so the same key) in November too: a workflow bug, caught before sending.
    entries.stage(&acme(), ym("2026-11"), DetailLevel::Loan, &loan_level(&["l2", "l3"])).await.unwrap();

    let periods = store.periods();
    periods.transition(&acme(), ym("2026-10"), Open, Proposing, "pat").await.unwrap();
    periods.transition(&acme(), ym("2026-10"), Proposing, Proposed, "pat").await.unwrap();
    // Nothing can be restaged under review.
    let err = entries.stage(&acme(), ym("2026-10"), DetailLevel::Loan, &loan_level(&["l9"])).await.unwrap_err();
    assert!(matches!(&err, StoreError::PeriodStatus { actual, .. } if actual == "proposed"), "{err}");
    assert_eq!(entries.list(&acme(), ym("2026-10")).await.unwrap().len(), 2, "the proposal under review is unchanged");
    let err = entries.stage(&acme(), ym("2031-01"), DetailLevel::Loan, &[]).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
    // Enqueueing is refused for a period that is not sending.
    let err = store.postings().enqueue_period(&acme(), ym("2026-10")).await.unwrap_err();
    assert!(matches!(err, StoreError::PeriodStatus { .. }), "{err}");

    periods.transition(&acme(), ym("2026-10"), Proposed, Sending, "sam").await.unwrap();
    assert_eq!(store.postings().enqueue_period(&acme(), ym("2026-10")).await.unwrap(), 2);
    periods.transition(&acme(), ym("2026-11"), Open, Proposing, "pat").await.unwrap();
    periods.transition(&acme(), ym("2026-11"), Proposing, Proposed, "pat").await.unwrap();
    periods.transition(&acme(), ym("2026-11"), Proposed, Sending, "sam").await.unwrap();
    let err = store.postings().enqueue_period(&acme(), ym("2026-11")).await.unwrap_err();
    match &err {
        StoreError::DuplicateKey { key, other_period, .. } => {
            assert_eq!((key.as_str(), other_period.as_str()), (october[1].entry.key().as_str(), "2026-10"));
        }
        other => panic!("{other}"),
    }
    assert_eq!(store.postings().counts(&acme(), ym("2026-11")).await.unwrap().total(), 0, "nothing enqueued");
}

async fn staging_a_large_period_spans_many_chunks(db: TestStore) {
    let store = &db.store;
    open_period(store, "2026-10").await;
    // 9,000 loan-level entries of 2 lines: several chunks on both backends.
    let ids: Vec<String> = (0..9_000).map(|i| format!("big{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let proposals = loan_level(&refs);
    let report = store.entries().stage(&acme(), ym("2026-10"), DetailLevel::Loan, &proposals).await.unwrap();
    assert_eq!((report.entries, report.lines), (9_000, 18_000));
    let listed = store.entries().list(&acme(), ym("2026-10")).await.unwrap();
    assert_eq!(listed.len(), 9_000);
    assert_eq!(listed[8_999].entry, proposals[8_999].entry);
    // Inside a unit of work the whole staging is one transaction: rolled back, nothing changes.
    let tx = store.begin().await.unwrap();
    tx.entries().stage(&acme(), ym("2026-10"), DetailLevel::Loan, &loan_level(&["only"])).await.unwrap();
    assert_eq!(tx.entries().list(&acme(), ym("2026-10")).await.unwrap().len(), 1);
    tx.rollback().await.unwrap();
    assert_eq!(store.entries().list(&acme(), ym("2026-10")).await.unwrap().len(), 9_000);
}

async fn concurrent_stagings_leave_one_whole_proposal(db: TestStore) {
    let store = &db.store;
    open_period(store, "2026-10").await;
    let ids_a: Vec<String> = (0..3_000).map(|i| format!("a{i}")).collect();
    let ids_b: Vec<String> = (0..2_000).map(|i| format!("b{i}")).collect();
    for round in 0..3 {
        let tasks: Vec<_> = [ids_a.clone(), ids_b.clone()]
            .into_iter()
            .map(|ids| {
                let store = store.clone();
                tokio::spawn(async move {
                    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
                    store.entries().stage(&acme(), ym("2026-10"), DetailLevel::Loan, &loan_level(&refs)).await
                })
            })
            .collect();
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) | Err(StoreError::StagingConflict { .. }) => {}
                Err(other) => panic!("round {round}: {other}"),
            }
        }
        let listed = store.entries().list(&acme(), ym("2026-10")).await.unwrap();
        let memos: BTreeSet<char> = listed.iter().filter_map(|s| s.entry.memo().chars().nth(13)).collect();
        assert!(
            (listed.len() == 3_000 && memos == BTreeSet::from(['a']))
                || (listed.len() == 2_000 && memos == BTreeSet::from(['b'])),
            "round {round}: one proposal, whole: {} entries of {memos:?}",
            listed.len()
        );
    }
}

async fn abandoned_stagings_are_invisible_and_collected(db: TestStore) {
    let store = &db.store;
    open_period(store, "2026-10").await;
    store.entries().stage(&acme(), ym("2026-10"), DetailLevel::Loan, &loan_level(&["k1"])).await.unwrap();
    // A staging a crashed process started long ago, with an entry that was never switched to.
    let raw = raw(&db).await;
    raw.execute_unprepared(
        "INSERT INTO stagings (client_id, period_id, detail_level, started_at, entries, lines) \
         SELECT 'acme', id, 'loan', '2000-01-01T00:00:00+00:00', 0, 0 FROM periods WHERE period = '2026-10'",
    )
    .await
    .unwrap();
    let count = |sql: &'static str| {
        let raw = &raw;
        async move {
            let row =
                raw.query_one_raw(sea_orm::Statement::from_string(raw.get_database_backend(), sql)).await.unwrap();
            row.unwrap().try_get_by_index::<i64>(0).unwrap()
        }
    };
    assert_eq!(count("SELECT COUNT(*) FROM stagings").await, 2);
    assert_eq!(store.entries().list(&acme(), ym("2026-10")).await.unwrap().len(), 1, "only the current staging shows");
    store.entries().stage(&acme(), ym("2026-10"), DetailLevel::Loan, &loan_level(&["k2", "k3"])).await.unwrap();
    assert_eq!(count("SELECT COUNT(*) FROM stagings").await, 1, "the old and the abandoned staging are deleted");
    assert_eq!(count("SELECT COUNT(*) FROM staged_entries").await, 2);
    assert_eq!(count("SELECT COUNT(*) FROM staged_lines").await, 4);
}

// ---------------------------------------------------------------- postings

async fn postings_follow_the_send_protocol(db: TestStore) {
    let store = &db.store;
    let proposals = loan_level(&["s1", "s2", "s3", "s4"]);
    let keys: Vec<EntryKey> = proposals.iter().map(|p| p.entry.key().clone()).collect();
    let client = acme();

    // Claiming before the period is sending is refused.
    open_period(store, "2026-10").await;
    let err = store.postings().claim_for_send(&claim(&client, "2026-10", "w1", 10)).await.unwrap_err();
    assert!(matches!(err, StoreError::PeriodStatus { .. }), "{err}");
    sending_october(store, &proposals).await;
    let postings = store.postings();
    assert_eq!(postings.enqueue_period(&client, ym("2026-10")).await.unwrap(), 4);
    assert_eq!(postings.enqueue_period(&client, ym("2026-10")).await.unwrap(), 0, "enqueueing twice adds nothing");

    // Claim two: they are `sending`, committed, before any sink call.
    let first = postings.claim_for_send(&claim(&client, "2026-10", "w1", 2)).await.unwrap();
    assert_eq!(first.iter().map(|c| c.key.clone()).collect::<Vec<_>>(), keys[..2]);
    assert!(first.iter().all(|c| c.attempts == 1 && !c.must_look_up));
    let record = postings.get(&client, &keys[0]).await.unwrap().unwrap();
    assert_eq!((record.status, record.claimed_by.as_deref(), record.attempts), (PostingStatus::Sending, Some("w1"), 1));
    assert!(record.lease_until.is_some());

    // Another worker gets the other two, never the held ones.
    let second = postings.claim_for_send(&claim(&client, "2026-10", "w2", 10)).await.unwrap();
    assert_eq!(second.iter().map(|c| c.key.clone()).collect::<Vec<_>>(), keys[2..]);
    assert!(postings.claim_for_send(&claim(&client, "2026-10", "w3", 10)).await.unwrap().is_empty());

    // Posted: external id and status in one step; a repeat is harmless, another id is a double post.
    let ref_a = ExternalRef::from("JE-1");
    assert_eq!(postings.mark_posted(&client, &keys[0], &ref_a).await.unwrap(), PostedOutcome::Recorded);
    assert_eq!(postings.mark_posted(&client, &keys[0], &ref_a).await.unwrap(), PostedOutcome::AlreadyPosted);
    let err = postings.mark_posted(&client, &keys[0], &ExternalRef::from("JE-99")).await.unwrap_err();
    assert!(matches!(err, StoreError::PostedTwice { .. }), "{err}");
    let posted = postings.get(&client, &keys[0]).await.unwrap().unwrap();
    assert_eq!(
        (posted.status, posted.external_ref.as_ref().map(|r| r.as_str())),
        (PostingStatus::Posted, Some("JE-1"))
    );
    assert!(posted.posted_at.is_some() && posted.claimed_by.is_none());

    // Only the holder may fail or release a claim.
    let err = postings.mark_failed(&client, &keys[1], "w2", "nope", true).await.unwrap_err();
    assert!(matches!(&err, StoreError::LostClaim { status, .. } if status == "sending by w1"), "{err}");
    postings.mark_failed(&client, &keys[1], "w1", "429 Too Many Requests", true).await.unwrap();
    postings.mark_failed(&client, &keys[2], "w2", "account 4000 is inactive", false).await.unwrap();
    // A timeout: outcome unknown, released for the next claim to look up.
    postings.release(&client, &keys[3], "w2").await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let stuck = postings.stuck_sending(&client, Some(ym("2026-10"))).await.unwrap();
    assert_eq!(stuck.iter().map(|p| p.key.clone()).collect::<Vec<_>>(), [keys[3].clone()]);

    let counts = postings.counts(&client, ym("2026-10")).await.unwrap();
    assert_eq!((counts.pending, counts.sending, counts.posted, counts.failed), (0, 1, 1, 2));
    let periods = store.periods();
    let err = periods.transition(&client, ym("2026-10"), PeriodStatus::Sending, PeriodStatus::Sent, "system").await;
    let err = err.unwrap_err();
    assert!(matches!(err, StoreError::Unsent { unsent: 3, .. }), "not sent while entries are unposted: {err}");

    // The next claim takes the retryable failure and the released one, both to be looked up first;
    // the permanent failure waits for a fix.
    let third = postings.claim_for_send(&claim(&client, "2026-10", "w3", 10)).await.unwrap();
    let mut taken: Vec<(EntryKey, u32, bool)> =
        third.iter().map(|c| (c.key.clone(), c.attempts, c.must_look_up)).collect();
    taken.sort();
    let mut expected = vec![(keys[1].clone(), 2, true), (keys[3].clone(), 2, true)];
    expected.sort();
    assert_eq!(taken, expected);
    // The looked-up one was in the sink all along; the other posts now.
    postings.mark_posted(&client, &keys[3], &ExternalRef::from("JE-4")).await.unwrap();
    postings.mark_posted(&client, &keys[1], &ExternalRef::from("JE-2")).await.unwrap();

    // Retryable failures stop after max_attempts.
    assert_eq!(postings.retry_failed(&client, ym("2026-10")).await.unwrap(), 1);
    let fourth = postings.claim_for_send(&claim(&client, "2026-10", "w4", 10)).await.unwrap();
    assert_eq!(fourth.len(), 1);
    assert!(fourth[0].must_look_up, "it was attempted before");
    postings.mark_failed(&client, &keys[2], "w4", "503", true).await.unwrap();
    assert_eq!((fourth[0].attempts, fourth[0].tries_since_retry), (2, 1), "the retry started its tries again");
    let mut capped = claim(&client, "2026-10", "w5", 10);
    capped.max_attempts = 1;
    assert!(postings.claim_for_send(&capped).await.unwrap().is_empty(), "1 try since the retry, 1 allowed");
    let mut backoff = claim(&client, "2026-10", "w5", 10);
    backoff.retry_backoff = Duration::from_secs(3600);
    assert!(postings.claim_for_send(&backoff).await.unwrap().is_empty(), "too soon after the failure");
    let fifth = postings.claim_for_send(&claim(&client, "2026-10", "w5", 10)).await.unwrap();
    assert_eq!(fifth.len(), 1);
    // Leases: renew extends the holder's; an expired lease is taken over.
    assert_eq!(postings.renew(&client, "w5", Duration::from_secs(600)).await.unwrap(), 1);
    assert_eq!(postings.renew(&client, "w-nobody", Duration::from_secs(600)).await.unwrap(), 0);
    assert!(postings.claim_for_send(&claim(&client, "2026-10", "w6", 10)).await.unwrap().is_empty());
    postings.renew(&client, "w5", Duration::ZERO).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let taken_over = postings.claim_for_send(&claim(&client, "2026-10", "w6", 10)).await.unwrap();
    assert_eq!((taken_over.len(), taken_over[0].must_look_up, taken_over[0].attempts), (1, true, 4));
    let err = postings.mark_failed(&client, &keys[2], "w5", "late", false).await.unwrap_err();
    assert!(matches!(err, StoreError::LostClaim { .. }), "the old holder lost it: {err}");
    postings.mark_posted(&client, &keys[2], &ExternalRef::from("JE-3")).await.unwrap();

    let all = postings.list(&client, ym("2026-10")).await.unwrap();
    assert!(all.iter().all(|p| p.status == PostingStatus::Posted), "{all:?}");
    let refs: BTreeSet<String> = all.iter().filter_map(|p| p.external_ref.as_ref().map(|r| r.to_string())).collect();
    assert_eq!(refs.len(), 4, "four entries, four distinct sink ids");
    store
        .periods()
        .transition(&client, ym("2026-10"), PeriodStatus::Sending, PeriodStatus::Sent, "system")
        .await
        .unwrap();
    let err = postings.claim_for_send(&claim(&client, "2026-10", "w7", 10)).await.unwrap_err();
    assert!(matches!(&err, StoreError::PeriodStatus { actual, .. } if actual == "sent"), "{err}");
}

async fn a_retry_gives_a_failed_posting_max_attempts_more_and_still_looks_it_up(db: TestStore) {
    let store = &db.store;
    let client = acme();
    sending_october(store, &loan_level(&["f1"])).await;
    let postings = store.postings();
    postings.enqueue_period(&client, ym("2026-10")).await.unwrap();

    // The sink refuses it every time, retryably (a 503): claimed until max_attempts (3) is used up.
    let fail_until_capped = || async {
        let mut seen = Vec::new();
        loop {
            let batch = postings.claim_for_send(&claim(&client, "2026-10", "w1", 10)).await.unwrap();
            let Some(claimed) = batch.into_iter().next() else { break };
            assert!(seen.len() < 10, "claimed again and again: {seen:?}");
            seen.push((claimed.attempts, claimed.tries_since_retry, claimed.must_look_up));
            postings.mark_failed(&client, &claimed.key, "w1", "503 Service Unavailable", true).await.unwrap();
        }
        seen
    };
    assert_eq!(fail_until_capped().await, [(1, 1, false), (2, 2, true), (3, 3, true)]);
    let record = postings.list(&client, ym("2026-10")).await.unwrap().remove(0);
    assert_eq!((record.status, record.attempts, record.tries_since_retry), (PostingStatus::Failed, 3, 3));

    // A retry (the next Send of the period) gives it three more tries, each looked up first.
    assert_eq!(postings.retry_failed(&client, ym("2026-10")).await.unwrap(), 1);
    let record = postings.list(&client, ym("2026-10")).await.unwrap().remove(0);
    assert_eq!((record.status, record.attempts, record.tries_since_retry), (PostingStatus::Pending, 3, 0));
    assert_eq!(fail_until_capped().await, [(4, 1, true), (5, 2, true), (6, 3, true)]);
    let record = postings.list(&client, ym("2026-10")).await.unwrap().remove(0);
    assert_eq!((record.status, record.attempts, record.tries_since_retry), (PostingStatus::Failed, 6, 3));
}

async fn unposted_postings_are_discarded_only_outside_sending(db: TestStore) {
    let store = &db.store;
    let client = acme();
    let proposals = loan_level(&["d1", "d2", "d3", "d4"]);
    let keys: Vec<EntryKey> = proposals.iter().map(|p| p.entry.key().clone()).collect();
    sending_october(store, &proposals).await;
    let postings = store.postings();
    postings.enqueue_period(&client, ym("2026-10")).await.unwrap();
    // d1 is held by a live claim, d2 posted, d3 released (outcome unknown), d4 never claimed.
    let claimed = postings.claim_for_send(&claim(&client, "2026-10", "w1", 3)).await.unwrap();
    assert_eq!(claimed.len(), 3);
    postings.mark_posted(&client, &keys[1], &ExternalRef::from("JE-2")).await.unwrap();
    postings.release(&client, &keys[2], "w1").await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let held = postings.held(&client, ym("2026-10")).await.unwrap();
    assert_eq!(held.iter().map(|p| p.key.clone()).collect::<Vec<_>>(), [keys[0].clone()]);

    let err = postings.discard_unposted(&client, ym("2026-10"), &keys).await.unwrap_err();
    assert!(matches!(&err, StoreError::PeriodStatus { actual, .. } if actual == "sending"), "{err}");
    store
        .periods()
        .transition(&client, ym("2026-10"), PeriodStatus::Sending, PeriodStatus::Proposed, "sam")
        .await
        .unwrap();
    assert_eq!(postings.discard_unposted(&client, ym("2026-10"), &keys).await.unwrap(), 2);
    let left: Vec<(EntryKey, PostingStatus)> =
        postings.list(&client, ym("2026-10")).await.unwrap().into_iter().map(|p| (p.key, p.status)).collect();
    assert_eq!(left, [(keys[0].clone(), PostingStatus::Sending), (keys[1].clone(), PostingStatus::Posted)]);
}

async fn periods_with_posted_entries_are_listed_whatever_their_status(db: TestStore) {
    let store = &db.store;
    let (client, other) = (acme(), ClientId::from("other"));
    let postings = store.postings();
    assert!(postings.periods_with_posted(&client).await.unwrap().is_empty(), "no periods yet");

    // September has no postings; November's are claimed and failed, pending or held: none posted.
    open_period(store, "2026-09").await;
    sending(store, &client, "2026-11", &loan_level(&["n1", "n2", "n3"])).await;
    postings.enqueue_period(&client, ym("2026-11")).await.unwrap();
    let claimed = postings.claim_for_send(&claim(&client, "2026-11", "w1", 2)).await.unwrap();
    postings.mark_failed(&client, &claimed[0].key, "w1", "account 4000 is inactive", false).await.unwrap();
    assert!(postings.periods_with_posted(&client).await.unwrap().is_empty(), "nothing is posted yet");

    // One entry of each of October and November posted; another client's month is its own.
    sending_october(store, &loan_level(&["o1", "o2"])).await;
    postings.enqueue_period(&client, ym("2026-10")).await.unwrap();
    let october = postings.claim_for_send(&claim(&client, "2026-10", "w2", 1)).await.unwrap();
    postings.mark_posted(&client, &october[0].key, &ExternalRef::from("JE-1")).await.unwrap();
    postings.mark_posted(&client, &claimed[1].key, &ExternalRef::from("JE-2")).await.unwrap();
    sending(store, &other, "2026-08", &loan_level(&["x1"])).await;
    postings.enqueue_period(&other, ym("2026-08")).await.unwrap();
    let theirs = postings.claim_for_send(&claim(&other, "2026-08", "w3", 1)).await.unwrap();
    postings.mark_posted(&other, &theirs[0].key, &ExternalRef::from("JE-3")).await.unwrap();
    assert_eq!(postings.periods_with_posted(&client).await.unwrap(), [ym("2026-10"), ym("2026-11")], "oldest first");
    assert_eq!(postings.periods_with_posted(&other).await.unwrap(), [ym("2026-08")]);

    // A send abandoned part-way: the month is proposed again, its posted entry stays, so it is listed.
    store
        .periods()
        .transition(&client, ym("2026-10"), PeriodStatus::Sending, PeriodStatus::Proposed, "sam")
        .await
        .unwrap();
    let keys: Vec<EntryKey> = postings.list(&client, ym("2026-10")).await.unwrap().into_iter().map(|p| p.key).collect();
    assert_eq!(postings.discard_unposted(&client, ym("2026-10"), &keys).await.unwrap(), 1);
    assert_eq!(store.periods().get(&client, ym("2026-10")).await.unwrap().unwrap().status, PeriodStatus::Proposed);
    assert_eq!(postings.periods_with_posted(&client).await.unwrap(), [ym("2026-10"), ym("2026-11")]);
}

async fn concurrent_claims_never_hand_out_the_same_posting(db: TestStore) {
    let store = &db.store;
    let ids: Vec<String> = (0..120).map(|i| format!("c{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    sending_october(store, &loan_level(&refs)).await;
    store.postings().enqueue_period(&acme(), ym("2026-10")).await.unwrap();

    let workers: Vec<_> = ["w1", "w2", "w3"]
        .into_iter()
        .map(|owner| {
            let store = store.clone();
            tokio::spawn(async move {
                let client = acme();
                let mut mine = Vec::new();
                loop {
                    let batch = store.postings().claim_for_send(&claim(&client, "2026-10", owner, 7)).await.unwrap();
                    if batch.is_empty() {
                        break;
                    }
                    for claimed in batch {
                        let reference = ExternalRef::from(format!("{owner}-{}", claimed.key));
                        store.postings().mark_posted(&client, &claimed.key, &reference).await.unwrap();
                        mine.push(claimed.key.to_string());
                    }
                }
                mine
            })
        })
        .collect();
    let mut seen = BTreeSet::new();
    let mut total = 0;
    for worker in workers {
        let mine = worker.await.unwrap();
        total += mine.len();
        seen.extend(mine);
    }
    assert_eq!((total, seen.len()), (120, 120), "every posting claimed exactly once");
    let counts = store.postings().counts(&acme(), ym("2026-10")).await.unwrap();
    assert_eq!((counts.posted, counts.total()), (120, 120));
}

// ---------------------------------------------------------------- problems, jobs, reconciliations, audit

async fn problems_are_replaced_per_period(db: TestStore) {
    let store = &db.store;
    open_period(store, "2026-10").await;
    let unmapped = Problem {
        code: "unmapped_role".into(),
        severity: Severity::Error,
        sentence: "Product 'gold' has no account for interest_receivable".into(),
        fix: "add it under [products.gold] in the mapping, or upload a mapping sheet".into(),
        event: Some("tx-1".into()),
        product: Some("gold".into()),
        role: Some(Role::InterestReceivable),
        account: None,
    };
    let implausible = Problem {
        code: "implausible_account_type".into(),
        severity: Severity::Warning,
        sentence: "Account 'Sales' for interest_receivable is an income account".into(),
        fix: "map interest_receivable to an asset account".into(),
        event: None,
        product: None,
        role: Some(Role::InterestReceivable),
        account: Some("Sales".into()),
    };
    let problems = store.problems();
    problems.replace_for_period(&acme(), ym("2026-10"), &[implausible.clone(), unmapped.clone()]).await.unwrap();
    assert_eq!(
        problems.list(&acme(), ym("2026-10")).await.unwrap(),
        [unmapped.clone(), implausible.clone()],
        "errors first"
    );
    assert_eq!(problems.count_blocking(&acme(), ym("2026-10")).await.unwrap(), 1);
    problems.replace_for_period(&acme(), ym("2026-10"), std::slice::from_ref(&implausible)).await.unwrap();
    assert_eq!(problems.list(&acme(), ym("2026-10")).await.unwrap(), [implausible]);
    assert_eq!(problems.count_blocking(&acme(), ym("2026-10")).await.unwrap(), 0, "warnings do not block");
    problems.replace_for_period(&acme(), ym("2026-10"), &[]).await.unwrap();
    assert!(problems.list(&acme(), ym("2026-10")).await.unwrap().is_empty());
    assert!(problems.list(&acme(), ym("2031-01")).await.unwrap().is_empty());
}

fn cob(date: &str, partition: u32) -> JobKey {
    JobKey { client: acme(), kind: "cob".into(), business_date: day(date), partition }
}

async fn job_runs_are_unique_per_client_kind_date_and_partition(db: TestStore) {
    let store = &db.store;
    store.clients().ensure(&acme(), "Acme").await.unwrap();
    let jobs = store.job_runs();
    let hour = Duration::from_secs(3600);
    let key = cob("2026-10-05", 0);
    let JobStart::Started(run) = jobs.start(&key, "worker-1", hour).await.unwrap() else { panic!("first start") };
    assert_eq!((run.status, run.attempts, run.owner.as_deref()), (JobStatus::Running, 1, Some("worker-1")));
    // A double-fired tick or a re-delivered job finds it running.
    assert!(
        matches!(jobs.start(&key, "worker-2", hour).await.unwrap(), JobStart::AlreadyRunning(r) if r.owner.as_deref() == Some("worker-1"))
    );
    // Other partitions and dates are other runs.
    assert!(matches!(jobs.start(&cob("2026-10-05", 1), "worker-2", hour).await.unwrap(), JobStart::Started(_)));
    assert!(matches!(jobs.start(&cob("2026-10-06", 0), "worker-2", hour).await.unwrap(), JobStart::Started(_)));
    let err = jobs.finish(&key, "worker-2").await.unwrap_err();
    assert!(matches!(err, StoreError::LostClaim { .. }), "only the owner finishes: {err}");
    let done = jobs.finish(&key, "worker-1").await.unwrap();
    assert_eq!(done.status, JobStatus::Done);
    assert!(done.finished_at.is_some());
    assert!(matches!(jobs.start(&key, "worker-3", hour).await.unwrap(), JobStart::AlreadyDone(_)));

    // A failed run is taken over by the next start, counting the attempt.
    jobs.fail(&cob("2026-10-06", 0), "worker-2", "source timed out").await.unwrap();
    let JobStart::Started(retry) = jobs.start(&cob("2026-10-06", 0), "worker-3", hour).await.unwrap() else {
        panic!("retry")
    };
    assert_eq!((retry.attempts, retry.last_error.as_deref(), retry.finished_at), (2, Some("source timed out"), None));
    // A run whose worker died (running past stale_after) is taken over too.
    let JobStart::Started(stale) = jobs.start(&cob("2026-10-05", 1), "worker-4", Duration::ZERO).await.unwrap() else {
        panic!("stale takeover")
    };
    assert_eq!((stale.attempts, stale.owner.as_deref()), (2, Some("worker-4")));

    let runs = jobs.list(&acme(), "cob", day("2026-10-01"), day("2026-10-31")).await.unwrap();
    let listed: Vec<(String, u32, JobStatus)> =
        runs.iter().map(|r| (r.key.business_date.to_string(), r.key.partition, r.status)).collect();
    assert_eq!(
        listed,
        [
            ("2026-10-05".to_owned(), 0, JobStatus::Done),
            ("2026-10-05".to_owned(), 1, JobStatus::Running),
            ("2026-10-06".to_owned(), 0, JobStatus::Running)
        ]
    );
    assert!(jobs.get(&cob("2026-10-07", 0)).await.unwrap().is_none());
}

async fn concurrent_job_starts_start_once(db: TestStore) {
    let store = &db.store;
    store.clients().ensure(&acme(), "Acme").await.unwrap();
    for day_of_month in 1..=10 {
        let key = cob(&format!("2026-11-{day_of_month:02}"), 0);
        let tasks: Vec<_> = (0..3)
            .map(|w| {
                let (store, key) = (store.clone(), key.clone());
                tokio::spawn(
                    async move { store.job_runs().start(&key, &format!("w{w}"), Duration::from_secs(60)).await },
                )
            })
            .collect();
        let mut started = 0;
        for task in tasks {
            match task.await.unwrap().unwrap() {
                JobStart::Started(_) => started += 1,
                JobStart::AlreadyRunning(_) => {}
                JobStart::AlreadyDone(run) => panic!("nobody finished it: {run:?}"),
            }
        }
        assert_eq!(started, 1, "day {day_of_month}");
    }
}

async fn reconciliation_runs_keep_their_json_verbatim(db: TestStore) {
    let store = &db.store;
    store.clients().ensure(&acme(), "Acme").await.unwrap();
    let runs = store.reconciliations();
    let json = r#"{"as_of":"2026-10-31","client":"acme","accounts":[{"account":"Loans","difference":"0.10"}],"differences_total":"0.10","n":12345678901234567890.123}"#;
    let first = runs.insert(&acme(), day("2026-10-31"), json).await.unwrap();
    assert_eq!(first.result, json, "kept byte for byte, numbers included");
    let second = runs.insert(&acme(), day("2026-11-30"), "{}").await.unwrap();
    assert_eq!(runs.get(first.id).await.unwrap().unwrap(), first);
    assert_eq!(runs.latest(&acme()).await.unwrap().unwrap().id, second.id);
    assert_eq!(runs.list(&acme(), 10).await.unwrap().len(), 2);
    let err = runs.insert(&acme(), day("2026-12-31"), "{not json").await.unwrap_err();
    assert!(err.to_string().contains("must be JSON"), "{err}");
}

async fn the_audit_log_is_append_only(db: TestStore) {
    let store = &db.store;
    store.clients().ensure(&acme(), "Acme").await.unwrap();
    let audit = store.audit();
    let id = audit
        .append(&NewAuditRecord {
            actor: "pat",
            action: "mapping.import",
            client: Some(&acme()),
            subject: "mapping",
            before: Some(r#"{"rows":3}"#),
            after: Some(r#"{"rows":4}"#),
        })
        .await
        .unwrap();
    let other = audit
        .append(&NewAuditRecord {
            actor: "eve",
            action: "user.login",
            client: None,
            subject: "user eve",
            before: None,
            after: None,
        })
        .await
        .unwrap();
    assert!(other > id);
    let bad = audit
        .append(&NewAuditRecord {
            actor: "pat",
            action: "x",
            client: None,
            subject: "x",
            before: Some("{oops"),
            after: None,
        })
        .await;
    assert!(bad.is_err(), "before/after must be JSON");

    // The database itself refuses to change or remove a record.
    let raw = raw(&db).await;
    let update = raw.execute_unprepared("UPDATE audit_log SET actor = 'mallory'").await.unwrap_err();
    assert!(update.to_string().contains("append-only"), "{update}");
    let delete = raw.execute_unprepared("DELETE FROM audit_log").await.unwrap_err();
    assert!(delete.to_string().contains("append-only"), "{delete}");
    if db.store.backend() == tieout_store::Backend::Postgres {
        let truncate = raw.execute_unprepared("TRUNCATE audit_log").await.unwrap_err();
        assert!(truncate.to_string().contains("append-only"), "{truncate}");
    }
    let records = audit.list(&AuditQuery { client: None, before_id: None, limit: 10 }).await.unwrap();
    assert_eq!(records.iter().map(|r| (r.id, r.actor.as_str())).collect::<Vec<_>>(), [(other, "eve"), (id, "pat")]);
    assert_eq!(records[1].after.as_deref(), Some(r#"{"rows":4}"#));
    let acme_only = audit.list(&AuditQuery { client: Some(acme()), before_id: None, limit: 10 }).await.unwrap();
    assert_eq!(acme_only.len(), 1);
    let page = audit.list(&AuditQuery { client: None, before_id: Some(other), limit: 10 }).await.unwrap();
    assert_eq!(page.iter().map(|r| r.id).collect::<Vec<_>>(), [id]);
}

async fn constraint_violations_are_not_retryable(db: TestStore) {
    // Events of a client that does not exist break a foreign key.
    let err = db
        .store
        .events()
        .insert_batch(&ClientId::from("ghost"), "sim", &[event("g1", "disbursement", "2026-10-01", "1.00")])
        .await
        .unwrap_err();
    assert_eq!(err.db_failure(), Some(DbFailure::Constraint), "{err}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn unknown_url_schemes_and_unreachable_servers_are_errors() {
    let err = Store::connect("mysql://root@localhost/x").await.err().unwrap();
    assert!(matches!(err, StoreError::BadUrl { .. }), "{err}");
    let err = Store::connect("postgres://nobody:secret@127.0.0.1:1/none").await.err().unwrap();
    assert!(matches!(err, StoreError::Connect { .. }), "{err}");
    assert!(err.is_retryable(), "a server that is down may come back");
    assert!(!err.to_string().contains("secret"), "the password is not repeated: {err}");
}
