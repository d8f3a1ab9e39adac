use rust_decimal_macros::dec;
use tieout_core::entry::Side;
use tieout_core::event::{Event, parse_event_line};
use tieout_core::role::Role;

use super::*;
use crate::mapping::MappingFile;

const MAPPING: &str = r#"
default_rule = "accrual-periodic"
[accounts]
fund_source = "Cash"
loan_portfolio = "Loans"
interest_receivable = "IntRec"
fee_receivable = "FeeRec"
penalty_receivable = "PenRec"
interest_income = "IntInc"
fee_income = "FeeInc"
penalty_income = "PenInc"
overpayment_liability = "Overpaid"
income_from_recovery = "Recovery"
charge_off_expense = "ChargeOffExp"
income_from_charge_off_interest = "COInt"
income_from_charge_off_fees = "COFee"
income_from_charge_off_penalty = "COPen"
[products.gold]
rule = "cash"
[payment_types]
ach = "BankACH"
"#;

fn events(lines: &[&str]) -> Vec<Event> {
    lines.iter().map(|l| parse_event_line(l, None).unwrap()).collect()
}

fn run(lines: &[&str]) -> Journal {
    let rules = RuleSet::standard();
    let mapping = MappingFile::from_toml(MAPPING, "m.toml").unwrap();
    Journalizer::new(&rules, &mapping, KeyScope::default()).journalize(&events(lines))
}

fn lines(entry: &JournalEntry) -> Vec<(Side, &str, String)> {
    entry.lines().iter().map(|l| (l.side(), l.account().as_str(), l.amount().to_string())).collect()
}

const REPAY: &str = r#"{"id":"r1","loan_id":"L1","product":"personal","kind":"repayment","date":"2026-10-05","currency":"USD","amount":"150.00","portions":{"principal":"120.00","interest":"25.00","fee":"5.00"},"payment_type":"ach"}"#;

#[test]
fn a_repayment_clears_receivables_by_portion_from_the_payment_type_account() {
    let j = run(&[REPAY]);
    assert!(j.problems.is_empty(), "{:?}", j.problems);
    assert_eq!(
        lines(&j.entries[0]),
        vec![
            (Side::Debit, "BankACH", "150.00".into()),
            (Side::Credit, "FeeRec", "5.00".into()),
            (Side::Credit, "IntRec", "25.00".into()),
            (Side::Credit, "Loans", "120.00".into()),
        ]
    );
}

#[test]
fn a_reversal_mirrors_and_a_reversal_of_it_books_the_original_again() {
    let rev = r#"{"id":"v1","loan_id":"L1","product":"personal","kind":"reversal","date":"2026-10-06","currency":"USD","amount":"150.00","reverses":"r1"}"#;
    let rev2 = r#"{"id":"v2","loan_id":"L1","product":"personal","kind":"reversal","date":"2026-10-07","currency":"USD","amount":"150.00","reverses":"v1"}"#;
    let j = run(&[REPAY, rev, rev2]);
    assert!(j.problems.is_empty(), "{:?}", j.problems);
    let flipped: Vec<_> = lines(&j.entries[0]).into_iter().map(|(s, a, m)| (s.opposite(), a, m)).collect();
    assert_eq!(lines(&j.entries[1]), flipped);
    assert_eq!(lines(&j.entries[2]), lines(&j.entries[0]));
    assert_eq!(j.entries[1].memo(), "reversal of r1");
}

#[test]
fn a_repayment_after_a_charge_off_is_recovery_income() {
    let co = r#"{"id":"c1","loan_id":"L1","product":"personal","kind":"charge_off","date":"2026-10-01","currency":"USD","amount":"100.00","portions":{"principal":"100.00"}}"#;
    let j = run(&[REPAY, co]);
    assert!(j.problems.is_empty(), "{:?}", j.problems);
    let repayment = j.entries.iter().find(|e| e.kind() == EventKind::Repayment).unwrap();
    assert_eq!(lines(repayment)[1], (Side::Credit, "Recovery", "150.00".into()));
}

#[test]
fn problems_name_event_product_and_role() {
    let waive = r#"{"id":"w1","loan_id":"L2","product":"personal","kind":"goodwill_credit","date":"2026-10-05","currency":"USD","amount":"10.00","portions":{"interest":"10.00"}}"#;
    let j = run(&[waive]);
    assert_eq!(j.problems.len(), 1);
    let p = &j.problems[0];
    assert_eq!((p.code, p.role), (ProblemCode::Unmapped, Some(Role::GoodwillExpense)));
    let msg = p.to_string();
    assert!(
        msg.contains("event w1") && msg.contains("product 'personal' has no account for goodwill_expense"),
        "{msg}"
    );
}

#[test]
fn unknown_reversal_and_duplicate_ids_are_problems() {
    let rev = r#"{"id":"v9","loan_id":"L1","product":"personal","kind":"reversal","date":"2026-10-06","currency":"USD","amount":"1.00","reverses":"nope"}"#;
    let j = run(&[REPAY, REPAY, rev]);
    let codes: Vec<_> = j.problems.iter().map(|p| p.code).collect();
    assert_eq!(codes, vec![ProblemCode::DuplicateEvent, ProblemCode::UnknownReversal]);
    assert_eq!(j.entries.len(), 1);
}

#[test]
fn cash_products_book_no_accruals_and_refuse_unbooked_portions() {
    let accrual = r#"{"id":"a1","loan_id":"L3","product":"gold","kind":"accrual","date":"2026-10-05","currency":"USD","amount":"1.00"}"#;
    let rad = r#"{"id":"d1","loan_id":"L3","product":"gold","kind":"repayment_at_disbursement","date":"2026-10-05","currency":"USD","amount":"3.00","portions":{"principal":"1.00","fee":"2.00"}}"#;
    let j = run(&[accrual, rad]);
    assert_eq!(j.no_entry, 1);
    assert_eq!(j.problems[0].code, ProblemCode::UnbookedPortion);
    assert!(j.problems[0].message.contains("principal portion (1.00)"), "{}", j.problems[0].message);
}

#[test]
fn a_negative_accrual_adjustment_books_the_mirror() {
    let adj = r#"{"id":"j1","loan_id":"L1","product":"personal","kind":"accrual_adjustment","date":"2026-10-05","currency":"USD","amount":"-2.50"}"#;
    let j = run(&[adj]);
    assert_eq!(
        lines(&j.entries[0]),
        vec![(Side::Credit, "IntRec", "2.50".into()), (Side::Debit, "IntInc", "2.50".into())]
    );
    assert_eq!(j.entries[0].total(), dec!(2.50));
}
