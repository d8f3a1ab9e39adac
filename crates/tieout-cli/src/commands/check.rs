//! `tieout check --client C`: seed 000's "identify data requirements and gaps" before the first
//! month is closed — the client's config, connectivity to both systems, and the gaps between the
//! books and the two systems (products without a rule, roles without an account, accounts the
//! accounting package lacks). A system that cannot be reached is reported, not fatal: the checks
//! that do not need it still run.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use serde_json::{Value, json};
use tieout_core::connector::{LedgerAccount, ProductInfo, SinkCapabilities};
use tieout_period::{Books, CheckFacts, ClientCheck, OverrideScope, check_client};
use tieout_registry::Registry;
use tieout_store::{Problem, Severity};

use crate::connect::{Configured, runtime};

/// Exit code when a system cannot be used or the books have gaps that would block a month.
const EXIT_GAPS: u8 = 2;

#[derive(clap::Args)]
pub struct Args {
    /// The client (its file is <config>/clients/<CLIENT>.toml).
    #[arg(long)]
    client: String,
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    /// Sections for a person: config, source, sink, data gaps.
    Text,
    /// One JSON object.
    Json,
}

/// Whether one of the two systems could be used, and why not.
pub(crate) struct SystemStatus {
    /// The connector kind from the client's config.
    pub kind: String,
    /// The first failure (building, checking or reading), with its causes.
    pub error: Option<String>,
}

/// What `check` and `plan` learn from both systems.
pub(crate) struct Findings {
    pub source: SystemStatus,
    pub sink: SystemStatus,
    pub products: Option<Vec<ProductInfo>>,
    pub check: ClientCheck,
}

/// Builds both connectors, checks them, reads the products, the chart and the capabilities (each
/// step only where the one before worked), then runs the gap analysis on what could be read.
pub(crate) async fn gather(configured: &Configured) -> Findings {
    let registry = Registry::builtin();
    let client = &configured.client;
    let id = client.name.to_client_id();
    let books = Books::of_client(&id, client);

    let mut source = SystemStatus { kind: client.config.source.kind().to_owned(), error: None };
    let products = match read_source(configured, &registry).await {
        Ok(products) => Some(products),
        Err(err) => {
            tracing::info!(client = %client.name, error = %format!("{err:#}"), "The source could not be read.");
            source.error = Some(format!("{err:#}"));
            None
        }
    };
    let mut sink = SystemStatus { kind: client.config.sink.kind().to_owned(), error: None };
    let (chart, capabilities) = read_sink(configured, &registry).await;
    if let Err(err) = &chart {
        tracing::info!(client = %client.name, error = %format!("{err:#}"), "The sink could not be read.");
        sink.error = Some(format!("{err:#}"));
    }
    let chart = chart.ok();
    let facts =
        CheckFacts { products: products.as_deref(), chart: chart.as_deref(), capabilities: capabilities.as_ref() };
    let check = check_client(&books, &facts);
    Findings { source, sink, products, check }
}

async fn read_source(configured: &Configured, registry: &Registry) -> anyhow::Result<Vec<ProductInfo>> {
    let source = configured.source(registry).await?;
    source.check().await.with_context(|| format!("checking the {} source", source.kind()))?;
    source.products().await.context("reading the products")
}

/// The chart (or why it could not be read) and, when the sink could be built, its capabilities:
/// they come from its config, so currencies and dimensions are checked even when its credentials fail.
async fn read_sink(
    configured: &Configured,
    registry: &Registry,
) -> (anyhow::Result<Vec<LedgerAccount>>, Option<SinkCapabilities>) {
    let sink = match configured.sink(registry).await {
        Ok(sink) => sink,
        Err(err) => return (Err(err), None),
    };
    let capabilities = Some(sink.capabilities());
    let chart = async {
        sink.check().await.with_context(|| format!("checking the {} sink", sink.kind()))?;
        sink.chart_of_accounts().await.context("reading the chart of accounts")
    };
    (chart.await, capabilities)
}

pub fn run(config: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (report, ok) = match Configured::load(config, &args.client) {
        Err(err) => {
            let error = format!("{err:#}");
            let report = match args.format {
                CheckFormat::Text => format!("Config  ✗  {error}\n"),
                CheckFormat::Json => {
                    let value = json!({"client": args.client, "ok": false, "config": {"ok": false, "error": error}});
                    format!("{}\n", serde_json::to_string_pretty(&value)?)
                }
            };
            (report, false)
        }
        Ok(configured) => {
            let findings = runtime()?.block_on(gather(&configured));
            let ok = findings.source.error.is_none() && findings.sink.error.is_none() && findings.check.blocking() == 0;
            let report = match args.format {
                CheckFormat::Text => text(&configured, &findings),
                CheckFormat::Json => {
                    format!("{}\n", serde_json::to_string_pretty(&to_json(&configured, &findings, ok))?)
                }
            };
            (report, ok)
        }
    };
    match out.write_all(report.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e).context("writing to standard output"),
        _ => {}
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(EXIT_GAPS) })
}

fn mark(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}

