//! Tieout's store: clients, periods, events, staged entries, postings, problems, the job-run
//! ledger, reconciliation runs and the audit log, on SQLite (one machine) or Postgres (many).
//!
//! [`Store::connect`] opens it, [`Store::migrate`] brings the schema up to this binary's, and the
//! repositories ([`Store::events`], [`Store::periods`], [`Store::postings`], …) take and return
//! the domain's types. sea-orm is an implementation detail: none of its types is public.
//!
//! Every repository operation commits on its own, atomically. To make several operations one
//! unit (insert events and advance the source cursor over them), open a [`Tx`] with
//! [`Store::begin`], use its repositories, and [`Tx::commit`]. `docs/store.md` describes the
//! tables, the status machines and what each transaction guarantees.

mod codec;
mod conn;
mod entity;
mod error;
mod migration;
mod repo;
#[cfg(feature = "testing")]
pub mod testing;
mod types;

use std::path::Path;
use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, Statement};
use sea_orm_migration::{MigrationStatus, MigratorTrait};

pub use error::{DbFailure, StoreError};
pub use repo::accruals::{AccrualRecord, Accruals, LIFECYCLE_KINDS, LifecycleEvent};
pub use repo::audit::{Audit, AuditQuery, AuditRecord, NewAuditRecord};
pub use repo::clients::{Client, Clients};
pub use repo::cursors::{Cursor, Cursors};
pub use repo::entries::{Entries, StageReport, StagedEntry, StagingInfo};
pub use repo::events::{Booking, Events, InsertReport, StoredEvent};
pub use repo::jobs::{JobKey, JobRun, JobRuns, JobStart};
pub use repo::ledger::Ledger;
pub use repo::periods::{Period, Periods};
pub use repo::postings::{ClaimRequest, ClaimedPosting, PostedOutcome, PostingCounts, PostingRecord, Postings};
pub use repo::problems::{Problem, Problems};
pub use repo::reconciliations::{ReconciliationRun, Reconciliations};
pub use types::{Backend, InvalidYearMonth, JobStatus, PeriodStatus, PostingStatus, Severity, UnknownName, YearMonth};

use conn::Conn;
use migration::Migrator;

/// How long [`Store::connect`] waits for the database to answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection pool to the store.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    backend: Backend,
}

/// What [`Store::migrate`] did.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MigrateReport {
    /// Migrations applied by this call, oldest first (empty when the schema was current).
    pub applied: Vec<String>,
    /// Every migration the database now has.
    pub current: Vec<String>,
}

/// Facts about the open store, for `tieout check` and the tests.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StoreInfo {
    pub backend: Backend,
    /// The server's version (`SELECT version()` / `sqlite_version()`).
    pub version: String,
    /// SQLite's `journal_mode` (`wal`), `synchronous` (`2` = FULL) and `foreign_keys` (`1`).
    pub sqlite_pragmas: Vec<(String, String)>,
    /// Applied migrations.
    pub migrations: Vec<String>,
}

