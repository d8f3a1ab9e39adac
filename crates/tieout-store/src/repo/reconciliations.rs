//! Reconciliation runs: each run's JSON result, kept verbatim.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::value::RawValue;
use tieout_core::ids::ClientId;

use super::insert_rows;
use crate::codec::now;
use crate::conn::Conn;
use crate::entity::reconciliation_runs;
use crate::error::StoreError;

/// One reconciliation run.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ReconciliationRun {
    pub id: i64,
    pub client: ClientId,
    pub as_of: NaiveDate,
    pub created_at: DateTime<Utc>,
    /// The result document (DESIGN.md section 12's JSON), as it was given.
    pub result: String,
}

impl From<reconciliation_runs::Model> for ReconciliationRun {
    fn from(m: reconciliation_runs::Model) -> Self {
        ReconciliationRun {
            id: m.id,
            client: ClientId::from(m.client_id),
            as_of: m.as_of,
            created_at: m.created_at,
            result: m.result,
        }
    }
}

/// The reconciliation_runs table.
pub struct Reconciliations<'a> {
    conn: Conn<'a>,
}

impl<'a> Reconciliations<'a> {
    pub(crate) fn new(conn: Conn<'a>) -> Self {
        Reconciliations { conn }
    }

    /// Stores a run's result, which must be JSON; it is kept as text, byte for byte, so decimal
    /// strings and numbers are never re-read through a binary float.
    pub async fn insert(
        &self,
        client: &ClientId,
        as_of: NaiveDate,
        result: &str,
    ) -> Result<ReconciliationRun, StoreError> {
        serde_json::from_str::<&RawValue>(result)
            .map_err(|e| StoreError::Corrupt(format!("a reconciliation result must be JSON: {e}")))?;
        let insert = insert_rows(
            reconciliation_runs::Entity,
            &[
                reconciliation_runs::Column::ClientId,
                reconciliation_runs::Column::AsOf,
                reconciliation_runs::Column::CreatedAt,
                reconciliation_runs::Column::Result,
            ],
            [vec![Expr::val(client.as_str()), Expr::val(as_of), Expr::val(now()), Expr::val(result)]],
            None,
        )?
        .returning_col(reconciliation_runs::Column::Id)
        .to_owned();
        let row = self
            .conn
            .query_one(&insert)
            .await?
            .ok_or_else(|| StoreError::corrupt("the insert of a reconciliation run returned no id"))?;
        let id: i64 = row.try_get("", "id")?;
        self.get(id).await?.ok_or_else(|| StoreError::NotFound(format!("reconciliation run {id}")))
    }

    pub async fn get(&self, id: i64) -> Result<Option<ReconciliationRun>, StoreError> {
        Ok(reconciliation_runs::Entity::find_by_id(id).one(&self.conn).await?.map(ReconciliationRun::from))
    }

    /// The client's newest run (by as-of date, then creation).
    pub async fn latest(&self, client: &ClientId) -> Result<Option<ReconciliationRun>, StoreError> {
        Ok(self.list(client, 1).await?.into_iter().next())
    }

    /// The client's newest `limit` runs, newest first.
    pub async fn list(&self, client: &ClientId, limit: u64) -> Result<Vec<ReconciliationRun>, StoreError> {
        let rows = reconciliation_runs::Entity::find()
            .filter(reconciliation_runs::Column::ClientId.eq(client.as_str()))
            .order_by_desc(reconciliation_runs::Column::AsOf)
            .order_by_desc(reconciliation_runs::Column::Id)
            .limit(limit)
            .all(&self.conn)
            .await?;
        Ok(rows.into_iter().map(ReconciliationRun::from).collect())
    }
}
