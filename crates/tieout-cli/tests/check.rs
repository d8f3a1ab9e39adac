//! `tieout check` end to end: a config directory with the memory source and the memory sink, a
//! mapping that maps every role, then one thing broken at a time — a role, an account of the
//! chart, a product's rule, the sink's credentials, the client file — each shown with its
//! message and exit code 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tieout_core::role::Role;

const SOURCE_TOKEN: &str = "memory-source-demo-token";
const SOURCE_SHA256: &str = "8e014a3b71645fad5827c1f3be958271b9d8720b113e408df437f1f093920087";
const SINK_TOKEN: &str = "memory-sink-demo-token";
const SINK_SHA256: &str = "49c55005100e3a819746c485af014501ce144f2e70e02755deddd62b147256b4";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What to break in an otherwise clean client.
#[derive(Default)]
struct Breakage {
    /// A role left out of `[accounts]`.
    unmapped: Option<Role>,
    /// An account left out of the sink's chart.
    not_in_chart: Option<&'static str>,
    /// A product the source offers with no rule anywhere (and no default_rule).
    ruleless_product: bool,
    /// The token the sink is given.
    sink_token: Option<&'static str>,
    /// A line added to the client file.
    client_extra: &'static str,
}

fn account_of(role: Role) -> String {
    format!("Ledger:{role}")
}

/// A config dir with client `acme`: memory source (products personal and gold), memory sink whose
/// chart has every mapped account with its role's usual type, and a mapping of every role.
fn setup(b: &Breakage) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path();
    std::fs::create_dir_all(config.join("clients")).expect("clients");
    std::fs::create_dir_all(config.join("mappings")).expect("mappings");
    std::fs::copy(root().join("config/default.toml"), config.join("default.toml")).expect("default.toml");

    let roles: Vec<Role> = Role::ALL.iter().copied().filter(|r| Some(*r) != b.unmapped).collect();
    let mut mapping = String::new();
    if !b.ruleless_product {
        mapping.push_str("default_rule = \"accrual-periodic\"\n");
    }
    mapping.push_str("[accounts]\n");
    for role in &roles {
        mapping.push_str(&format!("{role} = \"{}\"\n", account_of(*role)));
    }
    mapping.push_str("[products.personal]\nrule = \"accrual-periodic\"\n[products.gold]\nrule = \"cash\"\n");
    mapping.push_str("[offices.HQ]\nclass = \"Headquarters\"\n");
    std::fs::write(config.join("mappings/acme.toml"), mapping).expect("mapping");

    let chart: Vec<String> = Role::ALL
        .iter()
        .map(|r| (account_of(*r), r.expected_type()))
        .filter(|(account, _)| Some(account.as_str()) != b.not_in_chart)
        .map(|(account, kind)| format!("{{ account = \"{account}\", type = \"{kind}\" }}"))
        .collect();
    let mut products = vec![
        r#"{ id = "personal", name = "Personal loan", currency = "USD", accounting_rule = "accrual-periodic" }"#,
        r#"{ id = "gold", name = "Gold loan", currency = "USD", accounting_rule = "cash" }"#,
    ];
    if b.ruleless_product {
        products.push(r#"{ id = "mystery", name = "Mystery loan", currency = "USD" }"#);
    }
    let client = format!(
        r#"time_zone = "America/New_York"
mapping = "mappings/acme.toml"
{extra}

[source]
kind = "memory"
events_file = "{events}"
token = {{ env = "ACME_SOURCE_TOKEN" }}
accepted_token_sha256 = "{SOURCE_SHA256}"
products = [{products}]

[sink]
kind = "memory"
token = {{ env = "ACME_SINK_TOKEN" }}
accepted_token_sha256 = "{SINK_SHA256}"
dimensions = ["class"]
accounts = [{chart}]
"#,
        extra = b.client_extra,
        events = root().join("config/examples/events.jsonl").display(),
        products = products.join(", "),
        chart = chart.join(", "),
    );
    std::fs::write(config.join("clients/acme.toml"), client).expect("client");
    dir
}

