//! `tieout bench`: the embedded default's whole pipeline on a book of a chosen size, timed step
//! by step — the first sync, COB per business day, Close month, Send, reconciliation, and
//! `hledger bal` on the journal written — with the process's peak memory. docs/BENCHMARKS.md
//! records its results; numbers are reported, never asserted.
//!
//! Every loan is disbursed on the book's first day, so from the second day every loan of an
//! accruing product accrues every day: the COB load of a book that size.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{Datelike, Days, NaiveDate};
use tieout_period::Books;
use tieout_registry::Registry;
use tieout_store::YearMonth;

use super::demo::setup::DemoSetup;
use super::demo::{CLIENT, CobTotals, Pipeline, SimulatedClock};
use crate::connect::{Configured, runtime};

#[derive(clap::Args)]
pub struct Args {
    /// Loans in the book, all disbursed on its first day.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=9_999_999))]
    loans: u32,
    /// Business days of COB after the disbursement day.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=366))]
    days: u32,
    /// Where to build the book (default: a new directory under the system's temp directory,
    /// removed afterwards unless --keep).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Keep the directory (config, store, journal) for a look afterwards.
    #[arg(long)]
    keep: bool,
}

/// The book's first day: fixed, so that the same arguments always measure the same book.
const START: (i32, u32, u32) = (2026, 1, 1);

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let start = NaiveDate::from_ymd_opt(START.0, START.1, START.2).context("the bench's start date")?;
    let through = start + Days::new(u64::from(args.days));
    // The book runs a month past the last COB day, so its loans are still alive then.
    let span = (through.year() - start.year()) * 12 + i32::try_from(through.month()).unwrap_or(12)
        - i32::try_from(start.month()).unwrap_or(1);
    let months = u32::try_from(span + 2).unwrap_or(2);
    let (dir, temporary) = match &args.dir {
        Some(dir) => (dir.clone(), false),
        None => (std::env::temp_dir().join(format!("tieout-bench-{}", std::process::id())), true),
    };
    if dir.join("config").exists() {
        anyhow::bail!("{} already holds a book: give an empty --dir (a bench measures a fresh one)", dir.display());
    }
    let setup = DemoSetup::prepare_book(&dir, args.loans, months, start, Some(0))?;
    let result = measure(&setup, start, through);
    if temporary && !args.keep {
        std::fs::remove_dir_all(&dir).ok();
    } else {
        println!("The book is in {}", dir.display());
    }
    result
}

fn measure(setup: &DemoSetup, start: NaiveDate, through: NaiveDate) -> anyhow::Result<ExitCode> {
    let clock = Arc::new(SimulatedClock::new(chrono::Utc::now()));
    clock.morning_after(start);
    let configured = Configured::load(&setup.config, CLIENT)?.with_clock(clock.clone());
    let id = configured.client.name.to_client_id();
    let books = Books::of_client(&id, &configured.client);
    let registry = Registry::builtin();
    println!(
        "tieout bench: {} loans disbursed on {start}, COB through {through}; SQLite store (synchronous=FULL), ledger \
         journal",
        setup.loans
    );
    runtime()?.block_on(async {
        let store = configured.open_store().await?;
        let source = configured.source(&registry).await?;
        let sink = configured.sink(&registry).await?;
        let pipeline = Pipeline { store: &store, books, source: &*source, sink: &*sink, clock: &clock, actor: "bench" };

        let first = pipeline.cob_days(start, start).await?;
        println!(
            "  first day: {} events synced in {} ({}/s)",
            first.source_events,
            secs(first.elapsed),
            rate(first.source_events, first.elapsed)
        );
        let cob = pipeline.cob_days(start + Days::new(1), through).await?;
        report_cob(&cob);

        let mut month = YearMonth::of(start);
        let mut entries = 0;
        while month.first_day() <= through {
            let result = pipeline.close_and_send(month, month.last_day().min(through)).await?;
            println!(
                "  close {}: {} events -> {} entries ({} loan-level) in {} ({} loan-level entries/s)",
                result.period,
                result.events,
                result.entries,
                result.detail_entries,
                secs(result.close_time),
                rate(result.detail_entries.max(result.entries), result.close_time)
            );
            println!(
                "  send {}: {} entries in {} ({}/s)",
                result.period,
                result.posted,
                secs(result.send_time),
                rate(result.posted, result.send_time)
            );
            entries += result.entries;
            month = month.next();
        }

        let started = Instant::now();
        let reconciliation = pipeline.reconcile(through).await?;
        println!(
            "  reconcile as of {through}: {} loans, {} accounts in {}; differences {}",
            reconciliation.loans,
            reconciliation.accounts.len(),
            secs(started.elapsed()),
            reconciliation.differences_total
        );
        match time_hledger_bal(&setup.journal) {
            Some(took) => println!("  hledger bal on the journal ({entries} transactions): {}", secs(took)),
            None => println!("  hledger bal: not measured (hledger is not installed)"),
        }
        match peak_memory_mib() {
            Some(mib) => println!("  peak memory (VmHWM): {mib} MiB"),
            None => println!("  peak memory: not available on this system"),
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn report_cob(cob: &CobTotals) {
    let days = u32::try_from(cob.days_run.max(1)).unwrap_or(u32::MAX);
    println!(
        "  COB: {} business days, {} per day on average, slowest {}; {} accrual events ({}/s), {} source events",
        cob.days_run,
        secs(cob.elapsed / days),
        secs(cob.slowest),
        cob.accrual_events,
        rate(cob.accrual_events, cob.elapsed),
        cob.source_events
    );
}

/// How long `hledger bal` takes on the journal, when hledger is installed.
fn time_hledger_bal(journal: &Path) -> Option<Duration> {
    let started = Instant::now();
    let status = Command::new("hledger").arg("-f").arg(journal).arg("bal").output().ok()?.status;
    status.success().then(|| started.elapsed())
}

/// The process's peak resident memory, from Linux's /proc (VmHWM, in KiB).
fn peak_memory_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

fn secs(d: Duration) -> String {
    format!("{}.{:03} s", d.as_secs(), d.subsec_millis())
}

fn rate(count: u64, took: Duration) -> u64 {
    let millis = u64::try_from(took.as_millis()).unwrap_or(u64::MAX).max(1);
    count.saturating_mul(1000) / millis
}
