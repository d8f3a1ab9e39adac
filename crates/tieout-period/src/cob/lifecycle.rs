//! The stops (charge-off, write-off, close) and term changes (reschedule, interest pause, reage,
//! reamortize) COB has not applied yet, however late they arrived.
//!
//! COB remembers the last events-table row it applied in the client's cursor
//! [`MARKER`](self::MARKER), and each run reads the lifecycle events stored after it (an index
//! holds only those kinds, so this reads nothing else). Applying one again is harmless: a stop on
//! the date the loan already stopped changes nothing, and a term change only gives the date of a
//! schedule change that the schedule's fingerprint detects. So the marker is moved only after the
//! run has applied them all, and a crash just applies them again.

use std::collections::HashMap;

use chrono::NaiveDate;
use tieout_core::ids::{ClientId, LoanId, ProductId};
use tieout_engine::accrual::StopReason;
use tieout_store::Store;

use super::CobError;

/// The cursor (in the source cursors table) holding the last events row applied.
pub(crate) const MARKER: &str = "tieout-accruals:lifecycle";

/// Lifecycle events read per query.
const PAGE: u64 = 10_000;

/// What is pending for one loan.
#[derive(Clone, Debug)]
pub(crate) struct LoanChanges {
    pub product: ProductId,
    /// The earliest stop: the engine keeps the earliest anyway.
    pub stop: Option<(NaiveDate, StopReason)>,
    /// The earliest term change: the date a changed schedule takes effect.
    pub term_change: Option<NaiveDate>,
    /// The row of the loan's first pending event.
    pub first_row: i64,
    /// Whether the run found the loan in the source's schedules.
    pub seen: bool,
}

/// The lifecycle events stored after the marker, by loan.
pub(crate) struct Pending {
    loans: HashMap<LoanId, LoanChanges>,
    last_row: Option<i64>,
}

impl Pending {
    pub async fn load(store: &Store, client: &ClientId) -> Result<Self, CobError> {
        let mut after = match store.cursors().get(client, MARKER).await? {
            None => 0,
            Some(cursor) => cursor.cursor.parse().map_err(|_| CobError::BadMarker {
                client: client.to_string(),
                name: MARKER,
                value: cursor.cursor.clone(),
            })?,
        };
        let mut loans: HashMap<LoanId, LoanChanges> = HashMap::new();
        let mut last_row = None;
        loop {
            let page = store.accruals().lifecycle_events(client, after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.row;
            last_row = Some(last.row);
            for event in page {
                let changes = loans.entry(event.loan).or_insert_with(|| LoanChanges {
                    product: event.product,
                    stop: None,
                    term_change: None,
                    first_row: event.row,
                    seen: false,
                });
                if let Some(reason) = StopReason::for_kind(event.kind)
                    && changes.stop.is_none_or(|(date, _)| event.date < date)
                {
                    changes.stop = Some((event.date, reason));
                } else if event.kind.is_term_change() && changes.term_change.is_none_or(|date| event.date < date) {
                    changes.term_change = Some(event.date);
                }
            }
        }
        Ok(Pending { loans, last_row })
    }

    pub fn is_empty(&self) -> bool {
        self.loans.is_empty()
    }

    /// The loan's pending changes, marking it found.
    pub fn take(&mut self, loan: &LoanId) -> Option<&LoanChanges> {
        let changes = self.loans.get_mut(loan)?;
        changes.seen = true;
        Some(changes)
    }

    /// Loans with pending changes that the run did not find, for which `keep` says the changes
    /// must not be dropped (their product accrues: the source may report the schedule later).
    pub fn unfound(&self, mut keep: impl FnMut(&ProductId) -> bool) -> Vec<(&LoanId, &LoanChanges)> {
        let mut out: Vec<_> = self.loans.iter().filter(|(_, c)| !c.seen && keep(&c.product)).collect();
        out.sort_by_key(|(_, c)| c.first_row);
        out
    }

    /// The marker to store after the run: the last row read, or, when some loan's changes are
    /// kept for a later run, the row just before its first one.
    pub fn next_marker(&self, kept_from: Option<i64>) -> Option<i64> {
        match kept_from {
            Some(row) => Some(row - 1),
            None => self.last_row,
        }
    }
}
