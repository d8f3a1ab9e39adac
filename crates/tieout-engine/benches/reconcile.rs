//! The reconciliation maths for a book of 1,000,000 loans (the issue's target: the whole
//! reconciliation of 1M loans in ≤ 30 s; this is the engine's part, with the three sides already
//! read): every balance mapped and summed, the rows and explanations, and the drill-down.
//!
//! - `tied_1m_loans`: the ledger and the sink equal the servicing balances (the usual case: no
//!   drill-down needed);
//! - `drill_1m_loans`: one account (interest receivable) has only half of every accrual loan's
//!   balance posted, so every such loan differs and is drilled into (1M-row loan-level input).
//!
//! Run: `cargo bench -p tieout-engine --bench reconcile`.

use std::collections::BTreeMap;
use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rust_decimal::Decimal;
use tieout_core::connector::{AccountBalance, LoanBalance};
use tieout_core::ids::{AccountRef, ClientId, OfficeId, ProductId};
use tieout_core::money::Currency;
use tieout_engine::mapping::MappingFile;
use tieout_engine::reconcile::{AccountLedger, LoanLedger, Options, Reconciler, servicing_amounts};
use tieout_engine::rules::RuleSet;

const LOANS: u32 = 1_000_000;

const MAPPING: &str = r#"
default_rule = "accrual-periodic"
[accounts]
fund_source = "Assets:Bank"
loan_portfolio = "Assets:Loans:Principal"
interest_receivable = "Assets:Loans:Interest receivable"
fee_receivable = "Assets:Loans:Fee receivable"
penalty_receivable = "Assets:Loans:Penalty receivable"
overpayment_liability = "Liabilities:Overpayments"
[products.gold]
rule = "cash"
[products.auto]
rule = "accrual-upfront"
loan_portfolio = "Assets:Loans:Auto"
"#;

/// Accounts of the five servicing roles for a product (as the mapping above places them).
fn accounts(product: &str) -> [Option<&'static str>; 5] {
    let principal = if product == "auto" { "Assets:Loans:Auto" } else { "Assets:Loans:Principal" };
    let receivable = |account| if product == "gold" { None } else { Some(account) };
    [
        Some(principal),
        receivable("Assets:Loans:Interest receivable"),
        receivable("Assets:Loans:Fee receivable"),
        receivable("Assets:Loans:Penalty receivable"),
        Some("Liabilities:Overpayments"),
    ]
}

fn book(as_of: NaiveDate) -> Vec<LoanBalance> {
    let usd = Currency::new("USD").expect("USD");
    let products: [ProductId; 3] = ["personal".into(), "gold".into(), "auto".into()];
    let offices: [OfficeId; 3] = ["HQ".into(), "NORTH".into(), "SOUTH".into()];
    (0..LOANS)
        .map(|n| LoanBalance {
            loan_id: format!("L-{n:07}").into(),
            product: products[(n % 3) as usize].clone(),
            office: Some(offices[(n % 7 % 3) as usize].clone()),
            currency: usd,
            as_of,
            principal: Decimal::new(i64::from(100_000 + n % 900_000), 2),
            interest_receivable: Decimal::new(i64::from(n % 5_000), 2),
            fee_receivable: Decimal::new(i64::from(n % 3 * 250), 2),
            penalty_receivable: if n % 11 == 0 { Decimal::new(2_500, 2) } else { Decimal::ZERO },
            overpayment: if n % 97 == 0 { Decimal::new(1_234, 2) } else { Decimal::ZERO },
            charged_off: false,
        })
        .collect()
}

/// Per account, what the balances come to: the ledger that books them exactly.
fn ledger(balances: &[LoanBalance]) -> Vec<AccountLedger> {
    let usd = Currency::new("USD").expect("USD");
    let mut sums: BTreeMap<&'static str, Decimal> = BTreeMap::new();
    for b in balances {
        for (account, amount) in accounts(b.product.as_str()).iter().zip(servicing_amounts(b)) {
            if let Some(account) = account {
                *sums.entry(account).or_default() += amount;
            }
        }
    }
    sums.into_iter().map(|(a, s)| AccountLedger { posted: s, ..AccountLedger::zero(a.into(), usd) }).collect()
}

fn sink(ledger: &[AccountLedger]) -> Vec<AccountBalance> {
    ledger
        .iter()
        .map(|l| AccountBalance { account: l.account.clone(), currency: l.currency, balance: l.posted })
        .collect()
}

fn reconcile(c: &mut Criterion) {
    let as_of = NaiveDate::from_ymd_opt(2026, 12, 31).expect("a date");
    let rules = RuleSet::standard();
    let mapping = MappingFile::from_toml(MAPPING, "bench mapping").expect("mapping");
    let balances = book(as_of);
    let tied = ledger(&balances);

    // Half of every accrual loan's interest receivable posted, the rest nowhere.
    let interest: AccountRef = "Assets:Loans:Interest receivable".into();
    let half = |b: &LoanBalance| (b.interest_receivable / Decimal::TWO).round_dp(2);
    let loan_rows: Vec<LoanLedger> = balances
        .iter()
        .filter(|b| b.product.as_str() != "gold")
        .map(|b| LoanLedger {
            account: interest.clone(),
            currency: b.currency,
            loan: b.loan_id.clone(),
            posted: half(b),
            unposted: Decimal::ZERO,
        })
        .collect();
    let mut short = tied.clone();
    for l in short.iter_mut().filter(|l| l.account == interest) {
        l.posted = loan_rows.iter().map(|r| r.posted).sum();
    }

    let mut group = c.benchmark_group("reconcile");
    group.sample_size(10);
    group.measurement_time(std::time::Duration::from_secs(30));
    group.throughput(Throughput::Elements(u64::from(LOANS)));
    for (name, ledger, loans) in [("tied_1m_loans", &tied, &[][..]), ("drill_1m_loans", &short, &loan_rows[..])] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut r = Reconciler::new(ClientId::from("bench"), as_of, &rules, &mapping, Options::default());
                for page in balances.chunks(1_000) {
                    r.add_balances(page);
                }
                r.set_ledger(ledger.clone(), Vec::new());
                r.set_sink(sink(ledger));
                let wanted = r.drill_down_accounts();
                let result = r.finish(if wanted.is_empty() { &[] } else { loans });
                assert_eq!(result.drill_down.is_empty(), loans.is_empty(), "the scenario is what it says");
                black_box(result)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, reconcile);
criterion_main!(benches);
