//! `tieout cob --client C (--date D | --through D)`: close of business (DESIGN.md section 6) for
//! one business date, or for every date not run yet through one, in order.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDate;
use tieout_period::{Books, CobOptions, CobReport, CobThroughReport, run_cob_through_with, run_cob_with};
use tieout_registry::Registry;

use crate::connect::{Configured, runtime};

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("when").required(true).args(["date", "through"])))]
pub struct Args {
    /// The client (its file is config/clients/<CLIENT>.toml).
    #[arg(long)]
    client: String,
    /// Run this business date: the day after the last one run (any date for the first COB).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<NaiveDate>,
    /// Run every date not run yet, in order, through this one (from the earliest disbursement
    /// for the first COB).
    #[arg(long, value_name = "YYYY-MM-DD")]
    through: Option<NaiveDate>,
    /// Take over a run that another process left running (it died) instead of waiting until it
    /// is stale.
    #[arg(long)]
    take_over: bool,
}

pub fn run(config: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let configured = Configured::load(config, &args.client)?;
    let id = configured.client.name.to_client_id();
    let books = Books::of_client(&id, &configured.client);
    let registry = Registry::builtin();
    let client = args.client;
    let mut options = CobOptions::default();
    if args.take_over {
        options.stale_after = Duration::ZERO;
    }
    runtime()?.block_on(async {
        let store = configured.open_store().await?;
        let source = configured.source(&registry).await?;
        match (args.date, args.through) {
            (Some(date), _) => {
                let report = run_cob_with(&store, &books, &*source, date, &options)
                    .await
                    .with_context(|| format!("close of business {date} for {client}"))?;
                print_day(&client, &report);
            }
            (None, Some(through)) => {
                let report = run_cob_through_with(&store, &books, &*source, through, &options)
                    .await
                    .with_context(|| format!("close of business through {through} for {client}"))?;
                for day in &report.days {
                    print_day(&client, day);
                }
                println!("{}", through_summary(&client, &report));
            }
            (None, None) => anyhow::bail!("give --date or --through"),
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Today in the client's time zone (business dates are the client's).
pub fn client_today(configured: &Configured) -> NaiveDate {
    chrono::Utc::now().with_timezone(&configured.client.config.time_zone).date_naive()
}

/// One line for a date, then a line per warning.
fn print_day(client: &str, report: &CobReport) {
    let date = report.business_date;
    if !report.ran {
        println!("COB {date} for {client} had already run: nothing to do.");
        return;
    }
    let synced = report.synced.new;
    let Some(a) = &report.accrual else {
        println!("COB {date} for {client}: {synced} source events synced; the source accrues itself.");
        return;
    };
    println!(
        "COB {date} for {client}: {} loans accrued ({} new, {} rescheduled, {} stopped), {} accrual events made \
         ({} stored), {synced} source events synced.",
        a.loans, a.new_loans, a.rescheduled, a.stopped, a.events, a.new_events
    );
    if !a.no_rule_products.is_empty() {
        let products: Vec<&str> = a.no_rule_products.iter().map(|p| p.as_str()).collect();
        println!(
            "  warning: {} loans of product(s) {} have no accounting rule and were not accrued: give the product a \
             rule under [products.NAME] in the mapping",
            a.no_rule,
            products.join(", ")
        );
    }
    for (loan, why) in &a.refused {
        println!("  warning: loan {loan} was not accrued: {why}");
    }
    if a.refused_count > a.refused.len() as u64 {
        println!("  warning: {} more loans were not accrued (see the log)", a.refused_count - a.refused.len() as u64);
    }
    if a.unfound_count > 0 {
        println!(
            "  warning: {} loans have stops or schedule changes but no schedule in the source (first: {}); they are \
             applied when the source reports the schedule",
            a.unfound_count,
            names(&a.unfound)
        );
    }
    if a.behind_count > 0 {
        println!(
            "  warning: {} accruing loans are no longer in the source's schedules and were not accrued (first: {}): \
             check the source",
            a.behind_count,
            names(&a.behind)
        );
    }
}

fn names(loans: &[tieout_core::ids::LoanId]) -> String {
    loans.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", ")
}

/// What a run through a date did, in one line.
pub fn through_summary(client: &str, report: &CobThroughReport) -> String {
    let run = report.days_run();
    match (run, report.previously_through) {
        (0, Some(last)) => format!("COB of {client} has run through {last}: nothing to do through {}.", report.through),
        (0, None) => format!("COB of {client}: no business date to run through {}.", report.through),
        (days, _) => format!(
            "COB of {client} ran {days} day(s) through {}: {} accrual events made.",
            report.through,
            report.events()
        ),
    }
}
