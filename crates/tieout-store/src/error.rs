//! The store's errors. Each says whether retrying the same call can help
//! ([`StoreError::is_retryable`]): a busy SQLite file, a Postgres serialization failure or deadlock,
//! a dropped connection can; a constraint violation, a refused status change or corrupt data cannot.

use std::fmt;

use sea_orm::{DbErr, RuntimeErr};

/// What kind of database failure a [`StoreError::Database`] is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DbFailure {
    /// SQLite busy or locked: another connection holds the write lock past the busy timeout.
    Busy,
    /// Postgres serialization failure, deadlock or lock timeout: the transaction was rolled back.
    Serialization,
    /// The connection or the pool failed (refused, reset, timed out, closed).
    Connection,
    /// A unique, foreign-key, check or not-null constraint, or a trigger, refused the change.
    Constraint,
    /// Anything else (a bad statement, a type mismatch): a bug, not a transient state.
    Other,
}

impl DbFailure {
    pub fn is_retryable(self) -> bool {
        matches!(self, DbFailure::Busy | DbFailure::Serialization | DbFailure::Connection)
    }
}

impl fmt::Display for DbFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DbFailure::Busy => "database busy",
            DbFailure::Serialization => "transaction conflict",
            DbFailure::Connection => "connection failure",
            DbFailure::Constraint => "constraint violation",
            DbFailure::Other => "database error",
        })
    }
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no backend the store supports.
    #[error("store URL {url}: {reason}")]
    BadUrl { url: String, reason: String },
    /// The database could not be reached or opened.
    #[error("cannot open the store at {url}: {message}")]
    Connect { url: String, message: String },
    /// The database was migrated by a newer Tieout: this binary does not know its schema.
    #[error(
        "the database schema is newer than this tieout binary: it has migration(s) {} that this version does not \
         know. Run the tieout version that migrated it (or newer), or restore a backup taken before the upgrade",
        unknown.join(", ")
    )]
    SchemaTooNew { unknown: Vec<String> },
    /// A migration failed; the schema is left as the last successful migration made it.
    #[error("migrating the store failed: {0}")]
    Migration(String),
    /// Something the call names does not exist.
    #[error("{0} does not exist")]
    NotFound(String),
    /// A period is not in the status the operation needs (a compare-and-set lost or a stale view).
    #[error("period {period} of client {client} is {actual}, not {expected}: {action} was refused and nothing changed")]
    PeriodStatus { client: String, period: String, expected: String, actual: String, action: String },
    /// A period cannot be marked sent while some of its entries are not posted.
    #[error("period {period} of client {client} cannot be marked sent: {unsent} of its entries are not posted yet")]
    Unsent { client: String, period: String, unsent: u64 },
    /// A period status change that the status machine does not have.
    #[error("period status cannot go from {from} to {to} (allowed: {allowed})")]
    InvalidTransition { from: String, to: String, allowed: String },
    /// Another staging of the same period finished first; this one was discarded.
    #[error("period {period} of client {client} was staged by someone else meanwhile; this staging was discarded")]
    StagingConflict { client: String, period: String },
    /// The same entry key belongs to two periods of one client (an event booked twice).
    #[error(
        "entry key {key} of client {client} already belongs to period {other_period}: the same events are booked \
         in two months; book each event into one period and propose again"
    )]
    DuplicateKey { client: String, key: String, other_period: String },
    /// A posting is no longer claimed by the caller (its lease expired and someone else took it).
    #[error("posting {key} of client {client} is not claimed by {owner} any more ({status}): its lease expired")]
    LostClaim { client: String, key: String, owner: String, status: String },
    /// An entry recorded as posted was reported posted again under another external id: the sink
    /// holds it twice.
    #[error(
        "entry {key} of client {client} is already recorded as posted as {recorded}, and was now reported posted as \
         {reported}: the sink holds it twice; reverse one of them there"
    )]
    PostedTwice { client: String, key: String, recorded: String, reported: String },
    /// A value read back does not parse (edited by hand, or written by a buggy version).
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// The database refused or failed a statement.
    #[error("{failure}: {message}")]
    Database { failure: DbFailure, message: String },
}

