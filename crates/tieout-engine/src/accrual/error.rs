//! What can go wrong when accruing, each with what to do about it.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tieout_core::event::{EventProblem, Portion};
use tieout_core::ids::LoanId;
use tieout_core::money::Currency;
use tieout_core::role::AccountingRule;

/// An accrual request the engine refuses. Nothing is changed when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccrualError {
    #[error(
        "accounting rule '{rule}' does not accrue: only accrual-periodic and accrual-upfront products go \
         through the accrual engine; leave {rule} loans out of the accrual book"
    )]
    NotAccrual { rule: AccountingRule },

    #[error("loan {loan} has no installments: the source must supply the repayment schedule before it can accrue")]
    EmptySchedule { loan: LoanId },

    #[error(
        "loan {loan}: installment {number} is due on {due}, before it starts on {start}: correct the schedule \
         in the source (an installment runs from its start to its due date)"
    )]
    DueBeforeStart { loan: LoanId, number: u32, start: NaiveDate, due: NaiveDate },

    #[error(
        "loan {loan}: installment {number} starts on {start}, before the disbursement on {disbursed_on}: \
         interest cannot accrue before the money is lent; correct the schedule or the disbursement date"
    )]
    StartsBeforeDisbursement { loan: LoanId, number: u32, start: NaiveDate, disbursed_on: NaiveDate },

    #[error(
        "loan {loan}: installment {number} starts on {start}, before installment {previous} is due on \
         {previous_due}: installments must be in date order and must not overlap"
    )]
    InstallmentsOverlap { loan: LoanId, number: u32, start: NaiveDate, previous: u32, previous_due: NaiveDate },

    #[error(
        "loan {loan}: installment {number} has a negative {portion} of {amount}: scheduled amounts are never negative"
    )]
    NegativeAmount { loan: LoanId, number: u32, portion: Portion, amount: Decimal },

    #[error(
        "loan {loan}: installment {number} has {portion} {amount}, finer than {currency}'s {decimals} decimal(s): \
         the schedule must be in the currency's minor unit (round it in the source)"
    )]
    NotInMinorUnit { loan: LoanId, number: u32, portion: Portion, amount: Decimal, currency: Currency, decimals: u32 },

    #[error(
        "loan {loan}: the scheduled amounts add up to more than the engine can hold \
         (about 9.2e18 minor units of {currency}): check the schedule for a misplaced decimal point"
    )]
    AmountTooLarge { loan: LoanId, currency: Currency },

    #[error("loan {loan}: the disbursement date {disbursed_on} is out of range: use a real calendar date")]
    DateOutOfRange { loan: LoanId, disbursed_on: NaiveDate },

    #[error(
        "loan {loan}: the interest pause from {from} to {to} ends before it starts: give the first paused day, then the last"
    )]
    PauseBackwards { loan: LoanId, from: NaiveDate, to: NaiveDate },

    #[error(
        "loan {loan} has already accrued through {accrued_through}; {date} is earlier: accruals only move \
         forward (re-running {accrued_through} does nothing); to correct past accruals, supply the new schedule \
         with reschedule, which books an accrual_adjustment"
    )]
    DateBeforeAccrued { loan: LoanId, date: NaiveDate, accrued_through: NaiveDate },

    #[error("the new schedule is for loan {found}, not {expected}: pass each loan's own schedule to reschedule")]
    WrongLoan { expected: LoanId, found: LoanId },

    #[error(
        "loan {loan}: the new schedule is in {found}, the loan accrues in {expected}: a loan cannot change \
         currency; close it and book a new loan"
    )]
    CurrencyChanged { loan: LoanId, expected: Currency, found: Currency },

    #[error(
        "loan {loan}: the schedule (or the product's accrual mode) is not the one its saved accrual state was \
         accrued on: restore it with restore_rescheduled, which books the difference as an accrual_adjustment"
    )]
    PlanChanged { loan: LoanId },

    #[error(
        "loan {loan}: the saved accrual state cannot be used: {reason}; it was changed outside Tieout or \
         written by a newer Tieout: run COB with the Tieout that wrote it, or restore the store from a backup"
    )]
    StateInvalid { loan: LoanId, reason: String },

    #[error("loan {loan} is already in the accrual book: reschedule it instead of adding it again")]
    DuplicateLoan { loan: LoanId },

    #[error("an accrual book holds at most 4,294,967,295 loans: split the portfolio into COB partitions")]
    BookFull,

    #[error("no loan at index {index} in this accrual book: use the index that insert returned for this book")]
    UnknownIndex { index: usize },

    #[error(
        "loan {loan}: the {kind} built from the engine's amounts is not a valid event ({problem}); this is a \
         defect in the accrual engine, please report it with the loan's schedule"
    )]
    InvalidEvent { loan: LoanId, kind: &'static str, problem: EventProblem },
}
