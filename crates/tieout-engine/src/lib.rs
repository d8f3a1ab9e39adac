//! Posting rules as data, the journalizer, the accrual engine and summarization.
//!
//! Architecture invariant: this crate depends only on `tieout-core`, does no IO and reads no
//! clock. Dates come in as arguments, so every result is reproducible.

pub mod accrual;
pub mod journal;
pub mod mapping;
pub mod rules;
pub mod summarize;
