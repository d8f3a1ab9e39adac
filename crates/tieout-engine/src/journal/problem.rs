//! What can stop an event from becoming an entry, said so that a person can fix it.

use std::fmt;

use tieout_core::event::EventKind;
use tieout_core::ids::{EventId, LoanId, ProductId};
use tieout_core::role::Role;

/// The kind of problem, stable for the store and the UI.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ProblemCode {
    /// A role the posting needs resolves to no account.
    Unmapped,
    /// The product has no accounting rule.
    NoRule,
    /// The event carries a portion the rule set does not book.
    UnbookedPortion,
    /// A reversal names an event that is not known.
    UnknownReversal,
    /// A reversal names an event that itself could not be journalized.
    ReversalOfFailed,
    /// A reversal's amount differs from the event it reverses.
    ReversalMismatch,
    /// The same event id appears twice.
    DuplicateEvent,
    /// The entry would mix currencies.
    MixedCurrency,
    /// The entry could not be built (unbalanced, or an amount finer than the currency allows).
    BadEntry,
}

impl ProblemCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::Unmapped => "unmapped_role",
            ProblemCode::NoRule => "no_accounting_rule",
            ProblemCode::UnbookedPortion => "unbooked_portion",
            ProblemCode::UnknownReversal => "unknown_reversal",
            ProblemCode::ReversalOfFailed => "reversal_of_failed_event",
            ProblemCode::ReversalMismatch => "reversal_amount_mismatch",
            ProblemCode::DuplicateEvent => "duplicate_event",
            ProblemCode::MixedCurrency => "mixed_currency",
            ProblemCode::BadEntry => "bad_entry",
        }
    }
}

/// One event that could not be journalized.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct JournalProblem {
    /// The event's position in the input (0-based), so a caller can name its line.
    pub index: usize,
    pub event: EventId,
    pub loan: LoanId,
    pub product: ProductId,
    pub kind: EventKind,
    pub role: Option<Role>,
    pub code: ProblemCode,
    /// The sentence for a person, including the fix.
    pub message: String,
}

impl fmt::Display for JournalProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event {} ({}, loan {}, product {}", self.event, self.kind, self.loan, self.product)?;
        if let Some(role) = self.role {
            write!(f, ", role {role}")?;
        }
        write!(f, "): {}", self.message)
    }
}
