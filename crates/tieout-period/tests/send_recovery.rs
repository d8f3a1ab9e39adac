//! When a send cannot finish as proposed: entries whose outcome stays unknown (capped, then retried
//! by the next Send, looked up each time) and abandoning a send to fix the cause and propose again —
//! events that arrive meanwhile go to the next open month, posted entries do not count against the
//! lock date — every entry still posted exactly once. Every test on SQLite and on Postgres.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use common::*;
use sink_memory::{Faults, MemorySink, Settings};
use source_memory::MemorySource;
use tieout_core::connector::{
    AccountBalance, AccountingSink, LedgerAccount, PostOutcome, Posting, SinkCapabilities, SinkError,
};
use tieout_core::entry::EntryKey;
use tieout_core::ids::{AccountRef, EventId};
use tieout_engine::mapping::MappingFile;
use tieout_engine::rules::RuleSet;
use tieout_period::{Books, PeriodError, SendOptions, abandon, propose, send};
use tieout_store::{AuditQuery, Backend, ClaimRequest, PeriodStatus, PostingStatus, Severity};

on_both!(
    an_entry_that_never_answers_fails_after_max_attempts_and_each_send_retries_it,
    abandon_then_reload_with_a_fixed_mapping_posts_the_rest_once,
    abandon_records_what_an_earlier_attempt_posted_and_drops_the_rest,
    abandon_is_refused_unless_a_send_can_be_abandoned,
    an_abandon_whose_look_ups_fail_is_finished_by_the_next,
    an_event_for_a_month_sent_in_part_goes_to_the_next_month_and_each_entry_is_posted_once,
    posted_entries_are_not_refused_by_the_lock_date_only_the_rest_are,
    a_reload_that_loses_a_posted_entry_is_refused_at_send,
);

/// The example mapping's account for auto loans.
const AUTO_LOANS: &str = "Assets:Loans:Auto";

/// The example mapping with auto loans on the principal account (the fix for a refused AUTO_LOANS).
fn fixed_mapping() -> MappingFile {
    let text =
        mapping_text().replace("loan_portfolio = \"Assets:Loans:Auto\"", "loan_portfolio = \"Assets:Loans:Principal\"");
    MappingFile::from_toml(&text, "mapping.toml").unwrap()
}

/// A memory sink that never answers for one entry: a post leaves it out of the outcomes (an unknown
/// outcome, nothing written), until told to answer. Counts the posts and look-ups of that entry.
struct Unanswered {
    inner: MemorySink,
    key: EntryKey,
    answering: AtomicBool,
    posts: AtomicU64,
    lookups: AtomicU64,
}

impl Unanswered {
    fn counts(&self) -> (u64, u64) {
        (self.posts.load(Ordering::SeqCst), self.lookups.load(Ordering::SeqCst))
    }
}

