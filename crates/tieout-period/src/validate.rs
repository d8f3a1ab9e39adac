//! The checks of a proposal (DESIGN.md section 7), as problems with a code, a sentence and the fix.
//!
//! | code | severity | check |
//! | --- | --- | --- |
//! | journalizer codes (`unmapped_role`, `no_accounting_rule`, `unbooked_portion`, …) | error | every role mapped, every product has a rule, every event journalized |
//! | `account_missing` | error | every account exists in the accounting package's chart |
//! | `account_inactive` | error | … and is active |
//! | `account_currency` | error | an account tied to one currency gets only that currency |
//! | `account_type` | warning | the account's type is plausible for the role |
//! | `locked` | error | no entry is dated on or before the accounting package's lock date |
//! | `currency_not_enabled` | error | the accounting package takes the entry's currency |
//! | `bad_entry` | error | every entry balanced and summarizable (by construction; reported if not) |
//!
//! Events of unknown kinds never reach a proposal: the event parser refuses them when the source
//! is read, and the source reports them (`SourceError::InvalidData`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use tieout_core::connector::{CurrencySupport, LedgerAccount};
use tieout_core::entry::JournalEntry;
use tieout_core::ids::{AccountRef, ProductId};
use tieout_core::money::Currency;
use tieout_core::role::Role;
use tieout_engine::journal::JournalProblem;
use tieout_engine::summarize::Proposed;
use tieout_store::{Problem, Severity, YearMonth};

/// What the checks compare the proposal with: the accounting package's side, synced at proposal time.
#[derive(Clone, Copy, Debug)]
pub struct ProposalFacts<'a> {
    pub period: YearMonth,
    pub chart: &'a [LedgerAccount],
    pub lock_date: Option<NaiveDate>,
    pub currencies: &'a CurrencySupport,
}

/// Every problem of a proposal: the journalizer's (one per event that could not be journalized),
/// then the accounts, the lock date and the currencies of the proposed entries.
pub fn validate(facts: &ProposalFacts<'_>, journal: &[JournalProblem], proposals: &[Proposed]) -> Vec<Problem> {
    let mut problems: Vec<Problem> = journal.iter().map(journal_problem).collect();
    let entries: Vec<&JournalEntry> = proposals.iter().map(|p| &p.entry).collect();
    check_accounts(facts, &entries, &mut problems);
    check_lock_date(facts, &entries, &mut problems);
    check_currencies(facts, &entries, &mut problems);
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

fn problem(code: &str, severity: Severity, sentence: String, fix: String) -> Problem {
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
    let chart: BTreeMap<&AccountRef, &LedgerAccount> = facts.chart.iter().map(|a| (&a.account, a)).collect();
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
        let used = format!("used for {role} of product '{product}'");
        let with_fix = |code: &str, sentence: String, fix: String| Problem {
            account: Some((*account).clone()),
            role: Some(*role),
            product: Some((*product).clone()),
            ..problem(code, Severity::Error, sentence, fix)
        };
        match chart.get(account) {
            None => problems.push(with_fix(
                "account_missing",
                format!("Account '{account}' ({used}) does not exist in the accounting package's chart of accounts."),
                format!(
                    "Create it in the accounting package, or map {role} to an existing account in the mapping, then \
                     reload the month."
                ),
            )),
            Some(found) if !found.active => problems.push(with_fix(
                "account_inactive",
                format!("Account '{account}' ({used}) is inactive in the accounting package."),
                format!(
                    "Reactivate it in the accounting package, or map {role} to an active account in the mapping, \
                     then reload the month."
                ),
            )),
            Some(_) => {}
        }
    }
    for (account, currency) in &account_currencies {
        if let Some(found) = chart.get(account)
            && let Some(tied) = found.currency
            && tied != *currency
        {
            problems.push(Problem {
                account: Some((*account).clone()),
                ..problem(
                    "account_currency",
                    Severity::Error,
                    format!("Account '{account}' takes only {tied} in the accounting package, but entries in {currency} use it."),
                    format!("Map the {currency} lines to a {currency} account in the mapping, then reload the month."),
                )
            });
        }
    }
    for (role, account) in &role_accounts {
        let expected = role.expected_type();
        if let Some(found) = chart.get(account)
            && let Some(actual) = found.account_type
            && actual != expected
        {
            problems.push(Problem {
                account: Some((*account).clone()),
                role: Some(*role),
                ..problem(
                    "account_type",
                    Severity::Warning,
                    format!(
                        "Account '{account}' is {actual} in the accounting package, but {role} is usually {expected}."
                    ),
                    format!("Check that {role} is mapped to the account you mean; if it is, nothing needs to be done."),
                )
            });
        }
    }
}

fn check_lock_date(facts: &ProposalFacts<'_>, entries: &[&JournalEntry], problems: &mut Vec<Problem>) {
    let Some(lock) = facts.lock_date else { return };
    let locked: Vec<&&JournalEntry> = entries.iter().filter(|e| e.is_postable() && e.date() <= lock).collect();
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

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
