//! `tieout period list|close|send|reopen|abandon`: the month close from the command line (seed 000's
//! two clicks: Close month, then Send).

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Subcommand;
use tieout_period::{Books, SendOptions, abandon, close_month, list_periods, reopen, send};
use tieout_registry::Registry;
use tieout_store::{PeriodStatus, Severity, YearMonth};

use crate::connect::{Configured, runtime};

/// Exit code of `close` when the proposal has problems that block sending.
const EXIT_PROBLEMS: u8 = 2;

#[derive(Subcommand)]
pub enum PeriodCommand {
    /// The client's accounting months and their status.
    List {
        #[arg(long)]
        client: String,
    },
    /// Close month (or reload): sync both systems, propose the month's journals, list problems.
    Close(PeriodArgs),
    /// Send a proposed month with no problems to the accounting package, exactly once.
    Send(SendArgs),
    /// Reopen a proposed month.
    Reopen(PeriodArgs),
    /// Stop sending a month whose remaining entries need a new proposal (sending → proposed):
    /// posted entries stay posted; then fix, close again (reload) and send.
    Abandon(PeriodArgs),
}

#[derive(clap::Args)]
pub struct PeriodArgs {
    #[arg(long)]
    client: String,
    /// The month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM")]
    period: YearMonth,
    /// Who acts (recorded in the audit log; a client with separation of duties refuses a send
    /// by the user who closed). Defaults to $USER.
    #[arg(long = "as", value_name = "USER", env = "USER", default_value = "cli")]
    actor: String,
}

#[derive(clap::Args)]
pub struct SendArgs {
    #[command(flatten)]
    period: PeriodArgs,
    /// How long this sender's claim on a batch holds, in seconds: a sender that dies (a crash,
    /// `kill -9`) holds its batch until then. Keep it longer than one call to the accounting
    /// package can take.
    #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    lease_secs: u64,
}

pub fn run(config: &Path, command: PeriodCommand) -> anyhow::Result<ExitCode> {
    let client = match &command {
        PeriodCommand::List { client } => client.clone(),
        PeriodCommand::Close(a) | PeriodCommand::Reopen(a) | PeriodCommand::Abandon(a) => a.client.clone(),
        PeriodCommand::Send(a) => a.period.client.clone(),
    };
    let configured = Configured::load(config, &client)?;
    let id = configured.client.name.to_client_id();
    let books = Books::of_client(&id, &configured.client);
    let registry = Registry::builtin();
    runtime()?.block_on(async {
        let store = configured.open_store().await?;
        match command {
            PeriodCommand::List { .. } => {
                let periods = list_periods(&store, &id).await?;
                if periods.is_empty() {
                    println!("{client} has no periods yet: `tieout period close --client {client} --period YYYY-MM` proposes one");
                }
                for p in periods {
                    let who = match (&p.closed_by, &p.sent_by) {
                        (_, Some(sent)) => format!("sent by {sent}"),
                        (Some(closed), None) => format!("closed by {closed}"),
                        _ => String::new(),
                    };
                    println!("{}  {:<9}  {who}", p.period, p.status.as_str());
                }
                Ok(ExitCode::SUCCESS)
            }
            PeriodCommand::Close(args) => {
                let source = configured.source(&registry).await?;
                let sink = configured.sink(&registry).await?;
                // Close month runs COB through the month's end (or yesterday) first.
                let today = crate::commands::cob::client_today(&configured);
                let closed = close_month(&store, &books, &*source, &*sink, args.period, &args.actor, today)
                    .await
                    .with_context(|| format!("closing {} for {client}", args.period))?;
                let report = closed.proposal;
                println!(
                    "Proposed {} for {client}: {} new events synced, {} events in the month ({} booked late), {} entries ({} loan-level).",
                    report.period,
                    report.synced.new + closed.cob.synced_new,
                    report.events,
                    report.late,
                    report.entries,
                    report.detail_entries
                );
                println!("  {}", crate::commands::cob::through_summary(&client, &closed.cob));
                for problem in &report.problems {
                    let severity = if problem.severity == Severity::Error { "problem" } else { "warning" };
                    println!("  {severity} [{}]: {} Fix: {}", problem.code, problem.sentence, problem.fix);
                }
                let blocking = report.blocking();
                if blocking == 0 {
                    println!("No problems: `tieout period send --client {client} --period {}` posts it.", report.period);
                    Ok(ExitCode::SUCCESS)
                } else {
                    println!("{blocking} problem(s) block sending: fix them, then close again (reload).");
                    Ok(ExitCode::from(EXIT_PROBLEMS))
                }
            }
            PeriodCommand::Send(SendArgs { period: args, lease_secs }) => {
                let sink = configured.sink(&registry).await?;
                let options = SendOptions { lease: Duration::from_secs(lease_secs), ..SendOptions::default() };
                let report = send(&store, &books, &*sink, args.period, &args.actor, &options)
                    .await
                    .with_context(|| format!("sending {} for {client}", args.period))?;
                println!("{}", report.summary());
                Ok(if report.status == PeriodStatus::Sent { ExitCode::SUCCESS } else { ExitCode::FAILURE })
            }
            PeriodCommand::Reopen(args) => {
                let period = reopen(&store, &books, args.period, &args.actor)
                    .await
                    .with_context(|| format!("reopening {} for {client}", args.period))?;
                println!("{} for {client} is {}.", period.period, period.status.as_str());
                Ok(ExitCode::SUCCESS)
            }
            PeriodCommand::Abandon(args) => {
                let sink = configured.sink(&registry).await?;
                let report = abandon(&store, &books, &*sink, args.period, &args.actor)
                    .await
                    .with_context(|| format!("abandoning the send of {} for {client}", args.period))?;
                println!("{}", report.summary());
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}
