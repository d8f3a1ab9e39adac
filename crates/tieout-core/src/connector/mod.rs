//! The traits connectors implement and the data they exchange.

mod error;
mod mapping;
mod sink;
mod source;

pub use error::{Retryable, SinkError, SourceError};
pub use mapping::{AccountMapping, MappingContext, NoRule, Unmapped};
pub use sink::{
    AccountBalance, AccountingSink, CurrencySupport, Dimensions, LedgerAccount, PostFailure, PostOutcome, Posting,
    RateLimit, SinkCapabilities,
};
pub use source::{
    CobOutcome, Cursor, Installment, LoanBalance, LoanSchedule, Page, ProductInfo, RepaymentInstruction,
    ServicingSource, SourceCapabilities,
};

#[cfg(test)]
mod tests {
    use super::*;

    // The traits are used as trait objects by the registry; this fails to compile if one
    // stops being object-safe.
    #[allow(dead_code)]
    fn object_safe(_: &dyn ServicingSource, _: &dyn AccountingSink, _: &dyn AccountMapping) {}
}
