//! The conformance kit: suites every connector runs from its own tests (research/architecture.md
//! §1 and §5: Vector's compliance helpers, Airbyte's acceptance tests).
//!
//! A connector's test implements a harness ([`SourceHarness`] or [`SinkHarness`]: a good
//! config, one with bad credentials, the secret values, a typed `Debug` of the built connector)
//! and calls the suites under tokio:
//!
//! | suite | checks |
//! | --- | --- |
//! | [`source::config_suite`], [`sink::config_suite`] | the README example (`factory.example()`) parses and validates; an unknown key is refused by name; secrets are references and never show in `Debug` (config, validated config, built connector), errors or logs |
//! | [`source::check_suite`], [`sink::check_suite`] | good credentials pass; bad ones give a typed auth error, not retryable, promptly, in a few calls |
//! | [`source::events_suite`] | the same window twice gives the same events; cursors never go back; the end and beyond give nothing; resuming from every cursor gives exactly the rest; events are canonical; products, balances, schedules |
//! | [`sink::posting_suite`] | one outcome per entry; a repost has one effect and the same refs; `find_posted` finds each (also after the idempotency window); a per-item failure is that item's outcome; what can be refused before IO is refused with nothing written |
//! | [`mapping::suite`] | every role a posting needs resolves, or is `Unmapped` naming product and role; never a silent default |
//!
//! Each suite returns `Result<Report, SuiteFailure>`: every check runs, each is a small named
//! function, and a failure names each failed check with what was expected and what happened.
//! `SuiteFailure`'s `Debug` is its message, so `suite(&h).await.unwrap()` reads well in a test.
//! Connectors are built in a [`Kit`]: a clock the suites move, an API budget that counts calls
//! (a connector takes one permit per call to its system), secrets from a map (never the
//! environment) and a `tracing` subscriber that captures every log line.

mod common;
mod harness;
mod kit;
pub mod mapping;
mod report;
pub mod sink;
pub mod source;
mod subject;

pub use harness::{PerItemFailure, SinkHarness, SinkValidatedOf, SourceHarness, ValidatedOf};
pub use kit::{CountingBudget, Kit, ManualClock, MapSecrets};
pub use report::{CheckRecord, Report, Status, SuiteFailure};
