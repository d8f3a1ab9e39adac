//! The month close end to end: a memory source with the example events, a memory sink with the
//! example mapping's accounts, a store of each test's own — every test on SQLite and on Postgres.

mod common;

use std::time::Duration;

use common::*;
use sink_memory::{Faults, IdempotencyWindow, MemorySink, Settings};
use source_memory::MemorySource;
use tieout_core::connector::{AccountingSink, Posting};
use tieout_core::entry::EntryKey;
use tieout_core::event::parse_event_line;
use tieout_core::ids::EventId;
use tieout_engine::mapping::MappingFile;
use tieout_engine::summarize::DetailLevel;
use tieout_period::{Books, PeriodError, propose, reopen, send, sync_events};
use tieout_store::{Backend, ClaimRequest, PeriodStatus, PostingStatus, Severity};

on_both!(
    sync_pages_resume_and_count_duplicates,
    close_shows_problems_then_fix_reload_and_send_posts_each_entry_once,
    proposing_the_same_month_twice_gives_the_same_keys_and_reopen_keeps_them,
    separation_of_duties_refuses_the_preparer,
    a_period_on_or_before_the_lock_date_is_refused,
    timeouts_after_write_without_idempotency_still_post_once,
    a_send_that_died_after_posting_is_resumed_without_posting_twice,
    a_refused_entry_fails_alone_and_is_retried_by_the_next_send,
    a_late_event_lands_in_the_next_open_month_with_its_original_date,
    two_senders_at_once_post_each_entry_once,
    a_reversal_of_an_earlier_months_event_mirrors_it,
    office_dimensions_the_accounting_package_does_not_take_block_sending,
);

async fn sync_pages_resume_and_count_duplicates(backend: Backend) {
    let f = Fixture::new(backend).await;
    let events = example_events();
    // A run that stored the first five events and died before its cursor commit.
    f.store.clients().ensure(&f.client, "demo").await.unwrap();
    f.store.events().insert_batch(&f.client, "memory", &events[..5]).await.unwrap();

    let source = MemorySource::new(events.clone()).with_page_size(4);
    let report = sync_events(&f.store, &f.client, &source, 4).await.unwrap();
    assert_eq!((report.pages, report.new, report.duplicates), (5, 13, 5));
    assert!(report.cursor.is_some());
    assert_eq!(f.store.events().count(&f.client).await.unwrap(), 18);

    // Nothing new: one empty page, the cursor stays.
    let again = sync_events(&f.store, &f.client, &source, 4).await.unwrap();
    assert_eq!((again.pages, again.new, again.duplicates), (0, 0, 0));
    assert_eq!(again.cursor, report.cursor);

    // The source grows: only the new event is read, from the stored cursor.
    let mut more = events;
    more.push(late_event("tx-2001", "2026-11-20"));
    let grown = sync_events(&f.store, &f.client, &MemorySource::new(more), 4).await.unwrap();
    assert_eq!((grown.pages, grown.new, grown.duplicates), (1, 1, 0));
}