#[async_trait]
impl AccountingSink for Unanswered {
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }
    fn capabilities(&self) -> SinkCapabilities {
        self.inner.capabilities()
    }
    async fn check(&self) -> Result<(), SinkError> {
        self.inner.check().await
    }
    async fn chart_of_accounts(&self) -> Result<Vec<LedgerAccount>, SinkError> {
        self.inner.chart_of_accounts().await
    }
    async fn lock_date(&self) -> Result<Option<NaiveDate>, SinkError> {
        self.inner.lock_date().await
    }
    async fn post(&self, batch: &[Posting<'_>]) -> Result<Vec<PostOutcome>, SinkError> {
        if self.answering.load(Ordering::SeqCst) {
            return self.inner.post(batch).await;
        }
        let (mine, others): (Vec<_>, Vec<_>) = batch.iter().cloned().partition(|p| p.entry.key() == &self.key);
        self.posts.fetch_add(mine.len() as u64, Ordering::SeqCst);
        self.inner.post(&others).await
    }
    async fn find_posted(&self, key: &EntryKey) -> Result<Option<tieout_core::ids::ExternalRef>, SinkError> {
        if key == &self.key {
            self.lookups.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.find_posted(key).await
    }
    async fn trial_balance(&self, as_of: NaiveDate) -> Result<Vec<AccountBalance>, SinkError> {
        self.inner.trial_balance(as_of).await
    }
}

async fn an_entry_that_never_answers_fails_after_max_attempts_and_each_send_retries_it(backend: Backend) {
    let f = Fixture::new(backend).await;
    let source = MemorySource::new(example_events());
    let plain = sink(&[]);
    f.propose_good(&source, &plain, OCTOBER).await;
    let keys = f.keys(OCTOBER).await;
    let stuck = keys[2].clone();
    let sink = Unanswered {
        inner: plain,
        key: stuck.clone(),
        answering: AtomicBool::new(false),
        posts: AtomicU64::new(0),
        lookups: AtomicU64::new(0),
    };
    let options = SendOptions { max_attempts: 3, ..fast() };
    let books = f.books(&f.good);

    // Three tries, the second and third looked up first; then it is failed and the send ends.
    let report = send(&f.store, &books, &sink, month(OCTOBER), "sam", &options).await.unwrap();
    assert_eq!(report.status, PeriodStatus::Sending, "{}", report.summary());
    assert_eq!((report.counts.posted, report.counts.failed), (keys.len() as u64 - 1, 1));
    assert_eq!(report.failed.iter().map(|p| &p.key).collect::<Vec<_>>(), [&stuck]);
    assert!(report.failed[0].error.contains("stayed unknown after 3 attempts"), "{}", report.failed[0].error);
    assert_eq!(sink.counts(), (3, 2), "(posts, look-ups)");
    let record = f.store.postings().get(&f.client, &stuck).await.unwrap().unwrap();
    assert_eq!((record.status, record.attempts, record.tries_since_retry), (PostingStatus::Failed, 4, 4));

    // The next Send gives it three more tries, each looked up first: it was attempted before.
    let report = send(&f.store, &books, &sink, month(OCTOBER), "sam", &options).await.unwrap();
    assert_eq!((report.status, report.counts.failed), (PeriodStatus::Sending, 1), "{}", report.summary());
    assert_eq!(sink.counts(), (6, 5), "three more posts, each after a look-up");

    // The accounting package answers again: the third Send posts it, once.
    sink.answering.store(true, Ordering::SeqCst);
    let report = send(&f.store, &books, &sink, month(OCTOBER), "sam", &options).await.unwrap();
    assert_eq!((report.status, report.posted, report.found), (PeriodStatus::Sent, 1, 0), "{}", report.summary());
    assert_eq!(sink.counts(), (6, 6), "looked up once more before the post that worked");
    assert_each_posted_once(&sink.inner, &keys);
}

/// A sink whose AUTO_LOANS account refuses every line, and a clean one, over one state file.
fn refusing_and_clean(state: &std::path::Path) -> (MemorySink, MemorySink) {
    refusing_and_clean_with(state, vec![AUTO_LOANS.into()])
}

/// A sink that refuses every entry with a line on one of `refused`, and a clean one, over one
/// state file.
fn refusing_and_clean_with(state: &std::path::Path, refused: Vec<AccountRef>) -> (MemorySink, MemorySink) {
    let with = |faults: Faults| {
        sink_with(Settings { accounts: chart(&[]), state_file: Some(state.to_owned()), faults, ..Settings::default() })
    };
    (with(Faults { fail_accounts: refused, ..Faults::default() }), with(Faults::default()))
}

/// A clean sink over `state` whose books are locked up to `lock_date`.
fn locked_at(state: &std::path::Path, lock_date: &str) -> MemorySink {
    sink_with(Settings {
        accounts: chart(&[]),
        state_file: Some(state.to_owned()),
        lock_date: Some(lock_date.parse().unwrap()),
        ..Settings::default()
    })
}

/// The keys of the period's posted entries.
async fn posted_keys(f: &Fixture, period: &str) -> Vec<EntryKey> {
    let postings = f.store.postings().list(&f.client, month(period)).await.unwrap();
    postings.into_iter().filter(|p| p.status == PostingStatus::Posted).map(|p| p.key).collect()
}

/// October proposed and sent to a sink that refuses the auto-loan entries (the rest is posted),
/// then abandoned: proposed again with its posted entries kept. Returns the proposal's keys, the
/// posted ones and the sink without the fault (over the same ledger).
async fn october_sent_in_part(f: &Fixture, state: &std::path::Path) -> (Vec<EntryKey>, Vec<EntryKey>, MemorySink) {
    let (refusing, clean) = refusing_and_clean(state);
    f.propose_good(&MemorySource::new(example_events()), &clean, OCTOBER).await;
    let keys = f.keys(OCTOBER).await;
    let report = send(&f.store, &f.books(&f.good), &refusing, month(OCTOBER), "sam", &fast()).await.unwrap();
    assert!(report.counts.failed > 0 && report.counts.posted > 0, "{}", report.summary());
    abandon(&f.store, &f.books(&f.good), &clean, month(OCTOBER), "sam").await.unwrap();
    let posted = posted_keys(f, OCTOBER).await;
    assert_eq!(posted.len() as u64, report.counts.posted);
    (keys, posted, clean)
}

async fn abandon_then_reload_with_a_fixed_mapping_posts_the_rest_once(backend: Backend) {
    let f = Fixture::new(backend).await;
    let source = MemorySource::new(example_events());
    let dir = tempfile::tempdir().unwrap();
    let (refusing, clean) = refusing_and_clean(&dir.path().join("sink.jsonl"));
    let october = month(OCTOBER);
    f.propose_good(&source, &clean, OCTOBER).await;
    let keys = f.keys(OCTOBER).await;

    // The accounting package refuses the auto-loan entries: they fail, the rest is posted.
    let report = send(&f.store, &f.books(&f.good), &refusing, october, "sam", &fast()).await.unwrap();
    assert_eq!(report.status, PeriodStatus::Sending);
    let refused = report.counts.failed;
    assert!(refused > 0 && report.counts.posted > 0, "{}", report.summary());
    let posted_before = posted_keys(&f, OCTOBER).await;

    // Another sender holds one of them (put back, claimed): abandon is refused, nothing changes.
    f.store.postings().retry_failed(&f.client, october).await.unwrap();
    let request = ClaimRequest {
        client: &f.client,
        period: october,
        owner: "other-sender",
        lease: Duration::from_secs(60),
        limit: 1,
        max_attempts: 5,
        retry_backoff: Duration::ZERO,
    };
    let held = f.store.postings().claim_for_send(&request).await.unwrap();
    assert_eq!(held.len(), 1);
    let err = abandon(&f.store, &f.books(&f.good), &clean, october, "sam").await.unwrap_err();
    assert!(matches!(err, PeriodError::StillSending { held: 1, .. }), "{err}");
    assert!(err.to_string().contains("wait for that send to finish"), "{err}");
    assert!(err.is_retryable());
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Sending);
    let counts = f.store.postings().counts(&f.client, october).await.unwrap();
    assert_eq!((counts.posted, counts.total()), (posted_before.len() as u64, keys.len() as u64));

    // The other sender gives up without an answer: abandon looks that one up, and drops the rest.
    f.store.postings().release(&f.client, &held[0].key, "other-sender").await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let report = abandon(&f.store, &f.books(&f.good), &clean, october, "sam").await.unwrap();
    assert_eq!((report.posted, report.found, report.dropped), (posted_before.len() as u64, 0, refused));
    assert!(report.summary().starts_with("Sending 2026-10 was abandoned; the period is proposed again."));
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Proposed);
    let left = f.store.postings().list(&f.client, october).await.unwrap();
    assert!(left.iter().all(|p| p.status == PostingStatus::Posted), "only posted entries keep postings: {left:?}");
    let query = AuditQuery { client: Some(f.client.clone()), before_id: None, limit: 100 };
    let audit = f.store.audit().list(&query).await.unwrap();
    let abandoned = audit.into_iter().find(|a| a.action == "period.abandon").expect("audited");
    assert_eq!(abandoned.actor, "sam");
    assert!(abandoned.before.as_deref().unwrap_or_default().contains(r#""status":"sending""#), "{abandoned:?}");

    // Reload with the fixed mapping: the same keys, posted entries recognized, the rest posted once.
    let fixed = fixed_mapping();
    let reloaded = propose(&f.store, &f.books(&fixed), &source, &clean, october, "pat").await.unwrap();
    assert_eq!(reloaded.blocking(), 0, "{:#?}", reloaded.problems);
    assert_eq!(f.keys(OCTOBER).await, keys, "entry keys do not depend on accounts");
    let report = send(&f.store, &f.books(&fixed), &clean, october, "sam", &fast()).await.unwrap();
    assert_eq!((report.status, report.posted, report.found), (PeriodStatus::Sent, refused, 0), "{}", report.summary());
    assert_each_posted_once(&clean, &keys);
    for key in &posted_before {
        let record = f.store.postings().get(&f.client, key).await.unwrap().unwrap();
        assert_eq!(record.status, PostingStatus::Posted);
    }
}

async fn abandon_records_what_an_earlier_attempt_posted_and_drops_the_rest(backend: Backend) {
    let f = Fixture::new(backend).await;
    let source = MemorySource::new(example_events());
    let sink = sink(&[]);
    let october = month(OCTOBER);
    f.propose_good(&source, &sink, OCTOBER).await;
    let keys = f.keys(OCTOBER).await;

    // A sender claimed three entries, posted two of them and died before recording anything.
    f.store
        .periods()
        .transition(&f.client, october, PeriodStatus::Proposed, PeriodStatus::Sending, "sam")
        .await
        .unwrap();
    f.store.postings().enqueue_period(&f.client, october).await.unwrap();
    let request = ClaimRequest {
        client: &f.client,
        period: october,
        owner: "dead-process",
        lease: Duration::from_millis(1),
        limit: 3,
        max_attempts: 5,
        retry_backoff: Duration::ZERO,
    };
    let claimed = f.store.postings().claim_for_send(&request).await.unwrap();
    let two: Vec<EntryKey> = claimed.iter().take(2).map(|c| c.key.clone()).collect();
    let staged = f.store.entries().by_keys(&f.client, &two).await.unwrap();
    let batch: Vec<Posting<'_>> =
        staged.iter().map(|s| Posting { entry: &s.entry, dimensions: Default::default() }).collect();
    sink.post(&batch).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;

    let report = abandon(&f.store, &f.books(&f.good), &sink, october, "sam").await.unwrap();
    assert_eq!((report.posted, report.found, report.dropped), (2, 2, keys.len() as u64 - 2));
    for key in &two {
        let record = f.store.postings().get(&f.client, key).await.unwrap().unwrap();
        assert_eq!(record.status, PostingStatus::Posted, "found in the sink, recorded");
    }

    // Sent again (no reload needed): the two are not posted again, the rest are, once each.
    let report = send(&f.store, &f.books(&f.good), &sink, october, "sam", &fast()).await.unwrap();
    assert_eq!((report.status, report.posted, report.found), (PeriodStatus::Sent, keys.len() as u64 - 2, 0));
    assert_each_posted_once(&sink, &keys);
}

async fn abandon_is_refused_unless_a_send_can_be_abandoned(backend: Backend) {
    let f = Fixture::new(backend).await;
    let source = MemorySource::new(example_events());
    let sink = sink(&[]);
    let books = f.books(&f.good);
    let october = month(OCTOBER);

    let err = abandon(&f.store, &books, &sink, october, "sam").await.unwrap_err();
    assert!(matches!(err, PeriodError::CannotAbandon { status: PeriodStatus::Open, .. }), "{err}");
    f.propose_good(&source, &sink, OCTOBER).await;
    let err = abandon(&f.store, &books, &sink, october, "sam").await.unwrap_err();
    assert!(matches!(err, PeriodError::CannotAbandon { status: PeriodStatus::Proposed, .. }), "{err}");
    assert!(err.to_string().contains("only a period being sent (sending) can be abandoned"), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Proposed);

    send(&f.store, &books, &sink, october, "sam", &fast()).await.unwrap();
    let err = abandon(&f.store, &books, &sink, october, "sam").await.unwrap_err();
    assert!(matches!(err, PeriodError::CannotAbandon { status: PeriodStatus::Sent, .. }), "{err}");
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Sent);
}

