//! Worked examples with numbers checked by hand (the arithmetic is in the comments).

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use tieout_core::event::EventKind;
use tieout_core::role::{AccountingRule, DayCount};
use tieout_engine::accrual::{
    AccrualBook, AccrualError, AccrualMode, AccrualOptions, AccrualPosting, Amounts, LoanAccrual, PauseWindow,
    PostingKind, StopReason,
};

use super::support::*;

/// Disbursed 1 January 2026; three monthly installments:
/// 1: (1 Jan, 1 Feb] 31 days, interest 10.00, fee 1.00
/// 2: (1 Feb, 1 Mar] 28 days, interest  9.00, fee 1.00
/// 3: (1 Mar, 1 Apr] 31 days, interest  8.00, fee 1.00, penalty 5.00
fn three_months(day_count: DayCount) -> tieout_core::connector::LoanSchedule {
    schedule(
        "L-1",
        d("2026-01-01"),
        day_count,
        &[
            (d("2026-01-01"), d("2026-02-01"), dec!(10.00), dec!(1.00), dec!(0)),
            (d("2026-02-01"), d("2026-03-01"), dec!(9.00), dec!(1.00), dec!(0)),
            (d("2026-03-01"), d("2026-04-01"), dec!(8.00), dec!(1.00), dec!(5.00)),
        ],
    )
}

fn on(postings: &[AccrualPosting], date: &str) -> Vec<(PostingKind, Amounts)> {
    postings.iter().filter(|p| p.date == d(date)).map(|p| (p.kind, p.amounts)).collect()
}

fn accrual(interest: Decimal, fee: Decimal, penalty: Decimal) -> Vec<(PostingKind, Amounts)> {
    vec![(PostingKind::Accrual, amounts(interest, fee, penalty))]
}

#[test]
fn three_monthly_installments_actual_actual() {
    let mut loan = LoanAccrual::new(&three_months(DayCount::ActualActual), AccrualOptions::periodic(), &[]).unwrap();
    let postings = accrue_daily(&mut loan, d("2026-01-01"), d("2026-04-10"));

    // Nothing on the disbursement day: interest accrues on the days *after* the start.
    assert!(on(&postings, "2026-01-01").is_empty());
    // Installment 1, interest: cumulative targets k·10/31 = 0.3226, 0.6452, 0.9677, 1.2903 round
    // to 0.32, 0.65, 0.97, 1.29; fee k·1/31 = 0.0323, 0.0645, 0.0968, 0.1290 → 0.03, 0.06, 0.10, 0.13.
    assert_eq!(on(&postings, "2026-01-02"), accrual(dec!(0.32), dec!(0.03), dec!(0)));
    assert_eq!(on(&postings, "2026-01-03"), accrual(dec!(0.33), dec!(0.03), dec!(0)));
    assert_eq!(on(&postings, "2026-01-04"), accrual(dec!(0.32), dec!(0.04), dec!(0)));
    assert_eq!(on(&postings, "2026-01-05"), accrual(dec!(0.32), dec!(0.03), dec!(0)));
    // Due date: target is the whole 10.00 / 1.00; the day before it was 9.6774 → 9.68 and
    // 0.9677 → 0.97.
    assert_eq!(on(&postings, "2026-02-01"), accrual(dec!(0.32), dec!(0.03), dec!(0)));
    // Installment 2: 9/28 = 0.3214 → 0.32; fee 1/28 = 0.0357 → 0.04.
    assert_eq!(on(&postings, "2026-02-02"), accrual(dec!(0.32), dec!(0.04), dec!(0)));
    // Installment 3: 8/31 = 0.2581 → 0.26; 16/31 = 0.5161 → 0.52; 24/31 = 0.7742 → 0.77.
    assert_eq!(on(&postings, "2026-03-02"), accrual(dec!(0.26), dec!(0.03), dec!(0)));
    assert_eq!(on(&postings, "2026-03-03"), accrual(dec!(0.26), dec!(0.03), dec!(0)));
    assert_eq!(on(&postings, "2026-03-04"), accrual(dec!(0.25), dec!(0.04), dec!(0)));
    // The penalty is earned whole on its due date.
    let last = on(&postings, "2026-04-01");
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].1.penalty, dec!(5.00));
    // Nothing after the last due date.
    assert!(postings.iter().all(|p| p.date <= d("2026-04-01")));

    // Each installment sums to its schedule exactly.
    assert_eq!(sum_between(&postings, d("2026-01-01"), d("2026-02-01")), amounts(dec!(10.00), dec!(1.00), dec!(0)));
    assert_eq!(sum_between(&postings, d("2026-02-01"), d("2026-03-01")), amounts(dec!(9.00), dec!(1.00), dec!(0)));
    assert_eq!(sum_between(&postings, d("2026-03-01"), d("2026-04-01")), amounts(dec!(8.00), dec!(1.00), dec!(5.00)));
    assert_eq!(loan.accrued(), amounts(dec!(27.00), dec!(3.00), dec!(5.00)));
    assert_eq!(postings.len(), 90, "one accrual per day from 2 January to 1 April");
}

