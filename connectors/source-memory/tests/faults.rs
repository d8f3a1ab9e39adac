//! The source suites catch broken sources: each test wraps the memory source so that it breaks
//! one rule, runs the suites, and asserts that the check for that rule fails (and says why).

mod support;

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use chrono::NaiveDate;
use source_memory::{MemorySource, MemorySourceConfig, MemorySourceFactory, ValidatedMemorySource};
use tieout_conformance::{SourceHarness, SuiteFailure};
use tieout_core::connector::{
    BuildError, ConfigError, ConnectorContext, Cursor, ExposeSecret, LoanBalance, Page, ProductInfo, SecretRef,
    ServicingSource, SourceCapabilities, SourceError, SourceFactory,
};
use tieout_core::event::Event;

/// The ways a wrapped source breaks the contract.
const CURSOR_GOES_BACK: u8 = 0;
const UNSTABLE_ORDER: u8 = 1;
const NOT_CANONICAL: u8 = 2;
const NO_NEXT_ON_LAST_PAGE: u8 = 3;
const FUTURE_CURSOR_ERRORS: u8 = 4;
const ACCEPTS_ANY_CURSOR: u8 = 5;
const RETRIES_AUTH: u8 = 6;
const AUTH_AS_OUTAGE: u8 = 7;
const LOGS_THE_TOKEN: u8 = 8;
const PANICS_ON_AUTH: u8 = 9;

/// The memory source's factory, building a source broken in way `F`.
struct Broken<const F: u8>;

#[async_trait]
impl<const F: u8> SourceFactory for Broken<F> {
    const KIND: &'static str = "memory";
    type Config = MemorySourceConfig;
    type Validated = ValidatedMemorySource;

    fn example() -> &'static str {
        source_memory::EXAMPLE
    }

    fn validate(config: MemorySourceConfig) -> Result<ValidatedMemorySource, ConfigError> {
        MemorySourceFactory::validate(config)
    }

    async fn build(v: ValidatedMemorySource, cx: &ConnectorContext) -> Result<Box<dyn ServicingSource>, BuildError> {
        if F == LOGS_THE_TOKEN {
            let token = cx.secrets.resolve(&SecretRef::Env("MEMORY_SOURCE_TOKEN".into()))?;
            tracing::debug!(parent: &cx.span, token = token.expose_secret(), "Connecting.");
        }
        Ok(Box::new(Wrapper::<F> { inner: MemorySource::build(v, cx)?, reads: AtomicU64::new(0) }))
    }
}

struct Wrapper<const F: u8> {
    inner: MemorySource,
    reads: AtomicU64,
}

fn position(cursor: Option<&Cursor>) -> usize {
    cursor.and_then(|c| c.0.strip_prefix("ev:")).and_then(|n| n.parse().ok()).unwrap_or(0)
}

#[async_trait]
impl<const F: u8> ServicingSource for Wrapper<F> {
    fn kind(&self) -> &'static str {
        "memory"
    }

    fn capabilities(&self) -> SourceCapabilities {
        self.inner.capabilities()
    }

    async fn check(&self) -> Result<(), SourceError> {
        match F {
            RETRIES_AUTH => {
                let mut result = self.inner.check().await;
                for _ in 0..5 {
                    if result.is_ok() {
                        break;
                    }
                    result = self.inner.check().await;
                }
                result
            }
            AUTH_AS_OUTAGE => self.inner.check().await.map_err(|e| SourceError::Unavailable { message: e.to_string() }),
            PANICS_ON_AUTH => {
                if let Err(e) = self.inner.check().await {
                    panic!("unexpected answer: {e}");
                }
                Ok(())
            }
            _ => self.inner.check().await,
        }
    }

    async fn products(&self) -> Result<Vec<ProductInfo>, SourceError> {
        self.inner.products().await
    }

    async fn events(&self, cursor: Option<&Cursor>, limit: usize) -> Result<Page<Event>, SourceError> {
        let start = position(cursor);
        match F {
            FUTURE_CURSOR_ERRORS if start > 8 => {
                return Err(SourceError::Rejected { message: "no such position".into() });
            }
            ACCEPTS_ANY_CURSOR if cursor.is_some_and(|c| !c.0.starts_with("ev:")) => {
                return self.inner.events(None, limit).await;
            }
            _ => {}
        }
        let mut page = self.inner.events(cursor, limit).await?;
        match F {
            CURSOR_GOES_BACK => {
                if let Some(next) = &mut page.next {
                    *next = MemorySource::cursor_at(position(Some(next)) - 1);
                }
            }
            UNSTABLE_ORDER if cursor.is_none() && self.reads.fetch_add(1, Ordering::SeqCst) % 2 == 1 => {
                page.items.reverse();
            }
            NOT_CANONICAL => {
                for event in &mut page.items {
                    if event.id.as_str() == "tx-4" {
                        event.amount += rust_decimal::Decimal::ONE;
                    }
                }
            }
            NO_NEXT_ON_LAST_PAGE if start + page.items.len() >= 8 => page.next = None,
            _ => {}
        }
        Ok(page)
    }

    async fn balances(
        &self,
        as_of: NaiveDate,
        cursor: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page<LoanBalance>, SourceError> {
        self.inner.balances(as_of, cursor, limit).await
    }
}

