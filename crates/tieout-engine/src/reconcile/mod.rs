//! Reconciliation maths (DESIGN.md section 9): per account and currency, the servicing system's
//! balances mapped through the client's mapping, Tieout's ledger (posted, and staged, failed and
//! backdated apart), and the accounting package's trial balance; the difference and what
//! explains it; and, for accounts whose servicing figure and ledger differ, the loans behind it.
//!
//! Pure: the caller reads the three sides (the source's balances page by page, the store's sums,
//! the sink's trial balance) and hands them in; nothing here does IO or reads a clock.
//!
//! ```text
//! let mut r = Reconciler::new(client, as_of, &rules, &mapping, options);
//! for page in source balances { r.add_balances(&page) }          // servicing
//! r.set_ledger(store account sums, store backdated lines);       // ledger
//! r.set_sink(sink trial balance);                                // sink
//! let accounts = r.drill_down_accounts();                         // which need loan detail
//! let result = r.finish(&store loan sums for those accounts);
//! ```
//!
//! The sign convention everywhere is the ledger's: debits minus credits. Each account's
//! explanations are parts of its `difference` with the same sign, so they add up to `explained`;
//! `account.rs` derives them.

mod account;
mod amount;
mod drill;
mod explanation;
mod keys;
mod ledger;
mod options;
mod result;
mod roles;
mod servicing;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tieout_core::connector::{AccountBalance, LoanBalance};
use tieout_core::ids::ClientId;

pub use explanation::{Explanation, ExplanationKind};
pub use keys::AccountKey;
pub use ledger::{AccountLedger, Backdated, LoanLedger};
pub use options::Options;
pub use result::{AccountDrillDown, AccountRow, LoanRow, Reconciliation, Unresolved};
pub use roles::{ComparedRoles, SERVICING_ROLES, servicing_amounts};

use account::AccountFigures;
use servicing::ServicingBook;

use crate::mapping::MappingFile;
use crate::rules::RuleSet;

/// A reconciliation being assembled from its three sides.
pub struct Reconciler<'m> {
    client: ClientId,
    as_of: NaiveDate,
    mapping: &'m MappingFile,
    options: Options,
    servicing: ServicingBook<'m>,
    ledger: Vec<AccountLedger>,
    backdated: Vec<Backdated>,
    sink: Vec<AccountBalance>,
}

impl<'m> Reconciler<'m> {
    /// `rules` says which servicing balances each accounting rule books (only those are
    /// compared); `mapping` places them on accounts, and its accounts are the ones reconciled:
    /// sink accounts Tieout neither maps nor booked to are not Tieout's business.
    pub fn new(
        client: ClientId,
        as_of: NaiveDate,
        rules: &RuleSet,
        mapping: &'m MappingFile,
        options: Options,
    ) -> Self {
        Reconciler {
            client,
            as_of,
            mapping,
            options,
            servicing: ServicingBook::new(mapping, ComparedRoles::of(rules)),
            ledger: Vec::new(),
            backdated: Vec::new(),
            sink: Vec::new(),
        }
    }

    /// Adds loan balances as of the reconciliation's date (a page of them).
    pub fn add_balances(&mut self, balances: &[LoanBalance]) {
        for balance in balances {
            self.servicing.add(balance);
        }
    }

    /// Tieout's ledger: sums per account of the proposed entries dated on or before the as-of
    /// date, and the backdated lines (booked later for earlier events).
    pub fn set_ledger(&mut self, accounts: Vec<AccountLedger>, backdated: Vec<Backdated>) {
        self.ledger = accounts;
        self.backdated = backdated;
    }

    /// The sink's trial balance as of the date.
    pub fn set_sink(&mut self, balances: Vec<AccountBalance>) {
        self.sink = balances;
    }

    /// Accounts (with servicing balances) whose servicing figure differs from what was posted or
    /// from everything Tieout booked: their loan-level sums are needed for the drill-down.
    pub fn drill_down_accounts(&self) -> Vec<AccountKey> {
        self.figures()
            .into_iter()
            .filter(|f| f.servicing.is_some_and(|s| s != f.ledger.posted || s != f.booked()))
            .map(|f| AccountKey { account: f.account, currency: f.currency })
            .collect()
    }

    /// The result, with the loan-level ledger sums of the accounts [`Self::drill_down_accounts`]
    /// named (rows of other accounts are ignored).
    pub fn finish(self, loans: &[LoanLedger]) -> Reconciliation {
        let drill: Vec<u32> = self
            .drill_down_accounts()
            .iter()
            .filter_map(|k| self.servicing.keys.find(&k.account, k.currency))
            .collect();
        let drill_down = drill::drill_down(
            &self.servicing.keys,
            &drill,
            &self.servicing.per_loan,
            loans,
            &self.backdated,
            self.options.max_loans_per_account,
        );
        let accounts: Vec<AccountRow> = self.figures().into_iter().map(AccountFigures::row).collect();
        let unresolved = self.servicing.unresolved();
        let differences_total = accounts.iter().map(|r| r.difference.abs()).sum::<Decimal>();
        let unexplained_total = accounts.iter().map(|r| r.unexplained.abs()).sum::<Decimal>()
            + unresolved.iter().map(|u| u.amount.abs()).sum::<Decimal>();
        Reconciliation {
            as_of: self.as_of,
            client: self.client,
            accounts,
            differences_total,
            unexplained_total,
            tolerance: self.options.tolerance,
            loans: self.servicing.loans,
            unresolved,
            drill_down,
        }
    }

    /// Every account in scope with its figures, sorted by account then currency. In scope: the
    /// mapping's accounts, and any account the servicing side or the ledger has.
    fn figures(&self) -> Vec<AccountFigures> {
        let mapped: BTreeSet<_> = self.mapping.accounts().into_iter().collect();
        let mut keys: BTreeSet<AccountKey> = BTreeSet::new();
        let servicing_keys = (0..self.servicing.totals.len() as u32).map(|ix| self.servicing.keys.get(ix).clone());
        keys.extend(servicing_keys);
        keys.extend(self.ledger.iter().map(|l| AccountKey { account: l.account.clone(), currency: l.currency }));
        keys.extend(self.backdated.iter().map(|b| AccountKey { account: b.account.clone(), currency: b.currency }));
        keys.extend(
            self.sink
                .iter()
                .filter(|b| mapped.contains(&b.account))
                .map(|b| AccountKey { account: b.account.clone(), currency: b.currency }),
        );
        keys.into_iter()
            .map(|key| {
                let servicing_ix = self.servicing.keys.find(&key.account, key.currency);
                let mut ledger = AccountLedger::zero(key.account.clone(), key.currency);
                for l in self.ledger.iter().filter(|l| l.account == key.account && l.currency == key.currency) {
                    ledger.posted += l.posted;
                    ledger.sending += l.sending;
                    ledger.unsent += l.unsent;
                    ledger.failed += l.failed;
                }
                let backdated = self
                    .backdated
                    .iter()
                    .filter(|b| b.account == key.account && b.currency == key.currency)
                    .map(|b| b.amount)
                    .sum();
                let sink = self
                    .sink
                    .iter()
                    .filter(|b| b.account == key.account && b.currency == key.currency)
                    .map(|b| b.balance)
                    .sum();
                AccountFigures {
                    roles: servicing_ix.map(|ix| self.servicing.roles_of(ix)).unwrap_or_default(),
                    servicing: servicing_ix.and_then(|ix| self.servicing.totals[ix as usize]),
                    account: key.account,
                    currency: key.currency,
                    ledger,
                    backdated,
                    sink,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