/// The same amounts due on the 15th, so 30/360 and actual/actual spread differently:
/// 1: (15 Feb, 15 Mar], 2: (15 Mar, 15 Apr], 3: (15 Apr, 15 May], interest 3.00 and fee 0.30 each.
fn fifteenth(day_count: DayCount) -> tieout_core::connector::LoanSchedule {
    let rows: Vec<Row> = [("2026-02-15", "2026-03-15"), ("2026-03-15", "2026-04-15"), ("2026-04-15", "2026-05-15")]
        .iter()
        .map(|(start, due)| (d(start), d(due), dec!(3.00), dec!(0.30), dec!(0)))
        .collect();
    schedule("L-2", d("2026-02-15"), day_count, &rows)
}

#[test]
fn thirty_360_weighs_days_by_30_day_months() {
    let mut loan = LoanAccrual::new(&fifteenth(DayCount::Thirty360), AccrualOptions::periodic(), &[]).unwrap();
    let postings = accrue_daily(&mut loan, d("2026-02-15"), d("2026-05-20"));
    // Every installment weighs 30: 3.00/30 = 0.10 a day, fee 0.01 a day.
    assert_eq!(on(&postings, "2026-02-16"), accrual(dec!(0.10), dec!(0.01), dec!(0)));
    assert_eq!(on(&postings, "2026-02-28"), accrual(dec!(0.10), dec!(0.01), dec!(0)));
    // 1 March weighs 3 (it carries 29 and 30 February).
    assert_eq!(on(&postings, "2026-03-01"), accrual(dec!(0.30), dec!(0.03), dec!(0)));
    assert_eq!(on(&postings, "2026-03-15"), accrual(dec!(0.10), dec!(0.01), dec!(0)));
    // The 31st weighs nothing: no posting at all.
    assert!(on(&postings, "2026-03-31").is_empty());
    assert_eq!(on(&postings, "2026-04-01"), accrual(dec!(0.10), dec!(0.01), dec!(0)));
    for (after, due) in [("2026-02-15", "2026-03-15"), ("2026-03-15", "2026-04-15"), ("2026-04-15", "2026-05-15")] {
        assert_eq!(sum_between(&postings, d(after), d(due)), amounts(dec!(3.00), dec!(0.30), dec!(0)), "{due}");
    }

    // Actual/actual spreads the same 3.00 over 28, 31 and 30 calendar days.
    let mut actual = LoanAccrual::new(&fifteenth(DayCount::ActualActual), AccrualOptions::periodic(), &[]).unwrap();
    let postings = accrue_daily(&mut actual, d("2026-02-15"), d("2026-05-20"));
    // 3/28 = 0.1071 → 0.11; 6/28 = 0.2143 → 0.21.
    assert_eq!(on(&postings, "2026-02-16"), accrual(dec!(0.11), dec!(0.01), dec!(0)));
    assert_eq!(on(&postings, "2026-02-17"), accrual(dec!(0.10), dec!(0.01), dec!(0)));
    // 1 March is one ordinary day: 14·3/28 = 1.50 minus 13·3/28 = 1.3929 → 1.39.
    assert_eq!(on(&postings, "2026-03-01"), accrual(dec!(0.11), dec!(0.01), dec!(0)));
    assert!(!on(&postings, "2026-03-31").is_empty());
    for (after, due) in [("2026-02-15", "2026-03-15"), ("2026-03-15", "2026-04-15"), ("2026-04-15", "2026-05-15")] {
        assert_eq!(sum_between(&postings, d(after), d(due)), amounts(dec!(3.00), dec!(0.30), dec!(0)), "{due}");
    }

    // actual/365 and actual/360 spread exactly like actual/actual.
    for day_count in [DayCount::Actual365, DayCount::Actual360] {
        let mut other = LoanAccrual::new(&fifteenth(day_count), AccrualOptions::periodic(), &[]).unwrap();
        assert_eq!(accrue_daily(&mut other, d("2026-02-15"), d("2026-05-20")), postings, "{day_count}");
    }
}

