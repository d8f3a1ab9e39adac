//! The servicing side: loan balances, read page by page, placed on accounts through the mapping.
//!
//! Each loan's compared balances (see [`super::roles`]) are resolved product → office → account
//! once per product, office and currency, summed per account, and kept per loan (only the
//! non-zero ones) for the drill-down. A compared role that resolves to no account, or a product
//! with no accounting rule, is collected as [`Unresolved`], never dropped.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use tieout_core::connector::{AccountMapping, LoanBalance, MappingContext};
use tieout_core::ids::{LoanId, OfficeId, ProductId};
use tieout_core::money::Currency;
use tieout_core::role::Role;

use super::keys::Keys;
use super::result::Unresolved;
use super::roles::{ComparedRoles, SERVICING_ROLES, servicing_amounts};

/// What one of a loan's five balances becomes.
#[derive(Clone, Debug)]
enum Slot {
    /// Not booked under the product's rule: not compared.
    Skip,
    /// Summed on this account (key number).
    Account(u32),
    /// Compared, but no account: the problem sentence.
    Unmapped(String),
}

/// The slots of one product, office and currency.
struct Resolved {
    office: Option<OfficeId>,
    currency: Currency,
    slots: [Slot; 5],
}

/// One loan's balance on one account.
#[derive(Clone, Debug)]
pub(crate) struct LoanAmount {
    pub key: u32,
    pub loan: LoanId,
    pub amount: Decimal,
}

#[derive(Default)]
struct UnresolvedSum {
    amount: Decimal,
    loans: u64,
    problem: String,
}

/// Servicing balances accumulated per account.
pub(crate) struct ServicingBook<'m> {
    mapping: &'m dyn AccountMapping,
    compared: ComparedRoles,
    /// Per product, the resolutions of its offices and currencies met so far (a handful each).
    resolved: FxHashMap<ProductId, Vec<Resolved>>,
    pub(crate) keys: Keys,
    /// Per key: the sum, and whether any compared role maps there.
    pub(crate) totals: Vec<Option<Decimal>>,
    pub(crate) per_loan: Vec<LoanAmount>,
    unresolved: BTreeMap<(ProductId, Option<OfficeId>, Role, Currency), UnresolvedSum>,
    pub(crate) loans: u64,
}

impl<'m> ServicingBook<'m> {
    pub(crate) fn new(mapping: &'m dyn AccountMapping, compared: ComparedRoles) -> Self {
        ServicingBook {
            mapping,
            compared,
            resolved: FxHashMap::default(),
            keys: Keys::default(),
            totals: Vec::new(),
            per_loan: Vec::new(),
            unresolved: BTreeMap::new(),
            loans: 0,
        }
    }

    pub(crate) fn add(&mut self, balance: &LoanBalance) {
        self.loans += 1;
        let amounts = servicing_amounts(balance);
        let ix = self.resolution(balance);
        let resolved = &self.resolved[&balance.product][ix];
        for (slot_no, slot) in resolved.slots.iter().enumerate() {
            let amount = amounts[slot_no];
            match slot {
                Slot::Skip => {}
                Slot::Account(key) => {
                    let total = self.totals[*key as usize].get_or_insert(Decimal::ZERO);
                    *total += amount;
                    if !amount.is_zero() {
                        self.per_loan.push(LoanAmount { key: *key, loan: balance.loan_id.clone(), amount });
                    }
                }
                Slot::Unmapped(problem) => {
                    let sum = self
                        .unresolved
                        .entry((
                            balance.product.clone(),
                            balance.office.clone(),
                            SERVICING_ROLES[slot_no],
                            balance.currency,
                        ))
                        .or_default();
                    sum.amount += amount;
                    sum.loans += 1;
                    if sum.problem.is_empty() {
                        sum.problem.clone_from(problem);
                    }
                }
            }
        }
    }

    /// The index, in its product's list, of the loan's resolution (made on first use).
    fn resolution(&mut self, balance: &LoanBalance) -> usize {
        if let Some(list) = self.resolved.get(&balance.product)
            && let Some(ix) = list.iter().position(|r| r.office == balance.office && r.currency == balance.currency)
        {
            return ix;
        }
        let slots = self.resolve(balance);
        let list = self.resolved.entry(balance.product.clone()).or_default();
        list.push(Resolved { office: balance.office.clone(), currency: balance.currency, slots });
        list.len() - 1
    }

    fn resolve(&mut self, balance: &LoanBalance) -> [Slot; 5] {
        let rule = match self.mapping.accounting_rule(&balance.product) {
            Ok(rule) => rule,
            Err(no_rule) => {
                // Which roles would be compared is unknown: every balance is unplaced.
                let problem = format!("{no_rule}; until then its servicing balances are on no account");
                return std::array::from_fn(|_| Slot::Unmapped(problem.clone()));
            }
        };
        let context = MappingContext {
            product: &balance.product,
            payment_type: None,
            charge: None,
            office: balance.office.as_ref(),
        };
        let slots: [Slot; 5] = std::array::from_fn(|slot_no| {
            if !self.compared.compares(rule, slot_no) {
                return Slot::Skip;
            }
            match self.mapping.account(SERVICING_ROLES[slot_no], &context) {
                Ok(account) => Slot::Account(self.keys.intern(&account, balance.currency)),
                Err(unmapped) => Slot::Unmapped(unmapped.to_string()),
            }
        });
        self.totals.resize(self.keys.len(), None);
        for slot in &slots {
            if let Slot::Account(key) = slot {
                // Mapped here: the account carries servicing balances even if they sum to zero.
                self.totals[*key as usize].get_or_insert(Decimal::ZERO);
            }
        }
        slots
    }

    pub(crate) fn unresolved(&self) -> Vec<Unresolved> {
        self.unresolved
            .iter()
            .map(|((product, office, role, currency), sum)| Unresolved {
                product: product.clone(),
                office: office.clone(),
                role: *role,
                currency: *currency,
                amount: super::amount::fit(sum.amount, *currency),
                loans: sum.loans,
                problem: sum.problem.clone(),
            })
            .collect()
    }

    /// The roles whose balances land on key `key`.
    pub(crate) fn roles_of(&self, key: u32) -> Vec<Role> {
        let mut roles: Vec<Role> = self
            .resolved
            .values()
            .flatten()
            .flat_map(|r| r.slots.iter().enumerate())
            .filter(|(_, slot)| matches!(slot, Slot::Account(k) if *k == key))
            .map(|(slot_no, _)| SERVICING_ROLES[slot_no])
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }
}
