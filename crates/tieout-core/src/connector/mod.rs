//! The traits connectors implement and the data they exchange.

mod context;
mod error;
mod factory;
mod mapping;
mod secret;
mod sink;
mod source;

pub use context::{
    BudgetExhausted, BudgetPermit, Clock, ConnectorContext, FixedClock, RateBudget, SystemClock, Unlimited,
};
pub use error::{Retryable, SinkError, SourceError};
pub use factory::{
    BuildError, ConfigError, DynSinkFactory, DynSourceFactory, Role as ConnectorRole, SinkFactory, SourceFactory,
    Typed, Validated, parse_config,
};
pub use mapping::{AccountMapping, MappingContext, NoRule, Unmapped};
pub use secret::{ExposeSecret, SecretError, SecretRef, SecretResolver, SecretString};
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

    // The traits are used as trait objects by the registry and the engine; this fails to
    // compile if one stops being object-safe.
    #[allow(dead_code)]
    type ObjectSafe = (
        Box<dyn ServicingSource>,
        Box<dyn AccountingSink>,
        Box<dyn AccountMapping>,
        Box<dyn DynSourceFactory>,
        Box<dyn DynSinkFactory>,
        Box<dyn SecretResolver>,
        Box<dyn RateBudget>,
        Box<dyn Clock>,
    );
}
