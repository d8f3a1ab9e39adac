//! `tieout period list|close|send|reopen`: the month close from the command line (seed 000's
//! two clicks: Close month, then Send).

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Subcommand;
use tieout_period::{Books, SendOptions, list_periods, propose, reopen, send};
use tieout_registry::Registry;
use tieout_store::{PeriodStatus, Severity, Store, YearMonth};

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
        PeriodCommand::Close(a) | PeriodCommand::Reopen(a) => a.client.clone(),
        PeriodCommand::Send(a) => a.period.client.clone(),
    };
    let configured = Configured::load(config, &client)?;
    let id = configured.client.name.to_client_id();
    let books = Books::of_client(&id, &configured.client);
    let registry = Registry::builtin();
    runtime()?.block_on(async {
        let store = open_store(&configured).await?;
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
                let report = propose(&store, &books, &*source, &*sink, args.period, &args.actor)
                    .await
                    .with_context(|| format!("closing {} for {client}", args.period))?;
                println!(
                    "Proposed {} for {client}: {} new events synced, {} events in the month ({} booked late), {} entries ({} loan-level).",
                    report.period,
                    report.synced.new,
                    report.events,
                    report.late,
                    report.entries,
                    report.detail_entries
                );
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
        }
    })
}

/// The store from `[store] url`, migrated to this binary's schema.
async fn open_store(configured: &Configured) -> anyhow::Result<Store> {
    let url = &configured.app.store.url;
    let store = Store::connect(url.expose()).await.with_context(|| format!("opening the store {}", url.redacted()))?;
    store.migrate().await.with_context(|| format!("migrating the store {}", url.redacted()))?;
    Ok(store)
}
