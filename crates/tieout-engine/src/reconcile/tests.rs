use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use tieout_core::connector::{AccountBalance, LoanBalance};
use tieout_core::ids::ClientId;
use tieout_core::money::Currency;
use tieout_core::role::Role;

use super::*;
use crate::mapping::MappingFile;
use crate::rules::RuleSet;

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
overpayment_liability = "Overpay"
[products.gold]
rule = "cash"
[products.auto]
rule = "accrual-upfront"
loan_portfolio = "AutoLoans"
"#;

fn mapping() -> MappingFile {
    MappingFile::from_toml(MAPPING, "test mapping").unwrap()
}

fn usd() -> Currency {
    Currency::new("USD").unwrap()
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()
}

/// A loan's balance: principal, interest, fee, penalty receivable and overpayment.
fn loan(id: &str, product: &str, amounts: [Decimal; 5]) -> LoanBalance {
    LoanBalance {
        loan_id: id.into(),
        product: product.into(),
        office: Some("HQ".into()),
        currency: usd(),
        as_of: as_of(),
        principal: amounts[0],
        interest_receivable: amounts[1],
        fee_receivable: amounts[2],
        penalty_receivable: amounts[3],
        overpayment: amounts[4],
        charged_off: false,
    }
}

fn posted(account: &str, amount: Decimal) -> AccountLedger {
    AccountLedger { posted: amount, ..AccountLedger::zero(account.into(), usd()) }
}

fn balance(account: &str, balance: Decimal) -> AccountBalance {
    AccountBalance { account: account.into(), currency: usd(), balance }
}

fn book() -> Vec<LoanBalance> {
    vec![
        loan("L-1", "personal", [dec!(1000.00), dec!(12.34), dec!(5.00), dec!(0), dec!(0)]),
        loan("L-2", "personal", [dec!(500.00), dec!(0), dec!(0), dec!(25.00), dec!(0)]),
        // Cash: receivables are not booked, so not compared, whatever the source says.
        loan("L-3", "gold", [dec!(300.00), dec!(9.99), dec!(0), dec!(0), dec!(0)]),
        loan("L-4", "auto", [dec!(8000.00), dec!(400.00), dec!(0), dec!(0), dec!(20.00)]),
    ]
}

/// The ledger that books `book()` exactly, the cash leg on `Cash`.
fn tied_ledger() -> Vec<AccountLedger> {
    vec![
        posted("Loans", dec!(1800.00)),
        posted("AutoLoans", dec!(8000.00)),
        posted("IntRec", dec!(412.34)),
        posted("FeeRec", dec!(5.00)),
        posted("PenRec", dec!(25.00)),
        posted("Overpay", dec!(-20.00)),
        posted("Cash", dec!(-10242.34)),
    ]
}

fn sink_of(ledger: &[AccountLedger]) -> Vec<AccountBalance> {
    ledger.iter().map(|l| balance(l.account.as_str(), l.posted)).collect()
}

fn run(
    balances: &[LoanBalance],
    ledger: Vec<AccountLedger>,
    backdated: Vec<Backdated>,
    sink: Vec<AccountBalance>,
    loans: impl Fn(&[AccountKey]) -> Vec<LoanLedger>,
) -> Reconciliation {
    let rules = RuleSet::standard();
    let mapping = mapping();
    let mut r = Reconciler::new(ClientId::from("acme"), as_of(), &rules, &mapping, Options::default());
    r.add_balances(balances);
    r.set_ledger(ledger, backdated);
    r.set_sink(sink);
    let wanted = r.drill_down_accounts();
    let rows = loans(&wanted);
    r.finish(&rows)
}

fn no_loans(_: &[AccountKey]) -> Vec<LoanLedger> {
    Vec::new()
}

fn row<'r>(result: &'r Reconciliation, account: &str) -> &'r AccountRow {
    result.row(account, usd()).unwrap_or_else(|| panic!("no row for {account}: {result:#?}"))
}

fn kinds(row: &AccountRow) -> Vec<(ExplanationKind, Decimal)> {
    row.explanations.iter().map(|e| (e.kind, e.amount)).collect()
}

