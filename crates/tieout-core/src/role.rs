//! Roles (logical GL accounts) and accounting rules.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! named_enum {
    ($(#[$meta:meta])* $ty:ident, $err:ident, $what:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub enum $ty {
            $($variant),+
        }

        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        impl FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok($ty::$variant),)+
                    other => Err($err(other.to_owned())),
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let name = String::deserialize(deserializer)?;
                name.parse().map_err(serde::de::Error::custom)
            }
        }

        #[doc = concat!("A name that is not a known ", $what, ".")]
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        pub struct $err(pub String);

        impl fmt::Display for $err {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let known: Vec<&str> = $ty::ALL.iter().map(|v| v.as_str()).collect();
                write!(f, "unknown {} '{}': use one of {}", $what, self.0, known.join(", "))
            }
        }
    };
}

named_enum!(
    /// A logical GL account. A client's mapping turns it into an account of its chart.
    Role, UnknownRole, "role", {
        FundSource => "fund_source",
        LoanPortfolio => "loan_portfolio",
        InterestReceivable => "interest_receivable",
        FeeReceivable => "fee_receivable",
        PenaltyReceivable => "penalty_receivable",
        InterestIncome => "interest_income",
        FeeIncome => "fee_income",
        PenaltyIncome => "penalty_income",
        OverpaymentLiability => "overpayment_liability",
        LossesWrittenOff => "losses_written_off",
        ChargeOffExpense => "charge_off_expense",
        ChargeOffFraudExpense => "charge_off_fraud_expense",
        Allowance => "allowance",
        IncomeFromRecovery => "income_from_recovery",
        IncomeFromChargeOffInterest => "income_from_charge_off_interest",
        IncomeFromChargeOffFees => "income_from_charge_off_fees",
        IncomeFromChargeOffPenalty => "income_from_charge_off_penalty",
        GoodwillExpense => "goodwill_expense",
        IncomeFromGoodwillCreditInterest => "income_from_goodwill_credit_interest",
        IncomeFromGoodwillCreditFees => "income_from_goodwill_credit_fees",
        IncomeFromGoodwillCreditPenalty => "income_from_goodwill_credit_penalty",
        DeferredIncomeLiability => "deferred_income_liability",
        IncomeFromCapitalization => "income_from_capitalization",
        BuyDownExpense => "buy_down_expense",
        IncomeFromBuyDown => "income_from_buy_down",
        TransfersSuspense => "transfers_suspense",
        Suspense => "suspense",
    }
);

impl Role {
    /// Roles whose account may be chosen per charge (`[charges]` in the mapping).
    pub fn is_charge_income(self) -> bool {
        matches!(self, Role::FeeIncome | Role::PenaltyIncome)
    }

    /// Roles whose account may be chosen per payment type (`[payment_types]`).
    pub fn is_fund_source(self) -> bool {
        self == Role::FundSource
    }

    /// The account type a role's account is expected to have, for plausibility warnings.
    pub fn expected_type(self) -> AccountType {
        use Role::*;
        match self {
            FundSource | LoanPortfolio | InterestReceivable | FeeReceivable | PenaltyReceivable | TransfersSuspense
            | Suspense => AccountType::Asset,
            Allowance => AccountType::Asset,
            OverpaymentLiability | DeferredIncomeLiability => AccountType::Liability,
            InterestIncome
            | FeeIncome
            | PenaltyIncome
            | IncomeFromRecovery
            | IncomeFromChargeOffInterest
            | IncomeFromChargeOffFees
            | IncomeFromChargeOffPenalty
            | IncomeFromGoodwillCreditInterest
            | IncomeFromGoodwillCreditFees
            | IncomeFromGoodwillCreditPenalty
            | IncomeFromCapitalization
            | IncomeFromBuyDown => AccountType::Income,
            LossesWrittenOff | ChargeOffExpense | ChargeOffFraudExpense | GoodwillExpense | BuyDownExpense => {
                AccountType::Expense
            }
        }
    }
}

named_enum!(
    /// A product's accounting rule (Fineract's four).
    AccountingRule, UnknownAccountingRule, "accounting rule", {
        None => "none",
        Cash => "cash",
        AccrualPeriodic => "accrual-periodic",
        AccrualUpfront => "accrual-upfront",
    }
);

impl AccountingRule {
    pub fn is_accrual(self) -> bool {
        matches!(self, AccountingRule::AccrualPeriodic | AccountingRule::AccrualUpfront)
    }
}

named_enum!(
    /// The five classes of account in a chart.
    AccountType, UnknownAccountType, "account type", {
        Asset => "asset",
        Liability => "liability",
        Equity => "equity",
        Income => "income",
        Expense => "expense",
    }
);

named_enum!(
    /// A day-count convention for accruing interest.
    DayCount, UnknownDayCount, "day count", {
        ActualActual => "actual/actual",
        Actual365 => "actual/365",
        Actual360 => "actual/360",
        Thirty360 => "30/360",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_unknown_lists_known() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(*role));
        }
        let err = "loan_portfolo".parse::<Role>().unwrap_err().to_string();
        assert!(err.contains("'loan_portfolo'") && err.contains("loan_portfolio"), "{err}");
    }

    #[test]
    fn accounting_rules_use_kebab_case() {
        assert_eq!("accrual-periodic".parse(), Ok(AccountingRule::AccrualPeriodic));
        assert!("accrual_periodic".parse::<AccountingRule>().is_err());
    }
}