#[test]
fn paused_days_accrue_nothing() {
    // The source cut installment 1's interest to 2.00 for the pause 11–20 January; installment 2
    // lies entirely in a pause and has no interest, only a 0.50 fee.
    let loan_schedule = schedule(
        "L-3",
        d("2026-01-01"),
        DayCount::ActualActual,
        &[
            (d("2026-01-01"), d("2026-01-31"), dec!(2.00), dec!(0), dec!(0)),
            (d("2026-01-31"), d("2026-02-28"), dec!(0), dec!(0.50), dec!(0)),
        ],
    );
    let pauses =
        [PauseWindow::new(d("2026-01-11"), d("2026-01-20")), PauseWindow::new(d("2026-02-01"), d("2026-02-28"))];
    let mut loan = LoanAccrual::new(&loan_schedule, AccrualOptions::periodic(), &pauses).unwrap();
    let postings = accrue_daily(&mut loan, d("2026-01-01"), d("2026-03-05"));
    // 20 days are not paused (2–10 and 21–31 January): 2.00/20 = 0.10 each.
    assert_eq!(on(&postings, "2026-01-10"), accrual(dec!(0.10), dec!(0), dec!(0)));
    for day in d("2026-01-11").iter_days().take(10) {
        assert!(on(&postings, &day.to_string()).is_empty(), "{day} is paused");
    }
    assert_eq!(on(&postings, "2026-01-21"), accrual(dec!(0.10), dec!(0), dec!(0)));
    assert_eq!(sum_between(&postings, d("2026-01-01"), d("2026-01-31")).interest, dec!(2.00));
    // An installment with no unpaused day accrues on its due date.
    assert!(postings.iter().all(|p| p.date <= d("2026-01-31") || p.date == d("2026-02-28")));
    assert_eq!(on(&postings, "2026-02-28"), accrual(dec!(0), dec!(0.50), dec!(0)));
}

#[test]
fn charge_off_mid_installment_stops_accrual() {
    // 3.00 over the 30 days after 1 January: 0.10 a day.
    let loan_schedule = schedule(
        "L-4",
        d("2026-01-01"),
        DayCount::ActualActual,
        &[
            (d("2026-01-01"), d("2026-01-31"), dec!(3.00), dec!(0), dec!(0)),
            (d("2026-01-31"), d("2026-03-02"), dec!(3.00), dec!(0), dec!(1.00)),
        ],
    );
    let options = AccrualOptions::periodic().with_activity_posting(true);
    let mut loan = LoanAccrual::new(&loan_schedule, options, &[]).unwrap();
    let mut postings = accrue_daily(&mut loan, d("2026-01-01"), d("2026-01-05"));
    // Charged off on 11 January, learnt on the 5th: accrual runs through the 11th, then stops.
    loan.stop(d("2026-01-11"), StopReason::ChargeOff, &mut postings);
    postings.extend(accrue_daily(&mut loan, d("2026-01-06"), d("2026-03-10")));
    let accruals = of_kind(&postings, is_accrual);
    assert_eq!(accruals.len(), 10);
    assert_eq!(accruals.last().unwrap().date, d("2026-01-11"));
    assert_eq!(sum(&accruals), amounts(dec!(1.00), dec!(0), dec!(0)));
    // With activity posting, what accrued is reported at the stop.
    let activities = of_kind(&postings, is_activity);
    assert_eq!(activities.len(), 1);
    assert_eq!(activities[0].date, d("2026-01-11"));
    assert_eq!(activities[0].kind, PostingKind::Activity { installment: 1 });
    assert_eq!(activities[0].amounts, amounts(dec!(1.00), dec!(0), dec!(0)));
    assert_eq!(loan.stopped(), Some((d("2026-01-11"), StopReason::ChargeOff)));
}