#[test]
fn ledger_equal_to_servicing_and_sink_gives_zero_everywhere() {
    let ledger = tied_ledger();
    let result = run(&book(), ledger.clone(), Vec::new(), sink_of(&ledger), no_loans);
    for r in &result.accounts {
        assert_eq!((r.difference, r.explained, r.unexplained), (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO), "{r:?}");
        assert!(r.explanations.is_empty(), "{r:?}");
    }
    assert_eq!(result.differences_total, Decimal::ZERO);
    assert_eq!(result.unexplained_total, Decimal::ZERO);
    assert!(result.drill_down.is_empty() && result.unresolved.is_empty());
    assert!(!result.has_unexplained());
    assert_eq!(result.loans, 4);
    // Servicing where balances map, none on income and cash accounts.
    assert_eq!(row(&result, "Loans").servicing, Some(dec!(1800.00)));
    assert_eq!(row(&result, "Loans").roles, vec![Role::LoanPortfolio]);
    assert_eq!(row(&result, "Overpay").servicing, Some(dec!(-20.00)));
    assert_eq!(row(&result, "Cash").servicing, None);
    // A mapped account that no side has a figure for (in any currency) has no row.
    assert!(result.row("IntInc", usd()).is_none());
}

#[test]
fn a_cash_product_compares_only_what_cash_accounting_books() {
    let compared = ComparedRoles::of(&RuleSet::standard());
    let cash = compared.roles(tieout_core::role::AccountingRule::Cash);
    assert!(cash.contains(&Role::LoanPortfolio) && cash.contains(&Role::OverpaymentLiability), "{cash:?}");
    assert!(!cash.contains(&Role::InterestReceivable) && !cash.contains(&Role::FeeReceivable), "{cash:?}");
    assert_eq!(compared.roles(tieout_core::role::AccountingRule::AccrualPeriodic), SERVICING_ROLES.to_vec());
    assert!(compared.roles(tieout_core::role::AccountingRule::None).is_empty());
    let fineract = ComparedRoles::of(&RuleSet::fineract());
    assert_eq!(
        fineract.roles(tieout_core::role::AccountingRule::Cash),
        vec![Role::LoanPortfolio, Role::OverpaymentLiability]
    );
    assert_eq!(fineract.roles(tieout_core::role::AccountingRule::AccrualUpfront), SERVICING_ROLES.to_vec());

    // L-3's 9.99 of interest (cash) is not on IntRec: only the accrual loans' 412.34 is.
    let ledger = tied_ledger();
    let result = run(&book(), ledger.clone(), Vec::new(), sink_of(&ledger), no_loans);
    assert_eq!(row(&result, "IntRec").servicing, Some(dec!(412.34)));
}

#[test]
fn a_manual_sink_posting_shows_as_posted_outside_tieout_with_its_amount() {
    let ledger = tied_ledger();
    let mut sink = sink_of(&ledger);
    // A hand-written journal: Dr Loans 75.00, Cr Cash 75.00.
    sink.push(balance("Loans", dec!(75.00)));
    sink.push(balance("Cash", dec!(-75.00)));
    let result = run(&book(), ledger, Vec::new(), sink, no_loans);
    let loans = row(&result, "Loans");
    assert_eq!(loans.sink, dec!(1875.00));
    assert_eq!(loans.difference, dec!(-75.00), "servicing − sink");
    assert_eq!(kinds(loans), vec![(ExplanationKind::PostedOutsideTieout, dec!(-75.00))]);
    assert_eq!((loans.explained, loans.unexplained), (dec!(-75.00), Decimal::ZERO));
    let cash = row(&result, "Cash");
    assert_eq!(cash.difference, dec!(75.00), "ledger − sink");
    assert_eq!(kinds(cash), vec![(ExplanationKind::PostedOutsideTieout, dec!(75.00))]);
    assert_eq!(result.differences_total, dec!(150.00));
    assert!(!result.has_unexplained());
    assert!(result.drill_down.is_empty(), "servicing equals what was posted: no loan differs");
}

