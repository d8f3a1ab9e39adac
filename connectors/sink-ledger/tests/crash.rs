//! Crashes while posting: a torn write is cut off and never counts; a process killed with
//! SIGKILL in the middle of posting, again and again, leaves a journal hledger accepts, with
//! every entry exactly once.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use sink_ledger::{LedgerSink, Settings, ValidatedLedgerSink};
use support::*;
use tieout_conformance::Kit;
use tieout_core::connector::AccountingSink;

fn settings(path: &Path) -> Settings {
    Settings { declare_new_accounts: true, ..Settings::new(path) }
}

#[tokio::test]
async fn a_write_torn_at_any_byte_is_cut_off_on_open_and_then_posted_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.journal");
    let a = entry("a", 10_000);
    let b = entry_on("b", 2_550, "Expenses:New", "Assets:Bank", date(10, 6), eur());
    let sink = LedgerSink::new(settings(&path));
    sink.post(&postings(std::slice::from_ref(&a))).await.unwrap();
    let before_b = std::fs::read(&path).unwrap();
    let b_ref = refs(&sink.post(&postings(std::slice::from_ref(&b))).await.unwrap());
    let complete = std::fs::read(&path).unwrap();
    // B's write: its directives (a new commodity and account) and its transaction.
    assert!(complete.len() - before_b.len() > 150);
    for cut in before_b.len() + 1..complete.len() {
        std::fs::write(&path, &complete[..cut]).unwrap();
        let written = &complete[before_b.len()..cut];
        let kit = Kit::new(Vec::new());
        let reopened = kit
            .capture(async {
                let validated: ValidatedLedgerSink = validated(&path);
                let reopened = LedgerSink::build(validated, &kit.context("ledger"));
                assert_eq!(reopened.find_posted(b.key()).await.unwrap(), None, "cut at {cut}: the torn B counts");
                assert!(reopened.find_posted(a.key()).await.unwrap().is_some());
                reopened
            })
            .await;
        let kept = std::fs::read(&path).unwrap();
        let torn = kept.len() < cut;
        // Complete directive lines may stay (they are harmless); a partial line or transaction never does.
        assert!(
            kept.starts_with(&before_b) && kept.ends_with(b"\n"),
            "cut at {cut}: {:?}",
            String::from_utf8_lossy(&kept)
        );
        assert!(!String::from_utf8_lossy(&kept).contains("key:t-b"), "cut at {cut}");
        if torn {
            assert!(
                kit.logs().contains("cut off a torn write at the end of the journal"),
                "cut at {cut}: {}",
                kit.logs()
            );
        } else {
            assert!(written.ends_with(b"\n") && !written.starts_with(b"2026"), "cut at {cut} was kept: {written:?}");
        }
        // hledger agrees the cut-back journal is sound (every few cuts: each run takes ~50 ms).
        let ask_hledger = cut % 8 == 0 || !torn;
        if ask_hledger {
            hledger_check(&path, false);
        }
        // Posted again: once, with the ref a complete post gives, and hledger reads it.
        let again = refs(&reopened.post(&postings(std::slice::from_ref(&b))).await.unwrap());
        assert_eq!(tagged(&path, "t-b"), 1, "cut at {cut}");
        if kept.len() == before_b.len() {
            assert_eq!(again, b_ref, "cut at {cut}");
            assert_eq!(std::fs::read(&path).unwrap(), complete, "cut at {cut}: the same bytes as the first post");
        }
        if ask_hledger {
            hledger_check(&path, true);
        }
    }
}

fn validated(path: &Path) -> ValidatedLedgerSink {
    use tieout_core::connector::{ConnectorRole, SinkFactory, parse_config};
    let text = format!("path = {:?}\ndeclare_new_accounts = true", path.display().to_string());
    let config = parse_config(ConnectorRole::Sink, "ledger", toml::from_str(&text).unwrap()).unwrap();
    sink_ledger::LedgerSinkFactory::validate(config).unwrap()
}

