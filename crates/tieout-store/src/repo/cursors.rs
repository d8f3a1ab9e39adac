//! Source cursors: how far each source has been read, per client.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ConnectionTrait, EntityTrait};
use tieout_core::ids::ClientId;

use super::insert_rows;
use crate::codec::now;
use crate::conn::Conn;
use crate::entity::source_cursors;
use crate::error::StoreError;

/// A source's position: an opaque string the source connector understands.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Cursor {
    pub source: String,
    pub cursor: String,
    pub updated_at: DateTime<Utc>,
}

/// The source_cursors table. Advance a cursor in the same [`crate::Tx`] as the events it
/// covers, so that a crash never leaves the cursor past events that were not stored.
pub struct Cursors<'a> {
    conn: Conn<'a>,
}

impl<'a> Cursors<'a> {
    pub(crate) fn new(conn: Conn<'a>) -> Self {
        Cursors { conn }
    }

    pub async fn get(&self, client: &ClientId, source: &str) -> Result<Option<Cursor>, StoreError> {
        let row = source_cursors::Entity::find_by_id((client.to_string(), source.to_owned())).one(&self.conn).await?;
        Ok(row.map(|m| Cursor { source: m.source, cursor: m.cursor, updated_at: m.updated_at }))
    }

    /// Sets (or creates) the cursor.
    pub async fn set(&self, client: &ClientId, source: &str, cursor: &str) -> Result<(), StoreError> {
        let upsert = insert_rows(
            source_cursors::Entity,
            &[
                source_cursors::Column::ClientId,
                source_cursors::Column::Source,
                source_cursors::Column::Cursor,
                source_cursors::Column::UpdatedAt,
            ],
            [vec![Expr::val(client.as_str()), Expr::val(source), Expr::val(cursor), Expr::val(now())]],
            Some(
                OnConflict::columns([source_cursors::Column::ClientId, source_cursors::Column::Source])
                    .update_columns([source_cursors::Column::Cursor, source_cursors::Column::UpdatedAt])
                    .to_owned(),
            ),
        )?;
        self.conn.execute(&upsert).await?;
        Ok(())
    }
}
