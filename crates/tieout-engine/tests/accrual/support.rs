//! Builders for schedules and a slow, obviously-right reference model of the accrual targets.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use tieout_core::connector::{Installment, LoanSchedule};
use tieout_core::money::Currency;
use tieout_core::role::DayCount;
use tieout_engine::accrual::{AccrualMode, AccrualPosting, Amounts, LoanAccrual, PauseWindow, PostingKind};

pub fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

pub fn usd() -> Currency {
    Currency::new("USD").unwrap()
}

/// One installment: start, due, interest, fee, penalty.
pub type Row = (NaiveDate, NaiveDate, Decimal, Decimal, Decimal);

pub fn schedule(loan: &str, disbursed_on: NaiveDate, day_count: DayCount, rows: &[Row]) -> LoanSchedule {
    LoanSchedule {
        loan_id: loan.into(),
        product: "personal".into(),
        office: Some("HQ".into()),
        currency: usd(),
        day_count,
        disbursed_on,
        installments: rows
            .iter()
            .enumerate()
            .map(|(i, &(start, due, interest, fee, penalty))| Installment {
                number: u32::try_from(i + 1).unwrap(),
                start,
                due,
                principal: Decimal::ONE_HUNDRED,
                interest,
                fee,
                penalty,
            })
            .collect(),
    }
}

/// Accrues every day from `from` through `to`, returning all postings.
pub fn accrue_daily(loan: &mut LoanAccrual, from: NaiveDate, to: NaiveDate) -> Vec<AccrualPosting> {
    let mut out = Vec::new();
    for day in from.iter_days().take_while(|day| *day <= to) {
        loan.accrue(day, &mut out).unwrap();
    }
    out
}

pub fn of_kind(postings: &[AccrualPosting], wanted: fn(PostingKind) -> bool) -> Vec<AccrualPosting> {
    postings.iter().copied().filter(|p| wanted(p.kind)).collect()
}

pub fn is_accrual(kind: PostingKind) -> bool {
    kind == PostingKind::Accrual
}

pub fn is_adjustment(kind: PostingKind) -> bool {
    matches!(kind, PostingKind::Adjustment { .. })
}

pub fn is_activity(kind: PostingKind) -> bool {
    matches!(kind, PostingKind::Activity { .. })
}

pub fn sum(postings: &[AccrualPosting]) -> Amounts {
    postings.iter().fold(Amounts::default(), |acc, p| acc + p.amounts)
}

/// Sum of the postings dated in `(after, through]`.
pub fn sum_between(postings: &[AccrualPosting], after: NaiveDate, through: NaiveDate) -> Amounts {
    let within: Vec<_> = postings.iter().copied().filter(|p| after < p.date && p.date <= through).collect();
    sum(&within)
}

pub fn amounts(interest: Decimal, fee: Decimal, penalty: Decimal) -> Amounts {
    Amounts { interest, fee, penalty }
}

/// The weight of one day under a day count, written out longhand (30E/360: day of month capped
/// at 30 on both dates; actual: 1).
fn day_weight(day_count: DayCount, day: NaiveDate) -> i64 {
    match day_count {
        DayCount::Thirty360 => {
            let f =
                |d: NaiveDate| i64::from(d.year()) * 360 + i64::from(d.month() - 1) * 30 + i64::from(d.day().min(30));
            f(day) - f(day.pred_opt().unwrap())
        }
        _ => 1,
    }
}

fn paused(pauses: &[PauseWindow], day: NaiveDate) -> bool {
    pauses.iter().any(|p| p.from <= day && day <= p.to)
}

/// What should have accrued through `date`, per installment, computed naively day by day
/// with `Decimal` arithmetic and `Currency::round`.
pub fn reference_targets(
    schedule: &LoanSchedule,
    pauses: &[PauseWindow],
    mode: AccrualMode,
    date: NaiveDate,
) -> Vec<Amounts> {
    let currency = schedule.currency;
    schedule
        .installments
        .iter()
        .map(|inst| {
            let penalty = if date >= inst.due { inst.penalty } else { Decimal::ZERO };
            if mode == AccrualMode::Upfront {
                let booked = date >= schedule.disbursed_on;
                let (interest, fee) = if booked { (inst.interest, inst.fee) } else { (Decimal::ZERO, Decimal::ZERO) };
                return amounts(interest, fee, penalty);
            }
            if date >= inst.due {
                return amounts(inst.interest, inst.fee, inst.penalty);
            }
            let weight = |through: NaiveDate| -> i64 {
                inst.start
                    .iter_days()
                    .skip(1)
                    .take_while(|day| *day <= through)
                    .filter(|day| !paused(pauses, *day))
                    .map(|day| day_weight(schedule.day_count, day))
                    .sum()
            };
            let (w, total) = (weight(date), weight(inst.due));
            if date <= inst.start || total == 0 {
                return Amounts::default();
            }
            let share = |amount: Decimal| currency.round(amount * Decimal::from(w) / Decimal::from(total));
            amounts(share(inst.interest), share(inst.fee), Decimal::ZERO)
        })
        .collect()
}

pub fn reference_total(schedule: &LoanSchedule, pauses: &[PauseWindow], mode: AccrualMode, date: NaiveDate) -> Amounts {
    reference_targets(schedule, pauses, mode, date).into_iter().fold(Amounts::default(), |acc, a| acc + a)
}

pub fn schedule_total(schedule: &LoanSchedule) -> Amounts {
    schedule.installments.iter().fold(Amounts::default(), |acc, i| acc + amounts(i.interest, i.fee, i.penalty))
}

/// What a periodic loan should post each day, from the reference model: per installment, per
/// day, the rounded cumulative target minus the previous one (zero days left out).
pub fn reference_daily(schedule: &LoanSchedule, pauses: &[PauseWindow]) -> Vec<(NaiveDate, Amounts)> {
    let currency = schedule.currency;
    let mut days: Vec<(NaiveDate, Amounts)> = Vec::new();
    for inst in &schedule.installments {
        let weights: Vec<(NaiveDate, i64)> = inst
            .start
            .iter_days()
            .skip(1)
            .take_while(|day| *day <= inst.due)
            .map(|day| (day, if paused(pauses, day) { 0 } else { day_weight(schedule.day_count, day) }))
            .collect();
        let total: i64 = weights.iter().map(|(_, w)| w).sum();
        let mut cumulative = 0;
        let mut before = Amounts::default();
        let mut push = |day: NaiveDate, target: Amounts, before: &mut Amounts| {
            let delta = Amounts {
                interest: target.interest - before.interest,
                fee: target.fee - before.fee,
                penalty: target.penalty - before.penalty,
            };
            *before = target;
            if !delta.is_zero() {
                match days.last_mut() {
                    Some((last, acc)) if *last == day => *acc += delta,
                    _ => days.push((day, delta)),
                }
            }
        };
        for (day, w) in &weights {
            cumulative += w;
            let target = if *day == inst.due {
                amounts(inst.interest, inst.fee, inst.penalty)
            } else if total == 0 {
                Amounts::default()
            } else {
                let share = |amount: Decimal| currency.round(amount * Decimal::from(cumulative) / Decimal::from(total));
                amounts(share(inst.interest), share(inst.fee), Decimal::ZERO)
            };
            push(*day, target, &mut before);
        }
        if weights.is_empty() {
            push(inst.due, amounts(inst.interest, inst.fee, inst.penalty), &mut before);
        }
    }
    days
}
