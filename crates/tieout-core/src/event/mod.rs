//! The canonical event (DESIGN.md section 4): one servicing transaction in Tieout's public form.

mod jsonl;
mod kind;
mod portions;
mod wire;

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use jsonl::{EventError, EventProblem, parse_event_line, parse_events, write_event_line};
pub use kind::{EventKind, PortionsRule, UnknownKind};
pub use portions::{Portion, Portions};

use crate::ids::{ChargeName, EventId, LoanId, OfficeId, PaymentType, ProductId};
use crate::money::{Currency, Money};

/// A validated servicing transaction. Build it from JSON with [`parse_event_line`] or in code
/// with [`Event::new`]; either way the amount equals the sum of the portions.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Event {
    pub id: EventId,
    pub loan_id: LoanId,
    pub product: ProductId,
    pub kind: EventKind,
    /// Value date.
    pub date: NaiveDate,
    pub currency: Currency,
    pub amount: Decimal,
    pub portions: Portions,
    pub payment_type: Option<PaymentType>,
    pub charge: Option<ChargeName>,
    pub office: Option<OfficeId>,
    pub reverses: Option<EventId>,
    pub external_ref: Option<String>,
    /// The loan's charged-off state at the event, where the source knows it.
    pub charged_off: Option<bool>,
    /// Whether the loan was charged off as fraud, where the source knows it.
    pub fraud: Option<bool>,
}

/// The fields every event needs; the optional ones are set on the result.
#[derive(Clone, Debug)]
pub struct EventHead {
    pub id: EventId,
    pub loan_id: LoanId,
    pub product: ProductId,
    pub kind: EventKind,
    pub date: NaiveDate,
    pub currency: Currency,
}

impl Event {
    /// Builds an event, applying the same checks as the JSON parser: no negative amount (except
    /// a signed accrual adjustment, whose portions share its sign), amount = sum of portions,
    /// portions present where the kind needs them, a reversal names what it reverses.
    pub fn new(head: EventHead, amount: Decimal, portions: Option<Portions>) -> Result<Self, EventProblem> {
        let portions = resolve_portions(head.kind, amount, portions)?;
        let event = Event {
            id: head.id,
            loan_id: head.loan_id,
            product: head.product,
            kind: head.kind,
            date: head.date,
            currency: head.currency,
            amount,
            portions,
            payment_type: None,
            charge: None,
            office: None,
            reverses: None,
            external_ref: None,
            charged_off: None,
            fraud: None,
        };
        Ok(event)
    }

    /// Checks that need the whole event (run by the parser after the optional fields are set).
    pub fn check(&self) -> Result<(), EventProblem> {
        if self.kind == EventKind::Reversal && self.reverses.is_none() {
            return Err(EventProblem::ReversalWithoutTarget);
        }
        if self.kind != EventKind::Reversal && self.reverses.is_some() {
            return Err(EventProblem::ReversesOnNonReversal { kind: self.kind });
        }
        if self.reverses.as_ref() == Some(&self.id) {
            return Err(EventProblem::ReversesItself);
        }
        Ok(())
    }

    pub fn money(&self) -> Money {
        Money::new(self.amount, self.currency)
    }
}

fn resolve_portions(kind: EventKind, amount: Decimal, portions: Option<Portions>) -> Result<Portions, EventProblem> {
    if amount.is_sign_negative() && !amount.is_zero() && !kind.is_signed() {
        return Err(EventProblem::NegativeAmount { amount });
    }
    let portions = match (portions, kind.portions_rule()) {
        (Some(portions), _) => portions,
        (None, PortionsRule::Default(portion)) => Portions::only(portion, amount),
        (None, PortionsRule::Required) if amount.is_zero() => Portions::default(),
        (None, PortionsRule::Required) => return Err(EventProblem::PortionsRequired { kind }),
    };
    for (portion, value) in portions.iter() {
        let wrong_sign = if amount.is_sign_negative() {
            value.is_sign_positive() && !value.is_zero()
        } else {
            value.is_sign_negative() && !value.is_zero()
        };
        if wrong_sign {
            return Err(EventProblem::PortionSign { portion, value, amount });
        }
    }
    if portions.sum() != amount {
        return Err(EventProblem::PortionsMismatch { amount, sum: portions.sum() });
    }
    Ok(portions)
}
