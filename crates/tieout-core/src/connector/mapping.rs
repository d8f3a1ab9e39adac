//! Role + context → an account of the client's chart.

use std::fmt;

use crate::connector::Dimensions;
use crate::event::EventKind;
use crate::ids::{AccountRef, ChargeName, EventId, OfficeId, PaymentType, ProductId};
use crate::role::{AccountingRule, Role};

/// What a role is resolved for.
#[derive(Clone, Copy, Debug)]
pub struct MappingContext<'a> {
    pub product: &'a ProductId,
    pub payment_type: Option<&'a PaymentType>,
    pub charge: Option<&'a ChargeName>,
    pub office: Option<&'a OfficeId>,
}

/// A role that resolves to no account, named so that the fix is obvious.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub struct Unmapped {
    pub product: ProductId,
    pub role: Role,
    pub charge: Option<ChargeName>,
    pub payment_type: Option<PaymentType>,
    /// The event that needed it, when known.
    pub event: Option<EventId>,
    pub kind: Option<EventKind>,
}

impl fmt::Display for Unmapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "product '{}' has no account for {}", self.product, self.role)?;
        if let Some(event) = &self.event {
            write!(f, " (needed by event {event}")?;
            if let Some(kind) = self.kind {
                write!(f, ", {}", kind.with_article())?;
            }
            write!(f, ")")?;
        }
        write!(f, ": add {} under [products.{}] or [accounts] in the mapping", self.role, self.product)?;
        if let (true, Some(charge)) = (self.role.is_charge_income(), &self.charge) {
            write!(f, ", or {charge} under [charges]")?;
        }
        if let (true, Some(pt)) = (self.role.is_fund_source(), &self.payment_type) {
            write!(f, ", or {pt} under [payment_types]")?;
        }
        write!(f, ", or upload a mapping sheet")
    }
}

/// A product the mapping does not know how to account for.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error(
    "product '{product}' has no accounting rule: set default_rule, or rule under [products.{product}] in the mapping"
)]
pub struct NoRule {
    pub product: ProductId,
}

/// A client's mapping. Pure and synchronous: it is consulted for every line.
pub trait AccountMapping: Send + Sync {
    /// The product's accounting rule.
    fn accounting_rule(&self, product: &ProductId) -> Result<AccountingRule, NoRule>;

    /// Whether the product posts accrual activity instead of daily accruals.
    fn accrual_activity_posting(&self, product: &ProductId) -> bool;

    /// The account for `role` in `context`. Resolution order: charge → payment type → product →
    /// client-wide accounts.
    fn account(&self, role: Role, context: &MappingContext<'_>) -> Result<AccountRef, Unmapped>;

    /// Dimensions of an office (class, location, tracking category), if mapped.
    fn office_dimensions(&self, office: &OfficeId) -> Option<&Dimensions>;
}
