//! `tieout reconcile --client C --as-of DATE --format html|csv|xlsx|json [--out FILE]`: ties the
//! servicing system's balances, Tieout's ledger and the accounting package's trial balance out
//! per account (DESIGN.md section 9), stores the run, and writes the report.
//!
//! Exit codes: 0 when every difference is explained (or there is none), 4 when some difference
//! is left that Tieout cannot explain (beyond the client's `reconcile_tolerance`), 1 on an error.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use tieout_engine::reconcile::{Options, Reconciliation};
use tieout_period::{BALANCE_PAGE_SIZE, Books, ReconcileOptions, reconcile_with};
use tieout_registry::Registry;
use tieout_report::Format;

use crate::connect::{Configured, runtime};

/// Exit code when a difference is left unexplained.
pub const EXIT_UNEXPLAINED: u8 = 4;

/// Reconcile a client's books as of a date: servicing balances, Tieout's ledger, the accounting
/// package's trial balance, per account.
///
/// Exits 0 when every difference is explained (staged but not sent, failed, posted outside
/// Tieout, backdated) or there is none; 4 when a difference is left that Tieout cannot explain
/// (beyond the client's reconcile_tolerance); 1 on an error. Every run is stored.
#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    client: String,
    /// The date to reconcile as of (its end of day), YYYY-MM-DD: usually a month end.
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: NaiveDate,
    /// html (one self-contained page), csv (accounts; with --out also FILE-loans.csv, the loans
    /// behind the differences), xlsx (sheets Accounts, Loans, Unresolved, Summary; needs --out)
    /// or json (DESIGN.md's document).
    #[arg(long, value_name = "FORMAT", default_value = "json", value_parser = parse_format)]
    format: Format,
    /// Write the report here instead of to standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse().map_err(|e: tieout_report::UnknownFormat| e.to_string())
}

pub fn run(config: &Path, args: Args) -> anyhow::Result<ExitCode> {
    if args.format == Format::Xlsx && args.out.is_none() {
        bail!("--format xlsx writes a binary workbook: name the file with --out FILE.xlsx");
    }
    let configured = Configured::load(config, &args.client)?;
    let id = configured.client.name.to_client_id();
    let books = Books::of_client(&id, &configured.client);
    let options = ReconcileOptions {
        engine: Options { tolerance: configured.client.config.reconcile_tolerance, ..Options::default() },
        page_size: BALANCE_PAGE_SIZE,
    };
    let registry = Registry::builtin();
    let result = runtime()?.block_on(async {
        let store = configured.open_store().await?;
        let source = configured.source(&registry).await?;
        let sink = configured.sink(&registry).await?;
        reconcile_with(&store, &books, &*source, &*sink, args.as_of, &options)
            .await
            .with_context(|| format!("reconciling {} as of {}", args.client, args.as_of))
    })?;
    write_report(&result, args.format, args.out.as_deref())?;
    if let Some(out) = &args.out {
        println!("{}", summary(&result));
        println!("Report: {}", out.display());
        if args.format == Format::Csv {
            println!("Loans: {}", loans_path(out).display());
        }
    }
    Ok(if result.has_unexplained() { ExitCode::from(EXIT_UNEXPLAINED) } else { ExitCode::SUCCESS })
}

fn write_report(result: &Reconciliation, format: Format, out: Option<&Path>) -> anyhow::Result<()> {
    let bytes = tieout_report::render(result, format)?;
    match out {
        Some(path) => {
            fs::write(path, &bytes).with_context(|| format!("writing the report to {}", path.display()))?;
            if format == Format::Csv {
                let loans = loans_path(path);
                fs::write(&loans, tieout_report::csv::loans(result))
                    .with_context(|| format!("writing the loans to {}", loans.display()))?;
            }
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes).and_then(|()| stdout.flush()).context("writing the report to standard output")?;
        }
    }
    Ok(())
}

/// `report.csv` → `report-loans.csv`, next to it.
fn loans_path(accounts: &Path) -> PathBuf {
    let stem = accounts.file_stem().map_or_else(|| "reconciliation".into(), |s| s.to_string_lossy().into_owned());
    accounts.with_file_name(format!("{stem}-loans.csv"))
}

fn summary(r: &Reconciliation) -> String {
    let alerts = r.alerts();
    let verdict = if r.differences_total.is_zero() {
        "no differences".to_owned()
    } else if alerts == 0 {
        format!("differences {} (sum of absolute values), all explained", r.differences_total)
    } else {
        format!(
            "differences {} (sum of absolute values), {} unexplained in {alerts} place(s)",
            r.differences_total, r.unexplained_total
        )
    };
    format!("Reconciled {} as of {}: {} loans, {} accounts, {verdict}.", r.client, r.as_of, r.loans, r.accounts.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loans_file_sits_next_to_the_accounts_file() {
        assert_eq!(loans_path(Path::new("/tmp/r/oct.csv")), Path::new("/tmp/r/oct-loans.csv"));
        assert_eq!(loans_path(Path::new("oct")), Path::new("oct-loans.csv"));
    }
}
