//! What the engine produces: plain, `Copy` postings, one per loan, kind and date.
//!
//! The compute path only pushes these into a caller's reused `Vec` (no allocation per loan-day);
//! turning them into canonical events, with their string ids, is a separate step (`events`).

use chrono::NaiveDate;

use super::Amounts;
use super::amounts::Minor;

/// A loan's position in an [`AccrualBook`](super::AccrualBook) (0 for a loan used on its own).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct LoanIndex(pub u32);

impl LoanIndex {
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// What a posting is, which decides its event kind and id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum PostingKind {
    /// Income earned on the days up to `date` since the loan's previous accrual
    /// (`accrual`, never negative).
    Accrual,
    /// A correction of what was already accrued (`accrual_adjustment`). All portions share one
    /// sign: a correction that raises one portion and lowers another is two postings. `seq`
    /// numbers the loan's adjustments from 1 and keeps their ids unique.
    Adjustment { seq: u32 },
    /// The accruals since the loan's previous activity, reported as one posting on an
    /// installment's due date, at a stop, or (upfront) at disbursement (`accrual_activity`).
    /// `installment` is the installment it closes, or 0 for the upfront disbursement activity.
    Activity { installment: u32 },
}

/// One accrual posting of one loan.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct AccrualPosting {
    pub loan: LoanIndex,
    pub kind: PostingKind,
    pub date: NaiveDate,
    pub amounts: Amounts,
}

/// Collects one call's postings, merging those of the same kind and date.
///
/// A call that crosses due dates closes one accrual per installment (dated its due date), so an
/// activity never summarizes an accrual dated after it. Two installments due on the same day (a
/// zero-length one) merge into one posting, which keeps ids, made of loan and date, unique.
pub(crate) struct Collector<'a> {
    out: &'a mut Vec<AccrualPosting>,
    loan: LoanIndex,
    decimals: u32,
    date: Option<NaiveDate>,
    accrual: Minor,
    activity: Minor,
    installment: u32,
}

impl<'a> Collector<'a> {
    pub fn new(out: &'a mut Vec<AccrualPosting>, loan: LoanIndex, decimals: u32) -> Self {
        Self { out, loan, decimals, date: None, accrual: Minor::ZERO, activity: Minor::ZERO, installment: 0 }
    }

    fn move_to(&mut self, date: NaiveDate) {
        if self.date != Some(date) {
            self.flush();
            self.date = Some(date);
        }
    }

    /// Income earned through `date`.
    pub fn accrual(&mut self, date: NaiveDate, amounts: Minor) {
        self.move_to(date);
        self.accrual += amounts;
    }

    /// An activity on `date` closing `installment`.
    pub fn activity(&mut self, date: NaiveDate, installment: u32, amounts: Minor) {
        self.move_to(date);
        self.activity += amounts;
        self.installment = installment;
    }

    /// Writes what is still pending; call it last.
    pub fn finish(mut self) {
        self.flush();
    }

    /// Writes what is pending: the accrual first, then the activity that may summarize it.
    fn flush(&mut self) {
        let Some(date) = self.date else { return };
        if !self.accrual.is_zero() {
            self.push(PostingKind::Accrual, date, self.accrual);
        }
        if !self.activity.is_zero() {
            self.push(PostingKind::Activity { installment: self.installment }, date, self.activity);
        }
        self.accrual = Minor::ZERO;
        self.activity = Minor::ZERO;
        self.date = None;
    }

    /// Writes a posting now (adjustments, which are never merged).
    pub fn push(&mut self, kind: PostingKind, date: NaiveDate, amounts: Minor) {
        self.out.push(AccrualPosting { loan: self.loan, kind, date, amounts: amounts.to_amounts(self.decimals) });
    }
}