async fn an_abandon_whose_look_ups_fail_is_finished_by_the_next(backend: Backend) {
    let f = Fixture::new(backend).await;
    let source = MemorySource::new(example_events());
    let dir = tempfile::tempdir().unwrap();
    // The accounting package refuses every entry: nothing of October is posted, so October still
    // takes the events that arrive for it (below).
    let (refusing, clean) = refusing_and_clean_with(&dir.path().join("sink.jsonl"), good_mapping().accounts());
    let october = month(OCTOBER);
    f.propose_good(&source, &clean, OCTOBER).await;
    let keys = f.keys(OCTOBER).await;
    let report = send(&f.store, &f.books(&f.good), &refusing, october, "sam", &fast()).await.unwrap();
    let refused = report.counts.failed;
    assert_eq!((refused, report.counts.posted), (keys.len() as u64, 0), "{}", report.summary());

    // The accounting package answers nothing: the period is proposed, the refused entries kept.
    let silent = MemorySink::new(Settings {
        faults: Faults { rate_limited_every: Some(1), ..Faults::default() },
        ..Settings::default()
    })
    .unwrap();
    let err = abandon(&f.store, &f.books(&f.good), &silent, october, "sam").await.unwrap_err();
    assert!(matches!(err, PeriodError::AbandonUnfinished { left, .. } if left == refused), "{err}");
    assert!(err.is_retryable(), "{err}");
    assert!(err.to_string().contains("run abandon again when the accounting package answers"), "{err}");
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Proposed);
    assert_eq!(f.store.postings().counts(&f.client, october).await.unwrap().failed, refused);

    // Another auto loan of that day arrives: reloaded, it joins that day's auto summary, which is
    // not proposed any more under its key. Send asks to finish the abandon first.
    let mut events = example_events();
    events.push(disbursement("tx-auto-2", "L-1098", "auto", "2026-10-02"));
    let grown = MemorySource::new(events);
    let reloaded = propose(&f.store, &f.books(&f.good), &grown, &clean, october, "pat").await.unwrap();
    assert_eq!((reloaded.blocking(), reloaded.late), (0, 0), "{:#?}", reloaded.problems);
    let reloaded_keys = f.keys(OCTOBER).await;
    let lost = keys.iter().filter(|k| !reloaded_keys.contains(k)).count() as u64;
    assert!(lost > 0, "the auto summary changed its key");
    let err = send(&f.store, &f.books(&f.good), &clean, october, "sam", &fast()).await.unwrap_err();
    assert!(matches!(err, PeriodError::AbandonLeftovers { count, .. } if count == lost), "{err}");
    assert!(err.to_string().contains("abandon again"), "{err}");
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Proposed);

    // Abandoning again finishes: looked up, absent, dropped; nothing is left to abandon after.
    let report = abandon(&f.store, &f.books(&f.good), &clean, october, "sam").await.unwrap();
    assert_eq!((report.found, report.dropped), (0, refused));
    let err = abandon(&f.store, &f.books(&f.good), &clean, october, "sam").await.unwrap_err();
    assert!(matches!(err, PeriodError::CannotAbandon { .. }), "{err}");
    let report = send(&f.store, &f.books(&f.good), &clean, october, "sam", &fast()).await.unwrap();
    let sent = (report.status, report.posted);
    assert_eq!(sent, (PeriodStatus::Sent, reloaded_keys.len() as u64), "{}", report.summary());
    assert_each_posted_once(&clean, &reloaded_keys);
}

