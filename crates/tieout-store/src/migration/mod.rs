//! Migrations: one set for SQLite and Postgres, written with the schema builder. Raw SQL only
//! where a backend has no builder for it (the audit log's append-only triggers).
//!
//! A migration is never edited once released: a change of schema is a new migration here, with
//! its `down`. Each runs in a transaction on both backends (SQLite's DDL is transactional too).

mod m20261201_000001_initial;
mod m20261201_000002_audit_append_only;
mod m20261202_000003_posting_tries;
mod m20261202_000004_accrual_states;

use sea_orm::ConnectionTrait as _;
use sea_orm::sea_query::{Alias, ColumnDef};
use sea_orm_migration::{DbErr, MigrationTrait, MigratorTrait, SchemaManager};

/// Every migration, oldest first.
pub(crate) struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261201_000001_initial::Migration),
            Box::new(m20261201_000002_audit_append_only::Migration),
            Box::new(m20261202_000003_posting_tries::Migration),
            Box::new(m20261202_000004_accrual_states::Migration),
        ]
    }
}

/// A money column: `NUMERIC` (unbounded: any scale is kept as written) on Postgres; on SQLite
/// `decimal_text`, a type name with TEXT affinity, so the decimal's string is stored as it is
/// (the builder's own Decimal is `real` there, which would round through a binary float).
pub(crate) fn money<T: sea_orm::sea_query::IntoIden>(manager: &SchemaManager<'_>, name: T) -> ColumnDef {
    let mut column = ColumnDef::new(name);
    match manager.get_database_backend() {
        sea_orm::DbBackend::Postgres => column.decimal(),
        _ => column.custom(Alias::new("decimal_text")),
    };
    column.not_null();
    column
}

/// Runs `sql` as it is (used only where the schema builder has no statement for it).
pub(crate) async fn raw(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    manager.get_connection().execute_unprepared(sql).await.map(|_| ())
}
