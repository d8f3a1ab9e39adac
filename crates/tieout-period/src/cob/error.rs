//! Why a close of business failed or was refused; [`CobError::is_retryable`] says whether running
//! the same date again later can help.

use chrono::{DateTime, NaiveDate, Utc};
use tieout_core::connector::{Retryable, SourceError};
use tieout_store::StoreError;

use crate::PeriodError;

/// What went wrong in a COB.
#[derive(Debug, thiserror::Error)]
pub enum CobError {
    /// Syncing the source's events failed.
    #[error(transparent)]
    Sync(#[from] PeriodError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The servicing system failed (its own COB, products or schedules).
    #[error("the servicing system failed during COB: {0}")]
    Source(#[from] SourceError),
    /// The date would skip business dates that have not run.
    #[error(
        "COB of client {client} has run through {last_done}, so {date} would skip {first_missing}: dates run in order; \
         run them all with `tieout cob --client {client} --through {date}`"
    )]
    OutOfOrder { client: String, date: NaiveDate, last_done: NaiveDate, first_missing: NaiveDate },
    /// A later date has run: loans have accrued past this one.
    #[error(
        "COB of client {client} has already run for {latest}, after {date}: loans have accrued past {date}, and a \
         correction of the past comes from the source as a new schedule or event, which the next COB books"
    )]
    AfterLaterDate { client: String, date: NaiveDate, latest: NaiveDate },
    /// Another process is running the same date (or died while running it).
    #[error(
        "COB {date} of client {client} is being run by {owner} since {since}: wait for it to finish; if that process \
         died, run again after {stale_minutes} minutes (or now, with `tieout cob --take-over`)"
    )]
    Running { client: String, date: NaiveDate, owner: String, since: DateTime<Utc>, stale_minutes: u64 },
    /// The stored position of COB's reading of the events table is not a row number.
    #[error(
        "client {client}: the stored COB position '{value}' (cursor {name}) is not a row number: it was changed \
         outside Tieout; delete that cursor row and run COB again (stops and term changes are applied again, \
         which changes nothing already applied)"
    )]
    BadMarker { client: String, name: &'static str, value: String },
}

impl CobError {
    /// Whether the same COB, run again later, can succeed without a fix.
    pub fn is_retryable(&self) -> bool {
        match self {
            CobError::Sync(e) => e.is_retryable(),
            CobError::Store(e) => e.is_retryable(),
            CobError::Source(e) => e.is_retryable(),
            CobError::Running { .. } => true,
            CobError::OutOfOrder { .. } | CobError::AfterLaterDate { .. } | CobError::BadMarker { .. } => false,
        }
    }
}
