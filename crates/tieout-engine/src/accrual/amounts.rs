//! The three portions that accrue (interest, fee, penalty), in two forms.
//!
//! Inside the engine they are whole numbers of the currency's minor unit ([`Minor`], cents for
//! USD): the daily step is then a few integer operations, exact and without allocation, which
//! is what lets one core accrue millions of loan-days a second. At the edges they are
//! `Decimal`s ([`Amounts`]), the form the rest of Tieout uses. The conversion is exact both ways
//! because schedules are refused unless they are already in the minor unit.

use std::ops::{Add, AddAssign, Sub};

use rust_decimal::Decimal;
use tieout_core::event::Portions;

/// Interest, fee and penalty of an accrual posting, in the loan's currency.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Amounts {
    pub interest: Decimal,
    pub fee: Decimal,
    pub penalty: Decimal,
}

impl Amounts {
    pub fn total(&self) -> Decimal {
        self.interest + self.fee + self.penalty
    }

    pub fn is_zero(&self) -> bool {
        self.interest.is_zero() && self.fee.is_zero() && self.penalty.is_zero()
    }

    /// The event portions; principal and overpayment never accrue.
    pub fn portions(&self) -> Portions {
        Portions { interest: self.interest, fee: self.fee, penalty: self.penalty, ..Portions::default() }
    }
}

impl Add for Amounts {
    type Output = Amounts;
    fn add(self, other: Amounts) -> Amounts {
        Amounts {
            interest: self.interest + other.interest,
            fee: self.fee + other.fee,
            penalty: self.penalty + other.penalty,
        }
    }
}

impl AddAssign for Amounts {
    fn add_assign(&mut self, other: Amounts) {
        *self = *self + other;
    }
}

/// Interest, fee and penalty in minor units of the loan's currency.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub(crate) struct Minor {
    pub interest: i64,
    pub fee: i64,
    pub penalty: i64,
}

impl Minor {
    pub const ZERO: Minor = Minor { interest: 0, fee: 0, penalty: 0 };

    pub fn is_zero(&self) -> bool {
        *self == Minor::ZERO
    }

    /// As decimals with `decimals` places (the currency's minor unit).
    pub fn to_amounts(self, decimals: u32) -> Amounts {
        Amounts {
            interest: Decimal::new(self.interest, decimals),
            fee: Decimal::new(self.fee, decimals),
            penalty: Decimal::new(self.penalty, decimals),
        }
    }

    /// The positive portions, the rest zero.
    pub fn positive_part(self) -> Minor {
        Minor { interest: self.interest.max(0), fee: self.fee.max(0), penalty: self.penalty.max(0) }
    }

    /// The negative portions, the rest zero.
    pub fn negative_part(self) -> Minor {
        Minor { interest: self.interest.min(0), fee: self.fee.min(0), penalty: self.penalty.min(0) }
    }

    pub fn checked_add(self, other: Minor) -> Option<Minor> {
        Some(Minor {
            interest: self.interest.checked_add(other.interest)?,
            fee: self.fee.checked_add(other.fee)?,
            penalty: self.penalty.checked_add(other.penalty)?,
        })
    }
}

// Plain `+`/`-` are safe in the engine: every amount it adds is part of one loan's scheduled
// total, which `plan` has proven to fit in an i64 (see `LoanPlan::build`).
impl Add for Minor {
    type Output = Minor;
    fn add(self, other: Minor) -> Minor {
        Minor {
            interest: self.interest + other.interest,
            fee: self.fee + other.fee,
            penalty: self.penalty + other.penalty,
        }
    }
}

impl AddAssign for Minor {
    fn add_assign(&mut self, other: Minor) {
        *self = *self + other;
    }
}

impl Sub for Minor {
    type Output = Minor;
    fn sub(self, other: Minor) -> Minor {
        Minor {
            interest: self.interest - other.interest,
            fee: self.fee - other.fee,
            penalty: self.penalty - other.penalty,
        }
    }
}

/// `amount` as a whole number of `decimals`-place units, or `None` when it has finer decimals or
/// does not fit in an i64.
pub(crate) fn to_minor(amount: Decimal, decimals: u32) -> Option<i64> {
    let mut scaled = amount.normalize();
    if scaled.scale() > decimals {
        return None;
    }
    // Raising the scale multiplies the mantissa by a power of ten; past 96 bits `rescale` would
    // round instead, so refuse anything that large before it gets there.
    if scaled.abs() > Decimal::from(i64::MAX) {
        return None;
    }
    scaled.rescale(decimals);
    i64::try_from(scaled.mantissa()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn minor_units_round_trip_exactly() {
        assert_eq!(to_minor(dec!(12.34), 2), Some(1234));
        assert_eq!(to_minor(dec!(12.3), 2), Some(1230));
        assert_eq!(to_minor(dec!(12.300), 2), Some(1230));
        assert_eq!(to_minor(dec!(12), 0), Some(12));
        assert_eq!(to_minor(dec!(-0.05), 2), Some(-5));
        assert_eq!(to_minor(dec!(12.345), 2), None);
        assert_eq!(to_minor(dec!(12.5), 0), None);
        assert_eq!(to_minor(dec!(100000000000000000000), 2), None);
        let minor = Minor { interest: 1234, fee: 5, penalty: 0 };
        assert_eq!(minor.to_amounts(2), Amounts { interest: dec!(12.34), fee: dec!(0.05), penalty: dec!(0) });
    }

    #[test]
    fn sign_parts_split_a_mixed_difference() {
        let mixed = Minor { interest: 33, fee: -10, penalty: 0 };
        assert_eq!(mixed.positive_part(), Minor { interest: 33, fee: 0, penalty: 0 });
        assert_eq!(mixed.negative_part(), Minor { interest: 0, fee: -10, penalty: 0 });
        assert_eq!(mixed.positive_part() + mixed.negative_part(), mixed);
    }
}