#[tokio::test]
async fn a_reader_leaves_a_torn_write_unread_and_the_next_writer_cuts_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.journal");
    std::fs::write(&path, CHART).unwrap();
    let writer = LedgerSink::new(Settings::new(&path));
    let reader = LedgerSink::new(Settings::new(&path));
    writer.post(&postings(&[entry("a", 100)])).await.unwrap();
    assert_eq!(reader.transactions().unwrap(), 1);
    let complete = std::fs::metadata(&path).unwrap().len();
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .map(|mut f| std::io::Write::write_all(&mut f, b"2026-10-05 disbursement L-b  ; key:t-b, kind:dis"))
        .unwrap()
        .unwrap();
    // The reader (shared lock) does not count it and does not touch the file.
    assert_eq!(reader.find_posted(entry("b", 1).key()).await.unwrap(), None);
    assert_eq!(reader.transactions().unwrap(), 1);
    assert!(std::fs::metadata(&path).unwrap().len() > complete);
    // The writer (which read the file before the tear) cuts it off before appending.
    writer.post(&postings(&[entry("b", 100)])).await.unwrap();
    assert_eq!(tagged(&path, "t-b"), 1);
    assert_eq!(reader.transactions().unwrap(), 2);
    hledger_check(&path, true);
}

/// Set for the child process of `a_process_killed_while_posting_many_times_leaves_a_sound_journal`.
const CHILD_JOURNAL: &str = "SINK_LEDGER_TEST_CHILD_JOURNAL";
/// Entries per post call in the child: a write of several pages, so that a kill can land in
/// the middle of one (the kernel checks for a fatal signal between pages).
const CHILD_BATCH: usize = 25;

/// The child's entries: key `t-n`, alternating accounts and currencies, amounts in cents.
fn child_entry(n: usize) -> tieout_core::entry::JournalEntry {
    let cents = i64::try_from(n % 997).unwrap() * 101 + 1;
    let (debit, credit, currency) = match n % 3 {
        0 => ("Assets:Loans", "Assets:Bank", usd()),
        1 => ("Assets:Bank", "Income:Interest", usd()),
        _ => ("Assets:Loans:Euro", "Assets:Bank:Euro", eur()),
    };
    let day = date(10, 1 + u32::try_from(n % 28).unwrap());
    entry_on(&n.to_string(), cents, debit, credit, day, currency)
}

/// In the child process only: posts `t-0`, `t-1`, … from the start (what was posted before is
/// recognised and not written again) until it is killed.
#[tokio::test]
async fn child_posts_until_killed() {
    let Some(path) = std::env::var_os(CHILD_JOURNAL) else { return };
    let sink = LedgerSink::new(settings(Path::new(&path)));
    for start in (0..).step_by(CHILD_BATCH) {
        let batch: Vec<_> = (start..start + CHILD_BATCH).map(child_entry).collect();
        refs(&sink.post(&postings(&batch)).await.unwrap());
    }
}

#[tokio::test]
async fn a_process_killed_while_posting_many_times_leaves_a_sound_journal() {
    const ROUNDS: usize = 20;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.journal");
    let mut posted = 0;
    for round in 0..ROUNDS {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_posts_until_killed", "--test-threads=1"])
            .env(CHILD_JOURNAL, &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Let it post a few new batches, then kill it at a moment that varies from round to round.
        let target = posted + 3 * CHILD_BATCH;
        let started = Instant::now();
        while std::fs::read_to_string(&path).map(|t| t.matches("; key:").count()).unwrap_or(0) < target {
            assert!(started.elapsed() < Duration::from_secs(60), "the child posted too slowly");
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_micros(137 * (round as u64 % 11)));
        child.kill().unwrap(); // SIGKILL: no destructor, no flush
        child.wait().unwrap();

        // Reopened, the journal is cut back to its last complete write (if the kill tore one),
        // and hledger accepts it, strict checks included.
        let sink = LedgerSink::new(settings(&path));
        sink.open().unwrap();
        hledger_check(&path, true);
        let keys = keys_in(&path);
        let expected: Vec<String> = (0..keys.len()).map(|n| format!("t-{n}")).collect();
        assert_eq!(keys, expected, "round {round}: every key once, in order, none missing");
        assert!(keys.len() >= target);
        for n in [0, keys.len() / 2, keys.len() - 1] {
            assert!(sink.find_posted(child_entry(n).key()).await.unwrap().is_some(), "round {round}: t-{n}");
        }
        assert_eq!(sink.find_posted(child_entry(keys.len()).key()).await.unwrap(), None);
        posted = keys.len();
    }
    let sink = LedgerSink::new(settings(&path));
    for as_of in [date(10, 1), date(10, 14), date(12, 31)] {
        assert_eq!(balances(sink.trial_balance(as_of).await.unwrap()), hledger_balances(&path, Some(as_of)), "{as_of}");
    }
}
