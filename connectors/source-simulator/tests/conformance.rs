//! The simulator against the conformance kit's source suites.
//!
//! The simulator runs in-process and takes no credentials, and the kit has no notion of a
//! source without them: its `check.bad_credentials_give_an_auth_error` asks for an Auth error
//! from a config with bad credentials. The harness gives the same config for both (there is
//! nothing to get wrong), and the test asserts that exactly that check fails, for exactly that
//! reason. The checks about secrets are skipped by the kit itself ("the harness names no
//! secrets"). Every events check passes.

mod support;

use std::sync::Arc;

use async_trait::async_trait;
use source_simulator::{SimulatorFactory, SimulatorSource, ValidatedSimulator};
use tieout_conformance::SourceHarness;
use tieout_core::connector::{BuildError, ConnectorContext, Cursor, SecretRef, SourceFactory};

/// A small book (a few hundred events), so that resuming from every cursor stays quick.
const CONFIG: &str = r#"
seed = 11
loans = 6
start = "2026-09-01"
months = 4
currency = "USD"
products = ["personal", "gold", "auto", "export"]
offices = ["HQ", "NORTH"]
page_size = 50
"#;

struct Harness;

#[async_trait]
impl SourceHarness for Harness {
    type Factory = SimulatorFactory;

    fn config(&self) -> toml::Table {
        support::table(CONFIG)
    }

    /// The simulator has no credentials: the same config.
    fn bad_credentials(&self) -> toml::Table {
        self.config()
    }

    fn secrets(&self) -> Vec<(SecretRef, String)> {
        Vec::new()
    }

    async fn built_debug(&self, validated: ValidatedSimulator, cx: &ConnectorContext) -> Result<String, BuildError> {
        Ok(format!("{:?}", SimulatorSource::build(Arc::new(validated), cx)))
    }

    fn cursor_beyond_end(&self) -> Option<Cursor> {
        // The position after everything: a day past the book's last one.
        Some(support::beyond_end(&support::validated(CONFIG)))
    }
}

const NO_SECRETS: &str = "the harness names no secrets (the connector takes no credentials)";

#[tokio::test]
async fn config_suite() {
    let report = tieout_conformance::source::config_suite(&Harness).await.unwrap();
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
async fn check_suite_fails_only_on_credentials_which_the_simulator_does_not_have() {
    let failure = tieout_conformance::source::check_suite(&Harness).await.unwrap_err();
    assert_eq!(failure.failed_checks(), ["check.bad_credentials_give_an_auth_error"], "{failure}");
    assert_eq!(
        failure.message("check.bad_credentials_give_an_auth_error"),
        Some("check() with bad credentials passed (first call)")
    );
    assert_eq!(failure.report.passed(), ["check.good_credentials_pass"]);
}

#[tokio::test]
async fn events_suite() {
    let report = tieout_conformance::source::events_suite(&Harness).await.unwrap();
    assert!(report.skipped().is_empty(), "{report}");
    assert!(report.passed().contains(&"source.resuming_from_every_cursor_gives_the_rest"), "{report}");
}

#[test]
fn the_readme_shows_the_factorys_example() {
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&format!("[source]\n{}", source_simulator::EXAMPLE)),
        "README.md must show [source] followed by exactly source_simulator::EXAMPLE"
    );
    assert_eq!(SimulatorFactory::example(), source_simulator::EXAMPLE);
}

#[test]
fn the_demo_clients_source_section_validates() {
    let text = include_str!("../../../config/clients/demo.toml");
    let client: toml::Table = toml::from_str(text).unwrap();
    let mut section = client["source"].as_table().unwrap().clone();
    assert_eq!(section.remove("kind").and_then(|k| k.as_str().map(str::to_owned)).as_deref(), Some("simulator"));
    let config = tieout_core::connector::parse_config::<source_simulator::SimulatorConfig>(
        tieout_core::connector::ConnectorRole::Source,
        "simulator",
        section,
    )
    .unwrap();
    config.check().unwrap();
}
