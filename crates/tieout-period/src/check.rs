//! The gap analysis of `tieout check` (seed 000's "identify data requirements and gaps"): before a
//! month is closed, what the client's books need — a rule per product, an account per role that
//! rule posts to, accounts the accounting package has and takes — and what is missing. Pure: the
//! servicing system's products, the accounting package's chart and capabilities come in as data.
//!
//! | code | severity | gap |
//! | --- | --- | --- |
//! | `no_accounting_rule` | error | a product has no rule in the mapping (`[products.X] rule`, `default_rule`) |
//! | `rule_differs` | warning | the mapping's rule is not the servicing system's own rule for the product |
//! | `unmapped_role` | error | a role a product's rule posts to has no account |
//! | `account_missing`, `account_inactive` | error | a mapped account is not in the chart, or is inactive |
//! | `account_currency` | error | a mapped account is tied to another currency than a product's |
//! | `account_type` | warning | a mapped account's type is unusual for its role |
//! | `currency_not_enabled` | error | the accounting package does not take a product's currency |
//! | `dimension_unsupported` | error | an office's dimension (`[offices.X]`) the accounting package does not take |
//! | `product_unknown` | warning | `[products.X]` names a product the servicing system does not offer |
//!
//! The account checks are the proposal's own (`validate`), so `tieout check` and Close month
//! agree on what is wrong.

use std::collections::{BTreeMap, BTreeSet};

use tieout_core::connector::{AccountMapping, LedgerAccount, MappingContext, ProductInfo, SinkCapabilities};
use tieout_core::event::EventKind;
use tieout_core::ids::{AccountRef, ChargeName, PaymentType, ProductId};
use tieout_core::money::Currency;
use tieout_core::role::{AccountingRule, Role};
use tieout_engine::rules::{Action, RuleSet};
use tieout_store::{Problem, Severity};

use crate::Books;
use crate::validate::{
    AccountUse, account_currency_problem, account_state_problem, account_type_problem, chart_index, problem,
};

/// What a fix found by the check ends with.
const CHECK_AGAIN: &str = "run `tieout check` again";

/// Event kinds named in a sentence before "and N more".
const KINDS_SHOWN: usize = 6;

/// What the books are checked against. A side is `None` when its system could not be read; the
/// checks that need it are then skipped (and the report says so).
#[derive(Clone, Copy, Debug, Default)]
pub struct CheckFacts<'a> {
    /// The servicing system's products. Without them, the products the mapping names are checked.
    pub products: Option<&'a [ProductInfo]>,
    /// The accounting package's chart of accounts.
    pub chart: Option<&'a [LedgerAccount]>,
    /// The accounting package's capabilities (currencies, dimensions).
    pub capabilities: Option<&'a SinkCapabilities>,
}

/// Where a product's accounting rule comes from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RuleOrigin {
    /// `rule` under `[products.X]` in the mapping.
    Product,
    /// The mapping's `default_rule`.
    Default,
    /// Nowhere in the mapping: the close cannot journalize the product's events.
    Missing,
}

impl RuleOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleOrigin::Product => "mapping [products]",
            RuleOrigin::Default => "mapping default_rule",
            RuleOrigin::Missing => "missing",
        }
    }
}

/// One role a product's rule posts to, and its account.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RoleCheck {
    pub role: Role,
    /// The product's account for the role (`[products.X]`, else `[accounts]`); `None` is a gap.
    pub account: Option<AccountRef>,
    /// Whether the account comes from `[products.X]` rather than `[accounts]`.
    pub product_override: bool,
    /// The event kinds whose postings use the role under the product's rule.
    pub kinds: Vec<EventKind>,
}

/// One product: its rule and every role that rule needs.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProductCheck {
    pub id: ProductId,
    pub name: String,
    /// `None` when the servicing system could not be read.
    pub currency: Option<Currency>,
    /// The rule the close books the product with (the mapping's).
    pub rule: Option<AccountingRule>,
    pub rule_origin: RuleOrigin,
    /// The servicing system's own rule for the product, where it has one.
    pub source_rule: Option<AccountingRule>,
    /// Whether the mapping turns accrual activity posting on for the product.
    pub accrual_activity_posting: bool,
    /// The roles of the mapping's rule (or, without one, of the servicing system's), in role order.
    pub roles: Vec<RoleCheck>,
}

impl ProductCheck {
    /// The rule the roles were listed for: the mapping's, else the servicing system's.
    pub fn expected_rule(&self) -> Option<AccountingRule> {
        self.rule.or(self.source_rule)
    }

    /// The product's account for `role`, if mapped.
    pub fn account(&self, role: Role) -> Option<&AccountRef> {
        self.roles.iter().find(|r| r.role == role).and_then(|r| r.account.as_ref())
    }
}