#[test]
fn a_sink_account_tieout_does_not_map_is_left_out() {
    let ledger = tied_ledger();
    let mut sink = sink_of(&ledger);
    sink.push(balance("Expenses:Rent", dec!(900.00)));
    let result = run(&book(), ledger, Vec::new(), sink, no_loans);
    assert!(result.row("Expenses:Rent", usd()).is_none());
    assert_eq!(result.differences_total, Decimal::ZERO);
}

#[test]
fn staged_failed_and_backdated_explain_servicing_against_the_sink() {
    let mut ledger = tied_ledger();
    // Of Loans' 1800: 1000 posted, 500 staged unsent, 200 failed; 100 (a backdated repayment's
    // reversal, say) booked on the next month's first day.
    ledger[0] = AccountLedger {
        posted: dec!(1000.00),
        unsent: dec!(500.00),
        failed: dec!(200.00),
        ..AccountLedger::zero("Loans".into(), usd())
    };
    let backdated =
        vec![Backdated { account: "Loans".into(), currency: usd(), loan: Some("L-2".into()), amount: dec!(100.00) }];
    let sink = sink_of(&ledger);
    let loans_rows = |wanted: &[AccountKey]| {
        assert_eq!(wanted, &[AccountKey { account: "Loans".into(), currency: usd() }]);
        vec![
            LoanLedger {
                account: "Loans".into(),
                currency: usd(),
                loan: "L-1".into(),
                posted: dec!(1000.00),
                unposted: Decimal::ZERO,
            },
            LoanLedger {
                account: "Loans".into(),
                currency: usd(),
                loan: "L-2".into(),
                posted: Decimal::ZERO,
                unposted: dec!(400.00),
            },
            LoanLedger {
                account: "Loans".into(),
                currency: usd(),
                loan: "L-3".into(),
                posted: Decimal::ZERO,
                unposted: dec!(300.00),
            },
        ]
    };
    let result = run(&book(), ledger, backdated, sink, loans_rows);
    let loans = row(&result, "Loans");
    assert_eq!(
        (loans.ledger, loans.staged, loans.failed, loans.backdated),
        (dec!(1000.00), dec!(500.00), dec!(200.00), dec!(100.00))
    );
    assert_eq!(loans.difference, dec!(800.00));
    assert_eq!(
        kinds(loans),
        vec![
            (ExplanationKind::StagedUnsent, dec!(500.00)),
            (ExplanationKind::Failed, dec!(200.00)),
            (ExplanationKind::Backdated, dec!(100.00)),
        ]
    );
    assert_eq!(loans.unexplained, Decimal::ZERO);
    // The drill-down: L-2 and L-3 differ from what was posted, all of it explained.
    let drill = &result.drill_down[0];
    assert_eq!((drill.loans_differing, drill.loans_unexplained), (2, 0));
    let listed: Vec<(&str, Decimal, Decimal)> =
        drill.loans.iter().map(|l| (l.loan.as_str(), l.difference, l.unexplained)).collect();
    assert_eq!(listed, vec![("L-2", dec!(500.00), dec!(0.00)), ("L-3", dec!(300.00), dec!(0.00))]);
    assert_eq!(drill.loans[0].backdated, dec!(100.00));
}

#[test]
fn a_booking_difference_is_unexplained_and_drills_down_to_the_loan() {
    let ledger = tied_ledger();
    let sink = sink_of(&ledger);
    let mut balances = book();
    balances[1].penalty_receivable = dec!(35.00); // the servicing system charged 10.00 more
    let loans_rows = |_: &[AccountKey]| {
        vec![LoanLedger {
            account: "PenRec".into(),
            currency: usd(),
            loan: "L-2".into(),
            posted: dec!(25.00),
            unposted: Decimal::ZERO,
        }]
    };
    let result = run(&balances, ledger, Vec::new(), sink, loans_rows);
    let pen = row(&result, "PenRec");
    assert_eq!((pen.difference, pen.explained, pen.unexplained), (dec!(10.00), dec!(0.00), dec!(10.00)));
    assert!(result.has_unexplained());
    assert_eq!(result.alerts(), 1);
    assert_eq!(result.unexplained_total, dec!(10.00));
    let drill = &result.drill_down[0];
    assert_eq!(drill.account.as_str(), "PenRec");
    assert_eq!(drill.loans.len(), 1);
    assert_eq!(
        (drill.loans[0].servicing, drill.loans[0].ledger, drill.loans[0].unexplained),
        (dec!(35.00), dec!(25.00), dec!(10.00))
    );
}

