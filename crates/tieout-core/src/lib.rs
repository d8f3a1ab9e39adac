//! Tieout's domain: money, ids, canonical events, roles, balanced journal entries and the traits
//! every connector implements. No IO, no clock: everything here is data and pure functions.

pub mod connector;
pub mod entry;
pub mod event;
pub mod ids;
pub mod money;
pub mod role;

pub use chrono::NaiveDate;
pub use rust_decimal::Decimal;