fn text(configured: &Configured, findings: &Findings) -> String {
    let client = &configured.client;
    let check = &findings.check;
    let mut t = String::new();
    let mut line = |s: String| {
        t.push_str(&s);
        t.push('\n');
    };
    line(format!("Check of client {}", client.name));
    line(String::new());
    line(format!(
        "Config  ✓  {}: rules {}, mapping {}",
        client.file.display(),
        client.rules.id(),
        client.config.mapping.display()
    ));
    let source = match (&findings.source.error, &findings.products) {
        (Some(error), _) => error.clone(),
        (None, Some(products)) => format!("{} product(s)", products.len()),
        (None, None) => String::new(),
    };
    line(format!("Source  {}  {}: {source}", mark(findings.source.error.is_none()), findings.source.kind));
    let sink = findings.sink.error.clone().unwrap_or_else(|| "chart of accounts read".to_owned());
    line(format!("Sink    {}  {}: {sink}", mark(findings.sink.error.is_none()), findings.sink.kind));

    line(String::new());
    let from = if check.products_from_source { "from the servicing system" } else { "named in the mapping" };
    line(format!("Products ({from})"));
    if check.products.is_empty() {
        line("  none".to_owned());
    }
    for p in &check.products {
        let rule = match p.rule {
            Some(rule) => format!("{rule} ({})", p.rule_origin.as_str()),
            None => "no rule".to_owned(),
        };
        let unmapped = p.roles.iter().filter(|r| r.account.is_none()).count();
        let roles = if unmapped == 0 {
            format!("{} role(s), all mapped", p.roles.len())
        } else {
            format!("{unmapped} of {} role(s) unmapped", p.roles.len())
        };
        let currency = p.currency.map(|c| format!(", {c}")).unwrap_or_default();
        line(format!("  {} ({}{currency}): {rule}; {roles}", p.id, p.name));
    }

    line(String::new());
    let warnings = check.problems.len() - check.blocking();
    if check.problems.is_empty() {
        line("Data gaps: none".to_owned());
    } else {
        line(format!("Data gaps: {} blocking, {warnings} warning(s)", check.blocking()));
    }
    for p in &check.problems {
        let m = if p.severity == Severity::Error { "✗" } else { "!" };
        line(format!("  {m} [{}] {}", p.code, p.sentence));
        line(format!("      Fix: {}", p.fix));
    }
    let mut skipped = Vec::new();
    if !check.products_from_source {
        skipped.push("the servicing system's products (only the mapping's product sections were checked)");
    }
    if !check.accounts_checked {
        skipped.push("accounts against the accounting package's chart");
    }
    if !check.capabilities_checked {
        skipped.push("currencies and office dimensions against the accounting package");
    }
    if !skipped.is_empty() {
        line(format!("Not checked, because a system could not be read: {}.", skipped.join("; ")));
    }
    t
}

fn to_json(configured: &Configured, findings: &Findings, ok: bool) -> Value {
    let client = &configured.client;
    let check = &findings.check;
    let status = |s: &SystemStatus| json!({"ok": s.error.is_none(), "kind": s.kind, "error": s.error});
    let mut source = status(&findings.source);
    if let Some(products) = &findings.products {
        source["products"] = json!(products.len());
    }
    let products: Vec<Value> = check
        .products
        .iter()
        .map(|p| {
            let roles: Vec<Value> = p
                .roles
                .iter()
                .map(|r| {
                    json!({
                        "role": r.role.as_str(),
                        "account": r.account.as_ref().map(|a| a.as_str()),
                        "product_override": r.product_override,
                        "kinds": r.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "id": p.id.as_str(),
                "name": p.name,
                "currency": p.currency.map(|c| c.to_string()),
                "rule": p.rule.map(|r| r.as_str()),
                "rule_origin": p.rule_origin.as_str(),
                "source_rule": p.source_rule.map(|r| r.as_str()),
                "roles": roles,
            })
        })
        .collect();
    let overrides: Vec<Value> = check
        .overrides
        .iter()
        .map(|o| {
            let (scope, key) = match &o.scope {
                OverrideScope::PaymentType(p) => ("payment_type", p.as_str()),
                OverrideScope::Charge(c) => ("charge", c.as_str()),
            };
            json!({"scope": scope, "key": key, "role": o.role.as_str(), "account": o.account.as_str()})
        })
        .collect();
    json!({
        "client": client.name.to_string(),
        "ok": ok,
        "config": {"ok": true, "file": client.file.display().to_string(), "error": Value::Null},
        "source": source,
        "sink": status(&findings.sink),
        "checked": {
            "products_from_source": check.products_from_source,
            "accounts": check.accounts_checked,
            "capabilities": check.capabilities_checked,
        },
        "products": products,
        "overrides": overrides,
        "problems": check.problems.iter().map(problem_json).collect::<Vec<_>>(),
    })
}

fn problem_json(p: &Problem) -> Value {
    json!({
        "code": p.code,
        "severity": p.severity.as_str(),
        "sentence": p.sentence,
        "fix": p.fix,
        "product": p.product.as_ref().map(|x| x.as_str()),
        "role": p.role.map(|r| r.as_str()),
        "account": p.account.as_ref().map(|a| a.as_str()),
    })
}
