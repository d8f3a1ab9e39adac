//! The `tieout` command.

mod commands;
mod connect;
mod input;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Tieout: loan-servicing activity into reviewed, balanced journals, posted exactly once.
#[derive(Parser)]
#[command(name = "tieout", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// The config directory: default.toml, clients/, mappings/.
    #[arg(long, global = true, value_name = "DIR", default_value = tieout_config::DEFAULT_DIR, env = "TIEOUT_CONFIG")]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Time the whole pipeline on a book of N loans over D business days (docs/BENCHMARKS.md).
    Bench(commands::bench::Args),
    /// The embedded default end to end: a simulated book through COB, Close month and Send into
    /// an hledger journal, reconciled every month; resumable.
    Demo(commands::demo::Args),
    /// Close of business: sync, accrue and record one business date, or every date through one.
    Cob(commands::cob::Args),
    /// Turn canonical events into journal entries, with no store and no network.
    Journalize(commands::journalize::Args),
    /// Posting rules.
    #[command(subcommand)]
    Rules(commands::rules::RulesCommand),
    /// A client's accounting months: list, close (propose), send, reopen.
    #[command(subcommand)]
    Period(commands::period::PeriodCommand),
    /// A client's servicing source, for integrators: check it, read its events.
    #[command(subcommand)]
    Source(commands::source::SourceCommand),
    /// A client's accounting sink, for integrators: check it, list accounts, trial balance.
    #[command(subcommand)]
    Sink(commands::sink::SinkCommand),
    /// Reconcile servicing balances, Tieout's ledger and the accounting package per account
    /// (exit 4 when a difference is unexplained).
    Reconcile(commands::reconcile::Args),
    /// Check a client before its first close: config, both systems, and data gaps (exit 2 on any).
    Check(commands::check::Args),
    /// A client's integration plan for review: automated transactions, rule tables, accounts, schedules, gaps.
    Plan(commands::plan::Args),
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bench(args) => commands::bench::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Cob(args) => commands::cob::run(&cli.config, args),
        Command::Journalize(args) => commands::journalize::run(args),
        Command::Rules(cmd) => commands::rules::run(cmd),
        Command::Period(cmd) => commands::period::run(&cli.config, cmd),
        Command::Source(cmd) => commands::source::run(&cli.config, cmd),
        Command::Sink(cmd) => commands::sink::run(&cli.config, cmd),
        Command::Reconcile(args) => commands::reconcile::run(&cli.config, args),
        Command::Check(args) => commands::check::run(&cli.config, args),
        Command::Plan(args) => commands::plan::run(&cli.config, args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            report(&err);
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr so that stdout carries only the command's output.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TIEOUT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}

#[expect(clippy::print_stderr, reason = "the CLI reports its own failure to the user")]
fn report(err: &anyhow::Error) {
    eprintln!("error: {err}");
    for cause in err.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
}
