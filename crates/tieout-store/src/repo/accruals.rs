//! Accrual states: each loan's accrual position between business dates (DESIGN.md section 6),
//! and the two reads of the events table that COB needs to move them (the stops and term
//! changes it has not applied yet, and the first disbursement).
//!
//! A state is written in the same [`crate::Tx`] as the accrual events it produced, so after a
//! crash a loan is either at its old state with none of the new events, or at its new state with
//! all of them.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use tieout_core::event::EventKind;
use tieout_core::ids::{ClientId, LoanId, ProductId};
use tieout_engine::accrual::AccrualState;

use super::{insert_rows, rows_per_statement};
use crate::codec::{now, parse_stored};
use crate::conn::Conn;
use crate::entity::{accrual_states, events};
use crate::error::StoreError;

/// One loan's stored accrual state.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AccrualRecord {
    pub loan: LoanId,
    pub product: ProductId,
    pub state: AccrualState,
    /// Whether the loan can still accrue without a new schedule or stop (not finished). COB
    /// checks that every active loan was reached.
    pub active: bool,
}

/// A stop or term change as stored in the events table.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LifecycleEvent {
    /// The event's row: COB remembers the last one it applied.
    pub row: i64,
    pub loan: LoanId,
    pub product: ProductId,
    pub kind: EventKind,
    pub date: NaiveDate,
}

/// The kinds [`Accruals::lifecycle_events`] reads. The same list, in the same words, as the
/// partial index `ix_events_lifecycle` (migration 000004): that is what lets the databases use it.
pub const LIFECYCLE_KINDS: [EventKind; 7] = [
    EventKind::ChargeOff,
    EventKind::WriteOff,
    EventKind::Close,
    EventKind::Reschedule,
    EventKind::InterestPause,
    EventKind::Reage,
    EventKind::Reamortize,
];

/// The index's predicate, verbatim (literals, not bound parameters: SQLite uses a partial
/// index only for a query whose WHERE contains the index's own terms).
const LIFECYCLE_PREDICATE: &str =
    "kind IN ('charge_off', 'write_off', 'close', 'reschedule', 'interest_pause', 'reage', 'reamortize')";

const UPSERT_COLUMNS: [accrual_states::Column; 8] = [
    accrual_states::Column::ClientId,
    accrual_states::Column::Loan,
    accrual_states::Column::Product,
    accrual_states::Column::Fingerprint,
    accrual_states::Column::AccruedThrough,
    accrual_states::Column::Active,
    accrual_states::Column::State,
    accrual_states::Column::UpdatedAt,
];

/// The accrual_states table.
pub struct Accruals<'a> {
    conn: Conn<'a>,
}

impl<'a> Accruals<'a> {
    pub(crate) fn new(conn: Conn<'a>) -> Self {
        Accruals { conn }
    }

    /// The stored states of those of `loans` that have one, in no particular order.
    pub async fn load(&self, client: &ClientId, loans: &[LoanId]) -> Result<Vec<AccrualRecord>, StoreError> {
        // One bind for the client, the rest for loan ids.
        let per_statement = rows_per_statement(self.conn.backend(), 1).saturating_sub(8).max(1);
        let mut out = Vec::with_capacity(loans.len());
        for chunk in loans.chunks(per_statement) {
            let rows = accrual_states::Entity::find()
                .filter(accrual_states::Column::ClientId.eq(client.as_str()))
                .filter(accrual_states::Column::Loan.is_in(chunk.iter().map(LoanId::as_str)))
                .all(&self.conn)
                .await?;
            for row in rows {
                out.push(to_record(row)?);
            }
        }
        Ok(out)
    }

