//! One loan's accrual state and the three things that move it: a new business date, a new
//! schedule, a stop.
//!
//! The state is small and constant-size (what is accrued in total, on the current installment,
//! and since the last activity; through which date; which installment is current), so accruing
//! a day costs the same for a loan aged 700 days as for a new one, and a gap of any length costs
//! one step per installment it crosses.

use chrono::NaiveDate;
use tieout_core::connector::LoanSchedule;
use tieout_core::ids::{LoanId, OfficeId, ProductId};
use tieout_core::money::Currency;

use super::amounts::Minor;
use super::pause::PauseWindow;
use super::plan::LoanPlan;
use super::posting::{AccrualPosting, Collector, LoanIndex, PostingKind};
use super::state::{AccrualState, ScheduleFingerprint, StoredStop};
use super::{AccrualError, AccrualOptions, Amounts, StopReason};

/// A loan's schedule and how far it has accrued.
#[derive(Clone, Debug)]
pub struct LoanAccrual {
    // Read on every loan-day: kept together at the front.
    accrued_through: Option<NaiveDate>,
    stop: Option<(NaiveDate, StopReason)>,
    current: usize,
    /// What the installment walk has recognized on `current` (see `LoanPlan::walk_target`).
    current_accrued: Minor,
    /// Everything recognized so far, net of adjustments.
    accrued_total: Minor,
    /// Accruals not yet reported by an accrual activity.
    staged: Minor,
    index: LoanIndex,
    decimals: u32,
    activity_posting: bool,
    plan: LoanPlan,
    adjustments: u32,
    /// The schedule (and pauses) the plan was built from, for [`AccrualState`].
    fingerprint: ScheduleFingerprint,
    // Identity, read only when building events.
    loan_id: LoanId,
    product: ProductId,
    office: Option<OfficeId>,
    currency: Currency,
}

impl LoanAccrual {
    /// A loan that has accrued nothing yet. `pauses` are the loan's interest-pause windows.
    pub fn new(schedule: &LoanSchedule, options: AccrualOptions, pauses: &[PauseWindow]) -> Result<Self, AccrualError> {
        let decimals = schedule.currency.minor_units();
        let plan = LoanPlan::build(schedule, options.mode, pauses, decimals)?;
        Ok(Self {
            accrued_through: None,
            stop: None,
            current: 0,
            current_accrued: Minor::ZERO,
            accrued_total: Minor::ZERO,
            staged: Minor::ZERO,
            index: LoanIndex::default(),
            decimals,
            activity_posting: options.activity_posting,
            plan,
            adjustments: 0,
            fingerprint: ScheduleFingerprint::of(schedule, pauses),
            loan_id: schedule.loan_id.clone(),
            product: schedule.product.clone(),
            office: schedule.office.clone(),
            currency: schedule.currency,
        })
    }

    pub fn loan_id(&self) -> &LoanId {
        &self.loan_id
    }

    pub fn product(&self) -> &ProductId {
        &self.product
    }

