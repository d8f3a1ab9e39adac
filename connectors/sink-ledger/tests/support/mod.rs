//! Helpers shared by the ledger sink's test files: entries, journals, and the real hledger.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tieout_core::connector::{AccountBalance, Posting};
use tieout_core::entry::{EntryBuilder, EntryHeader, EntryKey, JournalEntry, LineSource, Side};
use tieout_core::event::EventKind;
use tieout_core::ids::{AccountRef, EventId};
use tieout_core::money::{Currency, Money};
use tieout_core::role::Role;

/// A chart for tests: two active accounts, an inactive one and one tied to EUR.
pub const CHART: &str = "\
account Assets:Bank  ; type: A
account Assets:Loans
account Income:Interest
account Assets:Old  ; inactive:
account Assets:Euro  ; currency:EUR

";

pub fn usd() -> Currency {
    Currency::new("USD").unwrap()
}

pub fn eur() -> Currency {
    Currency::new("EUR").unwrap()
}

pub fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

/// A balanced entry debiting `debit` and crediting `credit` with `cents`, keyed `t-<tag>`.
pub fn entry_on(tag: &str, cents: i64, debit: &str, credit: &str, day: NaiveDate, currency: Currency) -> JournalEntry {
    let header =
        EntryHeader { date: day, currency, kind: EventKind::Disbursement, memo: String::new(), postable: true };
    let source = LineSource {
        product: "personal".into(),
        office: Some("HQ".into()),
        loan: Some(format!("L-{tag}").into()),
        events: vec![EventId::from(format!("ev-{tag}"))].into(),
    };
    let money = Money::new(Decimal::new(cents, 2), currency);
    let mut builder = EntryBuilder::new(header);
    builder.push(Side::Debit, money, Role::LoanPortfolio, debit.into(), source.clone()).push(
        Side::Credit,
        money,
        Role::FundSource,
        credit.into(),
        source,
    );
    builder.build(EntryKey::from_raw(format!("t-{tag}"))).unwrap()
}

/// Assets:Loans ← Assets:Bank on 2026-10-05 in USD.
pub fn entry(tag: &str, cents: i64) -> JournalEntry {
    entry_on(tag, cents, "Assets:Loans", "Assets:Bank", date(10, 5), usd())
}

pub fn postings(entries: &[JournalEntry]) -> Vec<Posting<'_>> {
    entries.iter().map(|entry| Posting { entry, dimensions: BTreeMap::new() }).collect()
}

/// The refs of outcomes that must all have succeeded.
pub fn refs(outcomes: &[tieout_core::connector::PostOutcome]) -> Vec<String> {
    outcomes
        .iter()
        .map(|o| match &o.result {
            Ok(r) => r.to_string(),
            Err(e) => panic!("entry {} was not posted: {}", o.key, e.message),
        })
        .collect()
}

pub type Balances = BTreeMap<(AccountRef, Currency), Decimal>;

pub fn balances(rows: Vec<AccountBalance>) -> Balances {
    rows.into_iter().map(|b| ((b.account, b.currency), b.balance)).collect()
}

/// How many transactions tagged `key:<key>` the file holds.
pub fn tagged(path: &Path, key: &str) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    let tag = format!("; key:{key},");
    text.lines().filter(|l| l.contains(&tag)).count()
}

/// Every key tag in the file, in order.
pub fn keys_in(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter_map(|l| l.split_once("; key:").map(|(_, rest)| rest.split(',').next().unwrap_or_default().to_owned()))
        .collect()
}

/// Runs the real hledger; panics with its output when it fails.
pub fn hledger(args: &[&str]) -> String {
    let output = Command::new("hledger").args(args).output().unwrap_or_else(|e| {
        panic!("cannot run hledger ({e}): install Debian's hledger package (cargo xtask ci installs it)")
    });
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "hledger {} failed:\n{stdout}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// `hledger check` (and `check --strict`, which also wants every account and commodity declared).
pub fn hledger_check(path: &Path, strict: bool) {
    let file = path.to_str().unwrap();
    hledger(&["-f", file, "check"]);
    if strict {
        hledger(&["-f", file, "check", "--strict"]);
    }
}

/// `hledger -f FILE bal --flat -N -O csv [-e as_of+1]`, read back into balances.
pub fn hledger_balances(path: &Path, as_of: Option<NaiveDate>) -> Balances {
    let file = path.to_str().unwrap();
    let mut args = vec!["-f", file, "bal", "--flat", "-N", "-O", "csv"];
    let end = as_of.map(|d| d.succ_opt().unwrap().to_string());
    if let Some(end) = &end {
        args.extend(["-e", end.as_str()]);
    }
    let csv = hledger(&args);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("\"account\",\"balance\""), "{csv}");
    let mut out = Balances::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let (account, balance) = line.split_once("\",\"").unwrap_or_else(|| panic!("csv row {line}"));
        let account = account.trim_start_matches('"');
        let balance = balance.trim_end_matches('"');
        if balance == "0" {
            continue;
        }
        for amount in balance.split(", ") {
            let (commodity, number) = amount.split_once(' ').unwrap_or_else(|| panic!("amount {amount} in {line}"));
            let currency = Currency::new(commodity).unwrap();
            let number = Decimal::from_str(number).unwrap_or_else(|e| panic!("amount {amount}: {e}"));
            if !number.is_zero() {
                out.insert((AccountRef::from(account), currency), number);
            }
        }
    }
    out
}