#[test]
fn a_backdated_stop_reverses_the_days_after_it() {
    let loan_schedule = schedule(
        "L-5",
        d("2026-01-01"),
        DayCount::ActualActual,
        &[(d("2026-01-01"), d("2026-01-31"), dec!(3.00), dec!(0), dec!(0))],
    );
    let options = AccrualOptions::periodic().with_activity_posting(true);
    let mut loan = LoanAccrual::new(&loan_schedule, options, &[]).unwrap();
    accrue_daily(&mut loan, d("2026-01-01"), d("2026-01-20"));
    // Written off as of the 11th, learnt after accruing through the 20th (1.90).
    let mut out = Vec::new();
    loan.stop(d("2026-01-11"), StopReason::WriteOff, &mut out);
    assert_eq!(
        out.iter().map(|p| (p.kind, p.date, p.amounts)).collect::<Vec<_>>(),
        vec![
            (PostingKind::Adjustment { seq: 1 }, d("2026-01-20"), amounts(dec!(-0.90), dec!(0), dec!(0))),
            (PostingKind::Activity { installment: 1 }, d("2026-01-20"), amounts(dec!(1.90), dec!(0), dec!(0))),
        ]
    );
    assert_eq!(loan.accrued(), amounts(dec!(1.00), dec!(0), dec!(0)));
    // A later stop (the close) changes nothing; accrual stays stopped.
    loan.stop(d("2026-01-25"), StopReason::Close, &mut out);
    loan.accrue(d("2026-02-10"), &mut out).unwrap();
    assert_eq!(out.len(), 2);
}

#[test]
fn reschedule_books_positive_and_negative_adjustments() {
    let original = |interest, fee| {
        schedule(
            "L-6",
            d("2026-01-01"),
            DayCount::ActualActual,
            &[(d("2026-01-01"), d("2026-01-31"), interest, fee, dec!(0))],
        )
    };
    let mut loan = LoanAccrual::new(&original(dec!(3.00), dec!(0.30)), AccrualOptions::periodic(), &[]).unwrap();
    let mut postings = accrue_daily(&mut loan, d("2026-01-01"), d("2026-01-11"));
    // 10 days: 10·3.00/30 = 1.00 interest, 10·0.30/30 = 0.10 fee.
    assert_eq!(sum(&postings), amounts(dec!(1.00), dec!(0.10), dec!(0)));

    // Rescheduled to 6.00 interest and 0.15 fee: through the 11th that should have been
    // 2.00 and 0.05, so +1.00 interest and -0.05 fee, as two postings (each one sign).
    let mut out = Vec::new();
    loan.reschedule(&original(dec!(6.00), dec!(0.15)), &[], d("2026-01-11"), &mut out).unwrap();
    assert_eq!(
        out.iter().map(|p| (p.kind, p.date, p.amounts)).collect::<Vec<_>>(),
        vec![
            (PostingKind::Adjustment { seq: 1 }, d("2026-01-11"), amounts(dec!(1.00), dec!(0), dec!(0))),
            (PostingKind::Adjustment { seq: 2 }, d("2026-01-11"), amounts(dec!(0), dec!(-0.05), dec!(0))),
        ]
    );
    postings.extend(out.iter().copied());
    // The next day continues on the new schedule: 11·6/30 = 2.20, 11·0.15/30 = 0.055 → 0.06.
    let next = accrue_daily(&mut loan, d("2026-01-12"), d("2026-01-12"));
    assert_eq!(next[0].amounts, amounts(dec!(0.20), dec!(0.01), dec!(0)));
    postings.extend(next);

    // Down again to 1.50 (a backdated repayment): through the 12th (11 days) the target is
    // 11·1.50/30 = 0.55 against 2.20 accrued: -1.65; fee 11·0.15/30 = 0.055 → 0.06, unchanged.
    let mut out = Vec::new();
    loan.reschedule(&original(dec!(1.50), dec!(0.15)), &[], d("2026-01-05"), &mut out).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].kind, PostingKind::Adjustment { seq: 3 });
    assert_eq!(out[0].date, d("2026-01-12"), "never dated before the accruals it corrects");
    assert_eq!(out[0].amounts, amounts(dec!(-1.65), dec!(0), dec!(0)));
    postings.extend(out.iter().copied());

    postings.extend(accrue_daily(&mut loan, d("2026-01-13"), d("2026-02-05")));
    // Accruals and adjustments together: exactly the final schedule.
    assert_eq!(sum(&postings), amounts(dec!(1.50), dec!(0.15), dec!(0)));

    // The events: signed adjustments with one sign each, deterministic ids.
    let events: Vec<_> = postings.iter().map(|p| loan.event(p).unwrap()).collect();
    let adjustment = events.iter().find(|e| e.id.as_str() == "acradj:L-6:2026-01-12:3").unwrap();
    assert_eq!(adjustment.kind, EventKind::AccrualAdjustment);
    assert_eq!(adjustment.amount, dec!(-1.65));
    assert_eq!(adjustment.portions.interest, dec!(-1.65));
    assert!(events.iter().any(|e| e.id.as_str() == "acradj:L-6:2026-01-11:2" && e.amount == dec!(-0.05)));
}

