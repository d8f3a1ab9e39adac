//! A reconciliation's result. Its JSON (serde) is the document of DESIGN.md section 12 —
//! `{"as_of", "client", "accounts": [{"account", "servicing", "ledger", "sink", "difference",
//! "explained"}], "differences_total"}` with decimal strings — plus the detail below; it is what
//! the store keeps per run and what every report renders.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tieout_core::ids::{AccountRef, ClientId, LoanId, OfficeId, ProductId};
use tieout_core::money::Currency;
use tieout_core::role::Role;

use super::explanation::Explanation;

/// A reconciliation of one client as of one date.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Reconciliation {
    pub as_of: NaiveDate,
    pub client: ClientId,
    /// One row per account and currency, sorted by account then currency.
    pub accounts: Vec<AccountRow>,
    /// The sum of the absolute `difference`s of every row (across currencies: it says whether
    /// and how much the books disagree, not a balance). Zero exactly when every row agrees.
    pub differences_total: Decimal,
    /// The sum of the absolute `unexplained` remainders of every row, plus the absolute amounts
    /// of the servicing balances that map to no account ([`Reconciliation::unresolved`]).
    pub unexplained_total: Decimal,
    /// The client's tolerance: an unexplained remainder up to this (per row) is no alert.
    pub tolerance: Decimal,
    /// Loans the servicing system reported balances for.
    pub loans: u64,
    /// Servicing balances that could not be placed on an account (the product has no rule, or a
    /// compared role resolves to no account).
    pub unresolved: Vec<Unresolved>,
    /// For accounts whose servicing figure differs from the ledger's: the loans that differ.
    pub drill_down: Vec<AccountDrillDown>,
}

impl Reconciliation {
    /// Rows whose unexplained remainder exceeds the tolerance, and unresolved balances that do.
    pub fn alerts(&self) -> usize {
        let rows = self.accounts.iter().filter(|r| r.is_alert(self.tolerance)).count();
        let unresolved = self.unresolved.iter().filter(|u| u.amount.abs() > self.tolerance).count();
        rows + unresolved
    }

    /// Whether some difference is left that Tieout cannot explain (beyond the tolerance).
    pub fn has_unexplained(&self) -> bool {
        self.alerts() > 0
    }

    /// The row of `account` in `currency`.
    pub fn row(&self, account: &str, currency: Currency) -> Option<&AccountRow> {
        self.accounts.iter().find(|r| r.account.as_str() == account && r.currency == currency)
    }
}

/// One account in one currency.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AccountRow {
    pub account: AccountRef,
    pub currency: Currency,
    /// The servicing roles that map to this account (empty: the account carries no servicing
    /// balance, and `servicing` is null).
    pub roles: Vec<Role>,
    /// The servicing system's balances on the account's roles, mapped (debits minus credits).
    pub servicing: Option<Decimal>,
    /// Tieout's ledger: what it posted to the sink, dated on or before the as-of date.
    pub ledger: Decimal,
    /// Staged in Tieout, dated on or before the as-of date, not posted yet (unsent or being sent).
    pub staged: Decimal,
    /// Staged and refused by the sink.
    pub failed: Decimal,
    /// Booked into a later period for events dated on or before the as-of date.
    pub backdated: Decimal,
    /// The accounting package's trial balance.
    pub sink: Decimal,
    /// `servicing − sink` where the account carries servicing balances, else `ledger − sink`.
    pub difference: Decimal,
    /// The known causes, each with its part of the difference.
    pub explanations: Vec<Explanation>,
    /// The sum of the explanations.
    pub explained: Decimal,
    /// `difference − explained`: what Tieout cannot explain.
    pub unexplained: Decimal,
}

impl AccountRow {
    pub fn is_alert(&self, tolerance: Decimal) -> bool {
        self.unexplained.abs() > tolerance
    }
}

/// Servicing balances of a product (and office) on a role that has no account.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Unresolved {
    pub product: ProductId,
    pub office: Option<OfficeId>,
    /// The role (for a product with no accounting rule: each role it has balances on).
    pub role: Role,
    pub currency: Currency,
    /// The balances' sum, debits minus credits.
    pub amount: Decimal,
    pub loans: u64,
    /// What is wrong and how to fix it.
    pub problem: String,
}

/// The loans behind an account whose servicing figure and ledger differ.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AccountDrillDown {
    pub account: AccountRef,
    pub currency: Currency,
    /// Loans whose servicing figure differs from what was posted for them.
    pub loans_differing: u64,
    /// Of them, loans with a remainder that nothing staged, failed or backdated explains.
    pub loans_unexplained: u64,
    /// The loans, largest unexplained remainder first, then largest difference, then by id; at
    /// most the options' `max_loans_per_account` of them.
    pub loans: Vec<LoanRow>,
}

/// One loan on one account.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LoanRow {
    pub loan: LoanId,
    pub servicing: Decimal,
    /// Posted for the loan, dated on or before the as-of date.
    pub ledger: Decimal,
    /// Booked for the loan and not posted (unsent, being sent or failed).
    pub staged: Decimal,
    pub backdated: Decimal,
    /// `servicing − ledger`.
    pub difference: Decimal,
    /// `servicing − ledger − staged − backdated`.
    pub unexplained: Decimal,
}
