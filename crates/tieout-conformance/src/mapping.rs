//! The mapping suite: for a rule set, every role a posting needs either resolves to the account
//! the mapping names, or is reported as `Unmapped` naming the product and the role; never a
//! silent default. Runs on any [`AccountMapping`] an implementation can build from a
//! [`MappingSpec`] (the TOML mapping file, a CSV sheet import, a source's own GL mapping).

use std::collections::{BTreeMap, BTreeSet};

use tieout_core::connector::{AccountMapping, MappingContext, Unmapped};
use tieout_core::event::{Event, EventHead, EventKind};
use tieout_core::ids::{AccountRef, ChargeName, PaymentType, ProductId};
use tieout_core::money::Currency;
use tieout_core::role::{AccountingRule, Role};
use tieout_engine::journal::{Journalizer, KeyScope, ProblemCode};
use tieout_engine::rules::{Action, RuleSet};

use crate::report::{Fail, Outcome, Report, Run, SuiteFailure, ensure, fail, skip};

/// One product of a [`MappingSpec`]: its accounting rule and its role overrides.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProductSpec {
    pub id: ProductId,
    pub rule: Option<AccountingRule>,
    pub accounts: BTreeMap<Role, AccountRef>,
}

/// A mapping, as data the harness turns into the implementation under test.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct MappingSpec {
    /// The accounting rule of products that do not name one.
    pub default_rule: Option<AccountingRule>,
    /// Role → account, for every product.
    pub accounts: BTreeMap<Role, AccountRef>,
    pub products: Vec<ProductSpec>,
    /// `fund_source` by payment type.
    pub payment_types: BTreeMap<PaymentType, AccountRef>,
    /// Income (`fee_income` and `penalty_income`) by charge.
    pub charges: BTreeMap<ChargeName, AccountRef>,
}

/// Why a harness could not build a mapping from a spec.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum SpecError {
    /// The implementation has no way to say this (e.g. per-charge accounts); the check that
    /// needs it is skipped.
    Unsupported(String),
    /// Building failed: the check fails with this message.
    Failed(String),
}

/// A mapping implementation under test.
pub trait MappingHarness {
    /// What is tested (`mapping file`).
    fn name(&self) -> String;

    /// The implementation's mapping for `spec`.
    fn build(&self, spec: &MappingSpec) -> Result<Box<dyn AccountMapping>, SpecError>;
}

/// The roles the postings of `rule` book, on either side.
pub fn needed_roles(rules: &RuleSet, rule: AccountingRule) -> BTreeSet<Role> {
    rules
        .postings()
        .iter()
        .filter(|p| p.rule == rule)
        .flat_map(|p| match &p.action {
            Action::Post(legs) => legs.iter().map(|leg| leg.role).collect::<Vec<_>>(),
            Action::Nothing | Action::MirrorReversed => Vec::new(),
        })
        .collect()
}

/// The account the suite maps `role` to.
fn account_for(role: Role) -> AccountRef {
    AccountRef::from(format!("A-{role}"))
}

fn product_for(rule: AccountingRule) -> ProductId {
    ProductId::from(format!("p-{rule}"))
}

/// The product per accounting rule that needs roles, with what it needs.
struct Plan {
    products: Vec<(ProductId, AccountingRule, BTreeSet<Role>)>,
    all_roles: BTreeSet<Role>,
}

impl Plan {
    fn new(rules: &RuleSet) -> Plan {
        let products: Vec<_> = AccountingRule::ALL
            .iter()
            .map(|rule| (product_for(*rule), *rule, needed_roles(rules, *rule)))
            .filter(|(_, _, roles)| !roles.is_empty())
            .collect();
        let all_roles = products.iter().flat_map(|(_, _, roles)| roles.iter().copied()).collect();
        Plan { products, all_roles }
    }

    /// A spec with the plan's products and rules, and these client-wide accounts.
    fn spec(&self, accounts: impl IntoIterator<Item = Role>) -> MappingSpec {
        MappingSpec {
            default_rule: None,
            accounts: accounts.into_iter().map(|role| (role, account_for(role))).collect(),
            products: self
                .products
                .iter()
                .map(|(id, rule, _)| ProductSpec { id: id.clone(), rule: Some(*rule), accounts: BTreeMap::new() })
                .collect(),
            payment_types: BTreeMap::new(),
            charges: BTreeMap::new(),
        }
    }

