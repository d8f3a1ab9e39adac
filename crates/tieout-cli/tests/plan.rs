//! `tieout plan` end to end: the shipped demo client (simulator source, ledger sink) as Markdown,
//! and a product whose name is markup, as HTML and Markdown.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tieout_core::connector::{AccountMapping, MappingContext};
use tieout_core::ids::ProductId;
use tieout_engine::mapping::MappingFile;
use tieout_engine::rules::RuleSet;
use tieout_period::roles_of_rule;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `tieout` in `cwd` (the demo's ledger sink creates its journal relative to it).
fn tieout(cwd: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tieout"))
        .current_dir(cwd)
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .expect("tieout runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_demo_plan_names_each_product_and_every_roles_account() {
    let cwd = tempfile::tempdir().expect("temp dir");
    let out = tieout(cwd.path(), &root().join("config"), &["plan", "--client", "demo", "--format", "md"]);
    let md = text(&out.stdout);
    assert!(out.status.success(), "{md}\n{}", text(&out.stderr));
    assert!(md.starts_with("# Integration plan: demo\n"), "{md}");
    for section in [
        "## Transactions",
        "## How often data moves",
        "## Open gaps",
        "| cob | 0 30 1 \\* \\* \\* | America/New_York |",
    ] {
        assert!(md.contains(section), "{section} missing:\n{md}");
    }

    // The demo's products (from the simulator's catalogue) and, per product, the account of every
    // role its rule posts to, as the mapping resolves it; an unmapped role is shown as missing.
    let mapping_text = std::fs::read_to_string(root().join("config/mappings/demo.toml")).expect("mapping");
    let mapping = MappingFile::from_toml(&mapping_text, "demo.toml").expect("mapping parses");
    let rules = RuleSet::standard();
    for (id, name) in [("personal", "Personal loan"), ("gold", "Gold loan"), ("auto", "Auto loan")] {
        let heading = format!("## Product {id} ({name})\n");
        let start = md.find(&heading).unwrap_or_else(|| panic!("{heading} missing:\n{md}"));
        let section = &md[start..];
        let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
        let product = ProductId::new(id);
        let rule = mapping.accounting_rule(&product).expect("every demo product has a rule");
        let context = MappingContext { product: &product, payment_type: None, charge: None, office: None };
        let roles = roles_of_rule(&rules, rule);
        assert!(!roles.is_empty());
        for role in roles.keys() {
            let row = match mapping.account(*role, &context) {
                Ok(account) => format!("| {role} | {account} |"),
                Err(_) => format!("| {role} | MISSING |"),
            };
            assert!(section.contains(&row), "{id}: {row} missing:\n{section}");
        }
    }
    // Overrides by payment type and charge are listed too.
    assert!(md.contains("| payment type | ach | fund_source | Assets:Bank:ACH clearing |"), "{md}");
    assert!(md.contains("| charge | late-fee | penalty_income | Income:Fees:Late |"), "{md}");
}

/// A config dir whose memory source offers a product named with markup.
fn markup_config() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path();
    std::fs::create_dir_all(config.join("clients")).expect("clients");
    std::fs::create_dir_all(config.join("mappings")).expect("mappings");
    std::fs::copy(root().join("config/default.toml"), config.join("default.toml")).expect("default.toml");
    std::fs::copy(root().join("config/examples/mapping.toml"), config.join("mappings/acme.toml")).expect("mapping");
    let client = format!(
        r#"time_zone = "Europe/Berlin"
mapping = "mappings/acme.toml"
separation_of_duties = true

[source]
kind = "memory"
events_file = "{events}"
products = [{{ id = "gold", name = "<script>alert('x')</script> & <b>Gold</b>", currency = "USD" }}]

[sink]
kind = "memory"
accounts = [{{ account = "Assets:Bank:Operating", type = "asset" }}]

[schedules.cob]
cron = "0 15 3 * * *"
"#,
        events = root().join("config/examples/events.jsonl").display(),
    );
    std::fs::write(config.join("clients/acme.toml"), client).expect("client");
    dir
}

#[test]
fn html_is_one_self_contained_page_that_escapes_a_product_name_with_markup() {
    let dir = markup_config();
    let file = dir.path().join("plan.html");
    let out = tieout(
        dir.path(),
        dir.path(),
        &["plan", "--client", "acme", "--format", "html", "--out", file.to_str().expect("utf-8 path")],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "--out writes the file only");
    let html = std::fs::read_to_string(&file).expect("plan written");
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<style>") && !html.contains("<script") && !html.contains("<link"), "{html}");
    assert!(
        html.contains(
            "<h2>Product gold (&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;Gold&lt;/b&gt;)</h2>"
        ),
        "{html}"
    );
    assert!(!html.contains("<b>Gold"), "{html}");
    assert!(html.contains("<tr><td>cob</td><td>0 15 3 * * *</td><td>Europe/Berlin</td></tr>"), "{html}");
    assert!(html.contains("by a different user than the one who closed it (separation of duties)"), "{html}");
    // Most of the example mapping's accounts are not in this chart: the gaps are in the plan.
    assert!(html.contains("<td>account_missing</td>"), "{html}");

    let out = tieout(dir.path(), dir.path(), &["plan", "--client", "acme", "--format", "md"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let md = text(&out.stdout);
    assert!(
        md.contains("## Product gold (&lt;script&gt;alert('x')&lt;/script&gt; &amp; &lt;b&gt;Gold&lt;/b&gt;)"),
        "{md}"
    );
    assert!(!md.contains("<script") && !md.contains("<b>"), "{md}");
}
