//! The month close of DESIGN.md section 7 on top of the store: **sync** events from the servicing
//! system, **propose** a month (book, journalize, summarize, validate, stage), **send** it to the
//! accounting package exactly once (section 8), **reopen** a proposal, **abandon** a send that
//! cannot finish without a new proposal. Connectors come in as `&dyn ServicingSource` and
//! `&dyn AccountingSink`; `docs/month-close.md` tells the story.
//!
//! ```text
//! open ──propose──▶ proposing ──▶ proposed ──send──▶ sending ──▶ sent
//!   ▲                               │  ▲ ▲             │
//!   │                               │  │ └─ abandon ───┘
//!   │                               │  └ reload (propose again)
//!   └────────────── reopen ─────────┘
//! ```

mod abandon;
mod book;
mod check;
mod close;
mod cob;
mod error;
mod plan;
mod propose;
mod reconcile;
mod reopen;
mod send;
mod sync;
mod validate;

use tieout_core::ids::ClientId;
use tieout_engine::mapping::MappingFile;
use tieout_engine::rules::RuleSet;
use tieout_engine::summarize::DetailLevel;
use tieout_store::{Period, Store};

pub use abandon::{AbandonReport, abandon};
pub use book::{BookingPlan, plan_bookings};
pub use check::{
    CheckFacts, ClientCheck, OverrideCheck, OverrideScope, ProductCheck, RoleCheck, RuleOrigin, check_client,
    roles_of_rule,
};
pub use close::{CloseError, CloseReport, close_month};
pub use cob::{
    ACCRUAL_SOURCE, AccrualReport, COB_JOB, CobError, CobOptions, CobReport, CobThroughReport, run_cob,
    run_cob_through, run_cob_through_with, run_cob_with,
};
pub use error::PeriodError;
pub use plan::{LegLine, Plan, PostingLine, ProductPlan, ScheduleLine, TransactionLine, integration_plan};
pub use propose::{ProposeReport, propose};
pub use reconcile::{BALANCE_PAGE_SIZE, ReconcileOptions, reconcile, reconcile_with};
pub use reopen::reopen;
pub use send::{FailedPosting, SendOptions, SendReport, send};
pub use sync::{SyncReport, sync_events};
pub use validate::{ProposalFacts, validate};

/// Events asked of the source per page.
pub const SYNC_PAGE_SIZE: usize = 500;

/// One client's books: what the close needs from its configuration.
#[derive(Clone, Copy, Debug)]
pub struct Books<'a> {
    pub client: &'a ClientId,
    pub rules: &'a RuleSet,
    pub mapping: &'a MappingFile,
    /// How much entries are summarized before they are proposed.
    pub detail: DetailLevel,
    /// Whether the user who sends must differ from the user who closed (preparer ≠ approver).
    pub separation_of_duties: bool,
}

impl<'a> Books<'a> {
    /// The books of a loaded client configuration; `id` is its [`ClientId`] (its name).
    pub fn of_client(id: &'a ClientId, client: &'a tieout_config::Client) -> Self {
        Books {
            client: id,
            rules: &client.rules,
            mapping: &client.mapping,
            detail: client.config.detail,
            separation_of_duties: client.config.separation_of_duties,
        }
    }
}

/// The client's periods, oldest first (for `tieout period list`).
pub async fn list_periods(store: &Store, client: &ClientId) -> Result<Vec<Period>, PeriodError> {
    Ok(store.periods().list(client).await?)
}
