//! How values cross into and out of the database exactly.
//!
//! Money: `NUMERIC` on Postgres, bound and read as `rust_decimal::Decimal`; on SQLite a TEXT
//! column (declared `decimal_text`, so it has TEXT affinity) holding the decimal's own string,
//! bound as text (sea-query binds a Decimal as its string on SQLite) and parsed back. sea-orm's
//! own Decimal reader goes through a binary float on SQLite, so money columns use [`Amount`].
//!
//! Instants are UTC, truncated to microseconds (Postgres' precision), so what is written is what
//! is read on both backends; on SQLite they are RFC 3339 text with a `+00:00` offset, which sorts
//! like time.

use std::str::FromStr;

use chrono::{DateTime, SubsecRound, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, QueryResult, TryGetError, TryGetable, Value};

use crate::error::StoreError;

/// A money amount as stored: exact on both backends.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Amount(pub Decimal);

impl From<Amount> for Value {
    fn from(amount: Amount) -> Self {
        Value::Decimal(Some(amount.0))
    }
}

impl TryGetable for Amount {
    fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
        // Postgres: NUMERIC decodes to Decimal exactly. Anything else (SQLite): the text we wrote.
        if let Some(result) = res.try_get_from_sqlx_postgres::<Decimal, I>(idx) {
            return result.map(Amount);
        }
        let text = String::try_get_by(res, idx)?;
        Decimal::from_str(&text).map(Amount).map_err(|e| {
            TryGetError::DbErr(sea_orm::DbErr::Type(format!("stored amount '{text}' is not a decimal: {e}")))
        })
    }
}

impl ValueType for Amount {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        match v {
            Value::Decimal(Some(d)) => Ok(Amount(d)),
            Value::String(Some(s)) => Decimal::from_str(&s).map(Amount).map_err(|_| ValueTypeErr),
            _ => Err(ValueTypeErr),
        }
    }

    fn type_name() -> String {
        "Amount".to_owned()
    }

    fn array_type() -> ArrayType {
        ArrayType::Decimal
    }

    fn column_type() -> ColumnType {
        ColumnType::Decimal(None)
    }
}

impl Nullable for Amount {
    fn null() -> Value {
        Value::Decimal(None)
    }
}

impl sea_orm::sea_query::postgres_array::NotU8 for Amount {}

impl sea_orm::IntoActiveValue<Amount> for Amount {
    fn into_active_value(self) -> sea_orm::ActiveValue<Amount> {
        sea_orm::ActiveValue::Set(self)
    }
}

/// Now, truncated to what both backends keep.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A lease's end: `now + lease`, saturating.
pub(crate) fn after(now: DateTime<Utc>, lease: std::time::Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(lease).ok().and_then(|d| now.checked_add_signed(d)).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Parses a stored name into one of the crate's enums, or reports corrupt data naming it.
pub(crate) fn parse_stored<T: FromStr>(what: &str, text: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| StoreError::corrupt(format!("{what} '{text}': {e}")))
}

/// Counts as stored (integers) to `u32`, refusing negative or huge values as corrupt.
pub(crate) fn count_u32(what: &str, value: i32) -> Result<u32, StoreError> {
    <u32 as TryFrom<i32>>::try_from(value).map_err(|_| StoreError::corrupt(format!("{what} {value} is negative")))
}
