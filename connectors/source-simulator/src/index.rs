//! Which loans have events entered on which day: what lets the event stream run day by day
//! without holding any loan's history.
//!
//! Built once, on the first read of events, by generating every loan through the book's last
//! day and keeping only the days it has events on: four bytes per loan and day with events,
//! never the events themselves. Reading a day then generates only the loans listed for it. (A
//! million loans over three months: the whole process peaks at about 23 MB.)

use crate::book::Simulator;
use crate::day_count::days_between;

/// For each day of the book (from its start), the loans with events entered that day, in loan
/// order.
#[derive(Debug)]
pub(crate) struct DayIndex {
    days: Vec<Vec<u32>>,
}

impl DayIndex {
    pub fn build(book: &Simulator) -> Self {
        let settings = book.settings();
        let (start, end) = (settings.start(), settings.end());
        let length = usize::try_from(days_between(start, end) + 1).unwrap_or(0);
        let mut days: Vec<Vec<u32>> = vec![Vec::new(); length];
        let mut seen: Vec<usize> = Vec::with_capacity(64);
        for number in 1..=settings.loans() {
            let history = book.history(number, end);
            seen.clear();
            for record in history.records.iter().filter(|r| r.emitted <= end) {
                if let Ok(day) = usize::try_from(days_between(start, record.emitted)) {
                    seen.push(day);
                }
            }
            seen.sort_unstable();
            seen.dedup();
            for day in &seen {
                if let Some(loans) = days.get_mut(*day) {
                    loans.push(number);
                }
            }
        }
        DayIndex { days }
    }

    /// The loans with events entered on `day`, in loan order.
    pub fn loans_on(&self, day: u32) -> &[u32] {
        self.days.get(day as usize).map_or(&[], Vec::as_slice)
    }
}
