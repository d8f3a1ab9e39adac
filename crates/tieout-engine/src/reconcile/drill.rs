//! The drill-down: for an account whose servicing figure differs from the ledger, the loans that
//! differ, each with its servicing balance, what was posted, what is staged and what was
//! backdated for it. Loan-level lines are kept under summarized entries exactly for this.

use std::cmp::Reverse;

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use tieout_core::ids::LoanId;

use super::amount::fit;
use super::keys::Keys;
use super::ledger::{Backdated, LoanLedger};
use super::result::{AccountDrillDown, LoanRow};
use super::servicing::LoanAmount;

#[derive(Default)]
struct LoanFigures {
    servicing: Decimal,
    posted: Decimal,
    unposted: Decimal,
    backdated: Decimal,
}

/// The drill-down of the accounts `drill` (key numbers), at most `max` loans listed each.
pub(crate) fn drill_down(
    keys: &Keys,
    drill: &[u32],
    servicing: &[LoanAmount],
    loans: &[LoanLedger],
    backdated: &[Backdated],
    max: usize,
) -> Vec<AccountDrillDown> {
    if drill.is_empty() {
        return Vec::new();
    }
    let wanted = |key: u32| drill.contains(&key);
    let mut figures: FxHashMap<(u32, LoanId), LoanFigures> = FxHashMap::default();
    for a in servicing.iter().filter(|a| wanted(a.key)) {
        figures.entry((a.key, a.loan.clone())).or_default().servicing += a.amount;
    }
    for row in loans {
        if let Some(key) = keys.find(&row.account, row.currency).filter(|k| wanted(*k)) {
            let f = figures.entry((key, row.loan.clone())).or_default();
            f.posted += row.posted;
            f.unposted += row.unposted;
        }
    }
    for row in backdated {
        if let (Some(loan), Some(key)) = (&row.loan, keys.find(&row.account, row.currency).filter(|k| wanted(*k))) {
            figures.entry((key, loan.clone())).or_default().backdated += row.amount;
        }
    }
    let mut by_key: FxHashMap<u32, Vec<LoanRow>> = FxHashMap::default();
    for ((key, loan), f) in figures {
        let difference = f.servicing - f.posted;
        let unexplained = difference - f.unposted - f.backdated;
        if difference.is_zero() && unexplained.is_zero() {
            continue;
        }
        let currency = keys.get(key).currency;
        by_key.entry(key).or_default().push(LoanRow {
            loan,
            servicing: fit(f.servicing, currency),
            ledger: fit(f.posted, currency),
            staged: fit(f.unposted, currency),
            backdated: fit(f.backdated, currency),
            difference: fit(difference, currency),
            unexplained: fit(unexplained, currency),
        });
    }
    let mut out: Vec<AccountDrillDown> = drill
        .iter()
        .map(|key| {
            let mut rows = by_key.remove(key).unwrap_or_default();
            let loans_differing = rows.iter().filter(|r| !r.difference.is_zero()).count() as u64;
            let loans_unexplained = rows.iter().filter(|r| !r.unexplained.is_zero()).count() as u64;
            // Only the listed ones need ordering: select them first, then sort those.
            let order = |r: &LoanRow| (Reverse(r.unexplained.abs()), Reverse(r.difference.abs()), r.loan.clone());
            if rows.len() > max {
                rows.select_nth_unstable_by_key(max, order);
                rows.truncate(max);
            }
            rows.sort_by_cached_key(order);
            let account = keys.get(*key);
            AccountDrillDown {
                account: account.account.clone(),
                currency: account.currency,
                loans_differing,
                loans_unexplained,
                loans: rows,
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.account, a.currency).cmp(&(&b.account, b.currency)));
    out
}