async fn an_event_for_a_month_sent_in_part_goes_to_the_next_month_and_each_entry_is_posted_once(backend: Backend) {
    let f = Fixture::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let (keys, posted, clean) = october_sent_in_part(&f, &dir.path().join("sink.jsonl")).await;
    let october = month(OCTOBER);

    // A personal loan disbursed on October 1st at head office arrives. Booked into October, it
    // would join that day's summary, which is posted already, and change its key; so October,
    // sent in part, takes no new events: it goes to November (which has no period yet), late.
    let mut events = example_events();
    events.push(disbursement("tx-late-1", "L-1099", "personal", "2026-10-01"));
    let grown = MemorySource::new(events);
    let fixed = fixed_mapping();
    let reloaded = propose(&f.store, &f.books(&fixed), &grown, &clean, october, "pat").await.unwrap();
    assert_eq!(reloaded.blocking(), 0, "{:#?}", reloaded.problems);
    assert_eq!((reloaded.booked, reloaded.late), (1, 1));
    assert_eq!(f.keys(OCTOBER).await, keys, "the posted entries keep their keys");
    let stored = f.store.events().get(&f.client, &EventId::from("tx-late-1")).await.unwrap().unwrap();
    assert_eq!((stored.period, stored.booked_on), (Some(month(NOVEMBER)), Some("2026-11-01".parse().unwrap())));
    assert_eq!(f.status(NOVEMBER).await, PeriodStatus::Open);

    // Send posts the rest of October, once; the posted entries are not posted again.
    let report = send(&f.store, &f.books(&fixed), &clean, october, "sam", &fast()).await.unwrap();
    let done = (report.status, report.posted, report.found);
    assert_eq!(done, (PeriodStatus::Sent, (keys.len() - posted.len()) as u64, 0), "{}", report.summary());
    assert_each_posted_once(&clean, &keys);

    // Reloaded again, October stays as it was: the event is booked once, into November.
    let err = propose(&f.store, &f.books(&fixed), &grown, &clean, october, "pat").await.unwrap_err();
    assert!(matches!(err, PeriodError::AlreadySent { .. }), "{err}");

    // November proposes it on its first day with the original date in the memo; sent, every
    // entry of both months is in the accounting package once.
    let november = propose(&f.store, &f.books(&fixed), &grown, &clean, month(NOVEMBER), "pat").await.unwrap();
    assert_eq!((november.blocking(), november.booked), (0, 8), "{:#?}", november.problems);
    let late = f.detail_of(NOVEMBER, "tx-late-1").await.expect("the late event's entry is in November");
    assert_eq!(late.date(), "2026-11-01".parse().unwrap());
    assert!(late.memo().contains("original date 2026-10-01"), "{}", late.memo());
    let report = send(&f.store, &f.books(&fixed), &clean, month(NOVEMBER), "sam", &fast()).await.unwrap();
    assert_eq!(report.status, PeriodStatus::Sent, "{}", report.summary());
    let all: Vec<EntryKey> = keys.into_iter().chain(f.keys(NOVEMBER).await).collect();
    assert_each_posted_once(&clean, &all);
}