async fn close_shows_problems_then_fix_reload_and_send_posts_each_entry_once(backend: Backend) {
    let f = Fixture::new(backend).await;
    let source = MemorySource::new(example_events());
    let sink = sink(&["Assets:Loans:Auto"]);
    let broken = broken_mapping();

    let report = propose(&f.store, &f.books(&broken), &source, &sink, month(OCTOBER), "pat").await.unwrap();
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Proposed);
    assert_eq!(report.synced.new, 18);
    let codes: Vec<&str> = report.problems.iter().map(|p| p.code.as_str()).collect();
    assert!(codes.contains(&"unmapped_role"), "{codes:?}");
    assert!(codes.contains(&"account_inactive"), "{codes:?}");
    let unmapped = report.problems.iter().find(|p| p.code == "unmapped_role").unwrap();
    assert!(unmapped.sentence.contains("has no account for interest_income"), "{}", unmapped.sentence);
    assert!(unmapped.fix.contains("in the mapping"), "{}", unmapped.fix);
    let inactive = report.problems.iter().find(|p| p.code == "account_inactive").unwrap();
    assert_eq!(
        inactive.sentence,
        "Account 'Assets:Loans:Auto' (used for loan_portfolio of product 'auto') is inactive in the accounting package."
    );
    assert!(inactive.fix.starts_with("Reactivate it in the accounting package, or map loan_portfolio"));
    assert_eq!(f.store.problems().list(&f.client, month(OCTOBER)).await.unwrap(), report.problems);

    // Send with problems: refused, nothing changed.
    let err = send(&f.store, &f.books(&broken), &sink, month(OCTOBER), "sam", &fast()).await.unwrap_err();
    assert!(matches!(err, PeriodError::Blocked { blocking: 2.., .. }), "{err}");
    assert!(err.to_string().contains("fix them"), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Proposed);
    assert_eq!(f.store.postings().counts(&f.client, month(OCTOBER)).await.unwrap().total(), 0);
    assert_eq!(sink.entries().unwrap().len(), 0);

    // Fix: interest income mapped again, auto loans on the active principal account. Reload.
    let fixed_text =
        mapping_text().replace("loan_portfolio = \"Assets:Loans:Auto\"", "loan_portfolio = \"Assets:Loans:Principal\"");
    let fixed = MappingFile::from_toml(&fixed_text, "mapping.toml").unwrap();
    let report = propose(&f.store, &f.books(&fixed), &source, &sink, month(OCTOBER), "pat").await.unwrap();
    assert_eq!(report.blocking(), 0, "{:#?}", report.problems);
    assert_eq!(report.synced.new, 0);
    assert!(report.entries > 0);
    assert_eq!(f.store.problems().count_blocking(&f.client, month(OCTOBER)).await.unwrap(), 0);

    let keys = f.keys(OCTOBER).await;
    let sent = send(&f.store, &f.books(&fixed), &sink, month(OCTOBER), "sam", &fast()).await.unwrap();
    assert_eq!(sent.status, PeriodStatus::Sent, "{}", sent.summary());
    assert_eq!(sent.posted, keys.len() as u64);
    assert_eq!(sent.summary(), format!("Period 2026-10 is sent: all {} entries are posted.", keys.len()));
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Sent);
    assert_each_posted_once(&sink, &keys);
    // Entries carry the offices' dimensions from the mapping.
    assert!(sink.entries().unwrap().iter().any(|e| e.lines.iter().any(|l| !l.dimensions.is_empty())));

    // A sent period: send and propose are refused, reopen too; nothing changes.
    let err = send(&f.store, &f.books(&fixed), &sink, month(OCTOBER), "sam", &fast()).await.unwrap_err();
    assert!(matches!(err, PeriodError::AlreadySent { .. }), "{err}");
    let err = propose(&f.store, &f.books(&fixed), &source, &sink, month(OCTOBER), "pat").await.unwrap_err();
    assert!(matches!(err, PeriodError::AlreadySent { .. }), "{err}");
    let err = reopen(&f.store, &f.books(&fixed), month(OCTOBER), "pat").await.unwrap_err();
    assert!(matches!(err, PeriodError::CannotReopen { .. }), "{err}");
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Sent);
    assert_each_posted_once(&sink, &keys);

    // The audit log has the whole story.
    let audit = f
        .store
        .audit()
        .list(&tieout_store::AuditQuery { client: Some(f.client.clone()), before_id: None, limit: 1000 })
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    for action in ["period.proposing", "period.proposed", "period.sending", "period.sent"] {
        assert!(actions.contains(&action), "{actions:?}");
    }
}

async fn proposing_the_same_month_twice_gives_the_same_keys_and_reopen_keeps_them(backend: Backend) {
    let f = Fixture::new(backend).await;
    let source = MemorySource::new(example_events());
    let sink = sink(&[]);
    f.propose_good(&source, &sink, OCTOBER).await;
    let first = f.keys(OCTOBER).await;
    f.propose_good(&source, &sink, OCTOBER).await;
    assert_eq!(f.keys(OCTOBER).await, first);

    let period = reopen(&f.store, &f.books(&f.good), month(OCTOBER), "pat").await.unwrap();
    assert_eq!(period.status, PeriodStatus::Open);
    assert_eq!(period.closed_by, None);
    // Kept for reference until the next proposal; an open period is not sent.
    assert_eq!(f.keys(OCTOBER).await, first);
    let err = send(&f.store, &f.books(&f.good), &sink, month(OCTOBER), "sam", &fast()).await.unwrap_err();
    assert!(matches!(err, PeriodError::NotProposed { status: PeriodStatus::Open, .. }), "{err}");
    assert!(err.to_string().contains("close the month"), "{err}");
    let err = reopen(&f.store, &f.books(&f.good), month(OCTOBER), "pat").await.unwrap_err();
    assert!(matches!(err, PeriodError::CannotReopen { .. }), "{err}");

    f.propose_good(&source, &sink, OCTOBER).await;
    assert_eq!(f.keys(OCTOBER).await, first);
    // Detail levels change the entries, not the events behind them.
    let loan_level = Books { detail: DetailLevel::Loan, ..f.books(&f.good) };
    let report = propose(&f.store, &loan_level, &source, &sink, month(OCTOBER), "pat").await.unwrap();
    assert_eq!(report.detail_entries, 0);
    assert!(report.entries as usize >= first.len());
}

