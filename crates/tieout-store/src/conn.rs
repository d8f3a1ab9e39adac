//! One connection type for the repositories: the pool, or a caller's open transaction.

use sea_orm::entity::prelude::async_trait;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

use crate::types::Backend;

/// Where a repository runs its statements.
#[derive(Clone, Copy)]
pub(crate) enum Conn<'a> {
    /// The pool: each operation commits on its own (in its own transaction where it writes).
    Pool(&'a DatabaseConnection),
    /// A [`crate::Tx`]: operations join it and commit with it (their own steps are savepoints).
    Tx(&'a DatabaseTransaction),
}

impl<'a> Conn<'a> {
    pub(crate) fn backend(&self) -> Backend {
        match self.get_database_backend() {
            DbBackend::Postgres => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite (the write lock is taken up front,
    /// so a read-then-write never fails half-way on a lock upgrade), a plain `BEGIN` on Postgres,
    /// a savepoint inside a caller's transaction.
    pub(crate) async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        match self {
            Conn::Pool(db) => begin_write(db).await,
            Conn::Tx(tx) => tx.begin().await,
        }
    }
}

pub(crate) async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    db.begin_with_options(options).await
}

#[async_trait::async_trait]
impl ConnectionTrait for Conn<'_> {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            Conn::Pool(db) => db.get_database_backend(),
            Conn::Tx(tx) => tx.get_database_backend(),
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Conn::Pool(db) => db.execute_raw(stmt).await,
            Conn::Tx(tx) => tx.execute_raw(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Conn::Pool(db) => db.execute_unprepared(sql).await,
            Conn::Tx(tx) => tx.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Conn::Pool(db) => db.query_one_raw(stmt).await,
            Conn::Tx(tx) => tx.query_one_raw(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Conn::Pool(db) => db.query_all_raw(stmt).await,
            Conn::Tx(tx) => tx.query_all_raw(stmt).await,
        }
    }
}
