//! Which servicing balances are compared, and as which roles.
//!
//! A servicing system reports five balances per loan. Each is what the ledger holds on one role
//! for that loan, in the ledger's sign (debits minus credits): the overpayment is owed to the
//! borrower, a credit on `overpayment_liability`, so it enters negated. A balance is compared only
//! when the loan's accounting rule books it: when some posting of the rule builds the role's
//! balance up (debits an asset role, credits a liability role). Under cash accounting nothing
//! ever debits `interest_receivable` — income is booked when paid — so a servicing system's
//! interest outstanding has nothing in the ledger to tie out with. (The standard set's cash rule
//! does *credit* receivables, in the mirror of a capitalization; that alone books no receivable.)

use rust_decimal::Decimal;
use tieout_core::connector::LoanBalance;
use tieout_core::entry::Side;
use tieout_core::role::{AccountType, AccountingRule, Role};

use crate::rules::{Action, RuleSet};

/// The roles servicing balances map to, in the order of [`servicing_amounts`].
pub const SERVICING_ROLES: [Role; 5] = [
    Role::LoanPortfolio,
    Role::InterestReceivable,
    Role::FeeReceivable,
    Role::PenaltyReceivable,
    Role::OverpaymentLiability,
];

/// A loan's five balances as ledger balances (debits minus credits) of [`SERVICING_ROLES`].
pub fn servicing_amounts(balance: &LoanBalance) -> [Decimal; 5] {
    [
        balance.principal,
        balance.interest_receivable,
        balance.fee_receivable,
        balance.penalty_receivable,
        -balance.overpayment,
    ]
}

/// Per accounting rule, which of [`SERVICING_ROLES`] its postings ever touch.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ComparedRoles([[bool; 5]; AccountingRule::ALL.len()]);

impl ComparedRoles {
    /// Read from the rule set itself, so a client's own rule file is honoured: a role is compared
    /// under a rule when some posting of that rule builds its balance up.
    pub fn of(rules: &RuleSet) -> Self {
        let mut table = [[false; 5]; AccountingRule::ALL.len()];
        for posting in rules.postings() {
            if let Action::Post(legs) = &posting.action {
                for leg in legs {
                    let builds = match leg.role.expected_type() {
                        AccountType::Liability => leg.side == Side::Credit,
                        _ => leg.side == Side::Debit,
                    };
                    if let Some(slot) = SERVICING_ROLES.iter().position(|r| *r == leg.role)
                        && builds
                    {
                        table[posting.rule as usize][slot] = true;
                    }
                }
            }
        }
        ComparedRoles(table)
    }

    /// Whether `SERVICING_ROLES[slot]` is compared for loans under `rule`.
    pub fn compares(&self, rule: AccountingRule, slot: usize) -> bool {
        self.0[rule as usize][slot]
    }

    /// The compared roles under `rule`.
    pub fn roles(&self, rule: AccountingRule) -> Vec<Role> {
        (0..SERVICING_ROLES.len()).filter(|s| self.compares(rule, *s)).map(|s| SERVICING_ROLES[s]).collect()
    }
}