async fn separation_of_duties_refuses_the_preparer(backend: Backend) {
    let f = Fixture::new(backend).await;
    let source = MemorySource::new(example_events());
    let sink = sink(&[]);
    let books = Books { separation_of_duties: true, ..f.books(&f.good) };
    propose(&f.store, &books, &source, &sink, month(OCTOBER), "pat").await.unwrap();

    let err = send(&f.store, &books, &sink, month(OCTOBER), "pat", &fast()).await.unwrap_err();
    assert!(matches!(err, PeriodError::SameUser { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "period 2026-10 of client demo was closed by pat, and this client requires a different user to send it \
         (separation_of_duties): ask another user to review and send it"
    );
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Proposed);
    assert_eq!(sink.entries().unwrap().len(), 0);

    let sent = send(&f.store, &books, &sink, month(OCTOBER), "sam", &fast()).await.unwrap();
    assert_eq!(sent.status, PeriodStatus::Sent);
    let period = f.store.periods().get(&f.client, month(OCTOBER)).await.unwrap().unwrap();
    assert_eq!((period.closed_by.as_deref(), period.sent_by.as_deref()), (Some("pat"), Some("sam")));
}

async fn a_period_on_or_before_the_lock_date_is_refused(backend: Backend) {
    let f = Fixture::new(backend).await;
    let source = MemorySource::new(example_events());
    let open_books = sink(&[]);
    f.propose_good(&source, &open_books, OCTOBER).await;

    // The accountant locks October after the proposal: send is refused, nothing changed.
    let locked = sink_with(Settings {
        accounts: chart(&[]),
        lock_date: Some("2026-10-31".parse().unwrap()),
        ..Settings::default()
    });
    let err = send(&f.store, &f.books(&f.good), &locked, month(OCTOBER), "sam", &fast()).await.unwrap_err();
    assert!(matches!(err, PeriodError::Locked { .. }), "{err}");
    assert!(err.to_string().contains("locked up to 2026-10-31"), "{err}");
    assert!(err.to_string().contains("move the lock date"), "{err}");
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Proposed);
    assert_eq!(f.store.postings().counts(&f.client, month(OCTOBER)).await.unwrap().total(), 0);
    assert_eq!(locked.entries().unwrap().len(), 0);

    // Reloading against the locked books shows it as a blocking problem.
    let report = propose(&f.store, &f.books(&f.good), &source, &locked, month(OCTOBER), "pat").await.unwrap();
    let problem = report.problems.iter().find(|p| p.code == "locked").unwrap();
    assert_eq!(problem.severity, Severity::Error);
    assert!(problem.sentence.contains("dated on or before 2026-10-31"), "{}", problem.sentence);
}

async fn timeouts_after_write_without_idempotency_still_post_once(backend: Backend) {
    let f = Fixture::new(backend).await;
    let source = MemorySource::new(example_events());
    // No idempotency at all, and every post call writes then times out: only find_posted saves us.
    let sink = sink_with(Settings {
        accounts: chart(&[]),
        max_batch: 3,
        idempotency: IdempotencyWindow::Posts(0),
        faults: Faults { timeout_after_write_every: Some(1), ..Faults::default() },
        ..Settings::default()
    });
    f.propose_good(&source, &sink, OCTOBER).await;
    let keys = f.keys(OCTOBER).await;
    assert!(keys.len() > 3, "several batches");

    let report = send(&f.store, &f.books(&f.good), &sink, month(OCTOBER), "sam", &fast()).await.unwrap();
    assert_eq!(report.status, PeriodStatus::Sent, "{}", report.summary());
    assert_eq!((report.posted, report.found), (0, keys.len() as u64));
    assert_each_posted_once(&sink, &keys);
}

