//! The product settings that change what the engine books, and why a loan stops accruing.

use tieout_core::event::EventKind;
use tieout_core::role::AccountingRule;

use super::AccrualError;

/// When a product recognizes scheduled interest and fees (DESIGN.md section 5).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum AccrualMode {
    /// Day by day over each installment's days (`accrual-periodic`).
    Periodic,
    /// All scheduled interest and fees on the disbursement date; penalties still on their due
    /// dates, since they are earned only when they apply (`accrual-upfront`).
    Upfront,
}

impl TryFrom<AccountingRule> for AccrualMode {
    type Error = AccrualError;

    /// Only the two accrual rules accrue; `none` and `cash` are refused so a cash product can
    /// never be accrued by mistake.
    fn try_from(rule: AccountingRule) -> Result<Self, Self::Error> {
        match rule {
            AccountingRule::AccrualPeriodic => Ok(AccrualMode::Periodic),
            AccountingRule::AccrualUpfront => Ok(AccrualMode::Upfront),
            AccountingRule::None | AccountingRule::Cash => Err(AccrualError::NotAccrual { rule }),
        }
    }
}

/// A product's accrual settings.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct AccrualOptions {
    pub mode: AccrualMode,
    /// Report what each installment accrued as one `accrual_activity` on its due date (and at a
    /// stop). The rule set decides which of the two is sent to the ledger.
    pub activity_posting: bool,
}

impl AccrualOptions {
    /// A product's options from its accounting rule and its accrual activity posting setting
    /// (as the mapping's `[products.NAME]` or the source's product gives them).
    pub fn new(rule: AccountingRule, activity_posting: bool) -> Result<Self, AccrualError> {
        Ok(Self { mode: AccrualMode::try_from(rule)?, activity_posting })
    }

    pub fn periodic() -> Self {
        Self { mode: AccrualMode::Periodic, activity_posting: false }
    }

    pub fn upfront() -> Self {
        Self { mode: AccrualMode::Upfront, activity_posting: false }
    }

    pub fn with_activity_posting(self, activity_posting: bool) -> Self {
        Self { activity_posting, ..self }
    }
}

/// Why a loan stopped accruing. Nothing accrues for days after the stop date.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum StopReason {
    ChargeOff,
    WriteOff,
    Close,
}

impl StopReason {
    /// The stop an event causes, if any: COB feeds every loan event through this.
    pub fn for_kind(kind: EventKind) -> Option<Self> {
        match kind {
            EventKind::ChargeOff => Some(StopReason::ChargeOff),
            EventKind::WriteOff => Some(StopReason::WriteOff),
            EventKind::Close => Some(StopReason::Close),
            _ => None,
        }
    }
}
