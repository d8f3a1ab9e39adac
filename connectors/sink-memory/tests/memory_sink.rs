//! The memory sink's own behaviour: expiring idempotency keys, simulated faults, refusals
//! before any write, the trial balance, and the state file across instances and torn writes.

mod support;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;
use sink_memory::{Faults, IdempotencyWindow, LedgerError, MemorySink, Settings};
use support::{chart, date, entry, entry_on, postings, usd};
use tieout_conformance::ManualClock;
use tieout_core::connector::{AccountingSink, CurrencySupport, Posting, SinkError};
use tieout_core::money::Currency;

fn settings() -> Settings {
    Settings { accounts: chart(), currencies: CurrencySupport::Enabled(vec![usd()]), ..Settings::default() }
}

fn sink(settings: Settings) -> MemorySink {
    MemorySink::new(settings).unwrap()
}

fn refs(outcomes: &[tieout_core::connector::PostOutcome]) -> Vec<String> {
    outcomes
        .iter()
        .map(|o| o.result.as_ref().map(|r| r.to_string()).unwrap_or_else(|e| format!("ERR {}", e.message)))
        .collect()
}

#[tokio::test]
async fn keys_remembered_by_count_expire_and_then_post_twice() {
    let sink = sink(Settings { idempotency: IdempotencyWindow::Posts(2), ..settings() });
    let (a, b, c) = (entry("a", 10), entry("b", 20), entry("c", 30));
    assert_eq!(refs(&sink.post(&postings(std::slice::from_ref(&a))).await.unwrap()), ["mem-000001"]);
    // Within the window: the same ref, no second entry.
    assert_eq!(refs(&sink.post(&postings(&[a.clone(), b])).await.unwrap()), ["mem-000001", "mem-000002"]);
    sink.post(&postings(&[c])).await.unwrap();
    // Two entries were posted after `a`: its key is forgotten, and a repeat is a duplicate.
    assert_eq!(refs(&sink.post(&postings(std::slice::from_ref(&a))).await.unwrap()), ["mem-000004"]);
    assert_eq!(sink.posted_count(a.key()).unwrap(), 2);
    // find_posted still finds the first post.
    assert_eq!(sink.find_posted(a.key()).await.unwrap().map(|r| r.to_string()).as_deref(), Some("mem-000001"));
}

#[tokio::test]
async fn keys_remembered_by_time_follow_the_clock() {
    let clock = Arc::new(ManualClock::default());
    let sink = sink(Settings { idempotency: IdempotencyWindow::Time(Duration::from_secs(300)), ..settings() })
        .with_clock(clock.clone());
    let a = entry("a", 10);
    sink.post(&postings(std::slice::from_ref(&a))).await.unwrap();
    clock.advance(chrono::Duration::seconds(299));
    assert_eq!(refs(&sink.post(&postings(std::slice::from_ref(&a))).await.unwrap()), ["mem-000001"]);
    clock.advance(chrono::Duration::seconds(2));
    assert_eq!(refs(&sink.post(&postings(std::slice::from_ref(&a))).await.unwrap()), ["mem-000002"]);
    assert_eq!(sink.capabilities().idempotency_window, Some(Duration::from_secs(300)));
}

#[tokio::test]
async fn per_item_failures_leave_the_others_posted() {
    let faults = Faults {
        fail_keys: vec![entry("k", 1).key().clone()],
        fail_accounts: vec!["Broken".into()],
        ..Faults::default()
    };
    let sink = sink(Settings { faults, ..settings() });
    let batch = [
        entry("ok-1", 10),
        entry_on("broken", 11, "Broken", "Cash", date(10, 5), usd()),
        entry("k", 1),
        entry_on("missing", 12, "Nowhere", "Cash", date(10, 5), usd()),
        entry_on("inactive", 13, "OldSuspense", "Cash", date(10, 5), usd()),
        entry("ok-2", 14),
    ];
    let sink = MemorySink::new(Settings { max_batch: 10, ..sink.settings().clone() }).unwrap();
    let outcomes = sink.post(&postings(&batch)).await.unwrap();
    assert_eq!(
        refs(&outcomes),
        [
            "mem-000001",
            "ERR account 'Broken' refused the line (simulated per-item failure)",
            "ERR entry t-k was refused (simulated per-item failure)",
            "ERR account 'Nowhere' is not in the chart of accounts",
            "ERR account 'OldSuspense' is inactive",
            "mem-000002",
        ]
    );
    assert!(outcomes.iter().filter_map(|o| o.result.as_ref().err()).all(|f| !f.retryable));
    assert_eq!(sink.entries().unwrap().len(), 2);
}

