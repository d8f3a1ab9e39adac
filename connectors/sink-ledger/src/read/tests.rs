use rust_decimal::Decimal;

use super::*;
use crate::book::external_ref;
use tieout_core::role::AccountType;

fn book(text: &str) -> Book {
    let mut book = Book::default();
    read(&mut book, text, 1).unwrap_or_else(|e| panic!("line {}: {}", e.line, e.message));
    book
}

fn error(text: &str) -> ReadError {
    let mut book = Book::default();
    read(&mut book, text, 1).expect_err("the text must be refused")
}

fn balances(book: &Book) -> Vec<String> {
    let as_of = NaiveDate::from_ymd_opt(2100, 1, 1).unwrap();
    book.trial_balance(as_of).iter().map(|b| format!("{} {} {}", b.account, b.currency, b.balance)).collect()
}

const WRITTEN: &str = "\
; Accounting journal written by Tieout
commodity USD 1000.00

account Assets:Bank:Operating
account Assets:Loans:Principal

2026-10-05 disbursement L-1001 tx-1001  ; key:tabc, kind:disbursement
    Assets:Loans:Principal  USD 5000.00  ; role:loan_portfolio, loan:L-1001
    Assets:Bank:Operating   USD -5000.00  ; role:fund_source, loan:L-1001

2026-10-06 repayment L-1001 tx-1002  ; key:tdef, kind:repayment
    Assets:Bank:Operating   USD 120.50  ; role:fund_source
    Assets:Loans:Principal  USD -120.50  ; role:loan_portfolio

";

#[test]
fn what_tieout_writes_is_read_back() {
    let book = book(WRITTEN);
    assert_eq!(book.find(&EntryKey::from_raw("tabc")), Some(external_ref(7)));
    assert_eq!(book.find(&EntryKey::from_raw("tdef")), Some(external_ref(11)));
    assert_eq!(book.find(&EntryKey::from_raw("t000")), None);
    assert!(book.has_commodity("USD"));
    assert_eq!(book.chart().len(), 2);
    assert_eq!(balances(&book), ["Assets:Bank:Operating USD -4879.50", "Assets:Loans:Principal USD 4879.50"]);
    let first_day = book.trial_balance(NaiveDate::from_ymd_opt(2026, 10, 5).unwrap());
    assert_eq!(first_day.len(), 2);
    assert_eq!(first_day[0].balance, Decimal::new(-500_000, 2));
}

#[test]
fn hand_written_transactions_are_read() {
    let book = book(
        "2026/10/07 * (chq 12) Owner's top-up ; a note\n\
         \x20   Assets:Bank:Operating    1,000.00 USD\n\
         \x20   ! Equity:Opening\n\
         \n\
         2026-10-08=2026-10-09 two currencies\n\
         \tAssets:Bank:Operating\tUSD 10 = USD 1010.00\n\
         \tAssets:Bank:Euro  EUR 5\n\
         \t; a comment under a posting\n\
         \tEquity:Opening\n",
    );
    assert_eq!(
        balances(&book),
        [
            "Assets:Bank:Euro EUR 5",
            "Assets:Bank:Operating USD 1010.00",
            "Equity:Opening EUR -5",
            "Equity:Opening USD -1010.00"
        ]
    );
    assert_eq!(book.transactions(), 2);
    assert_eq!(book.tagged(), 0);
}

#[test]
fn account_directives_give_the_chart() {
    let book = book(
        "account Assets:Bank  ; type: A\n\
         account Funding  L\n\
         account Funding:Line A\n\
         account Income:Interest  ; inactive:\n\
         account Assets:Euro\n\
         \x20 ; currency:EUR, type:C\n\
         account Misc\n",
    );
    let chart = book.chart();
    let row = |name: &str| chart.iter().find(|a| a.account.as_str() == name).unwrap();
    assert_eq!(row("Funding:Line A").account_type, Some(AccountType::Liability));
    assert_eq!(row("Assets:Euro").currency, Some(Currency::new("EUR").unwrap()));
    assert_eq!(row("Assets:Euro").account_type, Some(AccountType::Asset));
    assert!(!row("Income:Interest").active && row("Assets:Bank").active);
    assert_eq!(row("Misc").account_type, None);
}

#[test]
fn the_last_lock_date_line_wins() {
    let book = book("; tieout:lock-date 2026-06-30\n# tieout:lock-date: 2026-09-30 (Q3 closed)\n");
    assert_eq!(book.lock().map(|l| (l.date.to_string(), l.line)), Some(("2026-09-30".into(), 2)));
    let e = error("; tieout:lock-date June\n");
    assert!(e.message.contains("tieout:lock-date needs a date"), "{}", e.message);
}

