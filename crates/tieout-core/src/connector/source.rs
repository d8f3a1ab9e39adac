//! The servicing-source side: where events, products, schedules and balances come from.

use async_trait::async_trait;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::SourceError;
use crate::event::Event;
use crate::ids::{ExternalRef, LoanId, OfficeId, PaymentType, ProductId};
use crate::money::Currency;
use crate::role::{AccountingRule, DayCount};

/// An opaque resumption point of a source (a page token, a last-seen id and date). Only the
/// source that issued it knows what it means.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(pub String);

/// One page of a paged read. For `events`, `next` is the position after the page's last event:
/// present on every page that has events (also the last one, so that a later sync resumes
/// there) and `None` on an empty page. For snapshot reads (`balances`, `schedules`), `next` is
/// `None` on the last page.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

/// A loan product as the source describes it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProductInfo {
    pub id: ProductId,
    pub name: String,
    pub currency: Currency,
    /// The source's own accounting rule for the product, where it has one.
    pub accounting_rule: Option<AccountingRule>,
    pub day_count: DayCount,
    /// Whether daily accruals are posted as one accrual activity per installment.
    pub accrual_activity_posting: bool,
}

/// One installment of a repayment schedule. Interest accrues over the days after `start` up to
/// and including `due`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Installment {
    pub number: u32,
    pub start: NaiveDate,
    pub due: NaiveDate,
    pub principal: Decimal,
    pub interest: Decimal,
    pub fee: Decimal,
    pub penalty: Decimal,
}

/// A loan's repayment schedule, for sources that do not accrue themselves.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LoanSchedule {
    pub loan_id: LoanId,
    pub product: ProductId,
    pub office: Option<OfficeId>,
    pub currency: Currency,
    pub day_count: DayCount,
    pub disbursed_on: NaiveDate,
    pub installments: Vec<Installment>,
}

/// A loan's balances as of a date, as the servicing system reports them.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LoanBalance {
    pub loan_id: LoanId,
    pub product: ProductId,
    pub office: Option<OfficeId>,
    pub currency: Currency,
    pub as_of: NaiveDate,
    pub principal: Decimal,
    pub interest_receivable: Decimal,
    pub fee_receivable: Decimal,
    pub penalty_receivable: Decimal,
    pub overpayment: Decimal,
    pub charged_off: bool,
}

/// A payment to record in the source (payment confirmation files, real-time payments).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RepaymentInstruction {
    pub loan_id: LoanId,
    pub date: NaiveDate,
    pub currency: Currency,
    pub amount: Decimal,
    pub payment_type: Option<PaymentType>,
    /// The payer's reference; the source must refuse a second payment with the same one.
    pub idempotency_key: String,
}

/// How a triggered close of business ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CobOutcome {
    /// The source had already closed the date.
    AlreadyClosed,
    /// The source ran its COB and finished.
    Completed,
}

/// What a source can do beyond the required operations.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SourceCapabilities {
    /// The source runs its own accruals (Fineract); otherwise Tieout's accrual engine does.
    pub accrues: bool,
    pub runs_cob: bool,
    pub posts_repayments: bool,
    pub max_page_size: usize,
}

/// A servicing system Tieout reads from. Object-safe: connectors are used as
/// `Box<dyn ServicingSource>`.
#[async_trait]
pub trait ServicingSource: Send + Sync {
    /// The connector's kind name (`simulator`, `fineract`).
    fn kind(&self) -> &'static str;

    fn capabilities(&self) -> SourceCapabilities;

    /// Cheap, side-effect-free proof that the configuration and credentials work.
    async fn check(&self) -> Result<(), SourceError>;

    async fn products(&self) -> Result<Vec<ProductInfo>, SourceError>;

    /// Events after `cursor` (from the start when `None`), up to `limit`, in a stable order.
    /// Reading from the same cursor twice gives the same events. A page with events carries the
    /// cursor after its last event even when nothing follows yet: keep it to resume later. An
    /// empty page (nothing after `cursor` yet, or a cursor beyond the end) has no `next`. A
    /// cursor this source did not issue is [`SourceError::Rejected`].
    async fn events(&self, cursor: Option<&Cursor>, limit: usize) -> Result<Page<Event>, SourceError>;

    /// Loan balances as of a date, paged.
    async fn balances(
        &self,
        as_of: NaiveDate,
        cursor: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page<LoanBalance>, SourceError>;

    /// Repayment schedules, paged; needed when the source does not accrue.
    async fn schedules(&self, cursor: Option<&Cursor>, limit: usize) -> Result<Page<LoanSchedule>, SourceError> {
        let _ = (cursor, limit);
        Err(SourceError::Unsupported { operation: "repayment schedules" })
    }

    /// Runs the source's own close of business up to `business_date` and waits for it.
    async fn run_cob(&self, business_date: NaiveDate) -> Result<CobOutcome, SourceError> {
        let _ = business_date;
        Err(SourceError::Unsupported { operation: "close of business" })
    }

    /// Records a repayment in the source, once per idempotency key.
    async fn post_repayment(&self, payment: &RepaymentInstruction) -> Result<ExternalRef, SourceError> {
        let _ = payment;
        Err(SourceError::Unsupported { operation: "posting repayments" })
    }
}
