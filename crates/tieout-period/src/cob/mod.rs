//! Close of business (DESIGN.md section 6): per client and business date, (1) where the source
//! runs its own COB, trigger it; (2) sync its events; (3) where it does not accrue, apply the
//! stops and schedule changes not applied yet and accrue every loan through the date, storing
//! the accrual events with each loan's new state (module `accrue`); (4) record the run in the
//! job-run ledger. Journalizing the events is Close month's (`propose`).
//!
//! - **Idempotent**: a date that has run is not run again ([`CobReport::ran`] is false), and a
//!   date that failed or died half-way is run again from where it stopped, adding no accrual
//!   twice (event ids are deterministic; a loan's state and its events commit together).
//! - **In order**: the first COB of a client may be any date; after that, dates run one after
//!   the other. [`run_cob`] refuses a date that would skip one ([`CobError::OutOfOrder`]);
//!   [`run_cob_through`] runs every missing date in order.
//!
//! `docs/accruals.md` ("COB") tells the story.

mod accrue;
mod error;
mod lifecycle;
mod products;
mod runs;

use std::time::Duration;

use chrono::NaiveDate;
use tieout_core::connector::{CobOutcome, ServicingSource};
use tieout_core::ids::{LoanId, ProductId};
use tieout_store::Store;

use crate::{Books, SyncReport};

pub use error::CobError;
pub use runs::{run_cob_through_with, run_cob_with};

/// The source name of the accrual events COB stores.
pub const ACCRUAL_SOURCE: &str = "tieout-accruals";

/// The job kind of COB runs in the job-run ledger.
pub const COB_JOB: &str = "cob";

/// How COB runs.
#[derive(Clone, Debug)]
pub struct CobOptions {
    /// Loans per transaction: what memory holds at once, and what a crash can lose (it is then
    /// accrued again). Ten thousand loans are a few tens of MB.
    pub chunk_loans: usize,
    /// Schedules asked of the source per page (the source may give fewer).
    pub page_size: usize,
    /// Who runs it, as recorded in the job-run ledger.
    pub owner: String,
    /// A run left `running` longer than this (its process died) is taken over.
    pub stale_after: Duration,
}

impl Default for CobOptions {
    fn default() -> Self {
        CobOptions {
            chunk_loans: 10_000,
            page_size: 10_000,
            owner: format!("cob pid {}", std::process::id()),
            stale_after: Duration::from_secs(15 * 60),
        }
    }
}

/// What one business date's COB did.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CobReport {
    pub business_date: NaiveDate,
    /// False when the date had already run: nothing was done.
    pub ran: bool,
    /// The source's own COB, where it runs one.
    pub source_cob: Option<CobOutcome>,
    pub synced: SyncReport,
    /// Tieout's accruals; `None` when the source accrues itself (or the date had run).
    pub accrual: Option<AccrualReport>,
}

/// What the accrual step of a COB did.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct AccrualReport {
    /// Loans accrued through the date (new ones included).
    pub loans: u64,
    /// Loans seen for the first time.
    pub new_loans: u64,
    /// Loans whose schedule changed (booked as `accrual_adjustment`s).
    pub rescheduled: u64,
    /// Loans that stopped accruing (charge-off, write-off, close).
    pub stopped: u64,
    /// Accrual events made, and of them stored now (not already there from an earlier attempt).
    pub events: u64,
    pub new_events: u64,
    /// Transactions written.
    pub chunks: u64,
    /// Loans of products under `cash` or `none`, which do not accrue.
    pub not_accrued: u64,
    /// Loans of products with no accounting rule in the mapping or the source, not accrued.
    pub no_rule: u64,
    pub no_rule_products: Vec<ProductId>,
    /// Loans the engine refused (a bad schedule): how many, and the first ones with why.
    pub refused_count: u64,
    pub refused: Vec<(LoanId, String)>,
    /// Accruing loans with stops or term changes but no schedule from the source: how many, and
    /// the first ones. Their changes are kept and applied when the source reports them.
    pub unfound_count: u64,
    pub unfound: Vec<LoanId>,
    /// Loans with a stored state that can still accrue but were not reached (the source no
    /// longer reports their schedule): how many, and the first ones.
    pub behind_count: u64,
    pub behind: Vec<LoanId>,
}

impl AccrualReport {
    /// Whether anything needs a person's attention.
    pub fn has_warnings(&self) -> bool {
        self.no_rule + self.refused_count + self.unfound_count + self.behind_count > 0
    }
}

/// What [`run_cob_through`] did: one report per date it ran, oldest first.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CobThroughReport {
    pub through: NaiveDate,
    /// The last date that had run before this call, if any.
    pub previously_through: Option<NaiveDate>,
    pub days: Vec<CobReport>,
    /// Events synced from the source by this call, over all its syncs.
    pub synced_new: u64,
}

impl CobThroughReport {
    /// Dates run by this call.
    pub fn days_run(&self) -> usize {
        self.days.iter().filter(|d| d.ran).count()
    }

    /// Accrual events made over all dates.
    pub fn events(&self) -> u64 {
        self.days.iter().filter_map(|d| d.accrual.as_ref()).map(|a| a.events).sum()
    }
}

/// Runs COB for `business_date` with the default [`CobOptions`] (see [`run_cob_with`]).
pub async fn run_cob(
    store: &Store,
    books: &Books<'_>,
    source: &dyn ServicingSource,
    business_date: NaiveDate,
) -> Result<CobReport, CobError> {
    run_cob_with(store, books, source, business_date, &CobOptions::default()).await
}

/// Runs every business date from the day after the last finished COB (or, before the first, the
/// day of the earliest disbursement) through `through`, in order, with the default
/// [`CobOptions`] (see [`run_cob_through_with`]).
pub async fn run_cob_through(
    store: &Store,
    books: &Books<'_>,
    source: &dyn ServicingSource,
    through: NaiveDate,
) -> Result<CobThroughReport, CobError> {
    run_cob_through_with(store, books, source, through, &CobOptions::default()).await
}
