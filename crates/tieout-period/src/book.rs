//! Which period each new event is booked into (DESIGN.md section 7).
//!
//! While month `P` is proposed, every unbooked event dated up to the end of `P` is booked:
//! - dated in `P`: into `P`, on its own date;
//! - dated in an earlier month that is `open` (or has no period yet): into that month, on its own
//!   date — it is proposed when that month is closed;
//! - dated in an earlier month that is `proposing` or `proposed`: left unbooked, so a proposal
//!   under review never changes behind the reviewer's back (its reload books it; if that month is
//!   sent first, the event becomes late);
//! - **late**: dated in a **closed** month, or on or before the accounting package's lock date:
//!   into the first open period from the event's month on (or `P` itself) that is not closed and
//!   starts after the lock date, on that period's first day. The event keeps its own value date,
//!   which the entry's memo names ("original date …"): nothing is lost and no closed month changes.
//!
//! A month is closed to new events when it is `sending` or `sent`, or when any of its entries is
//! posted — a send abandoned part-way leaves a month `proposed` (or, reopened, `open`) with entries
//! in the accounting package, and a new event booked into it could join one of them (a summary per
//! product and day) and change its key, which Send must refuse. This holds for `P` too: when `P`
//! itself was sent in part, its late events go to the first open month after it (created `open`
//! when it has no period yet). Events booked into a month before stay there, so its posted
//! entries keep their keys when it is proposed again.
//!
//! Events dated after `P` stay unbooked for their own month.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use tieout_store::{Booking, Period, PeriodStatus, StoredEvent, YearMonth};

/// Where the unbooked events go.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct BookingPlan {
    pub bookings: Vec<Booking>,
    /// Of the bookings, how many are late (booked on another month's first day).
    pub late: u64,
    /// Months that have no period yet and get one (`open`) for their events: earlier months, or,
    /// when `target` was sent in part, the month its late events go to.
    pub new_months: Vec<YearMonth>,
    /// Events left unbooked (dated after `target`, or in a month under review).
    pub left: u64,
}

/// Plans the bookings of `unbooked` while `target` is proposed; `periods` are the client's periods
/// (the target's own status is ignored: it is being proposed) and `posted` the months that have a
/// posted entry (`Postings::periods_with_posted`), closed to new events whatever their status.
pub fn plan_bookings(
    unbooked: &[StoredEvent],
    periods: &[Period],
    posted: &[YearMonth],
    target: YearMonth,
    lock_date: Option<NaiveDate>,
) -> BookingPlan {
    let months = Months::new(periods, posted, target);
    let locked = |date: NaiveDate| lock_date.is_some_and(|lock| date <= lock);
    let mut plan = BookingPlan::default();
    for stored in unbooked {
        let date = stored.event.date;
        let month = YearMonth::of(date);
        if month > target {
            plan.left += 1;
            continue;
        }
        let (period, booked_on) = if months.closed(month) || locked(date) {
            match months.open_from(month).into_iter().find(|m| !locked(m.first_day())) {
                Some(open) => (open, open.first_day()),
                // Every candidate starts on or before the lock date. The target, when it takes
                // new events, is booked into anyway; validation reports the locked dates as problems.
                None if !months.closed(target) => (target, if month == target { date } else { target.first_day() }),
                // The target was sent in part: the first open month after it, reported when it is proposed.
                None => {
                    let first = months.after_target.first().copied().unwrap_or_else(|| target.next());
                    (first, first.first_day())
                }
            }
        } else if month == target || months.status(month) == PeriodStatus::Open {
            (month, date)
        } else {
            plan.left += 1;
            continue;
        };
        if booked_on != date {
            plan.late += 1;
        }
        if period != target && !months.status.contains_key(&period) && !plan.new_months.contains(&period) {
            plan.new_months.push(period);
        }
        plan.bookings.push(Booking { event: stored.event.id.clone(), period, booked_on });
    }
    plan
}

/// The client's months as booking sees them while `target` is proposed.
struct Months {
    status: BTreeMap<YearMonth, PeriodStatus>,
    posted: BTreeSet<YearMonth>,
    target: YearMonth,
    /// Where late events go when every open month up to the target is closed or locked, the
    /// target included: the open months after it, then the first month after them all that has no
    /// period yet (so the list is never empty).
    after_target: Vec<YearMonth>,
}

impl Months {
    fn new(periods: &[Period], posted: &[YearMonth], target: YearMonth) -> Months {
        let status: BTreeMap<YearMonth, PeriodStatus> = periods.iter().map(|p| (p.period, p.status)).collect();
        let posted: BTreeSet<YearMonth> = posted.iter().copied().collect();
        let last = status.keys().next_back().copied().map_or(target, |last| last.max(target));
        let mut after_target = Vec::new();
        let mut month = target.next();
        // Up to the month after the last period: that one has no period, so the list ends with it.
        while month <= last.next() {
            let open = status.get(&month).is_none_or(|s| *s == PeriodStatus::Open);
            if open && !posted.contains(&month) {
                after_target.push(month);
            }
            month = month.next();
        }
        Months { status, posted, target, after_target }
    }

