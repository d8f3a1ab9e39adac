//! Interest-pause windows: paused days carry zero weight.
//!
//! The servicing system has already reduced the installment's interest for the pause; the engine
//! spreads what is left over the installment's days that are not paused, so nothing is
//! recognized for a paused day.

use chrono::NaiveDate;
use tieout_core::ids::LoanId;
use tieout_core::role::DayCount;

use super::AccrualError;
use super::day_count::{days_weight, serial};

/// Days on which a loan's interest is paused, both ends included.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct PauseWindow {
    /// The first paused day.
    pub from: NaiveDate,
    /// The last paused day.
    pub to: NaiveDate,
}

impl PauseWindow {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Self {
        Self { from, to }
    }
}

/// A loan's pause windows, checked, sorted and merged, each held as the half-open day range
/// `(after, through]` that the weight arithmetic uses.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct Pauses(Box<[(NaiveDate, NaiveDate)]>);

impl Pauses {
    pub fn new(loan: &LoanId, windows: &[PauseWindow]) -> Result<Self, AccrualError> {
        let mut ranges = Vec::with_capacity(windows.len());
        for window in windows {
            if window.to < window.from {
                return Err(AccrualError::PauseBackwards { loan: loan.clone(), from: window.from, to: window.to });
            }
            // The day before `from`; a window starting at the first representable date cannot
            // touch a schedule, whose dates all have a day before them (checked by the plan).
            let Some(after) = window.from.pred_opt() else { continue };
            ranges.push((after, window.to));
        }
        ranges.sort_unstable();
        // Overlapping windows are merged, so no day's weight is taken away twice.
        let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::with_capacity(ranges.len());
        for (after, through) in ranges {
            match merged.last_mut() {
                Some(last) if after <= last.1 => last.1 = last.1.max(through),
                _ => merged.push((after, through)),
            }
        }
        Ok(Self(merged.into_boxed_slice()))
    }

    /// The weight of the paused days after `from` up to and including `to`.
    #[inline]
    pub fn paused_weight(&self, day_count: DayCount, from: NaiveDate, to: NaiveDate) -> i64 {
        let mut paused = 0;
        for &(after, through) in self.0.iter() {
            let (lo, hi) = (after.max(from), through.min(to));
            if lo < hi {
                paused += serial(day_count, hi) - serial(day_count, lo);
            }
        }
        paused
    }

    /// The weight of the days after `from` up to and including `to` that are not paused.
    #[inline]
    pub fn active_weight(&self, day_count: DayCount, from: NaiveDate, to: NaiveDate) -> i64 {
        if to <= from {
            return 0;
        }
        days_weight(day_count, from, to) - self.paused_weight(day_count, from, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn paused_days_weigh_nothing() {
        let loan = LoanId::from("L-1");
        let pauses = Pauses::new(&loan, &[PauseWindow::new(d("2026-01-11"), d("2026-01-20"))]).unwrap();
        let dc = DayCount::ActualActual;
        // The days after 31 December up to 31 January: 31 days, 10 of them paused.
        assert_eq!(pauses.active_weight(dc, d("2025-12-31"), d("2026-01-31")), 21);
        assert_eq!(pauses.active_weight(dc, d("2025-12-31"), d("2026-01-10")), 10);
        assert_eq!(pauses.active_weight(dc, d("2025-12-31"), d("2026-01-15")), 10);
        assert_eq!(pauses.active_weight(dc, d("2026-01-12"), d("2026-01-21")), 1);
        assert_eq!(pauses.active_weight(dc, d("2026-01-10"), d("2026-01-20")), 0);
    }

    #[test]
    fn overlapping_windows_are_merged() {
        let loan = LoanId::from("L-1");
        let windows = [
            PauseWindow::new(d("2026-01-15"), d("2026-01-25")),
            PauseWindow::new(d("2026-01-11"), d("2026-01-20")),
            PauseWindow::new(d("2026-01-26"), d("2026-01-26")),
        ];
        let pauses = Pauses::new(&loan, &windows).unwrap();
        assert_eq!(pauses.0.len(), 1);
        assert_eq!(pauses.active_weight(DayCount::ActualActual, d("2025-12-31"), d("2026-01-31")), 15);
    }

    #[test]
    fn a_backwards_window_is_refused() {
        let loan = LoanId::from("L-1");
        let err = Pauses::new(&loan, &[PauseWindow::new(d("2026-01-20"), d("2026-01-11"))]).unwrap_err();
        assert!(err.to_string().contains("ends before it starts"), "{err}");
    }
}