#[tokio::test]
async fn a_timeout_after_the_write_has_written() {
    let sink =
        sink(Settings { faults: Faults { timeout_after_write_every: Some(2), ..Faults::default() }, ..settings() });
    sink.post(&postings(&[entry("a", 10)])).await.unwrap();
    let b = entry("b", 20);
    let err = sink.post(&postings(std::slice::from_ref(&b))).await.unwrap_err();
    assert!(matches!(err, SinkError::Unavailable { .. }), "{err:?}");
    assert!(tieout_core::connector::Retryable::is_retryable(&err));
    // The entry is there: find_posted sees it, and a retry within the window has no second effect.
    assert_eq!(sink.find_posted(b.key()).await.unwrap().map(|r| r.to_string()).as_deref(), Some("mem-000002"));
    assert_eq!(refs(&sink.post(&postings(std::slice::from_ref(&b))).await.unwrap()), ["mem-000002"]);
    assert_eq!(sink.posted_count(b.key()).unwrap(), 1);
}

#[tokio::test]
async fn rate_limits_and_refused_credentials() {
    let faults = Faults { rate_limited_every: Some(3), retry_after: Duration::from_secs(2), ..Faults::default() };
    let sink = sink(Settings { faults, ..settings() });
    sink.check().await.unwrap();
    sink.chart_of_accounts().await.unwrap();
    let err = sink.post(&postings(&[entry("a", 1)])).await.unwrap_err();
    assert_eq!(err, SinkError::RateLimited { retry_after: Some(Duration::from_secs(2)) });
    assert!(sink.entries().unwrap().is_empty(), "a rate-limited call does nothing");
    assert_eq!(sink.calls(), 3);

    let refused = sink_refusing();
    for result in [
        refused.check().await,
        refused.lock_date().await.map(|_| ()),
        refused.find_posted(entry("a", 1).key()).await.map(|_| ()),
    ] {
        assert!(matches!(result, Err(SinkError::Auth { .. })), "{result:?}");
    }
}

fn sink_refusing() -> MemorySink {
    sink(Settings { refuse_credentials: true, ..settings() })
}

#[tokio::test]
async fn what_can_be_known_before_writing_is_refused_whole() {
    let sink =
        sink(Settings { max_batch: 2, lock_date: Some(date(6, 30)), dimensions: vec!["class".into()], ..settings() });
    let too_many = [entry("a", 1), entry("b", 2), entry("c", 3)];
    assert!(matches!(sink.post(&postings(&too_many)).await, Err(SinkError::Rejected { .. })));
    let euro = Currency::new("EUR").unwrap();
    let mixed = [entry("a", 1), entry_on("eur", 2, "Loans", "Cash", date(10, 5), euro)];
    let err = sink.post(&postings(&mixed)).await.unwrap_err();
    assert!(err.to_string().contains("EUR, which this sink cannot book (only USD)"), "{err}");
    let locked = [entry("a", 1), entry_on("old", 2, "Loans", "Cash", date(6, 30), usd())];
    let err = sink.post(&postings(&locked)).await.unwrap_err();
    assert!(matches!(err, SinkError::Locked { .. }), "{err:?}");
    let twice = [entry("a", 1), entry("a", 1)];
    assert!(sink.post(&postings(&twice)).await.unwrap_err().to_string().contains("appears twice in one batch"));
    let e = entry("dims", 5);
    let mut dims = BTreeMap::new();
    dims.insert("HQ".to_owned(), [("region".to_owned(), "North".to_owned())].into_iter().collect());
    let err = sink.post(&[Posting { entry: &e, dimensions: dims }]).await.unwrap_err();
    assert!(err.to_string().contains("dimension 'region'"), "{err}");
    assert!(sink.entries().unwrap().is_empty(), "nothing was written");

    // A known dimension is kept on the lines of its office.
    let mut dims = BTreeMap::new();
    dims.insert("HQ".to_owned(), [("class".to_owned(), "Headquarters".to_owned())].into_iter().collect());
    sink.post(&[Posting { entry: &e, dimensions: dims }]).await.unwrap();
    let posted = sink.entries().unwrap();
    assert_eq!(posted[0].lines[0].dimensions.get("class").map(String::as_str), Some("Headquarters"));
}

#[tokio::test]
async fn the_trial_balance_is_as_of_a_date() {
    let sink = sink(settings());
    let early = entry_on("early", 100, "Loans", "Cash", date(10, 1), usd());
    let late = entry_on("late", 40, "IntInc", "Loans", date(10, 20), usd());
    sink.post(&postings(&[early, late])).await.unwrap();
    let tb = |rows: Vec<tieout_core::connector::AccountBalance>| {
        rows.into_iter().map(|r| (r.account.to_string(), r.balance)).collect::<Vec<_>>()
    };
    assert_eq!(
        tb(sink.trial_balance(date(10, 10)).await.unwrap()),
        [("Cash".to_owned(), Decimal::from(-100)), ("Loans".to_owned(), Decimal::from(100))]
    );
    assert_eq!(
        tb(sink.trial_balance(date(10, 31)).await.unwrap()),
        [
            ("Cash".to_owned(), Decimal::from(-100)),
            ("IntInc".to_owned(), Decimal::from(40)),
            ("Loans".to_owned(), Decimal::from(60))
        ]
    );
}

