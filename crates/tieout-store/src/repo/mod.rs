//! Repositories: one per concern, each over a [`Conn`] (the pool or a caller's transaction).

pub(crate) mod accruals;
pub(crate) mod audit;
pub(crate) mod clients;
pub(crate) mod cursors;
pub(crate) mod entries;
pub(crate) mod events;
pub(crate) mod jobs;
pub(crate) mod ledger;
pub(crate) mod periods;
pub(crate) mod postings;
pub(crate) mod problems;
pub(crate) mod reconciliations;

use sea_orm::sea_query::{InsertStatement, IntoIden, OnConflict, Query, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use tieout_core::ids::ClientId;

use crate::codec::parse_stored;
use crate::entity::periods as period_rows;
use crate::error::StoreError;
use crate::types::{Backend, PeriodStatus, YearMonth};

/// Bind parameters one statement may carry: SQLite's limit is 32766 (since 3.32), Postgres' 65535.
pub(crate) fn max_params(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 32_766,
        Backend::Postgres => 65_535,
    }
}

/// Rows of `columns` values each that fit in one statement.
pub(crate) fn rows_per_statement(backend: Backend, columns: usize) -> usize {
    (max_params(backend) / columns.max(1)).max(1)
}

/// A multi-row INSERT of `rows` into `table`, optionally ignoring rows that hit `conflict`.
pub(crate) fn insert_rows<T, C>(
    table: T,
    columns: &[C],
    rows: impl IntoIterator<Item = Vec<SimpleExpr>>,
    conflict: Option<OnConflict>,
) -> Result<InsertStatement, StoreError>
where
    T: IntoIden,
    C: IntoIden + Copy,
{
    let mut insert = Query::insert();
    insert.into_table(table).columns(columns.iter().copied());
    for row in rows {
        insert.values(row).map_err(|e| StoreError::corrupt(format!("building an insert: {e}")))?;
    }
    if let Some(conflict) = conflict {
        insert.on_conflict(conflict);
    }
    Ok(insert)
}

/// A period's row id, status and current staging.
pub(crate) struct PeriodRow {
    pub id: i64,
    pub status: PeriodStatus,
    pub staging_id: Option<i64>,
}

pub(crate) async fn find_period<C: ConnectionTrait>(
    conn: &C,
    client: &ClientId,
    period: YearMonth,
) -> Result<Option<PeriodRow>, StoreError> {
    let row = period_rows::Entity::find()
        .filter(period_rows::Column::ClientId.eq(client.as_str()))
        .filter(period_rows::Column::Period.eq(period.to_string()))
        .one(conn)
        .await?;
    row.map(|m| Ok(PeriodRow { id: m.id, status: parse_stored("period status", &m.status)?, staging_id: m.staging_id }))
        .transpose()
}

/// The period's row, locked against status changes until the caller's transaction ends
/// (`FOR SHARE` on Postgres; SQLite's write transactions are serialized anyway).
pub(crate) async fn lock_period<C: ConnectionTrait>(
    conn: &C,
    client: &ClientId,
    period: YearMonth,
) -> Result<PeriodRow, StoreError> {
    let mut find = period_rows::Entity::find()
        .filter(period_rows::Column::ClientId.eq(client.as_str()))
        .filter(period_rows::Column::Period.eq(period.to_string()));
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        find = find.lock_shared();
    }
    let row =
        find.one(conn).await?.ok_or_else(|| StoreError::NotFound(format!("period {period} of client {client}")))?;
    Ok(PeriodRow { id: row.id, status: parse_stored("period status", &row.status)?, staging_id: row.staging_id })
}

pub(crate) async fn require_period<C: ConnectionTrait>(
    conn: &C,
    client: &ClientId,
    period: YearMonth,
) -> Result<PeriodRow, StoreError> {
    find_period(conn, client, period)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("period {period} of client {client}")))
}

pub(crate) fn status_error(
    client: &ClientId,
    period: YearMonth,
    expected: &str,
    actual: PeriodStatus,
    action: &str,
) -> StoreError {
    StoreError::PeriodStatus {
        client: client.to_string(),
        period: period.to_string(),
        expected: expected.to_owned(),
        actual: actual.to_string(),
        action: action.to_owned(),
    }
}