impl StoreError {
    /// Whether the same call, repeated later, can succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Connect { .. } => true,
            StoreError::Database { failure, .. } => failure.is_retryable(),
            // Another staging won; staging again (with fresh data) is the way forward.
            StoreError::StagingConflict { .. } => true,
            _ => false,
        }
    }

    /// The kind of database failure, for a [`StoreError::Database`].
    pub fn db_failure(&self) -> Option<DbFailure> {
        match self {
            StoreError::Database { failure, .. } => Some(*failure),
            _ => None,
        }
    }

    pub(crate) fn corrupt(what: impl fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        let failure = classify(&err);
        StoreError::Database { failure, message: err.to_string() }
    }
}

impl From<sea_orm::sqlx::Error> for StoreError {
    fn from(err: sea_orm::sqlx::Error) -> Self {
        StoreError::Database { failure: classify_sqlx(&err), message: err.to_string() }
    }
}

/// Sorts a sea-orm error into a [`DbFailure`] from the driver's error code.
pub(crate) fn classify(err: &DbErr) -> DbFailure {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => DbFailure::Connection,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => classify_sqlx(e),
        DbErr::RecordNotInserted | DbErr::RecordNotUpdated => DbFailure::Other,
        _ => DbFailure::Other,
    }
}

fn classify_sqlx(err: &sea_orm::sqlx::Error) -> DbFailure {
    use sea_orm::sqlx::Error;
    match err {
        Error::Database(db) => {
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            classify_code(&code, db.try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>().is_some())
        }
        Error::Io(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed | Error::Tls(_) => {
            DbFailure::Connection
        }
        _ => DbFailure::Other,
    }
}

/// Postgres SQLSTATE or SQLite (extended) result code → failure kind.
fn classify_code(code: &str, sqlite: bool) -> DbFailure {
    if sqlite {
        // Extended codes keep the primary code in the low byte.
        let primary = code.parse::<i64>().map(|c| c & 0xff).unwrap_or(-1);
        return match primary {
            5 | 6 => DbFailure::Busy,    // SQLITE_BUSY, SQLITE_LOCKED
            19 => DbFailure::Constraint, // SQLITE_CONSTRAINT (unique, foreign key, check, trigger)
            _ => DbFailure::Other,
        };
    }
    match code {
        "40001" | "40P01" | "55P03" => DbFailure::Serialization,
        "53300" | "57P01" | "57P02" | "57P03" => DbFailure::Connection,
        c if c.starts_with("08") => DbFailure::Connection,
        // 23xxx integrity constraints; P0001 is our append-only trigger's RAISE.
        c if c.starts_with("23") || c == "P0001" => DbFailure::Constraint,
        _ => DbFailure::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_sort_into_retryable_and_not() {
        assert_eq!(classify_code("5", true), DbFailure::Busy);
        assert_eq!(classify_code("517", true), DbFailure::Busy); // SQLITE_BUSY_SNAPSHOT
        assert_eq!(classify_code("2067", true), DbFailure::Constraint); // SQLITE_CONSTRAINT_UNIQUE
        assert_eq!(classify_code("1811", true), DbFailure::Constraint); // SQLITE_CONSTRAINT_TRIGGER
        assert_eq!(classify_code("40001", false), DbFailure::Serialization);
        assert_eq!(classify_code("40P01", false), DbFailure::Serialization);
        assert_eq!(classify_code("08006", false), DbFailure::Connection);
        assert_eq!(classify_code("23505", false), DbFailure::Constraint);
        assert_eq!(classify_code("P0001", false), DbFailure::Constraint);
        assert_eq!(classify_code("42601", false), DbFailure::Other);
        assert!(DbFailure::Busy.is_retryable() && DbFailure::Serialization.is_retryable());
        assert!(!DbFailure::Constraint.is_retryable() && !DbFailure::Other.is_retryable());
    }
}