impl Store {
    /// Opens the store at `url`: `sqlite://PATH` (the file and its folder are created when missing;
    /// WAL journal, `synchronous=FULL`, foreign keys on, 30 s busy timeout) or
    /// `postgres://USER@HOST[:PORT]/DATABASE` (add `?options=-c%20search_path%3DSCHEMA` for a
    /// schema other than `public`). Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let redacted = redact(url);
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl {
                url: redacted,
                reason: "use sqlite://PATH or postgres://USER@HOST/DATABASE".to_owned(),
            });
        };
        let mut options = ConnectOptions::new(url);
        options.sqlx_logging(false).connect_timeout(CONNECT_TIMEOUT).acquire_timeout(Duration::from_secs(60));
        match backend {
            Backend::Sqlite => {
                let memory = sqlite_is_memory(url);
                if !memory {
                    create_parent_dir(url).map_err(|message| StoreError::Connect { url: redacted.clone(), message })?;
                }
                // One writer at a time is SQLite's rule; a few connections let readers run beside it
                // (WAL). An in-memory database exists per connection, so it gets exactly one.
                options.max_connections(if memory { 1 } else { 4 }).min_connections(1);
                options.map_sqlx_sqlite_opts(|o| {
                    use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
                    o.create_if_missing(true)
                        .journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Full)
                        .foreign_keys(true)
                        .busy_timeout(Duration::from_secs(30))
                        // 64 MiB of page cache per connection (the default is 2 MiB): staging a
                        // large month touches indexes far bigger than that.
                        .pragma("cache_size", "-65536")
                        // Checkpoint the WAL every 64 MiB rather than every 4 MiB: a large staging
                        // otherwise checkpoints (and syncs the database file) after every chunk.
                        .pragma("wal_autocheckpoint", "16384")
                });
            }
            Backend::Postgres => {
                options.max_connections(8).min_connections(1);
            }
        }
        // Lazy pool plus one bounded ping: a server that is down fails the call in seconds,
        // while later acquires may wait longer for a busy pool.
        options.connect_lazy(true);
        let db = Database::connect(options)
            .await
            .map_err(|e| StoreError::Connect { url: redacted.clone(), message: e.to_string() })?;
        match tokio::time::timeout(CONNECT_TIMEOUT, db.ping()).await {
            Ok(Ok(())) => Ok(Store { db, backend }),
            Ok(Err(e)) => Err(StoreError::Connect { url: redacted, message: e.to_string() }),
            Err(_) => Err(StoreError::Connect {
                url: redacted,
                message: format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
            }),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies the migrations this binary has and the database lacks, all in one transaction (on
    /// Postgres under an advisory lock, so two processes starting together migrate once).
    /// Refuses a database that has migrations this binary does not know (a newer Tieout wrote it).
    pub async fn migrate(&self) -> Result<MigrateReport, StoreError> {
        let tx = conn::begin_write(&self.db).await?;
        if self.backend == Backend::Postgres {
            // Held until the transaction ends; the key is arbitrary but fixed ("tieout").
            tx.execute_raw(Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock(7449627510950933620)",
            ))
            .await?;
        }
        let known: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
        let applied_before = applied_versions(&tx).await?;
        let unknown: Vec<String> = applied_before.iter().filter(|v| !known.contains(v)).cloned().collect();
        if !unknown.is_empty() {
            return Err(StoreError::SchemaTooNew { unknown });
        }
        Migrator::up(&tx, None).await.map_err(|e| StoreError::Migration(e.to_string()))?;
        let current = applied_versions(&tx).await?;
        tx.commit().await?;
        let applied = current.iter().filter(|v| !applied_before.contains(v)).cloned().collect();
        Ok(MigrateReport { applied, current })
    }

    /// Reverts the newest `steps` migrations (all of them with `None`), newest first. For
    /// operators downgrading, and for the tests that prove every migration has a working `down`.
    pub async fn migrate_down(&self, steps: Option<u32>) -> Result<Vec<String>, StoreError> {
        let tx = conn::begin_write(&self.db).await?;
        let before = applied_versions(&tx).await?;
        Migrator::down(&tx, steps).await.map_err(|e| StoreError::Migration(e.to_string()))?;
        let after = applied_versions(&tx).await?;
        tx.commit().await?;
        Ok(before.into_iter().filter(|v| !after.contains(v)).rev().collect())
    }

    /// The migrations this binary knows, with whether each is applied.
    pub async fn migration_status(&self) -> Result<Vec<(String, bool)>, StoreError> {
        let with_status = Migrator::get_migration_with_status(&self.db).await?;
        Ok(with_status.iter().map(|m| (m.name().to_owned(), m.status() == MigrationStatus::Applied)).collect())
    }

    /// The server version, SQLite's pragmas and the applied migrations.
    pub async fn info(&self) -> Result<StoreInfo, StoreError> {
        let version_sql = match self.backend {
            Backend::Sqlite => "SELECT sqlite_version() AS v",
            Backend::Postgres => "SELECT version() AS v",
        };
        let version = self.scalar_text(version_sql).await?;
        let mut sqlite_pragmas = Vec::new();
        if self.backend == Backend::Sqlite {
            for pragma in ["journal_mode", "synchronous", "foreign_keys"] {
                let value =
                    self.scalar_text(&format!("SELECT CAST({pragma} AS TEXT) AS v FROM pragma_{pragma}")).await?;
                sqlite_pragmas.push((pragma.to_owned(), value));
            }
        }
        let migrations = applied_versions(&self.db).await?;
        Ok(StoreInfo { backend: self.backend, version, sqlite_pragmas, migrations })
    }

    async fn scalar_text(&self, sql: &str) -> Result<String, StoreError> {
        let row = self
            .db
            .query_one_raw(Statement::from_string(self.db.get_database_backend(), sql))
            .await?
            .ok_or_else(|| StoreError::corrupt(format!("`{sql}` returned no row")))?;
        Ok(row.try_get::<String>("", "v")?)
    }

    /// Starts a unit of work. Its repositories run inside it; nothing is visible to others until
    /// [`Tx::commit`]; dropping it without committing rolls everything back. On SQLite it holds the
    /// write lock until it ends (`BEGIN IMMEDIATE`): keep it short, and use only its repositories
    /// while it is open.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(Tx { tx: conn::begin_write(&self.db).await? })
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(self) -> Result<(), StoreError> {
        Ok(self.db.close().await?)
    }

    fn conn(&self) -> Conn<'_> {
        Conn::Pool(&self.db)
    }

    pub fn clients(&self) -> Clients<'_> {
        Clients::new(self.conn())
    }
    pub fn periods(&self) -> Periods<'_> {
        Periods::new(self.conn())
    }
    pub fn cursors(&self) -> Cursors<'_> {
        Cursors::new(self.conn())
    }
    pub fn events(&self) -> Events<'_> {
        Events::new(self.conn())
    }
    pub fn entries(&self) -> Entries<'_> {
        Entries::new(self.conn())
    }
    pub fn postings(&self) -> Postings<'_> {
        Postings::new(self.conn())
    }
    pub fn problems(&self) -> Problems<'_> {
        Problems::new(self.conn())
    }
    pub fn job_runs(&self) -> JobRuns<'_> {
        JobRuns::new(self.conn())
    }
    pub fn reconciliations(&self) -> Reconciliations<'_> {
        Reconciliations::new(self.conn())
    }
    /// Sums of staged lines per account and loan, for reconciliation.
    pub fn ledger(&self) -> Ledger<'_> {
        Ledger::new(self.conn())
    }
    pub fn audit(&self) -> Audit<'_> {
        Audit::new(self.conn())
    }
    pub fn accruals(&self) -> Accruals<'_> {
        Accruals::new(self.conn())
    }
}

