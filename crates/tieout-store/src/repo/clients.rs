//! Clients: one lender's books each.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use tieout_core::ids::ClientId;

use super::insert_rows;
use crate::codec::now;
use crate::conn::Conn;
use crate::entity::clients;
use crate::error::StoreError;

/// A client as stored.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl From<clients::Model> for Client {
    fn from(m: clients::Model) -> Self {
        Client { id: ClientId::from(m.id), name: m.name, created_at: m.created_at }
    }
}

/// The clients table.
pub struct Clients<'a> {
    conn: Conn<'a>,
}

impl<'a> Clients<'a> {
    pub(crate) fn new(conn: Conn<'a>) -> Self {
        Clients { conn }
    }

    /// Creates the client if it is new, or renames it; returns it as stored.
    pub async fn ensure(&self, id: &ClientId, name: &str) -> Result<Client, StoreError> {
        let insert = insert_rows(
            clients::Entity,
            &[clients::Column::Id, clients::Column::Name, clients::Column::CreatedAt],
            [vec![Expr::val(id.as_str()), Expr::val(name), Expr::val(now())]],
            Some(OnConflict::column(clients::Column::Id).update_column(clients::Column::Name).to_owned()),
        )?;
        self.conn.execute(&insert).await?;
        self.get(id).await?.ok_or_else(|| StoreError::NotFound(format!("client {id}")))
    }

    pub async fn get(&self, id: &ClientId) -> Result<Option<Client>, StoreError> {
        Ok(clients::Entity::find_by_id(id.as_str()).one(&self.conn).await?.map(Client::from))
    }

    /// Every client, by id.
    pub async fn list(&self) -> Result<Vec<Client>, StoreError> {
        let rows = clients::Entity::find().order_by_asc(clients::Column::Id).all(&self.conn).await?;
        Ok(rows.into_iter().map(Client::from).collect())
    }
}
