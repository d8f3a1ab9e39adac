//! Which products accrue, and how: the accrual options of each product, from the client's
//! mapping and the source's product list.
//!
//! The rule is the mapping's (the product's `rule`, else its `default_rule`), the one the
//! journalizer books the product's events under, so the accruals COB makes and the repayments
//! that clear them are booked under the same rule; the source's `accounting_rule` is used only
//! for a product the mapping gives no rule. Accrual activity posting is on when the source or
//! the mapping turns it on: an activity the rule set does not post is staged and never sent,
//! while a missing one would leave the product's income unposted.

use std::collections::HashMap;

use tieout_core::connector::{AccountMapping, ProductInfo};
use tieout_core::ids::ProductId;
use tieout_engine::accrual::AccrualOptions;
use tieout_engine::mapping::MappingFile;

/// What COB does with a product's loans.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ProductAccrual {
    Accrue(AccrualOptions),
    /// `cash` or `none`: income is booked when paid, nothing accrues.
    NotAccrued,
    /// Neither the mapping nor the source gives the product a rule.
    NoRule,
}

/// The accrual of every product met so far.
pub(crate) struct Products<'a> {
    mapping: &'a MappingFile,
    infos: HashMap<ProductId, ProductInfo>,
    resolved: HashMap<ProductId, ProductAccrual>,
}

impl<'a> Products<'a> {
    pub fn new(mapping: &'a MappingFile, infos: Vec<ProductInfo>) -> Self {
        Products {
            mapping,
            infos: infos.into_iter().map(|info| (info.id.clone(), info)).collect(),
            resolved: HashMap::new(),
        }
    }

    pub fn accrual(&mut self, product: &ProductId) -> ProductAccrual {
        if let Some(known) = self.resolved.get(product) {
            return *known;
        }
        let info = self.infos.get(product);
        let rule = self.mapping.accounting_rule(product).ok().or_else(|| info.and_then(|i| i.accounting_rule));
        let activity =
            info.is_some_and(|i| i.accrual_activity_posting) || self.mapping.accrual_activity_posting(product);
        let accrual = match rule {
            None => ProductAccrual::NoRule,
            Some(rule) => {
                AccrualOptions::new(rule, activity).map_or(ProductAccrual::NotAccrued, ProductAccrual::Accrue)
            }
        };
        self.resolved.insert(product.clone(), accrual);
        accrual
    }
}

#[cfg(test)]
mod tests {
    use tieout_core::money::Currency;
    use tieout_core::role::{AccountingRule, DayCount};
    use tieout_engine::accrual::AccrualMode;

    use super::*;

    fn info(id: &str, rule: Option<AccountingRule>, activity: bool) -> ProductInfo {
        ProductInfo {
            id: id.into(),
            name: id.to_owned(),
            currency: Currency::new("USD").unwrap(),
            accounting_rule: rule,
            day_count: DayCount::ActualActual,
            accrual_activity_posting: activity,
        }
    }

    #[test]
    fn the_mapping_rules_then_the_source() {
        let mapping = MappingFile::from_toml(
            "[products.gold]\nrule = \"cash\"\n[products.flex]\nrule = \"accrual-upfront\"\naccrual_activity_posting = true\n",
            "m.toml",
        )
        .unwrap();
        let infos = vec![
            info("gold", Some(AccountingRule::AccrualPeriodic), false),
            info("personal", Some(AccountingRule::AccrualPeriodic), true),
            info("flex", Some(AccountingRule::AccrualPeriodic), false),
            info("mystery", None, false),
        ];
        let mut products = Products::new(&mapping, infos);
        assert_eq!(products.accrual(&"gold".into()), ProductAccrual::NotAccrued, "the mapping says cash");
        assert_eq!(
            products.accrual(&"personal".into()),
            ProductAccrual::Accrue(AccrualOptions { mode: AccrualMode::Periodic, activity_posting: true })
        );
        assert_eq!(
            products.accrual(&"flex".into()),
            ProductAccrual::Accrue(AccrualOptions { mode: AccrualMode::Upfront, activity_posting: true })
        );
        assert_eq!(products.accrual(&"mystery".into()), ProductAccrual::NoRule);
        assert_eq!(products.accrual(&"unlisted".into()), ProductAccrual::NoRule);

        let with_default = MappingFile::from_toml("default_rule = \"accrual-periodic\"\n", "m.toml").unwrap();
        let mut products = Products::new(&with_default, vec![info("gold", Some(AccountingRule::Cash), false)]);
        assert_eq!(
            products.accrual(&"gold".into()),
            ProductAccrual::Accrue(AccrualOptions::periodic()),
            "the journalizer books gold under the default rule, so COB accrues it"
        );
    }
}
