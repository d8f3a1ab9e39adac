//! Properties over random schedules: random disbursement dates, 1–24 installments of 1–62 days
//! (now and then with a gap between them), amounts in cents, random pause windows, every day
//! count; random catch-up gaps, reschedules and stops.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;
use tieout_core::connector::LoanSchedule;
use tieout_core::role::DayCount;
use tieout_engine::accrual::{
    AccrualMode, AccrualOptions, AccrualPosting, Amounts, LoanAccrual, PauseWindow, StopReason,
};

use super::support::*;

#[derive(Clone, Debug)]
pub(super) struct Case {
    pub schedule: LoanSchedule,
    pub pauses: Vec<PauseWindow>,
}

impl Case {
    pub fn last_due(&self) -> NaiveDate {
        self.schedule.installments.last().map(|i| i.due).unwrap()
    }
}

fn day_count() -> impl Strategy<Value = DayCount> {
    prop_oneof![
        Just(DayCount::ActualActual),
        Just(DayCount::Actual365),
        Just(DayCount::Actual360),
        Just(DayCount::Thirty360),
    ]
}

fn cents(max: i64) -> impl Strategy<Value = Decimal> {
    prop_oneof![1 => Just(Decimal::ZERO), 6 => (1..=max).prop_map(|c| Decimal::new(c, 2))]
}

pub(super) fn add(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_days(Days::new(u64::try_from(days).unwrap())).unwrap()
}

/// Installments for a loan disbursed on `disbursed_on`.
fn rows(disbursed_on: NaiveDate) -> impl Strategy<Value = Vec<Row>> {
    let installment = (
        prop_oneof![5 => Just(0_i64), 1 => 1..=5_i64],
        1..=62_i64,
        cents(500_000),
        cents(20_000),
        prop_oneof![3 => Just(Decimal::ZERO), 1 => cents(5_000)],
    );
    prop::collection::vec(installment, 1..=24).prop_map(move |parts| {
        let mut start = disbursed_on;
        parts
            .into_iter()
            .enumerate()
            .map(|(i, (gap, length, interest, fee, penalty))| {
                // The first installment starts at the disbursement.
                let begin = if i == 0 { start } else { add(start, gap) };
                let due = add(begin, length);
                start = due;
                (begin, due, interest, fee, penalty)
            })
            .collect()
    })
}

fn pauses(disbursed_on: NaiveDate, span: i64) -> impl Strategy<Value = Vec<PauseWindow>> {
    prop::collection::vec((0..=span, 0..=40_i64), 0..=3).prop_map(move |windows| {
        windows
            .into_iter()
            .map(|(offset, length)| {
                let from = add(disbursed_on, offset);
                PauseWindow::new(from, add(from, length))
            })
            .collect()
    })
}

pub(super) fn case() -> impl Strategy<Value = Case> {
    (0..4000_i64, day_count()).prop_flat_map(|(offset, day_count)| {
        let disbursed_on = add(d("2020-01-01"), offset);
        rows(disbursed_on).prop_flat_map(move |rows| {
            let span = (rows.last().unwrap().1 - disbursed_on).num_days();
            pauses(disbursed_on, span).prop_map({
                let rows = rows.clone();
                move |pauses| Case { schedule: schedule("P-1", disbursed_on, day_count, &rows), pauses }
            })
        })
    })
}

/// Another schedule for the same loan (same disbursement and day count).
pub(super) fn reschedule_of(case: &Case) -> impl Strategy<Value = Case> + use<> {
    let (disbursed_on, day_count) = (case.schedule.disbursed_on, case.schedule.day_count);
    rows(disbursed_on).prop_flat_map(move |rows| {
        let span = (rows.last().unwrap().1 - disbursed_on).num_days();
        pauses(disbursed_on, span).prop_map({
            let rows = rows.clone();
            move |pauses| Case { schedule: schedule("P-1", disbursed_on, day_count, &rows), pauses }
        })
    })
}

