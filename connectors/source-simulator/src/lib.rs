//! A deterministic synthetic lender: Tieout's embedded servicing source for the demo, tests and
//! benchmarks. Kind `simulator`; config [`SimulatorConfig`], factory [`SimulatorFactory`].
//!
//! The same settings give the same products, loans, schedules, events (ids and order) and
//! balances on every machine: integer arithmetic only, one SplitMix64 generator per loan seeded
//! from `(seed, loan number)`. Any loan can be generated on its own ([`Simulator::loan_events`]),
//! which is how the book scales to millions of loans: nothing holds a loan's history between
//! calls.
//!
//! The README is the user documentation. The rules that Tieout's accrual engine and
//! reconciliation rely on, in short:
//!
//! 1. **Schedules** (`schedules()`) are each loan's schedule as it stands on the book's last
//!    day. Every change the simulator makes to a schedule on a day C (a reschedule or interest
//!    pause agreed on an installment's due date, a late fee added to a later row) changes only
//!    what is earned on days after C. So that one schedule earns, for every day, exactly what the
//!    schedule in force on that day earned: the accrual engine can take it once, when the loan
//!    appears, and `reschedule` / `interest_pause` events need nothing else (re-reading the
//!    schedule for them books a zero adjustment). An interest pause shows as a gap: the
//!    installment after the pause starts on its last paused day. Pass no pause windows.
//! 2. **Balances** (`balances(as_of)`) are the loan's books under the product's own accounting
//!    rule ([`ProductInfo::accounting_rule`](tieout_core::connector::ProductInfo)), counting
//!    every visible event value-dated on or before `as_of`:
//!    - `principal` = disbursed − the principal of repayments, foreclosures, charge-offs and
//!      write-offs (reversals undo theirs);
//!    - `interest_receivable`, `fee_receivable`, `penalty_receivable` (accrual products) = what
//!      the schedule has earned through `min(as_of, stop)` by the accrual engine's rule (below)
//!      − what repayments, charge payments, waivers, charge-offs and write-offs took of that
//!      portion; `stop` is the first charge-off, write-off or close. Cash products: zero;
//!    - `overpayment` = overpayment portions received − credit balance refunds;
//!    - `charged_off` once a charge-off is value-dated on or before `as_of`.
//!
//!    "Earned" is the engine's rule: periodic products spread each installment's interest and
//!    fee over the days after its start up to and including its due date by day-count weight,
//!    `round(amount × weight so far / total weight)` half away from zero; upfront products earn
//!    all scheduled interest and fees on the disbursement date; penalties are earned on their
//!    row's due date. After a charge-off or write-off every balance but overpayment is zero, and
//!    recoveries change none.
//! 3. **Events** are streamed by the day they were entered, then loan number, then the loan's
//!    sequence; a backdated repayment and an undone repayment are entered days after their
//!    value date. With `release = "clock"`, the events entered up to the day before the clock's
//!    (UTC) date are visible, and balances and schedules cover only loans disbursed by then.

mod book;
mod catalogue;
mod config;
mod cursor;
mod day_count;
mod earned;
mod history;
mod index;
mod lifecycle;
mod loan;
mod record;
mod rng;
mod schedule;
mod source;

pub use book::{BookError, Simulator};
pub use catalogue::{CATALOGUE, ProductSpec};
pub use config::{Behaviour, MAX_LOANS, Release, SimulatorConfig, SimulatorFactory, ValidatedSimulator};
pub use history::loan_id;
pub use source::SimulatorSource;

use tieout_core::event::EventKind;

/// Every kind of canonical event the simulator emits (a 500-loan book over a year has each).
pub const KINDS: &[EventKind] = &[
    EventKind::Disbursement,
    EventKind::RepaymentAtDisbursement,
    EventKind::Repayment,
    EventKind::ChargePayment,
    EventKind::Foreclosure,
    EventKind::WaiveInterest,
    EventKind::WaiveCharge,
    EventKind::ChargeOff,
    EventKind::WriteOff,
    EventKind::RecoveryRepayment,
    EventKind::CreditBalanceRefund,
    EventKind::Reschedule,
    EventKind::InterestPause,
    EventKind::Close,
    EventKind::Reversal,
];

/// The example `[source]` section of the README (without its `[source]` header), returned by
/// [`SimulatorFactory`]'s `example()`. A test checks that the README shows exactly this.
pub const EXAMPLE: &str = r#"kind = "simulator"
# The same seed and settings give the same book, loan by loan, on every machine.
seed = 42
# Loans are numbered 1..=loans (ids L-0000001, L-0000002, ...).
loans = 500
# The first disbursement date, and how long the book runs: months (default 3) or an end date.
start = "2026-10-01"
months = 3
# Loans are disbursed evenly over the first disburse_months months (default: the whole book).
disburse_months = 1
# The book's currency; products lent in a foreign currency (export) use foreign_currency.
currency = "USD"
foreign_currency = "EUR"
# Products of the built-in catalogue (see the README): personal, gold, auto, business, export.
products = ["personal", "gold", "auto", "business", "export"]
offices = ["HQ", "NORTH", "SOUTH"]
# "all": every event through the last day is there at once. "clock": an event appears once
# the connector's clock has passed the day it was entered (day-by-day demos).
release = "all"
# The largest page returned, whatever limit is asked.
page_size = 1000
# Optional: how borrowers and the lender behave, shares per mille and days (defaults shown).
behaviour.late_per_mille = 150
behaviour.default_per_mille = 60
behaviour.charge_off_days = 60
"#;
