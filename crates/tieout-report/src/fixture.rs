//! A small reconciliation for the renderers' tests, made by the engine itself: a manual journal
//! in the sink (posted outside Tieout), an account whose name is a formula with an unexplained
//! difference and two loans behind it (one id starting with `-`), and a role with no account.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use tieout_core::connector::{AccountBalance, LoanBalance};
use tieout_core::money::Currency;
use tieout_engine::mapping::MappingFile;
use tieout_engine::reconcile::{AccountLedger, LoanLedger, Options, Reconciler, Reconciliation};
use tieout_engine::rules::RuleSet;

pub(crate) const HOSTILE: &str = "=HYPERLINK(\"http://evil.example\",\"click\")";

const MAPPING: &str = r#"
default_rule = "accrual-periodic"
[accounts]
fund_source = "Assets:Cash"
loan_portfolio = "Assets:Loans"
interest_receivable = '=HYPERLINK("http://evil.example","click")'
penalty_receivable = "Assets:Penalties <receivable> & co"
overpayment_liability = "Liabilities:Overpayments"
"#;

fn usd() -> Currency {
    Currency::new("USD").unwrap()
}

fn loan(id: &str, principal: Decimal, interest: Decimal, fee: Decimal) -> LoanBalance {
    LoanBalance {
        loan_id: id.into(),
        product: "personal".into(),
        office: None,
        currency: usd(),
        as_of: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        principal,
        interest_receivable: interest,
        fee_receivable: fee,
        penalty_receivable: Decimal::ZERO,
        overpayment: Decimal::ZERO,
        charged_off: false,
    }
}

fn posted(account: &str, amount: Decimal) -> AccountLedger {
    AccountLedger { posted: amount, ..AccountLedger::zero(account.into(), usd()) }
}

fn sink(account: &str, balance: Decimal) -> AccountBalance {
    AccountBalance { account: account.into(), currency: usd(), balance }
}

pub(crate) fn reconciliation() -> Reconciliation {
    let rules = RuleSet::standard();
    let mapping = MappingFile::from_toml(MAPPING, "fixture mapping").unwrap();
    let as_of = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
    let mut r = Reconciler::new("acme".into(), as_of, &rules, &mapping, Options::default());
    r.add_balances(&[
        loan("L-1", dec!(1000.00), dec!(1000.00), dec!(2.50)),
        loan("-L-2", dec!(800.00), dec!(5.00), Decimal::ZERO),
    ]);
    r.set_ledger(
        vec![
            posted("Assets:Loans", dec!(1800.00)),
            posted(HOSTILE, dec!(10.00)),
            posted("Assets:Cash", dec!(-1810.00)),
        ],
        Vec::new(),
    );
    r.set_sink(vec![
        sink("Assets:Loans", dec!(1875.00)),
        sink(HOSTILE, dec!(10.00)),
        sink("Assets:Cash", dec!(-1885.00)),
    ]);
    let loans = vec![LoanLedger {
        account: HOSTILE.into(),
        currency: usd(),
        loan: "-L-2".into(),
        posted: dec!(10.00),
        unposted: Decimal::ZERO,
    }];
    r.finish(&loans)
}