    fn complete(&self) -> MappingSpec {
        self.spec(self.all_roles.iter().copied())
    }
}

fn build<H: MappingHarness>(h: &H, spec: &MappingSpec) -> Result<Box<dyn AccountMapping>, Fail> {
    h.build(spec).map_err(|e| match e {
        SpecError::Unsupported(what) => Fail::Skipped(format!("{} cannot express {what}", h.name())),
        SpecError::Failed(message) => Fail::Failed(format!("building the mapping failed: {message}")),
    })
}

fn context<'a>(
    product: &'a ProductId,
    payment_type: Option<&'a PaymentType>,
    charge: Option<&'a ChargeName>,
) -> MappingContext<'a> {
    MappingContext { product, payment_type, charge, office: None }
}

/// Checks that `result` is an `Unmapped` naming `product` and `role`, in its fields and its text.
fn expect_unmapped(result: Result<AccountRef, Unmapped>, product: &ProductId, role: Role) -> Outcome {
    match result {
        Ok(account) => {
            fail!("product '{product}' role {role} resolved to '{account}' though nothing maps it: a silent default")
        }
        Err(e) => {
            ensure!(
                &e.product == product && e.role == role,
                "the Unmapped error names product '{}' role {} instead of '{product}' {role}",
                e.product,
                e.role
            );
            let text = e.to_string();
            ensure!(
                text.contains(product.as_str()) && text.contains(role.as_str()),
                "the Unmapped message does not name product '{product}' and role {role}: {text}"
            );
            Ok(())
        }
    }
}

fn expect_account(
    result: Result<AccountRef, Unmapped>,
    product: &ProductId,
    role: Role,
    expected: &AccountRef,
) -> Outcome {
    match result {
        Ok(account) => {
            ensure!(&account == expected, "product '{product}' role {role} resolved to '{account}', not '{expected}'");
            Ok(())
        }
        Err(e) => fail!("product '{product}' role {role} is mapped to '{expected}' but did not resolve: {e}"),
    }
}

/// The mapping suite for `rules` (run it for each rule set a client may use).
pub fn suite<H: MappingHarness>(harness: &H, rules: &RuleSet) -> Result<Report, SuiteFailure> {
    let plan = Plan::new(rules);
    let mut run = Run::new(format!("{} under rule set {}", harness.name(), rules.id()), std::time::Duration::MAX);
    run.check_sync("mapping.rule_set_needs_roles", rule_set_needs_roles(&plan, rules));
    run.check_sync("mapping.complete_mapping_resolves_every_needed_role", complete_mapping_resolves(harness, &plan));
    run.check_sync("mapping.accounting_rules_are_reported", accounting_rules_are_reported(harness, &plan));
    run.check_sync("mapping.empty_mapping_reports_every_needed_role", empty_mapping_reports_every_role(harness, &plan));
    run.check_sync("mapping.a_missing_role_is_reported_exactly", missing_role_reported_exactly(harness, &plan));
    run.check_sync("mapping.product_override_wins", product_override_wins(harness, &plan));
    run.check_sync("mapping.fund_source_by_payment_type", fund_source_by_payment_type(harness, &plan));
    run.check_sync("mapping.income_by_charge", income_by_charge(harness, &plan));
    run.check_sync("mapping.journalizer_reports_unmapped_roles", journalizer_reports_unmapped(harness, &plan, rules));
    run.finish()
}

fn rule_set_needs_roles(plan: &Plan, rules: &RuleSet) -> Outcome {
    ensure!(!plan.all_roles.is_empty(), "rule set {} books no role under any accounting rule", rules.id());
    Ok(())
}

fn complete_mapping_resolves<H: MappingHarness>(h: &H, plan: &Plan) -> Outcome {
    let mapping = build(h, &plan.complete())?;
    for (product, _, roles) in &plan.products {
        for role in roles {
            expect_account(mapping.account(*role, &context(product, None, None)), product, *role, &account_for(*role))?;
        }
    }
    Ok(())
}

