//! The ledger sink against the conformance kit's sink suites.
//!
//! A journal file has no credentials, and the kit has no notion of a sink without them: its
//! `check.bad_credentials_give_an_auth_error` asks for an Auth error from a config with bad
//! credentials. This harness gives the same config for both (there is nothing to get wrong),
//! and the test asserts that exactly that check fails, for exactly that reason, and that every
//! other check passes or is skipped for the reasons listed. The checks about secrets are
//! skipped by the kit itself ("the harness names no secrets").

mod support;

use std::path::PathBuf;

use async_trait::async_trait;
use sink_ledger::{LedgerSink, LedgerSinkFactory, ValidatedLedgerSink};
use tieout_conformance::{PerItemFailure, SinkHarness};
use tieout_core::connector::{BuildError, ConnectorContext, SecretRef};
use tieout_core::ids::AccountRef;

/// A journal with a chart (two active accounts, an inactive one, one tied to EUR) and a
/// transaction typed by hand, shared by every check (each builds the sink afresh on it).
struct Harness {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("books.journal");
        let text = format!(
            "{}2026-09-01 Opening balance, typed by hand\n    Assets:Bank  USD 1000.00\n    Equity:Opening\n\n",
            support::CHART
        );
        std::fs::write(&path, text).unwrap();
        Harness { _dir: dir, path }
    }
}

#[async_trait]
impl SinkHarness for Harness {
    type Factory = LedgerSinkFactory;

    fn config(&self) -> toml::Table {
        let text = format!(
            "path = {:?}\ncurrencies = [\"USD\"]\nlock_date = \"2026-06-30\"\nmax_batch = 5\n",
            self.path.display().to_string()
        );
        toml::from_str(&text).unwrap()
    }

    /// A file sink has no credentials: the same config.
    fn bad_credentials(&self) -> toml::Table {
        self.config()
    }

    fn secrets(&self) -> Vec<(SecretRef, String)> {
        Vec::new()
    }

    async fn built_debug(&self, validated: ValidatedLedgerSink, cx: &ConnectorContext) -> Result<String, BuildError> {
        Ok(format!("{:?}", LedgerSink::build(validated, cx)))
    }

    /// Entries on Assets:Euro (tagged currency:EUR) in USD are refused on their own.
    fn per_item_failure(&self) -> Option<PerItemFailure> {
        Some(PerItemFailure { config: self.config(), account: "Assets:Euro".into() })
    }

    fn accounts(&self) -> Option<(AccountRef, AccountRef)> {
        Some(("Assets:Loans".into(), "Assets:Bank".into()))
    }
}

const NO_SECRETS: &str = "the harness names no secrets (the connector takes no credentials)";

#[tokio::test]
async fn config_suite() {
    let report = tieout_conformance::sink::config_suite(&Harness::new()).await.unwrap();
    assert_eq!(
        report.skipped(),
        [
            ("config.secrets_are_references", NO_SECRETS),
            ("config.config_debug_hides_secrets", NO_SECRETS),
            ("config.secrets_never_show", NO_SECRETS),
        ],
        "{report}"
    );
    assert_eq!(report.passed().len(), 3, "{report}");
}

#[tokio::test]
async fn check_suite_fails_only_on_credentials_which_a_file_does_not_have() {
    let failure = tieout_conformance::sink::check_suite(&Harness::new()).await.unwrap_err();
    assert_eq!(failure.failed_checks(), ["check.bad_credentials_give_an_auth_error"], "{failure}");
    assert_eq!(
        failure.message("check.bad_credentials_give_an_auth_error"),
        Some("check() with bad credentials passed (first call)")
    );
    assert_eq!(failure.report.passed(), ["check.good_credentials_pass"]);
}

#[tokio::test]
async fn posting_suite() {
    let harness = Harness::new();
    let report = tieout_conformance::sink::posting_suite(&harness).await.unwrap();
    assert_eq!(
        report.skipped(),
        [("sink.find_posted_outlives_the_idempotency_window", "capabilities() gives no idempotency_window to outlive")],
        "{report}"
    );
    // What the suites wrote, next to the hand-written opening balance, is a journal hledger accepts.
    support::hledger_check(&harness.path, false);
    assert!(support::keys_in(&harness.path).len() >= 10);
}

#[test]
fn the_readme_shows_the_factorys_example() {
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&format!("[sink]\n{}", sink_ledger::EXAMPLE)),
        "README.md must show [sink] followed by exactly sink_ledger::EXAMPLE"
    );
    use tieout_core::connector::SinkFactory;
    assert_eq!(LedgerSinkFactory::example(), sink_ledger::EXAMPLE);
}
