//! `accrual_states`: each loan's accrual position between business dates (COB, DESIGN.md
//! section 6), and a partial index that finds the events COB applies to it (stops and term
//! changes) without reading the millions of other events.

use sea_orm::sea_query::{ColumnDef, ForeignKey, ForeignKeyAction, Index, Table};
use sea_orm_migration::prelude::*;

use super::raw;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum AccrualStates {
    Table,
    ClientId,
    Loan,
    Product,
    Fingerprint,
    AccruedThrough,
    Active,
    State,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Clients {
    Table,
    Id,
}

/// The event kinds COB reads back (charge-off, write-off and close stop a loan; the others
/// change its terms). Frozen with this migration: the repository's query names the same list,
/// which is what lets both databases use the partial index.
const LIFECYCLE_INDEX: &str = "CREATE INDEX ix_events_lifecycle ON events (client_id, id) WHERE kind IN \
     ('charge_off', 'write_off', 'close', 'reschedule', 'interest_pause', 'reage', 'reamortize')";

// The trait's signature elides SchemaManager's lifetime; the impl must match it.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite: the rows live in the primary key's b-tree (one b-tree written per upsert).
        let without_rowid = match manager.get_database_backend() {
            sea_orm::DbBackend::Sqlite => "WITHOUT ROWID",
            _ => "",
        };
        manager
            .create_table(
                Table::create()
                    .table(AccrualStates::Table)
                    .col(ColumnDef::new(AccrualStates::ClientId).text().not_null())
                    .col(ColumnDef::new(AccrualStates::Loan).text().not_null())
                    .col(ColumnDef::new(AccrualStates::Product).text().not_null())
                    .col(ColumnDef::new(AccrualStates::Fingerprint).text().not_null())
                    .col(ColumnDef::new(AccrualStates::AccruedThrough).date().null())
                    // Whether the loan can still accrue without a new schedule or stop.
                    .col(ColumnDef::new(AccrualStates::Active).boolean().not_null())
                    // The engine's AccrualState as JSON text, written and read verbatim.
                    .col(ColumnDef::new(AccrualStates::State).text().not_null())
                    .col(ColumnDef::new(AccrualStates::UpdatedAt).timestamp_with_time_zone().not_null())
                    .primary_key(Index::create().col(AccrualStates::ClientId).col(AccrualStates::Loan))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccrualStates::Table, AccrualStates::ClientId)
                            .to(Clients::Table, Clients::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .extra(without_rowid)
                    .take(),
            )
            .await?;
        // The schema builder has no partial index; the statement is the same on both backends.
        raw(manager, LIFECYCLE_INDEX).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        raw(manager, "DROP INDEX IF EXISTS ix_events_lifecycle").await?;
        manager.drop_table(Table::drop().table(AccrualStates::Table).take()).await
    }
}
