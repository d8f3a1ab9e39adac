//! An accounting sink held in memory, optionally persisted to an append-only state file, that
//! can simulate the faults of real accounting APIs.
//!
//! It is the reference sink of the conformance kit (`tieout-conformance`) and the test double
//! of the exactly-once protocol (DESIGN.md section 8): build it in code with
//! [`MemorySink::new`], or from a client file with kind `memory` ([`MemorySinkFactory`],
//! config [`MemorySinkConfig`]).
//!
//! - Posted entries are kept by key with an external ref (`mem-000001`, …); a chart of
//!   accounts (active or not, typed), a lock date, and a trial balance computed from the posts.
//! - Idempotency keys can expire ([`IdempotencyWindow`]): after the window a repeated post
//!   creates a second entry, which is what `find_posted` must guard against.
//! - [`Faults`]: per-item failures inside a successful response, timeouts after the write,
//!   rate limits; bad credentials fail every call with `SinkError::Auth`.
//! - With a `state_file`, the ledger survives the process (each entry is appended and fsynced
//!   before the post returns; a torn last line is cut off) and is shared by every process that
//!   opens the file.
//! - Every call takes one permit from the context's API budget, as a real API call would.

mod config;
mod ledger;
mod sink;

pub use config::{AccountConfig, FaultsConfig, MemorySinkConfig, MemorySinkFactory, ValidatedMemorySink};
pub use ledger::{LedgerError, PostedEntry, PostedLine};
pub use sink::{Faults, IdempotencyWindow, MemorySink, Settings};

/// The example `[sink]` section of the README (without its `[sink]` header), returned by
/// [`MemorySinkFactory`]'s `example()`. A test checks that the README shows exactly this.
pub const EXAMPLE: &str = r#"kind = "memory"
# Optional: the ledger persists in this append-only JSON Lines file, shared by every process
# that opens it; in memory only when left out.
state_file = "data/memory-sink.jsonl"
# Entries per post call.
max_batch = 25
# Currencies the sink books (any when left out) and the dimensions it understands on a line.
currencies = ["USD"]
dimensions = ["class"]
# Entries dated on or before the lock date are refused.
lock_date = "2026-06-30"
# Idempotency keys expire 300 s after their post (or: idempotency_window_posts = 100;
# neither: keys never expire).
idempotency_window_secs = 300
# The credential: a secret, accepted when its SHA-256 (hex) equals accepted_token_sha256.
token = { env = "TIEOUT_MEMORY_SINK_TOKEN" }
accepted_token_sha256 = "49c55005100e3a819746c485af014501ce144f2e70e02755deddd62b147256b4"
# The chart of accounts.
accounts = [
    { account = "Cash", name = "Cash at bank", type = "asset" },
    { account = "Loans", name = "Loan portfolio", type = "asset" },
    { account = "IntRec", name = "Interest receivable", type = "asset" },
    { account = "IntInc", name = "Interest income", type = "income" },
    { account = "FeeInc", name = "Fee income", type = "income" },
    { account = "Overpay", name = "Overpayment liability", type = "liability" },
    { account = "OldSuspense", name = "Old suspense", type = "asset", active = false },
]
# Simulated faults (all optional): entries touching these accounts or keys fail on their own;
# every n-th post call writes and then times out; every n-th call is rate limited.
faults = { fail_accounts = [], fail_keys = [] }
"#;