#[test]
fn upfront_books_interest_and_fees_at_disbursement() {
    let options = AccrualOptions::new(AccountingRule::AccrualUpfront, false).unwrap();
    assert_eq!(options.mode, AccrualMode::Upfront);
    let mut loan = LoanAccrual::new(&three_months(DayCount::ActualActual), options, &[]).unwrap();
    let postings = accrue_daily(&mut loan, d("2026-01-01"), d("2026-04-10"));
    assert_eq!(
        postings.iter().map(|p| (p.date, p.amounts)).collect::<Vec<_>>(),
        vec![
            (d("2026-01-01"), amounts(dec!(27.00), dec!(3.00), dec!(0))),
            // Penalties are earned when they apply: on their due date.
            (d("2026-04-01"), amounts(dec!(0), dec!(0), dec!(5.00))),
        ]
    );

    // A reschedule adjusts by the difference in scheduled totals: interest 10.00 → 12.50.
    let mut bigger = three_months(DayCount::ActualActual);
    bigger.installments[0].interest = dec!(12.50);
    let mut loan = LoanAccrual::new(&three_months(DayCount::ActualActual), options, &[]).unwrap();
    accrue_daily(&mut loan, d("2026-01-01"), d("2026-01-20"));
    let mut out = Vec::new();
    loan.reschedule(&bigger, &[], d("2026-01-20"), &mut out).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].amounts, amounts(dec!(2.50), dec!(0), dec!(0)));
    assert_eq!(
        AccrualMode::try_from(AccountingRule::Cash),
        Err(AccrualError::NotAccrual { rule: AccountingRule::Cash })
    );
}

#[test]
fn activity_reports_each_installment_on_its_due_date() {
    let options = AccrualOptions::periodic().with_activity_posting(true);
    let mut book = AccrualBook::new();
    let index = book.insert(LoanAccrual::new(&three_months(DayCount::ActualActual), options, &[]).unwrap()).unwrap();
    let mut postings = Vec::new();
    for day in d("2026-01-01").iter_days().take(100) {
        book.accrue(day, &mut postings).unwrap();
    }
    let activities = of_kind(&postings, is_activity);
    assert_eq!(
        activities.iter().map(|p| (p.kind, p.date, p.amounts)).collect::<Vec<_>>(),
        vec![
            (PostingKind::Activity { installment: 1 }, d("2026-02-01"), amounts(dec!(10.00), dec!(1.00), dec!(0))),
            (PostingKind::Activity { installment: 2 }, d("2026-03-01"), amounts(dec!(9.00), dec!(1.00), dec!(0))),
            (PostingKind::Activity { installment: 3 }, d("2026-04-01"), amounts(dec!(8.00), dec!(1.00), dec!(5.00))),
        ]
    );
    // On a due date the day's accrual comes first, then the activity that includes it.
    let due: Vec<_> = postings.iter().filter(|p| p.date == d("2026-02-01")).map(|p| p.kind).collect();
    assert_eq!(due, vec![PostingKind::Accrual, PostingKind::Activity { installment: 1 }]);

    let events = book.events(&postings).unwrap();
    let activity = events.iter().find(|e| e.kind == EventKind::AccrualActivity).unwrap();
    assert_eq!(activity.id.as_str(), "aca:L-1:2026-02-01");
    assert_eq!(activity.amount, dec!(11.00));
    assert_eq!(activity.office.as_ref().map(|o| o.as_str()), Some("HQ"));
    assert_eq!(activity.product.as_str(), "personal");
    let first = &events[0];
    assert_eq!((first.id.as_str(), first.kind, first.amount), ("acr:L-1:2026-01-02", EventKind::Accrual, dec!(0.35)));
    assert_eq!(first.portions.principal, dec!(0));
    assert_eq!(book.loan(index).unwrap().staged(), Amounts::default());
}

