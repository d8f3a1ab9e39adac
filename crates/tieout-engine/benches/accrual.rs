//! The accrual engine's compute path: a book of 10,000 loans accrued for every day of a year,
//! as COB would (one call per business date). Throughput is in loan-days.
//!
//! Run: `cargo bench -p tieout-engine --bench accrual`.

use std::hint::black_box;

use chrono::{Days, Months, NaiveDate};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rust_decimal::Decimal;
use tieout_core::connector::{Installment, LoanSchedule};
use tieout_core::money::Currency;
use tieout_core::role::DayCount;
use tieout_engine::accrual::{AccrualBook, AccrualOptions, LoanAccrual, PauseWindow};

const LOANS: u32 = 10_000;
const DAYS: u32 = 365;
const INSTALLMENTS: u32 = 24;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// A mixed book: 24 monthly installments, disbursed across 2025 so every loan is accruing
/// throughout 2026; one in five on 30/360, one in ten with a pause, one in four posting accrual
/// activity, one in twenty upfront.
fn book() -> AccrualBook {
    let usd = Currency::new("USD").expect("USD");
    let mut book = AccrualBook::with_capacity(LOANS as usize);
    for n in 0..LOANS {
        let disbursed_on = date(2025, 1, 1) + Days::new(u64::from(n % 365));
        let installments = (0..INSTALLMENTS)
            .map(|i| Installment {
                number: i + 1,
                start: disbursed_on + Months::new(i),
                due: disbursed_on + Months::new(i + 1),
                principal: Decimal::new(41_667, 2),
                interest: Decimal::new(i64::from(9_000 + (n * 37 + i * 11) % 5_000), 2),
                fee: if n % 3 == 0 { Decimal::new(250, 2) } else { Decimal::ZERO },
                penalty: if i % 7 == 3 { Decimal::new(1_500, 2) } else { Decimal::ZERO },
            })
            .collect();
        let schedule = LoanSchedule {
            loan_id: format!("L-{n}").into(),
            product: "personal".into(),
            office: Some("HQ".into()),
            currency: usd,
            day_count: if n % 5 == 0 { DayCount::Thirty360 } else { DayCount::ActualActual },
            disbursed_on,
            installments,
        };
        let pauses = if n % 10 == 0 {
            let from = date(2026, 3, 1) + Days::new(u64::from(n % 30));
            vec![PauseWindow::new(from, from + Days::new(20))]
        } else {
            Vec::new()
        };
        let options = if n % 20 == 0 { AccrualOptions::upfront() } else { AccrualOptions::periodic() }
            .with_activity_posting(n % 4 == 0);
        let loan = LoanAccrual::new(&schedule, options, &pauses).expect("a valid schedule");
        book.insert(loan).expect("unique loan ids");
    }
    // Bring every loan up to the eve of the measured year.
    let mut out = Vec::new();
    book.accrue(date(2025, 12, 31), &mut out).expect("accrues");
    book
}

fn accrual(c: &mut Criterion) {
    let start = book();
    let dates: Vec<NaiveDate> = date(2026, 1, 1).iter_days().take(DAYS as usize).collect();

    let mut group = c.benchmark_group("accrual");
    group.sample_size(10);
    group.measurement_time(std::time::Duration::from_secs(10));
    group.throughput(Throughput::Elements(u64::from(LOANS) * u64::from(DAYS)));
    group.bench_function("book_10k_loans_365_days", |b| {
        let mut out = Vec::with_capacity(2 * LOANS as usize);
        b.iter_batched(
            || start.clone(),
            |mut book| {
                for day in &dates {
                    out.clear();
                    book.accrue(*day, &mut out).expect("accrues");
                    black_box(&out);
                }
                book
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();

    // Building canonical events (string ids) from one business date's postings: the step after
    // the compute path, measured apart.
    let mut book = start.clone();
    let mut postings = Vec::new();
    book.accrue(date(2026, 1, 1), &mut postings).expect("accrues");
    let mut group = c.benchmark_group("accrual_events");
    group.throughput(Throughput::Elements(postings.len() as u64));
    group.bench_function("events_for_one_day_of_10k_loans", |b| {
        b.iter(|| black_box(book.events(black_box(&postings)).expect("valid events")));
    });
    group.finish();
}

criterion_group!(benches, accrual);
criterion_main!(benches);
