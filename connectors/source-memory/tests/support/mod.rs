//! The memory source's conformance harness, shared by the test files.

#![allow(dead_code)]

use std::path::PathBuf;

use async_trait::async_trait;
use source_memory::{MemorySource, MemorySourceFactory, ValidatedMemorySource};
use tieout_conformance::SourceHarness;
use tieout_core::connector::{BuildError, ConnectorContext, Cursor, SecretRef};

/// The token the test configs accept, and its SHA-256.
pub const GOOD_TOKEN: &str = "memory-source-demo-token";
pub const GOOD_TOKEN_SHA256: &str = "8e014a3b71645fad5827c1f3be958271b9d8720b113e408df437f1f093920087";
pub const WRONG_TOKEN: &str = "not-the-memory-source-token";

pub fn data(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(file)
}

/// A config section (without `kind`) over `tests/data`, presenting the token of `env`.
pub fn config(env: &str) -> toml::Table {
    let text = format!(
        r#"
        events_file = {events:?}
        balances_file = {balances:?}
        schedules_file = {schedules:?}
        page_size = 3
        token = {{ env = "{env}" }}
        accepted_token_sha256 = "{GOOD_TOKEN_SHA256}"
        "#,
        events = data("events.jsonl").display().to_string(),
        balances = data("balances.jsonl").display().to_string(),
        schedules = data("schedules.jsonl").display().to_string(),
    );
    toml::from_str(&text).expect("test config is TOML")
}

/// The memory source, as every source suite sees it.
pub struct Harness;

#[async_trait]
impl SourceHarness for Harness {
    type Factory = MemorySourceFactory;

    fn config(&self) -> toml::Table {
        config("MEMORY_SOURCE_TOKEN")
    }

    fn bad_credentials(&self) -> toml::Table {
        config("MEMORY_SOURCE_WRONG_TOKEN")
    }

    fn secrets(&self) -> Vec<(SecretRef, String)> {
        vec![
            (SecretRef::Env("MEMORY_SOURCE_TOKEN".into()), GOOD_TOKEN.into()),
            (SecretRef::Env("MEMORY_SOURCE_WRONG_TOKEN".into()), WRONG_TOKEN.into()),
        ]
    }

    async fn built_debug(&self, validated: ValidatedMemorySource, cx: &ConnectorContext) -> Result<String, BuildError> {
        Ok(format!("{:?}", MemorySource::build(validated, cx)?))
    }

    fn cursor_beyond_end(&self) -> Option<Cursor> {
        Some(MemorySource::cursor_at(1_000_000))
    }
}