fn accounting_rules_are_reported<H: MappingHarness>(h: &H, plan: &Plan) -> Outcome {
    let mapping = build(h, &plan.complete())?;
    for (product, rule, _) in &plan.products {
        match mapping.accounting_rule(product) {
            Ok(found) => ensure!(found == *rule, "product '{product}' has rule {rule} but the mapping says {found}"),
            Err(e) => fail!("product '{product}' has rule {rule} but the mapping says: {e}"),
        }
    }
    let stranger = ProductId::from("p-not-in-the-mapping");
    match mapping.accounting_rule(&stranger) {
        Ok(rule) => {
            fail!("a product the mapping does not name, with no default_rule, got rule {rule}: a silent default")
        }
        Err(e) => {
            ensure!(e.product == stranger, "the NoRule error names product '{}' instead of '{stranger}'", e.product)
        }
    }
    Ok(())
}

fn empty_mapping_reports_every_role<H: MappingHarness>(h: &H, plan: &Plan) -> Outcome {
    let mapping = build(h, &plan.spec([]))?;
    for (product, _, roles) in &plan.products {
        for role in roles {
            expect_unmapped(mapping.account(*role, &context(product, None, None)), product, *role)?;
        }
    }
    Ok(())
}

fn missing_role_reported_exactly<H: MappingHarness>(h: &H, plan: &Plan) -> Outcome {
    for missing in &plan.all_roles {
        let mapping = build(h, &plan.spec(plan.all_roles.iter().copied().filter(|r| r != missing)))?;
        for (product, _, roles) in &plan.products {
            for role in roles {
                let result = mapping.account(*role, &context(product, None, None));
                if role == missing {
                    expect_unmapped(result, product, *role)
                        .map_err(|f| prefix(f, &format!("with only {missing} left out")))?;
                } else {
                    expect_account(result, product, *role, &account_for(*role))
                        .map_err(|f| prefix(f, &format!("with only {missing} left out")))?;
                }
            }
        }
    }
    Ok(())
}

fn prefix(fail: Fail, context: &str) -> Fail {
    match fail {
        Fail::Failed(message) => Fail::Failed(format!("{context}: {message}")),
        skipped => skipped,
    }
}

/// The first planned product that needs `role`.
fn product_needing(plan: &Plan, role: Role) -> Option<&ProductId> {
    plan.products.iter().find(|(_, _, roles)| roles.contains(&role)).map(|(id, _, _)| id)
}

fn product_override_wins<H: MappingHarness>(h: &H, plan: &Plan) -> Outcome {
    let Some(role) = plan.all_roles.iter().next().copied() else { skip!("the rule set needs no role") };
    let Some(product) = product_needing(plan, role) else { skip!("no product needs {role}") };
    let override_account = AccountRef::from(format!("A-{product}-{role}"));
    let mut spec = plan.complete();
    if let Some(p) = spec.products.iter_mut().find(|p| &p.id == product) {
        p.accounts.insert(role, override_account.clone());
    }
    let mapping = build(h, &spec)?;
    expect_account(mapping.account(role, &context(product, None, None)), product, role, &override_account)?;
    for (other, _, roles) in plan.products.iter().filter(|(id, _, _)| id != product) {
        if roles.contains(&role) {
            expect_account(mapping.account(role, &context(other, None, None)), other, role, &account_for(role))?;
        }
    }
    Ok(())
}

fn fund_source_by_payment_type<H: MappingHarness>(h: &H, plan: &Plan) -> Outcome {
    let role = Role::FundSource;
    let Some(product) = product_needing(plan, role) else { skip!("the rule set does not book fund_source") };
    let ach = PaymentType::from("ach");
    let wire = PaymentType::from("wire");
    let ach_account = AccountRef::from("A-pt-ach");
    let mut spec = plan.complete();
    spec.payment_types.insert(ach.clone(), ach_account.clone());
    let mapping = build(h, &spec)?;
    expect_account(mapping.account(role, &context(product, Some(&ach), None)), product, role, &ach_account)?;
    expect_account(mapping.account(role, &context(product, Some(&wire), None)), product, role, &account_for(role))
        .map_err(|f| prefix(f, "an unmapped payment type falls back to the product and [accounts]"))?;
    if let Some(other) = plan.all_roles.iter().find(|r| **r != role) {
        expect_account(
            mapping.account(*other, &context(product, Some(&ach), None)),
            product,
            *other,
            &account_for(*other),
        )
        .map_err(|f| prefix(f, "a payment type maps fund_source only"))?;
    }
    // Nothing for fund_source but another payment type's account: reported, naming the role.
    let mut spec = plan.spec(plan.all_roles.iter().copied().filter(|r| *r != role));
    spec.payment_types.insert(ach, ach_account);
    let mapping = build(h, &spec)?;
    expect_unmapped(mapping.account(role, &context(product, Some(&wire), None)), product, role)
}