#[test]
fn the_tolerance_turns_small_remainders_into_no_alert() {
    let rules = RuleSet::standard();
    let mapping = mapping();
    let options = Options { tolerance: dec!(0.05), ..Options::default() };
    let mut r = Reconciler::new(ClientId::from("acme"), as_of(), &rules, &mapping, options);
    let mut balances = book();
    balances[0].interest_receivable += dec!(0.03);
    r.add_balances(&balances);
    let ledger = tied_ledger();
    r.set_sink(sink_of(&ledger));
    r.set_ledger(ledger, Vec::new());
    let result = r.finish(&[]);
    assert_eq!(row(&result, "IntRec").unexplained, dec!(0.03));
    assert!(!result.has_unexplained());
}

#[test]
fn being_sent_is_explained_whether_or_not_the_sink_has_it() {
    let mut ledger = tied_ledger();
    ledger[0] =
        AccountLedger { posted: dec!(1000.00), sending: dec!(800.00), ..AccountLedger::zero("Loans".into(), usd()) };
    ledger[6] =
        AccountLedger { posted: dec!(-9442.34), sending: dec!(-800.00), ..AccountLedger::zero("Cash".into(), usd()) };
    // Not in the sink yet.
    let not_yet = vec![balance("Loans", dec!(1000.00)), balance("Cash", dec!(-9442.34))];
    let result = run(&book(), ledger.clone(), Vec::new(), not_yet, |_| Vec::new());
    assert_eq!(kinds(row(&result, "Loans")), vec![(ExplanationKind::Sending, dec!(800.00))]);
    assert_eq!(row(&result, "Loans").staged, dec!(800.00));
    assert!(row(&result, "Cash").explanations.is_empty(), "Cash compares what was posted: nothing differs");
    // The sender posted and died before recording it: the sink has it.
    let there = vec![balance("Loans", dec!(1800.00)), balance("Cash", dec!(-10242.34))];
    let result = run(&book(), ledger, Vec::new(), there, |_| Vec::new());
    assert!(row(&result, "Loans").explanations.is_empty(), "{:?}", row(&result, "Loans"));
    assert_eq!(kinds(row(&result, "Cash")), vec![(ExplanationKind::SendingInSink, dec!(800.00))]);
    assert!(!result.has_unexplained());
}

#[test]
fn a_role_without_an_account_is_reported_not_dropped() {
    let text = MAPPING.replace("penalty_receivable = \"PenRec\"\n", "") + "[products.legacy]\n";
    let mapping = MappingFile::from_toml(&text.replace("default_rule = \"accrual-periodic\"\n", ""), "m").unwrap();
    let rules = RuleSet::standard();
    let mut r = Reconciler::new(ClientId::from("acme"), as_of(), &rules, &mapping, Options::default());
    let mut balances = book();
    // personal now has no rule at all (no default), legacy neither.
    balances.push(loan("L-5", "legacy", [dec!(50.00), dec!(0), dec!(0), dec!(0), dec!(0)]));
    r.add_balances(&balances);
    let result = r.finish(&[]);
    let unresolved: Vec<(&str, Role, Decimal, u64)> =
        result.unresolved.iter().map(|u| (u.product.as_str(), u.role, u.amount, u.loans)).collect();
    assert!(unresolved.contains(&("personal", Role::PenaltyReceivable, dec!(25.00), 2)), "{unresolved:?}");
    assert!(unresolved.contains(&("personal", Role::LoanPortfolio, dec!(1500.00), 2)), "{unresolved:?}");
    assert!(unresolved.contains(&("legacy", Role::LoanPortfolio, dec!(50.00), 1)), "{unresolved:?}");
    assert!(unresolved.iter().all(|u| u.0 != "gold"), "gold has a rule and its accounts");
    let problem = &result.unresolved.iter().find(|u| u.product.as_str() == "legacy").unwrap().problem;
    assert!(problem.contains("no accounting rule"), "{problem}");
    assert!(result.has_unexplained());
    assert!(result.unexplained_total >= dec!(1575.00));

    // With a rule, only the unmapped role is unresolved, with a fix naming it.
    let mapping = MappingFile::from_toml(&MAPPING.replace("penalty_receivable = \"PenRec\"\n", ""), "m").unwrap();
    let mut r = Reconciler::new(ClientId::from("acme"), as_of(), &rules, &mapping, Options::default());
    r.add_balances(&book());
    let result = r.finish(&[]);
    assert_eq!(result.unresolved.len(), 2, "personal and auto: {:#?}", result.unresolved);
    assert!(result.unresolved.iter().all(|u| u.role == Role::PenaltyReceivable));
    assert!(result.unresolved[0].problem.contains("penalty_receivable"), "{}", result.unresolved[0].problem);
}

