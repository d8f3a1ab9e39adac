//! Which period each new event is booked into (DESIGN.md section 7).
//!
//! While month `P` is proposed, every unbooked event dated up to the end of `P` is booked:
//! - dated in `P`: into `P`, on its own date;
//! - dated in an earlier month that is `open` (or has no period yet): into that month, on its own
//!   date — it is proposed when that month is closed;
//! - dated in an earlier month that is `proposing` or `proposed`: left unbooked, so a proposal
//!   under review never changes behind the reviewer's back (its reload books it; if that month is
//!   sent first, the event becomes late);
//! - **late**: dated in a `sending` or `sent` month, or on or before the accounting package's
//!   lock date: into the first open period from the event's month on (or `P` itself) that starts
//!   after the lock date, on that period's first day. The event keeps its own value date, which
//!   the entry's memo names ("original date …"): nothing is lost and no closed month changes.
//!
//! Events dated after `P` stay unbooked for their own month.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use tieout_store::{Booking, Period, PeriodStatus, StoredEvent, YearMonth};

/// Where the unbooked events go.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct BookingPlan {
    pub bookings: Vec<Booking>,
    /// Of the bookings, how many are late (booked on another month's first day).
    pub late: u64,
    /// Earlier months that have no period yet and get one (`open`) for their events.
    pub new_months: Vec<YearMonth>,
    /// Events left unbooked (dated after `target`, or in a month under review).
    pub left: u64,
}

/// Plans the bookings of `unbooked` while `target` is proposed; `periods` are the client's periods
/// (the target's own status is ignored: it is being proposed).
pub fn plan_bookings(
    unbooked: &[StoredEvent],
    periods: &[Period],
    target: YearMonth,
    lock_date: Option<NaiveDate>,
) -> BookingPlan {
    let status: BTreeMap<YearMonth, PeriodStatus> = periods.iter().map(|p| (p.period, p.status)).collect();
    let locked = |date: NaiveDate| lock_date.is_some_and(|lock| date <= lock);
    let mut plan = BookingPlan::default();
    for stored in unbooked {
        let date = stored.event.date;
        let month = YearMonth::of(date);
        if month > target {
            plan.left += 1;
            continue;
        }
        let month_status = if month == target {
            PeriodStatus::Proposing
        } else {
            status.get(&month).copied().unwrap_or(PeriodStatus::Open)
        };
        let closed = matches!(month_status, PeriodStatus::Sending | PeriodStatus::Sent);
        let (period, booked_on) = if closed || locked(date) {
            let first_open = status
                .range(month..target)
                .filter(|(_, s)| **s == PeriodStatus::Open)
                .map(|(m, _)| *m)
                .chain(std::iter::once(target))
                .find(|m| !locked(m.first_day()));
            match first_open {
                Some(open) => (open, open.first_day()),
                // The target itself starts on or before the lock date: book it there anyway;
                // validation reports the locked dates as problems.
                None => (target, if month == target { date } else { target.first_day() }),
            }
        } else if month == target || month_status == PeriodStatus::Open {
            (month, date)
        } else {
            plan.left += 1;
            continue;
        };
        if booked_on != date {
            plan.late += 1;
        }
        if period != target && !status.contains_key(&period) && !plan.new_months.contains(&period) {
            plan.new_months.push(period);
        }
        plan.bookings.push(Booking { event: stored.event.id.clone(), period, booked_on });
    }
    plan
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use tieout_core::event::parse_event_line;
    use tieout_core::ids::ClientId;

    use super::*;

    fn event(id: &str, date: &str) -> StoredEvent {
        let line = format!(
            r#"{{"id":"{id}","loan_id":"L-1","product":"p","kind":"disbursement","date":"{date}","currency":"USD","amount":"10.00"}}"#
        );
        StoredEvent {
            event: parse_event_line(&line, None).unwrap(),
            source: "memory".into(),
            received_at: Utc::now(),
            period: None,
            booked_on: None,
        }
    }

    fn period(month: &str, status: PeriodStatus) -> Period {
        Period {
            client: ClientId::from("c"),
            period: month.parse().unwrap(),
            status,
            closed_by: None,
            closed_at: None,
            sent_by: None,
            sent_at: None,
            updated_at: Utc::now(),
        }
    }

    fn booked(plan: &BookingPlan, id: &str) -> Option<(String, String)> {
        plan.bookings.iter().find(|b| b.event.as_str() == id).map(|b| (b.period.to_string(), b.booked_on.to_string()))
    }

    fn some(period: &str, date: &str) -> Option<(String, String)> {
        Some((period.to_owned(), date.to_owned()))
    }

    #[test]
    fn events_go_to_their_month_late_ones_to_the_first_open_month() {
        let periods = [
            period("2026-08", PeriodStatus::Sent),
            period("2026-09", PeriodStatus::Proposed),
            period("2026-10", PeriodStatus::Open),
            period("2026-11", PeriodStatus::Open),
        ];
        let events = [
            event("in-target", "2026-11-05"),
            event("earlier-open", "2026-10-05"),
            event("under-review", "2026-09-05"),
            event("sent-month", "2026-08-20"),
            event("no-period-yet", "2026-07-03"),
            event("future", "2026-12-01"),
        ];
        let plan = plan_bookings(&events, &periods, "2026-11".parse().unwrap(), None);
        assert_eq!(booked(&plan, "in-target"), some("2026-11", "2026-11-05"));
        assert_eq!(booked(&plan, "earlier-open"), some("2026-10", "2026-10-05"));
        assert_eq!(booked(&plan, "under-review"), None);
        // Late: the first open month after August is October (September is under review).
        assert_eq!(booked(&plan, "sent-month"), some("2026-10", "2026-10-01"));
        assert_eq!(booked(&plan, "no-period-yet"), some("2026-07", "2026-07-03"));
        assert_eq!(booked(&plan, "future"), None);
        assert_eq!((plan.late, plan.left), (1, 2));
        assert_eq!(plan.new_months, vec!["2026-07".parse::<YearMonth>().unwrap()]);
    }

    #[test]
    fn events_on_or_before_the_lock_date_go_after_it() {
        let periods = [period("2026-10", PeriodStatus::Open), period("2026-11", PeriodStatus::Open)];
        let lock = Some("2026-10-31".parse().unwrap());
        let events = [event("locked", "2026-10-31"), event("after", "2026-11-02")];
        let plan = plan_bookings(&events, &periods, "2026-11".parse().unwrap(), lock);
        assert_eq!(booked(&plan, "locked"), some("2026-11", "2026-11-01"));
        assert_eq!(booked(&plan, "after"), some("2026-11", "2026-11-02"));
        assert_eq!(plan.late, 1);

        // The proposed month itself is locked: booked there on its own date, for validation to report.
        let plan = plan_bookings(&events[..1], &periods, "2026-10".parse().unwrap(), lock);
        assert_eq!(booked(&plan, "locked"), some("2026-10", "2026-10-31"));
        assert_eq!(plan.late, 0);
    }
}
