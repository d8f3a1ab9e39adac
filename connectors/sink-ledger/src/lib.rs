//! An accounting sink over a plain-text hledger journal (kind `ledger`): the embedded default's
//! books, which the real `hledger` reads as they are.
//!
//! - Each posted entry is appended as one transaction, tagged `key:<entry key>` and
//!   `kind:<event kind>`, one posting per line with a signed amount (`USD 12.34`, debits
//!   positive) tagged `role:` and `loan:` (and the office's dimensions).
//! - Crash safety: a post takes an exclusive `flock` on the file, reads what others appended,
//!   writes the batch in one write ending with a blank line, and fsyncs before answering. A
//!   write torn by a crash is recognised at the end of the file and cut off by the next writer
//!   (or the next open), with a warning; a torn transaction never counts as posted.
//! - Idempotency: every key in the file is indexed (on open, and from what is appended); a key
//!   already there returns its external ref, `ledger:<line of the transaction>`, and writes
//!   nothing. `find_posted` answers from the same index, for as long as the file holds the entry.
//! - The chart of accounts is the file's `account` directives (types from `type:` tags or the
//!   top-level name; `inactive:` and `currency:EUR` tags are honoured); the lock date is the
//!   config's `lock_date` or a `; tieout:lock-date DATE` line, whichever is later; the trial
//!   balance sums every transaction of the file dated on or before the date — also those
//!   written by hand, which is how reconciliation sees entries "posted outside Tieout".
//! - What the sink cannot read is an error naming the line ([`JournalError::Unreadable`]),
//!   never a guess.
//!
//! Build it from a client file with [`LedgerSinkFactory`] (config [`LedgerSinkConfig`]) or in
//! code with [`LedgerSink::new`]. The file is opened by the first call, not by `build`.

mod book;
mod config;
mod error;
mod journal;
mod read;
mod render;
mod sink;
mod tail;

pub use config::{DEFAULT_MAX_BATCH, KIND, LedgerSinkConfig, LedgerSinkFactory, ValidatedLedgerSink};
pub use error::JournalError;
pub use sink::{LedgerSink, Settings};

/// The example `[sink]` section of the README (without its `[sink]` header), returned by
/// [`LedgerSinkFactory`]'s `example()`. A test checks that the README shows exactly this.
pub const EXAMPLE: &str = r#"kind = "ledger"
# The journal, relative to the working directory. hledger reads it as it is:
# hledger -f data/books.journal bal
path = "data/books.journal"
# Create the file (and its folder) with a short header when it is missing (default true).
create = true
# Entries dated on or before the lock date are refused, each on its own. A line
# `; tieout:lock-date 2026-09-30` in the journal closes the books too; the later date applies.
lock_date = "2026-06-30"
# Currencies the sink books (any ISO 4217 code when left out).
currencies = ["USD"]
# The chart of accounts is the journal's `account` directives. These are added when missing.
declare_accounts = ["Assets:Bank:Operating", "Assets:Loans:Principal", "Income:Interest"]
# An entry on an account the journal does not declare is refused, so that a mapping mistake
# shows before anything is booked (default false); true declares the account instead.
declare_new_accounts = false
# Entries per post call, appended in one write and one fsync (default 100).
max_batch = 100
# Dimension names written as posting tags, e.g. class:Headquarters (default class, location).
dimensions = ["class", "location"]
"#;
