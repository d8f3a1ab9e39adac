//! The host a connector is built in during a suite: a clock the suite moves, an API budget that
//! counts calls, secrets from a map, and a `tracing` subscriber that captures every log line.

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tieout_core::connector::{
    BudgetExhausted, BudgetPermit, Clock, ConnectorContext, RateBudget, SecretError, SecretRef, SecretResolver,
    SecretString,
};
use tracing::instrument::WithSubscriber;

/// A clock that stands still until moved. Starts at 2026-11-22T12:00:00Z.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock(Mutex::new(start))
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        // A fixed, valid instant: the suites must not depend on when they run.
        let start = DateTime::from_timestamp(1_795_348_800, 0).unwrap_or_default();
        ManualClock::new(start)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A budget without limits that counts permits: one per call to the connected system, when
/// the connector takes a permit per call as it should.
#[derive(Default)]
pub struct CountingBudget {
    acquired: AtomicU64,
}

impl CountingBudget {
    /// Permits taken so far.
    pub fn count(&self) -> u64 {
        self.acquired.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl RateBudget for CountingBudget {
    async fn acquire(&self) -> Result<BudgetPermit, BudgetExhausted> {
        self.acquired.fetch_add(1, Ordering::SeqCst);
        Ok(BudgetPermit::free())
    }

    fn remaining_today(&self) -> Option<u32> {
        None
    }
}

/// Secrets from a map, keyed by reference (`{ env = "X" }` is looked up here, not in the
/// environment, so tests never touch the process environment).
#[derive(Default)]
pub struct MapSecrets(BTreeMap<String, String>);

impl MapSecrets {
    pub fn new(secrets: impl IntoIterator<Item = (SecretRef, String)>) -> Self {
        MapSecrets(secrets.into_iter().map(|(r, v)| (format!("{r:?}"), v)).collect())
    }
}

impl SecretResolver for MapSecrets {
    fn resolve(&self, secret: &SecretRef) -> Result<SecretString, SecretError> {
        match self.0.get(&format!("{secret:?}")) {
            Some(value) if value.is_empty() => Err(SecretError::Empty { secret: secret.to_string() }),
            Some(value) => Ok(SecretString::from(value.clone())),
            None => Err(SecretError::Missing { secret: secret.to_string() }),
        }
    }
}

/// Captured log output.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The host of one connector under test. Each check makes its own, so checks do not share
/// clocks, counts or logs.
pub struct Kit {
    pub clock: Arc<ManualClock>,
    pub budget: Arc<CountingBudget>,
    pub secrets: Arc<MapSecrets>,
    http: reqwest::Client,
    logs: Buffer,
    dispatch: tracing::Dispatch,
}

impl Kit {
    pub fn new(secrets: impl IntoIterator<Item = (SecretRef, String)>) -> Self {
        let logs = Buffer::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(logs.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .finish();
        Kit {
            clock: Arc::new(ManualClock::default()),
            budget: Arc::new(CountingBudget::default()),
            secrets: Arc::new(MapSecrets::new(secrets)),
            http: reqwest::Client::new(),
            logs,
            dispatch: tracing::Dispatch::new(subscriber),
        }
    }

    /// A connector context for a connector of `kind`, with this kit's clock, budget and
    /// secrets. Call it inside [`Kit::capture`] so that the span is recorded.
    pub fn context(&self, kind: &str) -> ConnectorContext {
        ConnectorContext {
            client: "conformance".into(),
            http: self.http.clone(),
            clock: self.clock.clone(),
            secrets: self.secrets.clone(),
            budget: self.budget.clone(),
            span: tracing::info_span!("connector", client = "conformance", connector = kind),
        }
    }

    /// Runs `future` with this kit's subscriber: everything it logs lands in [`Kit::logs`].
    pub async fn capture<F: Future>(&self, future: F) -> F::Output {
        future.with_subscriber(self.dispatch.clone()).await
    }

    /// Everything logged so far under [`Kit::capture`].
    pub fn logs(&self) -> String {
        String::from_utf8_lossy(&self.logs.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}
