//! What a connector receives when it is built. Connectors take no globals: the HTTP client, the
//! clock, secrets, the API budget and the tracing span all come from here, so tests can give a
//! connector a fixed clock, a map of secrets or a tiny budget.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::SecretResolver;
use crate::ids::ClientId;

/// The current time. The application uses the system clock; tests a fixed one.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that says what it was told, for tests.
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// The budget did not allow a call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the API budget for {scope} is used up{}", retry_after.map(|d| format!("; it refills in {} s", d.as_secs())).unwrap_or_default())]
pub struct BudgetExhausted {
    pub scope: String,
    pub retry_after: Option<Duration>,
}

/// A connection's API budget (calls per minute, per day, concurrent), shared by every worker
/// that uses the connection. `acquire` waits while the per-minute budget refills and fails when
/// waiting cannot help (the day's budget is spent).
#[async_trait]
pub trait RateBudget: Send + Sync {
    async fn acquire(&self) -> Result<BudgetPermit, BudgetExhausted>;
    /// Calls left today, if the budget has a daily limit.
    fn remaining_today(&self) -> Option<u32>;
}

/// Held while a call is in flight; dropping it frees a concurrency slot.
pub struct BudgetPermit {
    _guard: Option<Box<dyn Send + Sync>>,
}

impl BudgetPermit {
    /// A permit that holds nothing (budgets without a concurrency limit).
    pub fn free() -> Self {
        BudgetPermit { _guard: None }
    }

    /// A permit that releases `guard` when dropped.
    pub fn holding(guard: impl Send + Sync + 'static) -> Self {
        BudgetPermit { _guard: Some(Box::new(guard)) }
    }
}

/// A budget without limits.
pub struct Unlimited;

#[async_trait]
impl RateBudget for Unlimited {
    async fn acquire(&self) -> Result<BudgetPermit, BudgetExhausted> {
        Ok(BudgetPermit::free())
    }
    fn remaining_today(&self) -> Option<u32> {
        None
    }
}

/// Everything a connector may use from its host.
#[derive(Clone)]
pub struct ConnectorContext {
    /// The client (lender) the connector works for.
    pub client: ClientId,
    /// An HTTP client with the application's timeouts and rustls TLS. A connector that needs
    /// a custom CA builds its own from the same settings.
    pub http: reqwest::Client,
    pub clock: Arc<dyn Clock>,
    pub secrets: Arc<dyn SecretResolver>,
    pub budget: Arc<dyn RateBudget>,
    /// The span every log line of the connector belongs to (client and connector fields).
    pub span: tracing::Span,
}