fn persisted(path: &std::path::Path) -> Settings {
    Settings { state_file: Some(path.to_owned()), idempotency: IdempotencyWindow::Posts(1), ..settings() }
}

#[tokio::test]
async fn the_state_file_is_one_ledger_shared_by_every_instance() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books").join("ledger.jsonl");
    let first = sink(persisted(&path));
    let a = entry("a", 10);
    first.post(&postings(std::slice::from_ref(&a))).await.unwrap();
    drop(first);
    // A new process (here: a new instance) finds what the first posted.
    let second = sink(persisted(&path));
    assert_eq!(second.find_posted(a.key()).await.unwrap().map(|r| r.to_string()).as_deref(), Some("mem-000001"));
    let third = sink(persisted(&path));
    third.post(&postings(&[entry("b", 20)])).await.unwrap();
    // Instances that are open at the same time see each other's posts, and number them on.
    assert_eq!(second.entries().unwrap().len(), 2);
    assert_eq!(refs(&second.post(&postings(&[entry("c", 30)])).await.unwrap()), ["mem-000003"]);
    assert_eq!(third.trial_balance(date(12, 31)).await.unwrap().len(), 2);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(text.ends_with('\n'));
}

#[tokio::test]
async fn a_torn_last_line_is_skipped_and_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.jsonl");
    sink(persisted(&path)).post(&postings(&[entry("a", 10)])).await.unwrap();
    let complete = std::fs::metadata(&path).unwrap().len();
    // A process killed in the middle of a write leaves half a line.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(b"{\"seq\":2,\"external_ref\":\"mem-0")
        .unwrap();
    let reopened = sink(persisted(&path));
    assert_eq!(std::fs::metadata(&path).unwrap().len(), complete, "the torn line was cut off");
    assert_eq!(reopened.entries().unwrap().len(), 1);
    assert_eq!(refs(&reopened.post(&postings(&[entry("b", 20)])).await.unwrap()), ["mem-000002"]);
    let again = sink(persisted(&path));
    assert_eq!(again.entries().unwrap().len(), 2);
}

#[tokio::test]
async fn a_damaged_line_before_the_last_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.jsonl");
    let writer = sink(persisted(&path));
    writer.post(&postings(&[entry("a", 10), entry("b", 20)])).await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("\"seq\":1", "\"seq\":\"one\"", 1)).unwrap();
    match MemorySink::new(persisted(&path)) {
        Err(LedgerError::Corrupt { line, .. }) => assert_eq!(line, 1),
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_posting_at_once_never_share_a_ref() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.jsonl");
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let sink = sink(Settings { idempotency: IdempotencyWindow::Forever, ..persisted(&path) });
        tasks.push(tokio::spawn(async move {
            for i in 0..10 {
                let e = entry(&format!("w{worker}-{i}"), 1);
                sink.post(&postings(&[e])).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let entries = sink(persisted(&path)).entries().unwrap();
    assert_eq!(entries.len(), 40);
    let refs: std::collections::BTreeSet<String> = entries.iter().map(|e| e.external_ref.to_string()).collect();
    assert_eq!(refs.len(), 40);
    assert!(entries.iter().enumerate().all(|(i, e)| e.seq == i as u64 + 1));
}

/// Set for the child process of `a_process_killed_while_posting_leaves_a_readable_ledger`.
const CHILD_STATE: &str = "SINK_MEMORY_TEST_CHILD_STATE_FILE";

/// In the child process only: posts entries one by one until it is killed.
#[tokio::test]
async fn child_posts_until_killed() {
    let Some(path) = std::env::var_os(CHILD_STATE) else { return };
    let sink = sink(Settings { idempotency: IdempotencyWindow::Forever, ..persisted(std::path::Path::new(&path)) });
    for i in 0.. {
        sink.post(&postings(&[entry(&format!("child-{i}"), 1)])).await.unwrap();
    }
}

#[tokio::test]
async fn a_process_killed_while_posting_leaves_a_readable_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.jsonl");
    for round in 0..3 {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_posts_until_killed", "--test-threads=1"])
            .env(CHILD_STATE, &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let target = 20 * (round + 1);
        let started = std::time::Instant::now();
        while std::fs::read_to_string(&path).map(|t| t.lines().count()).unwrap_or(0) < target {
            assert!(started.elapsed() < Duration::from_secs(60), "the child posted too slowly");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        child.kill().unwrap(); // SIGKILL: no destructor, no flush
        child.wait().unwrap();
        // A new instance reads every complete entry, numbered without gaps, and posts on.
        let sink = sink(persisted(&path));
        let entries = sink.entries().unwrap();
        assert!(entries.len() >= target, "{} entries after round {round}", entries.len());
        assert!(entries.iter().enumerate().all(|(i, e)| e.seq == i as u64 + 1));
        let next = format!("mem-{:06}", entries.len() + 1);
        assert_eq!(refs(&sink.post(&postings(&[entry(&format!("after-{round}"), 1)])).await.unwrap()), [next]);
    }
}