async fn a_send_that_died_after_posting_is_resumed_without_posting_twice(backend: Backend) {
    let f = Fixture::new(backend).await;
    let source = MemorySource::new(example_events());
    let sink = sink_with(Settings {
        accounts: chart(&[]),
        max_batch: 2,
        idempotency: IdempotencyWindow::Posts(0),
        ..Settings::default()
    });
    f.propose_good(&source, &sink, OCTOBER).await;
    let keys = f.keys(OCTOBER).await;
    let (client, october) = (&f.client, month(OCTOBER));

    // A first send process: marks sending, enqueues, claims a batch, posts it, and dies before
    // recording the outcome.
    f.store.periods().transition(client, october, PeriodStatus::Proposed, PeriodStatus::Sending, "sam").await.unwrap();
    f.store.postings().enqueue_period(client, october).await.unwrap();
    let request = ClaimRequest {
        client,
        period: october,
        owner: "dead-process",
        lease: Duration::from_millis(1),
        limit: 2,
        max_attempts: 5,
        retry_backoff: Duration::ZERO,
    };
    let claimed = f.store.postings().claim_for_send(&request).await.unwrap();
    assert_eq!(claimed.len(), 2);
    let claimed_keys: Vec<EntryKey> = claimed.iter().map(|c| c.key.clone()).collect();
    let staged = f.store.entries().by_keys(client, &claimed_keys).await.unwrap();
    let batch: Vec<Posting<'_>> =
        staged.iter().map(|s| Posting { entry: &s.entry, dimensions: Default::default() }).collect();
    sink.post(&batch).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(f.store.postings().stuck_sending(client, Some(october)).await.unwrap().len(), 2);

    // The second send resumes: looks the two up, posts the rest.
    let report = send(&f.store, &f.books(&f.good), &sink, october, "sam", &fast()).await.unwrap();
    assert_eq!(report.status, PeriodStatus::Sent, "{}", report.summary());
    assert_eq!((report.found, report.posted), (2, keys.len() as u64 - 2));
    assert_each_posted_once(&sink, &keys);
}

async fn a_refused_entry_fails_alone_and_is_retried_by_the_next_send(backend: Backend) {
    let f = Fixture::new(backend).await;
    let source = MemorySource::new(example_events());
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sink.jsonl");
    let clean = sink_with(Settings { accounts: chart(&[]), state_file: Some(state.clone()), ..Settings::default() });
    f.propose_good(&source, &clean, OCTOBER).await;
    let keys = f.keys(OCTOBER).await;
    let bad = keys[1].clone();
    let faulty = sink_with(Settings {
        accounts: chart(&[]),
        state_file: Some(state),
        faults: Faults { fail_keys: vec![bad.clone()], ..Faults::default() },
        ..Settings::default()
    });

    let report = send(&f.store, &f.books(&f.good), &faulty, month(OCTOBER), "sam", &fast()).await.unwrap();
    assert_eq!(report.status, PeriodStatus::Sending);
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Sending);
    assert_eq!((report.counts.posted, report.counts.failed), (keys.len() as u64 - 1, 1));
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].key, bad);
    let summary = report.summary();
    assert!(summary.starts_with(&format!(
        "Period 2026-10 is still sending: {} of {} entries",
        keys.len() - 1,
        keys.len()
    )));
    assert!(summary.contains(&format!("Entry {bad} failed: ")), "{summary}");
    assert!(summary.contains("then send again"), "{summary}");
    let record = f.store.postings().get(&f.client, &bad).await.unwrap().unwrap();
    assert_eq!(record.status, PostingStatus::Failed);
    assert_eq!(faulty.posted_count(&bad).unwrap(), 0);

    // The cause is fixed in the sink: the next send retries only the failed entry.
    let report = send(&f.store, &f.books(&f.good), &clean, month(OCTOBER), "sam", &fast()).await.unwrap();
    assert_eq!(report.status, PeriodStatus::Sent, "{}", report.summary());
    assert_eq!(report.posted, 1);
    assert_each_posted_once(&clean, &keys);
}

