//! Posting rules as data, the journalizer, the accrual engine and summarization.