/// An account chosen by payment type (fund_source) or by charge (fee or penalty income) ahead of
/// the product's.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum OverrideScope {
    PaymentType(PaymentType),
    Charge(ChargeName),
}

/// One `[payment_types]` or `[charges]` entry of the mapping.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OverrideCheck {
    pub scope: OverrideScope,
    pub role: Role,
    pub account: AccountRef,
}

impl OverrideCheck {
    /// "payment type 'ach'", "charge 'late-fee'".
    pub fn describe(&self) -> String {
        match &self.scope {
            OverrideScope::PaymentType(p) => format!("payment type '{p}'"),
            OverrideScope::Charge(c) => format!("charge '{c}'"),
        }
    }
}

/// The gap analysis of one client.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ClientCheck {
    /// In the servicing system's order; the mapping's product sections, sorted, when it could not be read.
    pub products: Vec<ProductCheck>,
    pub overrides: Vec<OverrideCheck>,
    /// Whether the products came from the servicing system (else from the mapping).
    pub products_from_source: bool,
    /// Whether the accounts were checked against the accounting package's chart.
    pub accounts_checked: bool,
    /// Whether currencies and dimensions were checked against the accounting package's capabilities.
    pub capabilities_checked: bool,
    /// Every gap, errors first.
    pub problems: Vec<Problem>,
}

impl ClientCheck {
    /// Gaps that would stop a month from being sent.
    pub fn blocking(&self) -> usize {
        self.problems.iter().filter(|p| p.severity == Severity::Error).count()
    }
}

/// The gap analysis: per product its rule, the roles the rule posts to and their accounts, then
/// the accounts, currencies and office dimensions against the accounting package.
pub fn check_client(books: &Books<'_>, facts: &CheckFacts<'_>) -> ClientCheck {
    let mapping = books.mapping;
    let mut problems = Vec::new();
    let products: Vec<ProductCheck> = match facts.products {
        Some(offered) => offered
            .iter()
            .map(|p| {
                product_check(
                    books,
                    Offered { id: &p.id, name: &p.name, currency: Some(p.currency), rule: p.accounting_rule },
                )
            })
            .collect(),
        None => {
            let mut ids: Vec<&ProductId> = mapping.products().collect();
            ids.sort();
            ids.into_iter()
                .map(|id| product_check(books, Offered { id, name: id.as_str(), currency: None, rule: None }))
                .collect()
        }
    };
    let overrides = overrides(books);

    for product in &products {
        rule_problems(product, &mut problems);
    }
    unmapped_roles(&products, &mut problems);
    if let Some(chart) = facts.chart {
        account_problems(chart, &products, &overrides, &mut problems);
    }
    if let Some(capabilities) = facts.capabilities {
        capability_problems(books, capabilities, &products, &mut problems);
    }
    if let Some(offered) = facts.products {
        unknown_products(books, offered, &mut problems);
    }
    // Errors first, each group in the order found.
    problems.sort_by_key(|p| p.severity != Severity::Error);
    ClientCheck {
        products,
        overrides,
        products_from_source: facts.products.is_some(),
        accounts_checked: facts.chart.is_some(),
        capabilities_checked: facts.capabilities.is_some(),
        problems,
    }
}

/// The roles each event kind posts to under `rule`, in role order.
pub fn roles_of_rule(rules: &RuleSet, rule: AccountingRule) -> BTreeMap<Role, BTreeSet<EventKind>> {
    let mut roles: BTreeMap<Role, BTreeSet<EventKind>> = BTreeMap::new();
    for posting in rules.postings().iter().filter(|p| p.rule == rule) {
        if let Action::Post(legs) = &posting.action {
            for leg in legs {
                roles.entry(leg.role).or_default().insert(posting.kind);
            }
        }
    }
    roles
}

/// A product as far as it is known: from the servicing system, or only its id from the mapping.
struct Offered<'a> {
    id: &'a ProductId,
    name: &'a str,
    currency: Option<Currency>,
    rule: Option<AccountingRule>,
}

fn product_check(books: &Books<'_>, info: Offered<'_>) -> ProductCheck {
    let mapping = books.mapping;
    let (rule, rule_origin) = match (mapping.product_rule(info.id), mapping.default_rule()) {
        (Some(rule), _) => (Some(rule), RuleOrigin::Product),
        (None, Some(rule)) => (Some(rule), RuleOrigin::Default),
        (None, None) => (None, RuleOrigin::Missing),
    };
    let expected = rule.or(info.rule);
    let context = MappingContext { product: info.id, payment_type: None, charge: None, office: None };
    let roles = expected
        .map(|rule| roles_of_rule(books.rules, rule))
        .unwrap_or_default()
        .into_iter()
        .map(|(role, kinds)| RoleCheck {
            role,
            account: mapping.account(role, &context).ok(),
            product_override: mapping.product_account(info.id, role).is_some(),
            kinds: kinds.into_iter().collect(),
        })
        .collect();
    ProductCheck {
        id: info.id.clone(),
        name: info.name.to_owned(),
        currency: info.currency,
        rule,
        rule_origin,
        source_rule: info.rule,
        accrual_activity_posting: mapping.accrual_activity_posting(info.id),
        roles,
    }
}

