//! The client's mapping file (DESIGN.md "The mapping file"): role (+ product, payment type,
//! charge, office) → an account of the client's chart.

mod file;

use rustc_hash::FxHashMap;
use tieout_core::connector::{AccountMapping, Dimensions, MappingContext, NoRule, Unmapped};
use tieout_core::ids::{AccountRef, ChargeName, OfficeId, PaymentType, ProductId};
use tieout_core::role::{AccountingRule, Role};

pub use file::MappingError;

/// Accounts by role, as a dense table indexed by the role's position.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct RoleTable(Vec<Option<AccountRef>>);

impl RoleTable {
    fn new() -> Self {
        RoleTable(vec![None; Role::ALL.len()])
    }
    fn get(&self, role: Role) -> Option<&AccountRef> {
        self.0[role as usize].as_ref()
    }
    fn set(&mut self, role: Role, account: AccountRef) {
        self.0[role as usize] = Some(account);
    }
    fn is_set(&self, role: Role) -> bool {
        self.0[role as usize].is_some()
    }
}

/// A product's section: its rule, options and role overrides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ProductSection {
    rule: Option<AccountingRule>,
    accrual_activity_posting: bool,
    accounts: RoleTable,
}

/// A loaded mapping file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MappingFile {
    default_rule: Option<AccountingRule>,
    accounts: RoleTable,
    products: FxHashMap<ProductId, ProductSection>,
    payment_types: FxHashMap<PaymentType, AccountRef>,
    /// Per charge: an account for both income roles, or per role.
    charges: FxHashMap<ChargeName, RoleTable>,
    offices: FxHashMap<OfficeId, Dimensions>,
}

impl MappingFile {
    /// Products named in the file.
    pub fn products(&self) -> impl Iterator<Item = &ProductId> {
        self.products.keys()
    }

    /// Every account the file names, sorted, without repeats.
    pub fn accounts(&self) -> Vec<AccountRef> {
        let mut all: Vec<AccountRef> = self
            .accounts
            .0
            .iter()
            .chain(self.products.values().flat_map(|p| p.accounts.0.iter()))
            .chain(self.charges.values().flat_map(|t| t.0.iter()))
            .flatten()
            .cloned()
            .chain(self.payment_types.values().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// `default_rule`: the rule of products without their own.
    pub fn default_rule(&self) -> Option<AccountingRule> {
        self.default_rule
    }

    /// The rule under `[products.<product>]`, if the product has its own.
    pub fn product_rule(&self, product: &ProductId) -> Option<AccountingRule> {
        self.products.get(product).and_then(|p| p.rule)
    }

    /// The account `[products.<product>]` gives `role`, where it overrides `[accounts]`.
    pub fn product_account(&self, product: &ProductId, role: Role) -> Option<&AccountRef> {
        self.products.get(product).and_then(|p| p.accounts.get(role))
    }

    /// `[payment_types]`: the fund_source account per payment type, sorted by payment type.
    pub fn payment_types(&self) -> Vec<(&PaymentType, &AccountRef)> {
        let mut all: Vec<_> = self.payment_types.iter().collect();
        all.sort();
        all
    }

    /// `[charges]`: the income account per charge and role, sorted.
    pub fn charges(&self) -> Vec<(&ChargeName, Role, &AccountRef)> {
        let mut all: Vec<_> = self
            .charges
            .iter()
            .flat_map(|(charge, table)| Role::ALL.iter().filter_map(move |r| table.get(*r).map(|a| (charge, *r, a))))
            .collect();
        all.sort();
        all
    }

    /// `[offices]`: the dimensions per office, sorted by office.
    pub fn offices(&self) -> Vec<(&OfficeId, &Dimensions)> {
        let mut all: Vec<_> = self.offices.iter().collect();
        all.sort_by(|a, b| a.0.cmp(b.0));
        all
    }
}

impl AccountMapping for MappingFile {
    fn accounting_rule(&self, product: &ProductId) -> Result<AccountingRule, NoRule> {
        self.products
            .get(product)
            .and_then(|p| p.rule)
            .or(self.default_rule)
            .ok_or_else(|| NoRule { product: product.clone() })
    }

    fn accrual_activity_posting(&self, product: &ProductId) -> bool {
        self.products.get(product).is_some_and(|p| p.accrual_activity_posting)
    }

    fn account(&self, role: Role, context: &MappingContext<'_>) -> Result<AccountRef, Unmapped> {
        if role.is_charge_income()
            && let Some(account) = context.charge.and_then(|c| self.charges.get(c)).and_then(|t| t.get(role))
        {
            return Ok(account.clone());
        }
        if role.is_fund_source()
            && let Some(account) = context.payment_type.and_then(|p| self.payment_types.get(p))
        {
            return Ok(account.clone());
        }
        if let Some(account) = self.products.get(context.product).and_then(|p| p.accounts.get(role)) {
            return Ok(account.clone());
        }
        self.accounts.get(role).cloned().ok_or_else(|| Unmapped {
            product: context.product.clone(),
            role,
            charge: context.charge.cloned(),
            payment_type: context.payment_type.cloned(),
            event: None,
            kind: None,
        })
    }

    fn office_dimensions(&self, office: &OfficeId) -> Option<&Dimensions> {
        self.offices.get(office)
    }
}

#[cfg(test)]
mod tests;
