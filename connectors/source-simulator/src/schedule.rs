//! Repayment schedules: equal-installment (annuity) amortization, monthly, in the minor unit.
//!
//! The installment amount comes from the annuity formula on the monthly rate (annual / 12) and is
//! rounded to the minor unit once. Each installment's interest is the outstanding principal ×
//! the annual rate × the year fraction of its days by the product's day count
//! (`day_count::interest`); its principal is the installment amount minus that interest; the
//! last installment takes whatever principal is left, so the principal column sums exactly to
//! the amount lent. Everything is integer arithmetic, identical on every machine.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tieout_core::connector::Installment;
use tieout_core::role::DayCount;

use crate::day_count::{add_months, interest, round_div};

/// One schedule row, in minor units. Rows are in due order and never overlap: each starts on or
/// after the previous one's due date.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Row {
    pub number: u32,
    /// Interest and fees accrue over the days after `start` up to and including `due`.
    pub start: NaiveDate,
    pub due: NaiveDate,
    pub principal: i64,
    pub interest: i64,
    pub fee: i64,
    pub penalty: i64,
    /// A regular installment (false: a row appended to carry a late fee charged after the last
    /// installment).
    pub regular: bool,
}

impl Row {
    pub fn installment(&self, decimals: u32) -> Installment {
        Installment {
            number: self.number,
            start: self.start,
            due: self.due,
            principal: Decimal::new(self.principal, decimals),
            interest: Decimal::new(self.interest, decimals),
            fee: Decimal::new(self.fee, decimals),
            penalty: Decimal::new(self.penalty, decimals),
        }
    }

    /// What the row asks the borrower to pay, penalty aside.
    pub fn amount(&self) -> i64 {
        self.principal + self.interest + self.fee
    }
}

/// Fixed-point scale of the annuity computation.
const SCALE: i128 = 1_000_000_000_000_000_000;

/// The equal installment (principal + interest) that repays `principal` (minor units) in
/// `count` monthly installments at `rate_bp` a year: `P·r / (1 − (1 + r)^−n)`, `r` the monthly
/// rate, computed in 18-decimal fixed point and rounded to the minor unit.
pub(crate) fn annuity(principal: i64, rate_bp: u32, count: u32) -> i64 {
    let count = count.max(1);
    if rate_bp == 0 {
        return i64::try_from(round_div(i128::from(principal), i128::from(count))).unwrap_or(principal);
    }
    // r = rate_bp / 10_000 / 12, in fixed point.
    let monthly = i128::from(rate_bp) * SCALE / 120_000;
    let mut growth = SCALE; // (1 + r)^n
    for _ in 0..count {
        // Rates and terms of the catalogue keep this far below i128's range; a product that did
        // not would fall back to equal principal parts rather than overflow.
        let Some(next) = growth.checked_mul(SCALE + monthly) else {
            return i64::try_from(round_div(i128::from(principal), i128::from(count))).unwrap_or(principal);
        };
        growth = next / SCALE;
    }
    // 1 − (1 + r)^−n = 1 − SCALE² / growth, in fixed point.
    let discount = SCALE - SCALE * SCALE / growth;
    if discount <= 0 {
        return principal;
    }
    i64::try_from(round_div(i128::from(principal) * monthly, discount)).unwrap_or(principal)
}

/// What to amortize and how.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Amortization {
    pub principal: i64,
    pub rate_bp: u32,
    pub day_count: DayCount,
    /// Fee added to every installment.
    pub fee: i64,
    /// Due dates are `anchor + m months` (clipped to month ends), `m` from `first_month`.
    pub anchor: NaiveDate,
    pub first_month: u32,
    pub count: u32,
    /// The first row's start (later rows start on the previous due date).
    pub first_start: NaiveDate,
    pub first_number: u32,
}

/// The rows of an annuity.
pub(crate) fn amortize(plan: &Amortization) -> Vec<Row> {
    let count = plan.count.max(1);
    let payment = annuity(plan.principal, plan.rate_bp, count);
    let mut rows = Vec::with_capacity(count as usize + 1);
    let mut outstanding = plan.principal;
    let mut start = plan.first_start;
    for index in 0..count {
        let due = add_months(plan.anchor, plan.first_month + index);
        let interest = interest(outstanding, plan.rate_bp, plan.day_count, start, due);
        let principal = if index + 1 == count { outstanding } else { (payment - interest).clamp(0, outstanding) };
        outstanding -= principal;
        rows.push(Row {
            number: plan.first_number + index,
            start,
            due,
            principal,
            interest,
            fee: plan.fee,
            penalty: 0,
            regular: true,
        });
        start = due;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_annuity_matches_the_textbook() {
        // 10,000.00 at 12% over 12 months: 888.49 a month.
        assert_eq!(annuity(1_000_000, 1200, 12), 88_849);
        // 20,000.00 at 9.5% over 60 months: 420.04.
        assert_eq!(annuity(2_000_000, 950, 60), 42_004);
        assert_eq!(annuity(1_200, 0, 12), 100);
    }

    #[test]
    fn principal_sums_exactly_and_interest_follows_the_day_count() {
        for day_count in DayCount::ALL {
            let rows = amortize(&Amortization {
                principal: 1_234_567,
                rate_bp: 1850,
                day_count: *day_count,
                fee: 450,
                anchor: d("2026-01-31"),
                first_month: 1,
                count: 18,
                first_start: d("2026-01-31"),
                first_number: 1,
            });
            assert_eq!(rows.len(), 18);
            assert_eq!(rows.iter().map(|r| r.principal).sum::<i64>(), 1_234_567);
            assert!(rows.iter().all(|r| r.interest > 0 && r.principal > 0 && r.fee == 450));
            assert_eq!(rows[0].due, d("2026-02-28"));
            assert_eq!(rows[1].start, d("2026-02-28"));
            assert_eq!(rows[1].due, d("2026-03-31"));
            for pair in rows.windows(2) {
                assert_eq!(pair[0].due, pair[1].start);
                assert_eq!(pair[1].number, pair[0].number + 1);
            }
        }
    }
}
