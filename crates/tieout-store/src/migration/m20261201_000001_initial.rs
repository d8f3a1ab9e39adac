//! The first schema: every table of the store.

use sea_orm::sea_query::{ColumnDef, Expr, ExprTrait, ForeignKey, ForeignKeyAction, Index, Table};
use sea_orm_migration::prelude::*;

use super::money;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Clients {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Periods {
    Table,
    Id,
    ClientId,
    Period,
    Status,
    ClosedBy,
    ClosedAt,
    SentBy,
    SentAt,
    StagingId,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SourceCursors {
    Table,
    ClientId,
    Source,
    Cursor,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Events {
    Table,
    Id,
    ClientId,
    Source,
    SourceId,
    Raw,
    Kind,
    Loan,
    Product,
    ValueDate,
    Amount,
    Currency,
    ReceivedAt,
    PeriodId,
    BookedOn,
}

#[derive(DeriveIden, Clone, Copy)]
enum Stagings {
    Table,
    Id,
    ClientId,
    PeriodId,
    DetailLevel,
    StartedAt,
    FinishedAt,
    Entries,
    Lines,
}

#[derive(DeriveIden, Clone, Copy)]
enum StagedEntries {
    Table,
    StagingId,
    EntryNo,
    ClientId,
    PeriodId,
    Key,
    IsDetail,
    SummaryNo,
    DetailCount,
    Date,
    Kind,
    Currency,
    Memo,
    Postable,
    DetailLevel,
    Total,
}

#[derive(DeriveIden, Clone, Copy)]
enum StagedLines {
    Table,
    StagingId,
    EntryNo,
    LineNo,
    Side,
    Role,
    Account,
    Amount,
    Product,
    Office,
    Loan,
    EventIds,
}

#[derive(DeriveIden, Clone, Copy)]
enum Postings {
    Table,
    Id,
    ClientId,
    PeriodId,
    EntryKey,
    Status,
    Retryable,
    ExternalRef,
    Attempts,
    LastError,
    ClaimedBy,
    LeaseUntil,
    CreatedAt,
    UpdatedAt,
    PostedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Problems {
    Table,
    Id,
    ClientId,
    PeriodId,
    Code,
    Severity,
    Sentence,
    Fix,
    EventId,
    Product,
    Role,
    Account,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum JobRuns {
    Table,
    Id,
    ClientId,
    Kind,
    BusinessDate,
    Partition,
    Status,
    Attempts,
    Owner,
    LastError,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ReconciliationRuns {
    Table,
    Id,
    ClientId,
    AsOf,
    CreatedAt,
    Result,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditLog {
    Table,
    Id,
    At,
    Actor,
    Action,
    ClientId,
    Subject,
    Before,
    After,
}

/// SQLite: store the table in its primary key's b-tree (one b-tree per row written instead of
/// two). Postgres has no such clause.
fn without_rowid(manager: &SchemaManager<'_>) -> String {
    match manager.get_database_backend() {
        sea_orm::DbBackend::Sqlite => "WITHOUT ROWID".to_owned(),
        _ => String::new(),
    }
}

fn id<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().auto_increment().primary_key().take()
}

fn text<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).text().not_null().take()
}

fn text_null<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).text().null().take()
}

fn instant<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().not_null().take()
}

fn instant_null<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().null().take()
}

fn date<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).date().not_null().take()
}

/// A status column that admits only `values`.
fn status<T: IntoIden + Clone + 'static>(name: T, values: &[&'static str]) -> ColumnDef {
    let check = Expr::col(name.clone()).is_in(values.iter().copied());
    ColumnDef::new(name).string().not_null().check(check).take()
}

