//! `tieout demo`, the README's first command, end to end on a small book: simulator → COB →
//! Close month → Send into an hledger journal → reconciliation, every month.
//!
//! - the journal passes `hledger check --strict`, and hledger's balances equal the
//!   reconciliation's sink column, which equals Tieout's ledger and the servicing balances;
//! - a repayment reversed after its month was sent is booked in the next open month, and the
//!   books still tie out;
//! - a transaction written into the journal by hand shows as a difference "posted outside Tieout";
//! - killed with SIGKILL again and again, then run to the end, the demo posts every entry once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use serde_json::Value;
use tieout_core::event::EventKind;
use tieout_core::ids::ClientId;
use tieout_store::{PeriodStatus, Store, YearMonth};

fn tieout() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tieout"));
    command.env_remove("TIEOUT_CONFIG").env_remove("TIEOUT_LOG");
    command
}

/// The book starts on a fixed month, so each test sees the same book whatever today is.
const START: &str = "2026-07";

fn demo(dir: &Path, loans: u32, months: u32) -> Command {
    let mut command = tieout();
    command
        .args(["demo", "--loans", &loans.to_string(), "--months", &months.to_string(), "--start", START, "--dir"])
        .arg(dir);
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn succeeded(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    );
}

fn hledger(journal: &Path, args: &[&str]) -> Output {
    Command::new("hledger")
        .arg("-f")
        .arg(journal)
        .args(args)
        .output()
        .expect("hledger is installed (cargo xtask ci installs Debian's hledger package when it is missing)")
}

fn decimal(value: &Value) -> Decimal {
    value.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("not a decimal string: {value}"))
}

fn reconciliation(dir: &Path, period: &str) -> Value {
    let path = dir.join("reports").join(period).join("reconciliation.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The months the demo made, oldest first: the report directories.
fn months(dir: &Path) -> Vec<String> {
    let mut months: Vec<String> = std::fs::read_dir(dir.join("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    months.sort();
    months
}

/// Per account, hledger's balance of the journal through `as_of` (`hledger bal` as CSV: one
/// `"account","USD 12.34"` row per account, no total).
fn hledger_balances(journal: &Path, as_of: &str) -> BTreeMap<String, Decimal> {
    let end = as_of.parse::<chrono::NaiveDate>().unwrap().succ_opt().unwrap().to_string();
    let out = hledger(journal, &["bal", "--flat", "-N", "-e", &end, "-O", "csv"]);
    succeeded(&out, "hledger bal");
    text(&out.stdout)
        .lines()
        .skip(1)
        .map(|row| {
            let (account, amount) = row.trim_matches('"').split_once("\",\"").expect("two CSV fields");
            let amount = amount.trim_start_matches("USD ").replace(',', "");
            (account.to_owned(), amount.parse().unwrap_or_else(|e| panic!("hledger amount {amount}: {e}")))
        })
        .collect()
}

#[test]
fn the_demo_ties_out_every_month_and_hledger_agrees() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    // More bounced repayments than the default (through the documented environment override of
    // a client key), so that some are reversed after their month was sent.
    let out =
        demo(&dir, 300, 3).env("TIEOUT__CLIENTS__DEMO__SOURCE__BEHAVIOUR__REVERSAL_PER_MILLE", "150").output().unwrap();
    succeeded(&out, "tieout demo");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Demo book: 300 loans"), "{stdout}");
    let journal = dir.join("ledger.journal");
    succeeded(&hledger(&journal, &["check", "--strict"]), "hledger check --strict");

    let months = months(&dir);
    assert_eq!(months.len(), 3, "one report set per month: {months:?}");
    for month in &months {
        for file in ["reconciliation.html", "reconciliation.csv", "reconciliation.xlsx", "loans.csv"] {
            assert!(dir.join("reports").join(month).join(file).is_file(), "{month}/{file} is missing");
        }
        let report = reconciliation(&dir, month);
        assert_eq!(decimal(&report["differences_total"]), Decimal::ZERO, "{month}: {report:#}");
        let as_of = report["as_of"].as_str().unwrap().to_owned();
        let hledger = hledger_balances(&journal, &as_of);
        let accounts = report["accounts"].as_array().unwrap();
        let mut compared_servicing = 0;
        for row in accounts {
            let account = row["account"].as_str().unwrap();
            let sink = decimal(&row["sink"]);
            let ledger = decimal(&row["ledger"]);
            assert_eq!(ledger, sink, "{month} {account}: Tieout's ledger and the journal differ");
            assert_eq!(
                hledger.get(account).copied().unwrap_or_default(),
                sink,
                "{month} {account}: hledger's balance is not the sink's trial balance"
            );
            if !row["servicing"].is_null() {
                assert_eq!(decimal(&row["servicing"]), sink, "{month} {account}: servicing and journal differ");
                compared_servicing += 1;
            }
        }
        // Principal, the three receivables (accrued by Tieout's COB) and overpayments.
        assert!(compared_servicing >= 5, "{month}: only {compared_servicing} accounts carry servicing balances");
    }

    late_reversal_lands_in_the_next_open_month(&dir);
    a_manual_posting_shows_as_posted_outside_tieout(&dir, months.last().unwrap());
}

/// The simulator enters some reversals days after the repayment; one dated in a month that was
/// already sent when it arrived is booked on the first day of the next month, and the books above tied out.
fn late_reversal_lands_in_the_next_open_month(dir: &Path) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let url = format!("sqlite://{}", dir.join("tieout.db").display());
        let store = Store::connect(&url).await.unwrap();
        let client = ClientId::from("demo");
        let periods = store.periods().list(&client).await.unwrap();
        assert!(periods.iter().all(|p| p.status == PeriodStatus::Sent), "every month is sent: {periods:?}");
        let mut late_reversals = 0;
        for period in &periods {
            for stored in store.events().in_period(&client, period.period).await.unwrap() {
                let Some(original) = stored.original_date() else { continue };
                assert!(YearMonth::of(original) < period.period, "a late event is booked after its month");
                assert_eq!(stored.booked_on, Some(period.period.first_day()), "booked on the month's first day");
                if stored.event.kind == EventKind::Reversal {
                    late_reversals += 1;
                }
            }
        }
        assert!(late_reversals > 0, "the demo book has a reversal that arrived after its month was sent");
    });
}

