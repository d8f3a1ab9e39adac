//! Two senders at once, as processes (issue 4, "Reliability": two processes sending the same
//! period at once post once): a month is proposed, then two `tieout period send` processes are
//! started at the same moment against the memory sink's state file. Both end (sent, already sent,
//! or still sending while the other finishes); the month is `sent`, every entry is in the sink
//! exactly once, and each was posted by exactly one of the two. Each round runs on SQLite and on
//! Postgres (a schema of its own), each in a fresh store and sink.
//!
//! 3 rounds by default; `TIEOUT_SOAK_CONCURRENT_ROUNDS=N` runs N (`cargo xtask ci --soak`). Run
//! with `--nocapture` for how each round's work was shared.

mod common;

use std::collections::BTreeSet;
use std::process::{Output, Stdio};

use common::{PERIOD, Setup, expected_keys, send_args, send_field, text};
use tieout_store::Backend;
use tieout_store::testing::TestStore;

/// 100 loans × (1 + 4 repayments) = 500 entries: 100 batches of the sink's 5, enough for two
/// senders to overlap.
const LOANS: usize = 100;
const ROUNDS: usize = 3;

#[test]
#[expect(clippy::print_stderr, reason = "how the two senders shared the work is the soak's report")]
fn two_send_processes_started_together_post_every_entry_once() {
    let rounds: usize =
        std::env::var("TIEOUT_SOAK_CONCURRENT_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(ROUNDS);
    let expected = expected_keys(LOANS);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    for round in 0..rounds {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            // Postgres: a fresh schema, dropped when the round ends; SQLite: a file in the setup's folder.
            let db = match backend {
                Backend::Sqlite => None,
                Backend::Postgres => Some(
                    runtime.block_on(TestStore::new(backend)).unwrap_or_else(|e| panic!("a Postgres test store: {e}")),
                ),
            };
            let report = race(&expected, db.as_ref().map(|d| d.url.clone()));
            eprintln!("round {round} on {backend:?}: {report}");
        }
    }
}

/// Proposes the month, starts two senders together, waits for both and checks the outcome.
fn race(expected: &BTreeSet<String>, store_url: Option<String>) -> String {
    let s = Setup::new(LOANS, store_url);
    s.close(expected);
    let spawn = || {
        s.command(&send_args("300"))
            .env("TIEOUT_LOG", "tieout_period=info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tieout starts")
    };
    let (first, second) = (spawn(), spawn());
    let outputs = [first.wait_with_output().expect("first sender"), second.wait_with_output().expect("second sender")];

    let outcomes: Vec<&str> = outputs.iter().map(|out| outcome(out, expected.len())).collect();
    assert!(outcomes.contains(&"sent"), "one of the two finished the month: {outcomes:?}");
    assert!(s.is_sent(), "the month is sent");
    s.assert_each_posted_once(expected);
    // No lease ran out and no answer was lost: every entry was posted by exactly one of them.
    let posted: Vec<u64> = outputs.iter().map(|out| send_field(&text(&out.stderr), "posted")).collect();
    assert_eq!(posted.iter().sum::<u64>(), expected.len() as u64, "{posted:?}");
    format!("the two senders posted {} and {} of {} entries ({outcomes:?})", posted[0], posted[1], expected.len())
}

/// How one sender ended: `sent`, `already sent` (the other finished before it began), or `still
/// sending` (it found nothing left to claim while the other was posting its last batch).
fn outcome(out: &Output, entries: usize) -> &'static str {
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    if out.status.success() {
        assert_eq!(stdout.trim(), format!("Period {PERIOD} is sent: all {entries} entries are posted."));
        "sent"
    } else if stderr.contains("is already sent") {
        "already sent"
    } else {
        assert!(stdout.contains("is still sending") && stdout.contains("held by another sender"), "{stdout}\n{stderr}");
        "still sending"
    }
}
