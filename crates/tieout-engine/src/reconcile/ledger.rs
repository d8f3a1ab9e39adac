//! Tieout's own side of a reconciliation, as the store reports it: sums of staged lines, never the
//! lines themselves. Amounts are ledger balances (debits minus credits).

use rust_decimal::Decimal;
use tieout_core::ids::{AccountRef, LoanId};
use tieout_core::money::Currency;

/// Per account and currency, the lines of the proposed (postable) entries dated on or before the
/// as-of date, by where their entry is in the send.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AccountLedger {
    pub account: AccountRef,
    pub currency: Currency,
    /// Posted to the sink (the posting is `posted`).
    pub posted: Decimal,
    /// Claimed by a sender that has not reported back (`sending`): it may or may not be in the sink.
    pub sending: Decimal,
    /// Staged and not sent yet: not enqueued, or `pending`.
    pub unsent: Decimal,
    /// The sink refused it (`failed`).
    pub failed: Decimal,
}

impl AccountLedger {
    pub fn zero(account: AccountRef, currency: Currency) -> Self {
        AccountLedger {
            account,
            currency,
            posted: Decimal::ZERO,
            sending: Decimal::ZERO,
            unsent: Decimal::ZERO,
            failed: Decimal::ZERO,
        }
    }
}

/// Per account, currency and loan, the lines of loan-level entries (postable) dated on or before
/// the as-of date: what Tieout booked for the loan, for the per-loan comparison.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LoanLedger {
    pub account: AccountRef,
    pub currency: Currency,
    pub loan: LoanId,
    /// Of it, in entries the sink has (`posted`).
    pub posted: Decimal,
    /// The rest: not sent yet, being sent, or failed.
    pub unposted: Decimal,
}

/// Lines of entries dated after the as-of date for events value-dated on or before it: events
/// that arrived after their month was sent (or locked) and were booked into a later period.
/// The servicing system counts them as of their own date; the ledger and the sink as of the
/// later one.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Backdated {
    pub account: AccountRef,
    pub currency: Currency,
    pub loan: Option<LoanId>,
    pub amount: Decimal,
}