    pub fn office(&self) -> Option<&OfficeId> {
        self.office.as_ref()
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn options(&self) -> AccrualOptions {
        AccrualOptions { mode: self.plan.mode, activity_posting: self.activity_posting }
    }

    /// The last date accrued, or `None` before the first accrual.
    pub fn accrued_through(&self) -> Option<NaiveDate> {
        self.accrued_through
    }

    /// The stop date and why, once the loan has stopped accruing.
    pub fn stopped(&self) -> Option<(NaiveDate, StopReason)> {
        self.stop
    }

    /// Everything recognized so far: accruals plus adjustments.
    pub fn accrued(&self) -> Amounts {
        self.accrued_total.to_amounts(self.decimals)
    }

    /// Accruals not yet reported by an accrual activity.
    pub fn staged(&self) -> Amounts {
        self.staged.to_amounts(self.decimals)
    }

    /// The number of the first installment not yet fully accrued, or `None` once all are.
    pub fn current_installment(&self) -> Option<u32> {
        self.plan.installments.get(self.current).map(|installment| installment.number)
    }

    /// The fingerprint of the schedule and pauses the loan accrues on.
    pub fn fingerprint(&self) -> ScheduleFingerprint {
        self.fingerprint
    }

    /// Whether nothing more can accrue without a new schedule or stop: the loan has accrued
    /// through its stop date, or past its last installment. COB need not store such a loan
    /// again until one of its events changes it.
    pub fn is_finished(&self) -> bool {
        let Some(through) = self.accrued_through else { return false };
        self.stop.is_some_and(|(stop, _)| through >= stop) || self.current >= self.plan.installments.len()
    }

    /// A snapshot of everything but the plan, to store between business dates and
    /// [`restore`](Self::restore) later.
    pub fn state(&self) -> AccrualState {
        let mut state = AccrualState::new(self.fingerprint, self.plan.mode, self.currency);
        state.accrued_through = self.accrued_through;
        state.stop = self.stop.map(|(date, reason)| StoredStop { date, reason: reason.into() });
        // The plan has at most u32::MAX installments' worth of numbers; an index past that
        // cannot exist.
        state.current = u32::try_from(self.current).unwrap_or(u32::MAX);
        state.current_accrued = self.current_accrued.into();
        state.accrued_total = self.accrued_total.into();
        state.staged = self.staged.into();
        state.adjustments = self.adjustments;
        state
    }

    /// The loan as it was when `state` was taken, given the same schedule and pauses it was
    /// accrued on (the fingerprints must match) and the same accrual mode: accruing on from here
    /// posts exactly what the loan would have posted had it never been stored.
    ///
    /// A schedule or mode that differs is [`AccrualError::PlanChanged`]: use
    /// [`restore_rescheduled`](Self::restore_rescheduled), which books the difference.
    pub fn restore(
        schedule: &LoanSchedule,
        options: AccrualOptions,
        pauses: &[PauseWindow],
        state: &AccrualState,
    ) -> Result<Self, AccrualError> {
        let mut loan = Self::new(schedule, options, pauses)?;
        loan.check_restorable(state)?;
        if loan.fingerprint != state.fingerprint() || options.mode != state.mode.into() {
            return Err(AccrualError::PlanChanged { loan: loan.loan_id });
        }
        if state.current as usize > loan.plan.installments.len() {
            return Err(AccrualError::StateInvalid {
                loan: loan.loan_id,
                reason: format!(
                    "it is at installment index {} of a schedule with {}",
                    state.current,
                    loan.plan.installments.len()
                ),
            });
        }
        loan.load(state);
        Ok(loan)
    }

    /// The loan stored as `state`, now on a new schedule (or pauses, or accrual mode): the same
    /// as restoring it on its old schedule and calling [`reschedule`](Self::reschedule) with
    /// the new one, which the old schedule is not needed for. Books the `accrual_adjustment`s
    /// onto `out`. With an unchanged schedule it books nothing.
    pub fn restore_rescheduled(
        schedule: &LoanSchedule,
        options: AccrualOptions,
        pauses: &[PauseWindow],
        state: &AccrualState,
        effective: NaiveDate,
        out: &mut Vec<AccrualPosting>,
    ) -> Result<Self, AccrualError> {
        let mut loan = Self::new(schedule, options, pauses)?;
        loan.check_restorable(state)?;
        loan.load(state);
        // The position on the old plan means nothing on the new one: `rebase` sets it afresh.
        loan.current = 0;
        loan.current_accrued = Minor::ZERO;
        loan.rebase(effective, out);
        Ok(loan)
    }

    fn check_restorable(&self, state: &AccrualState) -> Result<(), AccrualError> {
        if !state.is_current_version() {
            return Err(AccrualError::StateInvalid {
                loan: self.loan_id.clone(),
                reason: format!("it is in format version {}, which this engine does not read", state.version),
            });
        }
        if state.currency() != self.currency {
            return Err(AccrualError::CurrencyChanged {
                loan: self.loan_id.clone(),
                expected: state.currency(),
                found: self.currency,
            });
        }
        Ok(())
    }

    /// Takes the counters of `state` (checked by the caller).
    fn load(&mut self, state: &AccrualState) {
        self.accrued_through = state.accrued_through();
        self.stop = state.stopped();
        self.current = state.current as usize;
        self.current_accrued = state.current_accrued.into();
        self.accrued_total = state.accrued_total.into();
        self.staged = state.staged.into();
        self.adjustments = state.adjustments;
    }

    pub(crate) fn set_index(&mut self, index: LoanIndex) {
        self.index = index;
    }

    /// Accrues every day after the last accrued date up to and including `date`, pushing the
    /// postings onto `out`. Days after the stop date and days outside every installment accrue
    /// nothing.
    ///
    /// - `date` already accrued: nothing happens (a re-run is harmless).
    /// - `date` before the last accrued date: [`AccrualError::DateBeforeAccrued`]; corrections
    ///   go through [`reschedule`](Self::reschedule).
    /// - a gap since the last call: caught up in this call, one accrual per installment crossed,
    ///   dated the installment's due date, and one for the rest, dated `date`.
    pub fn accrue(&mut self, date: NaiveDate, out: &mut Vec<AccrualPosting>) -> Result<(), AccrualError> {
        let through = match self.accrued_through {
            Some(through) if date == through => return Ok(()),
            Some(accrued_through) if date < accrued_through => {
                return Err(AccrualError::DateBeforeAccrued { loan: self.loan_id.clone(), date, accrued_through });
            }
            Some(through) => through,
            // Before the disbursement there is nothing to accrue, and no date to hold on to.
            None if date < self.plan.disbursed_on => return Ok(()),
            None => self.plan.before_disbursement,
        };
        self.accrued_through = Some(date);
        // The days to accrue are (from, to]; a stop cuts both ends.
        let (from, to) = match self.stop {
            Some((stop, _)) => (through.min(stop), date.min(stop)),
            None => (through, date),
        };
        if to <= from {
            return Ok(());
        }

        let mut collect = Collector::new(out, self.index, self.decimals);
        let disbursed_on = self.plan.disbursed_on;
        if from < disbursed_on && disbursed_on <= to {
            let upfront = self.plan.upfront_target(disbursed_on);
            if !upfront.is_zero() {
                self.book(&mut collect, disbursed_on, upfront);
                self.report(&mut collect, disbursed_on, 0);
            }
        }
        while let Some(installment) = self.plan.installments.get(self.current) {
            let target = self.plan.walk_target(installment, to);
            let earned = target - self.current_accrued;
            if to < installment.due {
                self.book(&mut collect, to, earned);
                self.current_accrued = target;
                break;
            }
            let (due, number) = (installment.due, installment.number);
            self.book(&mut collect, due, earned);
            self.report(&mut collect, due, number);
            self.current += 1;
            self.current_accrued = Minor::ZERO;
        }
        if let Some((stop, _)) = self.stop
            && to == stop
        {
            self.report(&mut collect, stop, self.closing_installment());
        }
        collect.finish();
        Ok(())
    }

    /// Replaces the schedule (a reschedule, a backdated repayment, a new pause) and books what
    /// changes for the days already accrued: the new schedule's target through the last accrued
    /// date minus what was accrued, as `accrual_adjustment` postings (positive: more income).
    /// Later days then accrue on the new schedule, so nothing is counted twice.
    ///
    /// The adjustment is dated `effective`, or the last accrued date if that is later: it
    /// corrects accruals booked up to that date, and is never dated before them.
    pub fn reschedule(
        &mut self,
        schedule: &LoanSchedule,
        pauses: &[PauseWindow],
        effective: NaiveDate,
        out: &mut Vec<AccrualPosting>,
    ) -> Result<(), AccrualError> {
        if schedule.loan_id != self.loan_id {
            return Err(AccrualError::WrongLoan { expected: self.loan_id.clone(), found: schedule.loan_id.clone() });
        }
        if schedule.currency != self.currency {
            return Err(AccrualError::CurrencyChanged {
                loan: self.loan_id.clone(),
                expected: self.currency,
                found: schedule.currency,
            });
        }
        self.plan = LoanPlan::build(schedule, self.plan.mode, pauses, self.decimals)?;
        self.fingerprint = ScheduleFingerprint::of(schedule, pauses);
        self.product = schedule.product.clone();
        self.office = schedule.office.clone();
        self.rebase(effective, out);
        Ok(())
    }

    /// Stops accruing after `date` (charge-off, write-off, close). The earliest stop wins.
    ///
    /// A stop on a date already accrued books a negative adjustment for the days after it. With
    /// accrual activity posting, the accruals not yet reported are reported at the stop (for a
    /// stop already passed, dated the last accrued date, as it summarizes accruals up to then).
    pub fn stop(&mut self, date: NaiveDate, reason: StopReason, out: &mut Vec<AccrualPosting>) {
        if self.stop.is_some_and(|(stop, _)| stop <= date) {
            return;
        }
        self.stop = Some((date, reason));
        let Some(through) = self.accrued_through else { return };
        if date > through {
            // The daily walk reaches the stop and reports there.
            return;
        }
        self.rebase(date, out);
    }

    /// Recomputes the position from the plan at the last accrued date and books the difference.
    fn rebase(&mut self, effective: NaiveDate, out: &mut Vec<AccrualPosting>) {
        let through = self.accrued_through.unwrap_or(self.plan.before_disbursement);
        let upto = self.stop.map_or(through, |(stop, _)| through.min(stop));
        let position = self.plan.position(upto);
        let difference = position.total - self.accrued_total;
        self.accrued_total = position.total;
        self.current = position.current;
        self.current_accrued = position.current_accrued;
        let date = effective.max(through);
        let mut collect = Collector::new(out, self.index, self.decimals);
        // An event's portions share its sign, so a mixed correction is two postings.
        for part in [difference.positive_part(), difference.negative_part()] {
            if !part.is_zero() {
                self.adjustments += 1;
                collect.push(PostingKind::Adjustment { seq: self.adjustments }, date, part);
            }
        }
        // Staged accruals are reported at the next due date or stop the walk reaches. When the
        // walk will reach neither (every installment is now due, or the stop has passed), they
        // are reported now, dated the last accrued date, so none is left unreported.
        let finished =
            self.current == self.plan.installments.len() || self.stop.is_some_and(|(stop, _)| stop <= through);
        if finished && self.accrued_through.is_some() {
            self.report(&mut collect, through, self.closing_installment());
        }
        collect.finish();
    }

    #[inline]
    fn book(&mut self, collect: &mut Collector<'_>, date: NaiveDate, earned: Minor) {
        if !earned.is_zero() {
            self.accrued_total += earned;
            self.staged += earned;
            collect.accrual(date, earned);
        }
    }

    /// Reports the staged accruals as one activity, when the product posts activities.
    #[inline]
    fn report(&mut self, collect: &mut Collector<'_>, date: NaiveDate, installment: u32) {
        if self.activity_posting && !self.staged.is_zero() {
            collect.activity(date, installment, self.staged);
            self.staged = Minor::ZERO;
        }
    }

    /// The installment a stop's activity closes: the one in progress, or the last.
    fn closing_installment(&self) -> u32 {
        let installments = &self.plan.installments;
        installments.get(self.current).or(installments.last()).map_or(0, |installment| installment.number)
    }
}