async fn posted_entries_are_not_refused_by_the_lock_date_only_the_rest_are(backend: Backend) {
    let f = Fixture::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sink.jsonl");
    let (keys, posted, clean) = october_sent_in_part(&f, &state).await;
    let october = month(OCTOBER);
    let fixed = fixed_mapping();
    let source = MemorySource::new(example_events());
    let unposted = (keys.len() - posted.len()) as u64;

    // The accountant locks the books up to October 2nd. The refused auto-loan entries are dated
    // that day: they are locked. The entries posted on October 1st and 2nd are not counted: they
    // are in the accounting package already.
    let locked = locked_at(&state, "2026-10-02");
    let reloaded = propose(&f.store, &f.books(&fixed), &source, &locked, october, "pat").await.unwrap();
    let problems: Vec<_> = reloaded.problems.iter().filter(|p| p.severity == Severity::Error).collect();
    assert_eq!(problems.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(), ["locked"], "{problems:#?}");
    let entries = if unposted == 1 { "1 entry".to_owned() } else { format!("{unposted} entries") };
    let sentence = &problems[0].sentence;
    assert!(sentence.starts_with(&format!("{entries} of 2026-10 ")), "{sentence}");
    assert!(sentence.contains("on or before 2026-10-02 (the first on 2026-10-02)"), "{sentence}");
    let err = send(&f.store, &f.books(&fixed), &locked, october, "sam", &fast()).await.unwrap_err();
    assert!(matches!(err, PeriodError::Blocked { blocking: 1, .. }), "{err}");

    // Moved back to October 1st, the day of posted entries only, and a head-office disbursement of
    // that day arrives (locked, and in a month sent in part: booked into November). The reload has
    // no problem, and Send's own lock check agrees: it posts the rest, once.
    let lock = locked_at(&state, "2026-10-01");
    let mut events = example_events();
    events.push(disbursement("tx-late-1", "L-1099", "personal", "2026-10-01"));
    let grown = MemorySource::new(events);
    let reloaded = propose(&f.store, &f.books(&fixed), &grown, &lock, october, "pat").await.unwrap();
    assert_eq!((reloaded.blocking(), reloaded.late), (0, 1), "{:#?}", reloaded.problems);
    assert_eq!(f.keys(OCTOBER).await, keys);
    let report = send(&f.store, &f.books(&fixed), &lock, october, "sam", &fast()).await.unwrap();
    assert_eq!((report.status, report.posted, report.found), (PeriodStatus::Sent, unposted, 0), "{}", report.summary());
    assert_each_posted_once(&clean, &keys);
}

