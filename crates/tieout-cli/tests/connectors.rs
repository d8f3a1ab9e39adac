//! `tieout source …` and `tieout sink …` on a configured client, through the registry, with the
//! memory connectors and real config files in a temporary config directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SOURCE_TOKEN: &str = "memory-source-demo-token";
const SINK_TOKEN: &str = "memory-sink-demo-token";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A config dir with one client, `acme`: memory source over the example events, memory sink.
fn config_dir(source_extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let events = root().join("config/examples/events.jsonl");
    std::fs::copy(root().join("config/default.toml"), dir.path().join("default.toml")).expect("default.toml");
    std::fs::create_dir_all(dir.path().join("clients")).expect("clients");
    std::fs::create_dir_all(dir.path().join("mappings")).expect("mappings");
    std::fs::copy(root().join("config/examples/mapping.toml"), dir.path().join("mappings/acme.toml")).expect("mapping");
    let client = format!(
        r#"time_zone = "America/New_York"
mapping = "mappings/acme.toml"

[source]
kind = "memory"
events_file = "{events}"
token = {{ env = "ACME_SOURCE_TOKEN" }}
accepted_token_sha256 = "8e014a3b71645fad5827c1f3be958271b9d8720b113e408df437f1f093920087"
page_size = 4
{source_extra}

[sink]
kind = "memory"
token = {{ env = "ACME_SINK_TOKEN" }}
accepted_token_sha256 = "49c55005100e3a819746c485af014501ce144f2e70e02755deddd62b147256b4"
accounts = [
    {{ account = "Assets:Bank:Operating", name = "Operating account", type = "asset" }},
    {{ account = "Income:Interest", name = "Interest income", type = "income" }},
    {{ account = "Old suspense", name = "Old suspense", type = "asset", active = false }},
]
"#,
        events = events.display()
    );
    std::fs::write(dir.path().join("clients/acme.toml"), client).expect("client file");
    dir
}

fn tieout(config: &Path, args: &[&str], source_token: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tieout"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("ACME_SOURCE_TOKEN", source_token)
        .env("ACME_SINK_TOKEN", SINK_TOKEN)
        .output()
        .expect("tieout runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn source_check_and_events_in_a_window() {
    let dir = config_dir("");
    let out = tieout(dir.path(), &["source", "check", "--client", "acme"], SOURCE_TOKEN);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "source memory of acme: ok\n");

    let out = tieout(
        dir.path(),
        &["source", "events", "--client", "acme", "--from", "2026-10-01", "--to", "2026-10-31"],
        SOURCE_TOKEN,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    let expected: Vec<String> = std::fs::read_to_string(root().join("config/examples/events.jsonl"))
        .expect("events")
        .lines()
        .filter(|l| l.contains("\"date\":\"2026-10-"))
        .map(|l| tieout_core::event::write_event_line(&tieout_core::event::parse_event_line(l, None).expect("event")))
        .collect();
    assert_eq!(lines.len(), 8, "{lines:?}");
    assert_eq!(lines, expected, "every October event, in source order, across pages of 4");
}

#[test]
fn bad_source_credentials_are_an_auth_error() {
    let dir = config_dir("");
    let out = tieout(dir.path(), &["source", "check", "--client", "acme"], "not-the-token");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("refused the credentials"), "{stderr}");
    assert!(!stderr.contains("not-the-token"), "the secret must never be printed: {stderr}");
}

#[test]
fn sink_check_accounts_and_trial_balance() {
    let dir = config_dir("");
    let out = tieout(dir.path(), &["sink", "check", "--client", "acme"], SOURCE_TOKEN);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = tieout(dir.path(), &["sink", "accounts", "--client", "acme", "--format", "csv"], SOURCE_TOKEN);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "account,name,type,status,currency\r\nAssets:Bank:Operating,Operating account,asset,active,\r\nIncome:Interest,Interest income,income,active,\r\nOld suspense,Old suspense,asset,inactive,\r\n"
    );

    let out = tieout(
        dir.path(),
        &["sink", "trial-balance", "--client", "acme", "--as-of", "2026-10-31", "--format", "json"],
        SOURCE_TOKEN,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let balances: serde_json::Value = serde_json::from_str(&text(&out.stdout)).expect("json");
    assert_eq!(balances, serde_json::json!([]), "nothing was posted to a new memory sink");
}

#[test]
fn config_errors_name_the_file_the_key_and_the_known_kinds() {
    let dir = config_dir("colour = \"red\"");
    let out = tieout(dir.path(), &["source", "check", "--client", "acme"], SOURCE_TOKEN);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("clients/acme.toml") && stderr.contains("colour"), "{stderr}");

    let client = dir.path().join("clients/acme.toml");
    let text_of = std::fs::read_to_string(&client).expect("client");
    std::fs::write(&client, text_of.replace("[sink]\nkind = \"memory\"", "[sink]\nkind = \"quickbook\""))
        .expect("write");
    let out = tieout(dir.path(), &["sink", "check", "--client", "acme"], SOURCE_TOKEN);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("unknown sink kind 'quickbook': known sink kinds are memory"),
        "{}",
        text(&out.stderr)
    );

    let out = tieout(dir.path(), &["sink", "check", "--client", "nobody"], SOURCE_TOKEN);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("acme"), "an unknown client lists the known ones: {}", text(&out.stderr));
}
