//! The book the send tests run `tieout` processes against: a client whose memory source holds one
//! month of generated activity (each loan disbursed, then repaid four times; one entry per event
//! at loan detail) and whose memory sink keeps its ledger in a state file, with idempotency keys
//! that expire after one more post — so an entry posted twice shows up twice in the file.

#![allow(dead_code)]

pub mod config_dir;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The memory source's kind: part of every entry key.
pub const SOURCE_KIND: &str = "memory";
pub const CLIENT: &str = "acme";
pub const PERIOD: &str = "2026-10";
/// Repayments per loan, after its disbursement.
pub const REPAYMENTS: usize = 4;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A config directory, the events file and the sink's state file in a temp folder.
pub struct Setup {
    dir: tempfile::TempDir,
    store_url: String,
}

impl Setup {
    /// `loans` loans; the store at `store_url`, or a SQLite file in the folder when `None`.
    pub fn new(loans: usize, store_url: Option<String>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("config");
        std::fs::create_dir_all(config.join("clients")).expect("clients");
        std::fs::create_dir_all(config.join("mappings")).expect("mappings");
        std::fs::copy(root().join("config/default.toml"), config.join("default.toml")).expect("default.toml");
        std::fs::copy(root().join("config/examples/mapping.toml"), config.join("mappings/acme.toml")).expect("mapping");
        std::fs::write(dir.path().join("events.jsonl"), events(loans)).expect("events");
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
        let store_url = store_url.unwrap_or_else(|| format!("sqlite://{}", dir.path().join("tieout.db").display()));
        Setup { dir, store_url }
    }

    /// Rewrites a file of the config directory (`clients/acme.toml`, `mappings/acme.toml`).
    pub fn edit_config(&self, path: &str, edit: impl FnOnce(String) -> String) {
        let path = self.dir.path().join("config").join(path);
        let before = std::fs::read_to_string(&path).expect("a config file");
        let after = edit(before.clone());
        assert_ne!(after, before, "the edit of {} changed nothing", path.display());
        std::fs::write(&path, after).expect("config file written");
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tieout"));
        command
            .arg("--config")
            .arg(self.dir.path().join("config"))
            .args(args)
            .env("TIEOUT__STORE__URL", &self.store_url);
        command
    }

    pub fn tieout(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("tieout runs")
    }

    /// Close month as alice; the proposal must have every expected entry and no problem.
    pub fn close(&self, expected: &BTreeSet<String>) {
        let out = self.tieout(&["period", "close", "--client", CLIENT, "--period", PERIOD, "--as", "alice"]);
        assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.contains(&format!("{} entries", expected.len())), "{stdout}");
        assert!(stdout.contains("No problems"), "{stdout}");
    }

    pub fn is_sent(&self) -> bool {
        let list = self.tieout(&["period", "list", "--client", CLIENT]);
        assert!(list.status.success(), "{}", text(&list.stderr));
        text(&list.stdout).contains(&format!("{PERIOD}  sent"))
    }

    /// The sink's ledger: one key per posted entry, in posting order (a last line torn by a
    /// crash, without its newline, is not an entry).
    pub fn posted_keys(&self) -> Vec<String> {
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

    /// Every expected entry is in the sink exactly once, and nothing else is.
    pub fn assert_each_posted_once(&self, expected: &BTreeSet<String>) {
        let posted = self.posted_keys();
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
    }
}

/// The keys of the entries the month's proposal stages for `loans` loans, computed as `propose`
/// does.
pub fn expected_keys(loans: usize) -> BTreeSet<String> {
    use tieout_engine::journal::{Journalizer, KeyScope};
    use tieout_engine::summarize::{DetailLevel, summarize};
    let mapping = example_mapping();
    let rules = tieout_engine::rules::RuleSet::standard();
    let events: Vec<_> = events(loans)
        .lines()
        .enumerate()
        .map(|(i, l)| tieout_core::event::parse_event_line(l, Some(i + 1)).expect("event parses"))
        .collect();
    let scope = KeyScope { client: CLIENT.to_owned(), source: SOURCE_KIND.to_owned() };
    let journal = Journalizer::new(&rules, &mapping, scope.clone()).journalize(&events);
    assert!(journal.problems.is_empty(), "the generated events journalize cleanly");
    let proposals = summarize(journal.entries, DetailLevel::Loan, &scope, &rules.id()).expect("summarizes");
    let keys: BTreeSet<String> = proposals.iter().map(|p| p.entry.key().to_string()).collect();
    assert_eq!(keys.len(), loans * (1 + REPAYMENTS), "one entry per event at loan detail");
    keys
}

/// `tieout period send` as bob, with a claim lease of `lease_secs`.
pub fn send_args(lease_secs: &str) -> Vec<&str> {
    vec!["period", "send", "--client", CLIENT, "--period", PERIOD, "--as", "bob", "--lease-secs", lease_secs]
}

/// One month of activity: each loan disbursed, then repaid four times, principal only.
pub fn events(loans: usize) -> String {
    let mut out = String::new();
    for loan in 0..loans {
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

fn example_mapping() -> tieout_engine::mapping::MappingFile {
    let text = std::fs::read_to_string(root().join("config/examples/mapping.toml")).expect("mapping");
    tieout_engine::mapping::MappingFile::from_toml(&text, "mapping.toml").expect("mapping parses")
}

/// The sink's chart: every account the mapping names, typed by its hledger prefix.
fn chart() -> String {
    example_mapping()
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

/// A number from the log lines "Send finished. … NAME=N" of a send run with
/// `TIEOUT_LOG=tieout_period=info` (summed over the lines).
pub fn send_field(log: &str, name: &str) -> u64 {
    let marker = format!("{name}=");
    log.lines()
        .filter(|l| l.contains("Send finished."))
        .filter_map(|l| l.split(marker.as_str()).nth(1))
        .filter_map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse::<u64>().ok())
        .sum()
}
