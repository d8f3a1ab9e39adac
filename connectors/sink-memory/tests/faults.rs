//! The sink suites catch broken sinks: each test breaks one rule of the posting contract (by
//! config, or by wrapping the memory sink), runs the suites, and asserts that the check for
//! that rule fails and says why.

mod support;

use async_trait::async_trait;
use chrono::NaiveDate;
use sink_memory::{MemorySink, MemorySinkConfig, MemorySinkFactory, ValidatedMemorySink};
use support::Harness;
use tieout_conformance::{PerItemFailure, SinkHarness, SuiteFailure};
use tieout_core::connector::{
    AccountBalance, AccountingSink, BuildError, ConfigError, ConnectorContext, LedgerAccount, PostOutcome, Posting,
    SecretRef, SinkCapabilities, SinkError, SinkFactory,
};
use tieout_core::entry::EntryKey;
use tieout_core::ids::{AccountRef, ExternalRef};

const SWALLOWS_ITEM_FAILURES: u8 = 0;
const ONE_FAILURE_FAILS_THE_BATCH: u8 = 1;
const WRITES_BEFORE_VALIDATING: u8 = 2;
const OUTCOMES_OUT_OF_ORDER: u8 = 3;
const BLIND_FIND_POSTED: u8 = 4;
const AUTH_AS_REJECTION: u8 = 5;

/// The memory sink's factory, building a sink broken in way `F`.
struct Broken<const F: u8>;

#[async_trait]
impl<const F: u8> SinkFactory for Broken<F> {
    const KIND: &'static str = "memory";
    type Config = MemorySinkConfig;
    type Validated = ValidatedMemorySink;

    fn example() -> &'static str {
        sink_memory::EXAMPLE
    }

    fn validate(config: MemorySinkConfig) -> Result<ValidatedMemorySink, ConfigError> {
        MemorySinkFactory::validate(config)
    }

    async fn build(v: ValidatedMemorySink, cx: &ConnectorContext) -> Result<Box<dyn AccountingSink>, BuildError> {
        Ok(Box::new(Wrapper::<F>(MemorySink::build(v, cx)?)))
    }
}

struct Wrapper<const F: u8>(MemorySink);

#[async_trait]
impl<const F: u8> AccountingSink for Wrapper<F> {
    fn kind(&self) -> &'static str {
        "memory"
    }

    fn capabilities(&self) -> SinkCapabilities {
        self.0.capabilities()
    }

    async fn check(&self) -> Result<(), SinkError> {
        match (F, self.0.check().await) {
            (AUTH_AS_REJECTION, Err(SinkError::Auth { message })) => Err(SinkError::Rejected { message }),
            (_, result) => result,
        }
    }

    async fn chart_of_accounts(&self) -> Result<Vec<LedgerAccount>, SinkError> {
        self.0.chart_of_accounts().await
    }

    async fn lock_date(&self) -> Result<Option<NaiveDate>, SinkError> {
        self.0.lock_date().await
    }

    async fn post(&self, batch: &[Posting<'_>]) -> Result<Vec<PostOutcome>, SinkError> {
        if F == WRITES_BEFORE_VALIDATING {
            // Sends entry by entry, so a bad entry is found only after the good ones were written.
            let mut outcomes = Vec::new();
            for posting in batch {
                outcomes.extend(self.0.post(std::slice::from_ref(posting)).await?);
            }
            return Ok(outcomes);
        }
        let mut outcomes = self.0.post(batch).await?;
        match F {
            SWALLOWS_ITEM_FAILURES => {
                for outcome in &mut outcomes {
                    if outcome.result.is_err() {
                        outcome.result = Ok(ExternalRef::from("swallowed"));
                    }
                }
            }
            ONE_FAILURE_FAILS_THE_BATCH => {
                if let Some(failed) = outcomes.iter().find_map(|o| o.result.as_ref().err()) {
                    return Err(SinkError::Rejected { message: failed.message.clone() });
                }
            }
            OUTCOMES_OUT_OF_ORDER => outcomes.reverse(),
            _ => {}
        }
        Ok(outcomes)
    }

    async fn find_posted(&self, key: &EntryKey) -> Result<Option<ExternalRef>, SinkError> {
        if F == BLIND_FIND_POSTED {
            return Ok(None);
        }
        self.0.find_posted(key).await
    }

    async fn trial_balance(&self, as_of: NaiveDate) -> Result<Vec<AccountBalance>, SinkError> {
        self.0.trial_balance(as_of).await
    }
}

/// The memory sink's harness with the broken factory.
struct BrokenHarness<const F: u8>(Harness);

#[async_trait]
impl<const F: u8> SinkHarness for BrokenHarness<F> {
    type Factory = Broken<F>;

    fn config(&self) -> toml::Table {
        self.0.config()
    }

    fn bad_credentials(&self) -> toml::Table {
        self.0.bad_credentials()
    }

    fn secrets(&self) -> Vec<(SecretRef, String)> {
        self.0.secrets()
    }

    async fn built_debug(&self, validated: ValidatedMemorySink, cx: &ConnectorContext) -> Result<String, BuildError> {
        self.0.built_debug(validated, cx).await
    }

