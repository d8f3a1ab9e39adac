//! Stored states: a loan taken apart into its state after any step, written as JSON, read back
//! and restored posts exactly what it would have posted had it never been stored: the same
//! postings, the same events (ids included), the same final state. Across a schedule change too,
//! where the stored loan is restored straight onto the new schedule.

use chrono::NaiveDate;
use proptest::prelude::*;
use tieout_core::event::Event;
use tieout_engine::accrual::{
    AccrualError, AccrualMode, AccrualOptions, AccrualPosting, AccrualState, LoanAccrual, ScheduleFingerprint,
    StopReason,
};

use super::properties::{Case, add, case, reschedule_of};

/// One thing that happens to a loan.
#[derive(Clone, Debug)]
enum Step {
    Accrue(NaiveDate),
    /// Switch to `schedules[n]`, effective on the date.
    Reschedule(usize, NaiveDate),
    Stop(NaiveDate, StopReason),
}

/// What a run produced: the postings, their events, and the loan's final state.
type Outcome = (Vec<AccrualPosting>, Vec<Event>, AccrualState);

/// Runs `steps`; with `store_between`, the loan is stored as JSON and restored before every
/// step (onto the new schedule for a reschedule), as COB does between business dates.
fn run(schedules: &[Case], options: AccrualOptions, steps: &[Step], store_between: bool) -> Outcome {
    let first = &schedules[0];
    let mut loan = LoanAccrual::new(&first.schedule, options, &first.pauses).unwrap();
    let mut current = 0;
    let mut out = Vec::new();
    let mut events = Vec::new();
    for step in steps {
        let before = out.len();
        if store_between {
            let json = serde_json::to_string(&loan.state()).unwrap();
            let state: AccrualState = serde_json::from_str(&json).unwrap();
            let on = &schedules[current];
            loan = match step {
                Step::Reschedule(next, effective) => {
                    current = *next;
                    let new = &schedules[current];
                    LoanAccrual::restore_rescheduled(&new.schedule, options, &new.pauses, &state, *effective, &mut out)
                        .unwrap()
                }
                _ => LoanAccrual::restore(&on.schedule, options, &on.pauses, &state).unwrap(),
            };
        }
        match step {
            Step::Accrue(date) => loan.accrue(*date, &mut out).unwrap(),
            Step::Reschedule(next, effective) if !store_between => {
                current = *next;
                let new = &schedules[current];
                loan.reschedule(&new.schedule, &new.pauses, *effective, &mut out).unwrap();
            }
            Step::Reschedule(..) => {}
            Step::Stop(date, reason) => loan.stop(*date, *reason, &mut out),
        }
        events.extend(out[before..].iter().map(|posting| loan.event(posting).unwrap()));
    }
    (out, events, loan.state())
}

