//! Day counts, in two roles.
//!
//! - **Interest**: an installment's interest is `outstanding × annual rate × year fraction`, where
//!   the year fraction of the days after `start` up to and including `due` follows the product's
//!   day count (actual/365, actual/360, 30E/360 and actual/actual ISDA). Computed in integers of
//!   the currency's minor unit, rounded half away from zero once.
//! - **Spreading**: how an installment's fixed interest is spread over its days, exactly as
//!   Tieout's accrual engine does it (`tieout-engine`, `accrual/day_count.rs`): every calendar day
//!   weighs 1, except under 30/360 (30E/360 serials: the 31st weighs 0, 1 March carries
//!   February's missing days).

use chrono::{Datelike, Months, NaiveDate};
use tieout_core::role::DayCount;

/// The date's position on the day count's time line (the engine's `serial`).
pub(crate) fn serial(day_count: DayCount, date: NaiveDate) -> i64 {
    match day_count {
        DayCount::ActualActual | DayCount::Actual365 | DayCount::Actual360 => i64::from(date.num_days_from_ce()),
        DayCount::Thirty360 => {
            i64::from(date.year()) * 360 + i64::from(date.month0()) * 30 + i64::from(date.day().min(30))
        }
    }
}

/// The weight of the days after `from` up to and including `to` (zero when `to <= from`).
pub(crate) fn weight(day_count: DayCount, from: NaiveDate, to: NaiveDate) -> i64 {
    (serial(day_count, to) - serial(day_count, from)).max(0)
}

/// Calendar days from `from` to `to` (negative when `to` is earlier).
pub(crate) fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    to.signed_duration_since(from).num_days()
}

/// `date` plus `days` (saturating at chrono's range, which no simulated date comes near).
pub(crate) fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    let Ok(days) = u64::try_from(days) else {
        return date.checked_sub_days(chrono::Days::new(days.unsigned_abs())).unwrap_or(date);
    };
    date.checked_add_days(chrono::Days::new(days)).unwrap_or(date)
}

/// `date` plus `months`, clipped to the end of a shorter month (31 January + 1 month = 28 or 29
/// February).
pub(crate) fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(date)
}

fn year_length(year: i32) -> i64 {
    if NaiveDate::from_ymd_opt(year, 2, 29).is_some() { 366 } else { 365 }
}

/// The year fraction of the days after `from` up to and including `to`, as `numerator /
/// denominator`. Actual/actual is ISDA: the days in each calendar year over that year's length.
pub(crate) fn year_fraction(day_count: DayCount, from: NaiveDate, to: NaiveDate) -> (i128, i128) {
    let days = i128::from(days_between(from, to).max(0));
    match day_count {
        DayCount::Actual365 => (days, 365),
        DayCount::Actual360 => (days, 360),
        DayCount::Thirty360 => (i128::from(weight(day_count, from, to)), 360),
        DayCount::ActualActual => {
            if to <= from {
                return (0, 365);
            }
            // Sum over the calendar years the period touches: days_in_year / year_length, over a
            // common denominator. Periods here are a few months, so this loops once or twice.
            // A day belongs to its own year: the days of year Y in (from, to] are those after
            // max(from, 31 Dec Y-1) up to min(to, 31 Dec Y).
            let mut numerator: i128 = 0;
            let mut denominator: i128 = 1;
            let first_year = add_days(from, 1).year();
            for year in first_year..=to.year() {
                let before = NaiveDate::from_ymd_opt(year - 1, 12, 31).map_or(from, |d| d.max(from));
                let upto = NaiveDate::from_ymd_opt(year, 12, 31).map_or(to, |d| d.min(to));
                let part = i128::from(days_between(before, upto).max(0));
                let length = i128::from(year_length(year));
                numerator = numerator * length + part * denominator;
                denominator *= length;
            }
            (numerator, denominator)
        }
    }
}

/// `numerator / denominator` rounded half away from zero, for a non-negative numerator and a
/// positive denominator.
pub(crate) fn round_div(numerator: i128, denominator: i128) -> i128 {
    if denominator <= 0 {
        return 0;
    }
    (2 * numerator + denominator) / (2 * denominator)
}

/// Interest on `outstanding` (minor units) at `rate_bp` basis points a year over the days after
/// `from` up to and including `to`, rounded to the minor unit half away from zero.
pub(crate) fn interest(outstanding: i64, rate_bp: u32, day_count: DayCount, from: NaiveDate, to: NaiveDate) -> i64 {
    let (numerator, denominator) = year_fraction(day_count, from, to);
    let value = round_div(i128::from(outstanding) * i128::from(rate_bp) * numerator, 10_000 * denominator);
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn year_fractions() {
        assert_eq!(year_fraction(DayCount::Actual365, d("2026-01-01"), d("2026-02-01")), (31, 365));
        assert_eq!(year_fraction(DayCount::Actual360, d("2026-01-01"), d("2026-02-01")), (31, 360));
        assert_eq!(year_fraction(DayCount::Thirty360, d("2026-01-31"), d("2026-02-28")), (28, 360));
        // 2027-12-15 → 2028-01-15: 16 days of 2027 (365) and 15 of 2028 (366).
        let (n, den) = year_fraction(DayCount::ActualActual, d("2027-12-15"), d("2028-01-15"));
        assert_eq!(n * 365 * 366, (16 * 366 + 15 * 365) * den);
    }

    #[test]
    fn interest_rounds_half_away_from_zero() {
        // 10,000.00 at 12% for 31/365: 101.9178… → 101.92
        assert_eq!(interest(1_000_000, 1200, DayCount::Actual365, d("2026-01-01"), d("2026-02-01")), 10_192);
        // 30E/360: a month is 30/360 of a year: 10,000.00 × 12% / 12 = 100.00
        assert_eq!(interest(1_000_000, 1200, DayCount::Thirty360, d("2026-01-15"), d("2026-02-15")), 10_000);
        assert_eq!(interest(0, 1200, DayCount::Actual360, d("2026-01-15"), d("2026-02-15")), 0);
    }

    #[test]
    fn months_clip_to_the_month_end() {
        assert_eq!(add_months(d("2026-01-31"), 1), d("2026-02-28"));
        assert_eq!(add_months(d("2026-01-31"), 2), d("2026-03-31"));
        assert_eq!(add_days(d("2026-01-31"), -1), d("2026-01-30"));
        assert_eq!(add_days(d("2026-01-31"), 1), d("2026-02-01"));
    }

    #[test]
    fn weights_match_the_engine() {
        assert_eq!(weight(DayCount::Thirty360, d("2026-03-30"), d("2026-03-31")), 0);
        assert_eq!(weight(DayCount::Thirty360, d("2026-02-28"), d("2026-03-01")), 3);
        assert_eq!(weight(DayCount::Actual360, d("2026-02-28"), d("2026-03-01")), 1);
        assert_eq!(weight(DayCount::ActualActual, d("2026-03-01"), d("2026-02-28")), 0);
    }
}
