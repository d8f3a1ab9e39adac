//! What a loan has earned through a date by its schedule: the same rule as Tieout's accrual
//! engine (`tieout-engine`, `accrual/plan.rs` and `accrual/rounding.rs`), reimplemented here
//! because a connector depends on `tieout-core` only. `tests/exactness.rs` proves the two agree.
//!
//! - **Daily** (accrual-periodic): each installment's interest and fee are spread over the days
//!   after its start up to and including its due date, by day-count weight; the amount earned
//!   through a date is `round(amount × weight so far / total weight)`, half away from zero, in
//!   the minor unit (cumulative rounding); on and after the due date, the whole amount. An
//!   installment whose days weigh nothing earns everything on its due date. Penalties are earned
//!   whole on their installment's due date.
//! - **Upfront** (accrual-upfront): every installment's interest and fee on the disbursement
//!   date; penalties on their due dates, as above.

use chrono::NaiveDate;
use tieout_core::role::DayCount;

use crate::day_count::{round_div, weight};
use crate::schedule::Row;

/// How a product recognizes scheduled interest and fees.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Spread {
    Daily,
    Upfront,
}

/// Interest, fee and penalty in minor units.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Earned {
    pub interest: i64,
    pub fee: i64,
    pub penalty: i64,
}

/// `total × part / whole`, rounded half away from zero (the engine's `prorate`).
fn prorate(total: i64, part: i64, whole: i64) -> i64 {
    let value = round_div(i128::from(total) * i128::from(part), i128::from(whole));
    i64::try_from(value).unwrap_or(total)
}

/// What `rows` have earned through `date` for a loan disbursed on `disbursed_on`.
pub(crate) fn earned(
    rows: &[Row],
    spread: Spread,
    day_count: DayCount,
    disbursed_on: NaiveDate,
    date: NaiveDate,
) -> Earned {
    let mut total = Earned::default();
    if date < disbursed_on {
        return total;
    }
    for row in rows {
        if date >= row.due {
            total.penalty += row.penalty;
        }
        match spread {
            Spread::Upfront => {
                total.interest += row.interest;
                total.fee += row.fee;
            }
            Spread::Daily if date >= row.due => {
                total.interest += row.interest;
                total.fee += row.fee;
            }
            Spread::Daily => {
                let whole = weight(day_count, row.start, row.due);
                if date <= row.start || whole == 0 {
                    continue;
                }
                let part = weight(day_count, row.start, date);
                total.interest += prorate(row.interest, part, whole);
                total.fee += prorate(row.fee, part, whole);
            }
        }
    }
    total
}

/// What `rows` bill through `date`: every row due on or before it, whole.
pub(crate) fn billed(rows: &[Row], date: NaiveDate) -> [i64; 4] {
    let mut billed = [0; 4];
    for row in rows.iter().filter(|row| row.due <= date) {
        billed[0] += row.principal;
        billed[1] += row.interest;
        billed[2] += row.fee;
        billed[3] += row.penalty;
    }
    billed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn row(start: &str, due: &str, interest: i64) -> Row {
        Row { number: 1, start: d(start), due: d(due), principal: 0, interest, fee: 0, penalty: 5, regular: true }
    }

    #[test]
    fn the_documented_example_of_docs_accruals() {
        // 1.00 over 1–4 January: 0.33, 0.67, 1.00.
        let rows = [row("2026-01-01", "2026-01-04", 100)];
        let at = |date: &str| earned(&rows, Spread::Daily, DayCount::Actual365, d("2026-01-01"), d(date));
        assert_eq!(at("2026-01-01").interest, 0);
        assert_eq!(at("2026-01-02").interest, 33);
        assert_eq!(at("2026-01-03").interest, 67);
        assert_eq!(at("2026-01-03").penalty, 0);
        assert_eq!(at("2026-01-04"), Earned { interest: 100, fee: 0, penalty: 5 });
        assert_eq!(at("2025-12-31"), Earned::default());
    }

    #[test]
    fn upfront_earns_all_interest_at_disbursement() {
        let rows = [row("2026-01-01", "2026-02-01", 100), row("2026-02-01", "2026-03-01", 90)];
        let at = |date: &str| earned(&rows, Spread::Upfront, DayCount::Actual360, d("2026-01-01"), d(date));
        assert_eq!(at("2026-01-01"), Earned { interest: 190, fee: 0, penalty: 0 });
        assert_eq!(at("2026-02-01").penalty, 5);
    }

    #[test]
    fn a_weightless_installment_earns_on_its_due_date() {
        let rows = [row("2026-03-30", "2026-03-31", 100)];
        let at = |date: &str| earned(&rows, Spread::Daily, DayCount::Thirty360, d("2026-03-01"), d(date));
        assert_eq!(at("2026-03-30").interest, 0);
        assert_eq!(at("2026-03-31").interest, 100);
    }
}
