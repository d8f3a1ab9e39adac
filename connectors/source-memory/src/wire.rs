//! The JSON Lines shapes of `balances_file` and `schedules_file`. Strict: unknown fields are
//! refused; amounts are decimal strings.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tieout_core::connector::{Installment, LoanBalance, LoanSchedule};
use tieout_core::money::Currency;
use tieout_core::role::DayCount;

/// One loan's balances as of a date: one line of `balances_file`. A loan may have several lines;
/// a read as of a date takes the latest line on or before it.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields)]
pub struct BalanceLine {
    pub loan_id: String,
    pub product: String,
    #[serde(default)]
    pub office: Option<String>,
    pub currency: Currency,
    pub as_of: NaiveDate,
    #[serde(with = "rust_decimal::serde::str")]
    pub principal: Decimal,
    #[serde(with = "rust_decimal::serde::str", default)]
    pub interest_receivable: Decimal,
    #[serde(with = "rust_decimal::serde::str", default)]
    pub fee_receivable: Decimal,
    #[serde(with = "rust_decimal::serde::str", default)]
    pub penalty_receivable: Decimal,
    #[serde(with = "rust_decimal::serde::str", default)]
    pub overpayment: Decimal,
    #[serde(default)]
    pub charged_off: bool,
}

impl From<BalanceLine> for LoanBalance {
    fn from(line: BalanceLine) -> Self {
        LoanBalance {
            loan_id: line.loan_id.into(),
            product: line.product.into(),
            office: line.office.map(Into::into),
            currency: line.currency,
            as_of: line.as_of,
            principal: line.principal,
            interest_receivable: line.interest_receivable,
            fee_receivable: line.fee_receivable,
            penalty_receivable: line.penalty_receivable,
            overpayment: line.overpayment,
            charged_off: line.charged_off,
        }
    }
}

/// One loan's repayment schedule: one line of `schedules_file`.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields)]
pub struct ScheduleLine {
    pub loan_id: String,
    pub product: String,
    #[serde(default)]
    pub office: Option<String>,
    pub currency: Currency,
    #[serde(default = "actual_actual")]
    pub day_count: DayCount,
    pub disbursed_on: NaiveDate,
    pub installments: Vec<InstallmentLine>,
}

fn actual_actual() -> DayCount {
    DayCount::ActualActual
}

/// One installment of a [`ScheduleLine`].
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields)]
pub struct InstallmentLine {
    pub number: u32,
    pub start: NaiveDate,
    pub due: NaiveDate,
    #[serde(with = "rust_decimal::serde::str")]
    pub principal: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub interest: Decimal,
    #[serde(with = "rust_decimal::serde::str", default)]
    pub fee: Decimal,
    #[serde(with = "rust_decimal::serde::str", default)]
    pub penalty: Decimal,
}

impl From<ScheduleLine> for LoanSchedule {
    fn from(line: ScheduleLine) -> Self {
        LoanSchedule {
            loan_id: line.loan_id.into(),
            product: line.product.into(),
            office: line.office.map(Into::into),
            currency: line.currency,
            day_count: line.day_count,
            disbursed_on: line.disbursed_on,
            installments: line
                .installments
                .into_iter()
                .map(|i| Installment {
                    number: i.number,
                    start: i.start,
                    due: i.due,
                    principal: i.principal,
                    interest: i.interest,
                    fee: i.fee,
                    penalty: i.penalty,
                })
                .collect(),
        }
    }
}

/// Reads a JSON Lines file of `T`, naming file and line in errors.
pub(crate) fn read_lines<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value = serde_json::from_str(line).map_err(|e| format!("{file}: line {}: {e}", index + 1))?;
        out.push(value);
    }
    Ok(out)
}
