//! Amounts in client files: decimal strings, read exactly into `Decimal`.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};

/// A non-negative amount written as a decimal string (`"0.50"`). A whole number is accepted
/// too (an environment override of a key the file leaves out arrives as one); a TOML float is
/// refused before it gets here.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Amount(pub Decimal);

impl<'de> de::Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AmountVisitor)
    }
}

struct AmountVisitor;

const EXPECTED: &str = "a non-negative decimal string such as \"0.50\"";

impl<'de> Visitor<'de> for AmountVisitor {
    type Value = Amount;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Amount, E> {
        let value = Decimal::from_str(text.trim())
            .map_err(|_| E::custom(format!("'{text}' is not a decimal number: write {EXPECTED}")))?;
        non_negative(value)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Amount, E> {
        non_negative(Decimal::from(n))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Amount, E> {
        non_negative(Decimal::from(n))
    }
}

fn non_negative<E: de::Error>(value: Decimal) -> Result<Amount, E> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(E::custom(format!("must not be negative: write {EXPECTED}")));
    }
    Ok(Amount(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[derive(serde::Deserialize, Debug)]
    struct T {
        a: Amount,
    }

    #[test]
    fn strings_and_whole_numbers_are_exact() {
        assert_eq!(toml::from_str::<T>("a = \"0.10\"").unwrap().a.0, dec!(0.10));
        assert_eq!(toml::from_str::<T>("a = 5").unwrap().a.0, dec!(5));
        assert!(toml::from_str::<T>("a = \"-1\"").unwrap_err().message().contains("must not be negative"));
        assert!(toml::from_str::<T>("a = \"ten\"").unwrap_err().message().contains("not a decimal number"));
        let float = toml::from_str::<T>("a = 0.5").unwrap_err();
        assert!(float.message().contains("expected a non-negative decimal string"), "{float}");
    }
}
