//! Reconciliation (DESIGN.md section 9): gathers the three sides — the servicing system's loan
//! balances (paged), Tieout's ledger from the store, the accounting package's trial balance —
//! runs the maths of `tieout_engine::reconcile`, stores the run, and returns it.
//!
//! Run it while no send of the client is in progress: the store and the sink are read one after
//! the other, and an entry posted in between shows on one side only (as "posted outside Tieout",
//! until the next run).

use chrono::NaiveDate;
use tieout_core::connector::{AccountingSink, Cursor, ServicingSource};
use tieout_core::ids::AccountRef;
use tieout_engine::reconcile::{Options, Reconciler, Reconciliation};
use tieout_store::{Store, StoreError};

use crate::sync::ensure_client;
use crate::{Books, PeriodError};

/// Balances asked of the source per page.
pub const BALANCE_PAGE_SIZE: usize = 1_000;

/// How a reconciliation runs.
#[derive(Clone, Copy, Debug)]
pub struct ReconcileOptions {
    /// The maths' options: the client's tolerance, loans listed per account.
    pub engine: Options,
    /// Loan balances per page read from the source.
    pub page_size: usize,
}

impl Default for ReconcileOptions {
    fn default() -> Self {
        ReconcileOptions { engine: Options::default(), page_size: BALANCE_PAGE_SIZE }
    }
}

/// Reconciles the client's books as of `as_of` with the default options (no tolerance) and
/// stores the run.
pub async fn reconcile(
    store: &Store,
    books: &Books<'_>,
    source: &dyn ServicingSource,
    sink: &dyn AccountingSink,
    as_of: NaiveDate,
) -> Result<Reconciliation, PeriodError> {
    reconcile_with(store, books, source, sink, as_of, &ReconcileOptions::default()).await
}

/// Reconciles the client's books as of `as_of` and stores the run (its JSON, DESIGN.md section
/// 12's document) in the store's reconciliation runs.
pub async fn reconcile_with(
    store: &Store,
    books: &Books<'_>,
    source: &dyn ServicingSource,
    sink: &dyn AccountingSink,
    as_of: NaiveDate,
    options: &ReconcileOptions,
) -> Result<Reconciliation, PeriodError> {
    let client = books.client;
    ensure_client(store, client).await?;
    let mut reconciler = Reconciler::new(client.clone(), as_of, books.rules, books.mapping, options.engine);

    let mut cursor: Option<Cursor> = None;
    let mut pages = 0_u64;
    loop {
        let page = source.balances(as_of, cursor.as_ref(), options.page_size.max(1)).await?;
        reconciler.add_balances(&page.items);
        pages += 1;
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }

    let ledger = store.ledger();
    reconciler.set_ledger(ledger.accounts(client, as_of).await?, ledger.backdated(client, as_of).await?);
    reconciler.set_sink(sink.trial_balance(as_of).await?);
    let drill: Vec<AccountRef> = reconciler.drill_down_accounts().into_iter().map(|k| k.account).collect();
    let loans = ledger.loans(client, as_of, &drill).await?;
    let result = reconciler.finish(&loans);

    // The document is plain data (string keys, decimal strings): serializing it cannot fail, but
    // if it ever did, nothing half-written is stored.
    let json = serde_json::to_string(&result)
        .map_err(|e| StoreError::Corrupt(format!("a reconciliation could not be written as JSON: {e}")))?;
    let run = store.reconciliations().insert(client, as_of, &json).await?;
    tracing::info!(
        client = %client,
        %as_of,
        run = run.id,
        loans = result.loans,
        pages,
        accounts = result.accounts.len(),
        differences_total = %result.differences_total,
        unexplained_total = %result.unexplained_total,
        "Reconciled."
    );
    Ok(result)
}
