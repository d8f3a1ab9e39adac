use tieout_core::connector::{CurrencySupport, LedgerAccount, ProductInfo, SinkCapabilities};
use tieout_core::ids::ClientId;
use tieout_core::money::Currency;
use tieout_core::role::{AccountType, AccountingRule, DayCount, Role};
use tieout_engine::mapping::MappingFile;
use tieout_engine::rules::RuleSet;
use tieout_engine::summarize::DetailLevel;
use tieout_store::{Problem, Severity};

use super::*;

fn usd() -> Currency {
    Currency::new("USD").unwrap()
}

/// `[accounts]` with every role mapped to an account named after it.
fn every_role() -> String {
    Role::ALL.iter().map(|r| format!("{r} = \"acct:{r}\"\n")).collect()
}

/// A chart with every account of [`every_role`], each of its role's usual type.
fn full_chart() -> Vec<LedgerAccount> {
    Role::ALL.iter().map(|r| account(&format!("acct:{r}"), r.expected_type(), true)).collect()
}

fn account(name: &str, account_type: AccountType, active: bool) -> LedgerAccount {
    LedgerAccount { account: name.into(), name: name.into(), account_type: Some(account_type), active, currency: None }
}

fn product(id: &str, rule: Option<AccountingRule>) -> ProductInfo {
    ProductInfo {
        id: id.into(),
        name: format!("{id} loan"),
        currency: usd(),
        accounting_rule: rule,
        day_count: DayCount::ActualActual,
        accrual_activity_posting: false,
    }
}

fn capabilities() -> SinkCapabilities {
    SinkCapabilities {
        max_batch: 10,
        rate_limit: None,
        dimensions: vec!["class".into()],
        currencies: CurrencySupport::Any,
        idempotency_window: None,
    }
}

struct Fixture {
    client: ClientId,
    rules: RuleSet,
    mapping: MappingFile,
}

impl Fixture {
    fn new(mapping: &str) -> Self {
        Fixture {
            client: ClientId::new("acme"),
            rules: RuleSet::standard(),
            mapping: MappingFile::from_toml(mapping, "mapping.toml").unwrap(),
        }
    }

    fn check(&self, facts: &CheckFacts<'_>) -> ClientCheck {
        let books = Books {
            client: &self.client,
            rules: &self.rules,
            mapping: &self.mapping,
            detail: DetailLevel::ProductDay,
            separation_of_duties: false,
        };
        check_client(&books, facts)
    }
}

fn codes(check: &ClientCheck) -> Vec<&str> {
    check.problems.iter().map(|p| p.code.as_str()).collect()
}

fn find<'a>(check: &'a ClientCheck, code: &str) -> &'a Problem {
    check.problems.iter().find(|p| p.code == code).unwrap_or_else(|| panic!("no {code} in {:#?}", check.problems))
}

#[test]
fn a_complete_mapping_against_a_full_chart_has_no_gaps_and_lists_every_role_of_each_rule() {
    let f = Fixture::new(&format!(
        "default_rule = \"accrual-periodic\"\n[accounts]\n{}[products.gold]\nrule = \"cash\"\ninterest_income = \"acct:gold interest\"\n\
         [payment_types]\nach = \"acct:ach\"\n[offices.HQ]\nclass = \"Headquarters\"\n",
        every_role()
    ));
    let products =
        [product("personal", Some(AccountingRule::AccrualPeriodic)), product("gold", Some(AccountingRule::Cash))];
    let mut chart = full_chart();
    chart.push(account("acct:gold interest", AccountType::Income, true));
    chart.push(account("acct:ach", AccountType::Asset, true));
    let caps = capabilities();
    let check = f.check(&CheckFacts { products: Some(&products), chart: Some(&chart), capabilities: Some(&caps) });

    assert!(check.problems.is_empty(), "{:#?}", check.problems);
    assert_eq!(check.blocking(), 0);
    assert!(check.products_from_source && check.accounts_checked && check.capabilities_checked);

    let personal = &check.products[0];
    assert_eq!((personal.rule, personal.rule_origin), (Some(AccountingRule::AccrualPeriodic), RuleOrigin::Default));
    let expected: Vec<Role> = roles_of_rule(&f.rules, AccountingRule::AccrualPeriodic).into_keys().collect();
    assert_eq!(personal.roles.iter().map(|r| r.role).collect::<Vec<_>>(), expected);
    assert!(personal.roles.iter().all(|r| r.account.is_some() && !r.kinds.is_empty()));

    let gold = &check.products[1];
    assert_eq!((gold.rule, gold.rule_origin), (Some(AccountingRule::Cash), RuleOrigin::Product));
    let interest = gold.roles.iter().find(|r| r.role == Role::InterestIncome).unwrap();
    assert_eq!(interest.account.as_ref().map(|a| a.as_str()), Some("acct:gold interest"));
    assert!(interest.product_override);
    assert!(interest.kinds.contains(&EventKind::Repayment), "{:?}", interest.kinds);
    assert!(!gold.roles.iter().find(|r| r.role == Role::LoanPortfolio).unwrap().product_override);
    // Cash posts no receivable income at accrual time: the accrual kinds need no role under it.
    assert!(gold.roles.iter().all(|r| !r.kinds.contains(&EventKind::Accrual)), "{:?}", gold.roles);

    assert_eq!(check.overrides.len(), 1);
    assert_eq!(check.overrides[0].describe(), "payment type 'ach'");
    assert_eq!(check.overrides[0].role, Role::FundSource);
}

