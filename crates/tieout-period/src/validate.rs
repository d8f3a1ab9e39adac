//! The checks of a proposal (DESIGN.md section 7), as problems with a code, a sentence and the fix.
//!
//! | code | severity | check |
//! | --- | --- | --- |
//! | journalizer codes (`unmapped_role`, `no_accounting_rule`, `unbooked_portion`, …) | error | every role mapped, every product has a rule, every event journalized |
//! | `account_missing` | error | every account exists in the accounting package's chart |
//! | `account_inactive` | error | … and is active |
//! | `account_currency` | error | an account tied to one currency gets only that currency |
//! | `account_type` | warning | the account's type is plausible for the role |
//! | `locked` | error | no entry is dated on or before the accounting package's lock date (entries posted already, before a send was abandoned, are not counted: they are in the accounting package) |
//! | `currency_not_enabled` | error | the accounting package takes the entry's currency |
//! | `dimension_unsupported` | error | every dimension the mapping gives an office on the entries (`[offices.X]`) is one the accounting package takes |
//! | `bad_entry` | error | every entry balanced and summarizable (by construction; reported if not) |
//!
//! Events of unknown kinds never reach a proposal: the event parser refuses them when the source
//! is read, and the source reports them (`SourceError::InvalidData`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use tieout_core::connector::{AccountMapping, CurrencySupport, LedgerAccount};
use tieout_core::entry::{EntryKey, JournalEntry};
use tieout_core::ids::{AccountRef, OfficeId, ProductId};
use tieout_core::money::Currency;
use tieout_core::role::Role;
use tieout_engine::journal::JournalProblem;
use tieout_engine::mapping::MappingFile;
use tieout_engine::summarize::Proposed;
use tieout_store::{Problem, Severity, YearMonth};

/// What the checks compare the proposal with: the accounting package's side, synced at proposal time.
#[derive(Clone, Copy, Debug)]
pub struct ProposalFacts<'a> {
    pub period: YearMonth,
    pub chart: &'a [LedgerAccount],
    pub lock_date: Option<NaiveDate>,
    pub currencies: &'a CurrencySupport,
    /// Dimension names the accounting package takes on a line (its capabilities).
    pub dimensions: &'a [String],
    /// The client's mapping: the dimensions of each office (`[offices.X]`).
    pub mapping: &'a MappingFile,
    /// Keys of the month's entries posted already (its send was abandoned part-way): they are in
    /// the accounting package and never sent again, so the lock date cannot refuse them.
    pub posted: &'a BTreeSet<EntryKey>,
}

/// Every problem of a proposal: the journalizer's (one per event that could not be journalized),
/// then the accounts, the lock date and the currencies of the proposed entries.
pub fn validate(facts: &ProposalFacts<'_>, journal: &[JournalProblem], proposals: &[Proposed]) -> Vec<Problem> {
    let mut problems: Vec<Problem> = journal.iter().map(journal_problem).collect();
    let entries: Vec<&JournalEntry> = proposals.iter().map(|p| &p.entry).collect();
    check_accounts(facts, &entries, &mut problems);
    check_lock_date(facts, &entries, &mut problems);
    check_currencies(facts, &entries, &mut problems);
    check_dimensions(facts, &entries, &mut problems);
    problems
}

/// A problem found while summarizing: the entries could not be built.
pub(crate) fn bad_entry(message: &str) -> Problem {
    problem(
        "bad_entry",
        Severity::Error,
        format!("The month's entries could not be summarized: {message}."),
        "Correct the events behind it in the servicing system (or choose detail = \"loan\"), then reload the month."
            .to_owned(),
    )
}

pub(crate) fn problem(code: &str, severity: Severity, sentence: String, fix: String) -> Problem {
    Problem { code: code.to_owned(), severity, sentence, fix, event: None, product: None, role: None, account: None }
}

fn journal_problem(p: &JournalProblem) -> Problem {
    let (what, fix) = match p.message.split_once(": ") {
        Some((what, fix)) => (what.to_owned(), format!("{}, then reload the month.", capitalize(fix))),
        None => (
            p.message.clone(),
            "Correct the event in the servicing system or the mapping, then reload the month.".to_owned(),
        ),
    };
    Problem {
        code: p.code.as_str().to_owned(),
        severity: Severity::Error,
        sentence: format!("Event {} ({}, loan {}, product '{}'): {what}.", p.event, p.kind, p.loan, p.product),
        fix,
        event: Some(p.event.clone()),
        product: Some(p.product.clone()),
        role: p.role,
        account: None,
    }
}

