//! Many loans' accrual states in one `Vec`, accrued one business date at a time: what COB calls.
//!
//! The daily loop walks the `Vec` in order and touches only each loan's own state: no hashing,
//! no allocation beyond the caller's reused output `Vec`. The id index is used only to find a
//! loan when one of its events arrives.

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use tieout_core::connector::LoanSchedule;
use tieout_core::event::Event;
use tieout_core::ids::LoanId;

use super::pause::PauseWindow;
use super::posting::{AccrualPosting, LoanIndex};
use super::{AccrualError, LoanAccrual, StopReason};

/// The accrual states of a set of loans (one client, or one COB partition of it).
#[derive(Clone, Debug, Default)]
pub struct AccrualBook {
    loans: Vec<LoanAccrual>,
    by_id: FxHashMap<LoanId, LoanIndex>,
    /// The latest date any loan has accrued through: a date before it needs a closer look.
    latest: Option<NaiveDate>,
}

impl AccrualBook {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(loans: usize) -> Self {
        Self { loans: Vec::with_capacity(loans), by_id: FxHashMap::default(), latest: None }
    }

    /// Adds a loan and returns its index, which its postings carry.
    pub fn insert(&mut self, mut loan: LoanAccrual) -> Result<LoanIndex, AccrualError> {
        if self.by_id.contains_key(loan.loan_id()) {
            return Err(AccrualError::DuplicateLoan { loan: loan.loan_id().clone() });
        }
        let index = LoanIndex(u32::try_from(self.loans.len()).map_err(|_| AccrualError::BookFull)?);
        loan.set_index(index);
        self.latest = self.latest.max(loan.accrued_through());
        self.by_id.insert(loan.loan_id().clone(), index);
        self.loans.push(loan);
        Ok(index)
    }

    pub fn len(&self) -> usize {
        self.loans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.loans.is_empty()
    }

    pub fn index_of(&self, loan_id: &str) -> Option<LoanIndex> {
        self.by_id.get(loan_id).copied()
    }

    pub fn loan(&self, index: LoanIndex) -> Option<&LoanAccrual> {
        self.loans.get(index.get())
    }

    pub fn loans(&self) -> impl Iterator<Item = &LoanAccrual> {
        self.loans.iter()
    }

    /// Accrues `date` for every loan (see [`LoanAccrual::accrue`]). A date some loan has
    /// already passed is refused before any loan changes.
    pub fn accrue(&mut self, date: NaiveDate, out: &mut Vec<AccrualPosting>) -> Result<(), AccrualError> {
        if self.latest.is_some_and(|latest| date < latest)
            && let Some((loan, accrued_through)) = self
                .loans
                .iter()
                .find_map(|loan| loan.accrued_through().filter(|through| date < *through).map(|t| (loan, t)))
        {
            return Err(AccrualError::DateBeforeAccrued { loan: loan.loan_id().clone(), date, accrued_through });
        }
        for loan in &mut self.loans {
            loan.accrue(date, out)?;
        }
        // Every loan that has started now stands at `date`; the others have nothing to compare.
        self.latest = self.latest.max(Some(date));
        Ok(())
    }

    /// Gives a loan a new schedule (see [`LoanAccrual::reschedule`]).
    pub fn reschedule(
        &mut self,
        index: LoanIndex,
        schedule: &LoanSchedule,
        pauses: &[PauseWindow],
        effective: NaiveDate,
        out: &mut Vec<AccrualPosting>,
    ) -> Result<(), AccrualError> {
        self.loan_mut(index)?.reschedule(schedule, pauses, effective, out)
    }

    /// Stops a loan's accrual (see [`LoanAccrual::stop`]).
    pub fn stop(
        &mut self,
        index: LoanIndex,
        date: NaiveDate,
        reason: StopReason,
        out: &mut Vec<AccrualPosting>,
    ) -> Result<(), AccrualError> {
        self.loan_mut(index)?.stop(date, reason, out);
        Ok(())
    }

    /// The canonical events of postings made by this book, in the same order.
    pub fn events(&self, postings: &[AccrualPosting]) -> Result<Vec<Event>, AccrualError> {
        postings
            .iter()
            .map(|posting| {
                let loan = self
                    .loans
                    .get(posting.loan.get())
                    .ok_or(AccrualError::UnknownIndex { index: posting.loan.get() })?;
                loan.event(posting)
            })
            .collect()
    }

    fn loan_mut(&mut self, index: LoanIndex) -> Result<&mut LoanAccrual, AccrualError> {
        self.loans.get_mut(index.get()).ok_or(AccrualError::UnknownIndex { index: index.get() })
    }
}
