//! What the simulation writes down: compact records of events in minor units, turned into
//! canonical [`Event`]s only when they are read.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tieout_core::event::{EventKind, Portions};

/// The five portions in minor units.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Parts {
    pub principal: i64,
    pub interest: i64,
    pub fee: i64,
    pub penalty: i64,
    pub overpayment: i64,
}

impl Parts {
    pub fn principal(amount: i64) -> Self {
        Parts { principal: amount, ..Parts::default() }
    }

    pub fn interest(amount: i64) -> Self {
        Parts { interest: amount, ..Parts::default() }
    }

    pub fn fee(amount: i64) -> Self {
        Parts { fee: amount, ..Parts::default() }
    }

    pub fn penalty(amount: i64) -> Self {
        Parts { penalty: amount, ..Parts::default() }
    }

    pub fn overpayment(amount: i64) -> Self {
        Parts { overpayment: amount, ..Parts::default() }
    }

    pub fn total(&self) -> i64 {
        self.principal + self.interest + self.fee + self.penalty + self.overpayment
    }

    pub fn negated(&self) -> Self {
        Parts {
            principal: -self.principal,
            interest: -self.interest,
            fee: -self.fee,
            penalty: -self.penalty,
            overpayment: -self.overpayment,
        }
    }

    pub fn add(&mut self, other: &Parts) {
        self.principal += other.principal;
        self.interest += other.interest;
        self.fee += other.fee;
        self.penalty += other.penalty;
        self.overpayment += other.overpayment;
    }

    /// What a payment of these portions does to the loan's books: principal and receivables go
    /// down, an overpayment is owed back to the borrower.
    pub fn as_payment(&self) -> Self {
        Parts { overpayment: self.overpayment, ..self.negated() }
    }

    pub fn portions(&self, decimals: u32) -> Portions {
        Portions {
            principal: Decimal::new(self.principal, decimals),
            interest: Decimal::new(self.interest, decimals),
            fee: Decimal::new(self.fee, decimals),
            penalty: Decimal::new(self.penalty, decimals),
            overpayment: Decimal::new(self.overpayment, decimals),
        }
    }
}

/// How the borrower paid.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum PayType {
    Ach,
    Card,
    Cash,
}

impl PayType {
    pub const ALL: [PayType; 3] = [PayType::Ach, PayType::Card, PayType::Cash];

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The charges the simulator knows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Charge {
    /// Fee paid at disbursement (`origination`).
    Origination,
    /// Fee due with each installment (`service-fee`).
    ServiceFee,
    /// Penalty for a late installment (`late-fee`).
    LateFee,
}

impl Charge {
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One event of one loan, in minor units.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Record {
    /// The loan's n-th event (from 1), in the order the simulation made them; part of the id.
    pub seq: u32,
    pub kind: EventKind,
    /// Value date.
    pub date: NaiveDate,
    /// The day the servicing system entered it: the value date, or later for a backdated one.
    pub emitted: NaiveDate,
    pub portions: Parts,
    /// What it does to the loan's balances (principal, receivables, overpayment owed).
    pub effect: Parts,
    pub payment_type: Option<PayType>,
    pub charge: Option<Charge>,
    /// The `seq` of the event a reversal reverses.
    pub reverses: Option<u32>,
    pub charged_off: Option<bool>,
    pub fraud: Option<bool>,
    /// Whether the event carries a receipt number (`external_ref`).
    pub receipt: bool,
}

impl Record {
    pub fn new(seq: u32, kind: EventKind, date: NaiveDate, portions: Parts, effect: Parts) -> Self {
        Record {
            seq,
            kind,
            date,
            emitted: date,
            portions,
            effect,
            payment_type: None,
            charge: None,
            reverses: None,
            charged_off: None,
            fraud: None,
            receipt: false,
        }
    }

    /// The kinds that stop a loan's accrual (the engine's `StopReason::for_kind`).
    pub fn stops_accrual(&self) -> bool {
        matches!(self.kind, EventKind::ChargeOff | EventKind::WriteOff | EventKind::Close)
    }
}
