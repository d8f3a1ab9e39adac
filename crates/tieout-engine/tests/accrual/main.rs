//! The accrual engine through its public API: hand-checked worked examples and properties.

mod properties;
mod support;
mod worked;
