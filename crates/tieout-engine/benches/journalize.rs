//! The journalizer's throughput (DESIGN.md section 13: benchmarks, never timed assertions).
//!
//! `cargo bench -p tieout-engine --bench journalize`
//!
//! - `journalize/standard`: 100,000 pre-parsed events (accruals, repayments with portions,
//!   disbursements, charge payments, adjustments, waivers, charge-offs, recoveries and a few
//!   reversals, over 20,000 loans in three products) with the standard rules and a full mapping;
//! - `summarize/product-day`: the resulting loan-level entries summarized per product and day;
//! - `parse/json-lines`: the same events read from JSON Lines with `parse_events`.
//!
//! Throughput is reported in elements (events, or entries for `summarize`) per second.

use std::hint::black_box;
use std::time::Duration;

use chrono::{Days, NaiveDate};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rust_decimal::Decimal;
use tieout_core::event::{Event, EventHead, EventKind, Portions, parse_events, write_event_line};
use tieout_core::ids::EventId;
use tieout_core::money::Currency;
use tieout_engine::journal::{Journalizer, KeyScope};
use tieout_engine::mapping::MappingFile;
use tieout_engine::rules::RuleSet;
use tieout_engine::summarize::{DetailLevel, summarize};

const EVENTS: usize = 100_000;
const LOANS: u64 = 20_000;
/// Accrual-periodic (the default rule), cash, and accrual-periodic with accrual activity posting.
const PRODUCTS: [&str; 3] = ["personal", "gold", "flex"];

/// xorshift64*: a fixed, dependency-free sequence, so every run measures the same events.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// An amount of `lo..hi` cents.
    fn cents(&mut self, lo: i64, hi: i64) -> Decimal {
        let span = u64::try_from(hi - lo).unwrap_or(1).max(1);
        Decimal::new(lo + i64::try_from(self.next() % span).unwrap_or(0), 2)
    }

    fn percent(&mut self) -> u64 {
        self.next() % 100
    }
}

fn mapping() -> MappingFile {
    let text = format!(
        "default_rule = \"accrual-periodic\"\n{}\n[products.gold]\nrule = \"cash\"\n",
        include_str!("../tests/golden/mapping.toml")
    );
    MappingFile::from_toml(&text, "bench mapping").unwrap_or_else(|e| panic!("{e}"))
}

/// A month of a lender's activity, in value-date order.
fn events() -> Vec<Event> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let usd = Currency::new("USD").unwrap_or_else(|e| panic!("{e}"));
    let start = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap_or_default();
    let mut repayments: Vec<(EventId, Decimal, u64)> = Vec::new();
    let mut out = Vec::with_capacity(EVENTS);
    for i in 0..EVENTS {
        let loan = rng.next() % LOANS;
        let product = PRODUCTS[usize::try_from(loan).unwrap_or(0) % PRODUCTS.len()];
        let mut portions = Portions::default();
        let roll = rng.percent();
        let kind = match roll {
            0..50 => {
                portions.interest = rng.cents(10, 3_000);
                EventKind::Accrual
            }
            50..75 => {
                portions.principal = rng.cents(2_000, 50_000);
                portions.interest = rng.cents(100, 5_000);
                if rng.percent() < 30 {
                    portions.fee = rng.cents(500, 2_500);
                }
                if rng.percent() < 5 {
                    portions.penalty = rng.cents(500, 1_500);
                }
                if rng.percent() < 3 {
                    portions.overpayment = rng.cents(100, 10_000);
                }
                EventKind::Repayment
            }
            75..80 => {
                portions.principal = rng.cents(100_000, 2_000_000);
                EventKind::Disbursement
            }
            80..85 => {
                portions.fee = rng.cents(500, 2_500);
                EventKind::ChargePayment
            }
            85..88 => {
                portions.interest = -rng.cents(1, 200);
                EventKind::AccrualAdjustment
            }
            88..90 => {
                portions.interest = rng.cents(100, 2_000);
                EventKind::WaiveInterest
            }
            90..91 => {
                portions.principal = rng.cents(50_000, 500_000);
                portions.interest = rng.cents(1_000, 10_000);
                portions.fee = rng.cents(0, 2_500);
                EventKind::ChargeOff
            }
            91..92 => {
                portions.principal = rng.cents(1_000, 50_000);
                EventKind::RecoveryRepayment
            }
            92..95 if !repayments.is_empty() => EventKind::Reversal,
            _ => {
                portions.interest = rng.cents(10, 3_000);
                EventKind::Accrual
            }
        };
        // Spread the events over the month in order, so that a reversal follows its original.
        let day = u64::try_from(i * 31 / EVENTS).unwrap_or(0);
        let (loan, product, reverses, amount) = if kind == EventKind::Reversal {
            let pick = usize::try_from(rng.next()).unwrap_or(0) % repayments.len();
            let (id, amount, loan) = repayments.swap_remove(pick);
            let product = PRODUCTS[usize::try_from(loan).unwrap_or(0) % PRODUCTS.len()];
            (loan, product, Some(id), amount)
        } else {
            (loan, product, None, portions.sum())
        };
        let head = EventHead {
            id: format!("tx-{i}").into(),
            loan_id: format!("L-{loan}").into(),
            product: product.into(),
            kind,
            date: start + Days::new(day),
            currency: usd,
        };
        let portions = (kind != EventKind::Reversal).then_some(portions);
        let mut event = Event::new(head, amount, portions).unwrap_or_else(|e| panic!("bench event: {e}"));
        event.reverses = reverses;
        event.office = Some(if loan % 4 == 0 { "BR" } else { "HQ" }.into());
        if matches!(kind, EventKind::Repayment | EventKind::Disbursement | EventKind::ChargePayment) {
            event.payment_type = Some(if rng.percent() < 70 { "ach" } else { "cash" }.into());
        }
        if kind == EventKind::ChargePayment {
            event.charge = Some("origination-fee".into());
        }
        if kind == EventKind::Repayment {
            repayments.push((event.id.clone(), event.amount, loan));
        }
        out.push(event);
    }
    out
}

fn bench(c: &mut Criterion) {
    let rules = RuleSet::standard();
    let mapping = mapping();
    let events = events();
    let journalizer = Journalizer::new(&rules, &mapping, KeyScope::default());
    let journal = journalizer.journalize(&events);
    assert!(journal.problems.is_empty(), "bench events must journalize cleanly: {:?}", &journal.problems[..1]);
    let count = |n: usize| Throughput::Elements(u64::try_from(n).unwrap_or(u64::MAX));

    let mut group = c.benchmark_group("journalize");
    group.sample_size(20).measurement_time(Duration::from_secs(10)).throughput(count(events.len()));
    group.bench_function("standard", |b| b.iter(|| journalizer.journalize(black_box(&events))));
    group.finish();

    let scope = KeyScope::default();
    let rule_set_id = rules.id();
    let mut group = c.benchmark_group("summarize");
    group.sample_size(20).measurement_time(Duration::from_secs(10)).throughput(count(journal.entries.len()));
    group.bench_function("product-day", |b| {
        b.iter_batched(
            || journal.entries.clone(),
            |entries| summarize(entries, DetailLevel::ProductDay, &scope, &rule_set_id),
            BatchSize::LargeInput,
        )
    });
    group.finish();

    let text: String = events.iter().map(|e| write_event_line(e) + "\n").collect();
    let mut group = c.benchmark_group("parse");
    group.sample_size(20).measurement_time(Duration::from_secs(10)).throughput(count(events.len()));
    group
        .bench_function("json-lines", |b| b.iter(|| parse_events(black_box(&text)).collect::<Result<Vec<Event>, _>>()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
