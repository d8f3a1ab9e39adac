//! `tieout source check|events`: an integrator's view of a client's servicing source.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Subcommand;
use tieout_core::connector::Cursor;
use tieout_core::event::write_event_line;
use tieout_registry::Registry;

use crate::connect::{Configured, runtime};

/// Events asked of the source per call.
const PAGE: usize = 500;

#[derive(Subcommand)]
pub enum SourceCommand {
    /// Check that the source's config and credentials work (no side effects).
    Check {
        /// The client (its file is config/clients/<CLIENT>.toml).
        #[arg(long)]
        client: String,
    },
    /// Print the source's canonical events as JSON Lines on stdout.
    Events {
        #[arg(long)]
        client: String,
        /// First value date to include (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        from: Option<NaiveDate>,
        /// Last value date to include (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        to: Option<NaiveDate>,
    },
}

pub fn run(config: &Path, command: SourceCommand) -> anyhow::Result<ExitCode> {
    let registry = Registry::builtin();
    let rt = runtime()?;
    match command {
        SourceCommand::Check { client } => {
            let configured = Configured::load(config, &client)?;
            rt.block_on(async {
                let source = configured.source(&registry).await?;
                source.check().await.with_context(|| format!("checking the {} source of {client}", source.kind()))?;
                println!("source {} of {client}: ok", source.kind());
                Ok(ExitCode::SUCCESS)
            })
        }
        SourceCommand::Events { client, from, to } => {
            if let (Some(from), Some(to)) = (from, to)
                && from > to
            {
                anyhow::bail!("--from {from} is after --to {to}: give the window's first date first");
            }
            let configured = Configured::load(config, &client)?;
            rt.block_on(async {
                let source = configured.source(&registry).await?;
                let stdout = std::io::stdout();
                let mut out = BufWriter::new(stdout.lock());
                let mut cursor: Option<Cursor> = None;
                let (mut written, mut outside) = (0usize, 0usize);
                loop {
                    let page = source.events(cursor.as_ref(), PAGE).await.context("reading events from the source")?;
                    for event in &page.items {
                        if from.is_some_and(|d| event.date < d) || to.is_some_and(|d| event.date > d) {
                            outside += 1;
                            continue;
                        }
                        match writeln!(out, "{}", write_event_line(event)) {
                            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
                            other => other.context("writing events")?,
                        }
                        written += 1;
                    }
                    match page.next {
                        Some(next) => cursor = Some(next),
                        None => break,
                    }
                }
                out.flush().ok();
                tracing::info!(client = %client, written, outside, "Events read.");
                Ok(ExitCode::SUCCESS)
            })
        }
    }
}
