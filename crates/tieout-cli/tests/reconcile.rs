//! `tieout reconcile` end to end: a client on the simulator source (a small book) and the ledger
//! sink, a SQLite store, every step a separate process. A month is closed (which runs COB, so the
//! accrual products' receivables are booked) and sent, then reconciled as of its last day: every
//! account ties out. Then a transaction written into the journal by hand (no `key:` tag) shows as
//! a difference explained as "posted outside Tieout", on both accounts it touches.

use std::collections::BTreeMap;
mod common;

use std::path::PathBuf;
use std::process::Output;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

use common::config_dir::{ConfigDir, declared_accounts};
use common::text;

struct Setup {
    dir: ConfigDir,
}

impl Setup {
    fn new() -> Self {
        let dir = ConfigDir::new("acme", "mappings/demo.toml", |tmp| {
            format!(
                r#"time_zone = "America/New_York"
mapping = "mappings/acme.toml"
detail = "product-day"
separation_of_duties = false

[source]
kind = "simulator"
seed = 7
loans = 40
start = "2026-10-01"
months = 2
disburse_months = 1
currency = "USD"
products = ["personal", "gold", "auto"]
offices = ["HQ", "NORTH"]
release = "all"

[sink]
kind = "ledger"
path = "{journal}"
declare_accounts = [{accounts}]
"#,
                journal = tmp.join("ledger.journal").display(),
                accounts = declared_accounts("mappings/demo.toml"),
            )
        });
        Setup { dir }
    }

    fn tieout(&self, args: &[&str]) -> Output {
        self.dir.tieout(args)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path(name)
    }

    /// Closes and sends October.
    fn october_sent(&self) {
        let out = self.tieout(&["period", "close", "--client", "acme", "--period", "2026-10", "--as", "alice"]);
        assert!(out.status.success(), "close: {}\n{}", text(&out.stdout), text(&out.stderr));
        let out = self.tieout(&["period", "send", "--client", "acme", "--period", "2026-10", "--as", "alice"]);
        assert!(out.status.success(), "send: {}\n{}", text(&out.stdout), text(&out.stderr));
    }

    /// `tieout reconcile … --format json` as of October 31st: the document and the exit code.
    fn reconcile_json(&self) -> (Value, Option<i32>) {
        let out = self.tieout(&["reconcile", "--client", "acme", "--as-of", "2026-10-31", "--format", "json"]);
        assert!(matches!(out.status.code(), Some(0 | 4)), "{}\n{}", text(&out.stdout), text(&out.stderr));
        let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)));
        (json, out.status.code())
    }
}