#[test]
fn a_gap_is_caught_up_in_one_call() {
    let mut daily = LoanAccrual::new(&three_months(DayCount::ActualActual), AccrualOptions::periodic(), &[]).unwrap();
    let every_day = accrue_daily(&mut daily, d("2026-01-01"), d("2026-03-05"));
    let mut loan = LoanAccrual::new(&three_months(DayCount::ActualActual), AccrualOptions::periodic(), &[]).unwrap();
    let mut out = Vec::new();
    loan.accrue(d("2026-01-03"), &mut out).unwrap();
    loan.accrue(d("2026-03-05"), &mut out).unwrap();
    // One accrual per installment crossed, dated its due date, then one for the rest.
    assert_eq!(
        out.iter().map(|p| p.date).collect::<Vec<_>>(),
        vec![d("2026-01-03"), d("2026-02-01"), d("2026-03-01"), d("2026-03-05")]
    );
    for (after, through) in [
        ("2026-01-01", "2026-01-03"),
        ("2026-01-03", "2026-02-01"),
        ("2026-02-01", "2026-03-01"),
        ("2026-03-01", "2026-03-05"),
    ] {
        assert_eq!(sum_between(&out, d(after), d(through)), sum_between(&every_day, d(after), d(through)), "{through}");
    }
    // Installment 3 after 4 days: 4·8/31 = 1.0323 → 1.03, 4·1/31 = 0.129 → 0.13.
    assert_eq!(out[3].amounts, amounts(dec!(1.03), dec!(0.13), dec!(0)));
}

#[test]
fn rerunning_a_date_adds_nothing_and_an_earlier_date_is_refused() {
    let mut book = AccrualBook::new();
    book.insert(LoanAccrual::new(&three_months(DayCount::ActualActual), AccrualOptions::periodic(), &[]).unwrap())
        .unwrap();
    let mut out = Vec::new();
    book.accrue(d("2026-01-05"), &mut out).unwrap();
    let first = out.len();
    assert_eq!(first, 1);
    book.accrue(d("2026-01-05"), &mut out).unwrap();
    assert_eq!(out.len(), first, "re-running a date posts nothing");

    let err = book.accrue(d("2026-01-04"), &mut out).unwrap_err();
    assert_eq!(
        err,
        AccrualError::DateBeforeAccrued { loan: "L-1".into(), date: d("2026-01-04"), accrued_through: d("2026-01-05") }
    );
    let message = err.to_string();
    assert!(message.contains("2026-01-04 is earlier") && message.contains("reschedule"), "{message}");
    assert_eq!(out.len(), first);
    // Dates before the disbursement are simply nothing to do.
    let mut fresh = LoanAccrual::new(&three_months(DayCount::ActualActual), AccrualOptions::periodic(), &[]).unwrap();
    fresh.accrue(d("2025-12-01"), &mut out).unwrap();
    fresh.accrue(d("2025-11-01"), &mut out).unwrap();
    assert_eq!(fresh.accrued_through(), None);
}

#[test]
fn bad_schedules_are_refused_with_the_fix() {
    let bad = |rows: &[Row]| {
        LoanAccrual::new(
            &schedule("L-9", d("2026-01-01"), DayCount::ActualActual, rows),
            AccrualOptions::periodic(),
            &[],
        )
        .unwrap_err()
        .to_string()
    };
    let message = bad(&[(d("2026-01-01"), d("2026-01-31"), dec!(1.005), dec!(0), dec!(0))]);
    assert!(message.contains("1.005") && message.contains("minor unit"), "{message}");
    let message = bad(&[(d("2026-01-01"), d("2026-01-31"), dec!(-1), dec!(0), dec!(0))]);
    assert!(message.contains("negative interest"), "{message}");
    let message = bad(&[(d("2026-01-31"), d("2026-01-01"), dec!(1), dec!(0), dec!(0))]);
    assert!(message.contains("before it starts"), "{message}");
    let message = bad(&[
        (d("2026-01-01"), d("2026-01-31"), dec!(1), dec!(0), dec!(0)),
        (d("2026-01-15"), d("2026-02-28"), dec!(1), dec!(0), dec!(0)),
    ]);
    assert!(message.contains("must not overlap"), "{message}");
    let message = bad(&[(d("2025-12-01"), d("2026-01-31"), dec!(1), dec!(0), dec!(0))]);
    assert!(message.contains("before the disbursement"), "{message}");
    assert!(bad(&[]).contains("no installments"));

    let mut book = AccrualBook::new();
    let loan = LoanAccrual::new(&three_months(DayCount::ActualActual), AccrualOptions::periodic(), &[]).unwrap();
    book.insert(loan.clone()).unwrap();
    assert_eq!(book.insert(loan).unwrap_err(), AccrualError::DuplicateLoan { loan: "L-1".into() });
}
