//! Money: an exact decimal amount with an ISO 4217 currency.
//!
//! Amounts are `rust_decimal::Decimal` everywhere; floats never enter. Rounding is always explicit
//! ([`Currency::round`]) so that callers decide where a residue goes.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An ISO 4217 alphabetic currency code such as `USD`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

/// Currencies whose minor unit is not two decimals (ISO 4217 list of 2024). Every other valid code
/// uses two decimals.
const MINOR_UNITS: &[(&[u8; 3], u32)] = &[
    (b"BIF", 0),
    (b"CLP", 0),
    (b"DJF", 0),
    (b"GNF", 0),
    (b"ISK", 0),
    (b"JPY", 0),
    (b"KMF", 0),
    (b"KRW", 0),
    (b"PYG", 0),
    (b"RWF", 0),
    (b"UGX", 0),
    (b"UYI", 0),
    (b"VND", 0),
    (b"VUV", 0),
    (b"XAF", 0),
    (b"XOF", 0),
    (b"XPF", 0),
    (b"BHD", 3),
    (b"IQD", 3),
    (b"JOD", 3),
    (b"KWD", 3),
    (b"LYD", 3),
    (b"OMR", 3),
    (b"TND", 3),
    (b"CLF", 4),
    (b"UYW", 4),
];

/// A currency code that is not three upper-case ASCII letters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an ISO 4217 currency code: use three upper-case letters such as USD or EUR")]
pub struct InvalidCurrency(pub String);

impl Currency {
    /// Parses a three-letter upper-case code.
    pub fn new(code: &str) -> Result<Self, InvalidCurrency> {
        let bytes = code.as_bytes();
        if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Self([bytes[0], bytes[1], bytes[2]]))
        } else {
            Err(InvalidCurrency(code.to_owned()))
        }
    }

    /// The code, e.g. `"USD"`.
    pub fn code(&self) -> &str {
        // The constructor admits only ASCII upper-case letters.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Number of decimals of the currency's minor unit (2 for USD, 0 for JPY, 3 for KWD).
    pub fn minor_units(&self) -> u32 {
        // Compared as bytes: this runs for every line of every entry.
        MINOR_UNITS.iter().find(|(code, _)| **code == self.0).map_or(2, |(_, units)| *units)
    }

    /// Rounds half away from zero to the currency's minor unit (commercial rounding).
    pub fn round(&self, amount: Decimal) -> Decimal {
        amount.round_dp_with_strategy(self.minor_units(), RoundingStrategy::MidpointAwayFromZero)
    }

    /// True when `amount` has no more decimals than the minor unit allows.
    pub fn is_representable(&self, amount: Decimal) -> bool {
        // No more decimal places than the minor unit needs no rounding to tell.
        amount.scale() <= self.minor_units() || self.round(amount) == amount
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = InvalidCurrency;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::new(&code).map_err(serde::de::Error::custom)
    }
}

/// An amount in a currency.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self::new(Decimal::ZERO, currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn currency_codes_are_validated() {
        assert_eq!(Currency::new("USD").map(|c| c.to_string()), Ok("USD".into()));
        assert!(Currency::new("usd").is_err());
        assert!(Currency::new("US").is_err());
        assert!(Currency::new("USDX").is_err());
    }

    #[test]
    fn rounding_follows_the_minor_unit() {
        let usd = Currency::new("USD").unwrap();
        let jpy = Currency::new("JPY").unwrap();
        let kwd = Currency::new("KWD").unwrap();
        assert_eq!(usd.round(dec!(1.005)), dec!(1.01));
        assert_eq!(usd.round(dec!(-1.005)), dec!(-1.01));
        assert_eq!(jpy.round(dec!(10.5)), dec!(11));
        assert_eq!(kwd.round(dec!(1.0005)), dec!(1.001));
        assert!(usd.is_representable(dec!(1.10)));
        assert!(usd.is_representable(dec!(1.100)));
        assert!(!usd.is_representable(dec!(1.101)));
        assert!(jpy.is_representable(dec!(10)) && !jpy.is_representable(dec!(10.5)));
        assert!(kwd.is_representable(dec!(1.001)) && !kwd.is_representable(dec!(1.0001)));
        assert_eq!((usd.minor_units(), jpy.minor_units(), kwd.minor_units()), (2, 0, 3));
    }
}
