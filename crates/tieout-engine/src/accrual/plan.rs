//! A loan's schedule, checked and turned into what the daily step needs, and the accrual
//! *target*: how much of each installment should be recognized through a given date.
//!
//! Everything the engine books is a difference of two targets, so the daily walk, a catch-up
//! over a gap, a reschedule and a backdated stop all agree to the cent by construction.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tieout_core::connector::LoanSchedule;
use tieout_core::event::Portion;
use tieout_core::role::DayCount;

use super::amounts::{Minor, to_minor};
use super::pause::{PauseWindow, Pauses};
use super::rounding::prorate;
use super::{AccrualError, AccrualMode};

/// One installment, ready for the daily step.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct InstallmentPlan {
    pub number: u32,
    /// Interest and fees accrue over the days after `start` up to and including `due`.
    pub start: NaiveDate,
    pub due: NaiveDate,
    /// The weight of all its non-paused days; zero when every day is paused (or weighs nothing
    /// under 30/360), in which case everything accrues on the due date.
    pub weight: i64,
    pub amounts: Minor,
}

/// Where a loan stands after accruing through a date: the loan's total target and the first
/// installment not yet fully accrued, with its part of that total.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Position {
    pub total: Minor,
    pub current: usize,
    pub current_accrued: Minor,
}

/// A loan's schedule as the engine uses it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct LoanPlan {
    pub mode: AccrualMode,
    pub day_count: DayCount,
    pub disbursed_on: NaiveDate,
    /// The day before the disbursement: the "accrued through" of a loan that has accrued nothing.
    pub before_disbursement: NaiveDate,
    pub installments: Box<[InstallmentPlan]>,
    pub pauses: Pauses,
    /// Upfront mode: every installment's interest and fees, booked on the disbursement date.
    pub upfront: Minor,
}

impl LoanPlan {
    /// Checks the schedule and prepares it. The checks are what make the integer arithmetic of
    /// the daily step safe: amounts in the minor unit, non-negative, and a loan total that fits
    /// in an i64 (so every partial sum does too).
    pub fn build(
        schedule: &LoanSchedule,
        mode: AccrualMode,
        pauses: &[PauseWindow],
        decimals: u32,
    ) -> Result<Self, AccrualError> {
        let loan = &schedule.loan_id;
        if schedule.installments.is_empty() {
            return Err(AccrualError::EmptySchedule { loan: loan.clone() });
        }
        let before_disbursement = schedule
            .disbursed_on
            .pred_opt()
            .ok_or(AccrualError::DateOutOfRange { loan: loan.clone(), disbursed_on: schedule.disbursed_on })?;
        let pauses = Pauses::new(loan, pauses)?;
        let too_large = || AccrualError::AmountTooLarge { loan: loan.clone(), currency: schedule.currency };

        let mut installments = Vec::with_capacity(schedule.installments.len());
        let mut loan_total = Minor::ZERO;
        let mut upfront = Minor::ZERO;
        let mut previous: Option<(u32, NaiveDate)> = None;
        for installment in &schedule.installments {
            let number = installment.number;
            if installment.due < installment.start {
                return Err(AccrualError::DueBeforeStart {
                    loan: loan.clone(),
                    number,
                    start: installment.start,
                    due: installment.due,
                });
            }
            if installment.start < schedule.disbursed_on {
                return Err(AccrualError::StartsBeforeDisbursement {
                    loan: loan.clone(),
                    number,
                    start: installment.start,
                    disbursed_on: schedule.disbursed_on,
                });
            }
            if let Some((previous, previous_due)) = previous
                && installment.start < previous_due
            {
                return Err(AccrualError::InstallmentsOverlap {
                    loan: loan.clone(),
                    number,
                    start: installment.start,
                    previous,
                    previous_due,
                });
            }
            previous = Some((number, installment.due));

            let minor = |portion: Portion, amount: Decimal| -> Result<i64, AccrualError> {
                if amount.is_sign_negative() && !amount.is_zero() {
                    return Err(AccrualError::NegativeAmount { loan: loan.clone(), number, portion, amount });
                }
                to_minor(amount, decimals).ok_or_else(|| {
                    if schedule.currency.is_representable(amount) {
                        too_large()
                    } else {
                        AccrualError::NotInMinorUnit {
                            loan: loan.clone(),
                            number,
                            portion,
                            amount,
                            currency: schedule.currency,
                            decimals,
                        }
                    }
                })
            };
            let amounts = Minor {
                interest: minor(Portion::Interest, installment.interest)?,
                fee: minor(Portion::Fee, installment.fee)?,
                penalty: minor(Portion::Penalty, installment.penalty)?,
            };
            loan_total = loan_total.checked_add(amounts).ok_or_else(too_large)?;
            let all_portions =
                loan_total.interest.checked_add(loan_total.fee).and_then(|s| s.checked_add(loan_total.penalty));
            all_portions.ok_or_else(too_large)?;
            upfront += Minor { interest: amounts.interest, fee: amounts.fee, penalty: 0 };
            installments.push(InstallmentPlan {
                number,
                start: installment.start,
                due: installment.due,
                weight: pauses.active_weight(schedule.day_count, installment.start, installment.due),
                amounts,
            });
        }
        Ok(Self {
            mode,
            day_count: schedule.day_count,
            disbursed_on: schedule.disbursed_on,
            before_disbursement,
            installments: installments.into_boxed_slice(),
            pauses,
            upfront,
        })
    }

    /// What the installment walk recognizes for `installment` through `date`. In periodic mode
    /// that is its interest and fees spread over its days, and its penalty on the due date; in
    /// upfront mode only the penalty, since interest and fees are booked at disbursement.
    #[inline]
    pub fn walk_target(&self, installment: &InstallmentPlan, date: NaiveDate) -> Minor {
        let amounts = installment.amounts;
        let spread = self.mode == AccrualMode::Periodic;
        if date >= installment.due {
            return if spread { amounts } else { Minor { interest: 0, fee: 0, penalty: amounts.penalty } };
        }
        if !spread || date <= installment.start || installment.weight == 0 {
            return Minor::ZERO;
        }
        let weight = self.pauses.active_weight(self.day_count, installment.start, date);
        Minor {
            interest: prorate(amounts.interest, weight, installment.weight),
            fee: prorate(amounts.fee, weight, installment.weight),
            penalty: 0,
        }
    }

    /// What upfront mode books at disbursement, once `date` has reached it.
    #[inline]
    pub fn upfront_target(&self, date: NaiveDate) -> Minor {
        if self.mode == AccrualMode::Upfront && date >= self.disbursed_on { self.upfront } else { Minor::ZERO }
    }

    /// The position after accruing through `date`, computed from the schedule alone, in one
    /// pass over the installments (used when the schedule or the stop changes, never per day).
    pub fn position(&self, date: NaiveDate) -> Position {
        let mut total = self.upfront_target(date);
        for (index, installment) in self.installments.iter().enumerate() {
            let target = self.walk_target(installment, date);
            total += target;
            if date < installment.due {
                return Position { total, current: index, current_accrued: target };
            }
        }
        Position { total, current: self.installments.len(), current_accrued: Minor::ZERO }
    }
}
