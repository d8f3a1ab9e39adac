//! How a day count weighs the days of an installment.
//!
//! The schedule already fixes each installment's interest, so a day count here does not change
//! *how much* interest accrues, only *how it is spread* over the installment's days. Each day
//! gets a weight; a day's share of the installment's interest is its weight over the weight of all
//! the installment's days.
//!
//! Every convention is expressed as a serial number per date, and the weight of the days after
//! `a` up to and including `b` is `serial(b) - serial(a)`. Because it is a difference of serials,
//! the weights of single days always add up to the weight of the whole installment, which the
//! cumulative rounding relies on.
//!
//! - actual/actual, actual/365 and actual/360: every calendar day weighs 1. Their year bases
//!   (365, 366, 360) only matter when computing an installment's interest from a rate, which the
//!   servicing system has already done; spreading a fixed amount over the installment's days is
//!   the same for all three.
//! - 30/360: the European convention **30E/360** (ISDA 2006 section 4.16(g), "Eurobond basis"):
//!   each date's day of month is capped at 30, with no special case for February. Days 1 to 30 of
//!   a month weigh 1, the 31st weighs 0, and 1 March carries February's missing days (3 in a
//!   common year, 2 in a leap year). The US (NASD) convention is not used: there, whether the 31st
//!   counts depends on the period's first date, so single days' weights would not add up to the
//!   period's.

use chrono::{Datelike, NaiveDate};
use tieout_core::role::DayCount;

/// The date's position on the day count's time line.
#[inline]
pub(crate) fn serial(day_count: DayCount, date: NaiveDate) -> i64 {
    match day_count {
        DayCount::ActualActual | DayCount::Actual365 | DayCount::Actual360 => i64::from(date.num_days_from_ce()),
        DayCount::Thirty360 => {
            i64::from(date.year()) * 360 + i64::from(date.month0()) * 30 + i64::from(date.day().min(30))
        }
    }
}

/// The weight of the days after `from` up to and including `to` (zero when `to <= from`).
#[inline]
pub(crate) fn days_weight(day_count: DayCount, from: NaiveDate, to: NaiveDate) -> i64 {
    (serial(day_count, to) - serial(day_count, from)).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn actual_counts_calendar_days() {
        for dc in [DayCount::ActualActual, DayCount::Actual365, DayCount::Actual360] {
            assert_eq!(days_weight(dc, d("2026-01-31"), d("2026-02-28")), 28);
            assert_eq!(days_weight(dc, d("2028-02-28"), d("2028-03-01")), 2);
            assert_eq!(days_weight(dc, d("2026-12-31"), d("2027-01-01")), 1);
        }
    }

    #[test]
    fn thirty_360_is_30e_360() {
        let dc = DayCount::Thirty360;
        assert_eq!(days_weight(dc, d("2026-01-15"), d("2026-02-15")), 30);
        assert_eq!(days_weight(dc, d("2026-02-15"), d("2026-03-15")), 30);
        assert_eq!(days_weight(dc, d("2026-03-30"), d("2026-03-31")), 0, "the 31st weighs nothing");
        assert_eq!(days_weight(dc, d("2026-02-28"), d("2026-03-01")), 3, "1 March carries February's missing days");
        assert_eq!(days_weight(dc, d("2028-02-28"), d("2028-02-29")), 1);
        assert_eq!(days_weight(dc, d("2028-02-29"), d("2028-03-01")), 2, "leap year");
        assert_eq!(days_weight(dc, d("2026-01-31"), d("2026-02-28")), 28, "30E/360 makes no February adjustment");
        assert_eq!(days_weight(dc, d("2026-12-31"), d("2027-01-01")), 1);
        assert_eq!(days_weight(dc, d("2026-01-01"), d("2027-01-01")), 360);
    }

    #[test]
    fn weights_add_up_day_by_day() {
        for dc in DayCount::ALL {
            let (start, end) = (d("2027-12-20"), d("2028-03-10"));
            let mut sum = 0;
            let mut day = start;
            while day < end {
                let next = day.succ_opt().unwrap();
                let w = days_weight(*dc, day, next);
                assert!((0..=3).contains(&w), "{dc} {day}: {w}");
                sum += w;
                day = next;
            }
            assert_eq!(sum, days_weight(*dc, start, end), "{dc}");
        }
    }
}