async fn a_reload_that_loses_a_posted_entry_is_refused_at_send(backend: Backend) {
    let f = Fixture::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let (_, posted, clean) = october_sent_in_part(&f, &dir.path().join("sink.jsonl")).await;
    let october = month(OCTOBER);
    let in_sink = clean.entries().unwrap().len();

    // Reloaded under a new version of the rule set: every entry has another key (the version is
    // part of it), so the posted entries' events would be posted a second time.
    let fixed = fixed_mapping();
    let text = std::fs::read_to_string(repo_file("config/rules/standard.toml")).unwrap();
    let rules = RuleSet::from_toml(&text.replace("version = \"1\"", "version = \"2\""), "standard.toml").unwrap();
    let next_version = Books { rules: &rules, ..f.books(&fixed) };
    let source = MemorySource::new(example_events());
    let reloaded = propose(&f.store, &next_version, &source, &clean, october, "pat").await.unwrap();
    assert_eq!(reloaded.blocking(), 0, "{:#?}", reloaded.problems);
    let err = send(&f.store, &next_version, &clean, october, "sam", &fast()).await.unwrap_err();
    assert!(matches!(err, PeriodError::PostedNotProposed { count, .. } if count == posted.len() as u64), "{err}");
    assert!(err.to_string().contains("would be posted twice"), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(f.status(OCTOBER).await, PeriodStatus::Proposed);
    assert_eq!(clean.entries().unwrap().len(), in_sink, "nothing was posted");
    let counts = f.store.postings().counts(&f.client, october).await.unwrap();
    assert_eq!(counts.total(), counts.posted, "nothing was enqueued");
}

/// A disbursement of 1,000.00 at head office.
fn disbursement(id: &str, loan: &str, product: &str, date: &str) -> tieout_core::event::Event {
    tieout_core::event::parse_event_line(
        &format!(
            r#"{{"id":"{id}","loan_id":"{loan}","product":"{product}","kind":"disbursement","date":"{date}","currency":"USD","amount":"1000.00","office":"HQ"}}"#
        ),
        None,
    )
    .unwrap()
}