#[test]
fn a_product_without_a_rule_is_a_gap_whose_fix_suggests_the_sources_own_rule() {
    let f = Fixture::new(&format!("[accounts]\n{}", every_role()));
    let products = [product("gold", Some(AccountingRule::Cash)), product("mystery", None)];
    let check = f.check(&CheckFacts { products: Some(&products), ..CheckFacts::default() });

    let gaps: Vec<&Problem> = check.problems.iter().filter(|p| p.code == "no_accounting_rule").collect();
    assert_eq!(gaps.len(), 2, "{gaps:#?}");
    assert_eq!(gaps[0].severity, Severity::Error);
    assert_eq!(gaps[0].product.as_ref().map(|p| p.as_str()), Some("gold"));
    assert!(gaps[0].sentence.contains("(the servicing system accounts for it as cash)"), "{}", gaps[0].sentence);
    assert!(gaps[0].fix.starts_with("Add rule = \"cash\""), "{}", gaps[0].fix);
    assert!(gaps[0].fix.contains("[products.gold]"), "{}", gaps[0].fix);
    assert!(!gaps[1].sentence.contains("servicing system accounts"), "{}", gaps[1].sentence);

    // The roles of the source's own rule are still listed, so the next gaps show at once.
    let gold = &check.products[0];
    assert_eq!(
        (gold.rule, gold.rule_origin, gold.expected_rule()),
        (None, RuleOrigin::Missing, Some(AccountingRule::Cash))
    );
    assert!(!gold.roles.is_empty());
    assert!(check.products[1].roles.is_empty());
}

#[test]
fn a_role_missing_for_every_product_is_one_gap_pointing_at_accounts() {
    let accounts: String =
        every_role().lines().filter(|l| !l.starts_with("interest_receivable")).map(|l| format!("{l}\n")).collect();
    let f = Fixture::new(&format!("default_rule = \"accrual-periodic\"\n[accounts]\n{accounts}"));
    let products = [product("personal", None), product("business", None)];
    let check = f.check(&CheckFacts { products: Some(&products), ..CheckFacts::default() });

    assert_eq!(codes(&check), ["unmapped_role"]);
    let gap = &check.problems[0];
    assert_eq!(gap.role, Some(Role::InterestReceivable));
    assert_eq!(gap.product, None, "two products lack it");
    assert!(
        gap.sentence.starts_with("Products 'personal', 'business' have no account for interest_receivable"),
        "{}",
        gap.sentence
    );
    assert!(gap.sentence.contains("accrual"), "names the kinds that need it: {}", gap.sentence);
    assert!(gap.fix.starts_with("Add interest_receivable under [accounts] (every product)"), "{}", gap.fix);
    assert!(gap.fix.ends_with("then run `tieout check` again."), "{}", gap.fix);
    assert!(check.products.iter().all(|p| p.account(Role::InterestReceivable).is_none()));
}

#[test]
fn a_role_missing_for_one_product_names_it_and_its_section() {
    let f = Fixture::new(
        "default_rule = \"cash\"\n[accounts]\nfund_source = \"Bank\"\n[products.gold]\nloan_portfolio = \"Gold loans\"\n",
    );
    let products = [product("gold", None), product("silver", None)];
    let check = f.check(&CheckFacts { products: Some(&products), ..CheckFacts::default() });
    let gap = check.problems.iter().find(|p| p.role == Some(Role::LoanPortfolio)).unwrap();
    assert_eq!(gap.product.as_ref().map(|p| p.as_str()), Some("silver"));
    assert!(
        gap.sentence.starts_with("Product 'silver' (cash) has no account for loan_portfolio, which its rule posts for"),
        "{}",
        gap.sentence
    );
    assert!(gap.fix.starts_with("Add loan_portfolio under [products.silver] or [accounts]"), "{}", gap.fix);
    let fund = check.problems.iter().any(|p| p.role == Some(Role::FundSource));
    assert!(!fund, "fund_source is mapped client-wide");
}