fn check(dir: &Path, b: &Breakage, format: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tieout"))
        .arg("--config")
        .arg(dir)
        .args(["check", "--client", "acme", "--format", format])
        .env("ACME_SOURCE_TOKEN", SOURCE_TOKEN)
        .env("ACME_SINK_TOKEN", b.sink_token.unwrap_or(SINK_TOKEN))
        .output()
        .expect("tieout runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the check on a broken client; returns stdout after asserting exit code 2.
fn gaps(b: Breakage) -> String {
    let dir = setup(&b);
    let out = check(dir.path(), &b, "text");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{}", text(&out.stderr));
    stdout
}

#[test]
fn a_clean_config_passes_with_every_section_ticked() {
    let b = Breakage::default();
    let dir = setup(&b);
    let out = check(dir.path(), &b, "text");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("Config  ✓  "), "{stdout}");
    assert!(stdout.contains("Source  ✓  memory: 2 product(s)"), "{stdout}");
    assert!(stdout.contains("Sink    ✓  memory: chart of accounts read"), "{stdout}");
    assert!(stdout.contains("personal (Personal loan, USD): accrual-periodic (mapping [products]);"), "{stdout}");
    assert!(stdout.contains("gold (Gold loan, USD): cash (mapping [products]);"), "{stdout}");
    assert!(stdout.contains("Data gaps: none"), "{stdout}");
    assert!(!stdout.contains("Not checked"), "{stdout}");

    let out = check(dir.path(), &b, "json");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_str(&text(&out.stdout)).expect("json");
    assert_eq!(json["ok"], true);
    assert_eq!(json["problems"], serde_json::json!([]));
    assert_eq!(json["source"]["products"], 2);
    let gold = &json["products"][1];
    assert_eq!((gold["id"].as_str(), gold["rule"].as_str()), (Some("gold"), Some("cash")));
    let roles = gold["roles"].as_array().expect("roles");
    assert!(!roles.is_empty());
    for role in roles {
        let name = role["role"].as_str().expect("role");
        assert_eq!(role["account"].as_str(), Some(format!("Ledger:{name}").as_str()), "{role}");
    }
}

#[test]
fn a_role_missing_from_the_mapping_is_a_gap() {
    // Only the accrual rule posts income from charged-off interest; the cash product does not need it.
    let stdout = gaps(Breakage { unmapped: Some(Role::IncomeFromChargeOffInterest), ..Breakage::default() });
    assert!(stdout.contains("Data gaps: 1 blocking"), "{stdout}");
    assert!(
        stdout.contains("✗ [unmapped_role] Product 'personal' (accrual-periodic) has no account for income_from_charge_off_interest, \
             which its rule posts for charge_off"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Fix: Add income_from_charge_off_interest under [products.personal] or [accounts]"),
        "{stdout}"
    );
    assert!(stdout.contains("personal (Personal loan, USD): accrual-periodic (mapping [products]); 1 of"), "{stdout}");
}

#[test]
fn an_account_missing_in_the_sink_chart_is_a_gap() {
    let stdout = gaps(Breakage { not_in_chart: Some("Ledger:penalty_income"), ..Breakage::default() });
    assert!(
        stdout.contains(
            "✗ [account_missing] Account 'Ledger:penalty_income' (used for penalty_income of product 'personal') does \
             not exist in the accounting package's chart of accounts."
        ),
        "{stdout}"
    );
    assert!(stdout.contains("Fix: Create it in the accounting package, or map penalty_income"), "{stdout}");
}

#[test]
fn a_product_without_a_rule_is_a_gap() {
    let stdout = gaps(Breakage { ruleless_product: true, ..Breakage::default() });
    assert!(stdout.contains("mystery (Mystery loan, USD): no rule"), "{stdout}");
    assert!(
        stdout.contains("✗ [no_accounting_rule] Product 'mystery' has no accounting rule in the mapping: none of its"),
        "{stdout}"
    );
    assert!(stdout.contains("under [products.mystery] in the mapping, or set default_rule"), "{stdout}");
}

#[test]
fn bad_sink_credentials_are_reported_and_the_rest_still_runs() {
    let b = Breakage { sink_token: Some("not-the-token"), ..Breakage::default() };
    let dir = setup(&b);
    let out = check(dir.path(), &b, "text");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("Source  ✓  memory: 2 product(s)"), "{stdout}");
    assert!(
        stdout.contains("Sink    ✗  memory: checking the memory sink: the accounting package refused the credentials"),
        "{stdout}"
    );
    assert!(stdout.contains("Data gaps: none"), "the mapping is still checked: {stdout}");
    assert!(
        stdout.contains(
            "Not checked, because a system could not be read: accounts against the accounting package's chart."
        ),
        "{stdout}"
    );
    assert!(
        !stdout.contains("not-the-token") && !text(&out.stderr).contains("not-the-token"),
        "the secret must never be printed"
    );

    let out = check(dir.path(), &b, "json");
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_str(&text(&out.stdout)).expect("json");
    assert_eq!((json["ok"].as_bool(), json["sink"]["ok"].as_bool()), (Some(false), Some(false)));
    assert!(json["sink"]["error"].as_str().expect("error").contains("refused the credentials"), "{json}");
    assert_eq!(json["checked"]["accounts"], false);
}

#[test]
fn a_config_error_names_the_file_and_the_key() {
    let b = Breakage { client_extra: "detail = \"weekly\"", ..Breakage::default() };
    let dir = setup(&b);
    let out = check(dir.path(), &b, "text");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.starts_with("Config  ✗  "), "{stdout}");
    assert!(stdout.contains("clients/acme.toml") && stdout.contains("detail"), "{stdout}");
}