    /// Writes `records` (a new loan's state, or a newer one of a stored loan), all or none.
    /// Multi-row statements sized under the bind-parameter limit; inside a [`crate::Tx`] they
    /// commit with it.
    pub async fn upsert(&self, client: &ClientId, records: &[AccrualRecord]) -> Result<u64, StoreError> {
        let at = now();
        let per_statement = rows_per_statement(self.conn.backend(), UPSERT_COLUMNS.len());
        let tx = self.conn.begin_write().await?;
        let mut written = 0;
        for chunk in records.chunks(per_statement) {
            let mut rows = Vec::with_capacity(chunk.len());
            for record in chunk {
                let state = serde_json::to_string(&record.state).map_err(|e| {
                    StoreError::corrupt(format!("the accrual state of loan {} cannot be written: {e}", record.loan))
                })?;
                rows.push(vec![
                    Expr::val(client.as_str()),
                    Expr::val(record.loan.as_str()),
                    Expr::val(record.product.as_str()),
                    Expr::val(record.state.fingerprint().to_string()),
                    Expr::val(record.state.accrued_through()),
                    Expr::val(record.active),
                    Expr::val(state),
                    Expr::val(at),
                ]);
            }
            let upsert = insert_rows(
                accrual_states::Entity,
                &UPSERT_COLUMNS,
                rows,
                Some(
                    OnConflict::columns([accrual_states::Column::ClientId, accrual_states::Column::Loan])
                        .update_columns(UPSERT_COLUMNS[2..].iter().copied())
                        .to_owned(),
                ),
            )?;
            written += tx.execute(&upsert).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(written)
    }

    /// How many loans of the client have a stored state.
    pub async fn count(&self, client: &ClientId) -> Result<u64, StoreError> {
        Ok(accrual_states::Entity::find()
            .filter(accrual_states::Column::ClientId.eq(client.as_str()))
            .count(&self.conn)
            .await?)
    }

    /// Active loans accrued only up to a date before `date` (a COB for `date` did not reach
    /// them: the source stopped reporting their schedule): how many, and up to `sample` of them.
    pub async fn behind(
        &self,
        client: &ClientId,
        date: NaiveDate,
        sample: u64,
    ) -> Result<(u64, Vec<LoanId>), StoreError> {
        let find = || {
            accrual_states::Entity::find()
                .filter(accrual_states::Column::ClientId.eq(client.as_str()))
                .filter(accrual_states::Column::Active.eq(true))
                .filter(accrual_states::Column::AccruedThrough.lt(date))
        };
        let count = find().count(&self.conn).await?;
        if count == 0 {
            return Ok((0, Vec::new()));
        }
        let loans: Vec<String> = find()
            .select_only()
            .column(accrual_states::Column::Loan)
            .order_by_asc(accrual_states::Column::Loan)
            .limit(sample)
            .into_tuple()
            .all(&self.conn)
            .await?;
        Ok((count, loans.into_iter().map(LoanId::from).collect()))
    }

    /// The client's stops and term changes ([`LIFECYCLE_KINDS`]) stored after row `after`, in
    /// row order, at most `limit`.
    pub async fn lifecycle_events(
        &self,
        client: &ClientId,
        after: i64,
        limit: u64,
    ) -> Result<Vec<LifecycleEvent>, StoreError> {
        let rows: Vec<(i64, String, String, String, NaiveDate)> = events::Entity::find()
            .select_only()
            .column(events::Column::Id)
            .column(events::Column::Loan)
            .column(events::Column::Product)
            .column(events::Column::Kind)
            .column(events::Column::ValueDate)
            .filter(events::Column::ClientId.eq(client.as_str()))
            .filter(events::Column::Id.gt(after))
            .filter(Expr::cust(LIFECYCLE_PREDICATE))
            .order_by_asc(events::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.conn)
            .await?;
        rows.into_iter()
            .map(|(row, loan, product, kind, date)| {
                Ok(LifecycleEvent {
                    row,
                    loan: LoanId::from(loan),
                    product: ProductId::from(product),
                    kind: parse_stored("event kind", &kind)?,
                    date,
                })
            })
            .collect()
    }

    /// The value date of the client's earliest disbursement, if it has one.
    pub async fn first_disbursement(&self, client: &ClientId) -> Result<Option<NaiveDate>, StoreError> {
        let first: Option<Option<NaiveDate>> = events::Entity::find()
            .select_only()
            .expr(Expr::col(events::Column::ValueDate).min())
            .filter(events::Column::ClientId.eq(client.as_str()))
            .filter(events::Column::Kind.eq(EventKind::Disbursement.as_str()))
            .into_tuple()
            .one(&self.conn)
            .await?;
        Ok(first.flatten())
    }
}

fn to_record(row: accrual_states::Model) -> Result<AccrualRecord, StoreError> {
    let state: AccrualState = serde_json::from_str(&row.state).map_err(|e| {
        StoreError::corrupt(format!("the accrual state of loan {} of client {}: {e}", row.loan, row.client_id))
    })?;
    Ok(AccrualRecord { loan: LoanId::from(row.loan), product: ProductId::from(row.product), state, active: row.active })
}
