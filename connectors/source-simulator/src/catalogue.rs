//! The products the simulator can lend. A client's config picks some of them by name.
//!
//! Money here is in hundredths of the currency's major unit (cents of USD, cents of EUR); it is
//! converted to the loan currency's minor unit when a loan is made (`to_minor`).

use tieout_core::role::{AccountingRule, DayCount};

/// A product of the built-in catalogue.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ProductSpec {
    pub id: &'static str,
    pub name: &'static str,
    pub rule: AccountingRule,
    pub day_count: DayCount,
    /// Whether the product reports its accruals as one accrual activity per installment.
    pub accrual_activity_posting: bool,
    /// Lent in the book's foreign currency instead of its own.
    pub foreign_currency: bool,
    /// Relative share of new loans among the configured products.
    pub weight: u32,
    /// Annual interest rate in basis points, and how far a loan's rate may lie from it (in
    /// steps of 25 basis points either way).
    pub rate_bp: u32,
    pub rate_spread_bp: u32,
    /// Terms in months a loan may have.
    pub terms: &'static [u32],
    /// Principal between these, in steps of `amount_step` (all in major units).
    pub amount_min: i64,
    pub amount_max: i64,
    pub amount_step: i64,
    /// Origination fee paid at disbursement: basis points of the principal plus a flat part
    /// (hundredths of the major unit). Charge `origination`.
    pub origination_bp: u32,
    pub origination_flat_cents: i64,
    /// Fee due with every installment (hundredths). Charge `service-fee`.
    pub monthly_fee_cents: i64,
    /// Penalty for an installment not paid within the grace days (hundredths). Charge `late-fee`.
    pub late_fee_cents: i64,
}

impl ProductSpec {
    /// Whether loans of this product may be rescheduled or have their interest paused. Upfront
    /// products may not: they book all scheduled interest at disbursement, so a change to it
    /// would change what was booked for days already past (see the crate docs).
    pub fn allows_term_changes(&self) -> bool {
        self.rule != AccountingRule::AccrualUpfront
    }

    /// Whether loans of this product may be paid off early (foreclosure). Not upfront products,
    /// for the same reason: a payoff would leave unearned interest booked.
    pub fn allows_payoff(&self) -> bool {
        self.rule != AccountingRule::AccrualUpfront
    }
}

/// The catalogue, in the order `products()` lists products.
pub const CATALOGUE: &[ProductSpec] = &[
    ProductSpec {
        id: "personal",
        name: "Personal loan",
        rule: AccountingRule::AccrualPeriodic,
        day_count: DayCount::Actual365,
        accrual_activity_posting: false,
        foreign_currency: false,
        weight: 40,
        rate_bp: 1800,
        rate_spread_bp: 400,
        terms: &[6, 12, 18, 24, 36],
        amount_min: 1_000,
        amount_max: 15_000,
        amount_step: 250,
        origination_bp: 150,
        origination_flat_cents: 0,
        monthly_fee_cents: 0,
        late_fee_cents: 2_500,
    },
    ProductSpec {
        id: "gold",
        name: "Gold loan",
        rule: AccountingRule::Cash,
        day_count: DayCount::Thirty360,
        accrual_activity_posting: false,
        foreign_currency: false,
        weight: 20,
        rate_bp: 2400,
        rate_spread_bp: 300,
        terms: &[3, 6, 9, 12],
        amount_min: 500,
        amount_max: 5_000,
        amount_step: 100,
        origination_bp: 0,
        origination_flat_cents: 0,
        monthly_fee_cents: 450,
        late_fee_cents: 1_000,
    },
    ProductSpec {
        id: "auto",
        name: "Auto loan",
        rule: AccountingRule::AccrualUpfront,
        day_count: DayCount::Actual360,
        accrual_activity_posting: false,
        foreign_currency: false,
        weight: 25,
        rate_bp: 950,
        rate_spread_bp: 200,
        terms: &[24, 36, 48, 60],
        amount_min: 8_000,
        amount_max: 45_000,
        amount_step: 500,
        origination_bp: 0,
        origination_flat_cents: 25_000,
        monthly_fee_cents: 0,
        late_fee_cents: 3_500,
    },
    ProductSpec {
        id: "business",
        name: "Small business loan",
        rule: AccountingRule::AccrualPeriodic,
        day_count: DayCount::ActualActual,
        accrual_activity_posting: true,
        foreign_currency: false,
        weight: 10,
        rate_bp: 1200,
        rate_spread_bp: 300,
        terms: &[12, 24, 36],
        amount_min: 5_000,
        amount_max: 100_000,
        amount_step: 1_000,
        origination_bp: 100,
        origination_flat_cents: 0,
        monthly_fee_cents: 1_000,
        late_fee_cents: 5_000,
    },
    ProductSpec {
        id: "export",
        name: "Export finance (foreign currency)",
        rule: AccountingRule::AccrualPeriodic,
        day_count: DayCount::Thirty360,
        accrual_activity_posting: false,
        foreign_currency: true,
        weight: 5,
        rate_bp: 800,
        rate_spread_bp: 200,
        terms: &[6, 12, 18],
        amount_min: 10_000,
        amount_max: 60_000,
        amount_step: 1_000,
        origination_bp: 50,
        origination_flat_cents: 0,
        monthly_fee_cents: 0,
        late_fee_cents: 4_000,
    },
];

/// The catalogue entry named `id`.
pub fn product(id: &str) -> Option<&'static ProductSpec> {
    CATALOGUE.iter().find(|p| p.id == id)
}

/// The names of the catalogue, for messages.
pub fn names() -> Vec<&'static str> {
    CATALOGUE.iter().map(|p| p.id).collect()
}

/// Hundredths of a major unit in a currency with `decimals` minor digits (rounded half away
/// from zero where the minor unit is coarser, e.g. JPY).
pub(crate) fn cents_to_minor(cents: i64, decimals: u32) -> i64 {
    match decimals {
        0 => (cents + 50).div_euclid(100),
        1 => (cents + 5).div_euclid(10),
        2 => cents,
        more => cents.saturating_mul(10_i64.saturating_pow(more - 2)),
    }
}

/// Whole major units in the minor unit.
pub(crate) fn major_to_minor(major: i64, decimals: u32) -> i64 {
    major.saturating_mul(10_i64.saturating_pow(decimals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_covers_every_accounting_rule_that_books() {
        for rule in [AccountingRule::Cash, AccountingRule::AccrualPeriodic, AccountingRule::AccrualUpfront] {
            assert!(CATALOGUE.iter().any(|p| p.rule == rule), "{rule}");
        }
        assert!(CATALOGUE.iter().any(|p| p.accrual_activity_posting));
        assert!(CATALOGUE.iter().any(|p| p.foreign_currency));
        for p in CATALOGUE {
            assert!(p.amount_min <= p.amount_max && p.amount_step > 0 && !p.terms.is_empty(), "{}", p.id);
            assert!(p.rate_spread_bp < p.rate_bp, "{}", p.id);
            assert!(p.terms.iter().all(|t| (1..=120).contains(t)), "{}", p.id);
        }
    }

    #[test]
    fn cents_convert_to_every_minor_unit() {
        assert_eq!(cents_to_minor(2_550, 2), 2_550);
        assert_eq!(cents_to_minor(2_550, 0), 26);
        assert_eq!(cents_to_minor(2_549, 0), 25);
        assert_eq!(cents_to_minor(2_550, 3), 25_500);
        assert_eq!(major_to_minor(15, 2), 1_500);
        assert_eq!(major_to_minor(15, 0), 15);
    }
}
