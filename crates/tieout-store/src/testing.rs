//! Test support for the store's own tests and the crates above it (feature `testing`, for
//! dev-dependencies only): a migrated store on a database of its own, so that tests running in
//! parallel never share rows, on SQLite (a file in a temp folder that does not exist yet: the
//! store creates it) or on Postgres (a fresh schema of the server at `TIEOUT_TEST_POSTGRES_URL`,
//! default [`DEFAULT_POSTGRES_URL`]). Both are removed when the [`TestStore`] is dropped.
//! Creating a schema needs SQL the repositories do not offer, which is why this lives here rather
//! than in each crate's tests (only this crate knows sea-orm). [`on_both!`](crate::on_both) runs
//! a test body on each backend.

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Database};

use crate::{Backend, Store, StoreError};

/// Where the Postgres tests run unless `TIEOUT_TEST_POSTGRES_URL` says otherwise.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A migrated store on a database of its own, removed when dropped.
pub struct TestStore {
    pub store: Store,
    /// The URL the store was opened with (for a second store, or a child process).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(PathBuf),
    Postgres { admin_url: String, schema: String },
}

impl TestStore {
    /// A migrated store on `backend`. On Postgres the error says how to get a server when none
    /// answers: tests never skip.
    pub async fn new(backend: Backend) -> Result<TestStore, StoreError> {
        let test = match backend {
            Backend::Sqlite => Self::sqlite().await?,
            Backend::Postgres => Self::postgres().await?,
        };
        test.store.migrate().await?;
        Ok(test)
    }

    async fn sqlite() -> Result<TestStore, StoreError> {
        let dir = std::env::temp_dir().join(unique_name("tieout-test"));
        let url = format!("sqlite://{}/store.db", dir.display());
        // Cleaned up even when connecting fails half-way.
        let cleanup = Cleanup::Sqlite(dir);
        let store = Store::connect(&url).await?;
        Ok(TestStore { store, url, cleanup })
    }

    async fn postgres() -> Result<TestStore, StoreError> {
        let admin_url = std::env::var("TIEOUT_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
        let unreachable = |e: &dyn std::fmt::Display| StoreError::Connect {
            url: crate::redact(&admin_url),
            message: format!(
                "{e}. The tests run on SQLite and on Postgres: run `cargo xtask ci`, which starts Postgres when it is \
                 not running, or start it yourself (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) \
                 main start), or point TIEOUT_TEST_POSTGRES_URL at a server where the user may create schemas"
            ),
        };
        let admin = Database::connect(admin_url.as_str()).await.map_err(|e| unreachable(&e))?;
        let schema = unique_name("tieout_test").replace('-', "_");
        admin.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await?;
        admin.close().await.ok();
        let separator = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{separator}options=-c%20search_path%3D{schema}");
        let cleanup = Cleanup::Postgres { admin_url, schema };
        let store = Store::connect(&url).await?;
        Ok(TestStore { store, url, cleanup })
    }
}

/// Unique per process and call: the process id, a counter and the clock's nanoseconds.
fn unique_name(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{}_{nanos}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

impl Drop for TestStore {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Sqlite(dir) => {
                // Best effort: a leftover folder in the temp dir harms nothing.
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, schema: name } => {
                let (admin_url, schema) = (admin_url.clone(), name.clone());
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
                    // Not fatal for the test; the schema's name says which run left it.
                    tracing::warn!(schema = %name, "Could not drop a test schema.");
                }
            }
        }
    }
}

/// What an [`on_both!`](crate::on_both) test body takes: the [`Backend`] (a test that builds its
/// own fixture on it) or a [`TestStore`] on it (migrated; a failure to get one fails the test and
/// says how to get Postgres: tests never skip).
pub trait OnBackend: Sized {
    fn on(backend: Backend) -> impl Future<Output = Self>;
}

impl OnBackend for Backend {
    async fn on(backend: Backend) -> Self {
        backend
    }
}

impl OnBackend for TestStore {
    async fn on(backend: Backend) -> Self {
        TestStore::new(backend).await.unwrap_or_else(|e| panic!("a {backend:?} test store: {e}"))
    }
}

/// Runs `body` on `backend`, with what it takes (see [`OnBackend`]); what [`on_both!`](crate::on_both)
/// calls.
pub async fn run_on<A: OnBackend, F: Future<Output = ()>>(backend: Backend, body: impl FnOnce(A) -> F) {
    body(A::on(backend).await).await;
}

/// Runs each named test body (`async fn NAME(arg: A)` in the parent module, `A` a [`Backend`] or
/// a [`TestStore`], see [`OnBackend`]) once on SQLite and once on Postgres, each on a database of
/// its own: `mod sqlite` and `mod postgres` hold a `#[tokio::test]` of each name.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::testing::run_on($crate::Backend::Sqlite, super::$name).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::testing::run_on($crate::Backend::Postgres, super::$name).await;
                }
            )+
        }
    };
}