fn client_fk<T: IntoIden + 'static>(table: T, column: impl IntoIden + 'static) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Clients::Table, Clients::Id)
        .on_delete(ForeignKeyAction::Restrict)
        .take()
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
            .create_table(
                Table::create()
                    .table(Clients::Table)
                    .col(ColumnDef::new(Clients::Id).text().not_null().primary_key())
                    .col(text(Clients::Name))
                    .col(instant(Clients::CreatedAt))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Periods::Table)
                    .col(id(Periods::Id))
                    .col(text(Periods::ClientId))
                    .col(ColumnDef::new(Periods::Period).string_len(7).not_null())
                    .col(status(Periods::Status, &["open", "proposing", "proposed", "sending", "sent"]))
                    .col(text_null(Periods::ClosedBy))
                    .col(instant_null(Periods::ClosedAt))
                    .col(text_null(Periods::SentBy))
                    .col(instant_null(Periods::SentAt))
                    // The current staging; not a foreign key, because stagings point at periods.
                    .col(ColumnDef::new(Periods::StagingId).big_integer().null())
                    .col(instant(Periods::UpdatedAt))
                    .foreign_key(&mut client_fk(Periods::Table, Periods::ClientId))
                    .take(),
            )
            .await?;
        unique(manager, "ux_periods_client_period", Periods::Table, &[Periods::ClientId, Periods::Period]).await?;

        manager
            .create_table(
                Table::create()
                    .table(SourceCursors::Table)
                    .col(text(SourceCursors::ClientId))
                    .col(text(SourceCursors::Source))
                    .col(text(SourceCursors::Cursor))
                    .col(instant(SourceCursors::UpdatedAt))
                    .primary_key(Index::create().col(SourceCursors::ClientId).col(SourceCursors::Source))
                    .foreign_key(&mut client_fk(SourceCursors::Table, SourceCursors::ClientId))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(id(Events::Id))
                    .col(text(Events::ClientId))
                    .col(text(Events::Source))
                    .col(text(Events::SourceId))
                    .col(text(Events::Raw))
                    .col(text(Events::Kind))
                    .col(text(Events::Loan))
                    .col(text(Events::Product))
                    .col(date(Events::ValueDate))
                    .col(money(manager, Events::Amount))
                    .col(ColumnDef::new(Events::Currency).string_len(3).not_null())
                    .col(instant(Events::ReceivedAt))
                    .col(ColumnDef::new(Events::PeriodId).big_integer().null())
                    .col(ColumnDef::new(Events::BookedOn).date().null())
                    .foreign_key(&mut client_fk(Events::Table, Events::ClientId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Events::Table, Events::PeriodId)
                            .to(Periods::Table, Periods::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .take(),
            )
            .await?;
        unique(manager, "ux_events_client_source_id", Events::Table, &[Events::ClientId, Events::SourceId]).await?;
        index(manager, "ix_events_client_period", Events::Table, &[Events::ClientId, Events::PeriodId]).await?;

        manager
            .create_table(
                Table::create()
                    .table(Stagings::Table)
                    .col(id(Stagings::Id))
                    .col(text(Stagings::ClientId))
                    .col(ColumnDef::new(Stagings::PeriodId).big_integer().not_null())
                    .col(text(Stagings::DetailLevel))
                    .col(instant(Stagings::StartedAt))
                    .col(instant_null(Stagings::FinishedAt))
                    .col(ColumnDef::new(Stagings::Entries).big_integer().not_null())
                    .col(ColumnDef::new(Stagings::Lines).big_integer().not_null())
                    .foreign_key(&mut client_fk(Stagings::Table, Stagings::ClientId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Stagings::Table, Stagings::PeriodId)
                            .to(Periods::Table, Periods::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        index(manager, "ix_stagings_period", Stagings::Table, &[Stagings::PeriodId]).await?;

        manager
            .create_table(
                Table::create()
                    .table(StagedEntries::Table)
                    .col(ColumnDef::new(StagedEntries::StagingId).big_integer().not_null())
                    .col(ColumnDef::new(StagedEntries::EntryNo).integer().not_null())
                    .col(text(StagedEntries::ClientId))
                    .col(ColumnDef::new(StagedEntries::PeriodId).big_integer().not_null())
                    .col(text(StagedEntries::Key))
                    .col(ColumnDef::new(StagedEntries::IsDetail).boolean().not_null())
                    .col(ColumnDef::new(StagedEntries::SummaryNo).integer().null())
                    .col(ColumnDef::new(StagedEntries::DetailCount).integer().not_null())
                    .col(date(StagedEntries::Date))
                    .col(text(StagedEntries::Kind))
                    .col(ColumnDef::new(StagedEntries::Currency).string_len(3).not_null())
                    .col(text(StagedEntries::Memo))
                    .col(ColumnDef::new(StagedEntries::Postable).boolean().not_null())
                    .col(text(StagedEntries::DetailLevel))
                    .col(money(manager, StagedEntries::Total))
                    .primary_key(Index::create().col(StagedEntries::StagingId).col(StagedEntries::EntryNo))
                    .extra(without_rowid(manager))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StagedEntries::Table, StagedEntries::StagingId)
                            .to(Stagings::Table, Stagings::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        unique(
            manager,
            "ux_staged_entries_staging_key",
            StagedEntries::Table,
            &[StagedEntries::StagingId, StagedEntries::IsDetail, StagedEntries::Key],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(StagedLines::Table)
                    .col(ColumnDef::new(StagedLines::StagingId).big_integer().not_null())
                    .col(ColumnDef::new(StagedLines::EntryNo).integer().not_null())
                    .col(ColumnDef::new(StagedLines::LineNo).integer().not_null())
                    .col(status(StagedLines::Side, &["debit", "credit"]))
                    .col(text(StagedLines::Role))
                    .col(text(StagedLines::Account))
                    .col(money(manager, StagedLines::Amount))
                    .col(text(StagedLines::Product))
                    .col(text_null(StagedLines::Office))
                    .col(text_null(StagedLines::Loan))
                    .col(text(StagedLines::EventIds))
                    .primary_key(
                        Index::create().col(StagedLines::StagingId).col(StagedLines::EntryNo).col(StagedLines::LineNo),
                    )
                    // No foreign key to staged_entries: lines are written only in the transaction
                    // that writes their entry and deleted before it, and a per-row foreign-key
                    // check triples the cost of loading them on Postgres (measured: 200k lines by
                    // COPY, 1.15 s with it, 0.38 s without).
                    .extra(without_rowid(manager))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Postings::Table)
                    .col(id(Postings::Id))
                    .col(text(Postings::ClientId))
                    .col(ColumnDef::new(Postings::PeriodId).big_integer().not_null())
                    .col(text(Postings::EntryKey))
                    .col(status(Postings::Status, &["pending", "sending", "posted", "failed"]))
                    .col(ColumnDef::new(Postings::Retryable).boolean().not_null())
                    .col(text_null(Postings::ExternalRef))
                    .col(ColumnDef::new(Postings::Attempts).integer().not_null())
                    .col(text_null(Postings::LastError))
                    .col(text_null(Postings::ClaimedBy))
                    .col(instant_null(Postings::LeaseUntil))
                    .col(instant(Postings::CreatedAt))
                    .col(instant(Postings::UpdatedAt))
                    .col(instant_null(Postings::PostedAt))
                    .foreign_key(&mut client_fk(Postings::Table, Postings::ClientId))
                    .foreign_key(&mut period_fk_named(Postings::Table, Postings::PeriodId))
                    .take(),
            )
            .await?;
        unique(manager, "ux_postings_client_key", Postings::Table, &[Postings::ClientId, Postings::EntryKey]).await?;
        index(manager, "ix_postings_period_status", Postings::Table, &[Postings::PeriodId, Postings::Status]).await?;

        manager
            .create_table(
                Table::create()
                    .table(Problems::Table)
                    .col(id(Problems::Id))
                    .col(text(Problems::ClientId))
                    .col(ColumnDef::new(Problems::PeriodId).big_integer().not_null())
                    .col(text(Problems::Code))
                    .col(status(Problems::Severity, &["error", "warning"]))
                    .col(text(Problems::Sentence))
                    .col(text(Problems::Fix))
                    .col(text_null(Problems::EventId))
                    .col(text_null(Problems::Product))
                    .col(text_null(Problems::Role))
                    .col(text_null(Problems::Account))
                    .col(instant(Problems::CreatedAt))
                    .foreign_key(&mut client_fk(Problems::Table, Problems::ClientId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Problems::Table, Problems::PeriodId)
                            .to(Periods::Table, Periods::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        index(manager, "ix_problems_period", Problems::Table, &[Problems::PeriodId]).await?;

        manager
            .create_table(
                Table::create()
                    .table(JobRuns::Table)
                    .col(id(JobRuns::Id))
                    .col(text(JobRuns::ClientId))
                    .col(text(JobRuns::Kind))
                    .col(date(JobRuns::BusinessDate))
                    .col(ColumnDef::new(JobRuns::Partition).integer().not_null())
                    .col(status(JobRuns::Status, &["running", "done", "failed"]))
                    .col(ColumnDef::new(JobRuns::Attempts).integer().not_null())
                    .col(text_null(JobRuns::Owner))
                    .col(text_null(JobRuns::LastError))
                    .col(instant(JobRuns::StartedAt))
                    .col(instant_null(JobRuns::FinishedAt))
                    .foreign_key(&mut client_fk(JobRuns::Table, JobRuns::ClientId))
                    .take(),
            )
            .await?;
        unique(
            manager,
            "ux_job_runs_run",
            JobRuns::Table,
            &[JobRuns::ClientId, JobRuns::Kind, JobRuns::BusinessDate, JobRuns::Partition],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReconciliationRuns::Table)
                    .col(id(ReconciliationRuns::Id))
                    .col(text(ReconciliationRuns::ClientId))
                    .col(date(ReconciliationRuns::AsOf))
                    .col(instant(ReconciliationRuns::CreatedAt))
                    .col(text(ReconciliationRuns::Result))
                    .foreign_key(&mut client_fk(ReconciliationRuns::Table, ReconciliationRuns::ClientId))
                    .take(),
            )
            .await?;
        index(
            manager,
            "ix_reconciliation_runs_client_as_of",
            ReconciliationRuns::Table,
            &[ReconciliationRuns::ClientId, ReconciliationRuns::AsOf],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(id(AuditLog::Id))
                    .col(instant(AuditLog::At))
                    .col(text(AuditLog::Actor))
                    .col(text(AuditLog::Action))
                    // Not a foreign key: the log also records actions on clients that are gone or
                    // were never created (a refused login, a bad config).
                    .col(text_null(AuditLog::ClientId))
                    .col(text(AuditLog::Subject))
                    .col(text_null(AuditLog::Before))
                    .col(text_null(AuditLog::After))
                    .take(),
            )
            .await?;
        index(manager, "ix_audit_log_client", AuditLog::Table, &[AuditLog::ClientId]).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Children before parents.
        for table in [
            AuditLog::Table.into_iden(),
            ReconciliationRuns::Table.into_iden(),
            JobRuns::Table.into_iden(),
            Problems::Table.into_iden(),
            Postings::Table.into_iden(),
            StagedLines::Table.into_iden(),
            StagedEntries::Table.into_iden(),
            Stagings::Table.into_iden(),
            Events::Table.into_iden(),
            SourceCursors::Table.into_iden(),
            Periods::Table.into_iden(),
            Clients::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}

fn period_fk_named<T: IntoIden + 'static, C: IntoIden + 'static>(table: T, column: C) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Periods::Table, Periods::Id)
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

async fn unique<T: IntoIden + Clone + 'static, C: IntoIden + Clone + 'static>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    columns: &[C],
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table).unique();
    for column in columns {
        index.col(column.clone());
    }
    manager.create_index(index).await
}

async fn index<T: IntoIden + Clone + 'static, C: IntoIden + Clone + 'static>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    columns: &[C],
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column.clone());
    }
    manager.create_index(index).await
}
