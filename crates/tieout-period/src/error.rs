//! Why a month-close step failed or was refused. Every refusal is a sentence that says what to do;
//! [`PeriodError::is_retryable`] says whether running the same step again later can help.

use chrono::{DateTime, NaiveDate, Utc};
use tieout_core::connector::{Retryable, SinkError, SourceError};
use tieout_core::entry::EntryKey;
use tieout_store::{PeriodStatus, StoreError, YearMonth};

/// What went wrong in a month-close step.
#[derive(Debug, thiserror::Error)]
pub enum PeriodError {
    /// The store failed (busy, lost connection) or refused a change (a status changed meanwhile).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading from the servicing system failed.
    #[error("syncing events failed: {0}")]
    Source(#[from] SourceError),
    /// The accounting package failed as a whole (not one entry of a batch).
    #[error("{0}")]
    Sink(#[from] SinkError),
    /// Another close of the same month is running (or died half-way).
    #[error(
        "period {period} of client {client} is being proposed right now: wait for it to finish; if the process that \
         proposed it died, reopen the period and close it again"
    )]
    Busy { client: String, period: YearMonth },
    /// Send needs a proposed period.
    #[error(
        "period {period} of client {client} is {status}, not proposed: close the month (propose it), review the \
         entries, then send"
    )]
    NotProposed { client: String, period: YearMonth, status: PeriodStatus },
    /// The period was sent (or is being sent); its entries never change again.
    #[error(
        "period {period} of client {client} is already {status}: a sent month never changes; events that arrive for \
         it are booked into the next open month when that month is closed"
    )]
    AlreadySent { client: String, period: YearMonth, status: PeriodStatus },
    /// Only a `proposed` (or stuck `proposing`) period can be reopened.
    #[error(
        "period {period} of client {client} is {status}: only a proposed period can be reopened (a period being sent \
         or sent cannot)"
    )]
    CannotReopen { client: String, period: YearMonth, status: PeriodStatus },
    /// The proposal has problems that block sending.
    #[error(
        "period {period} of client {client} has {blocking} blocking problem(s): fix them (see the period's problems: \
         each says how), reload the month, then send"
    )]
    Blocked { client: String, period: YearMonth, blocking: u64 },
    /// Separation of duties: the preparer may not approve.
    #[error(
        "period {period} of client {client} was closed by {user}, and this client requires a different user to send \
         it (separation_of_duties): ask another user to review and send it"
    )]
    SameUser { client: String, period: YearMonth, user: String },
    /// Entries dated in a month the accounting package has locked.
    #[error(
        "the accounting package's books are locked up to {lock_date}, and period {period} of client {client} has \
         entries dated on or before it (the first on {first}): ask the accountant to move the lock date in the \
         accounting package, then send again"
    )]
    Locked { client: String, period: YearMonth, lock_date: NaiveDate, first: NaiveDate },
    /// Abandon needs a period being sent.
    #[error(
        "period {period} of client {client} is {status}: only a period being sent (sending) can be abandoned, or a \
         proposed one whose abandon did not finish; a proposed period can be reloaded or reopened as it is"
    )]
    CannotAbandon { client: String, period: YearMonth, status: PeriodStatus },
    /// Abandon while another sender holds entries: it may be posting them right now.
    #[error(
        "period {period} of client {client} has {held} entr(ies) being sent right now, claimed until {until}: wait \
         for that send to finish (or, if its process died, until {until}), then abandon again; nothing was changed"
    )]
    StillSending { client: String, period: YearMonth, held: u64, until: DateTime<Utc> },
    /// Abandon moved the period back to proposed, but could not ask the accounting package about
    /// some entries an earlier attempt may have posted.
    #[error(
        "period {period} of client {client} is proposed again, but {left} entr(ies) of the abandoned send could \
         not be looked up in the accounting package ({error}): run abandon again when the accounting package \
         answers, before sending"
    )]
    AbandonUnfinished { client: String, period: YearMonth, left: u64, error: SinkError },
    /// Entries posted before a send was abandoned are missing from the new proposal: their events
    /// would be posted a second time under other keys.
    #[error(
        "period {period} of client {client} was sent in part before its send was abandoned, and {count} entr(ies) \
         already posted to the accounting package are not in the proposal any more (the first: {first}), so their \
         events would be posted twice: entry keys change with the rule set's version, the detail level and the \
         month's events, so reload the month with the rule set and detail level it was first sent with"
    )]
    PostedNotProposed { client: String, period: YearMonth, count: u64, first: EntryKey },
    /// Unposted entries of an abandon that did not finish are missing from the new proposal.
    #[error(
        "period {period} of client {client} has {count} unposted entr(ies) left from an abandoned send that are not \
         in the proposal any more (the first: {first}): abandon again (it looks them up in the accounting package \
         and drops them), then send"
    )]
    AbandonLeftovers { client: String, period: YearMonth, count: u64, first: EntryKey },
}

impl PeriodError {
    /// Whether the same step, run again later, can succeed without a fix.
    pub fn is_retryable(&self) -> bool {
        match self {
            PeriodError::Store(e) => e.is_retryable(),
            PeriodError::Source(e) => e.is_retryable(),
            PeriodError::Sink(e) => e.is_retryable(),
            PeriodError::Busy { .. } => true,
            PeriodError::NotProposed { .. }
            | PeriodError::AlreadySent { .. }
            | PeriodError::CannotReopen { .. }
            | PeriodError::Blocked { .. }
            | PeriodError::SameUser { .. }
            | PeriodError::Locked { .. }
            | PeriodError::CannotAbandon { .. }
            | PeriodError::PostedNotProposed { .. }
            | PeriodError::AbandonLeftovers { .. } => false,
            // The other sender finishes, or its lease runs out.
            PeriodError::StillSending { .. } => true,
            PeriodError::AbandonUnfinished { error, .. } => error.is_retryable(),
        }
    }
}