fn overrides(books: &Books<'_>) -> Vec<OverrideCheck> {
    let payment_types = books.mapping.payment_types().into_iter().map(|(p, account)| OverrideCheck {
        scope: OverrideScope::PaymentType(p.clone()),
        role: Role::FundSource,
        account: account.clone(),
    });
    let charges = books.mapping.charges().into_iter().map(|(c, role, account)| OverrideCheck {
        scope: OverrideScope::Charge(c.clone()),
        role,
        account: account.clone(),
    });
    payment_types.chain(charges).collect()
}

fn rule_problems(product: &ProductCheck, problems: &mut Vec<Problem>) {
    let id = &product.id;
    let with_product = |p: Problem| Problem { product: Some(id.clone()), ..p };
    match (product.rule, product.source_rule) {
        (None, source) => {
            let (because, suggested) = match source {
                Some(own) => (format!(" (the servicing system accounts for it as {own})"), own.as_str()),
                None => (String::new(), "cash"),
            };
            problems.push(with_product(problem(
                "no_accounting_rule",
                Severity::Error,
                format!(
                    "Product '{id}' has no accounting rule in the mapping{because}: none of its events can be \
                     journalized."
                ),
                format!(
                    "Add rule = \"{suggested}\" (or none, cash, accrual-periodic, accrual-upfront) under \
                     [products.{id}] in the mapping, or set default_rule, then {CHECK_AGAIN}."
                ),
            )));
        }
        (Some(rule), Some(own)) if rule != own => problems.push(with_product(problem(
            "rule_differs",
            Severity::Warning,
            format!(
                "Product '{id}' is {own} in the servicing system, but the mapping books it as {rule} ({}).",
                product.rule_origin.as_str()
            ),
            format!(
                "Check which rule the accountant wants: rule = \"{own}\" under [products.{id}] follows the \
                 servicing system; if {rule} is meant, nothing needs to be done."
            ),
        ))),
        (Some(_), _) => {}
    }
}

/// One `unmapped_role` per role, naming every product that lacks it: a role missing from
/// `[accounts]` is one fix, not one per product.
fn unmapped_roles(products: &[ProductCheck], problems: &mut Vec<Problem>) {
    let mut missing: BTreeMap<Role, (Vec<&ProductCheck>, BTreeSet<EventKind>)> = BTreeMap::new();
    for product in products {
        for role in product.roles.iter().filter(|r| r.account.is_none()) {
            let (lacking, kinds) = missing.entry(role.role).or_default();
            lacking.push(product);
            kinds.extend(role.kinds.iter().copied());
        }
    }
    let with_rule = products.iter().filter(|p| p.expected_rule().is_some()).count();
    for (role, (lacking, kinds)) in missing {
        let names: Vec<String> = lacking.iter().map(|p| format!("'{}'", p.id)).collect();
        let (subject, whose) = match lacking.as_slice() {
            [one] => {
                let rule = one.expected_rule().map(|r| format!(" ({r})")).unwrap_or_default();
                (format!("Product {}{rule} has", names.join(", ")), "its rule posts")
            }
            _ => (format!("Products {} have", names.join(", ")), "their rules post"),
        };
        let where_to = if lacking.len() == with_rule && with_rule > 1 {
            "under [accounts] (every product)".to_owned()
        } else {
            let sections: Vec<String> = lacking.iter().map(|p| format!("[products.{}]", p.id)).collect();
            format!("under {} or [accounts]", sections.join(", "))
        };
        let mut extra = String::new();
        if role.is_fund_source() {
            extra.push_str(" ([payment_types] covers only events with a payment type)");
        }
        if role.is_charge_income() {
            extra.push_str(" ([charges] covers only events of those charges)");
        }
        problems.push(Problem {
            product: (lacking.len() == 1).then(|| lacking[0].id.clone()),
            role: Some(role),
            ..problem(
                "unmapped_role",
                Severity::Error,
                format!("{subject} no account for {role}, which {whose} for {}.", kind_list(&kinds)),
                format!("Add {role} {where_to} in the mapping{extra}, or upload a mapping sheet, then {CHECK_AGAIN}."),
            )
        });
    }
}