/// A loan, up to three later schedules for it, and a walk through its life: random gaps between
/// business dates, the reschedules and a stop at random steps.
fn scenario() -> impl Strategy<Value = (Vec<Case>, Vec<Step>)> {
    case()
        .prop_flat_map(|first| {
            let later = prop::collection::vec(reschedule_of(&first), 0..=3);
            (Just(first), later)
        })
        .prop_flat_map(|(first, later)| {
            let changes = later.len();
            let schedules: Vec<Case> = std::iter::once(first).chain(later).collect();
            let gaps = prop::collection::vec(prop_oneof![4 => Just(1_i64), 1 => 2..=40_i64], 5..60);
            let at = prop::collection::vec((any::<prop::sample::Index>(), -30..=30_i64), changes);
            let stop = prop::option::of((any::<prop::sample::Index>(), -60..=60_i64, 0..3_u8));
            (Just(schedules), gaps, at, stop)
        })
        .prop_map(|(schedules, gaps, at, stop)| {
            let mut date = schedules[0].schedule.disbursed_on.pred_opt().unwrap();
            let mut steps: Vec<Step> = Vec::new();
            let mut changes: Vec<(usize, usize, i64)> =
                at.iter().enumerate().map(|(n, (index, shift))| (index.index(gaps.len()), n + 1, *shift)).collect();
            changes.sort_unstable();
            let stop = stop.map(|(index, shift, reason)| (index.index(gaps.len()), shift, reason));
            for (i, gap) in gaps.iter().enumerate() {
                date = add(date, *gap);
                for (_, next, shift) in changes.iter().filter(|(at, ..)| *at == i) {
                    steps.push(Step::Reschedule(
                        *next,
                        date.checked_add_signed(chrono::Duration::days(*shift)).unwrap(),
                    ));
                }
                if let Some((_, shift, reason)) = stop.filter(|(at, ..)| *at == i) {
                    let reason = [StopReason::ChargeOff, StopReason::WriteOff, StopReason::Close][usize::from(reason)];
                    steps.push(Step::Stop(date.checked_add_signed(chrono::Duration::days(shift)).unwrap(), reason));
                }
                steps.push(Step::Accrue(date));
            }
            (schedules, steps)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_stored_loan_continues_as_if_it_was_never_stored(
        (schedules, steps) in scenario(),
        upfront in any::<bool>(),
        activity in any::<bool>(),
    ) {
        let mode = if upfront { AccrualMode::Upfront } else { AccrualMode::Periodic };
        let options = AccrualOptions { mode, activity_posting: activity };
        let never = run(&schedules, options, &steps, false);
        let stored = run(&schedules, options, &steps, true);
        prop_assert_eq!(&stored.0, &never.0);
        prop_assert_eq!(&stored.1, &never.1);
        prop_assert_eq!(&stored.2, &never.2);
    }

    /// A state is refused on another schedule or mode: restoring it there would accrue the new
    /// schedule from a position on the old one and lose the difference.
    #[test]
    fn a_state_is_only_restored_on_its_own_plan((first, later) in case().prop_flat_map(|case| {
        let later = reschedule_of(&case);
        (Just(case), later)
    })) {
        let options = AccrualOptions::periodic();
        let mut loan = LoanAccrual::new(&first.schedule, options, &first.pauses).unwrap();
        loan.accrue(add(first.schedule.disbursed_on, 20), &mut Vec::new()).unwrap();
        let state = loan.state();
        prop_assert_eq!(state.fingerprint(), ScheduleFingerprint::of(&first.schedule, &first.pauses));
        let same = LoanAccrual::restore(&first.schedule, options, &first.pauses, &state).unwrap();
        prop_assert_eq!(same.state(), state.clone());
        let upfront = LoanAccrual::restore(&first.schedule, AccrualOptions::upfront(), &first.pauses, &state);
        prop_assert!(matches!(upfront, Err(AccrualError::PlanChanged { .. })), "{:?}", upfront.err());
        if ScheduleFingerprint::of(&later.schedule, &later.pauses) != state.fingerprint() {
            let other = LoanAccrual::restore(&later.schedule, options, &later.pauses, &state);
            prop_assert!(matches!(other, Err(AccrualError::PlanChanged { .. })), "{:?}", other.err());
        }
    }
}

#[test]
fn a_state_of_another_format_or_currency_is_refused() {
    use super::support::*;
    let rows = [(
        d("2026-01-01"),
        d("2026-02-01"),
        rust_decimal::Decimal::ONE,
        rust_decimal::Decimal::ZERO,
        rust_decimal::Decimal::ZERO,
    )];
    let usd = schedule("L-1", d("2026-01-01"), tieout_core::role::DayCount::ActualActual, &rows);
    let loan = LoanAccrual::new(&usd, AccrualOptions::periodic(), &[]).unwrap();
    let json = serde_json::to_string(&loan.state()).unwrap();

    let newer: AccrualState = serde_json::from_str(&json.replace("\"v\":1", "\"v\":2")).unwrap();
    let err = LoanAccrual::restore(&usd, AccrualOptions::periodic(), &[], &newer).unwrap_err();
    assert!(matches!(err, AccrualError::StateInvalid { .. }), "{err}");
    assert!(err.to_string().contains("format version 2"), "{err}");

    let mut eur = usd.clone();
    eur.currency = tieout_core::money::Currency::new("EUR").unwrap();
    let state = loan.state();
    let err = LoanAccrual::restore_rescheduled(
        &eur,
        AccrualOptions::periodic(),
        &[],
        &state,
        d("2026-01-05"),
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(matches!(err, AccrualError::CurrencyChanged { .. }), "{err}");

    let unknown = json.replacen('{', "{\"extra\":1,", 1);
    assert!(serde_json::from_str::<AccrualState>(&unknown).is_err(), "unknown fields are refused");
}
