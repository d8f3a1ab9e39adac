//! Turning postings into canonical events, with deterministic ids.
//!
//! Ids are built from the loan and the posting's date, so the same schedule and dates always
//! give the same ids, and a re-run of a date (which posts nothing) can never collide:
//!
//! | kind | id |
//! | --- | --- |
//! | `accrual` | `acr:<loan>:<yyyy-mm-dd>` (one per loan and date) |
//! | `accrual_adjustment` | `acradj:<loan>:<yyyy-mm-dd>:<n>` (`n`: the loan's n-th adjustment) |
//! | `accrual_activity` | `aca:<loan>:<yyyy-mm-dd>` (one per loan and date) |

use tieout_core::event::{Event, EventHead, EventKind};
use tieout_core::ids::EventId;

use super::posting::{AccrualPosting, PostingKind};
use super::{AccrualError, LoanAccrual};

impl LoanAccrual {
    /// The canonical event of one of this loan's postings: the loan's product, office and
    /// currency; portions interest, fee and penalty; amount their sum.
    pub fn event(&self, posting: &AccrualPosting) -> Result<Event, AccrualError> {
        let (kind, id) = match posting.kind {
            PostingKind::Accrual => (EventKind::Accrual, format!("acr:{}:{}", self.loan_id(), posting.date)),
            PostingKind::Adjustment { seq } => {
                (EventKind::AccrualAdjustment, format!("acradj:{}:{}:{seq}", self.loan_id(), posting.date))
            }
            PostingKind::Activity { .. } => {
                (EventKind::AccrualActivity, format!("aca:{}:{}", self.loan_id(), posting.date))
            }
        };
        let head = EventHead {
            id: EventId::from(id),
            loan_id: self.loan_id().clone(),
            product: self.product().clone(),
            kind,
            date: posting.date,
            currency: self.currency(),
        };
        let mut event =
            Event::new(head, posting.amounts.total(), Some(posting.amounts.portions())).map_err(|problem| {
                AccrualError::InvalidEvent { loan: self.loan_id().clone(), kind: kind.as_str(), problem }
            })?;
        event.office = self.office().cloned();
        Ok(event)
    }
}
