//! Crash safety of the month's send (issue 4, "Reliability"): `tieout period send` is killed with
//! SIGKILL at pseudo-random points, again and again, against the memory sink whose idempotency
//! keys expire after one more post (so only the look-up of an attempted entry, `find_posted`,
//! keeps it from being posted twice); then a send runs to the end. Every staged entry must be in
//! the sink exactly once, none missing.
//!
//! 50 kills by default; `TIEOUT_SOAK_KILLS=500` soaks longer, in rounds of 50 kills per month,
//! each round in a fresh store and sink. Run with `--nocapture` for each round's report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The memory source's kind: part of every entry key.
const SOURCE_KIND: &str = "memory";
const CLIENT: &str = "acme";
const PERIOD: &str = "2026-10";
const LOANS: usize = 500;
/// Repayments per loan, after its disbursement: 500 × 5 = 2,500 events, one entry each.
const REPAYMENTS: usize = 4;
/// Leases of a killed sender hold this long; the CLI's default (300 s) would stall the test.
const LEASE_SECS: &str = "1";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("config");
        std::fs::create_dir_all(config.join("clients")).expect("clients");
        std::fs::create_dir_all(config.join("mappings")).expect("mappings");
        std::fs::copy(root().join("config/default.toml"), config.join("default.toml")).expect("default.toml");
        std::fs::copy(root().join("config/examples/mapping.toml"), config.join("mappings/acme.toml")).expect("mapping");
        std::fs::write(dir.path().join("events.jsonl"), events()).expect("events");
        let client = format!(
            r#"time_zone = "America/New_York"
mapping = "mappings/acme.toml"
detail = "loan"

[source]
kind = "memory"
events_file = {events:?}

[sink]
kind = "memory"
state_file = {state:?}
max_batch = 5
dimensions = ["class"]
idempotency_window_posts = 1
accounts = [{accounts}]
"#,
            events = dir.path().join("events.jsonl").display().to_string(),
            state = dir.path().join("sink.jsonl").display().to_string(),
            accounts = chart(),
        );
        std::fs::write(config.join("clients/acme.toml"), client).expect("client");
        Setup { dir }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tieout"));
        command
            .arg("--config")
            .arg(self.dir.path().join("config"))
            .args(args)
            .env("TIEOUT__STORE__URL", format!("sqlite://{}", self.dir.path().join("tieout.db").display()));
        command
    }

    fn tieout(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("tieout runs")
    }

    fn is_sent(&self) -> bool {
        let list = self.tieout(&["period", "list", "--client", CLIENT]);
        assert!(list.status.success(), "{}", text(&list.stderr));
        text(&list.stdout).contains(&format!("{PERIOD}  sent"))
    }

    fn spawn_send(&self) -> Child {
        self.command(&send_args()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("tieout starts")
    }

    /// The sink's ledger: one key per posted entry, in posting order (a last line torn by a
    /// crash, without its newline, is not an entry).
    fn posted_keys(&self) -> Vec<String> {
        let Ok(state) = std::fs::read_to_string(self.dir.path().join("sink.jsonl")) else { return Vec::new() };
        let complete = match state.rfind('\n') {
            Some(end) => &state[..=end],
            None => "",
        };
        complete
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let value: serde_json::Value = serde_json::from_str(l).expect("a state line is JSON");
                value["key"].as_str().expect("a state line has a key").to_owned()
            })
            .collect()
    }
}

fn send_args() -> Vec<&'static str> {
    vec!["period", "send", "--client", CLIENT, "--period", PERIOD, "--as", "bob", "--lease-secs", LEASE_SECS]
}

/// One month of activity: each loan disbursed, then repaid four times, principal only.
fn events() -> String {
    let mut out = String::new();
    for loan in 0..LOANS {
        let day = 1 + loan % 10;
        let amount = 1000 + loan;
        out.push_str(&format!(
            r#"{{"id":"d-{loan}","loan_id":"L-{loan:05}","product":"personal","kind":"disbursement","date":"2026-10-{day:02}","currency":"USD","amount":"{amount}.00","office":"HQ"}}"#
        ));
        out.push('\n');
        for n in 1..=REPAYMENTS {
            let paid = day + 4 * n;
            let payment_type = if n % 2 == 0 { "ach" } else { "card" };
            out.push_str(&format!(
                r#"{{"id":"r-{loan}-{n}","loan_id":"L-{loan:05}","product":"personal","kind":"repayment","date":"2026-10-{paid:02}","currency":"USD","amount":"{n}0.00","portions":{{"principal":"{n}0.00"}},"payment_type":"{payment_type}","office":"HQ"}}"#
            ));
            out.push('\n');
        }
    }
    out
}

