//! Posting rules as data, the journalizer, the accrual engine, summarization and the
//! reconciliation maths.
//!
//! Architecture invariant: this crate depends only on `tieout-core`, does no IO and reads no
//! clock. Dates come in as arguments, so every result is reproducible.

pub mod accrual;
pub mod journal;
pub mod mapping;
pub mod reconcile;
pub mod rules;
pub mod summarize;
