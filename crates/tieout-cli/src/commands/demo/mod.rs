//! `tieout demo`: the embedded default end to end — a simulated lender's book (the simulator
//! source) through COB, Close month and Send into a plain-text ledger (the ledger sink, which
//! hledger reads), reconciled every month, with the reports written beside it.
//!
//! Killed at any point and run again with the same arguments, it finishes the same book: the
//! config is written once (the book's dates with it), and every step is safe to repeat.

mod clock;
mod pipeline;
mod progress;
mod reports;
pub(crate) mod setup;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::{Months, Utc};
use tieout_period::Books;
use tieout_registry::Registry;
use tieout_store::YearMonth;

use crate::connect::{Configured, runtime};

pub use clock::SimulatedClock;
pub use pipeline::{CobTotals, MonthResult, Pipeline};
pub use setup::CLIENT;

/// Exit code when the books do not tie out (as `tieout reconcile`).
const EXIT_DIFFERENCES: u8 = 4;

#[derive(clap::Args)]
pub struct Args {
    /// Loans in the simulated book.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    loans: u32,
    /// Months to simulate, close and send: the whole months before the current one.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=120))]
    months: u32,
    /// The book's first month (YYYY-MM); default: the months before the current one. The same
    /// start, loans and months always make the same book.
    #[arg(long, value_name = "YYYY-MM")]
    start: Option<YearMonth>,
    /// Where the demo keeps its config, store, ledger and reports.
    #[arg(long, default_value = "demo", value_name = "DIR")]
    dir: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let start = args.start.unwrap_or_else(|| YearMonth::of(Utc::now().date_naive() - Months::new(args.months)));
    let demo = setup::DemoSetup::prepare(&args.dir, args.loans, args.months, start.first_day())?;
    let _lock = demo.lock()?;
    let clock = Arc::new(SimulatedClock::new(Utc::now()));
    clock.morning_after(demo.start);
    let configured = Configured::load(&demo.config, CLIENT)?.with_clock(clock.clone());
    let id = configured.client.name.to_client_id();
    let books = Books::of_client(&id, &configured.client);
    let registry = Registry::builtin();
    let actor = "demo";
    runtime()?.block_on(async {
        let store = configured.open_store().await?;
        let source = configured.source(&registry).await?;
        let sink = configured.sink(&registry).await?;
        let pipeline = Pipeline { store: &store, books, source: &*source, sink: &*sink, clock: &clock, actor };

        let mut months = Vec::new();
        let mut cob = CobTotals::default();
        let mut last = None;
        for n in 0..demo.months {
            let first = demo.start + Months::new(n);
            let period = YearMonth::of(first);
            let days = pipeline.cob_days(first, period.last_day()).await?;
            add(&mut cob, &days);
            let month = pipeline.close_and_send(period, period.last_day()).await?;
            let reconciliation = pipeline.reconcile(period.last_day()).await?;
            reports::write(&demo.reports, period, &reconciliation)?;
            months.push((month, reconciliation.differences_total, reconciliation.unexplained_total));
            last = Some(reconciliation);
        }
        let last = last.context("the demo has no month")?;
        let events = store.events().count(&id).await?;
        print_summary(&demo, &months, &cob, events, &last);
        Ok(if last.has_unexplained() { ExitCode::from(EXIT_DIFFERENCES) } else { ExitCode::SUCCESS })
    })
}

fn add(total: &mut CobTotals, days: &CobTotals) {
    total.days_run += days.days_run;
    total.days_skipped += days.days_skipped;
    total.source_events += days.source_events;
    total.accrual_events += days.accrual_events;
    total.elapsed += days.elapsed;
    total.slowest = total.slowest.max(days.slowest);
}

fn print_summary(
    demo: &setup::DemoSetup,
    months: &[(MonthResult, rust_decimal::Decimal, rust_decimal::Decimal)],
    cob: &CobTotals,
    events: u64,
    last: &tieout_engine::reconcile::Reconciliation,
) {
    println!(
        "Demo book: {} loans from {} to {} ({} months), simulated lender -> Tieout -> {}",
        demo.loans,
        demo.start,
        demo.end(),
        demo.months,
        shown(&demo.journal)
    );
    println!(
        "Events: {events} stored ({} from the servicing system, {} accruals by Tieout's COB in this run; {} business \
         days run, {} done before)",
        cob.source_events, cob.accrual_events, cob.days_run, cob.days_skipped
    );
    for (month, differences, unexplained) in months {
        let totals: Vec<String> = month.totals.iter().map(|(c, t)| format!("{t} {c}")).collect();
        println!(
            "  {}  sent  {:>6} entries  debits = credits = {}  differences {differences} (unexplained {unexplained})",
            month.period,
            month.entries,
            if totals.is_empty() { "0".to_owned() } else { totals.join(", ") }
        );
    }
    println!(
        "Reconciliation as of {}: {} accounts, {} loans; differences {}, unexplained {}",
        last.as_of,
        last.accounts.len(),
        last.loans,
        last.differences_total,
        last.unexplained_total
    );
    println!("Reports: {}/<month>/reconciliation.{{html,csv,xlsx,json}} and loans.csv", shown(&demo.reports));
    println!("Check the ledger: hledger -f {} check --strict && hledger -f {0} bal", shown(&demo.journal));
    println!("Store: {}; everything is in {}", shown(&demo.database), shown(&demo.dir));
    println!("Every command works on it: tieout --config {} period list --client {CLIENT}", shown(&demo.config));
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}
