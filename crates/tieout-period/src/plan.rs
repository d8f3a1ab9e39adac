//! Seed 000's integration plan, as data for `tieout plan`: which transactions are automated and
//! which are not journalized, the rule table of each product with the account of every role, the
//! payment-type and charge overrides, how often data moves, and the gaps still open. Built from
//! the client's configuration and its [`ClientCheck`]; rendering (Markdown, HTML) is the CLI's.

use std::collections::{BTreeMap, BTreeSet};

use tieout_core::event::EventKind;
use tieout_core::ids::{AccountRef, ProductId};
use tieout_core::role::{AccountingRule, Role};
use tieout_engine::rules::{Action, ActivityPosting, RuleRow, rule_rows};
use tieout_store::Problem;

use crate::check::{ClientCheck, OverrideCheck, ProductCheck};

/// The integration plan of one client.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Plan {
    pub client: String,
    /// The connector kinds: `simulator`, `fineract`; `ledger`, `quickbooks`.
    pub source: String,
    pub sink: String,
    /// `name@version` and description of the posting rules.
    pub rule_set: String,
    pub rule_set_description: String,
    /// The mapping file as the client's config names it.
    pub mapping_file: String,
    pub time_zone: String,
    pub detail: String,
    pub separation_of_duties: bool,
    /// The scheduled jobs; the month close itself is started by a user (seed 000).
    pub schedules: Vec<ScheduleLine>,
    /// Per event kind, which products journalize it and which do not.
    pub transactions: Vec<TransactionLine>,
    pub products: Vec<ProductPlan>,
    pub overrides: Vec<OverrideCheck>,
    /// Dimensions passed to the accounting package per office (`[offices.X]`).
    pub offices: Vec<(String, Vec<(String, String)>)>,
    /// Whether the products and accounts were read from the two systems (else the plan is partial).
    pub products_from_source: bool,
    pub accounts_checked: bool,
    /// Gaps still open, errors first.
    pub gaps: Vec<Problem>,
    /// Systems that could not be read, with why: filled in by the caller, which talked to them.
    pub unread: Vec<String>,
}

/// A scheduled job: `cob` at `0 30 1 * * *` in `America/New_York`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ScheduleLine {
    pub job: String,
    pub cron: String,
    pub time_zone: String,
}

/// What happens to one event kind, per product.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TransactionLine {
    pub kind: EventKind,
    /// Products whose rule posts an entry for the kind (automated).
    pub posted: Vec<ProductId>,
    /// Products whose rule books the mirror of the reversed event's entry.
    pub mirrored: Vec<ProductId>,
    /// Products whose rule books no entry for the kind (term changes, accruals under cash, rule `none`).
    pub no_entry: Vec<ProductId>,
    /// Remarks: portions deliberately left unbooked, accruals staged but not sent.
    pub notes: Vec<String>,
}

impl TransactionLine {
    /// Whether any product posts something for the kind.
    pub fn is_automated(&self) -> bool {
        !self.posted.is_empty() || !self.mirrored.is_empty()
    }
}

/// One product: its check (rule, roles, accounts) and its rule table with accounts.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProductPlan {
    pub check: ProductCheck,
    pub postings: Vec<PostingLine>,
}

/// One posting of the product's rule: an event kind (in a loan state) and what it debits and credits.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PostingLine {
    pub kind: String,
    /// The loan state the posting applies in, empty for any.
    pub when: String,
    pub debits: Vec<LegLine>,
    pub credits: Vec<LegLine>,
    /// For a posting without legs: `no entry`, `mirror of the reversed event's entry`.
    pub instead: Option<String>,
    pub note: String,
}

/// One debit or credit: the role, the portions it carries and the product's account for it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LegLine {
    pub role: String,
    pub amount: String,
    /// `None` when the role is unmapped (a gap).
    pub account: Option<AccountRef>,
}