fn check_accounts(facts: &ProposalFacts<'_>, entries: &[&JournalEntry], problems: &mut Vec<Problem>) {
    let chart = chart_index(facts.chart);
    // Each account once, with the first role and product that use it; each (role, account) once.
    let mut accounts: BTreeMap<&AccountRef, (Role, &ProductId)> = BTreeMap::new();
    let mut role_accounts: BTreeSet<(Role, &AccountRef)> = BTreeSet::new();
    let mut account_currencies: BTreeSet<(&AccountRef, Currency)> = BTreeSet::new();
    for entry in entries {
        for line in entry.lines() {
            accounts.entry(line.account()).or_insert((line.role(), line.product()));
            role_accounts.insert((line.role(), line.account()));
            account_currencies.insert((line.account(), entry.currency()));
        }
    }
    for (account, (role, product)) in &accounts {
        let by = format!("product '{product}'");
        let used = AccountUse { account, role: *role, product: Some(product), by: &by };
        problems.extend(account_state_problem(&chart, &used, RELOAD));
    }
    for (account, currency) in &account_currencies {
        let users = format!("entries in {currency} use it");
        problems.extend(account_currency_problem(&chart, account, *currency, &users, RELOAD));
    }
    for (role, account) in &role_accounts {
        problems.extend(account_type_problem(&chart, account, *role));
    }
}

/// What a fix found by a proposal ends with.
const RELOAD: &str = "reload the month";

/// The accounting package's chart by account reference.
pub(crate) type Chart<'a> = BTreeMap<&'a AccountRef, &'a LedgerAccount>;

pub(crate) fn chart_index(chart: &[LedgerAccount]) -> Chart<'_> {
    chart.iter().map(|a| (&a.account, a)).collect()
}

/// An account the mapping gives a role, and whose role it is, for the sentences of the account
/// checks (shared by the proposal and `tieout check`).
pub(crate) struct AccountUse<'a> {
    pub account: &'a AccountRef,
    pub role: Role,
    pub product: Option<&'a ProductId>,
    /// Whose role it is: "product 'gold'", "payment type 'ach'".
    pub by: &'a str,
}

/// `account_missing` or `account_inactive` (errors) when the chart cannot take the account;
/// `then` is what to do after the fix ("reload the month").
pub(crate) fn account_state_problem(chart: &Chart<'_>, used: &AccountUse<'_>, then: &str) -> Option<Problem> {
    let (account, role) = (used.account, used.role);
    let with_fix = |code: &str, sentence: String, fix: String| Problem {
        account: Some(account.clone()),
        role: Some(role),
        product: used.product.cloned(),
        ..problem(code, Severity::Error, sentence, fix)
    };
    let what = format!("used for {role} of {}", used.by);
    match chart.get(account) {
        None => Some(with_fix(
            "account_missing",
            format!("Account '{account}' ({what}) does not exist in the accounting package's chart of accounts."),
            format!(
                "Create it in the accounting package, or map {role} to an existing account in the mapping, then {then}."
            ),
        )),
        Some(found) if !found.active => Some(with_fix(
            "account_inactive",
            format!("Account '{account}' ({what}) is inactive in the accounting package."),
            format!(
                "Reactivate it in the accounting package, or map {role} to an active account in the mapping, then \
                 {then}."
            ),
        )),
        Some(_) => None,
    }
}

/// `account_currency` (error) when the chart ties the account to a currency other than
/// `currency`; `users` says who books `currency` on it ("entries in USD use it").
pub(crate) fn account_currency_problem(
    chart: &Chart<'_>,
    account: &AccountRef,
    currency: Currency,
    users: &str,
    then: &str,
) -> Option<Problem> {
    let tied = chart.get(account)?.currency?;
    (tied != currency).then(|| Problem {
        account: Some(account.clone()),
        ..problem(
            "account_currency",
            Severity::Error,
            format!("Account '{account}' takes only {tied} in the accounting package, but {users}."),
            format!("Map the {currency} lines to a {currency} account in the mapping, then {then}."),
        )
    })
}