#[test]
fn the_json_is_designs_shape_with_decimal_strings() {
    let ledger = tied_ledger();
    let mut sink = sink_of(&ledger);
    sink.push(balance("Loans", dec!(75)));
    let result = run(&book(), ledger, Vec::new(), sink, no_loans);
    let json: serde_json::Value = serde_json::to_value(&result).unwrap();
    assert_eq!(json["as_of"], "2026-10-31");
    assert_eq!(json["client"], "acme");
    assert_eq!(json["differences_total"], "75.00");
    let loans = json["accounts"].as_array().unwrap().iter().find(|a| a["account"] == "Loans").unwrap();
    for (field, value) in [
        ("servicing", "1800.00"),
        ("ledger", "1800.00"),
        ("sink", "1875.00"),
        ("difference", "-75.00"),
        ("explained", "-75.00"),
    ] {
        assert_eq!(loans[field], value, "{field}");
    }
    assert_eq!(loans["explanations"][0]["kind"], "posted_outside_tieout");
    let cash = json["accounts"].as_array().unwrap().iter().find(|a| a["account"] == "Cash").unwrap();
    assert!(cash["servicing"].is_null());
    // And back: what the store keeps can be rendered again.
    let back: Reconciliation = serde_json::from_value(json).unwrap();
    assert_eq!(back, result);
}

#[test]
fn negative_zero_and_scale_read_as_the_currencys_amounts() {
    // Zero overpayments negate to -0; a sink reporting `1800` reads 1800.00.
    let ledger = tied_ledger();
    let sink: Vec<AccountBalance> = ledger.iter().map(|l| balance(l.account.as_str(), l.posted.normalize())).collect();
    let result = run(&book()[..1], vec![], vec![], sink, no_loans);
    let text = serde_json::to_string(&result).unwrap();
    assert!(!text.contains("\"-0"), "{text}");
    assert_eq!(row(&result, "Loans").sink.to_string(), "1800.00");
}

// ---------------------------------------------------------------- properties

/// A random book of `personal` loans (accrual: every role compared) and `gold` (cash).
fn balances() -> impl Strategy<Value = Vec<LoanBalance>> {
    let amount = || (0_i64..5_000_000).prop_map(|cents| Decimal::new(cents, 2));
    prop::collection::vec((any::<bool>(), amount(), amount(), amount(), amount(), amount()), 1..40).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (cash, a, b, c, d, e))| {
                loan(&format!("L-{i}"), if cash { "gold" } else { "personal" }, [a, b, c, d, e])
            })
            .collect()
    })
}

/// Per account, what `balances` come to, as the ledger would book them (cash loans book no
/// receivables).
fn booked(balances: &[LoanBalance]) -> Vec<(String, String, Decimal)> {
    let mut out = Vec::new();
    for b in balances {
        let cash = b.product.as_str() == "gold";
        let amounts = servicing_amounts(b);
        for (slot, account) in ["Loans", "IntRec", "FeeRec", "PenRec", "Overpay"].iter().enumerate() {
            if cash && (1..=3).contains(&slot) {
                continue;
            }
            out.push(((*account).to_owned(), b.loan_id.to_string(), amounts[slot]));
        }
    }
    out
}

