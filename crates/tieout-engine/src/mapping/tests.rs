use tieout_core::connector::{AccountMapping, MappingContext};
use tieout_core::ids::{ChargeName, PaymentType, ProductId};
use tieout_core::role::{AccountingRule, Role};

use super::MappingFile;

const DESIGN_EXAMPLE: &str = r#"
default_rule = "accrual-periodic"
[accounts]
fund_source = "Cash"
loan_portfolio = "Loans"
interest_receivable = "IntRec"
fee_income = "FeeInc"
[products.gold]
rule = "cash"
interest_income = "IntIncGold"
[payment_types]
ach = "BankACH"
[charges]
late-fee = "LateFeeInc"
[offices.HQ]
class = "Headquarters"
"#;

fn ctx<'a>(product: &'a ProductId, pt: Option<&'a PaymentType>, charge: Option<&'a ChargeName>) -> MappingContext<'a> {
    MappingContext { product, payment_type: pt, charge, office: None }
}

#[test]
fn resolution_order_is_charge_payment_type_product_accounts() {
    let m = MappingFile::from_toml(DESIGN_EXAMPLE, "mapping.toml").unwrap();
    let gold = ProductId::from("gold");
    let personal = ProductId::from("personal");
    let ach = PaymentType::from("ach");
    let late = ChargeName::from("late-fee");
    assert_eq!(m.account(Role::FundSource, &ctx(&gold, Some(&ach), None)).unwrap().as_str(), "BankACH");
    assert_eq!(m.account(Role::FundSource, &ctx(&gold, None, None)).unwrap().as_str(), "Cash");
    assert_eq!(m.account(Role::FeeIncome, &ctx(&gold, None, Some(&late))).unwrap().as_str(), "LateFeeInc");
    assert_eq!(m.account(Role::FeeIncome, &ctx(&gold, None, None)).unwrap().as_str(), "FeeInc");
    assert_eq!(m.account(Role::InterestIncome, &ctx(&gold, None, None)).unwrap().as_str(), "IntIncGold");
    let err = m.account(Role::InterestIncome, &ctx(&personal, None, None)).unwrap_err();
    assert!(err.to_string().starts_with("product 'personal' has no account for interest_income"), "{err}");
    assert_eq!(m.accounting_rule(&gold), Ok(AccountingRule::Cash));
    assert_eq!(m.accounting_rule(&personal), Ok(AccountingRule::AccrualPeriodic));
    assert_eq!(
        m.office_dimensions(&"HQ".into()).and_then(|d| d.get("class")).map(String::as_str),
        Some("Headquarters")
    );
}

#[test]
fn bad_files_name_file_key_and_fix() {
    let typo = DESIGN_EXAMPLE.replace("interest_income = \"IntIncGold\"", "interest_incme = \"IntIncGold\"");
    let err = MappingFile::from_toml(&typo, "m.toml").unwrap_err();
    assert_eq!(err.key, "products.gold.interest_incme");
    assert!(err.to_string().contains("unknown role 'interest_incme'"), "{err}");

    let bad_rule = DESIGN_EXAMPLE.replace("rule = \"cash\"", "rule = \"cash-basis\"");
    let err = MappingFile::from_toml(&bad_rule, "m.toml").unwrap_err();
    assert_eq!(err.key, "products.gold.rule");

    let unknown_section = format!("{DESIGN_EXAMPLE}\n[acounts]\nx = \"y\"\n");
    let err = MappingFile::from_toml(&unknown_section, "m.toml").unwrap_err();
    assert!(err.to_string().contains("acounts"), "{err}");

    let charge_role = DESIGN_EXAMPLE.replace("late-fee = \"LateFeeInc\"", "late-fee = { fund_source = \"X\" }");
    assert!(MappingFile::from_toml(&charge_role, "m.toml").is_err());
}
