//! How amounts are presented: at least the currency's minor unit of decimals, so that a zero reads
//! `0.00` and every figure of a USD account has cents. Only ever widens the scale (exact);
//! an amount with more decimals than the minor unit keeps them rather than being rounded. A
//! negative zero (the negated zero overpayment) reads `0.00`, not `-0.00`.

use rust_decimal::Decimal;
use tieout_core::money::Currency;

pub(crate) fn fit(mut amount: Decimal, currency: Currency) -> Decimal {
    let minor = currency.minor_units();
    if amount.scale() < minor {
        amount.rescale(minor);
    }
    if amount.is_zero() {
        amount.set_sign_positive(true);
    }
    amount
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn widens_never_rounds() {
        let usd = Currency::new("USD").unwrap();
        let jpy = Currency::new("JPY").unwrap();
        assert_eq!(fit(Decimal::ZERO, usd).to_string(), "0.00");
        assert_eq!(fit(dec!(-12.5), usd).to_string(), "-12.50");
        assert_eq!(fit(dec!(1.005), usd).to_string(), "1.005");
        assert_eq!(fit(dec!(10), jpy).to_string(), "10");
        assert_eq!(fit(-Decimal::ZERO, usd).to_string(), "0.00");
    }
}
