//! Settings of a reconciliation.

use rust_decimal::Decimal;

/// How a reconciliation reports.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Options {
    /// The client's `reconcile_tolerance`: an unexplained remainder up to this, per account, is
    /// reported but is no alert.
    pub tolerance: Decimal,
    /// Loans listed per account in the drill-down (the largest first; the counts cover all).
    /// Bounded so that a systematic difference on a million loans stays a readable report.
    pub max_loans_per_account: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { tolerance: Decimal::ZERO, max_loans_per_account: 1_000 }
    }
}
