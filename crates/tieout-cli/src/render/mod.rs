//! Output formats of entries and rule sets.

pub mod csv;
pub mod hledger;
pub mod json;
pub mod plan;
pub mod table;