fn a_manual_posting_shows_as_posted_outside_tieout(dir: &Path, month: &str) {
    let journal = dir.join("ledger.journal");
    let as_of = reconciliation(dir, month)["as_of"].as_str().unwrap().to_owned();
    let manual = format!(
        "\n{as_of} Manual adjustment by the bookkeeper\n    Income:Fees                   -12.34 USD\n    \
         Assets:Bank:Operating          12.34 USD\n"
    );
    let mut text_now = std::fs::read_to_string(&journal).unwrap();
    text_now.push_str(&manual);
    std::fs::write(&journal, text_now).unwrap();

    let out = tieout()
        .arg("--config")
        .arg(dir.join("config"))
        .args(["reconcile", "--client", "demo", "--as-of", &as_of, "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&out.stdout), text(&out.stderr)));
    let fees = report["accounts"].as_array().unwrap().iter().find(|r| r["account"] == "Income:Fees").unwrap();
    assert_eq!(decimal(&fees["difference"]), Decimal::new(1234, 2), "{fees:#}");
    let explanations = fees["explanations"].as_array().unwrap();
    let outside = explanations.iter().find(|e| e.to_string().to_lowercase().contains("outside")).unwrap_or_else(|| {
        panic!("the manual posting is not explained as posted outside Tieout: {fees:#}");
    });
    assert_eq!(decimal(&outside["amount"]), Decimal::new(1234, 2), "{outside:#}");
}

/// A deterministic pseudo-random sequence (SplitMix64), so a failure replays.
fn next(seed: &mut u64) -> u64 {
    *seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *seed;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[test]
fn a_demo_killed_again_and_again_finishes_with_every_entry_posted_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    // How long an uninterrupted run takes here, so the kills land all through it.
    let reference = tmp.path().join("reference");
    let started = Instant::now();
    succeeded(&demo(&reference, 150, 2).output().unwrap(), "the uninterrupted demo");
    let full = started.elapsed().max(Duration::from_millis(200));

    let mut seed = 0x6465_6D6F;
    let mut killed = 0;
    for _ in 0..12 {
        let delay = Duration::from_millis(next(&mut seed) % u64::try_from(full.as_millis()).unwrap());
        let mut child = demo(&dir, 150, 2).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        child.wait().unwrap();
    }
    assert!(killed > 0, "no run was killed: the delays are longer than a whole demo");
    let out = demo(&dir, 150, 2).output().unwrap();
    succeeded(&out, "the demo after the kills");

    let journal = std::fs::read_to_string(dir.join("ledger.journal")).unwrap();
    let keys: Vec<&str> = journal.split_whitespace().filter(|w| w.starts_with("key:")).collect();
    let unique: BTreeSet<&str> = keys.iter().copied().collect();
    assert_eq!(keys.len(), unique.len(), "an entry was posted twice");
    let reference_journal = std::fs::read_to_string(reference.join("ledger.journal")).unwrap();
    let reference_keys: BTreeSet<&str> =
        reference_journal.split_whitespace().filter(|w| w.starts_with("key:")).collect();
    assert_eq!(unique, reference_keys, "the killed demo did not post the same entries as the uninterrupted one");
    succeeded(&hledger(&dir.join("ledger.journal"), &["check", "--strict"]), "hledger check --strict");
    for month in months(&dir) {
        assert_eq!(decimal(&reconciliation(&dir, &month)["differences_total"]), Decimal::ZERO, "{month}");
    }
}

#[test]
fn a_demo_directory_holds_one_book() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    succeeded(&demo(&dir, 5, 1).output().unwrap(), "a tiny demo");
    let out = demo(&dir, 6, 1).output().unwrap();
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("holds a demo of 5 loans over 1 months") && stderr.contains("--loans 5"), "{stderr}");
}
