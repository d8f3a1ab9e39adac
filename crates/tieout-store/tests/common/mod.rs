//! The two databases every store test runs on: a SQLite file in a temp folder, and a fresh
//! schema in the Postgres at `TIEOUT_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), dropped afterwards. If Postgres cannot be reached
//! the Postgres tests fail and say how to get it (`cargo xtask ci` starts it); they never skip.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tieout_store::Store;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A store on a database of its own, removed when dropped.
pub struct TestDb {
    pub store: Store,
    /// The URL the store was opened with (for a second store or a raw connection).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, schema: String },
}

impl TestDb {
    /// A migrated store on a new SQLite file.
    pub async fn sqlite() -> TestDb {
        let db = Self::sqlite_unmigrated().await;
        db.store.migrate().await.expect("migrating a fresh SQLite store");
        db
    }

    pub async fn sqlite_unmigrated() -> TestDb {
        let dir = tempfile::tempdir().expect("a temp dir");
        let url = format!("sqlite://{}/nested/store.db", dir.path().display());
        let store = Store::connect(&url).await.expect("opening a SQLite store in a temp dir");
        TestDb { store, url, cleanup: Cleanup::Sqlite(dir) }
    }

    /// A migrated store on a new Postgres schema.
    pub async fn postgres() -> TestDb {
        let db = Self::postgres_unmigrated().await;
        db.store.migrate().await.expect("migrating a fresh Postgres schema");
        db
    }

    pub async fn postgres_unmigrated() -> TestDb {
        let admin_url = std::env::var("TIEOUT_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
        let admin = Database::connect(admin_url.as_str()).await.unwrap_or_else(|e| {
            panic!(
                "Postgres is not reachable at {admin_url} ({e}).\nThe store's tests run on SQLite and on Postgres. Run \
                 `cargo xtask ci`, which starts Postgres when it is not running, or start it yourself \
                 (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), or point \
                 TIEOUT_TEST_POSTGRES_URL at a server where the user may create schemas."
            )
        });
        let schema = schema_name();
        admin.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await.expect("creating a test schema");
        admin.close().await.ok();
        let separator = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{separator}options=-c%20search_path%3D{schema}");
        let store = Store::connect(&url).await.expect("opening the Postgres store");
        TestDb { store, url, cleanup: Cleanup::Postgres { admin_url, schema } }
    }

    /// A plain sea-orm connection to the same database, for what the store's API must not allow.
    pub async fn raw(&self) -> DatabaseConnection {
        Database::connect(self.url.as_str()).await.expect("a raw connection")
    }
}

fn schema_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("tieout_test_{}_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed), nanos)
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, schema } = &self.cleanup {
            let (admin_url, schema) = (admin_url.clone(), schema.clone());
            // Drop runs inside the test's runtime (or while unwinding): use a runtime of our own.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                runtime.block_on(async {
                    let admin = Database::connect(admin_url.as_str()).await.ok()?;
                    admin.execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await.ok()?;
                    admin.close().await.ok()
                })
            })
            .join();
            if !matches!(dropped, Ok(Some(()))) {
                // Not fatal for the test; the schema name says which run left it.
                println!("note: could not drop test schema");
            }
        }
    }
}

/// Runs each named test body (`async fn NAME(db: &TestDb)` in the parent module) once on SQLite
/// and once on Postgres.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::common::TestDb::sqlite().await;
                    super::$name(&db).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::common::TestDb::postgres().await;
                    super::$name(&db).await;
                }
            )+
        }
    };
}