fn amount(value: &Value) -> Decimal {
    let text = value.as_str().unwrap_or_else(|| panic!("{value} is not a decimal string"));
    Decimal::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Rows by account name (the book is all USD).
fn rows(json: &Value) -> BTreeMap<String, Value> {
    json["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| (a["account"].as_str().unwrap().to_owned(), a.clone()))
        .collect()
}

/// What every document must satisfy, whatever the books hold: explanations add up, the exit
/// code says whether something is unexplained, and an unexplained servicing account is drilled
/// into.
fn consistent(json: &Value, code: Option<i32>) {
    let mut unexplained = false;
    for (name, row) in rows(json) {
        let explained: Decimal = row["explanations"].as_array().unwrap().iter().map(|e| amount(&e["amount"])).sum();
        assert_eq!(explained, amount(&row["explained"]), "{name}");
        assert_eq!(amount(&row["explained"]) + amount(&row["unexplained"]), amount(&row["difference"]), "{name}");
        if !amount(&row["unexplained"]).is_zero() {
            unexplained = true;
            let drilled = json["drill_down"].as_array().unwrap().iter().any(|d| d["account"] == row["account"]);
            assert!(drilled, "{name} differs unexplained but has no drill-down: {row}");
        }
    }
    let unresolved = json["unresolved"].as_array().unwrap().iter().any(|u| !amount(&u["amount"]).is_zero());
    assert_eq!(code, Some(if unexplained || unresolved { 4 } else { 0 }), "exit code");
}

#[test]
fn a_sent_month_ties_out_and_a_hand_written_journal_is_posted_outside_tieout() {
    let s = Setup::new();
    s.october_sent();

    let (json, code) = s.reconcile_json();
    assert_eq!(json["as_of"], "2026-10-31");
    assert_eq!(json["client"], "acme");
    consistent(&json, code);
    // Closing the month ran COB through its end (accruals included), so every account ties out,
    // receivables of the accrual products included.
    assert_eq!(json["differences_total"], "0.00", "{json:#}");
    assert_eq!(code, Some(0));
    let before = rows(&json);
    let receivable = &before["Assets:Loans:Interest receivable"];
    assert!(!amount(&receivable["servicing"]).is_zero(), "interest accrued in October: {receivable}");
    // Principal (cash and accrual products alike), the upfront product's own portfolio and the
    // overpayments tie out: the servicing balances are exactly what was posted, and the sink
    // holds exactly that.
    for account in ["Assets:Loans:Principal", "Assets:Loans:Auto", "Liabilities:Overpayments"] {
        let row = &before[account];
        assert!(!row["servicing"].is_null(), "{account} carries servicing balances");
        assert_eq!(row["difference"], "0.00", "{account}: {row}");
        assert_eq!(row["servicing"], row["sink"], "{account}");
        assert_eq!(row["ledger"], row["sink"], "{account}");
    }
    assert!(!amount(&before["Assets:Loans:Principal"]["servicing"]).is_zero(), "the book lent something");
    // Every account without servicing balances (cash, income, expense) has the sink equal to
    // what Tieout posted: nothing else was posted.
    for (name, row) in &before {
        if row["servicing"].is_null() {
            assert_eq!(row["difference"], "0.00", "{name}: {row}");
        }
    }

    // A journal written by hand in the accounting package: Dr principal, Cr the bank.
    let journal = s.path("ledger.journal");
    let mut text_before = std::fs::read_to_string(&journal).expect("journal");
    text_before.push_str(
        "\n2026-10-15 Manual reclassification\n    Assets:Loans:Principal    USD 100.00\n    Assets:Bank:Operating    USD -100.00\n\n",
    );
    std::fs::write(&journal, text_before).expect("journal");

    let (json, code) = s.reconcile_json();
    consistent(&json, code);
    assert_eq!(code, Some(0), "a difference, but explained");
    let after = rows(&json);
    let principal = &after["Assets:Loans:Principal"];
    assert_eq!(amount(&principal["sink"]), amount(&before["Assets:Loans:Principal"]["sink"]) + Decimal::ONE_HUNDRED);
    assert_eq!(principal["difference"], "-100.00", "servicing − sink: {principal}");
    assert_eq!(principal["explanations"], serde_json::json!([{"kind": "posted_outside_tieout", "amount": "-100.00"}]));
    assert_eq!(principal["unexplained"], "0.00");
    let bank = &after["Assets:Bank:Operating"];
    assert_eq!(bank["difference"], "100.00", "ledger − sink: {bank}");
    assert_eq!(bank["explanations"], serde_json::json!([{"kind": "posted_outside_tieout", "amount": "100.00"}]));
    assert_eq!(
        amount(&json["differences_total"]),
        amount(&before_total(&before)) + Decimal::from(200),
        "the two hand-written lines add 200.00 of absolute difference"
    );
    // Nothing else moved.
    for (name, row) in &before {
        if name != "Assets:Loans:Principal" && name != "Assets:Bank:Operating" {
            assert_eq!(&after[name], row, "{name}");
        }
    }
}

fn before_total(rows: &BTreeMap<String, Value>) -> Value {
    let total: Decimal = rows.values().map(|r| amount(&r["difference"]).abs()).sum();
    Value::String(total.to_string())
}

#[test]
fn every_format_is_written_and_xlsx_needs_a_file() {
    let s = Setup::new();
    s.october_sent();
    let base = ["reconcile", "--client", "acme", "--as-of", "2026-10-31", "--format"];

    let html = s.path("october.html");
    let out = s.tieout(&[&base[..], &["html", "--out", html.to_str().unwrap()]].concat());
    assert!(matches!(out.status.code(), Some(0 | 4)), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("Reconciled acme as of 2026-10-31: 40 loans"), "{}", text(&out.stdout));
    let page = std::fs::read_to_string(&html).expect("html written");
    assert!(
        page.starts_with("<!DOCTYPE html>") && page.contains("Assets:Loans:Principal") && !page.contains("<script")
    );

    let csv = s.path("october.csv");
    let out = s.tieout(&[&base[..], &["csv", "--out", csv.to_str().unwrap()]].concat());
    assert!(matches!(out.status.code(), Some(0 | 4)), "{}", text(&out.stderr));
    let accounts = std::fs::read_to_string(&csv).expect("csv written");
    assert!(accounts.starts_with("account,currency,roles,servicing,ledger,"), "{accounts}");
    assert!(accounts.contains("\r\nAssets:Loans:Principal,USD,loan_portfolio,"), "{accounts}");
    let loans = std::fs::read_to_string(s.path("october-loans.csv")).expect("loans csv written");
    assert!(loans.starts_with("account,currency,loan,servicing,ledger,"), "{loans}");

    let xlsx = s.path("october.xlsx");
    let out = s.tieout(&[&base[..], &["xlsx", "--out", xlsx.to_str().unwrap()]].concat());
    assert!(matches!(out.status.code(), Some(0 | 4)), "{}", text(&out.stderr));
    assert!(std::fs::read(&xlsx).expect("xlsx written").starts_with(b"PK"), "a zip");

    let out = s.tieout(&base.iter().copied().chain(["xlsx"]).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--out"), "{}", text(&out.stderr));

    let out = s.tieout(&base.iter().copied().chain(["pdf"]).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(2), "clap refuses it");
    assert!(text(&out.stderr).contains("html, csv, xlsx or json"), "{}", text(&out.stderr));
}