#[test]
fn accounts_missing_inactive_of_another_type_or_currency_are_the_proposals_problems() {
    let mut accounts = every_role();
    accounts.push_str(
        "[products.gold]\nrule = \"cash\"\ninterest_income = \"Gold income\"\nloan_portfolio = \"Old loans\"\n",
    );
    accounts.push_str("[payment_types]\nach = \"ACH clearing\"\n[charges]\nlate-fee = \"acct:fee_income\"\n");
    let f = Fixture::new(&format!("[accounts]\n{accounts}"));
    let mut chart: Vec<LedgerAccount> =
        full_chart().into_iter().filter(|a| a.account.as_str() != "acct:fee_receivable").collect();
    chart.push(account("Gold income", AccountType::Asset, true));
    chart.push(account("Old loans", AccountType::Asset, false));
    if let Some(a) = chart.iter_mut().find(|a| a.account.as_str() == "acct:fund_source") {
        a.currency = Some(Currency::new("EUR").unwrap());
    }
    let products = [product("gold", Some(AccountingRule::Cash))];
    let check = f.check(&CheckFacts { products: Some(&products), chart: Some(&chart), capabilities: None });

    let missing = check.problems.iter().filter(|p| p.code == "account_missing").collect::<Vec<_>>();
    assert_eq!(missing.len(), 2, "{missing:#?}");
    assert_eq!(
        missing[0].sentence,
        "Account 'acct:fee_receivable' (used for fee_receivable of product 'gold') does not exist in the accounting \
         package's chart of accounts."
    );
    assert_eq!(
        missing[0].fix,
        "Create it in the accounting package, or map fee_receivable to an existing account in the mapping, then run \
         `tieout check` again."
    );
    assert_eq!(
        missing[1].sentence.split(" (").nth(1),
        Some(
            "used for fund_source of payment type 'ach') does not exist in the accounting package's chart of accounts."
        )
    );
    assert_eq!(missing[1].product, None);

    let inactive = find(&check, "account_inactive");
    assert!(
        inactive.sentence.starts_with("Account 'Old loans' (used for loan_portfolio of product 'gold') is inactive")
    );
    let currency = find(&check, "account_currency");
    assert_eq!(
        currency.sentence,
        "Account 'acct:fund_source' takes only EUR in the accounting package, but product 'gold' books USD on it."
    );
    let kind = find(&check, "account_type");
    assert_eq!(kind.severity, Severity::Warning);
    assert!(
        kind.sentence.contains("'Gold income' is asset") && kind.sentence.contains("interest_income is usually income")
    );
    assert_eq!(check.problems.last().map(|p| p.severity), Some(Severity::Warning), "errors come first");
    assert_eq!(check.blocking(), 4);
}

#[test]
fn a_currency_the_sink_does_not_take_and_an_office_dimension_it_lacks_are_gaps() {
    let f = Fixture::new(&format!(
        "default_rule = \"cash\"\n[accounts]\n{}[offices.HQ]\nclass = \"Headquarters\"\nlocation = \"Main street\"\n",
        every_role()
    ));
    let mut euro = product("export", None);
    euro.currency = Currency::new("EUR").unwrap();
    let products = [product("gold", None), euro];
    let caps = SinkCapabilities { currencies: CurrencySupport::BaseOnly(usd()), ..capabilities() };
    let check =
        f.check(&CheckFacts { products: Some(&products), chart: Some(&full_chart()), capabilities: Some(&caps) });

    assert_eq!(codes(&check), ["currency_not_enabled", "dimension_unsupported"]);
    let currency = &check.problems[0];
    assert_eq!(currency.product.as_ref().map(|p| p.as_str()), Some("export"));
    assert!(currency.sentence.starts_with("Product 'export' lends in EUR, which the accounting package does not take"));
    assert_eq!(
        check.problems[1].sentence,
        "Office 'HQ' is mapped to location = 'Main street', but the accounting package takes no 'location' dimension \
         (it takes: class)."
    );
}

#[test]
fn a_rule_unlike_the_sources_and_a_section_for_an_unknown_product_are_warnings() {
    let f = Fixture::new(&format!(
        "[accounts]\n{}[products.gold]\nrule = \"cash\"\n[products.gld]\nrule = \"cash\"\n",
        every_role()
    ));
    let products = [product("gold", Some(AccountingRule::AccrualPeriodic))];
    let check = f.check(&CheckFacts { products: Some(&products), ..CheckFacts::default() });
    assert_eq!(codes(&check), ["rule_differs", "product_unknown"]);
    assert!(check.problems.iter().all(|p| p.severity == Severity::Warning));
    assert_eq!(check.blocking(), 0);
    assert_eq!(
        check.problems[0].sentence,
        "Product 'gold' is accrual-periodic in the servicing system, but the mapping books it as cash (mapping [products])."
    );
    assert!(check.problems[1].fix.contains("products are: gold"), "{}", check.problems[1].fix);
}

#[test]
fn without_the_source_the_mappings_products_are_checked_and_without_the_sink_no_account_is() {
    let f = Fixture::new("[accounts]\nfund_source = \"Nowhere\"\n[products.gold]\nrule = \"cash\"\n");
    let check = f.check(&CheckFacts::default());
    assert!(!check.products_from_source && !check.accounts_checked && !check.capabilities_checked);
    assert_eq!(check.products.len(), 1);
    assert_eq!((check.products[0].id.as_str(), check.products[0].currency), ("gold", None));
    assert!(codes(&check).iter().all(|c| *c == "unmapped_role"), "{:?}", codes(&check));
    assert!(!codes(&check).is_empty());
}
