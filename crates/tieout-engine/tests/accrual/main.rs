//! The accrual engine through its public API: hand-checked worked examples, properties,
//! and stored states that continue as if never stored.

mod properties;
mod state;
mod support;
mod worked;