async fn a_late_event_lands_in_the_next_open_month_with_its_original_date(backend: Backend) {
    let f = Fixture::new(backend).await;
    let events = example_events();
    let sink = sink(&[]);
    f.propose_good(&MemorySource::new(events.clone()), &sink, OCTOBER).await;
    let october_keys = f.keys(OCTOBER).await;
    send(&f.store, &f.books(&f.good), &sink, month(OCTOBER), "sam", &fast()).await.unwrap();
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Sent);

    // An October repayment arrives after October was sent.
    let mut more = events;
    more.push(late_event("tx-late", "2026-10-20"));
    let report =
        propose(&f.store, &f.books(&f.good), &MemorySource::new(more), &sink, month(NOVEMBER), "pat").await.unwrap();
    assert_eq!(report.blocking(), 0, "{:#?}", report.problems);
    assert_eq!(report.late, 1);

    let stored = f.store.events().get(&f.client, &EventId::from("tx-late")).await.unwrap().unwrap();
    assert_eq!(stored.period, Some(month(NOVEMBER)));
    assert_eq!(stored.booked_on, Some("2026-11-01".parse().unwrap()));
    assert_eq!(stored.original_date(), Some("2026-10-20".parse().unwrap()));

    // Its entry is dated November 1st and names the original date; October is untouched.
    let late_detail = f.detail_of(NOVEMBER, "tx-late").await.expect("the late event's entry is in November");
    assert_eq!(late_detail.date(), "2026-11-01".parse().unwrap());
    assert!(late_detail.memo().contains("original date 2026-10-20"), "{}", late_detail.memo());
    assert_eq!(f.keys(OCTOBER).await, october_keys);
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Sent);

    let sent = send(&f.store, &f.books(&f.good), &sink, month(NOVEMBER), "sam", &fast()).await.unwrap();
    assert_eq!(sent.status, PeriodStatus::Sent, "{}", sent.summary());
    let all: Vec<EntryKey> = october_keys.into_iter().chain(f.keys(NOVEMBER).await).collect();
    assert_each_posted_once(&sink, &all);
}

async fn two_senders_at_once_post_each_entry_once(backend: Backend) {
    let f = Fixture::new(backend).await;
    let source = MemorySource::new(example_events());
    let sink = sink_with(Settings {
        accounts: chart(&[]),
        max_batch: 1,
        idempotency: IdempotencyWindow::Posts(0),
        ..Settings::default()
    });
    f.propose_good(&source, &sink, OCTOBER).await;
    let keys = f.keys(OCTOBER).await;
    let books = f.books(&f.good);
    let options = fast();
    let (a, b) = tokio::join!(
        send(&f.store, &books, &sink, month(OCTOBER), "sam", &options),
        send(&f.store, &books, &sink, month(OCTOBER), "kim", &options),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.posted + b.posted, keys.len() as u64);
    assert!(a.status == PeriodStatus::Sent || b.status == PeriodStatus::Sent);
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Sent);
    assert_each_posted_once(&sink, &keys);
}

async fn a_reversal_of_an_earlier_months_event_mirrors_it(backend: Backend) {
    let f = Fixture::new(backend).await;
    let mut events = example_events();
    events.push(
        parse_event_line(
            r#"{"id":"tx-rev","loan_id":"L-1004","product":"personal","kind":"reversal","date":"2026-11-04","currency":"USD","amount":"300.00","reverses":"tx-1010","office":"NORTH"}"#,
            None,
        )
        .unwrap(),
    );
    let source = MemorySource::new(events);
    let sink = sink(&[]);
    f.propose_good(&source, &sink, OCTOBER).await;
    send(&f.store, &f.books(&f.good), &sink, month(OCTOBER), "sam", &fast()).await.unwrap();
    let loan_level = Books { detail: DetailLevel::Loan, ..f.books(&f.good) };
    let report = propose(&f.store, &loan_level, &source, &sink, month(NOVEMBER), "pat").await.unwrap();
    assert_eq!(report.blocking(), 0, "{:#?}", report.problems);
    let november = f.store.entries().list(&f.client, month(NOVEMBER)).await.unwrap();
    let reversal = november.iter().find(|e| e.entry.events().contains(&EventId::from("tx-rev"))).unwrap();
    // It mirrors the October entry of tx-1010: same accounts and amounts, sides swapped.
    let tx_1010 = EventId::from("tx-1010");
    let mut original = None;
    for staged in f.store.entries().list(&f.client, month(OCTOBER)).await.unwrap() {
        for detail in f.store.entries().detail(&f.client, staged.entry.key()).await.unwrap() {
            if detail.events().contains(&tx_1010) {
                original = Some(detail);
            }
        }
    }
    let original = original.expect("tx-1010 was proposed in October");
    let lines = |e: &tieout_core::entry::JournalEntry, flip: bool| {
        let mut out: Vec<(String, String, String)> = e
            .lines()
            .iter()
            .map(|l| {
                let side = if flip { l.side().opposite() } else { l.side() };
                (l.account().to_string(), side.as_str().to_owned(), l.amount().to_string())
            })
            .collect();
        out.sort();
        out
    };
    assert_eq!(lines(&reversal.entry, false), lines(&original, true));
}

