//! The simulated book: any loan, generated on demand from the seed and its number.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDate;
use tieout_core::connector::{LoanBalance, LoanSchedule, ProductInfo};
use tieout_core::event::{Event, EventProblem};
use tieout_core::ids::{EventId, LoanId};

use crate::config::ValidatedSimulator;
use crate::history::loan_id;
use crate::lifecycle::{LoanHistory, simulate};
use crate::loan::disbursement_date;

/// Why the book could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    #[error("the book has loans 1 to {loans}; there is no loan {number}")]
    UnknownLoan { number: u32, loans: u32 },
    #[error(
        "the simulator made an invalid event {id} ({problem}); this is a defect in the simulator, please report it \
         with the config"
    )]
    InvalidEvent { id: EventId, problem: EventProblem },
}

/// A simulated loan book. Generating one loan never touches another: each loan comes from
/// `(seed, loan number)` alone. [`Simulator::simulations`] counts the loans generated, so a test
/// can see what a call touched.
#[derive(Debug)]
pub struct Simulator {
    book: Arc<ValidatedSimulator>,
    simulations: AtomicU64,
}

impl Simulator {
    pub fn new(book: Arc<ValidatedSimulator>) -> Self {
        Simulator { book, simulations: AtomicU64::new(0) }
    }

    pub fn settings(&self) -> &ValidatedSimulator {
        &self.book
    }

    /// How many loans the book has (numbered from 1).
    pub fn loans(&self) -> u32 {
        self.book.loans
    }

    /// The loan's id (`L-0000042`).
    pub fn loan_id(&self, number: u32) -> LoanId {
        loan_id(number)
    }

    /// The loan's disbursement date, without generating it.
    pub fn disbursed_on(&self, number: u32) -> NaiveDate {
        disbursement_date(&self.book, number)
    }

    /// How many loan histories have been generated so far.
    pub fn simulations(&self) -> u64 {
        self.simulations.load(Ordering::Relaxed)
    }

    /// The products the book lends, in catalogue order of the config.
    pub fn products(&self) -> Vec<ProductInfo> {
        self.book
            .products
            .iter()
            .map(|p| ProductInfo {
                id: p.id.clone(),
                name: p.spec.name.to_owned(),
                currency: p.currency,
                accounting_rule: Some(p.spec.rule),
                day_count: p.spec.day_count,
                accrual_activity_posting: p.spec.accrual_activity_posting,
            })
            .collect()
    }

    fn check(&self, number: u32) -> Result<(), BookError> {
        if number == 0 || number > self.book.loans {
            return Err(BookError::UnknownLoan { number, loans: self.book.loans });
        }
        Ok(())
    }

    /// Generates loan `number` through `through`.
    pub(crate) fn history(&self, number: u32, through: NaiveDate) -> LoanHistory {
        self.simulations.fetch_add(1, Ordering::Relaxed);
        simulate(&self.book, number, through)
    }

    pub(crate) fn event(
        &self,
        history: &LoanHistory,
        loan: &LoanId,
        record: &crate::record::Record,
    ) -> Result<Event, BookError> {
        history.event(&self.book, loan, record).map_err(|problem| BookError::InvalidEvent {
            id: EventId::from(format!("{loan}-{:03}", record.seq)),
            problem,
        })
    }

    /// Every event of loan `number` through the book's last day, in the order the source
    /// streams them (the day entered, then the loan's sequence). Generates that loan only.
    pub fn loan_events(&self, number: u32) -> Result<Vec<Event>, BookError> {
        self.check(number)?;
        let history = self.history(number, self.book.end);
        let loan = loan_id(number);
        let mut records: Vec<_> = history.records.iter().filter(|r| r.emitted <= self.book.end).collect();
        records.sort_by_key(|r| (r.emitted, r.seq));
        records.into_iter().map(|record| self.event(&history, &loan, record)).collect()
    }

    /// Loan `number`'s schedule as it stands at the book's last day (the schedule `schedules()`
    /// reports).
    pub fn loan_schedule(&self, number: u32) -> Result<LoanSchedule, BookError> {
        self.check(number)?;
        Ok(self.history(number, self.book.end).schedule(&self.book, loan_id(number)))
    }

    /// Loan `number`'s balances as of `as_of`, counting the events entered by `visible` (the
    /// book's last day when the source releases everything); `None` before its disbursement.
    pub fn loan_balance(
        &self,
        number: u32,
        as_of: NaiveDate,
        visible: NaiveDate,
    ) -> Result<Option<LoanBalance>, BookError> {
        self.check(number)?;
        let visible = visible.min(self.book.end);
        if self.disbursed_on(number) > as_of.min(visible) {
            return Ok(None);
        }
        // Through `visible`, not `as_of`: an event entered later may be value-dated earlier.
        let history = self.history(number, visible);
        Ok(history.balance(&self.book, loan_id(number), as_of, visible))
    }
}
