//! The mapping suite on the TOML mapping file (`tieout_engine::mapping::MappingFile`), under both
//! shipped rule sets; and proof that the suite catches mappings that default silently.

use tieout_conformance::mapping::{self, MappingHarness, MappingSpec, SpecError};
use tieout_core::connector::{AccountMapping, Dimensions, MappingContext, NoRule, Unmapped};
use tieout_core::ids::{AccountRef, OfficeId, ProductId};
use tieout_core::role::{AccountingRule, Role};
use tieout_engine::mapping::MappingFile;
use tieout_engine::rules::RuleSet;

/// Writes a spec as a mapping file (DESIGN.md "The mapping file") and loads it.
struct FileHarness;

fn render(spec: &MappingSpec) -> String {
    let mut root = toml::Table::new();
    if let Some(rule) = spec.default_rule {
        root.insert("default_rule".into(), rule.as_str().into());
    }
    let roles = |accounts: &std::collections::BTreeMap<Role, AccountRef>| -> toml::Table {
        accounts.iter().map(|(role, account)| (role.as_str().to_owned(), account.as_str().into())).collect()
    };
    root.insert("accounts".into(), roles(&spec.accounts).into());
    let mut products = toml::Table::new();
    for product in &spec.products {
        let mut section = roles(&product.accounts);
        if let Some(rule) = product.rule {
            section.insert("rule".into(), rule.as_str().into());
        }
        products.insert(product.id.to_string(), section.into());
    }
    root.insert("products".into(), products.into());
    let simple = |map: Vec<(String, String)>| -> toml::Table { map.into_iter().map(|(k, v)| (k, v.into())).collect() };
    root.insert(
        "payment_types".into(),
        simple(spec.payment_types.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()).into(),
    );
    root.insert(
        "charges".into(),
        simple(spec.charges.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()).into(),
    );
    toml::to_string(&root).unwrap()
}

impl MappingHarness for FileHarness {
    fn name(&self) -> String {
        "mapping file".into()
    }

    fn build(&self, spec: &MappingSpec) -> Result<Box<dyn AccountMapping>, SpecError> {
        let text = render(spec);
        MappingFile::from_toml(&text, "spec.toml")
            .map(|m| Box::new(m) as Box<dyn AccountMapping>)
            .map_err(|e| SpecError::Failed(format!("{e}\n{text}")))
    }
}

#[test]
fn the_mapping_file_passes_under_the_standard_rules() {
    let report = mapping::suite(&FileHarness, &RuleSet::standard()).unwrap();
    assert!(report.skipped().is_empty(), "{report}");
    assert_eq!(report.checks.len(), 9, "{report}");
}

#[test]
fn the_mapping_file_passes_under_the_fineract_rules() {
    let report = mapping::suite(&FileHarness, &RuleSet::fineract()).unwrap();
    assert!(report.skipped().is_empty(), "{report}");
}

#[test]
fn needed_roles_follow_the_rule_set() {
    let rules = RuleSet::standard();
    assert!(mapping::needed_roles(&rules, AccountingRule::None).is_empty());
    let cash = mapping::needed_roles(&rules, AccountingRule::Cash);
    let accrual = mapping::needed_roles(&rules, AccountingRule::AccrualPeriodic);
    assert!(cash.contains(&Role::FundSource) && cash.contains(&Role::LoanPortfolio));
    assert!(accrual.contains(&Role::InterestReceivable));
}

/// A mapping that answers a fallback account for whatever it does not know.
struct Defaulting(MappingFile);

impl AccountMapping for Defaulting {
    fn accounting_rule(&self, product: &ProductId) -> Result<AccountingRule, NoRule> {
        self.0.accounting_rule(product)
    }
    fn accrual_activity_posting(&self, product: &ProductId) -> bool {
        self.0.accrual_activity_posting(product)
    }
    fn account(&self, role: Role, context: &MappingContext<'_>) -> Result<AccountRef, Unmapped> {
        Ok(self.0.account(role, context).unwrap_or_else(|_| AccountRef::from("Suspense")))
    }
    fn office_dimensions(&self, office: &OfficeId) -> Option<&Dimensions> {
        self.0.office_dimensions(office)
    }
}

/// A mapping that names the wrong role in its errors.
struct Misnaming(MappingFile);

impl AccountMapping for Misnaming {
    fn accounting_rule(&self, product: &ProductId) -> Result<AccountingRule, NoRule> {
        self.0.accounting_rule(product)
    }
    fn accrual_activity_posting(&self, product: &ProductId) -> bool {
        self.0.accrual_activity_posting(product)
    }
    fn account(&self, role: Role, context: &MappingContext<'_>) -> Result<AccountRef, Unmapped> {
        self.0.account(role, context).map_err(|e| Unmapped { role: Role::Suspense, ..e })
    }
    fn office_dimensions(&self, office: &OfficeId) -> Option<&Dimensions> {
        self.0.office_dimensions(office)
    }
}

struct Wrapped<const MISNAMING: bool>;

impl<const MISNAMING: bool> MappingHarness for Wrapped<MISNAMING> {
    fn name(&self) -> String {
        "a broken mapping".into()
    }
    fn build(&self, spec: &MappingSpec) -> Result<Box<dyn AccountMapping>, SpecError> {
        let file = MappingFile::from_toml(&render(spec), "spec.toml").map_err(|e| SpecError::Failed(e.to_string()))?;
        Ok(if MISNAMING { Box::new(Misnaming(file)) } else { Box::new(Defaulting(file)) })
    }
}

#[test]
fn a_mapping_that_defaults_silently_is_caught() {
    let failure = mapping::suite(&Wrapped::<false>, &RuleSet::standard()).unwrap_err();
    for check in [
        "mapping.empty_mapping_reports_every_needed_role",
        "mapping.a_missing_role_is_reported_exactly",
        "mapping.journalizer_reports_unmapped_roles",
    ] {
        assert!(failure.failed_checks().contains(&check), "{check} passed:\n{failure}");
    }
    let message = failure.message("mapping.empty_mapping_reports_every_needed_role").unwrap();
    assert!(message.contains("resolved to 'Suspense' though nothing maps it: a silent default"), "{message}");
}

#[test]
fn a_mapping_that_names_the_wrong_role_is_caught() {
    let failure = mapping::suite(&Wrapped::<true>, &RuleSet::standard()).unwrap_err();
    let message = failure.message("mapping.empty_mapping_reports_every_needed_role").unwrap();
    assert!(message.contains("names product") && message.contains("role suspense"), "{message}");
}

/// A harness that cannot express per-charge accounts skips that check, and says so.
struct NoCharges;

impl MappingHarness for NoCharges {
    fn name(&self) -> String {
        "a mapping without charges".into()
    }
    fn build(&self, spec: &MappingSpec) -> Result<Box<dyn AccountMapping>, SpecError> {
        if !spec.charges.is_empty() {
            return Err(SpecError::Unsupported("per-charge accounts".into()));
        }
        FileHarness.build(spec)
    }
}

#[test]
fn unsupported_features_are_skipped_with_a_reason() {
    let report = mapping::suite(&NoCharges, &RuleSet::standard()).unwrap();
    assert_eq!(
        report.skipped(),
        [("mapping.income_by_charge", "a mapping without charges cannot express per-charge accounts")]
    );
}