#[test]
fn what_changes_no_balance_is_skipped() {
    let book = book(
        "comment\n2026-01-01 not a transaction\n    a  USD 1\nend comment\n\
         P 2026-01-01 EUR USD 1.10\n\
         payee Bank\n\
         tag key\n\
         decimal-mark .\n\
         ~ monthly\n    Expenses:Rent  USD 10\n    Assets:Bank\n\
         = Expenses:Rent\n    (Budget)  *-1\n\
         * an org heading\n",
    );
    assert_eq!(book.transactions(), 0);
}

#[test]
fn what_cannot_be_read_is_refused_with_its_line() {
    for (text, line, why) in [
        ("2026-01-01 x\n    a  USD 1\n    b  USD -2\n", 1, "does not balance: its postings sum to USD -1"),
        ("2026-01-01 x\n    a  USD 1\n    b\n    c\n", 4, "second posting without an amount"),
        ("include other.journal\n", 1, "include"),
        ("alias a = b\n", 1, "is not read by the sink"),
        ("2026-01-01 x\n    (a)  USD 1\n", 2, "virtual posting"),
        ("2026-01-01 x\n    a  USD 1 @ EUR 1\n    b\n", 2, "a price"),
        ("2026-01-01 x\n    a  USD 1  ; date:2026-02-01\n    b\n", 2, "posting date"),
        ("2026-01-01 x\n    a  USD 1\n    ; date:2026-02-01\n    b\n", 3, "posting date"),
        ("2026-01-01 x\n    a  = USD 5\n    b  USD -5\n", 2, "balance assignment"),
        ("2026-01-01 x\n    a  $1\n    b\n", 2, "not an ISO 4217"),
        ("01-01 x\n", 1, "no year"),
        ("\n    a  USD 1\n", 2, "indented but follows no transaction"),
        ("2026-01-01 x\n    a ; USD 1\n", 2, "runs into a comment"),
        ("account Assets ; type:A\n", 1, "runs into a comment"),
        ("account Assets  ; type:Q\n", 1, "not an account type"),
        ("decimal-mark ,\n", 1, "decimal-mark"),
        ("2026-01-01 x\n    a  USD 1\n    b\n\n2026-01-02 y\n    c  USD 1\n    d  USD 1\n", 5, "does not balance"),
    ] {
        let e = error(text);
        assert_eq!(e.line, line, "{text:?}: {}", e.message);
        assert!(e.message.contains(why), "{text:?}: {}", e.message);
    }
}

#[test]
fn the_ending_says_whether_appended_text_can_be_read_alone() {
    let ending = |text: &str| read(&mut Book::default(), text, 1).unwrap();
    assert_eq!(ending(""), Ending::Closed);
    assert_eq!(ending(WRITTEN), Ending::Closed);
    assert_eq!(ending("2026-01-01 x\n    a  USD 1\n    b\n"), Ending::Open);
    assert_eq!(ending("2026-01-01 x\n    a  USD 1\n    b"), Ending::MidLine);
    assert_eq!(ending("comment\nstill a comment\n"), Ending::InComment);
}

#[test]
fn a_key_posted_twice_keeps_its_first_place() {
    let twice = format!("{WRITTEN}{}", &WRITTEN[WRITTEN.find("2026-10-05").unwrap()..]);
    let book = book(&twice);
    assert_eq!(book.find(&EntryKey::from_raw("tabc")), Some(external_ref(7)));
    assert_eq!(book.duplicates(), 2);
}

#[test]
fn windows_line_breaks_and_a_byte_order_mark_are_read() {
    let book =
        book("\u{feff}account Assets:Bank\r\n\r\n2026-10-05 x  ; key:k\r\n    Assets:Bank  USD 1\r\n    Equity\r\n");
    assert_eq!(book.chart().len(), 1);
    assert_eq!(book.find(&EntryKey::from_raw("k")), Some(external_ref(3)));
    assert_eq!(balances(&book), ["Assets:Bank USD 1", "Equity USD -1"]);
}

#[test]
fn line_numbers_continue_from_the_first_line() {
    let mut book = Book::default();
    read(&mut book, "2026-10-05 x  ; key:k1\n    a  USD 1\n    b\n", 41).unwrap();
    assert_eq!(book.find(&EntryKey::from_raw("k1")), Some(external_ref(41)));
    let e = read(&mut Book::default(), "\n\nbogus\n", 10).unwrap_err();
    assert_eq!(e.line, 12);
}