/// The sink's chart: every account the mapping names, typed by its hledger prefix.
fn chart() -> String {
    let text = std::fs::read_to_string(root().join("config/examples/mapping.toml")).expect("mapping");
    let mapping = tieout_engine::mapping::MappingFile::from_toml(&text, "mapping.toml").expect("mapping parses");
    mapping
        .accounts()
        .iter()
        .map(|a| {
            let name = a.to_string();
            let kind = match name.split(':').next() {
                Some("Assets") => "asset",
                Some("Liabilities") => "liability",
                Some("Income") => "income",
                Some("Expenses") => "expense",
                _ => "equity",
            };
            format!("{{ account = {name:?}, type = \"{kind}\" }}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The keys of the entries the month's proposal stages, computed as `propose` does.
fn expected_keys() -> BTreeSet<String> {
    use tieout_engine::journal::{Journalizer, KeyScope};
    use tieout_engine::summarize::{DetailLevel, summarize};
    let text = std::fs::read_to_string(root().join("config/examples/mapping.toml")).expect("mapping");
    let mapping = tieout_engine::mapping::MappingFile::from_toml(&text, "mapping.toml").expect("mapping parses");
    let rules = tieout_engine::rules::RuleSet::standard();
    let events: Vec<_> = events()
        .lines()
        .enumerate()
        .map(|(i, l)| tieout_core::event::parse_event_line(l, Some(i + 1)).expect("event parses"))
        .collect();
    let scope = KeyScope { client: CLIENT.to_owned(), source: SOURCE_KIND.to_owned() };
    let journal = Journalizer::new(&rules, &mapping, scope.clone()).journalize(&events);
    assert!(journal.problems.is_empty(), "the generated events journalize cleanly");
    let proposals = summarize(journal.entries, DetailLevel::Loan, &scope, &rules.id()).expect("summarizes");
    proposals.iter().map(|p| p.entry.key().to_string()).collect()
}

/// How many entries a send found already posted (its log line "Send finished. … found=N").
fn found_in(log: &str) -> u64 {
    log.lines()
        .filter(|l| l.contains("Send finished."))
        .filter_map(|l| l.split("found=").nth(1))
        .filter_map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse::<u64>().ok())
        .sum()
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
    let expected = expected_keys();
    assert_eq!(expected.len(), LOANS * (1 + REPAYMENTS), "one entry per event at loan detail");
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
    let s = Setup::new();

    let out = s.tieout(&["period", "close", "--client", CLIENT, "--period", PERIOD, "--as", "alice"]);
    assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains(&format!("{} entries", expected.len())), "{stdout}");
    assert!(stdout.contains("No problems"), "{stdout}");

    let mut delays = Delays(seed);
    // Kills after the sink had posted something, before it had, and sends that ended by themselves.
    let (mut mid_send, mut before_posting, mut finished) = (0, 0, 0);
    for _ in 0..kills {
        let before = s.posted_keys().len();
        let mut child = s.spawn_send();
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
            .command(&send_args())
            .env("TIEOUT_LOG", "tieout_period=info")
            .env("NO_COLOR", "1")
            .output()
            .expect("tieout runs");
        sends += 1;
        found += found_in(&text(&out.stderr));
        if out.status.success() {
            assert_eq!(
                text(&out.stdout).trim(),
                format!("Period {PERIOD} is sent: all {} entries are posted.", expected.len())
            );
        } else {
            assert!(text(&out.stdout).contains("is still sending"), "{}\n{}", text(&out.stdout), text(&out.stderr));
        }
    }

    let posted = s.posted_keys();
    let mut times: BTreeMap<&str, usize> = BTreeMap::new();
    for key in &posted {
        *times.entry(key.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = times.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "posted more than once: {twice:?}");
    let in_sink: BTreeSet<String> = times.keys().map(|k| (*k).to_owned()).collect();
    let missing: Vec<_> = expected.difference(&in_sink).collect();
    assert!(missing.is_empty(), "{} entries never posted, e.g. {:?}", missing.len(), missing.first());
    let strange: Vec<_> = in_sink.difference(expected).collect();
    assert!(strange.is_empty(), "posted but never staged: {strange:?}");
    assert_eq!(posted.len(), expected.len());

    format!(
        "{kills} kills in {killing:?}: {mid_send} after the sink had posted something, {before_posting} before it \
         posted anything, {finished} sends finished first; {posted_by_killed} of {} entries posted by killed \
         senders; {sends} sends after, which found {found} entries a killed sender had posted but not recorded; total {:?}",
        expected.len(),
        started.elapsed()
    )
}
