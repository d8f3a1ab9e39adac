//! `tieout sink check|accounts|trial-balance`: an integrator's view of a client's accounting sink.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use tieout_registry::Registry;

use crate::connect::{Configured, runtime};
use crate::render::csv::record;

#[derive(Subcommand)]
pub enum SinkCommand {
    /// Check that the sink's config and credentials work (no side effects).
    Check {
        #[arg(long)]
        client: String,
    },
    /// List the sink's chart of accounts.
    Accounts {
        #[arg(long)]
        client: String,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// The sink's trial balance (debits positive, credits negative).
    TrialBalance {
        #[arg(long)]
        client: String,
        /// The date to report as of; today in the client's time zone when absent.
        #[arg(long, value_name = "DATE")]
        as_of: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

pub fn run(config: &Path, command: SinkCommand) -> anyhow::Result<ExitCode> {
    let registry = Registry::builtin();
    let rt = runtime()?;
    let client = match &command {
        SinkCommand::Check { client }
        | SinkCommand::Accounts { client, .. }
        | SinkCommand::TrialBalance { client, .. } => client.clone(),
    };
    let configured = Configured::load(config, &client)?;
    rt.block_on(async {
        let sink = configured.sink(&registry).await?;
        let stdout = std::io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        match command {
            SinkCommand::Check { .. } => {
                sink.check().await.with_context(|| format!("checking the {} sink of {client}", sink.kind()))?;
                writeln!(out, "sink {} of {client}: ok", sink.kind())?;
            }
            SinkCommand::Accounts { format, .. } => {
                let mut accounts = sink.chart_of_accounts().await.context("reading the chart of accounts")?;
                accounts.sort_by(|a, b| a.account.cmp(&b.account));
                let rows: Vec<[String; 5]> = accounts
                    .iter()
                    .map(|a| {
                        [
                            a.account.to_string(),
                            a.name.clone(),
                            a.account_type.map(|t| t.to_string()).unwrap_or_default(),
                            if a.active { "active" } else { "inactive" }.to_owned(),
                            a.currency.map(|c| c.to_string()).unwrap_or_default(),
                        ]
                    })
                    .collect();
                write_rows(&mut out, format, ["account", "name", "type", "status", "currency"], &rows)?;
            }
            SinkCommand::TrialBalance { as_of, format, .. } => {
                let tz = configured.client.config.time_zone;
                let as_of = as_of.unwrap_or_else(|| chrono::Utc::now().with_timezone(&tz).date_naive());
                let mut balances = sink.trial_balance(as_of).await.context("reading the trial balance")?;
                balances.sort_by(|a, b| (&a.account, a.currency).cmp(&(&b.account, b.currency)));
                let rows: Vec<[String; 3]> = balances
                    .iter()
                    .map(|b| [b.account.to_string(), b.currency.to_string(), b.balance.to_string()])
                    .collect();
                if matches!(format, ListFormat::Table) {
                    writeln!(out, "Trial balance of {client} as of {as_of}")?;
                }
                write_rows(&mut out, format, ["account", "currency", "balance"], &rows)?;
            }
        }
        match out.flush() {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("writing to standard output"),
            _ => Ok(ExitCode::SUCCESS),
        }
    })
}

fn write_rows<const N: usize>(
    out: &mut impl Write,
    format: ListFormat,
    headers: [&str; N],
    rows: &[[String; N]],
) -> anyhow::Result<()> {
    match format {
        ListFormat::Csv => {
            record(out, &headers)?;
            for row in rows {
                record(out, &row.each_ref().map(String::as_str))?;
            }
        }
        ListFormat::Json => {
            let objects: Vec<serde_json::Map<String, serde_json::Value>> = rows
                .iter()
                .map(|row| headers.iter().zip(row).map(|(h, v)| ((*h).to_owned(), v.clone().into())).collect())
                .collect();
            serde_json::to_writer_pretty(&mut *out, &objects)?;
            writeln!(out)?;
        }
        ListFormat::Table => {
            let mut widths = headers.map(str::len);
            for row in rows {
                for (w, cell) in widths.iter_mut().zip(row) {
                    *w = (*w).max(cell.chars().count());
                }
            }
            let line = |out: &mut dyn Write, cells: [&str; N]| -> std::io::Result<()> {
                let text: Vec<String> =
                    cells.iter().enumerate().map(|(i, c)| format!("{c:<w$}", w = widths[i])).collect();
                writeln!(out, "{}", text.join("  ").trim_end())
            };
            line(out, headers)?;
            for row in rows {
                line(out, row.each_ref().map(String::as_str))?;
            }
        }
    }
    Ok(())
}
