//! The demo's clock: the simulated book lives in the past, and the demo walks it day by day, so
//! the connectors see the morning after the business date being closed, not today.

use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use tieout_core::connector::Clock;

/// A clock the demo moves forward.
pub struct SimulatedClock(Mutex<DateTime<Utc>>);

impl SimulatedClock {
    pub fn new(now: DateTime<Utc>) -> Self {
        SimulatedClock(Mutex::new(now))
    }

    /// Early in the morning after `business_date`: everything entered on that day has arrived.
    pub fn morning_after(&self, business_date: NaiveDate) {
        let morning = business_date.succ_opt().and_then(|d| d.and_hms_opt(0, 30, 0)).map(|t| t.and_utc());
        if let Some(morning) = morning {
            *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = morning;
        }
    }
}

impl Clock for SimulatedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
