//! A simulated loan as the source reports it: canonical events, its repayment schedule and its
//! balances as of a date.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tieout_core::connector::{LoanBalance, LoanSchedule};
use tieout_core::event::{Event, EventHead, EventKind, EventProblem};
use tieout_core::ids::{EventId, LoanId};
use tieout_core::role::AccountingRule;

use crate::config::ValidatedSimulator;
use crate::earned::{Spread, earned};
use crate::lifecycle::LoanHistory;
use crate::record::{Parts, Record};

/// A loan's id: `L-` and its number in seven digits.
pub fn loan_id(number: u32) -> LoanId {
    LoanId::from(format!("L-{number:07}"))
}

fn event_id(loan: &LoanId, seq: u32) -> EventId {
    EventId::from(format!("{loan}-{seq:03}"))
}

impl LoanHistory {
    /// The canonical event of one of this loan's records.
    pub(crate) fn event(
        &self,
        book: &ValidatedSimulator,
        loan: &LoanId,
        record: &Record,
    ) -> Result<Event, EventProblem> {
        let product = &book.products[self.terms.product];
        let head = EventHead {
            id: event_id(loan, record.seq),
            loan_id: loan.clone(),
            product: product.id.clone(),
            kind: record.kind,
            date: record.date,
            currency: product.currency,
        };
        let amount = Decimal::new(record.portions.total(), self.decimals);
        let mut event = Event::new(head, amount, Some(record.portions.portions(self.decimals)))?;
        event.office = Some(book.offices[self.terms.office].clone());
        event.payment_type = record.payment_type.map(|p| book.names.payment_types[p.index()].clone());
        event.charge = record.charge.map(|c| book.names.charges[c.index()].clone());
        event.reverses = record.reverses.map(|seq| event_id(loan, seq));
        event.external_ref = record.receipt.then(|| format!("rcpt-{:07}-{:03}", self.terms.number, record.seq));
        event.charged_off = record.charged_off;
        event.fraud = record.fraud;
        event.check()?;
        Ok(event)
    }

    /// The repayment schedule as it stands after the simulated days.
    pub(crate) fn schedule(&self, book: &ValidatedSimulator, loan: LoanId) -> LoanSchedule {
        let product = &book.products[self.terms.product];
        LoanSchedule {
            loan_id: loan,
            product: product.id.clone(),
            office: Some(book.offices[self.terms.office].clone()),
            currency: product.currency,
            day_count: self.spec.day_count,
            disbursed_on: self.terms.disbursed_on,
            installments: self.rows.iter().map(|row| row.installment(self.decimals)).collect(),
        }
    }

    /// The loan's balances as of `as_of`, counting the records entered by `visible` (see the
    /// crate docs for the rule); `None` before the disbursement.
    ///
    /// The history must have been simulated through at least `visible`. (Its schedule may be
    /// later than `as_of`: no schedule change alters what was earned before the day it is made.)
    pub(crate) fn balance(
        &self,
        book: &ValidatedSimulator,
        loan: LoanId,
        as_of: NaiveDate,
        visible: NaiveDate,
    ) -> Option<LoanBalance> {
        if self.terms.disbursed_on > as_of.min(visible) {
            return None;
        }
        let mut effect = Parts::default();
        let mut stop: Option<NaiveDate> = None;
        let mut charged_off = false;
        for record in self.records.iter().filter(|r| r.date <= as_of && r.emitted <= visible) {
            effect.add(&record.effect);
            if record.stops_accrual() {
                stop = Some(stop.map_or(record.date, |s| s.min(record.date)));
            }
            charged_off |= record.kind == EventKind::ChargeOff;
        }
        let through = stop.map_or(as_of, |stop| stop.min(as_of));
        let spread = match self.spec.rule {
            AccountingRule::AccrualPeriodic => Some(Spread::Daily),
            AccountingRule::AccrualUpfront => Some(Spread::Upfront),
            AccountingRule::Cash | AccountingRule::None => None,
        };
        // Cash products carry no receivables: their income is booked when paid.
        let (interest, fee, penalty) = match spread {
            Some(spread) => {
                let earned = earned(&self.rows, spread, self.spec.day_count, self.terms.disbursed_on, through);
                (earned.interest + effect.interest, earned.fee + effect.fee, earned.penalty + effect.penalty)
            }
            None => (0, 0, 0),
        };
        let product = &book.products[self.terms.product];
        let d = self.decimals;
        Some(LoanBalance {
            loan_id: loan,
            product: product.id.clone(),
            office: Some(book.offices[self.terms.office].clone()),
            currency: product.currency,
            as_of,
            principal: Decimal::new(effect.principal, d),
            interest_receivable: Decimal::new(interest, d),
            fee_receivable: Decimal::new(fee, d),
            penalty_receivable: Decimal::new(penalty, d),
            overpayment: Decimal::new(effect.overpayment, d),
            charged_off,
        })
    }
}