fn installment_totals(schedule: &LoanSchedule) -> Vec<(NaiveDate, NaiveDate, Amounts)> {
    schedule.installments.iter().map(|i| (i.start, i.due, amounts(i.interest, i.fee, i.penalty))).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Accruing every day posts exactly what the day-by-day Decimal reference model says, and
    /// each installment's days add up to its scheduled interest, fee and penalty to the cent.
    #[test]
    fn every_day_matches_the_reference_and_each_installment_sums_exactly(case in case()) {
        let options = AccrualOptions::periodic().with_activity_posting(true);
        let mut loan = LoanAccrual::new(&case.schedule, options, &case.pauses).unwrap();
        let postings = accrue_daily(&mut loan, case.schedule.disbursed_on, add(case.last_due(), 3));
        let accruals = of_kind(&postings, is_accrual);
        let got: Vec<(NaiveDate, Amounts)> = accruals.iter().map(|p| (p.date, p.amounts)).collect();
        prop_assert_eq!(got, reference_daily(&case.schedule, &case.pauses));
        for (start, due, total) in installment_totals(&case.schedule) {
            prop_assert_eq!(sum_between(&accruals, start, due), total, "installment due {}", due);
        }
        // Each installment's activity reports exactly that installment.
        let activities = of_kind(&postings, is_activity);
        let expected: Vec<(NaiveDate, Amounts)> = installment_totals(&case.schedule)
            .into_iter()
            .filter(|(_, _, total)| !total.is_zero())
            .map(|(_, due, total)| (due, total))
            .collect();
        prop_assert_eq!(activities.iter().map(|p| (p.date, p.amounts)).collect::<Vec<_>>(), expected);
        prop_assert!(accruals.iter().all(|p| !p.amounts.interest.is_sign_negative() && !p.amounts.fee.is_sign_negative()));
        prop_assert_eq!(loan.accrued(), schedule_total(&case.schedule));
    }

    /// Catching up over random gaps gives, at every call, the same cumulative amounts as the
    /// reference, and never splits an installment's accrual across another's.
    #[test]
    fn catch_up_over_gaps_agrees_with_the_reference(case in case(), steps in prop::collection::vec(1..=45_i64, 1..60)) {
        for mode in [AccrualMode::Periodic, AccrualMode::Upfront] {
            let options = AccrualOptions { mode, activity_posting: false };
            let mut loan = LoanAccrual::new(&case.schedule, options, &case.pauses).unwrap();
            let mut out = Vec::new();
            let mut date = case.schedule.disbursed_on;
            for step in steps.iter().copied().chain(std::iter::once(100_000)) {
                let target = add(date, step).min(add(case.last_due(), 1));
                loan.accrue(target, &mut out).unwrap();
                date = target;
                prop_assert_eq!(sum(&out), reference_total(&case.schedule, &case.pauses, mode, date), "{:?} through {}", mode, date);
                if date > case.last_due() {
                    break;
                }
            }
            prop_assert_eq!(sum(&out), schedule_total(&case.schedule));
            if mode == AccrualMode::Periodic {
                for (start, due, total) in installment_totals(&case.schedule) {
                    prop_assert_eq!(sum_between(&out, start, due), total, "installment due {}", due);
                }
            }
        }
    }

    /// After random reschedules (and maybe a stop), accruals plus adjustments add up to what the
    /// final schedule earns through the last accrued day (or the stop), and activities report
    /// every accrual exactly once.
    #[test]
    fn reschedules_and_stops_net_to_the_final_schedule(
        (first, later) in case().prop_flat_map(|case| {
            let later = prop::collection::vec(reschedule_of(&case), 0..=3);
            (Just(case), later)
        }),
        gaps in prop::collection::vec(0..=90_i64, 4),
        stop in prop::option::of(0..=800_i64),
        upfront in any::<bool>(),
    ) {
        let mode = if upfront { AccrualMode::Upfront } else { AccrualMode::Periodic };
        let options = AccrualOptions { mode, activity_posting: true };
        let disbursed_on = first.schedule.disbursed_on;
        let mut loan = LoanAccrual::new(&first.schedule, options, &first.pauses).unwrap();
        let mut out = Vec::new();
        let stop = stop.map(|offset| add(disbursed_on, offset));
        let mut date = disbursed_on;
        let mut current = first;
        for (next, gap) in later.into_iter().zip(gaps.iter().copied()) {
            date = add(date, gap);
            loan.accrue(date, &mut out).unwrap();
            if let Some(stop) = stop.filter(|stop| *stop <= add(date, 30)) {
                loan.stop(stop, StopReason::ChargeOff, &mut out);
            }
            // Effective on a random earlier or later day: only the adjustments' date depends on it.
            loan.reschedule(&next.schedule, &next.pauses, add(disbursed_on, gap), &mut out).unwrap();
            current = next;
        }
        if let Some(stop) = stop {
            loan.stop(stop, StopReason::Close, &mut out);
        }
        let end = add(current.last_due().max(date), 1);
        loan.accrue(end, &mut out).unwrap();

        let earned_through = stop.map_or(end, |stop| stop.min(end));
        let expected = reference_total(&current.schedule, &current.pauses, mode, earned_through);
        let booked: Vec<AccrualPosting> = out.iter().copied().filter(|p| !is_activity(p.kind)).collect();
        prop_assert_eq!(sum(&booked), expected);
        prop_assert_eq!(loan.accrued(), expected);
        prop_assert_eq!(sum(&of_kind(&out, is_activity)), sum(&of_kind(&out, is_accrual)));
        prop_assert_eq!(loan.staged(), Amounts::default());

        // An adjustment's portions share one sign (an event cannot mix them).
        for adjustment in of_kind(&out, is_adjustment) {
            let a = adjustment.amounts;
            let signs: BTreeSet<bool> = [a.interest, a.fee, a.penalty].iter().filter(|v| !v.is_zero()).map(|v| v.is_sign_negative()).collect();
            prop_assert_eq!(signs.len(), 1);
        }
        // Every posting is a valid canonical event and ids are unique.
        let events: Vec<_> = out.iter().map(|p| loan.event(p).unwrap()).collect();
        let ids: BTreeSet<&str> = events.iter().map(|e| e.id.as_str()).collect();
        prop_assert_eq!(ids.len(), events.len());
    }

    /// The same inputs give the same events, ids included.
    #[test]
    fn output_is_deterministic(case in case(), steps in prop::collection::vec(1..=20_i64, 1..30)) {
        let run = || {
            let mut loan = LoanAccrual::new(&case.schedule, AccrualOptions::periodic().with_activity_posting(true), &case.pauses).unwrap();
            let mut out = Vec::new();
            let mut date = case.schedule.disbursed_on;
            for step in &steps {
                date = add(date, *step);
                loan.accrue(date, &mut out).unwrap();
            }
            out.iter().map(|p| loan.event(p).unwrap()).collect::<Vec<_>>()
        };
        prop_assert_eq!(run(), run());
    }
}
