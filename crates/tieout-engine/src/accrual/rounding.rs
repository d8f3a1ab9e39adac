//! Prorating a whole amount by weights, rounded half away from zero.
//!
//! This is `Currency::round(total * weight / of)` done in integers of the minor unit: exact
//! (no 28-digit truncation of the quotient) and a handful of instructions. The engine calls it
//! on *cumulative* weights, so each day posts the rounded target to date minus what is already
//! accrued, and the rounding differences never pile up.

/// `total * weight / of`, rounded half away from zero. Needs `total >= 0`, `0 <= weight <= of`
/// and `of > 0`; the result is then between 0 and `total`.
#[inline]
pub(crate) fn prorate(total: i64, weight: i64, of: i64) -> i64 {
    debug_assert!(total >= 0 && weight >= 0 && weight <= of && of > 0);
    // round(t·w/W) = floor((2·t·w + W) / (2·W)) for non-negative values. Real amounts and weights
    // keep this in i64; the i128 branch keeps it exact for absurd ones instead of overflowing.
    match total.checked_mul(2 * weight).and_then(|n| n.checked_add(of)) {
        Some(numerator) => numerator / (2 * of),
        None => {
            let numerator = i128::from(total) * i128::from(2 * weight) + i128::from(of);
            // The quotient is at most `total`, an i64, so the conversion cannot fail.
            i64::try_from(numerator / (2 * i128::from(of))).unwrap_or(total)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use tieout_core::money::Currency;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(prorate(100, 1, 3), 33);
        assert_eq!(prorate(100, 2, 3), 67);
        assert_eq!(prorate(100, 3, 3), 100);
        assert_eq!(prorate(1, 1, 2), 1, "0.5 rounds up");
        assert_eq!(prorate(3, 1, 2), 2, "1.5 rounds up");
        assert_eq!(prorate(5, 1, 4), 1, "1.25 rounds down");
        assert_eq!(prorate(0, 5, 7), 0);
        assert_eq!(prorate(i64::MAX, 1, 1), i64::MAX);
        assert_eq!(prorate(i64::MAX - 1, 1, 2), i64::MAX / 2);
    }

    #[test]
    fn matches_currency_rounding_of_the_decimal_quotient() {
        let usd = Currency::new("USD").unwrap();
        for total in [0_i64, 1, 7, 99, 1000, 123_457, 999_999] {
            for of in 1..=40_i64 {
                for weight in 0..=of {
                    let exact = Decimal::new(total, 2) * Decimal::from(weight) / Decimal::from(of);
                    let expected = usd.round(exact);
                    assert_eq!(Decimal::new(prorate(total, weight, of), 2), expected, "{total}·{weight}/{of}");
                }
            }
        }
    }
}