/// The plan of a loaded client configuration, given its gap analysis.
pub fn integration_plan(client: &tieout_config::Client, check: &ClientCheck) -> Plan {
    let config = &client.config;
    let rows = rule_rows(&client.rules);
    let products: Vec<ProductPlan> =
        check.products.iter().map(|p| ProductPlan { check: p.clone(), postings: postings_of(p, &rows) }).collect();
    Plan {
        client: client.name.to_string(),
        source: config.source.kind().to_owned(),
        sink: config.sink.kind().to_owned(),
        rule_set: client.rules.id(),
        rule_set_description: client.rules.description().to_owned(),
        mapping_file: config.mapping.display().to_string(),
        time_zone: config.time_zone.name().to_owned(),
        detail: config.detail.as_str().to_owned(),
        separation_of_duties: config.separation_of_duties,
        schedules: config
            .schedules
            .iter()
            .map(|(job, s)| ScheduleLine {
                job: job.as_str().to_owned(),
                cron: s.cron.as_str().to_owned(),
                time_zone: s.time_zone.name().to_owned(),
            })
            .collect(),
        transactions: transactions(client, &check.products),
        products,
        overrides: check.overrides.clone(),
        offices: client
            .mapping
            .offices()
            .into_iter()
            .map(|(office, dims)| (office.to_string(), dims.iter().map(|(k, v)| (k.clone(), v.clone())).collect()))
            .collect(),
        products_from_source: check.products_from_source,
        accounts_checked: check.accounts_checked,
        gaps: check.problems.clone(),
        unread: Vec::new(),
    }
}

/// The rows of `tieout rules show` for the product's rule, one line per posting, each role with
/// the product's account.
fn postings_of(product: &ProductCheck, rows: &[RuleRow]) -> Vec<PostingLine> {
    let Some(rule) = product.expected_rule() else { return Vec::new() };
    let mut lines: Vec<PostingLine> = Vec::new();
    for row in rows.iter().filter(|r| r.rule == rule.as_str()) {
        let same = lines.last().is_some_and(|l| l.kind == row.kind && l.when == row.when);
        if !same {
            lines.push(PostingLine {
                kind: row.kind.clone(),
                when: row.when.clone(),
                debits: Vec::new(),
                credits: Vec::new(),
                instead: None,
                note: row.note.clone(),
            });
        }
        let Some(line) = lines.last_mut() else { continue };
        let leg = || LegLine {
            role: row.role.clone(),
            amount: row.amount.clone(),
            account: row.role.parse::<Role>().ok().and_then(|r| product.account(r)).cloned(),
        };
        match row.side.as_str() {
            "Dr" => line.debits.push(leg()),
            "Cr" => line.credits.push(leg()),
            _ => line.instead = Some(row.role.clone()),
        }
    }
    lines
}

/// Per event kind, what each product's rule does with it.
fn transactions(client: &tieout_config::Client, products: &[ProductCheck]) -> Vec<TransactionLine> {
    let rules = &client.rules;
    // (rule, kind) → (posts, mirrors, portions left unbooked)
    let mut by_rule: BTreeMap<(AccountingRule, EventKind), (bool, bool, BTreeSet<String>)> = BTreeMap::new();
    for posting in rules.postings() {
        let slot = by_rule.entry((posting.rule, posting.kind)).or_default();
        match posting.action {
            Action::Post(_) => slot.0 = true,
            Action::MirrorReversed => slot.1 = true,
            Action::Nothing => {}
        }
        if !posting.ignore.is_empty() {
            slot.2.insert(posting.ignore.to_string());
        }
    }
    let mut lines = Vec::new();
    for kind in EventKind::ALL.iter().copied() {
        let mut line =
            TransactionLine { kind, posted: Vec::new(), mirrored: Vec::new(), no_entry: Vec::new(), notes: Vec::new() };
        for product in products {
            let Some(rule) = product.expected_rule() else { continue };
            let Some((posts, mirrors, ignored)) = by_rule.get(&(rule, kind)) else { continue };
            let id = product.id.clone();
            if *posts {
                line.posted.push(id.clone());
            } else if *mirrors {
                line.mirrored.push(id.clone());
            } else {
                line.no_entry.push(id.clone());
            }
            for portions in ignored {
                line.notes.push(format!("{id}: {portions} not booked (by rule)"));
            }
            if kind == EventKind::Accrual
                && *posts
                && product.accrual_activity_posting
                && rules.activity_posting() == ActivityPosting::Activity
            {
                line.notes.push(format!("{id}: staged, not sent; the accrual activity posts them per installment"));
            }
        }
        if !(line.posted.is_empty() && line.mirrored.is_empty() && line.no_entry.is_empty()) {
            lines.push(line);
        }
    }
    lines
}
