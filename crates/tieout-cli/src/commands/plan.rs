//! `tieout plan --client C --format md|html [--out FILE]`: seed 000's integration plan, for the
//! client to review and approve — which transactions are automated, the rule table of every
//! product with its accounts, how often data moves, and the gaps `tieout check` finds.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use tieout_period::integration_plan;

use crate::commands::check::gather;
use crate::connect::{Configured, runtime};
use crate::render::plan::{html, markdown};

#[derive(clap::Args)]
pub struct Args {
    /// The client (its file is <config>/clients/<CLIENT>.toml).
    #[arg(long)]
    client: String,
    #[arg(long, value_enum, default_value_t = PlanFormat::Md)]
    format: PlanFormat,
    /// Write the plan to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PlanFormat {
    /// Markdown (GitHub tables).
    Md,
    /// One self-contained HTML page (inline style, no script).
    Html,
}

/// Writes the plan. Gaps do not fail the command: they are part of the plan, under "Open gaps".
pub fn run(config: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let configured = Configured::load(config, &args.client)?;
    let findings = runtime()?.block_on(gather(&configured));
    let mut plan = integration_plan(&configured.client, &findings.check);
    for (what, status) in [("servicing system", &findings.source), ("accounting package", &findings.sink)] {
        if let Some(error) = &status.error {
            plan.unread.push(format!("The {what} ({}) could not be read: {error}", status.kind));
        }
    }
    let text = match args.format {
        PlanFormat::Md => markdown(&plan),
        PlanFormat::Html => html(&plan),
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing the plan to {}", path.display()))?;
            tracing::info!(client = %args.client, file = %path.display(), "Plan written.");
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    return Err(e).context("writing to standard output");
                }
                _ => {}
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
