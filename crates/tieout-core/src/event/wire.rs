//! The event's JSON shape, exactly as DESIGN.md section 4 fixes it. Kept apart from [`Event`] so
//! the public format can be strict (unknown fields rejected) while the domain type stays typed.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{Event, Portions};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireEvent {
    pub id: String,
    pub loan_id: String,
    pub product: String,
    pub kind: String,
    pub date: String,
    pub currency: String,
    pub amount: WireDecimal,
    #[serde(default)]
    pub portions: Option<WirePortions>,
    #[serde(default)]
    pub payment_type: Option<String>,
    #[serde(default)]
    pub charge: Option<String>,
    #[serde(default)]
    pub office: Option<String>,
    #[serde(default)]
    pub reverses: Option<String>,
    #[serde(default)]
    pub external_ref: Option<String>,
    #[serde(default)]
    pub charged_off: Option<bool>,
    #[serde(default)]
    pub fraud: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WirePortions {
    #[serde(default)]
    pub principal: WireDecimal,
    #[serde(default)]
    pub interest: WireDecimal,
    #[serde(default)]
    pub fee: WireDecimal,
    #[serde(default)]
    pub penalty: WireDecimal,
    #[serde(default)]
    pub overpayment: WireDecimal,
}

impl From<WirePortions> for Portions {
    fn from(w: WirePortions) -> Self {
        Portions {
            principal: w.principal.0,
            interest: w.interest.0,
            fee: w.fee.0,
            penalty: w.penalty.0,
            overpayment: w.overpayment.0,
        }
    }
}

/// A decimal read from a JSON string (`"150.00"`) or a JSON number (`150.00`). A number is read
/// from its literal text, never through a binary float, so `0.1` stays exactly `0.1`.
#[derive(Default)]
pub(super) struct WireDecimal(pub Decimal);

impl<'de> Deserialize<'de> for WireDecimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&RawValue>::deserialize(deserializer)?;
        let literal = raw.get().trim();
        if literal.starts_with('"') {
            // A JSON string: decode it properly first (it may legally contain escapes).
            let text: String = serde_json::from_str(literal).map_err(de::Error::custom)?;
            return parse_decimal(&text).map(WireDecimal).map_err(de::Error::custom);
        }
        if literal == "null" || literal.starts_with(['{', '[', 't', 'f']) {
            return Err(de::Error::invalid_type(de::Unexpected::Other(literal), &DecimalExpected));
        }
        parse_decimal(literal).map(WireDecimal).map_err(de::Error::custom)
    }
}

struct DecimalExpected;

impl Visitor<'_> for DecimalExpected {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal amount such as \"150.00\"")
    }
}

fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let parsed = if text.contains(['e', 'E']) { Decimal::from_scientific(text) } else { Decimal::from_str_exact(text) };
    parsed.map_err(|_| format!("'{text}' is not a decimal amount: write it like \"150.00\""))
}

/// The serialized form: decimal strings, optional fields omitted when empty.
#[derive(Serialize)]
pub(super) struct WireOut<'a> {
    id: &'a str,
    loan_id: &'a str,
    product: &'a str,
    kind: &'a str,
    date: String,
    currency: &'a str,
    amount: String,
    portions: PortionsOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    charge: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    office: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reverses: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_ref: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    charged_off: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fraud: Option<bool>,
}

#[derive(Serialize)]
struct PortionsOut {
    principal: String,
    interest: String,
    fee: String,
    penalty: String,
    overpayment: String,
}

impl<'a> From<&'a Event> for WireOut<'a> {
    fn from(e: &'a Event) -> Self {
        WireOut {
            id: e.id.as_str(),
            loan_id: e.loan_id.as_str(),
            product: e.product.as_str(),
            kind: e.kind.as_str(),
            date: e.date.format("%Y-%m-%d").to_string(),
            currency: e.currency.code(),
            amount: e.amount.to_string(),
            portions: PortionsOut {
                principal: e.portions.principal.to_string(),
                interest: e.portions.interest.to_string(),
                fee: e.portions.fee.to_string(),
                penalty: e.portions.penalty.to_string(),
                overpayment: e.portions.overpayment.to_string(),
            },
            payment_type: e.payment_type.as_ref().map(|v| v.as_str()),
            charge: e.charge.as_ref().map(|v| v.as_str()),
            office: e.office.as_ref().map(|v| v.as_str()),
            reverses: e.reverses.as_ref().map(|v| v.as_str()),
            external_ref: e.external_ref.as_deref(),
            charged_off: e.charged_off,
            fraud: e.fraud,
        }
    }
}
