//! Pulling events from the servicing system into the store, page by page, resumable.

use tieout_core::connector::{Cursor, ServicingSource};
use tieout_core::ids::ClientId;
use tieout_store::Store;

use crate::PeriodError;

/// What a sync did.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SyncReport {
    /// Pages that had events.
    pub pages: u64,
    /// Events stored now.
    pub new: u64,
    /// Events the store already had (the same source id again).
    pub duplicates: u64,
    /// The stored cursor after the sync (`None` when the source never gave one).
    pub cursor: Option<String>,
}

/// Reads the source's events after the client's stored cursor (named by `source.kind()`), page
/// by page of at most `page_size`, until a page comes back empty. Each page's events and the
/// cursor after them are stored in ONE transaction: after a crash the next sync resumes after the
/// last page stored, and a page read twice only counts duplicates.
pub async fn sync_events(
    store: &Store,
    client: &ClientId,
    source: &dyn ServicingSource,
    page_size: usize,
) -> Result<SyncReport, PeriodError> {
    let name = source.kind();
    ensure_client(store, client).await?;
    let mut cursor = store.cursors().get(client, name).await?.map(|c| Cursor(c.cursor));
    let mut report = SyncReport { cursor: cursor.as_ref().map(|c| c.0.clone()), ..SyncReport::default() };
    loop {
        let page = source.events(cursor.as_ref(), page_size.max(1)).await?;
        let Some(next) = page.next else { break };
        if page.items.is_empty() {
            break;
        }
        let tx = store.begin().await?;
        let inserted = tx.events().insert_batch(client, name, &page.items).await?;
        tx.cursors().set(client, name, &next.0).await?;
        tx.commit().await?;
        report.pages += 1;
        report.new += inserted.new;
        report.duplicates += inserted.duplicates;
        report.cursor = Some(next.0.clone());
        // A source that hands back the cursor it was given would loop forever: stop.
        if cursor.as_ref() == Some(&next) {
            break;
        }
        cursor = Some(next);
    }
    tracing::debug!(client = %client, source = name, new = report.new, duplicates = report.duplicates, "Synced events.");
    Ok(report)
}

/// Creates the client row (named by its id) when the store does not have it yet.
pub(crate) async fn ensure_client(store: &Store, client: &ClientId) -> Result<(), PeriodError> {
    if store.clients().get(client).await?.is_none() {
        store.clients().ensure(client, client.as_str()).await?;
    }
    Ok(())
}