fn income_by_charge<H: MappingHarness>(h: &H, plan: &Plan) -> Outcome {
    let Some(role) = [Role::FeeIncome, Role::PenaltyIncome].into_iter().find(|r| plan.all_roles.contains(r)) else {
        skip!("the rule set books no fee or penalty income")
    };
    let Some(product) = product_needing(plan, role) else { skip!("no product needs {role}") };
    let charge = ChargeName::from("late-fee");
    let charge_account = AccountRef::from("A-charge-late-fee");
    let mut spec = plan.complete();
    spec.charges.insert(charge.clone(), charge_account.clone());
    // A product override loses to the charge (charge → payment type → product → accounts).
    if let Some(p) = spec.products.iter_mut().find(|p| &p.id == product) {
        p.accounts.insert(role, AccountRef::from("A-product-income"));
    }
    let mapping = build(h, &spec)?;
    expect_account(mapping.account(role, &context(product, None, Some(&charge))), product, role, &charge_account)?;
    let other_charge = ChargeName::from("other-fee");
    expect_account(
        mapping.account(role, &context(product, None, Some(&other_charge))),
        product,
        role,
        &AccountRef::from("A-product-income"),
    )
    .map_err(|f| prefix(f, "an unmapped charge falls back to the product"))?;
    if plan.all_roles.contains(&Role::InterestIncome) {
        expect_account(
            mapping.account(Role::InterestIncome, &context(product, None, Some(&charge))),
            product,
            Role::InterestIncome,
            &account_for(Role::InterestIncome),
        )
        .map_err(|f| prefix(f, "a charge maps fee and penalty income only"))?;
    }
    Ok(())
}

fn journalizer_reports_unmapped<H: MappingHarness>(h: &H, plan: &Plan, rules: &RuleSet) -> Outcome {
    // A disbursement on each product whose rule books one: with every role mapped it becomes
    // an entry; with one of its roles left out it is a problem naming product and role.
    let usd = Currency::new("USD").map_err(|e| Fail::Failed(e.to_string()))?;
    let date = chrono::NaiveDate::from_ymd_opt(2026, 10, 5).unwrap_or_default();
    let mut tried = 0;
    for (product, rule, _) in &plan.products {
        let posting = rules.posting(*rule, EventKind::Disbursement, Default::default());
        let Action::Post(legs) = &posting.action else { continue };
        let Some(missing) = legs.first().map(|leg| leg.role) else { continue };
        tried += 1;
        let head = EventHead {
            id: format!("ev-{product}").into(),
            loan_id: "L-conformance".into(),
            product: product.clone(),
            kind: EventKind::Disbursement,
            date,
            currency: usd,
        };
        let event: Event = Event::new(head, rust_decimal::Decimal::from(100), None)
            .map_err(|e| Fail::Failed(format!("the kit could not build a test event: {e}")))?;
        let complete = build(h, &plan.complete())?;
        let journal = Journalizer::new(rules, &*complete, KeyScope::default()).journalize(std::slice::from_ref(&event));
        ensure!(
            journal.problems.is_empty() && journal.entries.len() == 1,
            "with every role mapped, a disbursement on '{product}' gave {} entries and problems {:?}",
            journal.entries.len(),
            journal.problems.iter().map(ToString::to_string).collect::<Vec<_>>()
        );
        let partial = build(h, &plan.spec(plan.all_roles.iter().copied().filter(|r| *r != missing)))?;
        let journal = Journalizer::new(rules, &*partial, KeyScope::default()).journalize(std::slice::from_ref(&event));
        ensure!(journal.entries.is_empty(), "without {missing}, a disbursement on '{product}' still gave an entry");
        match journal.problems.as_slice() {
            [problem] => {
                ensure!(
                    problem.code == ProblemCode::Unmapped
                        && problem.role == Some(missing)
                        && &problem.product == product,
                    "without {missing}, the problem is {problem}"
                );
                let text = problem.to_string();
                ensure!(
                    text.contains(product.as_str()) && text.contains(missing.as_str()),
                    "the problem does not name product '{product}' and role {missing}: {text}"
                );
            }
            other => fail!("without {missing}, a disbursement on '{product}' gave {} problems", other.len()),
        }
    }
    if tried == 0 {
        skip!("no accounting rule of this rule set books a disbursement");
    }
    Ok(())
}
