//! COB of one business day over a large simulated book on SQLite (docs/BENCHMARKS.md).
//!
//! ```sh
//! # accrue + store: day 1 creates every loan's state, day 2 is the measured ordinary day
//! /usr/bin/time -v cargo run --release -p tieout-period --example cob_million -- cob 1000000
//! # journalizing one day's accrual events in memory (no store)
//! /usr/bin/time -v cargo run --release -p tieout-period --example cob_million -- journalize 1000000
//! ```
//!
//! Every loan is disbursed on 2026-10-01 (`disburse_months = 0`), so on 2026-10-02 every one of
//! them is active. The simulator runs with `release = "clock"` on a clock moved to the morning
//! after each business date, as in production. `TIEOUT_BENCH_DIR` puts the SQLite file somewhere
//! else than a temp folder (the disk matters).

#![allow(clippy::print_stderr, reason = "a measurement program reports on stderr")]

use std::sync::Arc;
use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use source_simulator::{CATALOGUE, SimulatorConfig, SimulatorSource};
use tieout_conformance::Kit;
use tieout_core::connector::{AccountMapping, ConnectorRole, Cursor, ServicingSource, parse_config};
use tieout_core::ids::ClientId;
use tieout_core::role::Role;
use tieout_engine::accrual::{AccrualOptions, LoanAccrual};
use tieout_engine::journal::{Journalizer, KeyScope};
use tieout_engine::mapping::MappingFile;
use tieout_engine::rules::RuleSet;
use tieout_engine::summarize::DetailLevel;
use tieout_period::{Books, run_cob};
use tieout_store::Store;

fn d(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

fn mapping() -> MappingFile {
    let mut text = String::from("[accounts]\n");
    for role in Role::ALL {
        text.push_str(&format!("{role} = \"{role}\"\n"));
    }
    for product in CATALOGUE {
        text.push_str(&format!("[products.{}]\nrule = \"{}\"\n", product.id, product.rule));
    }
    MappingFile::from_toml(&text, "bench.toml").expect("mapping")
}

fn source(kit: &Kit, loans: u32) -> SimulatorSource {
    let text = format!(
        "seed = 42\nloans = {loans}\nstart = \"2026-10-01\"\nmonths = 3\ndisburse_months = 0\ncurrency = \"USD\"\n\
         products = [\"personal\", \"gold\", \"auto\", \"business\", \"export\"]\noffices = [\"HQ\", \"NORTH\"]\n\
         page_size = 10000\nrelease = \"clock\"\n"
    );
    let table: toml::Table = toml::from_str(&text).expect("toml");
    let validated = parse_config::<SimulatorConfig>(ConnectorRole::Source, "simulator", table)
        .and_then(SimulatorConfig::check)
        .expect("a valid book");
    SimulatorSource::build(Arc::new(validated), &kit.context("simulator"))
}

fn morning_after(kit: &Kit, day: NaiveDate) {
    let morning = day.succ_opt().expect("a next day").and_hms_opt(6, 30, 0).expect("a time");
    kit.clock.set(Utc.from_utc_datetime(&morning));
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let phase = args.next().unwrap_or_else(|| "cob".to_owned());
    let loans: u32 = args.next().map_or(1_000_000, |n| n.parse().expect("LOANS is a number"));
    let kit = Kit::new(Vec::new());
    let source = source(&kit, loans);
    let mapping = mapping();
    let rules = RuleSet::standard();
    match phase.as_str() {
        "cob" => cob(&kit, &source, &rules, &mapping).await,
        "journalize" => journalize(&kit, &source, &rules, &mapping).await,
        other => panic!("unknown phase {other}: use cob or journalize"),
    }
}

async fn cob(kit: &Kit, source: &SimulatorSource, rules: &RuleSet, mapping: &MappingFile) {
    let dir = match std::env::var_os("TIEOUT_BENCH_DIR") {
        Some(dir) => tempfile::tempdir_in(dir),
        None => tempfile::tempdir(),
    }
    .expect("a temp dir");
    let store = Store::connect(&format!("sqlite://{}/tieout.db", dir.path().display())).await.expect("store");
    store.migrate().await.expect("migrate");
    let client = ClientId::from("bench");
    let books = Books { client: &client, rules, mapping, detail: DetailLevel::ProductDay, separation_of_duties: false };

    for (label, day) in [("day 1 (every loan new)", d("2026-10-01")), ("day 2 (measured)", d("2026-10-02"))] {
        reset_peak_memory();
        morning_after(kit, day);
        let started = Instant::now();
        let report = run_cob(&store, &books, source, day).await.expect("COB");
        let took = started.elapsed();
        let accrual = report.accrual.expect("the simulator does not accrue");
        eprintln!(
            "{label} {day}: {:.1} s, peak memory {}; {} source events synced; {} loans accrued ({} new), {} not \
             accrued (cash), {} accrual events in {} chunks",
            took.as_secs_f64(),
            peak_memory(),
            report.synced.new,
            accrual.loans,
            accrual.new_loans,
            accrual.not_accrued,
            accrual.events,
            accrual.chunks,
        );
    }
    let size = std::fs::metadata(dir.path().join("tieout.db")).map(|m| m.len()).unwrap_or(0);
    eprintln!("store: {} MB", size / 1_000_000);
}

/// Linux: resets the process's peak resident size, so the next reading is one day's peak.
fn reset_peak_memory() {
    // Writing 5 to clear_refs resets VmHWM (Linux 4.0+); elsewhere there is nothing to reset.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Linux: the peak resident size since the last reset (VmHWM), or "n/a".
fn peak_memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .map_or_else(|| "n/a".to_owned(), |kb| kb.trim().to_owned())
}

/// The accrual events of 2026-10-02 for every loan, built with the engine alone, then journalized.
async fn journalize(kit: &Kit, source: &SimulatorSource, rules: &RuleSet, mapping: &MappingFile) {
    morning_after(kit, d("2026-10-02"));
    let started = Instant::now();
    let mut events = Vec::new();
    let mut postings = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = source.schedules(cursor.as_ref(), 10_000).await.expect("schedules");
        for schedule in &page.items {
            let Ok(rule) = mapping.accounting_rule(&schedule.product) else { continue };
            let Ok(options) = AccrualOptions::new(rule, false) else { continue };
            let mut loan = LoanAccrual::new(schedule, options, &[]).expect("a valid schedule");
            loan.accrue(d("2026-10-01"), &mut postings).expect("accrues");
            postings.clear();
            loan.accrue(d("2026-10-02"), &mut postings).expect("accrues");
            events.extend(postings.drain(..).map(|p| loan.event(&p).expect("an event")));
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    eprintln!("built {} accrual events of one day in {:.1} s", events.len(), started.elapsed().as_secs_f64());
    let started = Instant::now();
    let scope = KeyScope { client: "bench".to_owned(), source: "simulator".to_owned() };
    let journal = Journalizer::new(rules, mapping, scope).journalize(&events);
    eprintln!(
        "journalized them in {:.1} s: {} entries, {} problems",
        started.elapsed().as_secs_f64(),
        journal.entries.len(),
        journal.problems.len()
    );
}
