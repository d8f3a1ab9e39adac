//! Reading the mapping TOML. Strict: an unknown top-level key, an unknown role or a wrongly
//! typed value is an error that names the file, the key and the fix.

use std::collections::BTreeMap;

use serde::Deserialize;
use tieout_core::role::Role;

use super::{MappingFile, ProductSection, RoleTable};

/// Why a mapping file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {key}: {message}")]
pub struct MappingError {
    pub file: String,
    /// The key path, e.g. `products.gold.interest_incme`.
    pub key: String,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    default_rule: Option<String>,
    #[serde(default)]
    accounts: BTreeMap<String, String>,
    #[serde(default)]
    products: BTreeMap<String, BTreeMap<String, toml::Value>>,
    #[serde(default)]
    payment_types: BTreeMap<String, String>,
    #[serde(default)]
    charges: BTreeMap<String, ChargeValue>,
    #[serde(default)]
    offices: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ChargeValue {
    /// One account for the charge's income, fee or penalty.
    Account(String),
    /// Accounts per role (`fee_income`, `penalty_income`).
    Roles(BTreeMap<String, String>),
}

impl MappingFile {
    /// Parses a mapping file. `file` names it in errors.
    pub fn from_toml(text: &str, file: &str) -> Result<MappingFile, MappingError> {
        let err = |key: &str, message: String| MappingError { file: file.to_owned(), key: key.to_owned(), message };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let message = e.message().to_owned();
            err("(file)", format!("{message}; see docs/mapping.md for the format"))
        })?;
        let mut mapping = MappingFile::default();
        if let Some(rule) = &raw.default_rule {
            mapping.default_rule = Some(
                rule.parse()
                    .map_err(|e: tieout_core::role::UnknownAccountingRule| err("default_rule", e.to_string()))?,
            );
        }
        mapping.accounts = roles(&raw.accounts, "accounts", file)?;
        for (name, section) in &raw.products {
            let mut product = ProductSection { accounts: RoleTable::new(), ..ProductSection::default() };
            for (key, value) in section {
                let path = format!("products.{name}.{key}");
                match key.as_str() {
                    "rule" => {
                        let text =
                            value.as_str().ok_or_else(|| err(&path, "must be a string such as \"cash\"".into()))?;
                        product.rule = Some(
                            text.parse()
                                .map_err(|e: tieout_core::role::UnknownAccountingRule| err(&path, e.to_string()))?,
                        );
                    }
                    "accrual_activity_posting" => {
                        product.accrual_activity_posting =
                            value.as_bool().ok_or_else(|| err(&path, "must be true or false".into()))?;
                    }
                    role => {
                        let role: Role = role.parse().map_err(|e: tieout_core::role::UnknownRole| {
                            err(&path, format!("{e}; or rule, accrual_activity_posting"))
                        })?;
                        let account = account_value(value)
                            .ok_or_else(|| err(&path, "must be an account name or code (a string)".into()))?;
                        product.accounts.set(role, account.into());
                    }
                }
            }
            mapping.products.insert(name.as_str().into(), product);
        }
        for (payment_type, account) in &raw.payment_types {
            let path = format!("payment_types.{payment_type}");
            nonempty(account).ok_or_else(|| err(&path, "account must not be empty".into()))?;
            mapping.payment_types.insert(payment_type.as_str().into(), account.as_str().into());
        }
        for (charge, value) in &raw.charges {
            let path = format!("charges.{charge}");
            let table = match value {
                ChargeValue::Account(account) => {
                    nonempty(account).ok_or_else(|| err(&path, "account must not be empty".into()))?;
                    let mut table = RoleTable::new();
                    table.set(Role::FeeIncome, account.as_str().into());
                    table.set(Role::PenaltyIncome, account.as_str().into());
                    table
                }
                ChargeValue::Roles(map) => {
                    let table = roles(map, &path, file)?;
                    if let Some(role) = Role::ALL.iter().find(|r| table.is_set(**r) && !r.is_charge_income()) {
                        return Err(err(
                            &format!("{path}.{role}"),
                            "a charge maps only fee_income and penalty_income".into(),
                        ));
                    }
                    table
                }
            };
            mapping.charges.insert(charge.as_str().into(), table);
        }
        for (office, dims) in raw.offices {
            mapping.offices.insert(office.as_str().into(), dims.into_iter().collect());
        }
        Ok(mapping)
    }
}

fn roles(map: &BTreeMap<String, String>, section: &str, file: &str) -> Result<RoleTable, MappingError> {
    let mut table = RoleTable::new();
    for (key, account) in map {
        let path = format!("{section}.{key}");
        let err = |message: String| MappingError { file: file.to_owned(), key: path.clone(), message };
        let role: Role = key.parse().map_err(|e: tieout_core::role::UnknownRole| err(e.to_string()))?;
        nonempty(account).ok_or_else(|| err("account must not be empty: leave the role out instead".into()))?;
        table.set(role, account.as_str().into());
    }
    Ok(table)
}

fn account_value(value: &toml::Value) -> Option<&str> {
    value.as_str().and_then(nonempty)
}

fn nonempty(text: &str) -> Option<&str> {
    (!text.trim().is_empty()).then_some(text)
}