fn per_account(lines: &[(String, String, Decimal)]) -> Vec<AccountLedger> {
    let mut sums: std::collections::BTreeMap<&str, Decimal> = std::collections::BTreeMap::new();
    for (account, _, amount) in lines {
        *sums.entry(account).or_default() += amount;
    }
    sums.into_iter().map(|(a, s)| posted(a, s)).collect()
}

proptest! {
    #[test]
    fn a_book_posted_exactly_ties_out(balances in balances()) {
        let ledger = per_account(&booked(&balances));
        let result = run(&balances, ledger.clone(), Vec::new(), sink_of(&ledger), no_loans);
        prop_assert_eq!(result.differences_total, Decimal::ZERO);
        prop_assert_eq!(result.unexplained_total, Decimal::ZERO);
        prop_assert!(result.drill_down.is_empty());
        prop_assert!(result.accounts.iter().all(|r| r.explanations.is_empty()));
    }

    /// Whatever part is posted, staged, failed or booked later, and whatever was posted by hand,
    /// the explanations account for the whole difference, and the manual amount is the
    /// "posted outside Tieout" one.
    #[test]
    fn send_states_and_manual_postings_are_explained_exactly(
        balances in balances(),
        shares in prop::collection::vec((0_u8..4, -100_000_i64..100_000), 5),
    ) {
        let lines = booked(&balances);
        let mut ledger = Vec::new();
        let mut backdated = Vec::new();
        let mut sink = Vec::new();
        for (i, account) in ["Loans", "IntRec", "FeeRec", "PenRec", "Overpay"].iter().enumerate() {
            let total: Decimal = lines.iter().filter(|(a, _, _)| a == account).map(|(_, _, x)| *x).sum();
            let (state, manual) = shares[i];
            let manual = Decimal::new(manual, 2);
            let mut l = AccountLedger::zero((*account).into(), usd());
            match state {
                0 => l.posted = total,
                1 => l.unsent = total,
                2 => l.failed = total,
                _ => backdated.push(Backdated { account: (*account).into(), currency: usd(), loan: None, amount: total }),
            }
            sink.push(balance(account, l.posted + manual));
            ledger.push(l);
        }
        let result = run(&balances, ledger, backdated, sink, |_| Vec::new());
        prop_assert_eq!(result.unexplained_total, Decimal::ZERO);
        for (i, account) in ["Loans", "IntRec", "FeeRec", "PenRec", "Overpay"].iter().enumerate() {
            let r = row(&result, account);
            prop_assert_eq!(r.explained, r.difference);
            let outside: Decimal = r.explanations.iter()
                .filter(|e| e.kind == ExplanationKind::PostedOutsideTieout).map(|e| e.amount).sum();
            prop_assert_eq!(outside, -Decimal::new(shares[i].1, 2));
        }
    }

    /// A servicing figure off by some amount on one loan is unexplained by exactly that amount,
    /// and the drill-down names the loan.
    #[test]
    fn a_difference_on_one_loan_is_found(balances in balances(), pick in any::<prop::sample::Index>(), cents in 1_i64..1_000_000) {
        let lines = booked(&balances);
        let ledger = per_account(&lines);
        let mut changed = balances.clone();
        let ix = pick.index(changed.len());
        changed[ix].principal += Decimal::new(cents, 2);
        let loan_rows = |wanted: &[AccountKey]| -> Vec<LoanLedger> {
            lines.iter()
                .filter(|(a, _, _)| wanted.iter().any(|k| k.account.as_str() == a))
                .map(|(a, l, x)| LoanLedger { account: a.as_str().into(), currency: usd(), loan: l.as_str().into(), posted: *x, unposted: Decimal::ZERO })
                .collect()
        };
        let result = run(&changed, ledger.clone(), Vec::new(), sink_of(&ledger), loan_rows);
        prop_assert_eq!(row(&result, "Loans").unexplained, Decimal::new(cents, 2));
        prop_assert_eq!(result.drill_down.len(), 1);
        let drill = &result.drill_down[0];
        prop_assert_eq!(drill.loans.len(), 1);
        prop_assert_eq!(&drill.loans[0].loan, &changed[ix].loan_id);
        prop_assert_eq!(drill.loans[0].unexplained, Decimal::new(cents, 2));
    }
}