/// The memory source's harness with the broken factory.
struct BrokenHarness<const F: u8>;

#[async_trait]
impl<const F: u8> SourceHarness for BrokenHarness<F> {
    type Factory = Broken<F>;

    fn config(&self) -> toml::Table {
        support::Harness.config()
    }

    fn bad_credentials(&self) -> toml::Table {
        support::Harness.bad_credentials()
    }

    fn secrets(&self) -> Vec<(SecretRef, String)> {
        support::Harness.secrets()
    }

    async fn built_debug(&self, validated: ValidatedMemorySource, cx: &ConnectorContext) -> Result<String, BuildError> {
        support::Harness.built_debug(validated, cx).await
    }

    fn cursor_beyond_end(&self) -> Option<Cursor> {
        support::Harness.cursor_beyond_end()
    }
}

/// Runs every source suite on a source broken in way `F` and returns the failure.
async fn failure<const F: u8>() -> SuiteFailure {
    match tieout_conformance::source::all(&BrokenHarness::<F>).await {
        Ok(report) => panic!("the suites passed a broken source:\n{report}"),
        Err(failure) => failure,
    }
}

fn assert_failed(failure: &SuiteFailure, check: &str, says: &str) {
    let message = failure.message(check).unwrap_or_else(|| panic!("{check} did not fail:\n{failure}"));
    assert!(message.contains(says), "{check} failed, but its message does not say \"{says}\": {message}");
}

#[tokio::test]
async fn a_cursor_that_goes_back_is_caught() {
    let failure = failure::<CURSOR_GOES_BACK>().await;
    assert_failed(&failure, "source.cursor_never_goes_back", "came back");
    assert_failed(&failure, "source.resuming_from_every_cursor_gives_the_rest", "came back");
}

#[tokio::test]
async fn an_unstable_order_is_caught() {
    let failure = failure::<UNSTABLE_ORDER>().await;
    assert_failed(&failure, "source.same_window_twice_gives_the_same_events", "differ by id");
}

#[tokio::test]
async fn a_non_canonical_event_is_caught() {
    let failure = failure::<NOT_CANONICAL>().await;
    assert_failed(&failure, "source.events_are_canonical", "event tx-4: amount 176.00 is not the sum of its portions");
    assert_eq!(failure.failed_checks(), vec!["source.events_are_canonical"], "{failure}");
}

#[tokio::test]
async fn a_last_page_without_a_cursor_is_caught() {
    let failure = failure::<NO_NEXT_ON_LAST_PAGE>().await;
    assert_failed(&failure, "source.resuming_from_every_cursor_gives_the_rest", "gave no next cursor");
}

#[tokio::test]
async fn a_future_cursor_that_errs_is_caught() {
    let failure = failure::<FUTURE_CURSOR_ERRORS>().await;
    assert_eq!(failure.failed_checks(), vec!["source.future_cursor_gives_nothing"], "{failure}");
}

#[tokio::test]
async fn a_cursor_the_source_never_issued_must_be_rejected() {
    let failure = failure::<ACCEPTS_ANY_CURSOR>().await;
    assert_eq!(failure.failed_checks(), vec!["source.malformed_cursor_is_rejected"], "{failure}");
}

#[tokio::test]
async fn a_retry_loop_on_bad_credentials_is_caught() {
    let failure = failure::<RETRIES_AUTH>().await;
    assert_failed(&failure, "check.bad_credentials_give_an_auth_error", "made 6 calls");
}

#[tokio::test]
async fn an_auth_error_reported_as_an_outage_is_caught() {
    let failure = failure::<AUTH_AS_OUTAGE>().await;
    assert_failed(&failure, "check.bad_credentials_give_an_auth_error", "non-auth error");
}

#[tokio::test]
async fn a_token_in_the_logs_is_caught() {
    let failure = failure::<LOGS_THE_TOKEN>().await;
    assert_failed(&failure, "config.secrets_never_show", "a secret value shows in the logs");
    let message = failure.message("config.secrets_never_show").unwrap_or_default();
    assert!(!message.contains(support::GOOD_TOKEN), "the failure message itself shows the token: {message}");
}

#[tokio::test]
async fn a_panic_on_bad_credentials_is_a_failed_check() {
    let failure = failure::<PANICS_ON_AUTH>().await;
    assert_eq!(failure.failed_checks(), vec!["check.bad_credentials_give_an_auth_error"], "{failure}");
    assert_failed(&failure, "check.bad_credentials_give_an_auth_error", "panicked: unexpected answer");
}
