//! The accrual engine (DESIGN.md section 6): from a loan's repayment schedule, the income it
//! earns each day, as canonical `accrual`, `accrual_adjustment` and `accrual_activity` events.
//!
//! How it works, in one paragraph: each installment's interest and fees are spread over its days
//! (the days after its start up to and including its due date) by weights from the day count
//! (`day_count.rs`), with paused days weighing nothing (`pause.rs`). The *target* for a date is
//! the installment's amount times the weight up to that date over its total weight, rounded to
//! the currency's minor unit (`rounding.rs`); on the due date it is the whole amount. Every
//! posting is a difference of targets (`plan.rs`): a day posts today's target minus what is
//! already accrued, so an installment's days add up to its scheduled amount to the cent, and a
//! reschedule or a backdated stop posts the new target minus what was accrued. Penalties accrue
//! whole on their due date. Upfront products book all interest and fees at disbursement.
//!
//! Two layers: the compute path ([`AccrualBook::accrue`], [`LoanAccrual::accrue`]) pushes small
//! `Copy` [`AccrualPosting`]s into a reused `Vec`, with integer arithmetic and no allocation per
//! loan-day; [`AccrualBook::events`] turns them into [`Event`](tieout_core::event::Event)s.
//!
//! ```
//! # use tieout_core::connector::LoanSchedule;
//! # use tieout_core::event::Event;
//! # use tieout_engine::accrual::{AccrualBook, AccrualError, AccrualOptions, LoanAccrual};
//! # fn cob(schedules: &[LoanSchedule], date: chrono::NaiveDate) -> Result<Vec<Event>, AccrualError> {
//! let mut book = AccrualBook::new();
//! for schedule in schedules {
//!     book.insert(LoanAccrual::new(schedule, AccrualOptions::periodic(), &[])?)?;
//! }
//! let mut postings = Vec::new();
//! book.accrue(date, &mut postings)?; // the compute path: plain amounts
//! let events = book.events(&postings)?; // canonical events with their ids
//! # Ok(events) }
//! ```
//!
//! Between business dates COB keeps each loan as an [`AccrualState`] (everything but the plan,
//! serde-serializable) and restores it with [`LoanAccrual::restore`] on the schedule the source
//! supplies again; when that schedule's [`ScheduleFingerprint`] differs,
//! [`LoanAccrual::restore_rescheduled`] books the difference as a reschedule would.
//!
//! User documentation: `docs/accruals.md`.

mod amounts;
mod book;
mod day_count;
mod error;
mod events;
mod loan;
mod mode;
mod pause;
mod plan;
mod posting;
mod rounding;
mod state;

pub use amounts::Amounts;
pub use book::AccrualBook;
pub use error::AccrualError;
pub use loan::LoanAccrual;
pub use mode::{AccrualMode, AccrualOptions, StopReason};
pub use pause::PauseWindow;
pub use posting::{AccrualPosting, LoanIndex, PostingKind};
pub use state::{AccrualState, BadFingerprint, ScheduleFingerprint};
