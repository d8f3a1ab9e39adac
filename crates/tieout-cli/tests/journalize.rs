//! `tieout journalize` end to end: the binary on files, its output read back by the real
//! `hledger`, and every kind of bad input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::str::FromStr;

use rust_decimal::Decimal;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tieout(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tieout"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the tieout binary runs");
    if let Some(text) = stdin {
        use std::io::Write;
        child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("tieout finishes")
}

fn journalize(events: &str, extra: &[&str]) -> Output {
    let mut args = vec!["journalize", "--events", "-", "--mapping", "config/examples/mapping.toml"];
    args.extend_from_slice(extra);
    tieout(&args, Some(events))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn hledger(journal: &Path, args: &[&str]) -> Output {
    Command::new("hledger")
        .arg("-f")
        .arg(journal)
        .args(args)
        .output()
        .expect("hledger is installed (cargo xtask ci installs Debian's hledger package when it is missing)")
}

/// Per-account balances from our JSON output: debits positive, credits negative.
fn balances_from_json(json: &str) -> BTreeMap<String, Decimal> {
    let value: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
    let mut totals = BTreeMap::new();
    for entry in value["entries"].as_array().expect("entries") {
        if entry["postable"] != serde_json::Value::Bool(true) {
            continue;
        }
        for line in entry["lines"].as_array().expect("lines") {
            let amount = Decimal::from_str(line["amount"].as_str().expect("amount")).expect("decimal");
            let signed = if line["side"] == "debit" { amount } else { -amount };
            *totals.entry(line["account"].as_str().expect("account").to_owned()).or_insert(Decimal::ZERO) += signed;
        }
    }
    totals.retain(|_, v| !v.is_zero());
    totals
}

#[test]
fn the_example_book_is_read_by_hledger_and_balances_to_the_cent() {
    let events = std::fs::read_to_string(root().join("config/examples/events.jsonl")).expect("example events");
    let dir = std::env::temp_dir().join(format!("tieout-journalize-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for detail in ["loan", "product-day", "product-month"] {
        let out = journalize(&events, &["--format", "hledger", "--detail", detail]);
        assert!(out.status.success(), "{detail}: {}", text(&out.stderr));
        let journal = dir.join(format!("{detail}.journal"));
        std::fs::write(&journal, &out.stdout).expect("write journal");

        let check = hledger(&journal, &["check", "--strict"]);
        assert!(check.status.success(), "hledger check --strict failed for {detail}: {}", text(&check.stderr));

        let bal = hledger(&journal, &["bal", "--flat", "-N", "-O", "csv"]);
        assert!(bal.status.success(), "{}", text(&bal.stderr));
        let mut from_hledger = BTreeMap::new();
        for row in text(&bal.stdout).lines().skip(1) {
            let (account, amount) = row.trim_matches('"').split_once("\",\"").expect("two CSV fields");
            let amount = amount.trim_start_matches("USD ").replace(',', "");
            from_hledger.insert(account.to_owned(), Decimal::from_str(&amount).expect("hledger amount"));
        }
        from_hledger.retain(|_, v: &mut Decimal| !v.is_zero());

        let json = journalize(&events, &["--format", "json", "--detail", detail]);
        assert!(json.status.success());
        assert_eq!(from_hledger, balances_from_json(&text(&json.stdout)), "hledger bal vs Tieout for {detail}");
        assert_eq!(from_hledger.get("Income:Recoveries"), Some(&Decimal::from_str("-300.00").expect("dec")));
    }
    std::fs::remove_dir_all(&dir).ok();
}

const GOOD: &str = r#"{"id":"ok-1","loan_id":"L-1","product":"personal","kind":"disbursement","date":"2026-10-01","currency":"USD","amount":"100.00"}"#;

/// Each bad line alone: exit code 1, nothing on stdout, and stderr naming what applies.
#[test]
fn bad_input_names_line_event_product_and_role_and_writes_nothing() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("{\"id\":\"x-1\", \"loan_id\":", "malformed JSON", &["line 2"]),
        (
            r#"{"id":"x-2","loan_id":"L-1","product":"personal","kind":"repayment","date":"2026-10-02","currency":"USD","amount":"10.00","portions":{"principal":"9.00"}}"#,
            "amount ≠ portions",
            &["line 2", "event x-2", "field portions", "not the sum of the portions"],
        ),
        (
            r#"{"id":"x-3","loan_id":"L-1","product":"personal","kind":"disbursement","date":"2026-10-02","currency":"USD","amount":"-5.00"}"#,
            "negative amount",
            &["line 2", "event x-3", "field amount", "negative"],
        ),
        (
            r#"{"id":"x-4","loan_id":"L-1","product":"personal","kind":"repaymnet","date":"2026-10-02","currency":"USD","amount":"5.00"}"#,
            "unknown kind",
            &["line 2", "event x-4", "field kind", "unknown kind 'repaymnet'"],
        ),
        (
            r#"{"id":"x-5","loan_id":"L-1","product":"personal","kind":"reversal","date":"2026-10-02","currency":"EUR","amount":"100.00","reverses":"ok-1"}"#,
            "mixed currencies",
            &["line 2", "event x-5", "product personal", "EUR", "USD"],
        ),
        (
            r#"{"id":"x-6","loan_id":"L-1","product":"personal","kind":"buy_down_fee","date":"2026-10-02","currency":"USD","amount":"5.00"}"#,
            "role with no mapping",
            &["line 2", "event x-6", "product personal", "role buy_down_expense", "[products.personal]"],
        ),
        (
            r#"{"id":"x-7","loan_id":"L-1","product":"personal","kind":"reversal","date":"2026-10-02","currency":"USD","amount":"5.00","reverses":"nope"}"#,
            "reversal of an unknown id",
            &["line 2", "event x-7", "product personal", "nope"],
        ),
        (
            r#"{"id":"x-8","loan_id":"L-1","product":"personal","kind":"disbursement","date":"2026-10-02","currency":"USD","amount":"5.00","colour":"red"}"#,
            "unknown field",
            &["line 2", "event x-8", "unknown field `colour`"],
        ),
    ];
    for (line, what, expected) in cases {
        let out = journalize(&format!("{GOOD}\n{line}\n"), &["--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{what}: exit code");
        assert!(out.stdout.is_empty(), "{what}: stdout must be empty, got {}", text(&out.stdout));
        let stderr = text(&out.stderr);
        for needle in *expected {
            assert!(stderr.contains(needle), "{what}: stderr lacks {needle:?}:\n{stderr}");
        }
    }
}

#[test]
fn keep_going_reports_every_problem_and_journalizes_the_rest() {
    let bad_kind = r#"{"id":"x-4","loan_id":"L-1","product":"personal","kind":"repaymnet","date":"2026-10-02","currency":"USD","amount":"5.00"}"#;
    let unmapped = r#"{"id":"x-6","loan_id":"L-1","product":"personal","kind":"buy_down_fee","date":"2026-10-02","currency":"USD","amount":"5.00"}"#;
    let input = format!("{GOOD}\n{bad_kind}\n\n{unmapped}\n");
    let out = journalize(&input, &["--format", "json", "--detail", "loan", "--keep-going"]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("line 2, event x-4") && stderr.contains("line 4, event x-6"), "{stderr}");
    assert!(stderr.contains("2 problems"), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&text(&out.stdout)).expect("json");
    assert_eq!(json["entries"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["entries"][0]["lines"][0]["events"][0], "ok-1");
}

#[test]
fn a_missing_mapping_file_is_named() {
    let out = tieout(&["journalize", "--events", "-", "--mapping", "no/such/mapping.toml"], Some(GOOD));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("reading the mapping from no/such/mapping.toml"), "{}", text(&out.stderr));
}

#[test]
fn rules_show_prints_every_kind_in_each_format() {
    for rules in ["standard", "fineract"] {
        let csv = tieout(&["rules", "show", "--rules", rules, "--format", "csv"], None);
        assert!(csv.status.success());
        let csv = text(&csv.stdout);
        assert!(csv.starts_with("rule,kind,when,side,role,amount,note\r\n"));
        for kind in ["disbursement", "repayment", "charge_off", "reversal", "buy_down_fee_amortization_adjustment"] {
            assert!(csv.contains(&format!("accrual-periodic,{kind},")), "{rules}: {kind} missing");
        }
        let md = text(&tieout(&["rules", "show", "--rules", rules, "--format", "md"], None).stdout);
        assert!(md.starts_with("| rule | kind | when | side | role | amount | note |"));
        let table = text(&tieout(&["rules", "show", "--rules", rules], None).stdout);
        assert!(table.contains(&format!("Rule set {rules}@1")));
    }
    let fineract = text(&tieout(&["rules", "show", "--rules", "fineract", "--format", "csv"], None).stdout);
    assert!(fineract.contains("accrual-periodic,waive_interest,,Dr,losses_written_off,interest,"), "{fineract}");
}

#[test]
fn every_command_has_help() {
    for args in [&["--help"][..], &["journalize", "--help"], &["rules", "--help"], &["rules", "show", "--help"]] {
        let out = tieout(args, None);
        assert!(out.status.success(), "{args:?}");
        assert!(text(&out.stdout).contains("Usage:"), "{args:?}");
    }
}
