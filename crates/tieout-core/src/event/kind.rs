//! The kinds of canonical event (DESIGN.md section 4).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Portion;

macro_rules! event_kinds {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        /// What a servicing transaction did. Names are the public snake_case of the event format.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub enum EventKind {
            $($variant),+
        }

        impl EventKind {
            /// Every kind, in the order of DESIGN.md section 4.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$variant),+];

            /// The public name, e.g. `"repayment"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventKind::$variant => $name),+
                }
            }
        }

        impl FromStr for EventKind {
            type Err = UnknownKind;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok(EventKind::$variant),)+
                    other => Err(UnknownKind(other.to_owned())),
                }
            }
        }
    };
}

event_kinds! {
    Disbursement => "disbursement",
    Repayment => "repayment",
    DownPayment => "down_payment",
    RepaymentAtDisbursement => "repayment_at_disbursement",
    ChargePayment => "charge_payment",
    Foreclosure => "foreclosure",
    Accrual => "accrual",
    AccrualAdjustment => "accrual_adjustment",
    AccrualActivity => "accrual_activity",
    WaiveInterest => "waive_interest",
    WaiveCharge => "waive_charge",
    ChargeAdjustment => "charge_adjustment",
    ChargeRefund => "charge_refund",
    Chargeback => "chargeback",
    ChargeOff => "charge_off",
    WriteOff => "write_off",
    RecoveryRepayment => "recovery_repayment",
    Refund => "refund",
    CreditBalanceRefund => "credit_balance_refund",
    MerchantIssuedRefund => "merchant_issued_refund",
    PayoutRefund => "payout_refund",
    GoodwillCredit => "goodwill_credit",
    InterestPaymentWaiver => "interest_payment_waiver",
    InterestRefund => "interest_refund",
    CapitalizedIncome => "capitalized_income",
    CapitalizedIncomeAmortization => "capitalized_income_amortization",
    CapitalizedIncomeAdjustment => "capitalized_income_adjustment",
    CapitalizedIncomeAmortizationAdjustment => "capitalized_income_amortization_adjustment",
    BuyDownFee => "buy_down_fee",
    BuyDownFeeAmortization => "buy_down_fee_amortization",
    BuyDownFeeAdjustment => "buy_down_fee_adjustment",
    BuyDownFeeAmortizationAdjustment => "buy_down_fee_amortization_adjustment",
    Reschedule => "reschedule",
    InterestPause => "interest_pause",
    Reage => "reage",
    Reamortize => "reamortize",
    Close => "close",
    Reversal => "reversal",
}

/// How an event without `portions` is read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PortionsRule {
    /// The whole amount is this portion (a disbursement is all principal).
    Default(Portion),
    /// The event must say how its amount splits (a repayment, a charge payment).
    Required,
}

impl EventKind {
    /// What the event means when `portions` is absent. Kinds whose split cannot be guessed
    /// (repayments, charges, charge-offs) require portions: a guess would misstate receivables.
    pub fn portions_rule(self) -> PortionsRule {
        use EventKind::*;
        match self {
            Disbursement
            | RecoveryRepayment
            | CapitalizedIncome
            | CapitalizedIncomeAmortization
            | CapitalizedIncomeAdjustment
            | CapitalizedIncomeAmortizationAdjustment
            | BuyDownFee
            | BuyDownFeeAmortization
            | BuyDownFeeAdjustment
            | BuyDownFeeAmortizationAdjustment
            | Reschedule
            | InterestPause
            | Reage
            | Reamortize
            | Close
            | Reversal => PortionsRule::Default(Portion::Principal),
            Accrual | AccrualAdjustment | AccrualActivity | WaiveInterest => PortionsRule::Default(Portion::Interest),
            Refund | CreditBalanceRefund => PortionsRule::Default(Portion::Overpayment),
            Repayment
            | DownPayment
            | RepaymentAtDisbursement
            | ChargePayment
            | Foreclosure
            | WaiveCharge
            | ChargeAdjustment
            | ChargeRefund
            | Chargeback
            | ChargeOff
            | WriteOff
            | MerchantIssuedRefund
            | PayoutRefund
            | GoodwillCredit
            | InterestPaymentWaiver
            | InterestRefund => PortionsRule::Required,
        }
    }

    /// An accrual adjustment is signed: positive accrues more income, negative reverses
    /// accrued income. Every other kind's amount is non-negative.
    pub fn is_signed(self) -> bool {
        self == EventKind::AccrualAdjustment
    }

    /// The name with its indefinite article, for sentences: "a repayment", "an accrual".
    pub fn with_article(self) -> String {
        let article = if self.as_str().starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
        format!("{article} {}", self.as_str())
    }

    /// Kinds that only change the loan's terms and never post by themselves.
    pub fn is_term_change(self) -> bool {
        matches!(self, EventKind::Reschedule | EventKind::InterestPause | EventKind::Reage | EventKind::Reamortize)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind name Tieout does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown event kind '{0}': see the list of kinds in docs/events.md")]
pub struct UnknownKind(pub String);

impl Serialize for EventKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(*kind));
        }
        assert_eq!(EventKind::ALL.len(), 38);
        assert_eq!(EventKind::Accrual.with_article(), "an accrual");
        assert_eq!(EventKind::Repayment.with_article(), "a repayment");
    }

    #[test]
    fn unknown_kind_is_named() {
        let err = "repaymnet".parse::<EventKind>().unwrap_err();
        assert!(err.to_string().contains("'repaymnet'"), "{err}");
    }
}
