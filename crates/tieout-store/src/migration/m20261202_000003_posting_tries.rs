//! `postings.tries_since_retry`: claims since the posting was created or last put back by
//! `retry_failed`. `attempts` counts every claim ever and says whether an earlier attempt may have
//! reached the sink (so the key is looked up before posting again); `tries_since_retry` is what
//! `max_attempts` caps, so that putting a failed posting back gives it `max_attempts` more tries
//! without forgetting that it must be looked up first.

use sea_orm::sea_query::{ColumnDef, Expr, Query, Table};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Postings {
    Table,
    Attempts,
    TriesSinceRetry,
}

// The trait's signature elides SchemaManager's lifetime; the impl must match it.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Postings::Table)
                    .add_column(ColumnDef::new(Postings::TriesSinceRetry).integer().not_null().default(0))
                    .take(),
            )
            .await?;
        // Postings that exist already keep the cap they had: their tries so far are their attempts.
        let carry_over = Query::update()
            .table(Postings::Table)
            .value(Postings::TriesSinceRetry, Expr::col(Postings::Attempts))
            .to_owned();
        manager.exec_stmt(carry_over).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Postings::Table).drop_column(Postings::TriesSinceRetry).take()).await
    }
}