    /// The month's status; the target's is ignored (it is being proposed), a month without a period is `open`.
    fn status(&self, month: YearMonth) -> PeriodStatus {
        if month == self.target {
            PeriodStatus::Proposing
        } else {
            self.status.get(&month).copied().unwrap_or(PeriodStatus::Open)
        }
    }

    /// Closed to new events: being sent or sent, or with an entry in the accounting package already.
    fn closed(&self, month: YearMonth) -> bool {
        self.posted.contains(&month) || matches!(self.status(month), PeriodStatus::Sending | PeriodStatus::Sent)
    }

    /// Where an event dated in `month` may go when it is late, in order: the open periods from
    /// `month` up to the target, then the target; when the target is closed, the open months after it.
    fn open_from(&self, month: YearMonth) -> Vec<YearMonth> {
        let before = self
            .status
            .range(month..self.target)
            .filter(|(m, s)| **s == PeriodStatus::Open && !self.posted.contains(m))
            .map(|(m, _)| *m);
        if self.closed(self.target) {
            before.chain(self.after_target.iter().copied()).collect()
        } else {
            before.chain(std::iter::once(self.target)).collect()
        }
    }
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
        let plan = plan_bookings(&events, &periods, &[], "2026-11".parse().unwrap(), None);
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
        let plan = plan_bookings(&events, &periods, &[], "2026-11".parse().unwrap(), lock);
        assert_eq!(booked(&plan, "locked"), some("2026-11", "2026-11-01"));
        assert_eq!(booked(&plan, "after"), some("2026-11", "2026-11-02"));
        assert_eq!(plan.late, 1);

        // The proposed month itself is locked: booked there on its own date, for validation to report.
        let plan = plan_bookings(&events[..1], &periods, &[], "2026-10".parse().unwrap(), lock);
        assert_eq!(booked(&plan, "locked"), some("2026-10", "2026-10-31"));
        assert_eq!(plan.late, 0);
    }

    fn months(texts: &[&str]) -> Vec<YearMonth> {
        texts.iter().map(|m| m.parse().unwrap()).collect()
    }

    #[test]
    fn a_month_with_posted_entries_takes_no_new_events_whatever_its_status() {
        // August was sent in part, abandoned and reopened; September is sent; October, proposed
        // again after its send was abandoned part-way, is being reloaded.
        let periods = [
            period("2026-08", PeriodStatus::Open),
            period("2026-09", PeriodStatus::Sent),
            period("2026-10", PeriodStatus::Proposed),
        ];
        let posted = months(&["2026-08", "2026-09", "2026-10"]);
        // By value date, as `Events::unbooked` returns them.
        let events = [
            event("before-all", "2026-07-03"),
            event("in-reopened", "2026-08-10"),
            event("in-target", "2026-10-05"),
            event("future", "2026-11-02"),
        ];
        let plan = plan_bookings(&events, &periods, &posted, "2026-10".parse().unwrap(), None);
        // The first open month after October has no period yet: it gets one.
        assert_eq!(booked(&plan, "in-target"), some("2026-11", "2026-11-01"));
        assert_eq!(booked(&plan, "in-reopened"), some("2026-11", "2026-11-01"));
        assert_eq!(booked(&plan, "before-all"), some("2026-07", "2026-07-03"));
        assert_eq!(booked(&plan, "future"), None);
        assert_eq!((plan.late, plan.left), (2, 1));
        assert_eq!(plan.new_months, months(&["2026-07", "2026-11"]));

        // Not the target: an earlier month sent in part and proposed again is closed, not under
        // review — its late events go to the target.
        let periods = [period("2026-10", PeriodStatus::Proposed), period("2026-11", PeriodStatus::Open)];
        let plan = plan_bookings(&events[2..3], &periods, &months(&["2026-10"]), "2026-11".parse().unwrap(), None);
        assert_eq!(booked(&plan, "in-target"), some("2026-11", "2026-11-01"));
        assert!(plan.new_months.is_empty());
    }

    #[test]
    fn late_events_of_a_target_sent_in_part_skip_closed_and_locked_months_after_it() {
        let periods = [
            period("2026-10", PeriodStatus::Proposed),
            period("2026-11", PeriodStatus::Proposed),
            period("2026-12", PeriodStatus::Open),
        ];
        let posted = months(&["2026-10"]);
        let october = "2026-10".parse().unwrap();
        let events = [event("late", "2026-10-05")];
        // November is under review: the first open month after October is December.
        let plan = plan_bookings(&events, &periods, &posted, october, None);
        assert_eq!(booked(&plan, "late"), some("2026-12", "2026-12-01"));
        assert!(plan.new_months.is_empty());

        // December is locked too: January, which has no period yet.
        let plan = plan_bookings(&events, &periods, &posted, october, Some("2026-12-01".parse().unwrap()));
        assert_eq!(booked(&plan, "late"), some("2027-01", "2027-01-01"));
        assert_eq!(plan.new_months, months(&["2027-01"]));

        // Locked beyond every month that has a period: the first open one after October anyway,
        // whose proposal reports the lock date as a problem.
        let plan = plan_bookings(&events, &periods, &posted, october, Some("2027-06-30".parse().unwrap()));
        assert_eq!(booked(&plan, "late"), some("2026-12", "2026-12-01"));
        assert_eq!(plan.late, 1);
    }
}
