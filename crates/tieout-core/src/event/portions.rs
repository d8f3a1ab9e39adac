//! How an event's amount splits into principal, interest, fee, penalty and overpayment.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One of the five parts of a loan transaction's amount.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Portion {
    Principal,
    Interest,
    Fee,
    Penalty,
    Overpayment,
}

impl Portion {
    pub const ALL: [Portion; 5] =
        [Portion::Principal, Portion::Interest, Portion::Fee, Portion::Penalty, Portion::Overpayment];

    pub fn as_str(self) -> &'static str {
        match self {
            Portion::Principal => "principal",
            Portion::Interest => "interest",
            Portion::Fee => "fee",
            Portion::Penalty => "penalty",
            Portion::Overpayment => "overpayment",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Portion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Portion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Portion::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| format!("unknown portion '{s}': use principal, interest, fee, penalty or overpayment"))
    }
}

/// The split of an event's amount. Always complete: a missing portion is zero.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
pub struct Portions {
    #[serde(with = "rust_decimal::serde::str")]
    pub principal: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub interest: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub fee: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub penalty: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub overpayment: Decimal,
}

impl Portions {
    /// All of `amount` in one portion.
    pub fn only(portion: Portion, amount: Decimal) -> Self {
        let mut portions = Self::default();
        *portions.get_mut(portion) = amount;
        portions
    }

    pub fn get(&self, portion: Portion) -> Decimal {
        match portion {
            Portion::Principal => self.principal,
            Portion::Interest => self.interest,
            Portion::Fee => self.fee,
            Portion::Penalty => self.penalty,
            Portion::Overpayment => self.overpayment,
        }
    }

    pub fn get_mut(&mut self, portion: Portion) -> &mut Decimal {
        match portion {
            Portion::Principal => &mut self.principal,
            Portion::Interest => &mut self.interest,
            Portion::Fee => &mut self.fee,
            Portion::Penalty => &mut self.penalty,
            Portion::Overpayment => &mut self.overpayment,
        }
    }

    pub fn sum(&self) -> Decimal {
        self.principal + self.interest + self.fee + self.penalty + self.overpayment
    }

    /// Every portion negated (used for a signed adjustment's mirror).
    pub fn negated(&self) -> Self {
        Self {
            principal: -self.principal,
            interest: -self.interest,
            fee: -self.fee,
            penalty: -self.penalty,
            overpayment: -self.overpayment,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (Portion, Decimal)> + '_ {
        Portion::ALL.into_iter().map(|p| (p, self.get(p)))
    }
}
