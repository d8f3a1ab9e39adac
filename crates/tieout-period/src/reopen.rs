//! Reopen: take a proposal back for more changes in the servicing system.

use tieout_store::{Period, PeriodStatus, Store, YearMonth};

use crate::{Books, PeriodError};

/// Moves a `proposed` period back to `open` (compare-and-set, audited; the preparer is cleared).
/// A period stuck in `proposing` (its proposing process died) is reopened too. The staged entries
/// and problems are kept, for reference, until the next proposal replaces them; nothing is sent
/// from an open period (Send needs `proposed`). A period being sent or sent is refused.
pub async fn reopen(store: &Store, books: &Books<'_>, period: YearMonth, actor: &str) -> Result<Period, PeriodError> {
    let client = books.client;
    let current = store.periods().get(client, period).await?;
    let status = current.map_or(PeriodStatus::Open, |p| p.status);
    match status {
        PeriodStatus::Proposed | PeriodStatus::Proposing => {
            Ok(store.periods().transition(client, period, status, PeriodStatus::Open, actor).await?)
        }
        status => Err(PeriodError::CannotReopen { client: client.to_string(), period, status }),
    }
}
