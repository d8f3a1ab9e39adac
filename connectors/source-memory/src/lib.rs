//! A servicing source over events, products, balances and schedules held in memory.
//!
//! It is the reference source of the conformance kit (`tieout-conformance`) and a test double
//! for everything that reads a source: build it in code with [`MemorySource::new`], or from a
//! client file with kind `memory` ([`MemorySourceFactory`], config [`MemorySourceConfig`]).
//!
//! - Events are served in their given order; a cursor is the position after the last event
//!   read (`ev:<n>`), so it is stable as long as events are only appended.
//! - A credential is checked like a real API would: the config names a secret (`token`) and
//!   the SHA-256 of the value the source accepts (`accepted_token_sha256`). A wrong token makes
//!   every call fail with [`SourceError::Auth`](tieout_core::connector::SourceError::Auth).
//! - Every call takes one permit from the context's API budget, as a call to a real system
//!   would, so tests can count calls.

mod config;
mod source;
mod wire;

pub use config::{MemorySourceConfig, MemorySourceFactory, ProductConfig, ValidatedMemorySource};
pub use source::MemorySource;
pub use wire::{BalanceLine, InstallmentLine, ScheduleLine};

/// The example `[source]` section of the README (without its `[source]` header), returned by
/// [`MemorySourceFactory`]'s `example()`. A test checks that the README shows exactly this.
pub const EXAMPLE: &str = r#"kind = "memory"
# Canonical events as JSON Lines (docs/events.md), read strictly when the source is built.
events_file = "data/events.jsonl"
# Optional: loan balances and repayment schedules as JSON Lines (see the README).
balances_file = "data/balances.jsonl"
schedules_file = "data/schedules.jsonl"
# The largest page the source returns, whatever limit a caller asks for.
page_size = 100
# Whether the source runs its own accruals (then Tieout's accrual engine does not).
accrues = false
# The credential: a secret, accepted when its SHA-256 (hex) equals accepted_token_sha256.
token = { env = "TIEOUT_MEMORY_SOURCE_TOKEN" }
accepted_token_sha256 = "8e014a3b71645fad5827c1f3be958271b9d8720b113e408df437f1f093920087"
# Optional: the products; by default, one per product named in the events.
products = [
    { id = "personal", name = "Personal loan", currency = "USD", accounting_rule = "accrual-periodic" },
    { id = "gold", name = "Gold loan", currency = "USD", accounting_rule = "cash", day_count = "30/360" },
]
"#;
