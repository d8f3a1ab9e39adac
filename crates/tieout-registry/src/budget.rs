//! API budgets: calls per minute (a token bucket that refills continuously), calls per day
//! (a counter reset at UTC midnight by the context clock) and calls in flight (a semaphore).
//! One budget per connection, shared by every task that uses it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use tieout_core::connector::{BudgetExhausted, BudgetPermit, Clock, RateBudget};
use tokio::sync::Semaphore;

/// One call, in bucket ticks (see [`State::ticks`]).
const TICKS_PER_CALL: u64 = 60_000;

/// The limits of one connection's budget; `None` means unlimited.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BudgetLimits {
    pub per_minute: Option<u32>,
    pub per_day: Option<u32>,
    pub concurrent: Option<u32>,
}

/// A [`RateBudget`] enforcing [`BudgetLimits`].
pub struct TokenBudget {
    scope: String,
    limits: BudgetLimits,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    in_flight: Option<Arc<Semaphore>>,
}

struct State {
    /// What is available now in the per-minute bucket, in ticks of 1/60,000 of a call: a bucket
    /// of N calls per minute then refills by exactly N ticks per millisecond, with no rounding.
    ticks: u64,
    refilled_at: DateTime<Utc>,
    day: NaiveDate,
    used_today: u32,
}

impl TokenBudget {
    pub fn new(scope: impl Into<String>, limits: BudgetLimits, clock: Arc<dyn Clock>) -> Self {
        let now = clock.now();
        let full = u64::from(limits.per_minute.unwrap_or(0)) * TICKS_PER_CALL;
        TokenBudget {
            scope: scope.into(),
            limits,
            state: Mutex::new(State { ticks: full, refilled_at: now, day: now.date_naive(), used_today: 0 }),
            in_flight: limits.concurrent.map(|n| Arc::new(Semaphore::new(n as usize))),
            clock,
        }
    }

    /// Takes one call from the minute and day budgets, or says how long to wait.
    fn take(&self) -> Result<Option<Duration>, BudgetExhausted> {
        let now = self.clock.now();
        // A poisoned lock only means another task panicked mid-update; the counters stay usable.
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if now.date_naive() != state.day {
            state.day = now.date_naive();
            state.used_today = 0;
        }
        if let Some(per_day) = self.limits.per_day
            && state.used_today >= per_day
        {
            let tomorrow = state.day.succ_opt().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc());
            let retry_after = tomorrow.and_then(|t| (t - now).to_std().ok());
            return Err(BudgetExhausted { scope: format!("{} (per day)", self.scope), retry_after });
        }
        if let Some(per_minute) = self.limits.per_minute {
            let per_minute = u64::from(per_minute.max(1));
            let capacity = per_minute * TICKS_PER_CALL;
            let elapsed_ms = u64::try_from((now - state.refilled_at).num_milliseconds()).unwrap_or(0);
            state.ticks = (state.ticks + elapsed_ms * per_minute).min(capacity);
            state.refilled_at = now;
            if state.ticks < TICKS_PER_CALL {
                let wait_ms = (TICKS_PER_CALL - state.ticks).div_ceil(per_minute);
                return Ok(Some(Duration::from_millis(wait_ms)));
            }
            state.ticks -= TICKS_PER_CALL;
        }
        state.used_today += 1;
        Ok(None)
    }
}

#[async_trait]
impl RateBudget for TokenBudget {
    async fn acquire(&self) -> Result<BudgetPermit, BudgetExhausted> {
        let permit = match &self.in_flight {
            Some(semaphore) => {
                let permit = semaphore
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| BudgetExhausted { scope: format!("{} (closed)", self.scope), retry_after: None })?;
                BudgetPermit::holding(permit)
            }
            None => BudgetPermit::free(),
        };
        loop {
            match self.take()? {
                None => return Ok(permit),
                Some(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    fn remaining_today(&self) -> Option<u32> {
        let state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let used = if self.clock.now().date_naive() == state.day { state.used_today } else { 0 };
        self.limits.per_day.map(|limit| limit.saturating_sub(used))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clock tests move by hand.
    struct ManualClock(Mutex<DateTime<Utc>>);

    impl ManualClock {
        fn advance(&self, d: chrono::Duration) {
            let mut now = self.0.lock().unwrap();
            *now += d;
        }
    }

    impl Clock for ManualClock {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap()
        }
    }

    fn clock() -> Arc<ManualClock> {
        Arc::new(ManualClock(Mutex::new("2026-11-22T23:59:00Z".parse().unwrap())))
    }

    #[test]
    fn the_minute_bucket_empties_and_refills_continuously() {
        let clock = clock();
        let budget =
            TokenBudget::new("xero acme", BudgetLimits { per_minute: Some(60), ..Default::default() }, clock.clone());
        for _ in 0..60 {
            assert_eq!(budget.take(), Ok(None));
        }
        assert_eq!(budget.take(), Ok(Some(Duration::from_millis(1000))));
        clock.advance(chrono::Duration::milliseconds(1000));
        assert_eq!(budget.take(), Ok(None));
    }

    #[test]
    fn the_day_budget_fails_instead_of_waiting_and_resets_at_midnight() {
        let clock = clock();
        let budget =
            TokenBudget::new("xero acme", BudgetLimits { per_day: Some(2), ..Default::default() }, clock.clone());
        assert_eq!(budget.remaining_today(), Some(2));
        assert_eq!(budget.take(), Ok(None));
        assert_eq!(budget.take(), Ok(None));
        let err = budget.take().unwrap_err();
        assert_eq!(err.retry_after, Some(Duration::from_secs(60)));
        assert!(err.to_string().contains("xero acme (per day)"), "{err}");
        clock.advance(chrono::Duration::minutes(2));
        assert_eq!(budget.remaining_today(), Some(2));
        assert_eq!(budget.take(), Ok(None));
    }

    #[tokio::test]
    async fn concurrency_is_limited_by_permits() {
        let budget = TokenBudget::new("x", BudgetLimits { concurrent: Some(1), ..Default::default() }, clock());
        let first = budget.acquire().await.unwrap();
        let second = tokio::time::timeout(Duration::from_millis(50), budget.acquire()).await;
        assert!(second.is_err(), "a second call must wait while the first is in flight");
        drop(first);
        assert!(tokio::time::timeout(Duration::from_millis(50), budget.acquire()).await.is_ok());
    }
}