/// `account_type` (a warning) when the account's type in the chart is not the one the role
/// usually has.
pub(crate) fn account_type_problem(chart: &Chart<'_>, account: &AccountRef, role: Role) -> Option<Problem> {
    let expected = role.expected_type();
    let actual = chart.get(account)?.account_type?;
    (actual != expected).then(|| Problem {
        account: Some(account.clone()),
        role: Some(role),
        ..problem(
            "account_type",
            Severity::Warning,
            format!("Account '{account}' is {actual} in the accounting package, but {role} is usually {expected}."),
            format!("Check that {role} is mapped to the account you mean; if it is, nothing needs to be done."),
        )
    })
}

/// The entries the accounting package's lock date refuses: postable, dated on or before `lock`,
/// and not posted already (`posted`: what a send abandoned part-way got there). The proposal's
/// `locked` check and Send's own check both use it, so they never disagree.
pub(crate) fn locked_entries<'e>(
    entries: impl IntoIterator<Item = &'e JournalEntry>,
    posted: &BTreeSet<EntryKey>,
    lock: NaiveDate,
) -> Vec<&'e JournalEntry> {
    entries.into_iter().filter(|e| e.is_postable() && e.date() <= lock && !posted.contains(e.key())).collect()
}

fn check_lock_date(facts: &ProposalFacts<'_>, entries: &[&JournalEntry], problems: &mut Vec<Problem>) {
    let Some(lock) = facts.lock_date else { return };
    let locked = locked_entries(entries.iter().copied(), facts.posted, lock);
    if let Some(first) = locked.iter().map(|e| e.date()).min() {
        problems.push(problem(
            "locked",
            Severity::Error,
            format!(
                "{} entr{} of {} {} dated on or before {lock} (the first on {first}), when the accounting package's \
                 books are locked.",
                locked.len(),
                if locked.len() == 1 { "y" } else { "ies" },
                facts.period,
                if locked.len() == 1 { "is" } else { "are" },
            ),
            "Ask the accountant to move the lock date in the accounting package, then reload the month.".to_owned(),
        ));
    }
}

fn check_currencies(facts: &ProposalFacts<'_>, entries: &[&JournalEntry], problems: &mut Vec<Problem>) {
    let mut counts: BTreeMap<Currency, usize> = BTreeMap::new();
    for entry in entries.iter().filter(|e| e.is_postable() && !facts.currencies.allows(e.currency())) {
        *counts.entry(entry.currency()).or_default() += 1;
    }
    for (currency, count) in counts {
        problems.push(problem(
            "currency_not_enabled",
            Severity::Error,
            format!(
                "{count} entr{} in {currency}, which the accounting package does not take.",
                if count == 1 { "y is" } else { "ies are" }
            ),
            format!("Enable {currency} in the accounting package (multicurrency), then reload the month."),
        ));
    }
}

/// Send passes each line's office dimensions from the mapping; an accounting package refuses a
/// dimension it does not know, which would stop the whole send. Found here, it is one problem per
/// office and dimension, before anything is sent.
fn check_dimensions(facts: &ProposalFacts<'_>, entries: &[&JournalEntry], problems: &mut Vec<Problem>) {
    let mut offices: BTreeMap<&OfficeId, usize> = BTreeMap::new();
    for entry in entries.iter().filter(|e| e.is_postable()) {
        let on_entry: BTreeSet<&OfficeId> = entry.lines().iter().filter_map(|l| l.office()).collect();
        for office in on_entry {
            *offices.entry(office).or_default() += 1;
        }
    }
    let taken = if facts.dimensions.is_empty() { "none".to_owned() } else { facts.dimensions.join(", ") };
    for (office, count) in offices {
        let Some(dimensions) = facts.mapping.office_dimensions(office) else { continue };
        for (name, value) in dimensions.iter().filter(|(name, _)| !facts.dimensions.contains(*name)) {
            problems.push(problem(
                "dimension_unsupported",
                Severity::Error,
                format!(
                    "Office '{office}' is mapped to {name} = '{value}', but the accounting package takes no '{name}' \
                     dimension (it takes: {taken}); {count} entr{} of {} {} the office.",
                    if count == 1 { "y" } else { "ies" },
                    facts.period,
                    if count == 1 { "uses" } else { "use" },
                ),
                format!(
                    "Remove {name} from [offices.{office}] in the mapping, or turn {name} on in the accounting \
                     package, then reload the month."
                ),
            ));
        }
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