    fn per_item_failure(&self) -> Option<PerItemFailure> {
        self.0.per_item_failure()
    }

    fn accounts(&self) -> Option<(AccountRef, AccountRef)> {
        self.0.accounts()
    }
}

fn expect_failure(result: Result<tieout_conformance::Report, SuiteFailure>) -> SuiteFailure {
    match result {
        Ok(report) => panic!("the suites passed a broken sink:\n{report}"),
        Err(failure) => failure,
    }
}

async fn failure<const F: u8>() -> SuiteFailure {
    expect_failure(tieout_conformance::sink::all(&BrokenHarness::<F>(Harness::in_memory())).await)
}

fn assert_failed(failure: &SuiteFailure, check: &str, says: &str) {
    let message = failure.message(check).unwrap_or_else(|| panic!("{check} did not fail:\n{failure}"));
    assert!(message.contains(says), "{check} failed, but its message does not say \"{says}\": {message}");
}

#[tokio::test]
async fn a_sink_that_ignores_idempotency_keys_is_caught() {
    // No wrapper needed: the memory sink with a window of 0 posts forgets every key at once.
    let harness = Harness { state_file: None, idempotency: Some("idempotency_window_posts = 0") };
    let failure = expect_failure(tieout_conformance::sink::posting_suite(&harness).await);
    assert_eq!(failure.failed_checks(), vec!["sink.repost_has_one_effect_and_the_same_refs"], "{failure}");
    assert_failed(&failure, "sink.repost_has_one_effect_and_the_same_refs", "gave other external refs");
}

#[tokio::test]
async fn swallowed_per_item_failures_are_caught() {
    let failure = failure::<SWALLOWS_ITEM_FAILURES>().await;
    assert_failed(&failure, "sink.per_item_failure_is_that_items_outcome", "the failure was swallowed");
    // The unknown and inactive accounts are per-item failures in the memory sink, swallowed too.
    assert_failed(&failure, "sink.unknown_account_is_not_posted", "was posted as swallowed");
}

#[tokio::test]
async fn one_item_failing_the_whole_batch_is_caught() {
    let failure = failure::<ONE_FAILURE_FAILS_THE_BATCH>().await;
    assert_eq!(failure.failed_checks(), vec!["sink.per_item_failure_is_that_items_outcome"], "{failure}");
    assert_failed(&failure, "sink.per_item_failure_is_that_items_outcome", "failed as a whole");
}

#[tokio::test]
async fn writing_before_validating_is_caught() {
    let failure = failure::<WRITES_BEFORE_VALIDATING>().await;
    assert_failed(&failure, "sink.oversized_batch_is_refused_before_io", "was accepted");
    assert_failed(&failure, "sink.unbookable_currency_is_refused_before_io", "was written");
}

#[tokio::test]
async fn outcomes_out_of_order_are_caught() {
    let failure = failure::<OUTCOMES_OUT_OF_ORDER>().await;
    assert_failed(&failure, "sink.post_gives_one_outcome_per_entry", "one per entry, in order");
}

#[tokio::test]
async fn a_find_posted_that_finds_nothing_is_caught() {
    let failure = failure::<BLIND_FIND_POSTED>().await;
    assert_failed(&failure, "sink.find_posted_finds_each_entry_by_key", "find_posted(");
    assert_failed(&failure, "sink.find_posted_outlives_the_idempotency_window", "after the idempotency window");
}

#[tokio::test]
async fn an_auth_refusal_reported_as_a_rejection_is_caught() {
    let failure = failure::<AUTH_AS_REJECTION>().await;
    assert_eq!(failure.failed_checks(), vec!["check.bad_credentials_give_an_auth_error"], "{failure}");
}

#[tokio::test]
async fn a_secret_written_into_the_config_is_caught() {
    /// A harness whose config holds the token's value itself (here inside a file name).
    struct Inline(Harness, std::path::PathBuf);
    #[async_trait]
    impl SinkHarness for Inline {
        type Factory = MemorySinkFactory;
        fn config(&self) -> toml::Table {
            let mut config = self.0.config();
            config.insert("state_file".into(), self.1.display().to_string().into());
            config
        }
        fn bad_credentials(&self) -> toml::Table {
            self.0.bad_credentials()
        }
        fn secrets(&self) -> Vec<(SecretRef, String)> {
            self.0.secrets()
        }
        async fn built_debug(&self, v: ValidatedMemorySink, cx: &ConnectorContext) -> Result<String, BuildError> {
            self.0.built_debug(v, cx).await
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let harness = Inline(Harness::in_memory(), dir.path().join(format!("{}.jsonl", support::GOOD_TOKEN)));
    let failure = expect_failure(tieout_conformance::sink::config_suite(&harness).await);
    assert_failed(&failure, "config.secrets_are_references", "holds a secret value itself");
    assert_failed(&failure, "config.config_debug_hides_secrets", "a secret value shows in the config's Debug");
    assert_failed(&failure, "config.secrets_never_show", "a secret value shows in the built connector's Debug");
    assert!(!failure.to_string().contains(support::GOOD_TOKEN), "the report itself shows the token:\n{failure}");
}
