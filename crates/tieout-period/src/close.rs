//! Close month (DESIGN.md section 7): run COB through the month's end (or through yesterday,
//! for the month in progress), then propose the month. Without the COB, a source that does not
//! accrue would have no accruals in the month, and its receivables would never tie out.

use chrono::NaiveDate;
use tieout_core::connector::{AccountingSink, ServicingSource};
use tieout_store::{Store, YearMonth};

use crate::cob::{CobError, CobThroughReport, run_cob_through};
use crate::{Books, PeriodError, ProposeReport, propose};

/// What Close month did: the COBs it ran, then the proposal.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CloseReport {
    pub cob: CobThroughReport,
    pub proposal: ProposeReport,
}

/// Why Close month failed: in the COB (nothing proposed) or in the proposal.
#[derive(Debug, thiserror::Error)]
pub enum CloseError {
    #[error("close of business before proposing failed: {0}")]
    Cob(#[from] CobError),
    #[error(transparent)]
    Propose(#[from] PeriodError),
}

impl CloseError {
    /// Whether closing again later can succeed without a fix.
    pub fn is_retryable(&self) -> bool {
        match self {
            CloseError::Cob(e) => e.is_retryable(),
            CloseError::Propose(e) => e.is_retryable(),
        }
    }
}

/// Close month (or Reload): runs every missing COB through the last day of `period`, or through
/// the day before `today` (the client's date) when the month has not ended (today's business is
/// not closed yet), then [`propose`]s the month. Dates that ran before are not run again.
pub async fn close_month(
    store: &Store,
    books: &Books<'_>,
    source: &dyn ServicingSource,
    sink: &dyn AccountingSink,
    period: YearMonth,
    actor: &str,
    today: NaiveDate,
) -> Result<CloseReport, CloseError> {
    let yesterday = today.pred_opt().unwrap_or(today);
    let cob = run_cob_through(store, books, source, period.last_day().min(yesterday)).await?;
    let proposal = propose(store, books, source, sink, period, actor).await?;
    Ok(CloseReport { cob, proposal })
}
