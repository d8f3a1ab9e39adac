//! The audit log: append-only. This API has no update or delete, and the database refuses both
//! (triggers on SQLite and Postgres, which also refuses TRUNCATE).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::value::RawValue;
use tieout_core::ids::ClientId;

use super::insert_rows;
use crate::codec::now;
use crate::conn::Conn;
use crate::entity::audit_log;
use crate::error::StoreError;

/// An action to record. `before` and `after` are JSON documents (or absent).
#[derive(Clone, Copy, Debug)]
pub struct NewAuditRecord<'r> {
    /// Who: a user name, or `system:<job>` for scheduled work.
    pub actor: &'r str,
    /// What, as a dotted name: `period.close`, `mapping.import`, `user.login`.
    pub action: &'r str,
    pub client: Option<&'r ClientId>,
    /// What it was done to: `period 2026-10`, `entry t3f…`.
    pub subject: &'r str,
    pub before: Option<&'r str>,
    pub after: Option<&'r str>,
}

/// A recorded action.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub client: Option<ClientId>,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Which records to read: newest first, optionally of one client, older than a record id.
#[derive(Clone, Debug)]
pub struct AuditQuery {
    pub client: Option<ClientId>,
    /// Only records with an id below this (the last id of the previous page).
    pub before_id: Option<i64>,
    pub limit: u64,
}

/// The audit_log table.
pub struct Audit<'a> {
    conn: Conn<'a>,
}

impl<'a> Audit<'a> {
    pub(crate) fn new(conn: Conn<'a>) -> Self {
        Audit { conn }
    }

    /// Appends a record; returns its id. In a [`crate::Tx`], it commits with the action it
    /// records.
    pub async fn append(&self, record: &NewAuditRecord<'_>) -> Result<i64, StoreError> {
        for (field, json) in [("before", record.before), ("after", record.after)] {
            if let Some(json) = json {
                serde_json::from_str::<&RawValue>(json)
                    .map_err(|e| StoreError::Corrupt(format!("audit record {field} must be JSON: {e}")))?;
            }
        }
        let insert = insert_rows(
            audit_log::Entity,
            &[
                audit_log::Column::At,
                audit_log::Column::Actor,
                audit_log::Column::Action,
                audit_log::Column::ClientId,
                audit_log::Column::Subject,
                audit_log::Column::Before,
                audit_log::Column::After,
            ],
            [vec![
                Expr::val(now()),
                Expr::val(record.actor),
                Expr::val(record.action),
                Expr::val(record.client.map(|c| c.as_str())),
                Expr::val(record.subject),
                Expr::val(record.before),
                Expr::val(record.after),
            ]],
            None,
        )?
        .returning_col(audit_log::Column::Id)
        .to_owned();
        let row = self
            .conn
            .query_one(&insert)
            .await?
            .ok_or_else(|| StoreError::corrupt("the insert of an audit record returned no id"))?;
        Ok(row.try_get("", "id")?)
    }

    pub async fn list(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        let mut find = audit_log::Entity::find();
        if let Some(client) = &query.client {
            find = find.filter(audit_log::Column::ClientId.eq(client.as_str()));
        }
        if let Some(before) = query.before_id {
            find = find.filter(audit_log::Column::Id.lt(before));
        }
        let rows = find.order_by_desc(audit_log::Column::Id).limit(query.limit).all(&self.conn).await?;
        Ok(rows
            .into_iter()
            .map(|m| AuditRecord {
                id: m.id,
                at: m.at,
                actor: m.actor,
                action: m.action,
                client: m.client_id.map(ClientId::from),
                subject: m.subject,
                before: m.before,
                after: m.after,
            })
            .collect())
    }
}
