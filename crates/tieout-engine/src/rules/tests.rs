use tieout_core::event::EventKind;
use tieout_core::role::{AccountingRule, Role};

use super::*;

#[test]
fn both_shipped_sets_load_and_cover_every_kind_under_every_rule() {
    for set in [RuleSet::standard(), RuleSet::fineract()] {
        for rule in AccountingRule::ALL {
            for kind in EventKind::ALL {
                let posting = set.posting(*rule, *kind, LoanState::default());
                assert!(posting.when.is_unconditional(), "{} {rule} {kind}", set.name());
            }
        }
    }
}

#[test]
fn charged_off_and_fraud_pick_the_most_specific_posting() {
    let set = RuleSet::fineract();
    let rule = AccountingRule::AccrualPeriodic;
    let normal = set.posting(rule, EventKind::Repayment, LoanState::default());
    let charged = set.posting(rule, EventKind::Repayment, LoanState { charged_off: true, fraud: false });
    assert_ne!(normal, charged);
    let roles = |p: &Posting| match &p.action {
        Action::Post(legs) => legs.iter().map(|l| l.role).collect::<Vec<_>>(),
        _ => vec![],
    };
    assert!(roles(charged).contains(&Role::IncomeFromRecovery));
    let fraud = set.posting(rule, EventKind::ChargeOff, LoanState { charged_off: false, fraud: true });
    assert!(roles(fraud).contains(&Role::ChargeOffFraudExpense));
}

const MINIMAL: &str = r#"
name = "t"
version = "1"
accrual_activity_posting = "activity"
[[posting]]
kinds = ["reversal"]
rules = ["none", "cash", "accrual-periodic", "accrual-upfront"]
action = "mirror"
"#;

#[test]
fn a_posting_that_cannot_balance_is_refused_at_load() {
    let text = format!(
        "{MINIMAL}\n[[posting]]\nkinds = [\"repayment\"]\nrules = [\"cash\"]\ndebit = [{{ role = \"fund_source\", amount = \"amount\" }}]\ncredit = [{{ role = \"loan_portfolio\", amount = \"principal\" }}]\n"
    );
    let err = RuleSet::from_toml(&text, "bad.toml").unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, RuleError::Unbalanced { posting: 2, .. }), "{msg}");
    assert!(msg.contains("bad.toml") && msg.contains("interest is debited 1 time(s) and credited 0"), "{msg}");
}

#[test]
fn a_rule_set_with_gaps_lists_them() {
    let err = RuleSet::from_toml(MINIMAL, "gaps.toml").unwrap_err();
    let RuleError::Incomplete { missing, .. } = &err else { panic!("{err}") };
    assert!(missing.contains(&"repayment under cash".to_owned()), "{err}");
}

#[test]
fn unknown_roles_kinds_and_keys_are_named() {
    let bad_role = MINIMAL.replace("action = \"mirror\"", "action = \"mirror\"\n[[posting]]\nkinds=[\"repayment\"]\nrules=[\"cash\"]\ndebit=[{role=\"fund\", amount=\"amount\"}]\ncredit=[{role=\"loan_portfolio\", amount=\"amount\"}]");
    let msg = RuleSet::from_toml(&bad_role, "r.toml").unwrap_err().to_string();
    assert!(msg.contains("posting 2") && msg.contains("unknown role 'fund'"), "{msg}");
    let bad_key = MINIMAL.replace("version = \"1\"", "version = \"1\"\nverison = 2");
    let msg = RuleSet::from_toml(&bad_key, "k.toml").unwrap_err().to_string();
    assert!(msg.contains("verison"), "{msg}");
}

#[test]
fn a_duplicate_posting_is_ambiguous() {
    let text = format!("{MINIMAL}\n[[posting]]\nkinds = [\"reversal\"]\nrules = [\"cash\"]\naction = \"mirror\"\n");
    assert!(matches!(RuleSet::from_toml(&text, "d.toml"), Err(RuleError::Ambiguous { first: 1, second: 2, .. })));
}
