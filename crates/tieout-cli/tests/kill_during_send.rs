//! Crash safety of the month's send (issue 4, "Reliability"): `tieout period send` is killed with
//! SIGKILL at pseudo-random points, again and again, against the memory sink whose idempotency
//! keys expire after one more post (so only the look-up of an attempted entry, `find_posted`,
//! keeps it from being posted twice); then a send runs to the end. Every staged entry must be in
//! the sink exactly once, none missing.
//!
//! 50 kills by default; `TIEOUT_SOAK_KILLS=500` soaks longer, in rounds of 50 kills per month,
//! each round in a fresh store and sink. Run with `--nocapture` for each round's report.

mod common;

use std::collections::BTreeSet;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{PERIOD, Setup, expected_keys, send_args, send_field, text};

/// 500 loans × (1 + 4 repayments) = 2,500 events, one entry each.
const LOANS: usize = 500;
/// Leases of a killed sender hold this long; the CLI's default (300 s) would stall the test.
const LEASE_SECS: &str = "1";

fn spawn_send(s: &Setup) -> Child {
    s.command(&send_args(LEASE_SECS)).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("tieout starts")
}

/// A deterministic pseudo-random sequence (SplitMix64), so a failure replays.
struct Delays(u64);

impl Delays {
    fn next_ms(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % below
    }
}

/// Kills per month sent: about what it takes to post the month in pieces. A longer soak sends
/// more months (each in a fresh store and sink) rather than killing senders of a sent month.
const KILLS_PER_ROUND: usize = 50;

#[test]
#[expect(clippy::print_stderr, reason = "how many kills landed mid-send is the soak's report")]
fn a_send_killed_again_and_again_posts_every_entry_exactly_once() {
    let kills: usize = std::env::var("TIEOUT_SOAK_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(KILLS_PER_ROUND);
    let expected = expected_keys(LOANS);
    let mut left = kills;
    let mut round = 0;
    while left > 0 {
        let n = left.min(KILLS_PER_ROUND);
        let report = kill_then_finish(&expected, n, 0x7469_656F_7574 + round);
        eprintln!("round {round}: {report}");
        left -= n;
        round += 1;
    }
}

/// Closes the month in a fresh setup, kills `kills` senders, sends to the end and checks the sink.
fn kill_then_finish(expected: &BTreeSet<String>, kills: usize, seed: u64) -> String {
    let started = Instant::now();
    let s = Setup::new(LOANS, None);
    s.close(expected);

    let mut delays = Delays(seed);
    // Kills after the sink had posted something, before it had, and sends that ended by themselves.
    let (mut mid_send, mut before_posting, mut finished) = (0, 0, 0);
    for _ in 0..kills {
        let before = s.posted_keys().len();
        let mut child = spawn_send(&s);
        // Process start-up (config, store, sink) takes some tens of milliseconds; the delay
        // lands kills before, during and between the sink's post calls.
        std::thread::sleep(Duration::from_millis(delays.next_ms(300)));
        if child.try_wait().expect("child status").is_some() {
            finished += 1;
            continue;
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        if s.posted_keys().len() > before {
            mid_send += 1;
        } else {
            before_posting += 1;
        }
    }
    let killing = started.elapsed();
    let posted_by_killed = s.posted_keys().len();

    // The killed senders' leases run out; then a send finishes the month (unless a sender in the
    // loop finished it already).
    let (mut sends, mut found) = (0, 0);
    while !s.is_sent() {
        assert!(sends < 5, "the month is still not sent after {sends} sends");
        std::thread::sleep(Duration::from_millis(1_200));
        let out = s
            .command(&send_args(LEASE_SECS))
            .env("TIEOUT_LOG", "tieout_period=info")
            .env("NO_COLOR", "1")
            .output()
            .expect("tieout runs");
        sends += 1;
        found += send_field(&text(&out.stderr), "found");
        if out.status.success() {
            assert_eq!(
                text(&out.stdout).trim(),
                format!("Period {PERIOD} is sent: all {} entries are posted.", expected.len())
            );
        } else {
            assert!(text(&out.stdout).contains("is still sending"), "{}\n{}", text(&out.stdout), text(&out.stderr));
        }
    }

    s.assert_each_posted_once(expected);

    format!(
        "{kills} kills in {killing:?}: {mid_send} after the sink had posted something, {before_posting} before it \
         posted anything, {finished} sends finished first; {posted_by_killed} of {} entries posted by killed \
         senders; {sends} sends after, which found {found} entries a killed sender had posted but not recorded; total {:?}",
        expected.len(),
        started.elapsed()
    )
}