async fn office_dimensions_the_accounting_package_does_not_take_block_sending(backend: Backend) {
    let f = Fixture::new(backend).await;
    let source = MemorySource::new(example_events());
    // The sink takes `class` only; the mapping gives head office a `location` too.
    let class_only = sink(&[]);
    let text = mapping_text().replace(
        "[offices.HQ]\nclass = \"Headquarters\"\n",
        "[offices.HQ]\nclass = \"Headquarters\"\nlocation = \"Main St\"\n",
    );
    assert_ne!(text, mapping_text(), "the example mapping has [offices.HQ]");
    let located = MappingFile::from_toml(&text, "mapping.toml").unwrap();

    let report = propose(&f.store, &f.books(&located), &source, &class_only, month(OCTOBER), "pat").await.unwrap();
    let found: Vec<_> = report.problems.iter().filter(|p| p.code == "dimension_unsupported").collect();
    assert_eq!(found.len(), 1, "{:#?}", report.problems);
    assert_eq!(found[0].severity, Severity::Error);
    assert!(
        found[0].sentence.starts_with(
            "Office 'HQ' is mapped to location = 'Main St', but the accounting package takes no 'location' dimension \
             (it takes: class); "
        ),
        "{}",
        found[0].sentence
    );
    assert!(found[0].sentence.ends_with("of 2026-10 use the office."), "{}", found[0].sentence);
    assert_eq!(
        found[0].fix,
        "Remove location from [offices.HQ] in the mapping, or turn location on in the accounting package, then \
         reload the month."
    );
    assert_eq!(report.blocking(), 1, "{:#?}", report.problems);

    // Send is refused before anything reaches the accounting package.
    let err = send(&f.store, &f.books(&located), &class_only, month(OCTOBER), "sam", &fast()).await.unwrap_err();
    assert!(matches!(err, PeriodError::Blocked { blocking: 1, .. }), "{err}");
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Proposed);
    assert_eq!(class_only.entries().unwrap().len(), 0);

    // A sink that takes no dimension at all: both offices' classes are problems.
    let no_dimensions = MemorySink::new(Settings { accounts: chart(&[]), ..Settings::default() }).unwrap();
    let report = propose(&f.store, &f.books(&f.good), &source, &no_dimensions, month(OCTOBER), "pat").await.unwrap();
    let mut offices: Vec<&str> = report
        .problems
        .iter()
        .filter(|p| p.code == "dimension_unsupported")
        .map(|p| {
            assert!(p.sentence.contains("takes no 'class' dimension (it takes: none)"), "{}", p.sentence);
            p.sentence.split('\'').nth(1).unwrap()
        })
        .collect();
    offices.sort_unstable();
    assert_eq!(offices, ["HQ", "NORTH"]);

    // Reloaded with the mapping the sink can take: no problems, and every entry is posted.
    f.propose_good(&source, &class_only, OCTOBER).await;
    let sent = send(&f.store, &f.books(&f.good), &class_only, month(OCTOBER), "sam", &fast()).await.unwrap();
    assert_eq!(sent.status, PeriodStatus::Sent, "{}", sent.summary());
    assert_each_posted_once(&class_only, &f.keys(OCTOBER).await);
}