/// A unit of work: the repositories of a [`Tx`] all run in one database transaction.
pub struct Tx {
    tx: DatabaseTransaction,
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        Ok(self.tx.rollback().await?)
    }

    fn conn(&self) -> Conn<'_> {
        Conn::Tx(&self.tx)
    }

    pub fn clients(&self) -> Clients<'_> {
        Clients::new(self.conn())
    }
    pub fn periods(&self) -> Periods<'_> {
        Periods::new(self.conn())
    }
    pub fn cursors(&self) -> Cursors<'_> {
        Cursors::new(self.conn())
    }
    pub fn events(&self) -> Events<'_> {
        Events::new(self.conn())
    }
    /// Staging inside a unit of work writes every chunk in it (no chunk commits on its own).
    pub fn entries(&self) -> Entries<'_> {
        Entries::new(self.conn())
    }
    pub fn postings(&self) -> Postings<'_> {
        Postings::new(self.conn())
    }
    pub fn problems(&self) -> Problems<'_> {
        Problems::new(self.conn())
    }
    pub fn job_runs(&self) -> JobRuns<'_> {
        JobRuns::new(self.conn())
    }
    pub fn reconciliations(&self) -> Reconciliations<'_> {
        Reconciliations::new(self.conn())
    }
    /// Sums of staged lines per account and loan, for reconciliation.
    pub fn ledger(&self) -> Ledger<'_> {
        Ledger::new(self.conn())
    }
    pub fn audit(&self) -> Audit<'_> {
        Audit::new(self.conn())
    }
    pub fn accruals(&self) -> Accruals<'_> {
        Accruals::new(self.conn())
    }
}

async fn applied_versions<C: ConnectionTrait>(db: &C) -> Result<Vec<String>, StoreError> {
    let models = Migrator::get_migration_models(db).await?;
    Ok(models.into_iter().map(|m| m.version).collect())
}

/// The URL without its password.
fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            let path = path.split('?').next().unwrap_or("");
            match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    let user = userinfo.split(':').next().unwrap_or("");
                    let hidden = if userinfo.contains(':') { ":***" } else { "" };
                    format!("{scheme}://{user}{hidden}@{host}{path}")
                }
                None => format!("{scheme}://{authority}{path}"),
            }
        }
        None => url.split('?').next().unwrap_or(url).to_owned(),
    }
}

fn sqlite_path(url: &str) -> &str {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    rest.split('?').next().unwrap_or(rest)
}

fn sqlite_is_memory(url: &str) -> bool {
    let path = sqlite_path(url);
    path.is_empty() || path == ":memory:" || url.contains("mode=memory")
}

fn create_parent_dir(url: &str) -> Result<(), String> {
    let path = Path::new(sqlite_path(url));
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() && !parent.exists() => std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create the folder {} for the database: {e}", parent.display())),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted_and_sqlite_paths_found() {
        assert_eq!(redact("postgres://u:secret@h:5432/db?sslmode=x"), "postgres://u:***@h:5432/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(sqlite_path("sqlite://data/tieout.db?mode=rwc"), "data/tieout.db");
        assert_eq!(sqlite_path("sqlite:///tmp/x.db"), "/tmp/x.db");
        assert!(sqlite_is_memory("sqlite::memory:"));
        assert!(!sqlite_is_memory("sqlite://data/tieout.db"));
    }
}