fn kind_list(kinds: &BTreeSet<EventKind>) -> String {
    let shown: Vec<&str> = kinds.iter().take(KINDS_SHOWN).map(|k| k.as_str()).collect();
    match kinds.len().saturating_sub(KINDS_SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// The proposal's account checks, for every account the mapping gives a role a product needs and
/// every payment-type and charge account: each account's state once (at its first use), each
/// (role, account) type once, each (account, currency) once.
fn account_problems(
    chart: &[LedgerAccount],
    products: &[ProductCheck],
    overrides: &[OverrideCheck],
    problems: &mut Vec<Problem>,
) {
    let chart = chart_index(chart);
    let mut states: BTreeSet<&AccountRef> = BTreeSet::new();
    let mut types: BTreeSet<(Role, &AccountRef)> = BTreeSet::new();
    let mut currencies: BTreeSet<(&AccountRef, Currency)> = BTreeSet::new();
    let product_currencies: BTreeSet<Currency> = products.iter().filter_map(|p| p.currency).collect();

    for product in products {
        let by = format!("product '{}'", product.id);
        for role in &product.roles {
            let Some(account) = &role.account else { continue };
            if states.insert(account) {
                let used = AccountUse { account, role: role.role, product: Some(&product.id), by: &by };
                problems.extend(account_state_problem(&chart, &used, CHECK_AGAIN));
            }
            if types.insert((role.role, account)) {
                problems.extend(account_type_problem(&chart, account, role.role));
            }
            if let Some(currency) = product.currency
                && currencies.insert((account, currency))
            {
                let users = format!("product '{}' books {currency} on it", product.id);
                problems.extend(account_currency_problem(&chart, account, currency, &users, CHECK_AGAIN));
            }
        }
    }
    for o in overrides {
        let by = o.describe();
        if states.insert(&o.account) {
            let used = AccountUse { account: &o.account, role: o.role, product: None, by: &by };
            problems.extend(account_state_problem(&chart, &used, CHECK_AGAIN));
        }
        if types.insert((o.role, &o.account)) {
            problems.extend(account_type_problem(&chart, &o.account, o.role));
        }
        for currency in &product_currencies {
            if currencies.insert((&o.account, *currency)) {
                let users = format!("products in {currency} book on it through {by}");
                problems.extend(account_currency_problem(&chart, &o.account, *currency, &users, CHECK_AGAIN));
            }
        }
    }
}

fn capability_problems(
    books: &Books<'_>,
    capabilities: &SinkCapabilities,
    products: &[ProductCheck],
    problems: &mut Vec<Problem>,
) {
    for product in products {
        let Some(currency) = product.currency else { continue };
        if product.rule == Some(AccountingRule::None) || capabilities.currencies.allows(currency) {
            continue;
        }
        problems.push(Problem {
            product: Some(product.id.clone()),
            ..problem(
                "currency_not_enabled",
                Severity::Error,
                format!(
                    "Product '{}' lends in {currency}, which the accounting package does not take: none of its \
                     entries could be sent.",
                    product.id
                ),
                format!("Enable {currency} in the accounting package (multicurrency), then {CHECK_AGAIN}."),
            )
        });
    }
    let taken = if capabilities.dimensions.is_empty() { "none".to_owned() } else { capabilities.dimensions.join(", ") };
    for (office, dimensions) in books.mapping.offices() {
        for (name, value) in dimensions.iter().filter(|(name, _)| !capabilities.dimensions.contains(*name)) {
            problems.push(problem(
                "dimension_unsupported",
                Severity::Error,
                format!(
                    "Office '{office}' is mapped to {name} = '{value}', but the accounting package takes no \
                     '{name}' dimension (it takes: {taken})."
                ),
                format!(
                    "Remove {name} from [offices.{office}] in the mapping, or turn {name} on in the accounting \
                     package, then {CHECK_AGAIN}."
                ),
            ));
        }
    }
}

/// A `[products.X]` section for a product the servicing system does not offer is most likely a
/// misspelt id: its rule and accounts would silently never apply.
fn unknown_products(books: &Books<'_>, offered: &[ProductInfo], problems: &mut Vec<Problem>) {
    let known: BTreeSet<&ProductId> = offered.iter().map(|p| &p.id).collect();
    let mut named: Vec<&ProductId> = books.mapping.products().filter(|id| !known.contains(id)).collect();
    named.sort();
    let list: Vec<&str> = known.iter().map(|p| p.as_str()).collect();
    let list = if list.is_empty() { "none".to_owned() } else { list.join(", ") };
    for id in named {
        problems.push(Problem {
            product: Some(id.clone()),
            ..problem(
                "product_unknown",
                Severity::Warning,
                format!(
                    "The mapping has a section [products.{id}], but the servicing system offers no product '{id}'."
                ),
                format!(
                    "Correct the product id in the mapping (the servicing system's products are: {list}), or remove \
                     the section if the product is gone."
                ),
            )
        });
    }
}

#[cfg(test)]
mod tests;
