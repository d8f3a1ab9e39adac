//! Events/s and balances/s of a 10,000-loan book (a year, every product), and the cost of one
//! loan on its own. Run: `cargo bench -p source-simulator`.

use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use source_simulator::{SimulatorConfig, SimulatorSource, ValidatedSimulator};
use tieout_conformance::Kit;
use tieout_core::NaiveDate;
use tieout_core::connector::{ConnectorRole, Cursor, ServicingSource, parse_config};

const LOANS: u32 = 10_000;

fn book() -> Arc<ValidatedSimulator> {
    let text = format!(
        "seed = 42\nloans = {LOANS}\nstart = \"2026-10-01\"\nmonths = 12\ncurrency = \"USD\"\npage_size = 1000\n\
         products = [\"personal\", \"gold\", \"auto\", \"business\", \"export\"]\noffices = [\"HQ\", \"NORTH\", \"SOUTH\"]\n"
    );
    let table: toml::Table = toml::from_str(&text).expect("bench config is TOML");
    let config: SimulatorConfig = parse_config(ConnectorRole::Source, "simulator", table).expect("bench config parses");
    Arc::new(config.check().expect("bench config validates"))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().build().expect("a tokio runtime")
}

async fn read_events(source: &SimulatorSource) -> usize {
    let mut count = 0;
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = source.events(cursor.as_ref(), 1000).await.expect("events");
        if page.items.is_empty() {
            return count;
        }
        count += page.items.len();
        cursor = page.next;
    }
}

async fn read_balances(source: &SimulatorSource, as_of: NaiveDate) -> usize {
    let mut count = 0;
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = source.balances(as_of, cursor.as_ref(), 1000).await.expect("balances");
        count += page.items.len();
        match page.next {
            Some(next) => cursor = Some(next),
            None => return count,
        }
    }
}

fn bench(c: &mut Criterion) {
    let rt = runtime();
    let kit = Kit::new(Vec::new());
    let book = book();
    let fresh = || SimulatorSource::build(book.clone(), &kit.context("simulator"));

    let events = rt.block_on(read_events(&fresh()));
    let mut group = c.benchmark_group("simulator");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events as u64));
    // A fresh source each time: the first read also indexes the book.
    group.bench_function("events_10k_loans_12_months_full_stream", |b| {
        b.iter_batched(fresh, |source| rt.block_on(read_events(&source)), BatchSize::PerIteration)
    });

    let as_of: NaiveDate = "2027-06-30".parse().expect("a date");
    let balances = rt.block_on(read_balances(&fresh(), as_of));
    group.throughput(Throughput::Elements(balances as u64));
    group.bench_function("balances_10k_loans_as_of_month_9", |b| {
        let source = fresh();
        b.iter(|| rt.block_on(read_balances(&source, as_of)))
    });

    group.throughput(Throughput::Elements(1));
    group.bench_function("one_loan_whole_life", |b| {
        let source = fresh();
        let mut number = 0;
        b.iter(|| {
            number = number % LOANS + 1;
            source.book().loan_events(number).expect("a loan")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
